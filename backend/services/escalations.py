"""The escalation ladder: 督办通知 (automatic) → 约谈 (proposed, the office confirms and records) → 通报 → 问责.

An overdue item gets a 督办通知 with a new deadline (`Authority.supervision_notice_working_days`), sent to the unit
AND its superior. Still overdue after that deadline: a 约谈 is proposed to the office, which records it (time,
attendees, what was said, commitments; filed with the superior) and sets the next deadline. Still overdue: a 通报
is proposed; the office confirms and publishes it. 问责 is recorded by the office after its fact-finding, with
基本情况, 问责事实, 问责依据, 问责方式, 生效时间; a unit held accountable twice within a year is flagged for
heavier handling. Use cases do not commit; every rung is an `Escalation` row (one per item and level), an
audit event and a numbered paper in the register (督办通知书, 约谈记录, 督导通报, 问责决定（建议）书:
`backend.services.document_kinds`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.domain import rectification as rules
from backend.domain.calendar import local_date
from backend.domain.kinds import EscalationLevel, EscalationState
from backend.services import document_kinds, notices
from backend.services.calendar import working_calendar
from backend.services.rectifications import (
    RectificationError,
    audit,
    fields_of,
    get,
    local_stamp,
    unit_name,
)
from backend.store.db import session_now
from backend.store.models import Authority, Escalation, Rectification, Unit
from messages import t

L = EscalationLevel


def _superior_openids(session: Session, unit_id: int) -> tuple[int | None, list[str]]:
    unit = session.get(Unit, unit_id)
    superior = unit.superior_unit_id if unit else None
    return superior, ([] if superior is None else notices.openids_of_unit(session, superior))


def _tell_unit_and_superior(
    session: Session, item: Rectification, *, text: str, fields: dict[str, Any], key: str, now: datetime
) -> None:
    """The same supervision notice to the unit's contacts and to its superior's, each once (`<key>:unit|superior`)."""
    _superior, superior_openids = _superior_openids(session, item.unit_id)
    for who, openids in (("unit", notices.openids_of_unit(session, item.unit_id)), ("superior", superior_openids)):
        notices.notify(
            session, openids, notice="supervision_notice", text=text, fields=fields, dedupe_key=f"{key}:{who}", now=now
        )


def _new_deadline(session: Session, item: Rectification, today: date) -> date:
    authority = session.get(Authority, item.authority_id)
    days = authority.supervision_notice_working_days if authority else 5
    return working_calendar(session).add_working_days(today, days)


def existing(session: Session, rectification_id: int, level: EscalationLevel) -> Escalation | None:
    query = select(Escalation).where(Escalation.rectification_id == rectification_id, Escalation.level == level.value)
    return session.scalar(query)


def escalate_if_overdue(session: Session, item: Rectification, *, now: datetime) -> str | None:
    """The sweep's rung for one item: send the 督办通知 or propose the next rung; the level acted on, if any."""
    today = local_date(now)
    rung = rules.rung_due(state=item.state, deadline=item.deadline, level=item.level, today=today)
    if rung is None or existing(session, item.id, rung) is not None:
        return None
    if rung is L.SUPERVISION_NOTICE:
        supervise(session, item, now=now)
    else:
        propose(session, item, rung, now=now)
    return rung.value


def _taken(
    item: Rectification, level: EscalationLevel, *, actor: str, now: datetime, record: dict[str, Any]
) -> Escalation:
    """A rung taken at once (督办, 问责): proposed and confirmed at the same moment."""
    return Escalation(
        rectification_id=item.id,
        unit_id=item.unit_id,
        level=level.value,
        state=EscalationState.CONFIRMED.value,
        proposed_at=now,
        confirmed_at=now,
        confirmed_by=actor,
        record=record,
    )


