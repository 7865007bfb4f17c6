"""Where inspectors stand this month and semester: the one home of "本月" for the bot and the dashboard.

An inspector's figures count their own visits to the schools they are responsible for now (active schools and
kindergartens): 督导次数 in visits (次), 到校 in schools (所) that reached the monthly target, and the schools still
under the semester floor. Two grouped statements for any number of inspectors (a prefecture has thousands).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from backend.domain import visit_targets
from backend.domain.kinds import UnitKind
from backend.domain.visit_targets import Progress
from backend.store.models import Assignment, Authority, Unit, Visit

SCHOOL_KINDS: tuple[str, ...] = tuple(k.value for k in UnitKind if k.is_school)
FEW = 50  # up to this many inspectors are asked for by id; more, by their authority (a long IN list costs more)


def semester_visits(authority: Authority, today: date) -> Select[int, int, int, Any]:
    """(inspector id, unit id, visits this semester, of them this month) over the authority's live visits: the
    counts `progress_by_inspector` reads (the dashboard, which groups the same visits for its totals, passes them)."""
    month, semester = visit_targets.month_of(today), visit_targets.semester_of(today)
    in_month = and_(Visit.visited_on >= month.start, Visit.visited_on <= month.end)
    query: Select[int, int, int, Any] = (
        select(Visit.inspector_id, Visit.unit_id, func.count(Visit.id), func.sum(case((in_month, 1), else_=0)))
        .where(
            Visit.authority_id == authority.id,
            Visit.revoked_at.is_(None),
            Visit.visited_on >= semester.start,
            Visit.visited_on <= semester.end,
        )
        .group_by(Visit.inspector_id, Visit.unit_id)
    )
    return query


def progress_by_inspector(
    session: Session,
    authority: Authority,
    inspector_ids: Collection[int],
    today: date,
    counts: Iterable[Sequence[Any]] | None = None,
) -> dict[int, Progress]:
    """Each inspector's `Progress` as of `today` (Asia/Shanghai), by inspector id; every id asked gets one.

    `counts`: the rows of `semester_visits` (all of the authority's), when the caller has them already."""
    wanted = list(inspector_ids)
    few = len(wanted) <= FEW
    schools: dict[int, list[int]] = {i: [] for i in wanted}
    for inspector_id, unit_id in session.execute(
        select(Assignment.inspector_id, Unit.id)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(
            Assignment.ends_on.is_(None),
            Assignment.inspector_id.in_(wanted) if few else Unit.authority_id == authority.id,
            Unit.active.is_(True),
            Unit.kind.in_(SCHOOL_KINDS),
        )
        .order_by(Unit.code)
    ):
        if inspector_id in schools:
            schools[inspector_id].append(unit_id)
    if counts is None:
        query = semester_visits(authority, today)
        counts = session.execute(query.where(Visit.inspector_id.in_(wanted)) if few else query)
    month_counts: dict[int, dict[int, int]] = {}
    semester_counts: dict[int, dict[int, int]] = {}
    for inspector_id, unit_id, n, n_month in counts:
        semester_counts.setdefault(inspector_id, {})[unit_id] = int(n)
        month_counts.setdefault(inspector_id, {})[unit_id] = int(n_month or 0)
    return {
        inspector_id: visit_targets.progress(
            units,
            month_counts.get(inspector_id, {}),
            semester_counts.get(inspector_id, {}),
            per_month=authority.visits_per_month_target,
            floor=authority.visits_per_semester_floor,
        )
        for inspector_id, units in schools.items()
    }


def progress_of(session: Session, authority: Authority, inspector_id: int, today: date) -> Progress:
    """One inspector's `Progress`: what the bot answers to "本月"."""
    return progress_by_inspector(session, authority, [inspector_id], today)[inspector_id]
