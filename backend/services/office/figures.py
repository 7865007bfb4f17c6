"""The dashboard's figures: coverage, visits, concerns and rectifications of a scope, as of a day.

Figures are grouped in SQL (a prefecture has 6,000 schools and a year of activity); medians use PostgreSQL's
`percentile_cont` and fall back to Python on SQLite.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from backend.domain import staffing, visit_targets
from backend.domain.calendar import local_date
from backend.domain.kinds import Employment, EscalationState, RectificationState
from backend.domain.visit_targets import Progress
from backend.services import training, visit_progress
from backend.services.office.periods import (
    Period,
    days_between,
    local_day,
    month_of,
    semester_of,
    utc_bounds,
    year_of,
)
from backend.services.office.scoped import (
    SchoolRows,
    count_if,
    inspector_ids_in,
    items_of,
    live_visits,
    owned,
    school_rows,
    schools_of,
)
from backend.services.office_users import Scope
from backend.services.rule_sql import (
    DONE_RECTIFICATION,
    OPEN_CONCERN,
    OPEN_RECTIFICATION,
    concern_answer_overdue,
    rectification_overdue,
)
from backend.store.db import session_now
from backend.store.models import (
    Authority,
    Concern,
    Escalation,
    ExtensionRequest,
    Inspector,
    Rectification,
    Unit,
    Visit,
)
from messages import t

LEVELS = range(5)  # 0 none, 1 督办, 2 约谈, 3 通报, 4 问责
LIST_LIMIT = 30


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
    training_short: list[Named]  # inspectors with training on record, under the hours of the rule's year
    training_average: float  # over the inspectors with training on record
    training_missing: int = 0  # inspectors with no training on record at all (not counted as short)
    full_time: int = 0
    students: int = 0
    schools_without_students: int = 0
    terms_ended: list[Named] = field(default_factory=list)  # inspectors whose appointment term has run out
    principal_terms: list[Named] = field(default_factory=list)  # principals' terms ended or ending within months

    @property
    def retiree_share(self) -> float:
        return self.retirees / self.inspectors if self.inspectors else 0.0

    @property
    def too_many_retirees(self) -> bool:
        return staffing.too_many_retirees(self.retirees, self.inspectors)

    @property
    def zones_over(self) -> list[Named]:
        return [z for z in self.zones if staffing.zone_too_large(int(z.value))]

    @property
    def training_known(self) -> bool:
        return self.training_missing < self.inspectors

    @property
    def full_time_needed(self) -> tuple[int, int]:
        return staffing.full_time_range(self.students)

    @property
    def full_time_per_10k(self) -> float | None:
        return staffing.full_time_per_10k(self.full_time, self.students)

    @property
    def full_time_short(self) -> bool:
        return staffing.full_time_short(self.full_time, self.students)


def schools_per_inspector_and_zone(schools: SchoolRows) -> tuple[Counter[int], Counter[str]]:
    """How many of the schools each current inspector holds, and each zone."""
    per_inspector = Counter(inspector for *_row, inspector in schools if inspector is not None)
    per_zone = Counter(zone for _i, _c, _n, zone, _inspector in schools if zone is not None)
    return per_inspector, per_zone


def coverage(session: Session, scope: Scope, schools: SchoolRows | None = None, today: date | None = None) -> Coverage:
    today = today or local_date(session_now(session))
    schools = school_rows(session, scope) if schools is None else schools
    orphans = [Named(code, name, 0, zone or "") for _i, code, name, zone, inspector in schools if inspector is None]
    per_inspector, zone_counts = schools_per_inspector_and_zone(schools)
    people = session.execute(
        select(
            Inspector.id, Inspector.number, Inspector.name, Inspector.retired, Inspector.employment,
            Inspector.term_ends_on,
        )
        .where(Inspector.id.in_(inspector_ids_in(scope)), Inspector.active.is_(True))
        .order_by(Inspector.number)
    ).all()  # fmt: skip
    names = {row[0]: (row[1], row[2]) for row in people}
    overloaded = sorted(
        (Named(names[i][0], names[i][1], n) for i, n in per_inspector.items() if staffing.overloaded(n) and i in names),
        key=lambda p: (-p.value, p.key),
    )
    hours = training.hours_by_inspector(session, names, today)
    recorded = [(row, hours[row[0]].hours) for row in people if row[0] in hours and hours[row[0]].recorded]
    short = sorted(
        (Named(row[1], row[2], h) for row, h in recorded if staffing.training_short(h)), key=lambda p: (p.value, p.key)
    )
    school_ids = [row[0] for row in schools]
    counts = session.execute(
        select(func.coalesce(func.sum(Unit.student_count), 0), count_if(Unit.student_count.is_(None))).where(
            *schools_of(scope)
        )
    ).one()
    principals = session.execute(
        select(Unit.code, Unit.name, Unit.principal_name, Unit.principal_term_ends_on)
        .where(*schools_of(scope), Unit.principal_term_ends_on.is_not(None))
        .order_by(Unit.principal_term_ends_on, Unit.code)
    ).all()
    return Coverage(
        schools=len(school_ids),
        without_inspector=len(orphans),
        without_inspector_list=orphans[:LIST_LIMIT],
        inspectors=len(people),
        overloaded=overloaded,
        zones=[Named(name, name, count) for name, count in sorted(zone_counts.items())],
        retirees=sum(1 for row in people if row[3]),
        training_short=short,
        training_average=(sum(h for _row, h in recorded) / len(recorded)) if recorded else 0.0,
        training_missing=len(people) - len(recorded),
        full_time=sum(1 for row in people if row[4] == Employment.FULL_TIME.value),
        students=int(counts[0] or 0),
        schools_without_students=int(counts[1] or 0),
        terms_ended=[Named(row[1], row[2], 0, str(row[5])) for row in people if staffing.term_ended(row[5], today)],
        principal_terms=[
            Named(code, name, 0, f"{principal} {ends}".strip())
            for code, name, principal, ends in principals
            if staffing.term_ended(ends, today) or staffing.term_ending_soon(ends, today)
        ][:LIST_LIMIT],
    )


# --- visits -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InspectorVisits:
    """An inspector's month and semester as `visit_progress` counts them, the same figures the bot's "本月" says."""

    number: str
    name: str
    progress: Progress

    @property
    def schools(self) -> int:
        return self.progress.schools

    @property
    def month(self) -> int:  # visits (次)
        return self.progress.month_visits

    @property
    def month_target(self) -> int:  # visits (次)
        return self.progress.month_target

    @property
    def month_schools(self) -> int:  # schools (所) that reached the monthly target
        return self.progress.month_done

    @property
    def semester(self) -> int:  # visits (次)
        return self.progress.semester_visits

    @property
    def semester_schools(self) -> int:  # schools (所) at the semester floor
        return self.progress.schools - len(self.progress.semester_short)

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


def visits(
    session: Session, scope: Scope, authority: Authority, today: date, schools: SchoolRows | None = None
) -> VisitFigures:
    """One pass over the semester's visits grouped by school; each inspector's row from `visit_progress`."""
    month, semester = month_of(today), semester_of(today)
    per_month = authority.visits_per_month_target
    floor = visit_targets.semester_floor(authority.visits_per_semester_floor)
    schools = school_rows(session, scope) if schools is None else schools
    # the semester's visits by inspector and school: the office's are what each inspector's row counts too
    grouped = session.execute(visit_progress.semester_visits(authority, today).where(owned(scope, Visit))).all()
    at_school: dict[int, list[int]] = {}
    for _inspector_id, unit_id, n, in_month in grouped:
        counts = at_school.setdefault(unit_id, [0, 0])
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
    _assigned, zone_total = schools_per_inspector_and_zone(schools)
    zone_visited = Counter(zone for unit_id, _c, _n, zone, _i in schools if at_school.get(unit_id, [0, 0])[1])
    people = session.execute(
        select(Inspector.id, Inspector.number, Inspector.name).where(
            Inspector.id.in_(inspector_ids_in(scope)), Inspector.active.is_(True)
        )
    ).all()
    progress = visit_progress.progress_by_inspector(
        session, authority, [row[0] for row in people], today, counts=grouped if scope.is_office else None
    )
    per_inspector = [InspectorVisits(number, name, progress[inspector_id]) for inspector_id, number, name in people]
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
    median_answer_days: float | None  # days, as /public shows them


def concerns_in(scope: Scope) -> Select[Any]:
    return select(Concern.id).where(owned(scope, Concern))


def concerns(session: Session, scope: Scope, authority: Authority, today: date) -> ConcernFigures:
    """Three statements: this year's concerns grouped by state and item, the open ones, the medians."""
    period = year_of(today)
    start, end = utc_bounds(period)
    this_year = concerns_in(scope).where(Concern.created_at >= start, Concern.created_at < end)
    ack_day, answer_day = local_day(session, Concern.acknowledged_at), local_day(session, Concern.answered_at)
    grouped = session.execute(
        this_year.with_only_columns(
            Concern.state,
            Concern.category,
            func.count(Concern.id),
            func.count(Concern.acknowledged_at),
            count_if(ack_day <= Concern.ack_due_on),
            func.count(Concern.answered_at),
            count_if(answer_day <= Concern.answer_due_on),
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
    by_item = items_in_list(authority, by_code)
    open_row = session.execute(
        concerns_in(scope)
        .with_only_columns(
            func.count(Concern.id),
            count_if(and_(Concern.acknowledged_at.is_(None), Concern.ack_due_on < today)),
            count_if(concern_answer_overdue(today)),
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
        median_answer_days=median_answer_days(session, this_year),
    )


def items_in_list(authority: Authority, counts: dict[str, int]) -> list[Named]:
    """Counts per supervision item, exactly the authority's list in its order (zeros included); whatever carries no
    item of the list (none chosen, or an item since removed from it) in one last bucket, "未分类"."""
    items = items_of(authority)
    listed = {str(item["code"]) for item in items}
    rows = [Named(str(item["code"]), str(item["name"]), counts.get(str(item["code"]), 0)) for item in items]
    other = sum(n for code, n in counts.items() if code not in listed)
    if other:
        rows.append(Named("", t("office.item.none"), other))
    return rows


def median_answer_days(session: Session, query: Select[Any]) -> float | None:
    """Median days from receiving a concern to answering it, over the concerns of `query` (/public's unit)."""
    answer = days_between(session, Concern.answered_at, Concern.created_at)
    answered = query.where(Concern.answered_at.is_not(None))
    if session.get_bind().dialect.name == "postgresql":
        value = session.scalar(answered.with_only_columns(func.percentile_cont(0.5).within_group(answer)))
        return None if value is None else float(value)
    values = [float(v) for v in session.scalars(answered.with_only_columns(answer))]
    return statistics.median(values) if values else None


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


def rectifications_in(scope: Scope) -> Select[Any]:
    return select(Rectification.id).where(owned(scope, Rectification))


def rectifications(session: Session, scope: Scope, today: date) -> RectificationFigures:
    """One statement grouped by state and level; then the rungs and requests waiting for the office."""
    start, end = utc_bounds(year_of(today))
    done_day = local_day(session, func.coalesce(Rectification.submitted_at, Rectification.verified_at))
    this_year = and_(Rectification.verified_at >= start, Rectification.verified_at < end)
    grouped = session.execute(
        rectifications_in(scope)
        .with_only_columns(
            Rectification.state,
            Rectification.level,
            func.count(Rectification.id),
            count_if(rectification_overdue(today)),
            count_if(this_year),
            count_if(and_(this_year, done_day <= Rectification.deadline)),
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
            ExtensionRequest.rectification_id.in_(rectifications_in(scope)),
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


# --- emergencies ----------------------------------------------------------------------------------------------

URGENT_DAYS = 7  # an emergency visit stays at the top of the dashboard for a week


@dataclass(frozen=True)
class UrgentVisit:
    """An emergency report (紧急): shown on the dashboard as soon as it is recorded, not only pushed in WeChat."""

    visit_id: int
    visited_on: date
    reported_at: Any
    school: str
    inspector: str
    text: str


def urgent_visits(session: Session, scope: Scope, today: date) -> list[UrgentVisit]:
    """The scope's emergency visits of the last `URGENT_DAYS` days, newest first."""
    rows = session.execute(
        select(
            Visit.id, Visit.visited_on, Visit.created_at, Unit.name, Inspector.name, Visit.problems, Visit.observations
        )
        .join(Unit, Unit.id == Visit.unit_id)
        .join(Inspector, Inspector.id == Visit.inspector_id)
        .where(
            owned(scope, Visit),
            live_visits(),
            Visit.urgent.is_(True),
            Visit.visited_on >= today - timedelta(days=URGENT_DAYS - 1),
        )
        .order_by(Visit.created_at.desc(), Visit.id.desc())
        .limit(LIST_LIMIT)
    ).all()
    return [
        UrgentVisit(visit_id, day, at, school, inspector, (problems or observations or "").strip())
        for visit_id, day, at, school, inspector, problems, observations in rows
    ]


@dataclass
class Dashboard:
    today: date
    coverage: Coverage
    visits: VisitFigures
    concerns: ConcernFigures
    rectifications: RectificationFigures
    urgent: list[UrgentVisit] = field(default_factory=list)


def dashboard(session: Session, scope: Scope, authority: Authority, today: date | None = None) -> Dashboard:
    """Everything the dashboard shows, for `scope`, as of `today` (Asia/Shanghai)."""
    today = today or local_date(session_now(session))
    schools = school_rows(session, scope)
    return Dashboard(
        today=today,
        coverage=coverage(session, scope, schools, today),
        visits=visits(session, scope, authority, today, schools),
        concerns=concerns(session, scope, authority, today),
        rectifications=rectifications(session, scope, today),
        urgent=urgent_visits(session, scope, today),
    )
