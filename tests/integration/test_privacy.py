"""Personal information in the services: retention applied by the worker (closed concerns' reporter fields and
photos, audit events), a person's export and erasure, requests as work items — SQLite + memory, PostgreSQL + Redis."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import func, select

from backend.clock import SettableClock
from backend.config import Config
from backend.domain import retention
from backend.domain.kinds import Role
from backend.jobs.housekeeping import forget_old_deliveries
from backend.kv import KV, MemoryKV
from backend.runtime import Runtime
from backend.services import audit, concerns, form_links, media, privacy
from backend.services.authority import current_authority
from backend.services.concerns import Photo
from backend.services.office import figures
from backend.services.office_users import OfficeRole, Scope
from backend.store.db import Database
from backend.store.models import AuditEvent, Concern, InboundDelivery, Media, OutboxMessage, WechatIdentity
from tests.builders import County

PEPPER = "test-pepper-0123456789"
PARENT = "oParent_0123456789abcdefghij"
OTHER = "oOther_0123456789abcdefghijk"


def _png(red: int = 200) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (red, 30, 30)).save(out, "PNG")
    return out.getvalue()


@dataclasses.dataclass
class Seeded:
    wechat: list[str]  # the parent's two WeChat concerns
    web: str  # the same parent's web-form concern (phone left on it)
    web_secret: str
    other: str  # someone else's concern, never touched by the parent's requests
    open_one: str  # the parent's third WeChat concern, still open


def seed(db: Database, kv: KV, media_dir: Path) -> Seeded:
    with db.session() as s:
        county = County(s)
        zone = county.zone("城关督学责任区")
        unit = county.school("3607010001", "江西省安远县城关第一小学", zone=zone)
        wang = county.inspector("DX001", "王建国", "13800000001")
        county.assign(wang, unit)
        county.contact(PARENT, last_scanned_unit_id=unit.id)
        county.contact(OTHER)
        county.contact("o-wang", Role.INSPECTOR, inspector_id=wang.id)
        s.flush()
        now = s.info.get("now") or db.clock.now()
        made = []
        for openid, text, phone in (
            (PARENT, "食堂的米饭有异味，孩子回家说肚子疼", "13912345678"),
            (PARENT, '=HYPERLINK("http://x","周末补课收费")', None),
            (OTHER, "校门口接送秩序混乱，车辆乱停", "13700001111"),
            (PARENT, "放学后作业太多", "13912345678"),
        ):
            c = concerns.open_concern(
                s, unit, channel="wechat", openid=openid, content=text, phone=phone, category="A1", now=now
            )
            made.append(c)
        media.keep_file(
            s, media_dir, owner_type="concern", owner_id=made[0].id, kind="image", content=_png(),
            content_type="image/png", strip_metadata=True,
        )  # fmt: skip
        done = concerns.submit_from_web(
            s, kv, media_dir, school_code=unit.code, content="学校要求家长在群里接龙交资料费", category=None,
            phone="13912345678", photos=[Photo(_png(90), "image/png")], client_key="k", pepper=PEPPER,
        )  # fmt: skip
        s.add(InboundDelivery(dedupe_key="msg:1", openid=PARENT, msg_type="text"))
        tickets = [c.ticket_no for c in made]
    with db.session() as s:
        for ticket in [*tickets[:3], done.ticket_no]:
            concerns.answer(s, ticket, "已核实并督促学校整改。", actor="office:test")
            concerns.close(s, ticket, actor="office:test")
    return Seeded(tickets[:2], done.ticket_no, done.secret, tickets[2], tickets[3])


def _concern(db: Database, ticket: str) -> dict[str, Any]:
    with db.session() as s:
        c = s.scalars(select(Concern).where(Concern.ticket_no == ticket)).one()
        return {k: getattr(c, k) for k in ("reporter_openid", "reporter_phone", "content", "state", "category")}


SEEDED_ON = date(2026, 11, 23)  # the figures as of the day the concerns came (the clock moves on after)


def _dashboard(db: Database) -> dict[str, Any]:
    with db.session() as s:
        authority = current_authority(s)
        scope = Scope(0, "", "", OfficeRole.OFFICE, authority.id, None, None)
        board = figures.dashboard(s, scope, authority, SEEDED_ON)
        return {"concerns": dataclasses.asdict(board.concerns), "coverage": dataclasses.asdict(board.coverage)}


def _photo_counts(db: Database) -> list[int]:
    with db.session() as s:
        return [concerns.photo_count(s, c.id) for c in s.scalars(select(Concern).order_by(Concern.id))]


def _runtime(db: Database, media_dir: Path) -> Runtime:
    config = Config(database_url=db.url, secret_key=PEPPER, instance_dir=media_dir.parent)
    assert config.media_dir == media_dir
    return Runtime(config=config, db=db, kv=MemoryKV())


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    path = tmp_path / "media"
    path.mkdir()
    return path


def test_retention_erases_closed_reporters_after_their_period_and_keeps_the_figures(
    database: Database, kv: KV, media_dir: Path, clock: SettableClock
) -> None:
    seeded = seed(database, kv, media_dir)
    runtime = _runtime(database, media_dir)
    figures_before, photos_before = _dashboard(database), _photo_counts(database)
    files = sorted(p for p in media_dir.rglob("*") if p.is_file())
    assert len(files) == 2

    clock.advance(days=364)  # within the year: nothing yet
    forget_old_deliveries(runtime)
    assert _concern(database, seeded.wechat[0])["reporter_phone"] == "13912345678"

    clock.advance(days=2)  # a year and a day after closing
    forget_old_deliveries(runtime)
    first, second, other = (_concern(database, t) for t in (*seeded.wechat, seeded.other))
    assert first["reporter_phone"] is None and first["reporter_openid"] == privacy.pseudonym(PARENT, PEPPER)
    assert second["reporter_openid"] == first["reporter_openid"]  # still one person for repeat-reporter counts
    assert other["reporter_openid"] == privacy.pseudonym(OTHER, PEPPER) != first["reporter_openid"]
    assert _concern(database, seeded.web)["reporter_phone"] is None
    assert first["content"] == "食堂的米饭有异味，孩子回家说肚子疼"  # the text has its own, longer period
    assert _concern(database, seeded.open_one)["reporter_phone"] == "13912345678"  # open: kept
    assert _concern(database, seeded.open_one)["reporter_openid"] == PARENT
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(InboundDelivery)) == 0
        assert s.scalar(select(func.count()).where(AuditEvent.action == "privacy.retention_applied")) == 1
    assert _dashboard(database) == figures_before
    assert _photo_counts(database) == photos_before
    # idempotent: a second pass changes nothing and records nothing
    with database.session() as s:
        assert privacy.apply_retention(s, media_dir, PEPPER).total() == 0

    # the office shortens the texts' and photos' period to its minimum: the files go, the rows and counts stay
    with database.session() as s:
        current_authority(s).retention = {retention.CONCERN_CONTENT: 365}
    with database.session() as s:
        done = privacy.apply_retention(s, media_dir, PEPPER)
    assert done.contents == 4 and done.concern_photos == 2
    assert [p for p in media_dir.rglob("*") if p.is_file()] == []
    assert _concern(database, seeded.wechat[0])["content"] == ""
    assert _photo_counts(database) == photos_before
    assert _dashboard(database) == figures_before
    with database.session() as s:
        assert all(m.erased_at is not None and m.path == "" for m in s.scalars(select(Media)))


def test_retention_purges_audit_events_only_after_their_period(database: Database, media_dir: Path) -> None:
    now = database.clock.now()
    with database.session() as s:
        current_authority(s).retention = {retention.AUDIT: 200}
        audit.record(s, "system", "old", "concern", 1, now=now - timedelta(days=201))
        audit.record(s, "system", "kept", "concern", 1, now=now - timedelta(days=199))
    with database.session() as s:
        assert privacy.apply_retention(s, media_dir, PEPPER).audit_events == 1
    with database.session() as s:
        actions = set(s.scalars(select(AuditEvent.action)))
    assert "old" not in actions and "kept" in actions
    # a stored period below the legal minimum is never used: the default (365 days) is
    with database.session() as s:
        current_authority(s).retention = {retention.AUDIT: 30}
        audit.record(s, "system", "young", "concern", 1, now=now - timedelta(days=100))
    with database.session() as s:
        assert privacy.apply_retention(s, media_dir, PEPPER).audit_events == 0


def _workbook(data: bytes) -> tuple[zipfile.ZipFile, Any]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return archive, load_workbook(io.BytesIO(archive.read("个人信息.xlsx")))


def test_export_holds_everything_about_the_person_and_nothing_about_others(
    database: Database, kv: KV, media_dir: Path
) -> None:
    seeded = seed(database, kv, media_dir)
    with database.session() as s:
        done = privacy.export_person(
            s, media_dir, privacy.Person(openid=PARENT, phone="13912345678"), actor="office:admin"
        )
    assert done.concerns == 4 and done.photos == 2
    archive, book = _workbook(done.data)
    tickets = [row[0].value for row in book["留言"].iter_rows(min_row=2)]
    assert sorted(tickets) == sorted([*seeded.wechat, seeded.open_one, seeded.web])
    assert seeded.other not in tickets
    injected = next(row[5] for row in book["留言"].iter_rows(min_row=2) if str(row[5].value).startswith("="))
    assert injected.data_type == "s"  # shown as text, never run as a formula
    identity = {row[0].value: row[1].value for row in book["身份"].iter_rows(min_row=2)}
    assert identity["用户标识（openid）"] == PARENT
    photos = [n for n in archive.namelist() if n.startswith("photos/")]
    assert len(photos) == 2 and all(archive.read(n).startswith(b"\x89PNG") for n in photos)
    with database.session() as s:
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.exported")).all()
        assert PARENT not in str(event.detail) and "13912345678" not in str(event.detail)

    # by a ticket and its secret: only that concern (and the web reporter has no openid)
    with database.session() as s:
        concern = concerns.concern_for_secret(s, ticket=seeded.web, secret=seeded.web_secret, pepper=PEPPER)
        request = privacy.submit_request(s, kind="copy", contact="13912345678", message="", concern=concern)
        done = privacy.export_person(s, media_dir, privacy.person_of(request), actor="office:admin")
    _archive, book = _workbook(done.data)
    assert [row[0].value for row in book["留言"].iter_rows(min_row=2)] == [seeded.web]


def test_erase_removes_the_persons_fields_keeps_their_concerns_and_is_idempotent(
    database: Database, kv: KV, media_dir: Path
) -> None:
    seeded = seed(database, kv, media_dir)
    with database.session() as s:
        s.add(OutboxMessage(dedupe_key=f"concern:1:answered:{PARENT}", openid=PARENT, kind="text", state="sent"))
    figures_before = _dashboard(database)
    person = privacy.Person(openid=PARENT, phone="13912345678")
    with database.session() as s:
        done = privacy.erase_person(s, media_dir, PEPPER, person, actor="office:admin")
    assert done.concerns == 4 and done.photos == 2 and done.identity and done.deliveries == 1
    for ticket in (*seeded.wechat, seeded.open_one, seeded.web):
        row = _concern(database, ticket)
        assert row["reporter_phone"] is None and row["reporter_openid"] in (None, privacy.pseudonym(PARENT, PEPPER))
        assert row["content"]  # the concern stays, with its text
    assert _concern(database, seeded.other)["reporter_phone"] == "13700001111"
    with database.session() as s:
        assert s.scalar(select(WechatIdentity).where(WechatIdentity.openid == PARENT)) is None
        assert s.scalar(select(WechatIdentity).where(WechatIdentity.openid == OTHER)) is not None
        assert s.scalar(select(func.count()).where(OutboxMessage.openid == PARENT)) == 0
        assert PARENT not in (s.scalar(select(OutboxMessage.dedupe_key)) or "")
    assert _dashboard(database) == figures_before
    with database.session() as s:
        again = privacy.erase_person(s, media_dir, PEPPER, person, actor="office:admin")
    assert (again.concerns, again.photos, again.deliveries, again.identity) == (0, 0, 0, False)
    with database.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.erased")).all()
        assert len(events) == 2 and all(PARENT not in str(e.detail) for e in events)
        assert all("13912345678" not in str(e.detail) for e in events)
    with database.session() as s:
        assert privacy.export_person(s, media_dir, person, actor="office:admin").concerns == 0


def test_requests_are_due_in_fifteen_working_days_and_counted_until_closed(
    database: Database, kv: KV, media_dir: Path
) -> None:
    seeded = seed(database, kv, media_dir)
    with database.session() as s:
        concern = concerns.concern_for_secret(s, ticket=seeded.web, secret=seeded.web_secret, pepper=PEPPER)
        made = privacy.submit_request(s, kind="erase", contact="13912345678", message="请删除", concern=concern)
        privacy.submit_request(s, kind="copy", contact="微信", message="", openid=PARENT)
        request_id = made.id
        # Monday 23 November 2026 + 15 working days (no holiday in between): Monday 14 December
        assert made.due_on.isoformat() == "2026-12-14"
        with pytest.raises(privacy.RequestRefused):
            privacy.submit_request(s, kind="delete-everything", contact="x", message="", openid=PARENT)
        with pytest.raises(privacy.RequestRefused):
            privacy.submit_request(s, kind="copy", contact="x", message="")
    with database.session() as s:
        assert privacy.open_count(s) == 2
        assert [r.state for r in privacy.requests(s)] == ["open", "open"]
        privacy.close_request(s, request_id, "已删除联系电话13912345678。", actor="office:admin")
        privacy.close_request(s, request_id, "again", actor="office:admin")  # closing twice changes nothing
    with database.session() as s:
        assert privacy.open_count(s) == 1
        assert s.scalar(select(func.count()).where(AuditEvent.action == "privacy.request_closed")) == 1
        assert s.scalar(select(func.count()).where(AuditEvent.action == "privacy.requested")) == 2
        # the append-only log never holds whom a request is about, nor a phone typed in it or in its outcome
        logged = s.scalars(select(AuditEvent.detail).where(AuditEvent.action.like("privacy.%"))).all()
        assert logged and not any(PARENT in str(d) or "13912345678" in str(d) for d in logged)


def test_the_privacy_link_is_a_form_link_naming_its_openid_for_thirty_days(clock: SettableClock) -> None:
    now = clock.now()
    url = privacy.link_url(PEPPER, "https://dudao.example.cn/", PARENT, now)
    assert url.startswith("https://dudao.example.cn/privacy?k=")
    token = url.partition("?k=")[2]

    def opened(at: timedelta, secret: str = PEPPER, value: str = token) -> str:
        return privacy.linked_openid(form_links.verify(secret, value, now=now + at, prefix=privacy.LINK_KIND))

    assert opened(timedelta(days=29)) == PARENT
    with pytest.raises(form_links.LinkRefused, match="expired"):
        opened(timedelta(days=30, seconds=1))
    with pytest.raises(form_links.LinkRefused, match="tampered"):
        opened(timedelta(0), secret="another-key")
    with pytest.raises(form_links.LinkRefused, match="tampered"):  # a task's check link opens no privacy form
        other = form_links.sign(PEPPER, openid=PARENT, subject="task_check:1", expires_at=now + timedelta(days=1))
        opened(timedelta(0), value=other)
    with pytest.raises(form_links.LinkRefused, match="tampered"):
        other = form_links.sign(PEPPER, openid=OTHER, subject="privacy:7", expires_at=now + timedelta(days=1))
        opened(timedelta(0), value=other)
    with pytest.raises(form_links.LinkRefused, match="tampered"):
        opened(timedelta(0), value="garbage")


def test_office_input_names_a_person_or_is_refused() -> None:
    assert privacy.person_from(PARENT, "139 1234 5678") == privacy.Person(openid=PARENT, phone="13912345678")
    for openid, phone in (("", ""), ("o'; drop table concern;--", ""), ("", "12345")):
        with pytest.raises(privacy.RequestRefused):
            privacy.person_from(openid, phone)