def supervise(session: Session, item: Rectification, *, now: datetime, actor: str = "system") -> Escalation:
    """督办通知: a new deadline, to the unit and its superior."""
    today = local_date(now)
    old_deadline, new_deadline = item.deadline, _new_deadline(session, item, today)
    row = _taken(item, L.SUPERVISION_NOTICE, actor=actor, now=now, record={"old_deadline": old_deadline.isoformat()})
    row.new_deadline = new_deadline
    session.add(row)
    item.deadline, item.level = new_deadline, rules.LEVEL_NUMBER[L.SUPERVISION_NOTICE]
    document_kinds.issue_for_escalation(session, item, row, actor=actor, now=now)  # 督办通知书, registered
    superior, superior_openids = _superior_openids(session, item.unit_id)
    fields = fields_of(session, item, old_deadline=old_deadline.isoformat())
    key = f"rect:{item.id}:supervision:{old_deadline.isoformat()}"
    sent = notices.notify(
        session,
        notices.openids_of_unit(session, item.unit_id),
        notice="supervision_notice",
        text=t("rect.notice.supervision", **fields),
        fields=fields,
        dedupe_key=key,
        now=now,
    )
    sent += notices.notify(
        session,
        superior_openids,
        notice="supervision_notice",
        text=t("rect.notice.supervision_superior", superior=unit_name(session, superior), **fields),
        fields=fields,
        dedupe_key=f"{key}:superior",
        now=now,
    )
    session.flush()
    audit(
        session,
        item,
        actor=actor,
        action="rectification.supervised",
        now=now,
        escalation_id=row.id,
        old_deadline=old_deadline.isoformat(),
        deadline=new_deadline.isoformat(),
        superior_unit_id=superior,
        pushes=sent,
    )
    return row


def propose(session: Session, item: Rectification, level: EscalationLevel, *, now: datetime) -> Escalation:
    """A rung for the office to confirm (约谈, 通报), with an alert to the office."""
    row = Escalation(
        rectification_id=item.id,
        unit_id=item.unit_id,
        level=level.value,
        state=EscalationState.PROPOSED.value,
        proposed_at=now,
        record={"deadline_missed": item.deadline.isoformat()},
    )
    session.add(row)
    session.flush()
    key = "rect.notice.talk_proposed" if level is L.TALK else "rect.notice.circular_proposed"
    fields = fields_of(session, item)
    notices.notify(
        session,
        notices.openids_of_office(session),
        notice="office_alert",
        text=t(key, **fields),
        fields={
            "subject": t(f"rect.level.{level.value}"),
            "detail": f"{item.number} {fields['unit']}",
            "at": local_stamp(now),
        },
        dedupe_key=f"rect:{item.id}:proposed:{level.value}",
        now=now,
    )
    audit(session, item, actor="system", action=f"escalation.{level.value}.proposed", now=now, escalation_id=row.id)
    return row


def pending(session: Session) -> list[Escalation]:
    """What waits for the office: proposed 约谈 and 通报."""
    query = select(Escalation).where(Escalation.state == EscalationState.PROPOSED.value).order_by(Escalation.id)
    return list(session.scalars(query))


def _required(record: dict[str, Any], names: tuple[str, ...]) -> None:
    missing = [n for n in names if not str(record.get(n, "")).strip()]
    if missing:
        raise RectificationError("rect.error.record_missing", fields=", ".join(missing))


@dataclass(frozen=True)
class Announced:
    """What the unit and its superior are told when the office takes a rung, and how it is audited."""

    notice: str
    fields: tuple[str, ...]  # taken from the rung's record
    action: str
    once_per_item: bool = False  # the dedupe key names the item only, not the rung's row


ANNOUNCED: dict[EscalationLevel, Announced] = {
    L.TALK: Announced("rect.notice.talk_held", rules.TALK_FIELDS, "escalation.talk.confirmed"),
    L.CIRCULAR: Announced("rect.notice.circular", ("text",), "escalation.circular.confirmed"),
    L.ACCOUNTABILITY: Announced(
        "rect.notice.accountability", rules.ACCOUNTABILITY_FIELDS, "escalation.accountability.recorded", True
    ),
}


def _announce(
    session: Session, item: Rectification, row: Escalation, *, actor: str, now: datetime, **detail: Any
) -> None:
    """A rung the office took (约谈, 通报, 问责): its paper issued, told to the unit and its superior, and audited
    with its record."""
    level = L(row.level)
    how = ANNOUNCED[level]
    document_kinds.issue_for_escalation(session, item, row, actor=actor, now=now)  # its paper, registered
    key = f"rect:{item.id}:{level.value}" + ("" if how.once_per_item else f":{row.id}")
    shown = fields_of(session, item, **{k: row.record.get(k, "") for k in how.fields})
    _tell_unit_and_superior(session, item, text=t(how.notice, **shown), fields=shown, key=key, now=now)
    audit(session, item, actor=actor, action=how.action, now=now, escalation_id=row.id, record=row.record, **detail)


def _proposed(session: Session, escalation_id: int, level: EscalationLevel) -> tuple[Escalation, Rectification]:
    row = session.get(Escalation, escalation_id)
    if row is None or row.level != level.value or row.state != EscalationState.PROPOSED.value:
        raise RectificationError("rect.error.escalation_done")
    return row, get(session, row.rectification_id)


