"""Hostile people against a running server (issue 13): a school's staff probing for what was reported about them,
a copied office cookie, guessing bind codes and passwords at scale, and what the server says of itself.

Each test is one attack, over loopback like WeChat and a browser reach the server; docs/security.md lists them.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from backend.app import create_app
from backend.config import Config
from backend.domain.kinds import RectificationState, Role
from backend.kv import MemoryKV
from backend.runtime import Runtime
from backend.services import binding, office_users
from backend.services.authority import current_authority
from backend.store.db import Database
from backend.store.models import Assignment, Concern, Inspector, OutboxMessage, Rectification, Unit, Zone
from bot.fake_wechat import RunningFakeWeChat
from messages import t
from tests.e2e.concern_support import INSPECTOR, SECRET_KEY, Stage, concern_stage
from tests.e2e.conftest import dudao, run_dudao_server, serve_app

pytestmark = pytest.mark.e2e
pytest_plugins = ["tests.fake_wechat_fixture"]

PARENT = "o-parent-Zk81qv"
STAFF = "o-staff-private-phone"  # a teacher of the school, from their own private WeChat account
FOOD = "学校食堂的饭菜里有虫子，孩子回家说不敢吃"
PROBE = "食堂饭菜里有虫子吗？孩子说不敢吃了"
TICKET = re.compile(r"T\d{4}-\d{4}")
PASSWORD = "Dudao-Office-2026"


@pytest.fixture
def stage(sqlite_database: Database, fake_wechat: RunningFakeWeChat, tmp_path: Path) -> Iterator[Stage]:
    with concern_stage(sqlite_database, MemoryKV(), fake_wechat, tmp_path / "instance") as running:
        yield running


def tickets(text: str) -> set[str]:
    return set(TICKET.findall(text))


def own_ticket(stage: Stage, openid: str) -> str:
    with stage.db.session() as session:
        return session.scalars(select(Concern.ticket_no).where(Concern.reporter_openid == openid)).one()


# --- 2. the duplicate check is no oracle ----------------------------------------------------------------------


def test_a_school_staff_probing_by_wechat_with_a_similar_concern_learns_nothing_of_the_first(stage: Stage) -> None:
    stage.scan(PARENT, following=False)
    first = stage.say(PARENT, FOOD)
    original = own_ticket(stage, PARENT)
    stage.scan(STAFF, following=True)
    probe = stage.say(STAFF, PROBE)
    mine = own_ticket(stage, STAFF)
    # the staff's reply is the one any new concern gets, with their own ticket: not a word of the first
    assert tickets(probe) == {mine} and original not in probe
    assert probe == first.replace(original, mine)
    assert "已有人反映" not in probe and "合并" not in probe
    status = stage.say(STAFF, "查询")
    assert tickets(status) == {mine} and "合并" not in status
    # the inspector has both, the second linked to the first; the promised answer reaches the staff's account
    stage.run_jobs()
    told = str(stage.sent(INSPECTOR))
    assert mine in told and original in told
    detail = stage.say(INSPECTOR, f"留言 {mine}")
    assert original in detail  # the link, for the inspector
    stage.say(INSPECTOR, f"回复 {mine} 已到校核实，食堂已全面消杀并更换供货商。")
    stage.run_jobs()
    to_staff = str(stage.sent(STAFF))
    assert "已全面消杀" in to_staff and original not in to_staff
    # the office reads the link on the concern's page
    add_office_user(stage.db)
    with stage.db.session() as session:
        concern_id = session.scalars(select(Concern.id).where(Concern.ticket_no == mine)).one()
    page = signed_in(stage.url).get(f"{stage.url}/office/concerns/{concern_id}", timeout=10).text
    assert t("office.concern.similar") in page and original in page


def submit_on_the_board_page(stage: Stage, content: str) -> str:
    http = requests.Session()
    page = http.get(f"{stage.url}/b/{stage.school.code}", timeout=10)
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token is not None
    done = http.post(
        f"{stage.url}/b/{stage.school.code}",
        data={"token": token.group(1), "category": "7", "content": content, "phone": ""},
        headers={"Origin": stage.url},
        timeout=10,
    )
    assert done.status_code == 201, done.text
    return done.text


def test_the_board_page_tells_a_probing_sender_nothing_of_a_similar_concern(stage: Stage) -> None:
    submit_on_the_board_page(stage, FOOD)
    with stage.db.session() as session:
        original = session.scalars(select(Concern.ticket_no)).one()
    done = submit_on_the_board_page(stage, PROBE)
    found = tickets(done)
    assert len(found) == 1 and original not in found
    assert "已有人反映" not in done and "合并" not in done
    assert "责任督学将在" in done  # the deadlines any concern gets
    (mine,) = found
    secret = re.search(r'id="secret">([A-Z0-9]{8})<', done)
    assert secret is not None
    status = requests.post(f"{stage.url}/ticket", data={"ticket": mine, "secret": secret.group(1)}, timeout=10)
    assert status.status_code == 200, status.text
    assert original not in status.text and "合并" not in status.text


# --- 3. the office's history never shows the reporter's openid ------------------------------------------------


def sign_in(url: str, username: str = "admin", password: str = PASSWORD, **headers: str) -> requests.Response:
    http = requests.Session()
    page = http.get(f"{url}/office/login", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    return http.post(
        f"{url}/office/login",
        data={"username": username, "password": password, "csrf_token": token.group(1)},
        headers=headers,
        allow_redirects=False,
        timeout=10,
    )


def add_office_user(db: Database) -> None:
    with db.session() as session:
        office_users.create_user(
            session, username="admin", password=PASSWORD, role=office_users.OfficeRole.OFFICE, display_name="刘主任"
        )


def signed_in(url: str) -> requests.Session:
    http = requests.Session()
    page = http.get(f"{url}/office/login", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    done = http.post(
        f"{url}/office/login",
        data={"username": "admin", "password": PASSWORD, "csrf_token": token.group(1)},
        allow_redirects=False,
        timeout=10,
    )
    assert done.status_code == 302, done.text
    return http


def test_the_office_history_of_a_concern_names_people_and_never_shows_the_reporters_openid(stage: Stage) -> None:
    add_office_user(stage.db)
    stage.scan(PARENT, following=False)
    stage.say(PARENT, "孩子说最近中午经常吃不饱，分量越来越少")
    stage.say(PARENT, "7")
    stage.say(PARENT, "电话 13912345678")
    ticket = own_ticket(stage, PARENT)
    stage.say(INSPECTOR, f"受理 {ticket}")
    with stage.db.session() as session:
        concern_id = session.scalars(select(Concern.id)).one()
    page = signed_in(stage.url).get(f"{stage.url}/office/concerns/{concern_id}", timeout=10)
    assert page.status_code == 200
    history = page.text[page.text.index(t("office.history")) :]
    assert PARENT not in page.text and "wechat:" not in page.text and "inspector:" not in history
    assert t("office.actor.reporter") in history and "督学 王建国" in history
    assert t("office.action.concern.received") in history and "concern.received" not in history


# --- 5. sessions end at logout; the cookie's flags -------------------------------------------------------------


@pytest.fixture
def office_url(sqlite_database: Database, tmp_path: Path) -> Iterator[str]:
    """The app behind one proxy (nginx): X-Forwarded-For and -Proto are trusted, as `DUDAO_PROXY_HOPS=1` says."""
    add_office_user(sqlite_database)
    config = Config(
        database_url=sqlite_database.url,
        secret_key=SECRET_KEY,
        instance_dir=tmp_path / "instance",
        proxy_hops=1,
        testing=True,
    )
    app = create_app(runtime=Runtime(config=config, db=sqlite_database, kv=MemoryKV()))
    with serve_app(app) as url:
        yield url


def test_a_copied_office_cookie_stops_working_at_logout(office_url: str) -> None:
    http = signed_in(office_url)
    copied = requests.Session()
    copied.cookies.update(http.cookies)  # what a shared computer, a proxy log or a stolen backup keeps
    assert copied.get(f"{office_url}/office/dashboard", allow_redirects=False, timeout=10).status_code == 200
    page = http.get(f"{office_url}/office/dashboard", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    http.post(f"{office_url}/office/logout", data={"csrf_token": token.group(1)}, timeout=10)
    again = copied.get(f"{office_url}/office/dashboard", allow_redirects=False, timeout=10)
    assert again.status_code == 302 and urlsplit(again.headers["Location"]).path == "/office/login"


def test_the_session_cookie_is_samesite_lax_and_secure_behind_https(office_url: str) -> None:
    plain = sign_in(office_url)
    assert plain.status_code == 302
    cookie = plain.headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie and "Secure" not in cookie
    secure = sign_in(office_url, **{"X-Forwarded-Proto": "https"})
    assert secure.status_code == 302
    assert "Secure" in secure.headers["Set-Cookie"] and "SameSite=Lax" in secure.headers["Set-Cookie"]


# --- 6. guessing at scale ---------------------------------------------------------------------------------------


def test_office_login_locks_the_account_whatever_the_address(office_url: str) -> None:
    addresses = [f"203.0.113.{n}" for n in range(1, 6)]
    refused = 0
    for address in addresses:  # five addresses, five wrong passwords each: 25 tries without a lock per account
        for n in range(5):
            refused += sign_in(office_url, password=f"guess-{n}", **{"X-Forwarded-For": address}).status_code == 429
    assert refused >= 15  # at most 10 guesses were checked
    late = sign_in(office_url, **{"X-Forwarded-For": "198.51.100.7"})  # the right password, from a sixth address
    assert late.status_code == 429


def test_bind_codes_are_ten_digits_and_guessing_across_many_accounts_is_capped_once_told(stage: Stage) -> None:
    add_office_user(stage.db)
    stage.bind("o-office-liu", Role.OFFICE, "admin")
    with stage.db.session() as session:
        issued = binding.issue_code(
            session, role=Role.INSPECTOR, key=stage.school.inspector_number, pepper=SECRET_KEY, actor="office:test"
        )
    assert re.fullmatch(r"\d{10}", issued.code) and issued.grouped == f"{issued.code[:5]} {issued.code[5:]}"
    wrong = "1234567890" if issued.code != "1234567890" else "1234567891"
    answers = []
    for account in range(11):  # eleven accounts, five tries each (the limit per account): 55 guesses
        for _ in range(binding.ATTEMPTS_PER_HOUR):
            answers.append(stage.say(f"o-guesser-{account}", f"绑定 {wrong}"))
    assert answers.count(t("bot.bind.invalid")) == binding.FAILURES_PER_HOUR
    assert answers[-1] == t("bot.bind.rate_limited")
    # the cap holds for everyone until the hour is over: even a right code from a fresh account
    assert stage.say("o-new-inspector", f"绑定 {issued.grouped}") == t("bot.bind.rate_limited")
    with stage.db.session() as session:
        alerts = session.scalars(select(OutboxMessage).where(OutboxMessage.notice == "office_alert")).all()
    assert [a.openid for a in alerts] == ["o-office-liu"]  # the office is told, once


# --- 9. what the server says of itself, and of what it refuses ---------------------------------------------------


def test_dudao_serve_refuses_the_development_secret_with_a_chinese_reason(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    env = {"DUDAO_DATABASE_URL": f"sqlite:///{instance / 'county.sqlite3'}"}
    assert dudao(["db", "upgrade"], instance, env).returncode == 0
    for secret in ("", "dev-not-secret", "short"):
        refused = dudao(["serve", "--port", "0", "--no-worker"], instance, {**env, "DUDAO_SECRET_KEY": secret}, 20)
        assert refused.returncode == 2 and "DUDAO_SECRET_KEY" in refused.stderr and "没有启动" in refused.stderr


def raw_request(url: str, data: bytes) -> bytes:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=5) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_no_response_of_dudao_serve_names_the_server_software_or_python(tmp_path: Path) -> None:
    instance = tmp_path / "serve"
    env = {"DUDAO_DATABASE_URL": f"sqlite:///{instance / 'county.sqlite3'}"}
    assert dudao(["db", "upgrade"], instance, env).returncode == 0
    with run_dudao_server(["serve", "--no-worker"], instance, env) as server:
        for path in ("/healthz", "/office/login", "/nothing-here", "/api/v1/inspectors"):
            header = requests.get(server.url + path, timeout=5).headers.get("Server", "")
            assert header == "dudao", (path, header)
        broken = raw_request(server.url, b"GARBAGE\r\n\r\n")  # answered by werkzeug itself, not by the app
        assert b"Werkzeug" not in broken and b"Python/" not in broken, broken[:200]


def test_an_inspector_asking_about_another_schools_ticket_hears_what_a_missing_one_gets(stage: Stage) -> None:
    with stage.db.session() as session:
        authority = current_authority(session)
        zone = Zone(authority_id=authority.id, name="某某县龙岗镇督学责任区")
        session.add(zone)
        session.flush()
        other = Unit(authority_id=authority.id, code="3607020003", name="某某县龙岗镇中心小学", kind="primary")
        other.zone_id = zone.id
        li = Inspector(authority_id=authority.id, number="DX007", name="李秀英", phone="13800000007")
        session.add_all([other, li])
        session.flush()
        session.add(Assignment(inspector_id=li.id, unit_id=other.id, starts_on=date(2024, 9, 1)))
    stage.bind("o-inspector-li", Role.INSPECTOR, "DX007")
    stage.scan(PARENT, following=False)
    stage.say(PARENT, FOOD)
    theirs = own_ticket(stage, PARENT)  # a concern of 王建国's school
    missing = "T2611-0999"
    for command in ("留言", "受理", "核实", "办结"):
        outside = stage.say("o-inspector-li", f"{command} {theirs}")
        nowhere = stage.say("o-inspector-li", f"{command} {missing}")
        assert outside == nowhere.replace(missing, theirs), command


def test_an_inspector_asking_about_another_schools_rectification_hears_what_a_missing_one_gets(stage: Stage) -> None:
    with stage.db.session() as session:
        authority = current_authority(session)
        other = Unit(authority_id=authority.id, code="3607020004", name="某某县龙岗镇初级中学", kind="junior")
        li = Inspector(authority_id=authority.id, number="DX008", name="李秀英", phone="13800000008")
        session.add_all([other, li])
        session.flush()
        session.add(Assignment(inspector_id=li.id, unit_id=other.id, starts_on=date(2024, 9, 1)))
        wang_school = session.scalars(select(Unit).where(Unit.code == stage.school.code)).one()
        theirs = Rectification(
            number="ZG-2026-000321",
            authority_id=authority.id,
            unit_id=wang_school.id,
            item="7",
            problem="食堂留样记录不全",
            requirement="补齐留样记录",
            deadline=date(2026, 11, 30),
            state=RectificationState.SUBMITTED.value,
        )
        session.add(theirs)
    stage.bind("o-inspector-li2", Role.INSPECTOR, "DX008")
    missing = "ZG-2026-000999"
    for command in ("复查 {} 通过", "复查 {} 不通过 仍未整改", "同意延期 {} 两周", "不同意延期 {} 理由不足"):
        outside = stage.say("o-inspector-li2", command.format(theirs.number))
        nowhere = stage.say("o-inspector-li2", command.format(missing))
        assert outside == nowhere.replace(missing, theirs.number), command
        assert "不在您负责" not in outside
    with stage.db.session() as session:
        assert session.get(Rectification, theirs.id).state == RectificationState.SUBMITTED.value  # nothing done
