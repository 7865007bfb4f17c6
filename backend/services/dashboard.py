"""What the office web reads: the dashboard's figures, the work lists and the details, always inside a `Scope`.

Every query filters units through `scope.units()`, so a zone leader's pages hold their zone and nothing else,
whatever the URL asks for. Figures are grouped in SQL (a prefecture has 6,000 schools and a year of activity);
medians use PostgreSQL's `percentile_cont` and fall back to Python on SQLite.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, Select, and_, case, cast, func, literal_column, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement as SqlColumn

from backend.domain import visit_targets
from backend.domain.calendar import SHANGHAI, local_date
from backend.domain.kinds import ConcernState, EscalationState, RectificationState, UnitKind
from backend.services.authority import seed_items
from backend.services.office_users import Scope
from backend.store.db import session_now
from backend.store.models import (
    Assignment,
    AuditEvent,
    Authority,
    Concern,
    Escalation,
    ExtensionRequest,
    Inspector,
    Rectification,
    Unit,
    Visit,
    Zone,
)

SCHOOL_KINDS: tuple[str, ...] = tuple(k.value for k in UnitKind if k.is_school)
# the rules of DOMAIN.md, checked here and never enforced by refusing data
SCHOOLS_PER_INSPECTOR = 5
SCHOOLS_PER_ZONE = 20
RETIREE_SHARE_MAX = 0.40
TRAINING_HOURS_MIN = 40.0
OPEN_CONCERN = (ConcernState.RECEIVED.value, ConcernState.ACKNOWLEDGED.value, ConcernState.VERIFYING.value)
OPEN_RECTIFICATION = (
    RectificationState.ISSUED.value,
    RectificationState.ACKNOWLEDGED.value,
    RectificationState.SUBMITTED.value,
    RectificationState.REOPENED.value,
)
# the unit still owes the work (a submitted report waits for the inspector, not for the unit)
OWED_RECTIFICATION = (
    RectificationState.ISSUED.value,
    RectificationState.ACKNOWLEDGED.value,
    RectificationState.REOPENED.value,
)
DONE_RECTIFICATION = (RectificationState.VERIFIED.value, RectificationState.CLOSED.value)
LEVELS = range(5)  # 0 none, 1 督办, 2 约谈, 3 通报, 4 问责
LIST_LIMIT = 30


# --- periods ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def contains(self, column: Any) -> ColumnElement[bool]:
        return and_(column >= self.first, column <= self.last)


def month_of(day: date) -> Period:
    found = visit_targets.month_of(day)
    return Period(found.start, found.end)


def semester_of(day: date) -> Period:
    """The school semester holding `day`, as the visit targets count it."""
    found = visit_targets.semester_of(day)
    return Period(found.start, found.end)


def year_of(day: date) -> Period:
    return Period(date(day.year, 1, 1), date(day.year, 12, 31))


def utc_bounds(period: Period) -> tuple[datetime, datetime]:
    """The UTC moments where a period of Asia/Shanghai dates starts and ends (exclusive)."""
    start = datetime.combine(period.first, time(0), tzinfo=SHANGHAI).astimezone(UTC)
    end = datetime.combine(period.last + timedelta(days=1), time(0), tzinfo=SHANGHAI).astimezone(UTC)
    return start, end


def local_day(session: Session, column: Any) -> SqlColumn[date]:
    """The Asia/Shanghai date of a UTC timestamp column, in SQL (China keeps no daylight saving: UTC+8 always)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(column + literal_column("interval '8 hours'"), Date)
    return func.date(column, "+8 hours")


def _seconds(session: Session, end: Any, start: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def items_of(authority: Authority) -> list[dict[str, str]]:
    return list(authority.supervision_items or seed_items())


# --- coverage -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Named:
    """One row of a short list: what it is, and the figure that put it there."""

    key: str
    name: str
    value: float
    extra: str = ""


@dataclass
class Coverage:
    schools: int
    without_inspector: int
    without_inspector_list: list[Named]
    inspectors: int
    overloaded: list[Named]
    zones: list[Named]  # every zone with its number of schools
    retirees: int
    training_short: list[Named]
    training_average: float

    @property
    def retiree_share(self) -> float:
        return self.retirees / self.inspectors if self.inspectors else 0.0

    @property
    def zones_over(self) -> list[Named]:
        return [z for z in self.zones if z.value > SCHOOLS_PER_ZONE]


def _schools(scope: Scope) -> list[ColumnElement[bool]]:
    return [scope.units(), Unit.kind.in_(SCHOOL_KINDS), Unit.active.is_(True)]


def _current(unit_id: Any = Unit.id) -> ColumnElement[bool]:
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
            .outerjoin(Assignment, _current())
            .where(*_schools(scope))
            .order_by(Unit.code)
        ).all()
    )


