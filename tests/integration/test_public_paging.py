"""`/public` pages its school list (a prefecture has thousands of schools), keeping the year and zone filter."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from backend.demo.county import load_demo_county
from backend.services.office.scoped import SCHOOL_KINDS
from backend.store.db import Database
from backend.store.models import Authority, Unit, Zone
from backend.web.public_results import PER_PAGE
from tests.integration.test_office_web import make_app

SCHOOL_ROW = r'<tr><td class="name">([^<]+)</td><td data-label="[^"]*">([^<]*)</td>'  # a school and its zone
EXTRA = 130  # schools added to the demo county's first zone, so that it alone fills three pages


@pytest.fixture
def app(database: Database, tmp_path: Path) -> Flask:
    with database.sessions() as s:
        load_demo_county(s)
        authority = s.scalar(select(Authority))
        authority.publication = {"enabled": True}
        zone = s.scalars(select(Zone).order_by(Zone.name)).first()
        for n in range(EXTRA):
            s.add(
                Unit(
                    authority_id=authority.id,
                    code=f"P{n:04d}",
                    name=f"分页测试学校{n:03d}",
                    kind="primary",
                    zone_id=zone.id,
                )
            )
        s.commit()
    return make_app(database, tmp_path)


def _schools_shown(client: FlaskClient, **query: str) -> tuple[list[tuple[str, str]], str]:
    """The (school, zone) rows of the schools' table on one /public page, and the page's HTML."""
    page = client.get("/public/", query_string=query)
    assert page.status_code == 200
    section = page.text.rsplit("<h2>", 1)[-1]  # the schools' table is the last section
    return re.findall(SCHOOL_ROW, section), page.text


def _schools_in_db(database: Database) -> list[tuple[str, str]]:
    with database.sessions() as s:
        rows = s.execute(
            select(Unit.name, Zone.name)
            .outerjoin(Zone, Zone.id == Unit.zone_id)
            .where(Unit.kind.in_(SCHOOL_KINDS), Unit.active.is_(True))
        ).all()
    return [(name, zone or "") for name, zone in rows]


def test_the_school_list_comes_in_pages_that_together_hold_every_school_once(app: Flask, database: Database) -> None:
    client = app.test_client()
    expected = _schools_in_db(database)
    pages = -(-len(expected) // PER_PAGE)
    assert pages >= 3
    shown: list[tuple[str, str]] = []
    for number in range(1, pages + 1):
        rows, html = _schools_shown(client, page=str(number))
        assert len(rows) == (PER_PAGE if number < pages else len(expected) - PER_PAGE * (pages - 1))
        assert f"第 {number} / {pages} 页，共 {len(expected)} 条" in html
        assert ("上一页" in html) == (number > 1) and ("下一页" in html) == (number < pages)
        shown += rows
    assert sorted(shown) == sorted(expected)  # every school once, none twice
    # the first page by default; beyond the last page, the last; nonsense, the first
    assert _schools_shown(client)[0] == _schools_shown(client, page="1")[0]
    assert _schools_shown(client, page="999")[0] == _schools_shown(client, page=str(pages))[0]
    assert _schools_shown(client, page="abc")[0] == _schools_shown(client, page="1")[0]
    assert _schools_shown(client, page="-3")[0] == _schools_shown(client, page="1")[0]


def test_the_zone_filter_pages_within_the_zone_and_the_pager_keeps_it(app: Flask, database: Database) -> None:
    client = app.test_client()
    with database.sessions() as s:
        zone = s.scalars(select(Zone).order_by(Zone.name)).first().name
    expected = sorted(row for row in _schools_in_db(database) if row[1] == zone)
    assert len(expected) > PER_PAGE
    shown, html = _schools_shown(client, zone=zone, year="2026")
    # follow the pager: each link to the next page carries the zone and the year along
    for number in range(2, 10):
        link = re.search(r'href="/public/\?([^"]+)">下一页', html)
        if link is None:
            break
        query = link.group(1).replace("&amp;", "&")
        assert f"page={number}" in query and "year=2026" in query and "zone=" in query
        page = client.get(f"/public/?{query}")
        assert page.status_code == 200
        html = page.text
        shown += re.findall(SCHOOL_ROW, html.rsplit("<h2>", 1)[-1])
    assert sorted(shown) == expected  # every school of the zone, and only of the zone
