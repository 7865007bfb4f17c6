"""The escalation ladder: 督办通知 (automatic) → 约谈 (proposed, the office confirms and records) → 通报 → 问责.

An overdue item gets a 督办通知 with a new deadline (`Authority.supervision_notice_working_days`), sent to the unit
AND its superior. Still overdue after that deadline: a 约谈 is proposed to the office, which records it (time,
attendees, what was said, commitments; filed with the superior) and sets the next deadline. Still overdue: a 通报
is proposed; the office confirms and publishes it. 问责 is recorded by the office after its fact-finding, with
基本情况, 问责事实, 问责依据, 问责方式, 生效时间; a unit held accountable twice within a year is flagged for
heavier handling (the repeat flag, computed or ticked). 问责 may start with its fact-finding
(`start_fact_finding`: due 60 days later, overdue shown to the office); each 约谈 record keeps its 报备 log
(`add_filing`). Use cases do not commit; every rung is an `Escalation` row (one per item and level), an
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
from backend.domain.kinds import EscalationLevel, EscalationState, FilingHow, FilingTo
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
from backend.store.models import Authority, Escalation, EscalationFiling, Rectification, Unit
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
        named = "、".join(t(f"office.record.{n}") for n in missing)
        raise RectificationError("rect.error.record_missing", fields=named)


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


def start_fact_finding(
    session: Session, rectification_id: int, *, started_on: date | None = None, actor: str, now: datetime | None = None
) -> Escalation:
    """问责 begins with a fact-finding (调查核实), to be done within 60 days; the decision follows it."""
    now = now or session_now(session)
    started_on = started_on or local_date(now)
    if started_on > local_date(now):
        raise RectificationError("steps.error.future_date")
    item = get(session, rectification_id)
    if existing(session, item.id, L.ACCOUNTABILITY) is not None:
        raise RectificationError("rect.error.escalation_done")
    row = Escalation(
        rectification_id=item.id,
        unit_id=item.unit_id,
        level=L.ACCOUNTABILITY.value,
        state=EscalationState.INVESTIGATING.value,
        proposed_at=now,
        fact_finding_started_on=started_on,
        fact_finding_due_on=rules.fact_finding_due(started_on),
        record={},
    )
    session.add(row)
    session.flush()
    audit(
        session,
        item,
        actor=actor,
        action="escalation.accountability.fact_finding",
        now=now,
        escalation_id=row.id,
        started_on=started_on.isoformat(),
        due_on=row.fact_finding_due_on.isoformat() if row.fact_finding_due_on else "",
    )
    return row


def fact_findings(session: Session, authority_id: int | None = None) -> list[Escalation]:
    """The 问责 fact-findings still under way, the earliest due first."""
    query = select(Escalation).where(Escalation.state == EscalationState.INVESTIGATING.value)
    if authority_id is not None:
        query = query.join(Rectification, Rectification.id == Escalation.rectification_id).where(
            Rectification.authority_id == authority_id
        )
    return list(session.scalars(query.order_by(Escalation.fact_finding_due_on, Escalation.id)))


@dataclass(frozen=True)
class Repeat:
    """The repeat flag (再次问责): the same unit held to account again, computed or ticked, with why."""

    flagged: bool
    source: str  # computed | ticked | ""
    note: str


def _repeat(
    session: Session, item: Rectification, *, now: datetime, ticked: bool, reason: str
) -> tuple[Repeat, bool, int]:
    earlier = session.execute(
        select(Escalation.confirmed_at, Rectification.number)
        .join(Rectification, Rectification.id == Escalation.rectification_id)
        .where(
            Escalation.unit_id == item.unit_id,
            Escalation.level == L.ACCOUNTABILITY.value,
            Escalation.state == EscalationState.CONFIRMED.value,
            Escalation.rectification_id != item.id,
        )
        .order_by(Escalation.confirmed_at)
    ).all()
    dates = [d for d, _n in earlier if d is not None] + [now]
    heavier = rules.needs_heavier_handling(dates, now)
    count = sum(1 for d in dates if now - d <= rules.HEAVIER_WITHIN)
    if earlier:
        shown = "、".join(f"{number}（{local_stamp(at)[:10]}）" for at, number in earlier if at is not None)
        return Repeat(True, "computed", t("steps.repeat.computed", earlier=shown, count=count)), heavier, count
    if ticked:
        if not reason.strip():
            raise RectificationError("steps.error.repeat_reason")
        return Repeat(True, "ticked", t("steps.repeat.ticked", reason=reason.strip())), heavier, count
    return Repeat(False, "", ""), heavier, count


def record_accountability(
    session: Session,
    rectification_id: int,
    *,
    record: dict[str, Any],
    actor: str,
    now: datetime | None = None,
    repeat: bool = False,
    repeat_reason: str = "",
) -> Accountability:
    """问责: the decision's 基本情况, 问责事实, 问责依据, 问责方式, 生效时间; flags a second one within a year.

    It closes the item's fact-finding when one was started (`start_fact_finding`), or stands alone (the CLI's
    one step). The repeat flag is computed from the unit's earlier 问责, or ticked by the office with a reason
    (one the system does not hold, e.g. by another authority).
    """
    now = now or session_now(session)
    _required(record, rules.ACCOUNTABILITY_FIELDS)
    item = get(session, rectification_id)
    row = existing(session, item.id, L.ACCOUNTABILITY)
    if row is not None and row.state != EscalationState.INVESTIGATING.value:
        raise RectificationError("rect.error.escalation_done")
    flag, heavier, count = _repeat(session, item, now=now, ticked=repeat, reason=repeat_reason)
    kept = {
        **{k: str(v) for k, v in record.items()},
        "heavier_handling": heavier,
        "within_year": count,
        "repeat": flag.flagged,
        "repeat_source": flag.source,
        "repeat_note": flag.note,
    }
    if row is None:
        row = _taken(item, L.ACCOUNTABILITY, actor=actor, now=now, record=kept)
        session.add(row)
    else:
        row.state, row.confirmed_at, row.confirmed_by = EscalationState.CONFIRMED.value, now, actor
        row.record = kept
    session.flush()
    item.level = rules.LEVEL_NUMBER[L.ACCOUNTABILITY]
    _announce(session, item, row, actor=actor, now=now)
    return Accountability(row, heavier, count)


def add_filing(
    session: Session,
    escalation_id: int,
    *,
    to_kind: str,
    to_name: str,
    filed_on: date,
    how: str,
    note: str = "",
    actor: str,
    now: datetime | None = None,
) -> EscalationFiling:
    """报备: the 约谈 record filed with the unit's party committee, government or superior (when, how)."""
    now = now or session_now(session)
    row = session.get(Escalation, escalation_id)
    if row is None or row.level != L.TALK.value or row.state != EscalationState.CONFIRMED.value:
        raise RectificationError("steps.error.filing_talk")
    if to_kind not in {k.value for k in FilingTo} or how not in {h.value for h in FilingHow}:
        raise RectificationError("steps.error.choice")
    to_name = to_name.strip()
    if not to_name or len(to_name) > 100 or len(note) > 2000:
        raise RectificationError("steps.error.filing_to")
    if filed_on > local_date(now):
        raise RectificationError("steps.error.future_date")
    filing = EscalationFiling(
        escalation_id=row.id,
        to_kind=to_kind,
        to_name=to_name,
        filed_on=filed_on,
        how=how,
        note=note.strip(),
        recorded_by=actor,
        recorded_at=now,
    )
    session.add(filing)
    session.flush()
    item = get(session, row.rectification_id)
    audit(
        session,
        item,
        actor=actor,
        action="escalation.talk.filed",
        now=now,
        escalation_id=row.id,
        filing_id=filing.id,
        to_kind=to_kind,
        to_name=to_name,
        filed_on=filed_on.isoformat(),
        how=how,
    )
    return filing


def filings_of(session: Session, escalation_ids: list[int]) -> dict[int, list[EscalationFiling]]:
    """The 报备 of each 约谈 record, in the order they were filed."""
    found: dict[int, list[EscalationFiling]] = {i: [] for i in escalation_ids}
    if escalation_ids:
        query = select(EscalationFiling).where(EscalationFiling.escalation_id.in_(escalation_ids))
        for filing in session.scalars(query.order_by(EscalationFiling.filed_on, EscalationFiling.id)):
            found[filing.escalation_id].append(filing)
    return found