def coverage(session: Session, scope: Scope, schools: SchoolRows | None = None) -> Coverage:
    schools = school_rows(session, scope) if schools is None else schools
    orphans = [Named(code, name, 0, zone or "") for _i, code, name, zone, inspector in schools if inspector is None]
    per_inspector: dict[int, int] = {}
    zone_counts: dict[str, int] = {}
    for _i, _c, _n, zone, inspector in schools:
        if inspector is not None:
            per_inspector[inspector] = per_inspector.get(inspector, 0) + 1
        if zone is not None:
            zone_counts[zone] = zone_counts.get(zone, 0) + 1
    people = session.execute(
        select(Inspector.id, Inspector.number, Inspector.name, Inspector.retired, Inspector.training_hours)
        .where(Inspector.id.in_(inspector_ids_in(scope)), Inspector.active.is_(True))
        .order_by(Inspector.training_hours, Inspector.number)
    ).all()
    names = {row[0]: (row[1], row[2]) for row in people}
    overloaded = sorted(
        (
            Named(names[i][0], names[i][1], n)
            for i, n in per_inspector.items()
            if n > SCHOOLS_PER_INSPECTOR and i in names
        ),
        key=lambda p: (-p.value, p.key),
    )
    short = [Named(number, name, hours) for _i, number, name, _r, hours in people if hours < TRAINING_HOURS_MIN]
    return Coverage(
        schools=len(schools),
        without_inspector=len(orphans),
        without_inspector_list=orphans[:LIST_LIMIT],
        inspectors=len(people),
        overloaded=overloaded,
        zones=[Named(name, name, count) for name, count in sorted(zone_counts.items())],
        retirees=sum(1 for row in people if row[3]),
        training_short=short,
        training_average=(sum(row[4] for row in people) / len(people)) if people else 0.0,
    )


# --- visits -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InspectorVisits:
    number: str
    name: str
    schools: int
    month: int
    month_target: int
    semester: int
    semester_target: int

    @property
    def month_ratio(self) -> float:
        return self.month / self.month_target if self.month_target else 1.0


@dataclass
class VisitFigures:
    month: Period
    semester: Period
    visits_month: int
    month_target: int
    schools_visited_month: int
    visits_semester: int
    semester_target: int
    schools_at_floor: int
    schools: int
    per_inspector: list[InspectorVisits]
    per_zone: list[Named]  # share of the zone's schools visited this month
    schools_behind: list[Named]  # schools under the semester floor, fewest visits first


def _live_visits() -> ColumnElement[bool]:
    return Visit.revoked_at.is_(None)


def owned(scope: Scope, model: Any) -> ColumnElement[bool]:
    """Rows of `model` (visit, concern, rectification) inside the scope, without a join for the office."""
    if scope.is_office:
        return model.authority_id == scope.authority_id
    return model.unit_id.in_(select(Unit.id).where(scope.units()))


