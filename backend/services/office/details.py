"""One record of the office's pages with the names around it and its history; None when outside the scope
(the page answers 404, as if it did not exist).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from backend.domain.kinds import RectificationState
from backend.services.office.figures import OPEN_RECTIFICATION
from backend.services.office.periods import Period, utc_bounds
from backend.services.office.scoped import current_assignment, inspector_ids_in, live_visits
from backend.services.office_users import Scope
from backend.store.models import (
    Assignment,
    AuditEvent,
    Concern,
    Escalation,
    ExtensionRequest,
    Inspector,
    Rectification,
    Unit,
    Visit,
    Zone,
)


def unit_in_scope(session: Session, scope: Scope, unit_id: int) -> Unit | None:
    return session.scalar(select(Unit).where(Unit.id == unit_id, scope.units()))


def school_by_code(session: Session, scope: Scope, code: str) -> Unit | None:
    return session.scalar(select(Unit).where(Unit.code == code, scope.units()))


def concern_in_scope(session: Session, scope: Scope, concern_id: int) -> Concern | None:
    return session.scalar(
        select(Concern).join(Unit, Unit.id == Concern.unit_id).where(Concern.id == concern_id, scope.units())
    )


def rectification_in_scope(session: Session, scope: Scope, rectification_id: int) -> Rectification | None:
    return session.scalar(
        select(Rectification)
        .join(Unit, Unit.id == Rectification.unit_id)
        .where(Rectification.id == rectification_id, scope.units())
    )


def inspector_in_scope(session: Session, scope: Scope, number: str) -> Inspector | None:
    return session.scalar(
        select(Inspector).where(Inspector.number == number, Inspector.id.in_(inspector_ids_in(scope)))
    )


def zone_name_of(session: Session, unit_id: int) -> str:
    return session.scalar(select(Zone.name).join(Unit, Unit.zone_id == Zone.id).where(Unit.id == unit_id)) or ""


@dataclass(frozen=True)
class Names:
    """The names around an item: its school, zone and inspector."""

    school: str
    school_code: str
    zone: str
    inspector: str
    inspector_number: str


def _names(session: Session, unit_id: int, inspector_id: int | None) -> Names:
    unit = session.get(Unit, unit_id)
    inspector = session.get(Inspector, inspector_id) if inspector_id else None
    return Names(
        unit.name if unit else "",
        unit.code if unit else "",
        zone_name_of(session, unit_id),
        inspector.name if inspector else "",
        inspector.number if inspector else "",
    )


def names_of_rectification(session: Session, item: Rectification) -> Names:
    return _names(session, item.unit_id, item.inspector_id)


def names_of_visit(session: Session, item: Visit) -> Names:
    return _names(session, item.unit_id, item.inspector_id)


def history(session: Session, subject_type: str, subject_id: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == subject_id)
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )


def assignment_history(session: Session, unit_id: int) -> list[tuple[Assignment, str, str]]:
    rows = session.execute(
        select(Assignment, Inspector.name, Inspector.number)
        .join(Inspector, Inspector.id == Assignment.inspector_id)
        .where(Assignment.unit_id == unit_id)
        .order_by(Assignment.starts_on.desc(), Assignment.id.desc())
    )
    return [(a, name, number) for a, name, number in rows]


def extensions_of(session: Session, rectification_id: int) -> list[ExtensionRequest]:
    return list(
        session.scalars(
            select(ExtensionRequest)
            .where(ExtensionRequest.rectification_id == rectification_id)
            .order_by(ExtensionRequest.requested_at)
        )
    )


def escalations_of(session: Session, rectification_id: int) -> list[Escalation]:
    return list(
        session.scalars(
            select(Escalation).where(Escalation.rectification_id == rectification_id).order_by(Escalation.proposed_at)
        )
    )


def names_by_id(session: Session, model: Any, ids: Sequence[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(model.id, model.name).where(model.id.in_(wanted))).all())


@dataclass
class SchoolReport:
    """A school over a period: what the 督导报告 holds."""

    unit: Unit
    zone: str
    inspector: str
    period: Period
    visits: list[Visit] = field(default_factory=list)
    rectifications: list[Rectification] = field(default_factory=list)
    concerns_by_state: dict[str, int] = field(default_factory=dict)


def school_report(session: Session, unit: Unit, period: Period) -> SchoolReport:
    zone = session.scalar(select(Zone.name).where(Zone.id == unit.zone_id)) if unit.zone_id else None
    inspector = session.scalar(
        select(Inspector.name)
        .join(Assignment, Assignment.inspector_id == Inspector.id)
        .where(current_assignment(unit.id))
    )
    report = SchoolReport(unit, zone or "", inspector or "", period)
    report.visits = list(
        session.scalars(
            select(Visit)
            .where(Visit.unit_id == unit.id, live_visits(), period.contains(Visit.visited_on))
            .order_by(Visit.visited_on)
        )
    )
    start, end = utc_bounds(period)
    report.rectifications = list(
        session.scalars(
            select(Rectification)
            .where(
                Rectification.unit_id == unit.id,
                Rectification.state != RectificationState.DRAFT.value,
                or_(
                    and_(Rectification.created_at >= start, Rectification.created_at < end),
                    Rectification.state.in_(OPEN_RECTIFICATION),
                ),
            )
            .order_by(Rectification.deadline)
        )
    )
    report.concerns_by_state = dict(
        session.execute(
            select(Concern.state, func.count(Concern.id))
            .where(Concern.unit_id == unit.id, Concern.created_at >= start, Concern.created_at < end)
            .group_by(Concern.state)
        ).all()
    )
    return report
