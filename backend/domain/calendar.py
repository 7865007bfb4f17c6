"""The working-day calendar: Monday to Friday, less holidays, plus make-up working days (调休), in Asia/Shanghai.

The exceptions are data (the State Council publishes them each year; the office can update them); the rules
here are pure.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

from backend.domain.kinds import CalendarDayKind

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_now(moment: datetime) -> datetime:
    """An aware moment in Asia/Shanghai."""
    return moment.astimezone(SHANGHAI)


def local_date(moment: datetime) -> date:
    """The Asia/Shanghai date of an aware moment."""
    return moment.astimezone(SHANGHAI).date()


@dataclass(frozen=True)
class CalendarException:
    day: date
    kind: CalendarDayKind
    name: str


def official_schedule() -> list[CalendarException]:
    """The official holidays and make-up days shipped with dudao (2025 and 2026)."""
    text = resources.files("backend.domain").joinpath("data/official_holidays.csv").read_text(encoding="utf-8")
    return list(parse_schedule(text.splitlines()))


def parse_schedule(lines: Iterable[str]) -> Iterator[CalendarException]:
    """Parse `year,name,first_day_off,last_day_off,make_up_days` lines (comments start with #)."""
    rows = csv.reader(line for line in lines if line.strip() and not line.lstrip().startswith("#"))
    for _year, name, first, last, make_up in rows:
        day, end = date.fromisoformat(first), date.fromisoformat(last)
        while day <= end:
            yield CalendarException(day, CalendarDayKind.HOLIDAY, name)
            day += timedelta(days=1)
        for worked in filter(None, make_up.split(";")):
            yield CalendarException(date.fromisoformat(worked.strip()), CalendarDayKind.WORKDAY, name)


# An official schedule gives 25-35 days off a year; a year holding fewer holidays had days set by hand, not its
# schedule loaded.
SCHEDULE_MIN_HOLIDAYS = 10
# The State Council publishes next year's schedule in November or December: from November on, it is asked for.
NEXT_YEAR_ASKED_FROM_MONTH = 11


class WorkingCalendar:
    """Answers which days are working days and counts working days for deadlines.

    A year without its official schedule falls back to Monday-Friday; `missing_schedules` says so.
    """

    def __init__(self, exceptions: Mapping[date, CalendarDayKind | str] | None = None) -> None:
        self._exceptions = {day: CalendarDayKind(kind) for day, kind in (exceptions or {}).items()}

    @classmethod
    def official(cls) -> WorkingCalendar:
        return cls({e.day: e.kind for e in official_schedule()})

    def is_working_day(self, day: date) -> bool:
        kind = self._exceptions.get(day)
        if kind is CalendarDayKind.HOLIDAY:
            return False
        if kind is CalendarDayKind.WORKDAY:
            return True
        return day.weekday() < 5

    def add_working_days(self, start: date, count: int) -> date:
        """The `count`-th working day after `start` (a deadline "within N working days" of `start`)."""
        if count < 0:
            raise ValueError("count must not be negative")
        day = start
        if count == 0:
            while not self.is_working_day(day):
                day += timedelta(days=1)
            return day
        remaining = count
        while remaining:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def subtract_working_days(self, end: date, count: int) -> date:
        """The `count`-th working day before `end` (e.g. when to remind ahead of a deadline)."""
        day, remaining = end, count
        while remaining > 0:
            day -= timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def has_schedule(self, year: int) -> bool:
        """Whether `year`'s official holidays are in the data (not only a few days set by hand)."""
        holidays = sum(
            1 for day, kind in self._exceptions.items() if day.year == year and kind is CalendarDayKind.HOLIDAY
        )
        return holidays >= SCHEDULE_MIN_HOLIDAYS

    def missing_schedules(self, today: date) -> list[int]:
        """The years whose schedule must be loaded as of `today`: this year, and from November the next one."""
        wanted = [today.year]
        if today.month >= NEXT_YEAR_ASKED_FROM_MONTH:
            wanted.append(today.year + 1)
        return [year for year in wanted if not self.has_schedule(year)]

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative when `end` is before `start`)."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for n in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=n)))