def visits(
    session: Session, scope: Scope, authority: Authority, today: date, schools: SchoolRows | None = None
) -> VisitFigures:
    """One pass over the semester's visits grouped by school and inspector; the rest is counted here."""
    month, semester = month_of(today), semester_of(today)
    per_month = authority.visits_per_month_target
    floor = visit_targets.semester_floor(authority.visits_per_semester_floor)
    schools = school_rows(session, scope) if schools is None else schools
    month_case = func.sum(case((month.contains(Visit.visited_on), 1), else_=0))
    grouped = session.execute(
        select(Visit.unit_id, Visit.inspector_id, func.count(Visit.id), month_case)
        .where(owned(scope, Visit), _live_visits(), semester.contains(Visit.visited_on))
        .group_by(Visit.unit_id, Visit.inspector_id)
    ).all()
    at_school: dict[int, list[int]] = {}
    by_inspector: dict[int, list[int]] = {}
    for unit_id, inspector_id, n, in_month in grouped:
        for bucket, key in ((at_school, unit_id), (by_inspector, inspector_id)):
            counts = bucket.setdefault(key, [0, 0])
            counts[0] += n
            counts[1] += int(in_month or 0)
    known = {row[0] for row in schools}
    visits_month = sum(c[1] for u, c in at_school.items() if u in known)
    visits_semester = sum(c[0] for u, c in at_school.items() if u in known)
    visited_month = sum(1 for u, c in at_school.items() if u in known and c[1])
    behind_all = sorted(
        ((at_school.get(row[0], [0, 0])[0], row[1], row[2]) for row in schools), key=lambda r: (r[0], r[1])
    )
    behind = [Named(code, name, n) for n, code, name in behind_all if n < floor][:LIST_LIMIT]
    at_floor = sum(1 for n, _c, _n in behind_all if n >= floor)
    assigned: dict[int, int] = {}
    zone_total: dict[str, int] = {}
    zone_visited: dict[str, int] = {}
    for unit_id, _code, _name, zone, inspector_id in schools:
        if inspector_id is not None:
            assigned[inspector_id] = assigned.get(inspector_id, 0) + 1
        if zone is not None:
            zone_total[zone] = zone_total.get(zone, 0) + 1
            zone_visited[zone] = zone_visited.get(zone, 0) + (1 if at_school.get(unit_id, [0, 0])[1] else 0)
    people = session.execute(
        select(Inspector.id, Inspector.number, Inspector.name).where(
            Inspector.id.in_(inspector_ids_in(scope)), Inspector.active.is_(True)
        )
    )
    per_inspector = [
        InspectorVisits(
            number=number,
            name=name,
            schools=assigned.get(inspector_id, 0),
            month=by_inspector.get(inspector_id, [0, 0])[1],
            month_target=assigned.get(inspector_id, 0) * per_month,
            semester=by_inspector.get(inspector_id, [0, 0])[0],
            semester_target=assigned.get(inspector_id, 0) * floor,
        )
        for inspector_id, number, name in people
    ]
    per_inspector.sort(key=lambda row: (row.month_ratio, row.number))
    per_zone = [Named(name, name, zone_visited[name] / total) for name, total in sorted(zone_total.items())]
    return VisitFigures(
        month=month,
        semester=semester,
        visits_month=visits_month,
        month_target=len(schools) * per_month,
        schools_visited_month=visited_month,
        visits_semester=visits_semester,
        semester_target=len(schools) * floor,
        schools_at_floor=at_floor,
        schools=len(schools),
        per_inspector=per_inspector,
        per_zone=per_zone,
        schools_behind=behind,
    )


# --- concerns -----------------------------------------------------------------------------------------


@dataclass
class ConcernFigures:
    period: Period
    total: int
    by_state: dict[str, int]
    by_item: list[Named]
    open: int
    ack_late_open: int  # not yet acknowledged, past the acknowledgement deadline
    answer_overdue_open: int
    acknowledged_on_time: int
    acknowledged: int
    answered_on_time: int
    answered: int
    median_answer_hours: float | None


def concern_overdue(concern: Concern, today: date) -> bool:
    return concern.state in OPEN_CONCERN and concern.answer_due_on is not None and concern.answer_due_on < today


def _concerns_in(scope: Scope) -> Select[Any]:
    return select(Concern.id).where(owned(scope, Concern))


def _count_if(condition: ColumnElement[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0))


