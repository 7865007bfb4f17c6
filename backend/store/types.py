"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect
from sqlalchemy.engine.interfaces import ExecutionContext
from sqlalchemy.types import TypeDecorator


def clock_default(context: ExecutionContext) -> datetime:
    """A column default: the current moment by the clock the engine carries (the runtime's clock)."""
    from backend.store.db import CLOCK_OPTION

    clock = context.execution_options.get(CLOCK_OPTION)
    if clock is None:
        raise RuntimeError("engines are made by backend.store.db.make_engine, which gives them the clock")
    moment: datetime = clock.now()
    return moment


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC, always returned as an aware UTC datetime (SQLite keeps no time zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)
