"""The visit parser against a corpus of real-sounding inspector messages: right, or a question; never a wrong
school or date."""

from __future__ import annotations

from datetime import date

import pytest

from backend.domain import visit_text as vt
from backend.domain.calendar import WorkingCalendar
from tests.data.visit_messages import CASES, SCHOOLS, TODAY, Case

REFS = [vt.SchoolRef(id_, name, short, n) for n, (id_, name, short) in enumerate(SCHOOLS, start=1)]
CAL = WorkingCalendar.official()
SCHOOL_QUESTIONS = {vt.SCHOOL_MISSING, vt.SCHOOL_AMBIGUOUS, vt.SCHOOL_UNSURE, vt.SCHOOL_UNKNOWN}


def read(text: str) -> vt.VisitReading:
    return vt.read_visit(text, REFS, TODAY, CAL)


def test_the_corpus_is_large_and_varied() -> None:
    assert len(CASES) >= 60
    assert sum(1 for c in CASES if c.ask) >= 15
    assert len({c.school for c in CASES if c.school}) == len(SCHOOLS)


@pytest.mark.parametrize("case", CASES, ids=[c.text[:24] for c in CASES])
def test_each_message_is_understood_or_asked(case: Case) -> None:
    reading = read(case.text)
    # the one rule above all: never a wrong school or date
    assert reading.school_id in (None, case.school), reading.school
    assert reading.visited_on in (None, case.day), reading.visit_date
    if case.ask in SCHOOL_QUESTIONS:
        assert reading.school_id is None and reading.school.problem in SCHOOL_QUESTIONS
        assert not reading.complete
    elif case.ask:
        assert case.ask in reading.unclear and reading.visited_on is None
        assert not reading.complete
    else:
        assert reading.unclear == (), reading.unclear
        assert reading.complete
    if case.school is not None and (case.ask is None or case.ask.startswith("date")):
        assert reading.school_id == case.school, reading.school
    if case.ask is None:
        assert reading.visited_on == case.day
    assert case.items <= set(reading.items), reading.items
    assert (reading.deadline.on if reading.deadline else None) == case.deadline
    assert reading.urgent is case.urgent
    assert len(reading.problems) >= case.problems, reading.problems
    assert reading.kind == case.kind


def test_a_typo_proposes_the_school_it_resembles_without_taking_it() -> None:
    reading = read("今天在城官二小看了食堂")
    assert reading.school_id is None and reading.school.candidates[0] == 12


def test_two_schools_that_fit_are_both_offered() -> None:
    reading = read("二实验小学与实验小学联合教研活动 今天听课")
    assert set(reading.school.candidates) == {13, 14}


def test_a_deadline_is_not_taken_for_the_day_of_the_visit() -> None:
    reading = read("昨天在实验小学 灭火器过期 要求12月1日前更换")
    assert reading.visited_on == date(2026, 11, 22)
    assert reading.deadline is not None and reading.deadline.on == date(2026, 12, 1)


def test_working_days_skip_the_national_day_holiday() -> None:
    deadline = vt.find_deadline("要求3个工作日内整改", date(2026, 9, 30), CAL)
    assert deadline is not None and deadline.on > date(2026, 10, 7)


def test_observations_problems_and_requirement_are_told_apart() -> None:
    reading = read("今天在城关二小，看了食堂和校门值守，晨检记录缺了3天，要求一周内补齐")
    assert reading.observations == "看了食堂和校门值守"
    assert reading.problems == ("晨检记录缺了3天",)
    assert reading.requirement == "要求一周内补齐"


def test_chinese_numerals() -> None:
    assert [vt.to_int(x) for x in ("三", "十", "十二", "二十", "二十一", "两", "7", "x")] == [
        3,
        10,
        12,
        20,
        21,
        2,
        7,
        None,
    ]


def test_only_visit_like_messages_are_taken_for_visits() -> None:
    assert vt.looks_like_visit("今天在城关二小看了食堂", REFS)
    assert vt.looks_like_visit("城关二小 晨检记录不全", REFS)
    assert not vt.looks_like_visit("你好", REFS)
    assert not vt.looks_like_visit("谢谢", REFS)


# --- visits against the target (backend.domain.visit_targets) ---


def test_the_semester_floor_never_drops_below_the_legal_two() -> None:
    from backend.domain.visit_targets import progress, semester_floor, semester_of

    assert semester_floor(0) == 2 and semester_floor(3) == 3
    assert semester_of(date(2026, 11, 23)).start == date(2026, 9, 1)
    assert semester_of(date(2027, 1, 10)).end == date(2027, 1, 31)
    assert semester_of(date(2026, 3, 2)).start == date(2026, 2, 1)
    result = progress([1, 2, 3], {1: 1, 2: 2}, {1: 2, 2: 1}, per_month=1, floor=1)
    assert (result.month_done, result.month_visits, result.month_target) == (2, 3, 3)
    assert result.month_short == (3,) and result.semester_short == (2, 3) and result.semester_floor == 2
