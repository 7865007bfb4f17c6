"""The concern lifecycle, deadlines, ticket numbers, category guesses and duplicate likeness, as pure rules."""

from __future__ import annotations

from datetime import date

import pytest

from backend.domain import concern as rules
from backend.domain.calendar import WorkingCalendar
from backend.domain.errors import TransitionRefused
from backend.domain.kinds import ConcernState as S
from backend.services.concerns import CATEGORY_KEYWORDS, valid_phone


def test_every_state_has_a_row_and_closed_is_the_end() -> None:
    assert set(rules.TRANSITIONS) == set(S)
    assert rules.TRANSITIONS[S.CLOSED] == frozenset()
    assert rules.can_move("received", "acknowledged") and rules.can_move("answered", "closed")
    assert not rules.can_move("closed", "answered")
    assert not rules.can_move("duplicate", "answered")
    with pytest.raises(TransitionRefused):
        rules.check_move("received", "closed")  # nobody closes a concern without answering it


def test_deadlines_count_working_days_across_a_holiday() -> None:
    calendar = WorkingCalendar.official()
    # received on Wednesday 30 September 2026, the eve of the National Day week (1-7 October)
    due = rules.deadlines(date(2026, 9, 30), calendar, 1, 5)
    assert due.ack_due_on > date(2026, 10, 7) and calendar.is_working_day(due.ack_due_on)
    assert calendar.working_days_between(date(2026, 9, 30), due.answer_due_on) == 5


def test_the_ladder_zone_leader_after_a_missed_day_then_the_office() -> None:
    calendar = WorkingCalendar()
    ack, answer = date(2026, 11, 24), date(2026, 11, 30)
    assert rules.missed_deadline("received", ack, answer, date(2026, 11, 24)) is None
    missed = rules.missed_deadline("received", ack, answer, date(2026, 11, 25))
    assert missed == ack
    assert rules.due_escalation_level(missed, date(2026, 11, 25), calendar) == rules.WITH_ZONE_LEADER
    # the zone leader has two working days (Wed 25, Thu 26), then the office
    assert rules.due_escalation_level(missed, date(2026, 11, 26), calendar) == rules.WITH_ZONE_LEADER
    assert rules.due_escalation_level(missed, date(2026, 11, 27), calendar) == rules.WITH_OFFICE
    # acknowledged in time: only the answer deadline counts; answered: nothing is late
    assert rules.missed_deadline("acknowledged", ack, answer, date(2026, 11, 27)) is None
    assert rules.missed_deadline("answered", ack, answer, date(2026, 12, 30)) is None


def test_ticket_numbers_are_short_and_typed_in_any_spelling() -> None:
    assert rules.ticket_no(2026, 11, 42) == "T2611-0042"
    assert rules.normalise_ticket("t2611-0042") == "T2611-0042"
    assert rules.normalise_ticket("Ｔ２６１１００４２") == "T2611-0042"


def test_a_category_is_guessed_only_when_the_words_say_so() -> None:
    assert rules.infer_category("学校食堂的饭菜有异味", CATEGORY_KEYWORDS) == "7"
    assert rules.infer_category("老师体罚学生", CATEGORY_KEYWORDS) == "5"
    assert rules.infer_category("孩子最近不太开心", CATEGORY_KEYWORDS) is None


def test_similar_texts_are_one_matter() -> None:
    assert rules.similar("学校食堂的饭菜里有虫子，孩子不敢吃", "食堂饭菜里有虫子！孩子都不敢吃了")
    assert not rules.similar("食堂饮水机很久没有换滤芯了", "学校食堂的饭菜里有虫子，孩子不敢吃")
    assert not rules.similar("", "食堂")


@pytest.mark.parametrize(
    ("raw", "kept"),
    [("138 0000 0001", "13800000001"), ("0797-8123456", "07978123456"), ("12345", None), ("abc", None)],
)
def test_phone_numbers(raw: str, kept: str | None) -> None:
    assert valid_phone(raw) == kept
