"""Issue 13.8: odd values in a URL get a 400 or a 404 with a Chinese reason, never a 500 (office, API, public)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote, urlencode

from flask import Flask
from flask.testing import FlaskClient

from backend.services.tokens import create_token
from backend.store.db import Database
from tests.integration.test_office_web import Seeded, sign_in

BIG = str(10**20)
# every query parameter a view reads, with values an attacker (or a mistyped bookmark) sends
HOSTILE_QUERIES: list[dict[str, str]] = [
    {"kind": "x"},
    {"page": BIG},
    {"page": "-1"},
    {"page": "1e3"},
    {"per_page": BIG},
    {"since": "0001-01-01"},
    {"until": "9999-12-31"},
    {"since": "9999-12-31", "until": "0001-01-01"},
    {"since": "2026-02-30"},
    {"level": str(10**23)},
    {"level": "x"},
    {"year": "99999"},
    {"year": "0"},
    {"year": "-5"},
    {"year": BIG},
    {"month": "9999-99"},
    {"month": "0000-01"},
    {"after": BIG},
    {"item": BIG},
    {"item": "%_\\"},
    {"zone": BIG, "school": BIG, "inspector": BIG, "unit": BIG, "state": "x", "q": "%" * 300},
    {"overdue": "x", "pending": "x", "include_revoked": "x", "type": "x", "size": "x"},
    {"school": "\x00\r\n", "q": "\x00"},
    {"next": "/office/\r\nSet-Cookie: a=b"},
    {"next": "//evil.example"},
]
RENDERS_BOARDS = {"office.board_zone_pdf", "office.board_png"}
PATH_VALUES = {"int": ["0", "1", "9" * 20], "default": ["x", "9" * 20, "%00", "..%2f..", "　"]}


def urls_of(app: Flask) -> Iterator[str]:
    """Every GET route: hostile values in its path, and every hostile query on an ordinary path."""
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        if rule.rule.startswith(("/office/logout", "/sim")):
            continue
        kinds = {name: type(converter).__name__ for name, converter in rule._converters.items()}

        def path(pick: int, rule_text: str = rule.rule, kinds: dict[str, str] = kinds) -> str:
            for name, kind in kinds.items():
                values = PATH_VALUES["int"] if "Integer" in kind or "Id" in kind else PATH_VALUES["default"]
                rule_text = re.sub(rf"<(?:[a-z]+(?:\([^)]*\))?:)?{name}>", values[pick % len(values)], rule_text)
            return rule_text

        for pick in range(max(len(v) for v in PATH_VALUES.values()) if kinds else 1):
            yield path(pick)
        ordinary = path(1)
        if rule.endpoint in RENDERS_BOARDS:
            continue  # seconds a board: its path is enough (it reads no filter)
        for query in HOSTILE_QUERIES:
            yield f"{ordinary}?{urlencode(query, quote_via=quote)}"


def walk(client: FlaskClient, app: Flask, headers: dict[str, str] | None = None) -> list[tuple[str, int]]:
    failures = []
    for url in urls_of(app):
        response = client.get(url, headers=headers or {})
        if response.status_code >= 500:
            failures.append((url, response.status_code))
    return failures


def test_no_get_route_answers_odd_values_with_a_500(app: Flask, database: Database) -> None:
    with database.sessions() as s:
        token = create_token(s, "县教育局数据平台")
    anonymous = app.test_client()
    office = app.test_client()
    sign_in(office, "admin")
    failures = walk(anonymous, app, {"Authorization": f"Bearer {token}"})
    failures += walk(office, app)
    assert sorted(set(failures)) == []


def test_the_odd_values_of_the_issue_get_a_chinese_reason(app: Flask, seeded: Seeded, database: Database) -> None:
    office = app.test_client()
    sign_in(office, "admin")
    for url in (
        "/office/concerns?page=" + BIG,
        "/office/concerns?since=0001-01-01",
        "/office/concerns?until=9999-12-31",
        "/office/rectifications?level=" + str(10**23),
        "/office/calendar?year=99999",
        "/office/export/annual.xlsx?year=99999",
        "/office/export/concerns.xlsx?since=0001-01-01",
        f"/office/export/report.pdf?school={seeded.school_a}&since=0001-01-01",
        "/office/login?next=/office/%0D%0ASet-Cookie:%20a=b",
    ):
        response = office.get(url)
        assert response.status_code == 400, url
        assert "不正确" in response.text, url  # the office's error page says what was wrong
    page = office.get("/office/concerns?kind=x")  # a stray argument is no filter: the list, and its export link
    assert page.status_code == 200 and "/office/export/concerns.xlsx" in page.text
    assert office.get("/office/concerns/" + "9" * 20).status_code == 404
    api = app.test_client()
    for url in ("/api/v1/schools?kind=x", "/api/v1/schools?page=" + BIG, "/api/v1/schools?zone=%00"):
        response = api.get(url)
        assert response.status_code == 400 and "参数" in response.get_json()["error"]["message"], url
    assert api.get("/b/%00").status_code == 404


def test_a_login_next_with_cr_lf_never_reaches_a_header(app: Flask) -> None:
    from tests.integration.test_office_web import PASSWORD, csrf_of

    client = app.test_client()
    token = csrf_of(client.get("/office/login").text)
    response = client.post(
        "/office/login",
        data={"username": "admin", "password": PASSWORD, "csrf_token": token, "next": "/office/\r\nSet-Cookie: a=b"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/office/dashboard" and "a=b" not in response.headers.get("Set-Cookie", "")
