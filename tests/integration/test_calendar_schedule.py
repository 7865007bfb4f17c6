"""A year whose official holiday schedule is not loaded: Monday-Friday meanwhile, and the office is told so."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from backend.app import create_app
from backend.clock import SettableClock
from backend.config import Config
from backend.domain.kinds import Role
from backend.kv import MemoryKV
from backend.runtime import Runtime
from backend.services.calendar import load_official_calendar, remind_missing_schedule, working_calendar
from backend.store.db import Database
from backend.store.models import OutboxMessage, WechatIdentity
from messages import t

DEC_1_2026 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai; 2027's schedule is not shipped


def office_with_schedule(database: Database) -> None:
    with database.session() as s:
        load_official_calendar(s)  # 2025 and 2026
        s.add(WechatIdentity(openid="o-office", role=Role.OFFICE.value, following=True))


def healthz(database: Database) -> dict[str, object]:
    app = create_app(runtime=Runtime(Config(database_url=database.url, testing=True), database, MemoryKV()))
    response = app.test_client().get("/healthz")
    assert response.status_code == 200  # a missing schedule is a warning, not an outage
    body: dict[str, object] = response.get_json()
    return body


def alerts(database: Database) -> list[OutboxMessage]:
    with database.session() as s:
        return list(s.scalars(select(OutboxMessage).where(OutboxMessage.openid == "o-office")))


def test_a_year_without_its_schedule_counts_monday_to_friday(database: Database) -> None:
    office_with_schedule(database)
    with database.session() as s:
        cal = working_calendar(s)
    assert cal.has_schedule(2026) and not cal.has_schedule(2027)
    assert not cal.is_working_day(date(2026, 10, 5)) and cal.is_working_day(date(2026, 10, 10))  # 国庆, 调休
    # 2027-01-01 is a Friday and New Year's Day, but without 2027's schedule it counts as a working day
    assert cal.is_working_day(date(2027, 1, 1))
    assert cal.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 1)


def test_next_years_schedule_is_asked_for_from_november(database: Database, clock: SettableClock) -> None:
    office_with_schedule(database)
    clock.set(datetime(2026, 10, 20, 2, 0, tzinfo=UTC))
    assert healthz(database)["calendar"] == {"ok": True, "missing_years": [], "message": "正常"}
    clock.set(DEC_1_2026)
    calendar = healthz(database)["calendar"]
    assert isinstance(calendar, dict) and calendar["ok"] is False and calendar["missing_years"] == [2027]
    assert calendar["message"] == t("calendar.missing.note", years="2027")
    assert "dudao calendar load" in str(calendar["message"])


def test_a_year_with_no_schedule_at_all_is_named(database: Database, clock: SettableClock) -> None:
    clock.set(datetime(2027, 2, 1, 1, 30, tzinfo=UTC))  # nothing loaded for 2027
    office_with_schedule(database)
    calendar = healthz(database)["calendar"]
    assert isinstance(calendar, dict) and calendar["missing_years"] == [2027]


def test_the_office_is_alerted_once_each_december_until_the_schedule_is_loaded(database: Database) -> None:
    office_with_schedule(database)
    with database.session() as s:
        assert remind_missing_schedule(s, datetime(2026, 11, 30, 2, 0, tzinfo=UTC)) == 0  # not in November
        assert remind_missing_schedule(s, DEC_1_2026) == 1
        assert remind_missing_schedule(s, datetime(2026, 12, 15, 2, 0, tzinfo=UTC)) == 0  # once in that December
    (alert,) = alerts(database)
    assert alert.kind in ("office_alert", "template") and "2027" in str(alert.payload)
    with database.session() as s:
        # a December later, 2027's schedule still missing (and 2028's): asked again
        assert remind_missing_schedule(s, datetime(2027, 12, 2, 2, 0, tzinfo=UTC)) == 1
    assert len(alerts(database)) == 2


def test_a_loaded_schedule_stops_the_december_alert(database: Database) -> None:
    office_with_schedule(database)
    lines = ["2027,元旦,2027-01-01,2027-01-03,", "2027,春节,2027-02-05,2027-02-13,2027-01-31;2027-02-20"]
    from backend.domain.calendar import parse_schedule
    from backend.services.calendar import load_schedule

    with database.session() as s:
        load_schedule(s, list(parse_schedule(lines)), actor="office:1")
        assert remind_missing_schedule(s, DEC_1_2026) == 0
        assert not working_calendar(s).is_working_day(date(2027, 1, 1))
    assert alerts(database) == []
