"""Visits against the target: per school per month (the authority's setting) and the legal floor per semester.

教育督导条例 第十四条: at least two visits per school per semester, whatever the monthly setting says.
Semesters: autumn from 1 September to the end of January, spring from 1 February to the end of August.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

LEGAL_SEMESTER_FLOOR = 2


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(first, following - timedelta(days=1))


def previous_month(day: date) -> Period:
    return month_of(day.replace(day=1) - timedelta(days=1))


def parse_month(text: str) -> Period:
    """`2026-11` as that month."""
    year, month = (int(part) for part in text.split("-", 1))
    return month_of(date(year, month, 1))


def semester_of(day: date) -> Period:
    if day.month >= 9:
        return Period(date(day.year, 9, 1), date(day.year + 1, 1, 31))
    if day.month == 1:
        return Period(date(day.year - 1, 9, 1), date(day.year, 1, 31))
    return Period(date(day.year, 2, 1), date(day.year, 8, 31))


def semester_floor(setting: int) -> int:
    """The per-semester floor: the authority's setting, never below the legal two."""
    return max(setting, LEGAL_SEMESTER_FLOOR)


@dataclass(frozen=True)
class Progress:
    """Visits per school in a month and a semester, against the targets."""

    schools: int
    per_month_target: int  # per school
    month_done: int  # schools with enough visits this month
    month_visits: int
    semester_floor: int  # per school
    semester_short: tuple[int, ...]  # schools still below the floor this semester
    month_short: tuple[int, ...]  # schools still below the monthly target
    semester_visits: int = 0

    @property
    def month_target(self) -> int:
        return self.schools * self.per_month_target


def progress(
    schools: Sequence[int],
    month_visits: Mapping[int, int],
    semester_visits: Mapping[int, int],
    *,
    per_month: int,
    floor: int,
) -> Progress:
    """Where an inspector stands: `*_visits` count visits per school id."""
    per_month = max(per_month, 0)
    floor = semester_floor(floor)
    month_short = tuple(s for s in schools if month_visits.get(s, 0) < per_month)
    return Progress(
        schools=len(schools),
        per_month_target=per_month,
        month_done=len(schools) - len(month_short),
        month_visits=sum(month_visits.get(s, 0) for s in schools),
        semester_floor=floor,
        semester_short=tuple(s for s in schools if semester_visits.get(s, 0) < floor),
        month_short=month_short,
        semester_visits=sum(semester_visits.get(s, 0) for s in schools),
    )


def percent(done: int, target: int) -> int:
    return 100 if target <= 0 else min(100, math.floor(100 * done / target))
