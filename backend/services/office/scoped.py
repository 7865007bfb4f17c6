"""The office's reading inside a `Scope`: which schools, inspectors and rows a person may see.

Every query filters units through `scope.units()`, so a zone leader's pages hold their zone and nothing else,
whatever the URL asks for.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session

from backend.domain.kinds import UnitKind
from backend.services.authority import seed_items
from backend.services.office_users import Scope
from backend.store.models import (
    Assignment,
    Authority,
    Inspector,
    Unit,
    Visit,
    Zone,
)

SCHOOL_KINDS: tuple[str, ...] = tuple(k.value for k in UnitKind if k.is_school)


def items_of(authority: Authority) -> list[dict[str, str]]:
    return list(authority.supervision_items or seed_items())


def schools_of(scope: Scope) -> list[ColumnElement[bool]]:
    return [scope.units(), Unit.kind.in_(SCHOOL_KINDS), Unit.active.is_(True)]


def current_assignment(unit_id: Any = Unit.id) -> ColumnElement[bool]:
    return and_(Assignment.unit_id == unit_id, Assignment.ends_on.is_(None))


def inspector_ids_in(scope: Scope) -> Select[Any]:
    """The inspectors of a scope: all of the authority's, or those responsible for a school in the zone."""
    if scope.is_office:
        return select(Inspector.id).where(Inspector.authority_id == scope.authority_id)
    return (
        select(Assignment.inspector_id)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(Assignment.ends_on.is_(None), scope.units())
    )


SchoolRows = list[Any]  # (unit id, code, name, zone name, current inspector id) of every school in scope


def school_rows(session: Session, scope: Scope) -> SchoolRows:
    """Every active school of the scope with its zone and current inspector: what coverage and visits count."""
    return list(
        session.execute(
            select(Unit.id, Unit.code, Unit.name, Zone.name, Assignment.inspector_id)
            .outerjoin(Zone, Zone.id == Unit.zone_id)
            .outerjoin(Assignment, current_assignment())
            .where(*schools_of(scope))
            .order_by(Unit.code)
        ).all()
    )


def live_visits() -> ColumnElement[bool]:
    return Visit.revoked_at.is_(None)


def owned(scope: Scope, model: Any) -> ColumnElement[bool]:
    """Rows of `model` (visit, concern, rectification) inside the scope, without a join for the office."""
    if scope.is_office:
        return model.authority_id == scope.authority_id
    return model.unit_id.in_(select(Unit.id).where(scope.units()))


def count_if(condition: ColumnElement[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0))
