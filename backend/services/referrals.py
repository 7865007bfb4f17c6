"""移交: the office refers a visit's finding or a concern to another department, then records the department's
receipt (回执) and outcome. Receipts missing after five working days are overdue (`overdue_receipts`).

The reporter stays protected (docs/security.md): a referral carries only what the office writes as the matter,
never the concern's content as sent, its channel or reporter; a matter that contains the reporter's phone or
WeChat id is refused. Use cases do not commit; each writes an audit event on the visit or concern it is about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from backend.domain import referral as rules
from backend.domain.calendar import local_date
from backend.domain.errors import DomainError
from backend.domain.kinds import ReferralState, ReferralSubject
from backend.services.audit import record
from backend.services.calendar import working_calendar
from backend.store.db import session_now
from backend.store.models import Concern, Referral, Visit

DEPARTMENT_MAX = 100
TEXT_MAX = 4000


class ReferralError(DomainError, ValueError):
    """A referral use case refused."""


def _subject(session: Session, subject_type: str, subject_id: int) -> Visit | Concern:
    found: Visit | Concern | None = None
    if subject_type == ReferralSubject.VISIT.value:
        found = session.get(Visit, subject_id)
    elif subject_type == ReferralSubject.CONCERN.value:
        found = session.get(Concern, subject_id)
    if found is None:
        raise ReferralError("steps.error.referral_subject")
    return found


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _names_the_reporter(concern: Concern, matter: str) -> bool:
    phone = _digits(concern.reporter_phone or "")
    return bool(
        (len(phone) >= 7 and phone in _digits(matter))
        or (concern.reporter_openid and concern.reporter_openid in matter)
    )


def _text(value: str, key: str, limit: int = TEXT_MAX) -> str:
    value = value.strip()
    if not value or len(value) > limit:
        raise ReferralError(key, limit=limit)
    return value


def _day(value: date | None, now: datetime) -> date:
    day = value or local_date(now)
    if day > local_date(now):
        raise ReferralError("steps.error.future_date")
    return day


def refer(
    session: Session,
    subject_type: str,
    subject_id: int,
    *,
    department: str,
    matter: str,
    referred_on: date | None = None,
    actor: str,
    now: datetime | None = None,
) -> Referral:
    """移交: what the office refers (its own words), to which department, on which day; a receipt is due in
    five working days."""
    now = now or session_now(session)
    subject = _subject(session, subject_type, subject_id)
    department = _text(department, "steps.error.department", DEPARTMENT_MAX)
    matter = _text(matter, "steps.error.matter")
    if isinstance(subject, Concern) and _names_the_reporter(subject, matter):
        raise ReferralError("steps.error.reporter_in_matter")
    day = _day(referred_on, now)
    row = Referral(
        authority_id=subject.authority_id,
        subject_type=subject_type,
        subject_id=subject.id,
        unit_id=subject.unit_id,
        department=department,
        referred_on=day,
        matter=matter,
        receipt_due_on=working_calendar(session).add_working_days(day, rules.RECEIPT_WORKING_DAYS),
        created_by=actor,
        created_at=now,
    )
    session.add(row)
    session.flush()
    _audit(session, row, "referral_made", actor=actor, now=now, department=department, on=day.isoformat())
    return row


def _audit(session: Session, row: Referral, step: str, *, actor: str, now: datetime, **detail: object) -> None:
    record(
        session,
        actor,
        f"{row.subject_type}.{step}",
        row.subject_type,
        row.subject_id,
        now=now,
        referral_id=row.id,
        **detail,
    )


def _step(session: Session, referral_id: int, step: str) -> Referral:
    row = session.get(Referral, referral_id)
    if row is None:
        raise ReferralError("steps.error.referral_missing")
    row.state = rules.next_state(step, row.state).value
    return row


def record_receipt(
    session: Session,
    referral_id: int,
    *,
    received_on: date | None = None,
    note: str = "",
    actor: str,
    now: datetime | None = None,
) -> Referral:
    """回执: the department acknowledged the referral."""
    now = now or session_now(session)
    day = _day(received_on, now)
    row = _step(session, referral_id, "receipt")
    if day < row.referred_on:
        raise ReferralError("steps.error.before_referral")
    row.received_on, row.receipt_note = day, note.strip()[:TEXT_MAX]
    _audit(session, row, "referral_received", actor=actor, now=now, on=day.isoformat())
    return row


def record_outcome(
    session: Session,
    referral_id: int,
    *,
    outcome: str,
    concluded_on: date | None = None,
    actor: str,
    now: datetime | None = None,
) -> Referral:
    """The department's outcome (办理结果): the referral is concluded."""
    now = now or session_now(session)
    day = _day(concluded_on, now)
    text = _text(outcome, "steps.error.outcome")
    row = _step(session, referral_id, "outcome")
    if day < row.referred_on:
        raise ReferralError("steps.error.before_referral")
    row.concluded_on, row.outcome = day, text
    _audit(session, row, "referral_concluded", actor=actor, now=now, on=day.isoformat())
    return row


def of_subject(session: Session, subject_type: str, subject_id: int) -> list[Referral]:
    query = select(Referral).where(Referral.subject_type == subject_type, Referral.subject_id == subject_id)
    return list(session.scalars(query.order_by(Referral.referred_on, Referral.id)))


@dataclass(frozen=True)
class Listed:
    referral: Referral
    overdue: bool


def listed(session: Session, within: ColumnElement[bool], *, today: date, open_only: bool = False) -> list[Listed]:
    """The referrals `within` a scope (`scoped.owned(scope, Referral)`), overdue receipts first, then the open
    ones, each with its flag."""
    query = select(Referral).where(within)
    if open_only:
        query = query.where(Referral.state != ReferralState.CONCLUDED.value)
    rows = session.scalars(query.order_by(Referral.receipt_due_on, Referral.id))
    found = [Listed(r, rules.receipt_overdue(state=r.state, due_on=r.receipt_due_on, today=today)) for r in rows]
    return sorted(found, key=lambda x: (x.referral.state == ReferralState.CONCLUDED.value, not x.overdue))
