"""表扬: the office records a commendation of a unit or a person (reason, date, document number if any).

Commendations are listed in the annual report (`exports.annual_summary_xlsx`, a sheet of their own) and, once
the office approves it (`publishing.approve`), on /public. Use cases do not commit; each writes an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.domain.calendar import local_date
from backend.domain.errors import DomainError
from backend.services.audit import record
from backend.store.db import session_now
from backend.store.models import Commendation, Unit

SUBJECT = "commendation"
REASON_MAX = 2000


class CommendationError(DomainError, ValueError):
    """A commendation refused."""


def record_commendation(
    session: Session,
    authority_id: int,
    *,
    reason: str,
    commended_on: date,
    unit_id: int | None = None,
    person_name: str = "",
    document_number: str = "",
    actor: str,
    now: datetime | None = None,
) -> Commendation:
    """A unit or a person (or a person of a unit) commended for `reason` on `commended_on`."""
    now = now or session_now(session)
    person_name, reason, document_number = person_name.strip(), reason.strip(), document_number.strip()
    unit = session.get(Unit, unit_id) if unit_id is not None else None
    if unit_id is not None and (unit is None or unit.authority_id != authority_id):
        raise CommendationError("steps.error.unit_unknown")
    if unit is None and not person_name:
        raise CommendationError("steps.error.commended_who")
    if len(person_name) > 60 or len(document_number) > 60:
        raise CommendationError("steps.error.too_long", limit=60)
    if not reason or len(reason) > REASON_MAX:
        raise CommendationError("steps.error.reason", limit=REASON_MAX)
    if commended_on > local_date(now):
        raise CommendationError("steps.error.future_date")
    row = Commendation(
        authority_id=authority_id,
        unit_id=unit.id if unit else None,
        person_name=person_name,
        reason=reason,
        commended_on=commended_on,
        document_number=document_number,
        recorded_by=actor,
        recorded_at=now,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        "commendation.recorded",
        SUBJECT,
        row.id,
        now=now,
        unit_id=row.unit_id,
        person_name=person_name,
        commended_on=commended_on.isoformat(),
        document_number=document_number,
    )
    return row


@dataclass(frozen=True)
class Shown:
    commendation: Commendation
    who: str  # 某某学校 / 张老师 / 某某学校 张老师


def who_of(session: Session, row: Commendation) -> str:
    unit = session.get(Unit, row.unit_id) if row.unit_id is not None else None
    return " ".join(part for part in ((unit.name if unit else ""), row.person_name) if part)


def listed(session: Session, authority_id: int, *, year: int | None = None) -> list[Shown]:
    """The authority's commendations (of one year when given), the latest first."""
    query = select(Commendation).where(Commendation.authority_id == authority_id)
    if year is not None:
        query = query.where(
            Commendation.commended_on >= date(year, 1, 1), Commendation.commended_on <= date(year, 12, 31)
        )
    rows = session.scalars(query.order_by(Commendation.commended_on.desc(), Commendation.id.desc()))
    return [Shown(row, who_of(session, row)) for row in rows]
