"""The rules for the inspectors (督学队伍) of DOMAIN.md: checked on the dashboard, never enforced by refusing data."""

from __future__ import annotations

import math
from datetime import date, timedelta

SCHOOLS_PER_INSPECTOR = 5  # 1:5 (a very large school may get 1:1)
SCHOOLS_PER_ZONE = 20  # a responsibility zone holds no more than about 20 schools
RETIREE_SHARE_MAX = 0.40  # retirees at most 40 % of all inspectors
TRAINING_HOURS_MIN = 40.0  # training hours (学时) a year per inspector, at county level or above
STUDENTS_PER_FULL_TIME = 10_000  # 1-2 full-time inspectors per 10,000 students
FULL_TIME_PER_10K = (1, 2)


def overloaded(schools: int) -> bool:
    return schools > SCHOOLS_PER_INSPECTOR


def zone_too_large(schools: int) -> bool:
    return schools > SCHOOLS_PER_ZONE


def too_many_retirees(retirees: int, inspectors: int) -> bool:
    return inspectors > 0 and retirees / inspectors > RETIREE_SHARE_MAX


def training_short(hours: float) -> bool:
    return hours < TRAINING_HOURS_MIN


def full_time_range(students: int) -> tuple[int, int]:
    """How many full-time inspectors `students` call for: at least 1 and at most 2 per 10,000 (rounded up)."""
    low, high = FULL_TIME_PER_10K
    tens_of_thousands = students / STUDENTS_PER_FULL_TIME
    return math.ceil(low * tens_of_thousands), math.ceil(high * tens_of_thousands)


def training_year(today: date) -> tuple[date, date]:
    """The year the 40-hour rule looks at: the twelve months up to `today` (a rolling year, so January does not
    start everyone at zero)."""
    try:
        start = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - 1, day=28)
    return start + timedelta(days=1), today


def full_time_short(full_time: int, students: int) -> bool:
    """Fewer full-time inspectors than 1 per 10,000 students."""
    return students > 0 and full_time < full_time_range(students)[0]


def full_time_per_10k(full_time: int, students: int) -> float | None:
    return None if students <= 0 else full_time * STUDENTS_PER_FULL_TIME / students


def term_ended(term_ends_on: date | None, today: date) -> bool:
    return term_ends_on is not None and term_ends_on < today


def term_ending_soon(term_ends_on: date | None, today: date, days: int = 183) -> bool:
    """A principal's term ending within about six months: the 任期结束综合督导 is to be planned."""
    return term_ends_on is not None and today <= term_ends_on <= today + timedelta(days=days)
