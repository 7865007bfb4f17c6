"""One date and duration parser for visits, deadlines and extensions (backend.domain.dates)."""

from __future__ import annotations

from datetime import date

import pytest

from backend.domain import dates
from backend.domain.calendar import WorkingCalendar

CAL = WorkingCalendar.official()
TODAY = date(2026, 11, 23)  # a Monday
CURRENT = date(2026, 11, 30)  # an item's deadline before the extension


@pytest.mark.parametrize(
    ("typed", "until"),
    [
        ("两周", date(2026, 12, 14)),  # from the current deadline
        ("半个月", date(2026, 12, 15)),
        ("10天内", date(2026, 12, 14)),  # ten working days
        ("三个工作日", date(2026, 12, 3)),
        ("月底前", date(2026, 11, 30)),
        ("下周五前", date(2026, 12, 4)),
        ("12.10", date(2026, 12, 10)),
        ("12月10日", date(2026, 12, 10)),
        ("2026-12-10", date(2026, 12, 10)),
        ("1-5", date(2027, 1, 5)),
    ],
)
def test_an_extension_is_a_date_or_a_duration(typed: str, until: date) -> None:
    assert dates.new_deadline(typed, today=TODAY, current=CURRENT, cal=CAL) == until


@pytest.mark.parametrize("typed", ["2026-11-01", "2026-02-30", "看情况", "尽快"])
def test_an_extension_that_says_no_day_or_lies_behind_is_refused(typed: str) -> None:
    assert dates.new_deadline(typed, today=TODAY, current=CURRENT, cal=CAL) is None


def test_day_counts_in_deadlines_are_working_days_and_numerals_are_read_by_cn2an() -> None:
    found = dates.find_deadline("要求3天内清理干净", TODAY, CAL)
    assert found is not None and found.on == date(2026, 11, 26)
    friday = dates.find_deadline("要求三天内清理干净", date(2026, 11, 20), CAL)
    assert friday is not None and friday.on == date(2026, 11, 25)  # over the weekend
    assert [dates.to_int(x) for x in ("三", "十二", "二十一", "两", "7", "x")] == [3, 12, 21, 2, 7, None]


@pytest.mark.parametrize("text", ["前几天去的", "最近去了", "上周去了", "前段时间去的"])
def test_a_vague_day_is_asked(text: str) -> None:
    assert dates.find_visit_date(text, TODAY).problem == dates.DATE_VAGUE


def test_a_date_inside_a_deadline_is_not_the_visit_day() -> None:
    text = dates.without_deadlines("昨天去的 要求12月10日前整改")
    assert dates.find_visit_date(text, TODAY).on == date(2026, 11, 22)
