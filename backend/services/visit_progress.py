"""Where inspectors stand this month and semester: the one home of "本月" for the bot and the dashboard.

An inspector's figures count their own visits to the schools they are responsible for now (active schools and
kindergartens): 督导次数 in visits (次), 到校 in schools (所) that reached the monthly target, and the schools still
under the semester floor. One grouped statement for any number of inspectors (a prefecture has thousands).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from backend.domain import visit_targets
from backend.domain.kinds import UnitKind
from backend.domain.visit_targets import Progress
from backend.store.models import Assignment, Authority, Unit, Visit

SCHOOL_KINDS: tuple[str, ...] = tuple(k.value for k in UnitKind if k.is_school)


def progress_by_inspector(
    session: Session, authority: Authority, inspector_ids: Collection[int], today: date
) -> dict[int, Progress]:
    """Each inspector's `Progress` as of `today` (Asia/Shanghai), by inspector id; every id asked gets one."""
    month, semester = visit_targets.month_of(today), visit_targets.semester_of(today)
    wanted = list(inspector_ids)
    schools: dict[int, list[int]] = {i: [] for i in wanted}
    for inspector_id, unit_id in session.execute(
        select(Assignment.inspector_id, Unit.id)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(
            Assignment.ends_on.is_(None),
            Assignment.inspector_id.in_(wanted),
            Unit.active.is_(True),
            Unit.kind.in_(SCHOOL_KINDS),
        )
        .order_by(Unit.code)
    ):
        schools.setdefault(inspector_id, []).append(unit_id)
    in_month = and_(Visit.visited_on >= month.start, Visit.visited_on <= month.end)
    month_counts: dict[int, dict[int, int]] = {}
    semester_counts: dict[int, dict[int, int]] = {}
    for inspector_id, unit_id, n, n_month in session.execute(
        select(Visit.inspector_id, Visit.unit_id, func.count(Visit.id), func.sum(case((in_month, 1), else_=0)))
        .where(
            Visit.inspector_id.in_(wanted),
            Visit.revoked_at.is_(None),
            Visit.visited_on >= semester.start,
            Visit.visited_on <= semester.end,
        )
        .group_by(Visit.inspector_id, Visit.unit_id)
    ):
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
