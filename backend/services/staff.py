"""The inspectors' appointments: 停聘 (suspended) and 解聘 (dismissed), and reinstating one.

Ending an appointment ends the inspector's current assignments on that day (the history is kept), so their schools
show as without an inspector on the dashboard and the boards list until the office names another; the inspector's
WeChat binding stays, and the bot tells them kindly that they can no longer record visits. Each use case commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.domain.calendar import local_date
from backend.domain.errors import DomainError
from backend.domain.kinds import EndOfAppointment
from backend.services.audit import record
from backend.services.rule_sql import OPEN_CONCERN, OPEN_RECTIFICATION
from backend.store.db import session_now
from backend.store.models import Assignment, Concern, Inspector, Rectification, Unit, Zone

REASON_LIMIT = 500


@dataclass(frozen=True)
class Ended:
    """What ending an appointment left for the office to do."""

    name: str
    kind: EndOfAppointment
    on: date
    schools: list[str]  # the names of the schools now without a responsible inspector
    open_concerns: int  # still in the inspector's hands: to be handed to someone else
    open_rectifications: int
    zones_led: list[str]  # zones whose leader they were (now without one)


def _inspector(session: Session, authority_id: int, number: str) -> Inspector:
    found = session.scalar(select(Inspector).where(Inspector.authority_id == authority_id, Inspector.number == number))
    if found is None:
        raise DomainError("staff.error.unknown", number=number)
    return found


def end_appointment(
    session: Session,
    authority_id: int,
    number: str,
    kind: EndOfAppointment,
    *,
    reason: str,
    actor: str,
    on: date | None = None,
) -> Ended:
    """停聘 or 解聘 `number` from `on` (today by default; never a future day, never before the appointment)."""
    inspector = _inspector(session, authority_id, number)
    today = local_date(session_now(session))
    on = on or today
    reason = reason.strip()
    if not inspector.active:
        raise DomainError("staff.error.already_ended", name=inspector.name)
    if not reason:
        raise DomainError("staff.error.reason_needed")
    if len(reason) > REASON_LIMIT:
        raise DomainError("staff.error.reason_long", limit=REASON_LIMIT)
    if on > today:
        raise DomainError("staff.error.future", day=on.isoformat())
    if inspector.appointed_on is not None and on < inspector.appointed_on:
        raise DomainError("staff.error.before_appointment", day=inspector.appointed_on.isoformat())
    current = session.execute(
        select(Assignment, Unit.name)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(Assignment.inspector_id == inspector.id, Assignment.ends_on.is_(None))
        .order_by(Unit.code)
    ).all()
    for assignment, _name in current:
        assignment.ends_on = max(on, assignment.starts_on)
    led = list(session.scalars(select(Zone).where(Zone.leader_inspector_id == inspector.id).order_by(Zone.name)))
    for zone in led:
        zone.leader_inspector_id = None
    inspector.active = False
    inspector.ended_kind, inspector.ended_on, inspector.ended_reason = kind.value, on, reason
    open_concerns = session.scalar(
        select(func.count(Concern.id)).where(Concern.inspector_id == inspector.id, Concern.state.in_(OPEN_CONCERN))
    )
    open_rectifications = session.scalar(
        select(func.count(Rectification.id)).where(
            Rectification.inspector_id == inspector.id, Rectification.state.in_(OPEN_RECTIFICATION)
        )
    )
    ended = Ended(
        name=inspector.name,
        kind=kind,
        on=on,
        schools=[name for _a, name in current],
        open_concerns=open_concerns or 0,
        open_rectifications=open_rectifications or 0,
        zones_led=[zone.name for zone in led],
    )
    record(
        session,
        actor,
        f"inspector.{kind.value}",
        "inspector",
        inspector.id,
        on=on.isoformat(),
        reason=reason,
        released_units=[a.unit_id for a, _n in current],
        zones_led=ended.zones_led,
    )
    session.commit()
    return ended


def reinstate(session: Session, authority_id: int, number: str, *, actor: str) -> str:
    """恢复聘任: the inspector serves again (their schools are not given back: the office assigns them). Commits."""
    inspector = _inspector(session, authority_id, number)
    if inspector.active:
        raise DomainError("staff.error.serving", name=inspector.name)
    before = {"kind": inspector.ended_kind, "on": inspector.ended_on.isoformat() if inspector.ended_on else None}
    inspector.active, inspector.ended_kind, inspector.ended_on, inspector.ended_reason = True, "", None, ""
    record(session, actor, "inspector.reinstated", "inspector", inspector.id, before=before)
    session.commit()
    return inspector.name
