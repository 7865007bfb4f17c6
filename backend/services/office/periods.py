"""Periods of Asia/Shanghai dates (month, semester, year) and their bounds, in Python and in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, and_, cast, func, literal_column
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement as SqlColumn

from backend.domain import visit_targets
from backend.domain.calendar import SHANGHAI


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


def days_between(session: Session, end: Any, start: Any) -> Any:
    """Days (with their fraction) from `start` to `end`, in SQL: the one unit of response times, on the dashboard,
    /public and the annual summary."""
    return seconds_between(session, end, start) / 86400.0


def seconds_between(session: Session, end: Any, start: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0
