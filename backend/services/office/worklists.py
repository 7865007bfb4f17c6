"""The office's work lists (concerns, rectifications, visits, schools, inspectors), a page at a time, in a scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from backend.domain.calendar import local_date
from backend.services import training
from backend.services.list_filters import (
    CONCERNS,
    RECTIFICATIONS,
    VISITS,
    Columns,
    ListFilters,
    conditions,
    unit_conditions,
)
from backend.services.office.scoped import SCHOOL_KINDS, current_assignment, inspector_ids_in, schools_of
from backend.services.office_users import Scope
from backend.services.rule_sql import rectification_overdue
from backend.store.db import session_now
from backend.store.models import (
    Assignment,
    Concern,
    Inspector,
    Rectification,
    Unit,
    Visit,
    Zone,
)


@dataclass
class Page:
    rows: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _page(session: Session, query: Any, page: int, per_page: int | None) -> Page:
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    if per_page is not None:
        query = query.limit(per_page).offset((max(page, 1) - 1) * per_page)
    return Page(list(session.execute(query).all()), total, page, per_page or max(total, 1))


def _records(scope: Scope, model: Any, on: Columns, filters: ListFilters, today: date | None) -> Select[Any]:
    """Records of `model` with their school, zone and inspector names, filtered, inside the scope."""
    return (
        select(model, Unit.name, Zone.name, Inspector.name)
        .join(Unit, Unit.id == model.unit_id)
        .outerjoin(Zone, Zone.id == Unit.zone_id)
        .outerjoin(Inspector, Inspector.id == model.inspector_id)
        .where(scope.units(), *conditions(filters, on, today))
    )


def concern_list(
    session: Session, scope: Scope, filters: ListFilters, *, today: date, page: int = 1, per_page: int | None = 50
) -> Page:
    """Rows of (Concern, school name, zone name, inspector name), newest first."""
    query = _records(scope, Concern, CONCERNS, filters, today)
    return _page(session, query.order_by(Concern.created_at.desc(), Concern.id.desc()), page, per_page)


def rectification_list(
    session: Session, scope: Scope, filters: ListFilters, *, today: date, page: int = 1, per_page: int | None = 50
) -> Page:
    """Rows of (Rectification, school name, zone name, inspector name): overdue ones first, then nearest deadline."""
    query = _records(scope, Rectification, RECTIFICATIONS, filters, today)
    overdue_first = case((rectification_overdue(today), 0), else_=1)
    return _page(session, query.order_by(overdue_first, Rectification.deadline, Rectification.id), page, per_page)


def visit_list(
    session: Session, scope: Scope, filters: ListFilters, *, page: int = 1, per_page: int | None = 50
) -> Page:
    """Rows of (Visit, school name, zone name, inspector name), latest first."""
    query = _records(scope, Visit, VISITS, filters, None)
    return _page(session, query.order_by(Visit.visited_on.desc(), Visit.id.desc()), page, per_page)


@dataclass(frozen=True)
class SchoolRow:
    id: int
    code: str
    name: str
    kind: str
    ownership: str
    zone: str
    inspector: str
    inspector_number: str
    students: int | None


def school_list(
    session: Session, scope: Scope, filters: ListFilters, *, page: int = 1, per_page: int | None = 50
) -> Page:
    query = (
        select(
            Unit.id,
            Unit.code,
            Unit.name,
            Unit.kind,
            Unit.ownership,
            Zone.name,
            Inspector.name,
            Inspector.number,
            Unit.student_count,
        )
        .outerjoin(Zone, Zone.id == Unit.zone_id)
        .outerjoin(Assignment, current_assignment())
        .outerjoin(Inspector, Inspector.id == Assignment.inspector_id)
        .where(scope.units(), *unit_conditions(filters), Unit.kind.in_(SCHOOL_KINDS), Unit.active.is_(True))
    )
    if filters.inspector == "none":
        query = query.where(Assignment.id.is_(None))
    elif filters.inspector:
        query = query.where(Inspector.number == filters.inspector)
    result = _page(session, query.order_by(Unit.code), page, per_page)
    result.rows = [
        SchoolRow(i, code, name, kind, own, zone or "", insp or "", number or "", students)
        for i, code, name, kind, own, zone, insp, number, students in result.rows
    ]
    return result


@dataclass(frozen=True)
class InspectorRow:
    id: int
    number: str
    name: str
    phone: str
    employment: str
    retired: bool
    training_hours: float  # in the rule's rolling year (backend.services.training)
    active: bool
    schools: int
    training_known: bool = False


def inspector_list(session: Session, scope: Scope) -> list[InspectorRow]:
    counts = dict(
        session.execute(
            select(Assignment.inspector_id, func.count(Unit.id))
            .join(Unit, Unit.id == Assignment.unit_id)
            .where(Assignment.ends_on.is_(None), *schools_of(scope))
            .group_by(Assignment.inspector_id)
        ).all()
    )
    people = list(
        session.scalars(select(Inspector).where(Inspector.id.in_(inspector_ids_in(scope))).order_by(Inspector.number))
    )
    hours = training.hours_by_inspector(session, [i.id for i in people], local_date(session_now(session)))
    return [
        InspectorRow(
            i.id,
            i.number,
            i.name,
            i.phone,
            i.employment,
            i.retired,
            hours[i.id].hours if i.id in hours else 0.0,
            i.active,
            counts.get(i.id, 0),
            hours[i.id].recorded if i.id in hours else False,
        )
        for i in people
    ]


def zones_in(session: Session, scope: Scope) -> list[Zone]:
    query = select(Zone).where(Zone.authority_id == scope.authority_id).order_by(Zone.name)
    if not scope.is_office:
        query = query.where(Zone.id == scope.zone_id)
    return list(session.scalars(query))
