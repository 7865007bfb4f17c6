"""The filters of a list of records, turned into SQL once: the office's work lists, their exports and the JSON API."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, String, cast, not_, or_, select

from backend.domain.kinds import EscalationState
from backend.services.office.periods import Period, utc_bounds
from backend.services.rule_sql import (
    OPEN_CONCERN,
    OPEN_RECTIFICATION,
    concern_answer_overdue,
    rectification_overdue,
)
from backend.store.models import Concern, Escalation, ExtensionRequest, Inspector, Rectification, Unit, Visit

Condition = ColumnElement[bool]


@dataclass(frozen=True)
class ListFilters:
    """The filters of a list as a form or a query string gives them (empty means "any")."""

    state: str = ""  # a state, or "open" for the domain's open group
    item: str = ""
    zone_id: int | None = None
    school: str = ""  # a part of the school's name or its code
    school_code: str = ""  # exactly this unit's code
    inspector: str = ""  # an inspector's number
    overdue: bool | None = None  # True: only overdue ones; False: none of them
    level: int | None = None
    pending: str = ""  # "escalation": a rung awaits the office; "extension": a request awaits a decision
    since: date | None = None
    until: date | None = None
    revoked: bool = False  # visits: include revoked ones


@dataclass(frozen=True)
class Columns:
    """Where a kind of record keeps what the filters look at (None: the filter does not apply)."""

    state: Any = None
    open_states: tuple[str, ...] = ()
    item: Callable[[str], Condition] | None = None
    overdue: Callable[[date], Condition] | None = None
    level: Any = None
    pending: bool = False
    day: Any = None  # a date column: since / until are inclusive days
    moment: Any = None  # a UTC timestamp column: since / until are Asia/Shanghai days
    revoked_at: Any = None


CONCERNS = Columns(
    state=Concern.state,
    open_states=OPEN_CONCERN,
    item=lambda code: Concern.category == code,
    overdue=concern_answer_overdue,
    moment=Concern.created_at,
)
RECTIFICATIONS = Columns(
    state=Rectification.state,
    open_states=OPEN_RECTIFICATION,
    item=lambda code: Rectification.item == code,
    overdue=rectification_overdue,
    level=Rectification.level,
    pending=True,
)


def _visit_has_item(code: str) -> Condition:
    """The visit looked at item `code`: its JSON list holds `"code"` (so `7` never matches `17`)."""
    quoted = json.dumps(str(code)).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return cast(Visit.items, String).like(f"%{quoted}%", escape="\\")


VISITS = Columns(item=_visit_has_item, day=Visit.visited_on, revoked_at=Visit.revoked_at)


def unit_conditions(filters: ListFilters) -> list[Condition]:
    """The zone and school filters, on `Unit` (joined by the caller)."""
    found: list[Condition] = []
    if filters.zone_id is not None:
        found.append(Unit.zone_id == filters.zone_id)
    if filters.school:
        found.append(or_(Unit.name.contains(filters.school, autoescape=True), Unit.code == filters.school))
    if filters.school_code:
        found.append(Unit.code == filters.school_code)
    return found


def conditions(filters: ListFilters, on: Columns, today: date | None = None) -> list[Condition]:
    """Every filter that applies to records of `on`, on `Unit` and `Inspector` joined by the caller."""
    found = unit_conditions(filters)
    if filters.inspector:
        found.append(Inspector.number == filters.inspector)
    if on.state is not None and filters.state:
        found.append(on.state.in_(on.open_states) if filters.state == "open" else on.state == filters.state)
    if on.item is not None and filters.item:
        found.append(on.item(filters.item))
    if on.overdue is not None and filters.overdue is not None and today is not None:
        late = on.overdue(today)
        found.append(late if filters.overdue else not_(late))
    if on.level is not None and filters.level is not None:
        found.append(on.level == filters.level)
    if on.pending and filters.pending == "escalation":
        waiting = select(Escalation.rectification_id).where(Escalation.state == EscalationState.PROPOSED.value)
        found.append(Rectification.id.in_(waiting))
    elif on.pending and filters.pending == "extension":
        asked = select(ExtensionRequest.rectification_id).where(ExtensionRequest.decision.is_(None))
        found.append(Rectification.id.in_(asked))
    if on.day is not None:
        if filters.since:
            found.append(on.day >= filters.since)
        if filters.until:
            found.append(on.day <= filters.until)
    if on.moment is not None and (filters.since or filters.until):
        start, end = utc_bounds(Period(filters.since or date(2000, 1, 1), filters.until or date(2100, 1, 1)))
        found.extend([on.moment >= start, on.moment < end])
    if on.revoked_at is not None and not filters.revoked:
        found.append(on.revoked_at.is_(None))
    return found