def concerns(session: Session, scope: Scope, authority: Authority, today: date) -> ConcernFigures:
    """Three statements: this year's concerns grouped by state and item, the open ones, the medians."""
    period = year_of(today)
    start, end = utc_bounds(period)
    this_year = _concerns_in(scope).where(Concern.created_at >= start, Concern.created_at < end)
    ack_day, answer_day = local_day(session, Concern.acknowledged_at), local_day(session, Concern.answered_at)
    grouped = session.execute(
        this_year.with_only_columns(
            Concern.state,
            Concern.category,
            func.count(Concern.id),
            func.count(Concern.acknowledged_at),
            _count_if(ack_day <= Concern.ack_due_on),
            func.count(Concern.answered_at),
            _count_if(answer_day <= Concern.answer_due_on),
        ).group_by(Concern.state, Concern.category)
    ).all()
    by_state: dict[str, int] = {}
    by_code: dict[str, int] = {}
    sums = [0, 0, 0, 0]
    for state, category, n, acked, acked_on_time, answered, answered_on_time in grouped:
        by_state[state] = by_state.get(state, 0) + n
        by_code[category or ""] = by_code.get(category or "", 0) + n
        for i, value in enumerate((acked, acked_on_time, answered, answered_on_time)):
            sums[i] += int(value or 0)
    names = {item["code"]: item["name"] for item in items_of(authority)}
    by_item = sorted(
        (Named(code, names.get(code, code), count) for code, count in by_code.items()),
        key=lambda n: (n.key == "", n.key),
    )
    open_row = session.execute(
        _concerns_in(scope)
        .with_only_columns(
            func.count(Concern.id),
            _count_if(and_(Concern.acknowledged_at.is_(None), Concern.ack_due_on < today)),
            _count_if(Concern.answer_due_on < today),
        )
        .where(Concern.state.in_(OPEN_CONCERN))
    ).one()
    return ConcernFigures(
        period=period,
        total=sum(by_state.values()),
        by_state=by_state,
        by_item=by_item,
        open=open_row[0] or 0,
        ack_late_open=int(open_row[1] or 0),
        answer_overdue_open=int(open_row[2] or 0),
        acknowledged=sums[0],
        acknowledged_on_time=sums[1],
        answered=sums[2],
        answered_on_time=sums[3],
        median_answer_hours=median_answer_hours(session, this_year),
    )


def median_answer_hours(session: Session, query: Select[Any]) -> float | None:
    """Median hours from receiving a concern to answering it, over the concerns of `query`."""
    answer = _seconds(session, Concern.answered_at, Concern.created_at)
    answered = query.where(Concern.answered_at.is_not(None))
    if session.get_bind().dialect.name == "postgresql":
        value = session.scalar(answered.with_only_columns(func.percentile_cont(0.5).within_group(answer)))
        return None if value is None else float(value) / 3600
    values = [float(v) for v in session.scalars(answered.with_only_columns(answer))]
    return statistics.median(values) / 3600 if values else None


# --- rectifications -----------------------------------------------------------------------------------


@dataclass
class RectificationFigures:
    drafts: int
    open: int
    overdue: int
    submitted: int
    by_level: dict[int, int]  # open items per rung of the ladder
    escalations_proposed: int
    extensions_pending: int
    done_this_year: int
    done_on_time_this_year: int


def _rectifications_in(scope: Scope) -> Select[Any]:
    return select(Rectification.id).where(owned(scope, Rectification))


def rectifications(session: Session, scope: Scope, today: date) -> RectificationFigures:
    """One statement grouped by state and level; then the rungs and requests waiting for the office."""
    start, end = utc_bounds(year_of(today))
    done_day = local_day(session, func.coalesce(Rectification.submitted_at, Rectification.verified_at))
    this_year = and_(Rectification.verified_at >= start, Rectification.verified_at < end)
    grouped = session.execute(
        _rectifications_in(scope)
        .with_only_columns(
            Rectification.state,
            Rectification.level,
            func.count(Rectification.id),
            _count_if(Rectification.deadline < today),
            _count_if(this_year),
            _count_if(and_(this_year, done_day <= Rectification.deadline)),
        )
        .group_by(Rectification.state, Rectification.level)
    ).all()
    by_state: dict[str, int] = {}
    by_level = dict.fromkeys(LEVELS, 0)
    overdue = done = done_on_time = 0
    for state, level, n, late, done_in_year, on_time in grouped:
        by_state[state] = by_state.get(state, 0) + n
        if state in OPEN_RECTIFICATION:
            by_level[int(level)] = by_level.get(int(level), 0) + n
        if state in OWED_RECTIFICATION:
            overdue += int(late or 0)
        if state in DONE_RECTIFICATION:
            done += int(done_in_year or 0)
            done_on_time += int(on_time or 0)
    proposed = session.scalar(
        select(func.count(Escalation.id)).where(
            Escalation.state == EscalationState.PROPOSED.value,
            Escalation.unit_id.in_(select(Unit.id).where(scope.units())),
        )
    )
    pending = session.scalar(
        select(func.count(ExtensionRequest.id)).where(
            ExtensionRequest.decision.is_(None),
            ExtensionRequest.rectification_id.in_(_rectifications_in(scope)),
        )
    )
    return RectificationFigures(
        drafts=by_state.get(RectificationState.DRAFT.value, 0),
        open=sum(by_state.get(s, 0) for s in OPEN_RECTIFICATION),
        overdue=overdue,
        submitted=by_state.get(RectificationState.SUBMITTED.value, 0),
        by_level=by_level,
        escalations_proposed=proposed or 0,
        extensions_pending=pending or 0,
        done_this_year=done,
        done_on_time_this_year=done_on_time,
    )


