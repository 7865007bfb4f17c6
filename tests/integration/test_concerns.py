"""Public concerns in the services: one concern per burst of messages, routing, duplicates, abuse limits,
reminders and escalation exactly once — on SQLite + memory and PostgreSQL + Redis."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from backend.domain.kinds import Role
from backend.kv import KV
from backend.services import concerns
from backend.services.concerns import Intake
from backend.store.db import Database
from backend.store.models import (
    AuditEvent,
    Concern,
    Inspector,
    OutboxMessage,
    Unit,
    WechatIdentity,
    Zone,
)
from tests.builders import County

# Monday 23 November 2026, 10:00 in Shanghai
MONDAY = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def seed(db: Database, *, with_inspector: bool = True, leader: bool = True) -> dict[str, int]:
    with db.session() as s:
        county = County(s)
        zone = county.zone("城关督学责任区")
        unit = county.school("3607010001", "城关第一小学", zone=zone)
        wang = county.inspector("DX001", "王建国", "13800000001")
        zhao = county.inspector("DX002", "赵组长", "13800000002")
        if with_inspector:
            county.assign(wang, unit)
        if leader:
            zone.leader_inspector_id = zhao.id
        county.contact("o-wang", Role.INSPECTOR, inspector_id=wang.id)
        county.contact("o-zhao", Role.INSPECTOR, inspector_id=zhao.id)
        county.contact("o-office", Role.OFFICE)
        county.contact("o-head", Role.UNIT, unit_id=unit.id)
        county.contact("o-parent", last_scanned_unit_id=unit.id, last_scanned_at=MONDAY - timedelta(minutes=1))
        s.flush()
        return {"unit": unit.id, "wang": wang.id, "zhao": zhao.id}


def receive(
    db: Database,
    kv: KV,
    text: str = "",
    *,
    kind: str = "text",
    media_id: str = "",
    at: datetime = MONDAY,
    openid: str = "o-parent",
) -> concerns.Received:
    with db.session() as s:
        return concerns.receive(s, kv, openid=openid, kind=kind, text=text, media_id=media_id, now=at)


def outbox_to(db: Database, openid: str) -> list[OutboxMessage]:
    with db.session() as s:
        return list(s.scalars(select(OutboxMessage).where(OutboxMessage.openid == openid).order_by(OutboxMessage.id)))


def test_a_burst_of_messages_is_one_concern_with_deadlines_in_working_days(database: Database, kv: KV) -> None:
    seed(database)
    first = receive(database, kv, "孩子说最近中午经常吃不饱，分量越来越少")
    assert first.outcome is Intake.OPENED and first.concern is not None and not first.category_inferred
    assert first.concern.ticket_no == "T2611-0001"
    for n in range(1, 4):
        more = receive(database, kv, kind="image", media_id=f"m{n}", at=MONDAY + timedelta(minutes=n))
        assert more.outcome is Intake.APPENDED and more.concern is not None and more.concern.photos == n
    assert receive(database, kv, "而且饭是凉的", at=MONDAY + timedelta(minutes=9)).outcome is Intake.APPENDED
    with database.session() as s:
        concern = s.scalars(select(Concern)).one()
        assert concern.content == "孩子说最近中午经常吃不饱，分量越来越少\n而且饭是凉的"
        assert (concern.ack_due_on, concern.answer_due_on) == (date(2026, 11, 24), date(2026, 11, 30))
        assert concern.notified_at is None  # waiting for the category
    # 20 minutes after the last message a new message opens a new concern
    later = receive(database, kv, "另外学校门口没有护学岗", at=MONDAY + timedelta(minutes=30))
    assert later.outcome is Intake.OPENED and later.concern is not None
    assert later.concern.ticket_no == "T2611-0002" and later.category_inferred is False


def test_nine_photos_at_most(database: Database, kv: KV) -> None:
    seed(database)
    receive(database, kv, "学校操场的围墙有裂缝，存在安全隐患")
    outcomes = [
        receive(database, kv, kind="image", media_id=f"p{n}", at=MONDAY + timedelta(seconds=n)).outcome
        for n in range(10)
    ]
    assert outcomes == [Intake.APPENDED] * 9 + [Intake.TOO_MANY_PHOTOS]


def test_the_category_routes_to_the_inspector_and_the_school_hears_nothing(database: Database, kv: KV) -> None:
    seed(database)
    receive(database, kv, "孩子说最近中午经常吃不饱")
    with database.session() as s:
        chosen = concerns.choose_category(s, openid="o-parent", number="7", now=MONDAY + timedelta(minutes=2))
    assert chosen.routed and chosen.concern is not None and chosen.concern.category_name == "食堂、食品、饮水及宿舍卫生"
    (notice,) = outbox_to(database, "o-wang")
    assert notice.kind == "template" and notice.notice == "concern_received"  # Wang never wrote: no 48 h window
    assert notice.payload["fields"]["ticket_no"] == "T2611-0001"
    assert outbox_to(database, "o-head") == [] and outbox_to(database, "o-zhao") == []


def test_without_an_inspector_the_zone_leader_then_without_a_leader_the_office(database: Database, kv: KV) -> None:
    seed(database, with_inspector=False)
    receive(database, kv, "学校食堂的饭菜有异味，孩子吃了肚子疼")
    assert [m.notice for m in outbox_to(database, "o-zhao")] == ["concern_received"]
    with database.session() as s:
        s.execute(update(Zone).values(leader_inspector_id=None))
        s.add(WechatIdentity(openid="o-other", last_scanned_unit_id=s.scalar(select(Unit.id)), last_scanned_at=MONDAY))
    receive(database, kv, "宿舍卫生很差，被褥潮湿，多久没有晾晒了", openid="o-other")
    assert [m.notice for m in outbox_to(database, "o-office")] == ["concern_received"]
    with database.session() as s:
        assert sorted(s.scalars(select(Concern.routed_to))) == ["office", "zone_leader"]


def test_a_similar_concern_is_linked_for_the_inspector_and_its_sender_hears_nothing_of_the_other(
    database: Database, kv: KV
) -> None:
    seed(database)
    receive(database, kv, "学校食堂的饭菜里有虫子，孩子不敢吃")
    with database.session() as s:
        s.add(WechatIdentity(openid="o-other", last_scanned_unit_id=s.scalar(select(Unit.id)), last_scanned_at=MONDAY))
        s.scalars(select(WechatIdentity).where(WechatIdentity.openid == "o-wang")).one().last_inbound_at = MONDAY
    second = receive(database, kv, "食堂饭菜里有虫子！孩子都不敢吃了", openid="o-other", at=MONDAY + timedelta(hours=2))
    # the sender sees their own concern, routed like any other: nothing of the first one
    assert second.concern is not None and second.concern.ticket_no == "T2611-0002"
    assert second.concern.duplicate_of is None and second.concern.state == "received" and second.routed
    with database.session() as s:
        linked = s.scalars(select(Concern).where(Concern.ticket_no == "T2611-0002")).one()
        first_id = s.scalar(select(Concern.id).where(Concern.ticket_no == "T2611-0001"))
        assert linked.duplicate_of_id == first_id  # the link is kept, for the inspector and the office
    told = outbox_to(database, "o-wang")
    assert len(told) == 2 and "T2611-0001" in told[1].payload["content"]  # the inspector reads the link
    assert all("T2611-0001" not in str(m.payload) for m in outbox_to(database, "o-other"))
    different = receive(database, kv, "食堂饮水机很久没有换滤芯了", openid="o-other", at=MONDAY + timedelta(hours=3))
    assert different.concern is not None and different.concern.duplicate_of is None
    with database.session() as s:
        assert s.scalars(select(Concern).where(Concern.ticket_no == "T2611-0003")).one().duplicate_of_id is None


def test_the_daily_limit_and_the_block_list(database: Database, kv: KV) -> None:
    seed(database)
    outcomes = [
        receive(database, kv, f"第{n}件事情：学校门口交通混乱{n}", at=MONDAY + timedelta(hours=n)).outcome
        for n in range(concerns.PER_DAY + 1)
    ]
    assert outcomes == [Intake.OPENED] * concerns.PER_DAY + [Intake.RATE_LIMITED]
    with database.session() as s:
        assert concerns.set_blocked(s, "o-parent", True, actor="office:test")
    with database.session() as s:
        count_before = s.scalar(select(func.count(Concern.id)))
    blocked = receive(database, kv, "又一件事情需要反映一下", at=MONDAY + timedelta(days=1))
    assert blocked.outcome is Intake.BLOCKED
    with database.session() as s:
        assert s.scalar(select(func.count(Concern.id))) == count_before  # nothing recorded
        actions = list(s.scalars(select(AuditEvent.action)))
        assert "concern.refused_blocked" in actions and "concern.reporter_blocked" in actions
        assert concerns.blocked_openids(s) == ["o-parent"]


def test_the_inspector_handles_it_and_the_reporter_is_told(database: Database, kv: KV) -> None:
    ids = seed(database)
    receive(database, kv, "学校食堂的饭菜有异味，孩子吃了肚子疼")
    with database.session() as s:
        identity = s.scalars(select(WechatIdentity).where(WechatIdentity.openid == "o-parent")).one()
        identity.last_inbound_at = MONDAY
    with database.session() as s:
        concerns.acknowledge(s, "t2611-0001", actor="inspector", inspector_id=ids["wang"])
    with database.session() as s, pytest.raises(concerns.NotPermitted):
        concerns.answer(s, "T2611-0001", "不关我的事", actor="inspector", inspector_id=ids["zhao"])
    with database.session() as s:
        done = concerns.answer(s, "T2611-0001", "已核实并整改", actor="inspector", inspector_id=ids["wang"])
    assert done.state == "answered" and done.answer == "已核实并整改"
    told = outbox_to(database, "o-parent")
    assert [m.notice for m in told] == ["concern_acknowledged", "concern_answered"]
    assert "已核实并整改" in told[1].payload.get("content", "")
    with database.session() as s:
        mine = concerns.reporter_concerns(s, "o-parent")
        assert mine[0].answer == "已核实并整改" and mine[0].phone is None


def test_reminder_then_zone_leader_then_office_each_once(database: Database, kv: KV) -> None:
    seed(database)
    receive(database, kv, "学校食堂的饭菜有异味，孩子吃了肚子疼")  # ack due Tue 24, answer due Mon 30

    def sweep(at: datetime) -> dict[str, int]:
        with database.session() as s:
            return concerns.sweep(s, at)

    tuesday = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    assert sweep(tuesday)["reminded"] == 1
    assert sweep(tuesday + timedelta(hours=2))["reminded"] == 0  # once
    wednesday = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    assert sweep(wednesday)["escalated"] == 1
    assert sweep(wednesday + timedelta(hours=3))["escalated"] == 0
    assert [m.notice for m in outbox_to(database, "o-zhao")] == ["concern_overdue"]
    assert outbox_to(database, "o-office") == []
    # the zone leader has two working days (Wed 25, Thu 26); from Friday on: the office
    assert sweep(datetime(2026, 11, 26, 1, 0, tzinfo=UTC))["escalated"] == 0
    assert sweep(datetime(2026, 11, 27, 1, 0, tzinfo=UTC))["escalated"] == 1
    assert sweep(datetime(2026, 11, 30, 1, 0, tzinfo=UTC))["escalated"] == 0
    assert [m.notice for m in outbox_to(database, "o-office")] == ["concern_overdue"]
    with database.session() as s:
        assert s.scalar(select(Concern.escalation_level)) == 2
        # the zone leader may now act on it
        zhao = s.scalar(select(Inspector.id).where(Inspector.number == "DX002"))
        assert zhao is not None
        assert [c.ticket_no for c in concerns.inspector_concerns(s, zhao)] == ["T2611-0001"]


def test_the_web_form_concern_and_its_status_page_secret(database: Database, kv: KV, tmp_path: object) -> None:
    from pathlib import Path

    seed(database)
    with database.session() as s:
        done = concerns.submit_from_web(
            s,
            kv,
            Path(str(tmp_path)),
            school_code="3607010001",
            content="校门口早上接送车辆乱停，很危险",
            category=None,
            phone="13912345678",
            photos=[],
            client_key="ip-1",
            pepper="pepper",
            now=MONDAY,
        )
    assert done.ticket_no == "T2611-0001" and len(done.secret) == 8
    with database.session() as s:
        shown = concerns.status_for_public(
            s, ticket=done.ticket_no.lower(), secret=done.secret.lower(), pepper="pepper"
        )
        assert shown.category == "6" and shown.phone is None
        with pytest.raises(concerns.NotFound):
            concerns.status_for_public(s, ticket=done.ticket_no, secret="WRONG123", pepper="pepper")
    (notice,) = outbox_to(database, "o-wang")
    assert notice.notice == "concern_received" and "13912345678" not in str(notice.payload)  # a template: no phone
    with database.session() as s:
        wang = s.scalar(select(Inspector.id).where(Inspector.number == "DX001"))
        assert wang is not None
        # the inspector sees the phone the reporter chose to give, when they open the concern
        assert concerns.detail_for_inspector(s, wang, done.ticket_no).phone == "13912345678"
