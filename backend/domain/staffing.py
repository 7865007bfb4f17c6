"""The rules for the inspectors (督学队伍) of DOMAIN.md: checked on the dashboard, never enforced by refusing data."""

from __future__ import annotations

import math

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
