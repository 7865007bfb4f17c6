"""Schools and their responsible inspectors: the public list, the inspectors' list, and (re)assignment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session

from backend.domain.calendar import local_date
from backend.domain.kinds import UnitKind
from backend.services.audit import record
from backend.store.db import session_now
from backend.store.models import Assignment, Inspector, Unit, Zone

SCHOOL_KINDS: tuple[str, ...] = tuple(k.value for k in UnitKind if k.is_school)
MAX_PER_PAGE = 500
T = TypeVar("T")


class NotFound(LookupError):
    """No such school or inspector."""


@dataclass(frozen=True)
class ResponsibleInspector:
    """What the public may know of a school's inspector: the name and the contact on the board."""

    name: str
    phone: str


@dataclass(frozen=True)
class SchoolSummary:
    code: str
    name: str
    kind: str
    ownership: str
    address: str
    zone: str | None
    inspector: ResponsibleInspector | None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int


@dataclass(frozen=True)
class SchoolRef:
    code: str
    name: str


@dataclass(frozen=True)
class InspectorDetail:
    number: str
    name: str
    phone: str
    employment: str
    retired: bool
    retired_on: date | None
    training_hours: float
    active: bool
    zone: str | None
    schools: list[SchoolRef] = field(default_factory=list)


def _schools_query() -> Select[str, str, str, str, str, str, str, str]:
    """Every active school with its zone and current inspector, in one statement (no query per school)."""
    return (
        select(
            Unit.code, Unit.name, Unit.kind, Unit.ownership, Unit.address, Zone.name, Inspector.name, Inspector.phone
        )
        .outerjoin(Zone, Zone.id == Unit.zone_id)
        .outerjoin(Assignment, and_(Assignment.unit_id == Unit.id, Assignment.ends_on.is_(None)))
        .outerjoin(Inspector, Inspector.id == Assignment.inspector_id)
        .where(Unit.kind.in_(SCHOOL_KINDS), Unit.active.is_(True))
    )


def _summary(row: Sequence[Any]) -> SchoolSummary:
    """A row of `_schools_query()`; zone and inspector are None where the outer joins found nothing."""
    code, name, kind, ownership, address, zone, inspector_name, inspector_phone = row
    inspector = None if inspector_name is None else ResponsibleInspector(inspector_name, inspector_phone or "")
    return SchoolSummary(code, name, kind, ownership, address, zone, inspector)


def list_schools(
    session: Session,
    *,
    zone: str | None = None,
    kind: str | None = None,
    q: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[SchoolSummary]:
    """One page of schools, filtered by zone name, kind and a part of the name, ordered by code."""
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError("page or per_page out of range")
    conditions: list[ColumnElement[bool]] = [Unit.kind.in_(SCHOOL_KINDS), Unit.active.is_(True)]
    if zone:
        conditions.append(Zone.name == zone)
    if kind:
        conditions.append(Unit.kind == kind)
    if q:
        conditions.append(Unit.name.contains(q, autoescape=True))
    total = session.scalar(
        select(func.count(Unit.id)).select_from(Unit).outerjoin(Zone, Zone.id == Unit.zone_id).where(*conditions)
    )
    rows = session.execute(
        _schools_query().where(*conditions).order_by(Unit.code).limit(per_page).offset((page - 1) * per_page)
    )
    return Page([_summary(row) for row in rows], total or 0, page, per_page)


def get_school(session: Session, code: str) -> SchoolSummary:
    row = session.execute(_schools_query().where(Unit.code == code)).first()
    if row is None:
        raise NotFound(code)
    return _summary(row)


def list_inspectors(session: Session) -> list[InspectorDetail]:
    """Every inspector with their current schools: two statements whatever the number of inspectors."""
    inspectors = session.scalars(select(Inspector).order_by(Inspector.number)).all()
    schools: dict[int, list[SchoolRef]] = {}
    zones: dict[int, str] = {}
    current = session.execute(
        select(Assignment.inspector_id, Unit.code, Unit.name, Zone.name)
        .join(Unit, Unit.id == Assignment.unit_id)
        .outerjoin(Zone, Zone.id == Unit.zone_id)
        .where(Assignment.ends_on.is_(None))
        .order_by(Unit.code)
    )
    for inspector_id, code, name, zone_name in current:
        schools.setdefault(inspector_id, []).append(SchoolRef(code, name))
        if zone_name:
            zones.setdefault(inspector_id, zone_name)
    from backend.services import training

    hours = training.hours_by_inspector(session, [i.id for i in inspectors], local_date(session_now(session)))
    return [
        InspectorDetail(
            number=i.number,
            name=i.name,
            phone=i.phone,
            employment=i.employment,
            retired=i.retired,
            retired_on=i.retired_on,
            training_hours=hours[i.id].hours if i.id in hours else 0.0,  # the rule's rolling year
            active=i.active,
            zone=zones.get(i.id),
            schools=schools.get(i.id, []),
        )
        for i in inspectors
    ]


def set_responsible_inspector(session: Session, unit: Unit, inspector: Inspector, starts_on: date) -> Assignment | None:
    """Make `inspector` responsible for `unit` from `starts_on`, ending the current assignment (history is kept).

    None when the inspector is already the current one. Does not commit.
    """
    current = session.scalar(select(Assignment).where(Assignment.unit_id == unit.id, Assignment.ends_on.is_(None)))
    if current is not None and current.inspector_id == inspector.id:
        return None
    if current is not None:
        current.ends_on = max(starts_on, current.starts_on)
        session.flush()  # the old row must leave "current" before the new one enters (one current per school)
    assignment = Assignment(inspector_id=inspector.id, unit_id=unit.id, starts_on=starts_on)
    session.add(assignment)
    session.flush()
    return assignment


def assign_inspector(
    session: Session, school_code: str, inspector_number: str, starts_on: date | None = None, actor: str = "office"
) -> bool:
    """The use case: `inspector_number` becomes responsible for `school_code`. False if nothing changed. Commits."""
    unit = session.scalar(select(Unit).where(Unit.code == school_code))
    inspector = session.scalar(select(Inspector).where(Inspector.number == inspector_number))
    if unit is None or inspector is None:
        raise NotFound(school_code if unit is None else inspector_number)
    if not inspector.active:
        from backend.domain.errors import DomainError

        raise DomainError("staff.error.not_serving", name=inspector.name)
    starts_on = starts_on or local_date(session_now(session))
    previous = session.scalar(
        select(Assignment.inspector_id).where(Assignment.unit_id == unit.id, Assignment.ends_on.is_(None))
    )
    assignment = set_responsible_inspector(session, unit, inspector, starts_on)
    if assignment is None:
        return False
    record(
        session,
        actor,
        "assignment.changed",
        "unit",
        unit.id,
        from_inspector_id=previous,
        to_inspector_id=inspector.id,
        starts_on=starts_on.isoformat(),
    )
    session.commit()
    return True


def set_nicknames(session: Session, school_code: str, text: str, actor: str = "office") -> bool:
    """The office's 简称 of a school (several separated by 、), as typed; False if nothing changed. Commits."""
    from backend.domain.school_names import split_nicknames

    unit = session.scalar(select(Unit).where(Unit.code == school_code))
    if unit is None:
        raise NotFound(school_code)
    nicknames = "、".join(split_nicknames(text))[:300]
    if nicknames == unit.nicknames:
        return False
    before, unit.nicknames = unit.nicknames, nicknames
    detail = {"before": before, "after": nicknames}
    record(session, actor, "unit.nicknames", "unit", unit.id, detail)
    session.commit()
    return True
