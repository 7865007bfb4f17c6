"""The office's calendar in the database: the official schedule loaded once, local changes kept."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from backend.domain.kinds import CalendarDayKind
from backend.services.calendar import load_official_calendar, set_day, working_calendar
from backend.store.db import Database
from backend.store.models import AuditEvent, CalendarDay


def test_loading_the_official_schedule_twice_adds_it_once(database: Database) -> None:
    with database.session() as s:
        added = load_official_calendar(s)
    with database.session() as s:
        assert load_official_calendar(s) == 0
        assert s.scalar(select(func.count()).select_from(CalendarDay)) == added > 40
        assert not working_calendar(s).is_working_day(date(2026, 10, 5))


def test_an_office_change_survives_reloading_the_official_schedule(database: Database) -> None:
    with database.session() as s:
        load_official_calendar(s)
        set_day(s, date(2026, 10, 9), CalendarDayKind.HOLIDAY, "县里补假", actor="office:1")
        set_day(s, date(2026, 10, 10), None, actor="office:1")
    with database.session() as s:
        load_official_calendar(s)
        cal = working_calendar(s)
        assert not cal.is_working_day(date(2026, 10, 9))
        assert not cal.is_working_day(date(2026, 10, 10))  # the make-up Saturday, removed, stays removed
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.action == "calendar.changed")).all()
        assert len(actions) == 2