def confirm_talk(
    session: Session,
    escalation_id: int,
    *,
    record: dict[str, Any],
    actor: str,
    new_deadline: date | None = None,
    now: datetime | None = None,
) -> Escalation:
    """The office held the 约谈: its record is kept and filed with the superior, and a new deadline set."""
    now = now or session_now(session)
    _required(record, rules.TALK_FIELDS)
    row, item = _proposed(session, escalation_id, L.TALK)
    new_deadline = new_deadline or _new_deadline(session, item, local_date(now))
    if new_deadline < local_date(now):
        raise RectificationError("rect.error.deadline_past")
    old_deadline = item.deadline
    row.state, row.confirmed_at, row.confirmed_by = EscalationState.CONFIRMED.value, now, actor
    row.new_deadline = new_deadline
    if rules.S(item.state) in rules.AWAITING_UNIT:
        item.deadline = new_deadline
    item.level = max(item.level, rules.LEVEL_NUMBER[L.TALK])
    superior, _openids = _superior_openids(session, item.unit_id)
    # a new dict, not an edit in place: the JSON column notices only assignment
    row.record = {**row.record, **{k: str(v) for k, v in record.items()}, "filed_with_unit_id": superior}
    deadlines = {"old_deadline": old_deadline.isoformat(), "deadline": item.deadline.isoformat()}
    _announce(session, item, row, actor=actor, now=now, **deadlines)
    return row


def confirm_circular(
    session: Session, escalation_id: int, *, record: dict[str, Any], actor: str, now: datetime | None = None
) -> Escalation:
    """The office confirms the 通报: it is published (the API lists it) and sent to the unit and its superior."""
    now = now or session_now(session)
    row, item = _proposed(session, escalation_id, L.CIRCULAR)
    published = {"published_at": local_stamp(now), "scope": "", "text": "", **{k: str(v) for k, v in record.items()}}
    row.state, row.confirmed_at, row.confirmed_by = EscalationState.CONFIRMED.value, now, actor
    row.record = {**row.record, **published, "published": True}
    item.level = max(item.level, rules.LEVEL_NUMBER[L.CIRCULAR])
    _announce(session, item, row, actor=actor, now=now)
    return row


def decline(
    session: Session, escalation_id: int, *, reason: str, actor: str, now: datetime | None = None
) -> Escalation:
    """The office does not take up a proposed rung (e.g. the unit has just reported)."""
    now = now or session_now(session)
    row = session.get(Escalation, escalation_id)
    if row is None or row.state != EscalationState.PROPOSED.value:
        raise RectificationError("rect.error.escalation_done")
    item = get(session, row.rectification_id)
    row.state, row.confirmed_at, row.confirmed_by = EscalationState.DECLINED.value, now, actor
    row.record = {**row.record, "declined_because": reason}
    audit(
        session,
        item,
        actor=actor,
        action=f"escalation.{row.level}.declined",
        now=now,
        escalation_id=row.id,
        reason=reason,
    )
    return row


@dataclass(frozen=True)
class Accountability:
    escalation: Escalation
    heavier: bool
    count_within_year: int


def record_accountability(
    session: Session, rectification_id: int, *, record: dict[str, Any], actor: str, now: datetime | None = None
) -> Accountability:
    """问责: the decision's 基本情况, 问责事实, 问责依据, 问责方式, 生效时间; flags a second one within a year."""
    now = now or session_now(session)
    _required(record, rules.ACCOUNTABILITY_FIELDS)
    item = get(session, rectification_id)
    if existing(session, item.id, L.ACCOUNTABILITY) is not None:
        raise RectificationError("rect.error.escalation_done")
    earlier = session.scalars(
        select(Escalation.confirmed_at).where(
            Escalation.unit_id == item.unit_id,
            Escalation.level == L.ACCOUNTABILITY.value,
            Escalation.state == EscalationState.CONFIRMED.value,
        )
    ).all()
    dates = [d for d in earlier if d is not None] + [now]
    heavier = rules.needs_heavier_handling(dates, now)
    count = sum(1 for d in dates if now - d <= rules.HEAVIER_WITHIN)
    kept = {**{k: str(v) for k, v in record.items()}, "heavier_handling": heavier, "within_year": count}
    row = _taken(item, L.ACCOUNTABILITY, actor=actor, now=now, record=kept)
    session.add(row)
    session.flush()
    item.level = rules.LEVEL_NUMBER[L.ACCOUNTABILITY]
    _announce(session, item, row, actor=actor, now=now)
    return Accountability(row, heavier, count)
