"""The rectification lifecycle on SQLite and PostgreSQL: issue, sign, report, re-inspect, reopen, close, extend.

`seed_county` and `Seeded` are shared by the other rectification and escalation tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.domain.calendar import SHANGHAI
from backend.domain.kinds import Role
from backend.services import rectifications as rect
from backend.services.calendar import load_official_calendar
from backend.store.db import Database
from backend.store.models import (
    AuditEvent,
    Media,
    OutboxMessage,
    Rectification,
    Visit,
    WechatIdentity,
)
from tests.builders import County

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)  # no holiday near: plain working weeks
DEADLINE = date(2026, 12, 4)  # the Friday of the following week
UNIT_OPENID = "o_unit_contact_01"
UNIT_OPENID_2 = "o_unit_contact_02"
SUPERIOR_OPENID = "o_superior_contact"
INSPECTOR_OPENID = "o_inspector_01"
OFFICE_OPENID = "o_office_admin_1"


@dataclass(frozen=True)
class Seeded:
    authority_id: int
    unit_id: int
    superior_id: int
    inspector_id: int
    unit_code: str


def seed_county(db: Database, *, contacts: tuple[str, ...] = (UNIT_OPENID,)) -> Seeded:
    """A school under a township, its inspector, bound contacts for each, the office, the official calendar."""
    with db.session() as session:
        county = County(session)
        load_official_calendar(session)
        zone = county.zone("城关督学责任区")
        superior = county.unit("9999010001", "城关镇人民政府", "township")
        unit = county.school("2199010001", "城关第一小学", zone=zone, superior_unit_id=superior.id)
        inspector = county.inspector("DX001", "王建国", "13800000001")
        county.assign(inspector, unit)
        for openid in contacts:
            county.contact(openid, Role.UNIT, unit_id=unit.id)
        county.contact(SUPERIOR_OPENID, Role.UNIT, unit_id=superior.id)
        county.contact(INSPECTOR_OPENID, Role.INSPECTOR, inspector_id=inspector.id)
        county.contact(OFFICE_OPENID, Role.OFFICE)
        return Seeded(county.authority.id, unit.id, superior.id, inspector.id, unit.code)


def propose_one(
    session: Session,
    seeded: Seeded,
    *,
    deadline: date = DEADLINE,
    now: datetime = MONDAY,
    urgent: bool = False,
    item: str = "6",
    problem: str = "消防通道堆放杂物",
    requirement: str = "立即清理消防通道，建立每日巡查制度",
) -> Rectification:
    """A draft the inspector proposed: numbered, not yet issued to the unit."""
    return rect.propose_rectification(
        session,
        authority_id=seeded.authority_id,
        unit_id=seeded.unit_id,
        inspector_id=seeded.inspector_id,
        visit_id=None,
        item=item,
        problem=problem,
        requirement=requirement,
        deadline=deadline,
        urgent=urgent,
        actor=f"inspector:{seeded.inspector_id}",
        now=now,
    )


def issue_one(
    db: Database, seeded: Seeded, *, deadline: date = DEADLINE, now: datetime = MONDAY, urgent: bool = False
) -> int:
    with db.session() as session:
        row = propose_one(session, seeded, deadline=deadline, now=now, urgent=urgent)
        rect.issue_rectification(session, row.id, actor=f"inspector:{seeded.inspector_id}", now=now)
        return row.id


def pushes(db: Database, openid: str | None = None) -> list[OutboxMessage]:
    with db.session() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if openid:
            query = query.where(OutboxMessage.openid == openid)
        return list(session.scalars(query))


def actions(db: Database, item_id: int) -> list[str]:
    with db.session() as session:
        return [e.action for e in rect.history(session, item_id)]


def item(db: Database, item_id: int) -> Rectification:
    with db.session() as session:
        found = session.get(Rectification, item_id)
        assert found is not None
        session.expunge(found)
        return found


# --- tests ---


def test_a_proposal_is_a_numbered_draft_and_issuing_queues_the_notice(database: Database) -> None:
    seeded = seed_county(database, contacts=(UNIT_OPENID, UNIT_OPENID_2))
    with database.session() as session:
        draft = rect.propose_rectification(
            session,
            authority_id=seeded.authority_id,
            unit_id=seeded.unit_id,
            inspector_id=seeded.inspector_id,
            visit_id=None,
            item="7",
            problem="食堂留样记录不全",
            requirement="补齐留样记录",
            deadline=DEADLINE,
            urgent=False,
            actor="inspector:1",
            now=MONDAY,
        )
        assert draft.state == "draft" and draft.number == f"ZG-2026-{draft.id:06d}"
        assert session.scalars(select(OutboxMessage)).all() == []  # a draft tells nobody
        rect.issue_rectification(session, draft.id, actor="inspector:1", now=MONDAY)
        number = draft.number

    issued = item(database, draft.id)
    assert issued.state == "issued" and issued.issued_at == MONDAY
    rows = pushes(database)
    assert {r.openid for r in rows} == {UNIT_OPENID, UNIT_OPENID_2}  # each bound contact, once
    assert {r.notice for r in rows} == {"rectification_issued"}
    assert rows[0].kind == "template" and rows[0].payload["fields"]["number"] == number
    assert actions(database, draft.id) == ["rectification.proposed", "rectification.issued"]

    with database.session() as session, pytest.raises(rect.RectificationError):
        rect.issue_rectification(session, draft.id, actor="inspector:1", now=MONDAY)


def test_a_notice_nobody_at_the_unit_can_receive_alerts_the_office_once(database: Database) -> None:
    bound = seed_county(database)
    issue_one(database, bound)
    assert [p.notice for p in pushes(database, OFFICE_OPENID)] == []  # the unit's contact gets it: no alert

    with database.session() as session:  # the contact unbinds: the next notice has nobody to reach
        session.scalars(select(WechatIdentity).where(WechatIdentity.openid == UNIT_OPENID)).one().role = "public"
    item_id = issue_one(database, bound)
    alerts = pushes(database, OFFICE_OPENID)
    assert [p.notice for p in alerts] == ["office_alert"]
    assert item(database, item_id).number in alerts[0].payload["fields"]["subject"]
    assert alerts[0].dedupe_key.startswith(f"rect:{item_id}:unreachable")


def test_sign_report_reopen_report_again_and_close(database: Database) -> None:
    seeded = seed_county(database)
    item_id = issue_one(database, seeded)
    later = MONDAY.replace(hour=15)
    with database.session() as session:
        rect.acknowledge(session, item_id, actor="unit", now=later)
        rect.submit_report(session, item_id, text="已清理", media_ids=["m1", "m2"], actor="unit", now=later)
    with database.session() as session:
        photos = session.scalars(select(Media).where(Media.owner_type == "rectification")).all()
        assert len(photos) == 2 and not any(p.strip_metadata for p in photos)  # staff evidence keeps EXIF
    to_inspector = pushes(database, INSPECTOR_OPENID)
    assert [p.notice for p in to_inspector] == ["rectification_submitted"]

    with database.session() as session:
        done = rect.reinspect(
            session,
            item_id,
            passed=False,
            reason="仍有杂物",
            inspector_id=seeded.inspector_id,
            actor="inspector:1",
            now=later,
        )
        assert done.visit.kind == "follow_up"
    reopened = item(database, item_id)
    assert reopened.state == "reopened" and reopened.deadline == date(2026, 11, 30)  # 5 working days on
    with database.session() as session:
        rect.submit_report(session, item_id, text="已全部清理", actor="unit", now=later)
        rect.reinspect(session, item_id, passed=True, inspector_id=seeded.inspector_id, actor="inspector:1", now=later)
    closed = item(database, item_id)
    assert closed.state == "closed" and closed.verified_at == later and closed.closed_at == later
    assert actions(database, item_id) == [
        "rectification.proposed",
        "rectification.issued",
        "rectification.acknowledged",
        "rectification.submitted",
        "rectification.reopened",
        "rectification.submitted",
        "rectification.verified",
        "rectification.closed",
    ]
    # each round's report reached the inspector, each result the unit: once each
    assert len(pushes(database, INSPECTOR_OPENID)) == 2
    assert [p.notice for p in pushes(database, UNIT_OPENID)] == [
        "rectification_issued",
        "reinspection_result",
        "reinspection_result",
    ]
    with database.session() as session:
        assert len(session.scalars(select(Visit)).all()) == 2


def test_an_extension_is_asked_once_and_granted_with_a_new_deadline(database: Database) -> None:
    seeded = seed_county(database)
    item_id = issue_one(database, seeded)
    with database.session() as session:
        request = rect.request_extension(session, item_id, reason="设备未到货", actor="unit", now=MONDAY)
        request_id = request.id
        with pytest.raises(rect.RectificationError):
            rect.request_extension(session, item_id, reason="再问一次", actor="unit", now=MONDAY)
    with database.session() as session:
        rect.decide_extension(
            session, request_id, grant=True, new_deadline=date(2026, 12, 11), actor="inspector:1", now=MONDAY
        )
    assert item(database, item_id).deadline == date(2026, 12, 11)
    assert "rectification.extension_granted" in actions(database, item_id)
    with database.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "rectification.extension_granted")).one()
        assert event.detail["old_deadline"] == "2026-12-04" and event.detail["deadline"] == "2026-12-11"