@dataclass
class Dashboard:
    today: date
    coverage: Coverage
    visits: VisitFigures
    concerns: ConcernFigures
    rectifications: RectificationFigures


def dashboard(session: Session, scope: Scope, authority: Authority, today: date | None = None) -> Dashboard:
    """Everything the dashboard shows, for `scope`, as of `today` (Asia/Shanghai)."""
    today = today or local_date(session_now(session))
    schools = school_rows(session, scope)
    return Dashboard(
        today=today,
        coverage=coverage(session, scope, schools),
        visits=visits(session, scope, authority, today, schools),
        concerns=concerns(session, scope, authority, today),
        rectifications=rectifications(session, scope, today),
    )


# --- work lists ---------------------------------------------------------------------------------------


@dataclass
class Page:
    rows: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class ListFilters:
    """The filters of a work list as the page's form gives them (empty means "any")."""

    state: str = ""
    item: str = ""
    zone_id: int | None = None
    school: str = ""  # a part of the school's name or its code
    inspector: str = ""  # an inspector's number
    overdue: bool = False
    level: int | None = None
    pending: str = ""  # "escalation": a rung awaits the office; "extension": a request awaits a decision
    since: date | None = None
    until: date | None = None


def _zone_and_school(scope: Scope, filters: ListFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [scope.units()]
    if filters.zone_id is not None:
        conditions.append(Unit.zone_id == filters.zone_id)
    if filters.school:
        conditions.append(or_(Unit.name.contains(filters.school, autoescape=True), Unit.code == filters.school))
    return conditions


def _page(session: Session, query: Any, page: int, per_page: int | None) -> Page:
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    if per_page is not None:
        query = query.limit(per_page).offset((max(page, 1) - 1) * per_page)
    return Page(list(session.execute(query).all()), total, page, per_page or max(total, 1))


def concern_list(
    session: Session, scope: Scope, filters: ListFilters, *, today: date, page: int = 1, per_page: int | None = 50
) -> Page:
    """Rows of (Concern, school name, zone name, inspector name), newest first."""
    query = (
        select(Concern, Unit.name, Zone.name, Inspector.name)
        .join(Unit, Unit.id == Concern.unit_id)
        .outerjoin(Zone, Zone.id == Unit.zone_id)
        .outerjoin(Inspector, Inspector.id == Concern.inspector_id)
        .where(*_zone_and_school(scope, filters))
    )
    if filters.state == "open":
        query = query.where(Concern.state.in_(OPEN_CONCERN))
    elif filters.state:
        query = query.where(Concern.state == filters.state)
    if filters.item:
        query = query.where(Concern.category == filters.item)
    if filters.inspector:
        query = query.where(Inspector.number == filters.inspector)
    if filters.overdue:
        query = query.where(Concern.state.in_(OPEN_CONCERN), Concern.answer_due_on < today)
    if filters.since or filters.until:
        start, end = utc_bounds(Period(filters.since or date(2000, 1, 1), filters.until or date(2100, 1, 1)))
        query = query.where(Concern.created_at >= start, Concern.created_at < end)
    return _page(session, query.order_by(Concern.created_at.desc(), Concern.id.desc()), page, per_page)


def rectification_list(
    session: Session, scope: Scope, filters: ListFilters, *, today: date, page: int = 1, per_page: int | None = 50
) -> Page:
    """Rows of (Rectification, school name, zone name, inspector name), nearest deadline first."""
    query = (
        select(Rectification, Unit.name, Zone.name, Inspector.name)
        .join(Unit, Unit.id == Rectification.unit_id)
        .outerjoin(Zone, Zone.id == Unit.zone_id)
        .outerjoin(Inspector, Inspector.id == Rectification.inspector_id)
        .where(*_zone_and_school(scope, filters))
    )
    if filters.state == "open":
        query = query.where(Rectification.state.in_(OPEN_RECTIFICATION))
    elif filters.state:
        query = query.where(Rectification.state == filters.state)
    if filters.item:
        query = query.where(Rectification.item == filters.item)
    if filters.inspector:
        query = query.where(Inspector.number == filters.inspector)
    if filters.level is not None:
        query = query.where(Rectification.level == filters.level)
    if filters.overdue:
        query = query.where(Rectification.state.in_(OWED_RECTIFICATION), Rectification.deadline < today)
    if filters.pending == "escalation":
        waiting = select(Escalation.rectification_id).where(Escalation.state == EscalationState.PROPOSED.value)
        query = query.where(Rectification.id.in_(waiting))
    elif filters.pending == "extension":
        asked = select(ExtensionRequest.rectification_id).where(ExtensionRequest.decision.is_(None))
        query = query.where(Rectification.id.in_(asked))
    return _page(session, query.order_by(Rectification.deadline, Rectification.id), page, per_page)


def visit_list(
    session: Session, scope: Scope, filters: ListFilters, *, page: int = 1, per_page: int | None = 50
) -> Page:
    """Rows of (Visit, school name, zone name, inspector name), latest first."""
    query = (
        select(Visit, Unit.name, Zone.name, Inspector.name)
        .join(Unit, Unit.id == Visit.unit_id)
        .outerjoin(Zone, Zone.id == Unit.zone_id)
        .join(Inspector, Inspector.id == Visit.inspector_id)
        .where(*_zone_and_school(scope, filters), _live_visits())
    )
    if filters.inspector:
        query = query.where(Inspector.number == filters.inspector)
    if filters.item:
        query = query.where(Visit.items.contains(filters.item))
    if filters.since:
        query = query.where(Visit.visited_on >= filters.since)
    if filters.until:
        query = query.where(Visit.visited_on <= filters.until)
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
        .outerjoin(Assignment, _current())
        .outerjoin(Inspector, Inspector.id == Assignment.inspector_id)
        .where(*_zone_and_school(scope, filters), Unit.kind.in_(SCHOOL_KINDS), Unit.active.is_(True))
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
    training_hours: float
    active: bool
    schools: int


def inspector_list(session: Session, scope: Scope) -> list[InspectorRow]:
    counts = dict(
        session.execute(
            select(Assignment.inspector_id, func.count(Unit.id))
            .join(Unit, Unit.id == Assignment.unit_id)
            .where(Assignment.ends_on.is_(None), *_schools(scope))
            .group_by(Assignment.inspector_id)
        ).all()
    )
    people = session.scalars(
        select(Inspector).where(Inspector.id.in_(inspector_ids_in(scope))).order_by(Inspector.number)
    )
    return [
        InspectorRow(
            i.id, i.number, i.name, i.phone, i.employment, i.retired, i.training_hours, i.active, counts.get(i.id, 0)
        )
        for i in people
    ]


def zones_in(session: Session, scope: Scope) -> list[Zone]:
    query = select(Zone).where(Zone.authority_id == scope.authority_id).order_by(Zone.name)
    if not scope.is_office:
        query = query.where(Zone.id == scope.zone_id)
    return list(session.scalars(query))


# --- details (None when outside the scope: the page answers 404, as if it did not exist) -------------


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
        select(Inspector.name).join(Assignment, Assignment.inspector_id == Inspector.id).where(_current(unit.id))
    )
    report = SchoolReport(unit, zone or "", inspector or "", period)
    report.visits = list(
        session.scalars(
            select(Visit)
            .where(Visit.unit_id == unit.id, _live_visits(), period.contains(Visit.visited_on))
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


# --- public disclosure (no personal data: counts and durations per school and per zone) ---------------

METRICS = ("visits", "rectified_on_time", "concern_response")
LEVELS_PUBLISHED = ("zone", "school")


@dataclass(frozen=True)
class Publication:
    """What the authority has chosen to publish on /public."""

    enabled: bool
    metrics: tuple[str, ...]
    levels: tuple[str, ...]


def publication_of(authority: Authority) -> Publication:
    raw = authority.publication or {}
    return Publication(
        enabled=bool(raw.get("enabled")),
        metrics=tuple(m for m in METRICS if m in raw.get("metrics", METRICS)),
        levels=tuple(level for level in LEVELS_PUBLISHED if level in raw.get("levels", LEVELS_PUBLISHED)),
    )


@dataclass
class PublicRow:
    name: str
    zone: str
    schools: int
    visits: int
    rectified: int
    rectified_on_time: int
    median_response_days: float | None

    @property
    def on_time_share(self) -> float | None:
        return self.rectified_on_time / self.rectified if self.rectified else None


@dataclass
class PublicResults:
    period: Period
    zones: list[PublicRow]
    schools: list[PublicRow]
    total: PublicRow


def _durations_by(session: Session, authority: Authority, period: Period, key: Any) -> dict[Any, list[float]]:
    start, end = utc_bounds(period)
    rows = session.execute(
        select(key, _seconds(session, Concern.answered_at, Concern.created_at))
        .join(Unit, Unit.id == Concern.unit_id)
        .where(Concern.authority_id == authority.id, Concern.answered_at.is_not(None))
        .where(Concern.created_at >= start, Concern.created_at < end)
    )
    found: dict[Any, list[float]] = {}
    for group, seconds in rows:
        found.setdefault(group, []).append(float(seconds) / 86400)
    return found


def public_results(session: Session, authority: Authority, period: Period) -> PublicResults:
    """Per school and per zone: visits made, rectifications completed on time, median days to answer a concern."""
    schools = session.execute(
        select(Unit.id, Unit.name, Zone.name)
        .outerjoin(Zone, Zone.id == Unit.zone_id)
        .where(Unit.authority_id == authority.id, Unit.kind.in_(SCHOOL_KINDS), Unit.active.is_(True))
        .order_by(Zone.name, Unit.code)
    ).all()
    visit_counts = dict(
        session.execute(
            select(Visit.unit_id, func.count(Visit.id))
            .where(Visit.authority_id == authority.id, _live_visits(), period.contains(Visit.visited_on))
            .group_by(Visit.unit_id)
        ).all()
    )
    start, end = utc_bounds(period)
    done_day = local_day(session, func.coalesce(Rectification.submitted_at, Rectification.verified_at))
    done = {
        unit_id: (n, on_time or 0)
        for unit_id, n, on_time in session.execute(
            select(
                Rectification.unit_id,
                func.count(Rectification.id),
                func.sum(case((done_day <= Rectification.deadline, 1), else_=0)),
            )
            .where(
                Rectification.authority_id == authority.id,
                Rectification.state.in_(DONE_RECTIFICATION),
                Rectification.verified_at >= start,
                Rectification.verified_at < end,
            )
            .group_by(Rectification.unit_id)
        )
    }
    per_unit = _durations_by(session, authority, period, Concern.unit_id)
    zone_of = {unit_id: zone or "" for unit_id, _n, zone in schools}
    rows: list[PublicRow] = []
    zones: dict[str, PublicRow] = {}
    zone_days: dict[str, list[float]] = {}
    total = PublicRow("", "", 0, 0, 0, 0, None)
    all_days: list[float] = []
    for unit_id, name, zone in schools:
        n, on_time = done.get(unit_id, (0, 0))
        days = per_unit.get(unit_id, [])
        row = PublicRow(
            name, zone or "", 1, visit_counts.get(unit_id, 0), n, on_time, statistics.median(days) if days else None
        )
        rows.append(row)
        bucket = zones.setdefault(zone_of[unit_id], PublicRow(zone_of[unit_id], zone_of[unit_id], 0, 0, 0, 0, None))
        for target in (bucket, total):
            target.schools += 1
            target.visits += row.visits
            target.rectified += n
            target.rectified_on_time += on_time
        zone_days.setdefault(zone_of[unit_id], []).extend(days)
        all_days.extend(days)
    for name, bucket in zones.items():
        days = zone_days.get(name, [])
        bucket.median_response_days = statistics.median(days) if days else None
    total.median_response_days = statistics.median(all_days) if all_days else None
    return PublicResults(period, sorted(zones.values(), key=lambda z: z.name), rows, total)
