"""Working days in the Chinese calendar, with holidays and 调休 make-up days."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from backend.domain.calendar import WorkingCalendar, local_date, official_schedule, parse_schedule
from backend.domain.kinds import CalendarDayKind

CAL = WorkingCalendar.official()


def test_ordinary_weekdays_work_and_weekends_rest() -> None:
    assert CAL.is_working_day(date(2026, 11, 20))  # Friday
    assert not CAL.is_working_day(date(2026, 11, 21))  # Saturday
    assert not CAL.is_working_day(date(2026, 11, 22))  # Sunday


@pytest.mark.parametrize(
    "day",
    [date(2026, 1, 1), date(2026, 2, 16), date(2026, 2, 23), date(2026, 5, 5), date(2026, 10, 7), date(2025, 10, 8)],
)
def test_official_holidays_on_weekdays_are_days_off(day: date) -> None:
    assert day.weekday() < 5
    assert not CAL.is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20), date(2026, 10, 10)],
)
def test_make_up_weekend_days_are_working_days(day: date) -> None:
    assert day.weekday() >= 5
    assert CAL.is_working_day(day)


def test_a_deadline_skips_the_national_day_week_and_counts_the_make_up_saturday() -> None:
    # issued on Wednesday 30 Sep 2026: 1-7 Oct off, Thu 8 and Fri 9 work, Sat 10 Oct is a make-up working day
    assert CAL.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert CAL.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert CAL.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)


def test_one_working_day_after_friday_is_monday() -> None:
    assert CAL.add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 23)


def test_spring_festival_deadline() -> None:
    # Friday 13 Feb 2026; Sat 14 Feb is worked; 15-23 Feb off
    assert CAL.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert CAL.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)


def test_zero_working_days_from_a_holiday_is_the_next_working_day() -> None:
    assert CAL.add_working_days(date(2026, 10, 3), 0) == date(2026, 10, 8)
    assert CAL.add_working_days(date(2026, 11, 20), 0) == date(2026, 11, 20)


def test_subtracting_and_counting_agree_with_adding() -> None:
    start = date(2026, 9, 28)
    for n in range(0, 15):
        end = CAL.add_working_days(start, n)
        assert CAL.working_days_between(start, end) == n
        if n:
            assert CAL.subtract_working_days(end, n) <= start
    assert CAL.working_days_between(date(2026, 10, 9), date(2026, 9, 30)) == -2


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 1, 5), -1)


def test_the_shipped_schedule_covers_2025_and_2026() -> None:
    days = official_schedule()
    years = {e.day.year for e in days}
    assert years == {2025, 2026}
    holidays_2026 = [e for e in days if e.day.year == 2026 and e.kind is CalendarDayKind.HOLIDAY]
    assert len(holidays_2026) == 3 + 9 + 3 + 5 + 3 + 3 + 7


def test_the_schedule_format_parses_comments_and_make_up_days() -> None:
    parsed = list(parse_schedule(["# comment", "2027,元旦,2027-01-01,2027-01-01,2027-01-02", ""]))
    assert [(e.day, e.kind) for e in parsed] == [
        (date(2027, 1, 1), CalendarDayKind.HOLIDAY),
        (date(2027, 1, 2), CalendarDayKind.WORKDAY),
    ]


def test_local_date_is_shanghai_time() -> None:
    assert local_date(datetime(2026, 11, 21, 17, 0, tzinfo=UTC)) == date(2026, 11, 22)


def test_a_year_counts_as_scheduled_only_with_its_official_holidays() -> None:
    official = WorkingCalendar.official()
    assert official.has_schedule(2025) and official.has_schedule(2026) and not official.has_schedule(2027)
    by_hand = WorkingCalendar({date(2027, 1, 1): CalendarDayKind.HOLIDAY, date(2027, 2, 8): CalendarDayKind.HOLIDAY})
    assert not by_hand.has_schedule(2027)  # two days set by the office are not a schedule


def test_this_years_schedule_is_always_asked_for_and_next_years_from_november() -> None:
    official = WorkingCalendar.official()
    assert official.missing_schedules(date(2026, 10, 31)) == []
    assert official.missing_schedules(date(2026, 11, 1)) == [2027]
    assert official.missing_schedules(date(2027, 3, 1)) == [2027]
    assert official.missing_schedules(date(2027, 12, 31)) == [2027, 2028]
    assert WorkingCalendar().missing_schedules(date(2026, 6, 1)) == [2026]
