"""What the office publishes on /public one record at a time: 通报, 问责 results and 表扬, each only after an
explicit approval (`approve`), withdrawn by `unpublish`.

What is shown is built in one place (`entry_of`): the unit or person, the date and the office's own words
(the 通报's text; the 问责's facts, 方式 and 生效时间; the 表扬's reason and document number). Nothing of a
concern or its reporter is ever part of it. The office sees the same entry before approving it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.domain.calendar import local_date
from backend.domain.errors import DomainError
from backend.domain.kinds import EscalationLevel, EscalationState, PublishedKind
from backend.services.audit import record
from backend.services.commendations import who_of
from backend.store.db import session_now
from backend.store.models import Commendation, Escalation, Rectification, Unit
from messages import t

K = PublishedKind


class PublishingError(DomainError, ValueError):
    """An approval or withdrawal refused."""


@dataclass(frozen=True)
class Entry:
    """One published record as /public shows it."""

    kind: str
    record_id: int
    who: str
    day: date
    lines: tuple[tuple[str, str], ...]  # (label, text)
    approved: bool


def _row(session: Session, kind: str, record_id: int) -> Escalation | Commendation:
    if kind == K.COMMENDATION.value:
        found: Escalation | Commendation | None = session.get(Commendation, record_id)
    elif kind in (K.CIRCULAR.value, K.ACCOUNTABILITY.value):
        found = session.get(Escalation, record_id)
        if found is not None and (found.level != kind or found.state != EscalationState.CONFIRMED.value):
            raise PublishingError("steps.error.not_publishable")
    else:
        found = None
    if found is None:
        raise PublishingError("steps.error.not_publishable")
    return found


def entry_of(session: Session, kind: str, row: Escalation | Commendation) -> Entry:
    """What /public shows of a record, the office's words only."""
    approved = row.public_approved_at is not None
    if isinstance(row, Commendation):
        lines = [(t("steps.public.reason"), row.reason)]
        if row.document_number:
            lines.append((t("steps.public.document"), row.document_number))
        return Entry(kind, row.id, who_of(session, row), row.commended_on, tuple(lines), approved)
    unit = session.get(Unit, row.unit_id)
    day = local_date(row.confirmed_at) if row.confirmed_at else local_date(row.proposed_at)
    keys = ("scope", "text") if kind == K.CIRCULAR.value else ("accountability_facts", "measures", "effective_at")
    lines = [(t(f"office.record.{k}"), str(row.record.get(k, ""))) for k in keys if str(row.record.get(k, ""))]
    return Entry(kind, row.id, unit.name if unit else "", day, tuple(lines), approved)


def _authority_of(session: Session, row: Escalation | Commendation) -> int:
    if isinstance(row, Commendation):
        return row.authority_id
    item = session.get(Rectification, row.rectification_id)
    return item.authority_id if item is not None else 0


def _audit(session: Session, kind: str, row: Escalation | Commendation, action: str, actor: str, now: datetime) -> None:
    if isinstance(row, Commendation):
        record(session, actor, f"commendation.{action}", "commendation", row.id, now=now)
    else:
        record(
            session,
            actor,
            f"escalation.{kind}.{action}",
            "rectification",
            row.rectification_id,
            now=now,
            escalation_id=row.id,
        )


def approve(
    session: Session, kind: str, record_id: int, *, authority_id: int, actor: str, now: datetime | None = None
) -> Entry:
    """The office approves publishing this record on /public (again after a withdrawal)."""
    now = now or session_now(session)
    row = _row(session, kind, record_id)
    if _authority_of(session, row) != authority_id:
        raise PublishingError("steps.error.not_publishable")
    if row.public_approved_at is not None:
        raise PublishingError("steps.error.already_published")
    row.public_approved_at, row.public_approved_by = now, actor
    _audit(session, kind, row, "published", actor, now)
    return entry_of(session, kind, row)


def unpublish(
    session: Session, kind: str, record_id: int, *, authority_id: int, actor: str, now: datetime | None = None
) -> Entry:
    """The office withdraws the record from /public."""
    now = now or session_now(session)
    row = _row(session, kind, record_id)
    if _authority_of(session, row) != authority_id:
        raise PublishingError("steps.error.not_publishable")
    if row.public_approved_at is None:
        raise PublishingError("steps.error.not_published")
    row.public_approved_at, row.public_approved_by = None, ""
    _audit(session, kind, row, "unpublished", actor, now)
    return entry_of(session, kind, row)


@dataclass(frozen=True)
class Published:
    circulars: list[Entry]
    accountabilities: list[Entry]
    commendations: list[Entry]

    def __bool__(self) -> bool:
        return bool(self.circulars or self.accountabilities or self.commendations)


def candidates(session: Session, authority_id: int, *, approved: bool | None = None) -> Published:
    """Every record that may be published (confirmed 通报 and 问责, every 表扬), approved or not; the latest first."""
    escalations = session.scalars(
        select(Escalation)
        .join(Rectification, Rectification.id == Escalation.rectification_id)
        .where(
            Rectification.authority_id == authority_id,
            Escalation.state == EscalationState.CONFIRMED.value,
            Escalation.level.in_((EscalationLevel.CIRCULAR.value, EscalationLevel.ACCOUNTABILITY.value)),
        )
        .order_by(Escalation.confirmed_at.desc(), Escalation.id.desc())
    ).all()
    commendations = session.scalars(
        select(Commendation)
        .where(Commendation.authority_id == authority_id)
        .order_by(Commendation.commended_on.desc(), Commendation.id.desc())
    ).all()
    keep = lambda e: approved is None or e.approved is approved  # noqa: E731
    circulars = [entry_of(session, K.CIRCULAR.value, e) for e in escalations if e.level == K.CIRCULAR.value]
    accountabilities = [
        entry_of(session, K.ACCOUNTABILITY.value, e) for e in escalations if e.level == K.ACCOUNTABILITY.value
    ]
    praised = [entry_of(session, K.COMMENDATION.value, c) for c in commendations]
    return Published(
        [e for e in circulars if keep(e)], [e for e in accountabilities if keep(e)], [e for e in praised if keep(e)]
    )


def published(session: Session, authority_id: int, *, year: int) -> Published:
    """What /public shows for a year: the approved records dated in it."""
    found = candidates(session, authority_id, approved=True)
    in_year = lambda entries: [e for e in entries if e.day.year == year]  # noqa: E731
    return Published(in_year(found.circulars), in_year(found.accountabilities), in_year(found.commendations))
