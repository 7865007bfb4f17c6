"""The rectification lifecycle, reminders, quiet hours and the ladder as pure rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from backend.domain import rectification as rules
from backend.domain.calendar import SHANGHAI, WorkingCalendar
from backend.domain.errors import TransitionRefused
from backend.domain.kinds import EscalationLevel, RectificationState

S = RectificationState
CAL = WorkingCalendar.official()


def test_the_happy_path_and_the_reopen_loop() -> None:
    state = S.DRAFT.value
    for action, expected in [
        ("issue", S.ISSUED),
        ("acknowledge", S.ACKNOWLEDGED),
        ("submit", S.SUBMITTED),
        ("reopen", S.REOPENED),
        ("submit", S.SUBMITTED),
        ("verify", S.VERIFIED),
        ("close", S.CLOSED),
    ]:
        state = rules.next_state(action, state).value
        assert state == expected.value


@pytest.mark.parametrize(
    ("action", "state"),
    [
        ("acknowledge", "draft"),
        ("verify", "acknowledged"),
        ("close", "submitted"),
        ("submit", "closed"),
        ("issue", "issued"),
    ],
)
def test_steps_out_of_order_are_refused(action: str, state: str) -> None:
    with pytest.raises(TransitionRefused):
        rules.next_state(action, state)


def test_overdue_is_derived_from_the_deadline_and_the_state() -> None:
    deadline = date(2026, 12, 4)
    assert not rules.is_overdue("acknowledged", deadline, date(2026, 12, 4))  # the deadline day itself is fine
    assert rules.is_overdue("acknowledged", deadline, date(2026, 12, 5))
    assert not rules.is_overdue("submitted", deadline, date(2026, 12, 10))  # the unit did its part
    assert not rules.is_overdue("closed", deadline, date(2027, 1, 1))
    assert rules.overdue_days("issued", deadline, date(2026, 12, 8), CAL) == 2  # Mon 7 and Tue 8


def test_the_reminder_schedule_counts_working_days_with_tiaoxiu() -> None:
    # National Day 2026: 1-7 October off, Saturday 10 October a make-up working day (调休)
    plan = rules.reminder_schedule(
        state="issued", deadline=date(2026, 10, 12), issued_on=date(2026, 9, 30), calendar=CAL
    )
    by_kind = {r.kind: r.on for r in plan}
    assert by_kind[rules.ReminderKind.NOT_SIGNED] == date(2026, 10, 8)  # the first working day after the holiday
    assert by_kind[rules.ReminderKind.DUE_IN_3] == date(2026, 10, 8)
    assert by_kind[rules.ReminderKind.DUE_IN_1] == date(2026, 10, 10)  # a Saturday, but worked
    assert by_kind[rules.ReminderKind.DUE_TODAY] == date(2026, 10, 12)


def test_only_the_latest_late_reminder_is_sent_and_none_after_the_deadline() -> None:
    deadline = date(2026, 12, 4)
    due = rules.due_reminders(
        state="acknowledged", deadline=deadline, issued_on=None, today=date(2026, 12, 3), calendar=CAL
    )
    assert [r.kind for r in due] == [rules.ReminderKind.DUE_IN_1]
    assert (
        rules.due_reminders(
            state="acknowledged", deadline=deadline, issued_on=None, today=date(2026, 12, 5), calendar=CAL
        )
        == []
    )
    assert (
        rules.due_reminders(state="submitted", deadline=deadline, issued_on=None, today=date(2026, 12, 4), calendar=CAL)
        == []
    )
    unsigned = rules.due_reminders(
        state="issued", deadline=deadline, issued_on=date(2026, 11, 23), today=date(2026, 11, 24), calendar=CAL
    )
    assert [r.kind for r in unsigned] == [rules.ReminderKind.NOT_SIGNED]


def test_quiet_hours_span_midnight_and_urgent_items_ignore_them() -> None:
    quiet = rules.QuietHours.parse("22:00-07:30")
    assert quiet is not None
    night = datetime(2026, 11, 23, 23, 0, tzinfo=SHANGHAI)
    dawn = datetime(2026, 11, 24, 7, 29, tzinfo=SHANGHAI)
    morning = datetime(2026, 11, 24, 7, 30, tzinfo=SHANGHAI)
    assert quiet.contains(night) and quiet.contains(dawn) and not quiet.contains(morning)
    assert not rules.may_push(urgent=False, quiet=quiet, now=night)
    assert rules.may_push(urgent=True, quiet=quiet, now=night)
    assert quiet.next_end(night) == morning
    assert rules.QuietHours.parse("") is None


def test_the_ladder_climbs_one_rung_per_missed_deadline_and_never_proposes_accountability() -> None:
    today = date(2026, 12, 10)
    past = today - timedelta(days=1)
    assert rules.rung_due(state="issued", deadline=past, level=0, today=today) is EscalationLevel.SUPERVISION_NOTICE
    assert rules.rung_due(state="reopened", deadline=past, level=1, today=today) is EscalationLevel.TALK
    assert rules.rung_due(state="acknowledged", deadline=past, level=2, today=today) is EscalationLevel.CIRCULAR
    assert rules.rung_due(state="acknowledged", deadline=past, level=3, today=today) is None
    assert rules.rung_due(state="acknowledged", deadline=today, level=0, today=today) is None
    assert rules.rung_due(state="submitted", deadline=past, level=0, today=today) is None


def test_twice_within_a_year_is_heavier() -> None:
    now = datetime(2026, 12, 1, tzinfo=SHANGHAI)
    assert not rules.needs_heavier_handling([now], now)
    assert rules.needs_heavier_handling([now - timedelta(days=200), now], now)
    assert not rules.needs_heavier_handling([now - timedelta(days=400), now], now)
