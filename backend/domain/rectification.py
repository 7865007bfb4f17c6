"""The rectification lifecycle as data: states, transitions, the derived overdue, reminders and the ladder.

Pure rules, no database: the services apply them and record every transition in the audit log.

    draft → issued → acknowledged (签收) → submitted (整改报告) → verified (复查通过) → closed
                                           submitted → reopened (复查不通过, reasons, new deadline) → submitted …

Overdue is never stored: it is `deadline < today` for an item still waiting on the unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from backend.domain.calendar import WorkingCalendar, local_now
from backend.domain.errors import TransitionRefused
from backend.domain.kinds import EscalationLevel, RectificationState

S = RectificationState


# action → (states it may start from, the state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[S], S]] = {
    "issue": (frozenset({S.DRAFT}), S.ISSUED),
    "acknowledge": (frozenset({S.ISSUED}), S.ACKNOWLEDGED),
    # a unit may report without signing first: the report implies the signature
    "submit": (frozenset({S.ISSUED, S.ACKNOWLEDGED, S.REOPENED}), S.SUBMITTED),
    "verify": (frozenset({S.SUBMITTED}), S.VERIFIED),
    "reopen": (frozenset({S.SUBMITTED}), S.REOPENED),
    "close": (frozenset({S.VERIFIED}), S.CLOSED),
}

# the unit owes something (a signature, a report): the deadline runs against it
AWAITING_UNIT: frozenset[S] = frozenset({S.ISSUED, S.ACKNOWLEDGED, S.REOPENED})
# not finished: what `整改` lists and what a unit may ask an extension for (a draft is not an issued notice)
OPEN: frozenset[S] = frozenset({S.ISSUED, S.ACKNOWLEDGED, S.SUBMITTED, S.REOPENED})
# the unit has reported: the item waits for 复查
AWAITING_REINSPECTION: frozenset[S] = frozenset({S.SUBMITTED})
# re-inspected and passed
DONE: frozenset[S] = frozenset({S.VERIFIED, S.CLOSED})


def next_state(action: str, state: str) -> S:
    """The state `action` leads to from `state`, or TransitionRefused."""
    sources, target = TRANSITIONS[action]
    if S(state) not in sources:
        raise TransitionRefused("rect", action, state)
    return target


def is_overdue(state: str, deadline: date, today: date) -> bool:
    """Derived, never stored: the deadline has passed and the unit still owes a signature or a report."""
    return S(state) in AWAITING_UNIT and deadline < today


def overdue_days(state: str, deadline: date, today: date, calendar: WorkingCalendar) -> int:
    """Working days past the deadline (0 when not overdue)."""
    if not is_overdue(state, deadline, today):
        return 0
    return calendar.working_days_between(deadline, today)


# --- reminders ---


class ReminderKind:
    NOT_SIGNED = "not_signed"  # not signed 1 working day after issue
    DUE_IN_3 = "due_in_3"  # 3 working days before the deadline
    DUE_IN_1 = "due_in_1"  # 1 working day before
    DUE_TODAY = "due_today"  # on the day


SIGN_WITHIN_WORKING_DAYS = 1
AHEAD = ((ReminderKind.DUE_IN_3, 3), (ReminderKind.DUE_IN_1, 1), (ReminderKind.DUE_TODAY, 0))


@dataclass(frozen=True)
class Reminder:
    kind: str
    on: date  # the local date it becomes due
    deadline: date  # the deadline it is about: part of its dedupe key, so a new deadline reminds again


def reminder_schedule(
    *, state: str, deadline: date, issued_on: date | None, calendar: WorkingCalendar
) -> list[Reminder]:
    """The reminders an item in `state` is owed, each with the day it falls due (some may be past)."""
    current = S(state)
    plan: list[Reminder] = []
    if current not in AWAITING_UNIT:
        return plan
    if current is S.ISSUED and issued_on is not None:
        plan.append(
            Reminder(ReminderKind.NOT_SIGNED, calendar.add_working_days(issued_on, SIGN_WITHIN_WORKING_DAYS), deadline)
        )
    for kind, ahead in AHEAD:
        on = deadline if ahead == 0 else calendar.subtract_working_days(deadline, ahead)
        plan.append(Reminder(kind, on, deadline))
    return plan


def due_reminders(
    *, state: str, deadline: date, issued_on: date | None, today: date, calendar: WorkingCalendar
) -> list[Reminder]:
    """The reminders to send today: due already, not yet past the deadline.

    A reminder whose day passed while nothing ran (a down worker, a long holiday) is still sent late, but
    only the latest of the "before the deadline" ones: three stale reminders at once would be noise.
    """
    if deadline < today:
        return []
    plan = [r for r in reminder_schedule(state=state, deadline=deadline, issued_on=issued_on, calendar=calendar)]
    due = [r for r in plan if r.on <= today]
    signing = [r for r in due if r.kind == ReminderKind.NOT_SIGNED]
    ahead = [r for r in due if r.kind != ReminderKind.NOT_SIGNED]
    return signing + ahead[-1:]


def earliest_lookahead(calendar: WorkingCalendar, today: date) -> date:
    """The latest deadline that may owe a reminder today (3 working days ahead): the sweep's index bound."""
    return calendar.add_working_days(today, 3)


# --- quiet hours ---


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours | None:
        """`"22:00-07:30"` → QuietHours; empty or malformed → None (no quiet hours)."""
        try:
            first, second = text.strip().split("-")
            return cls(time.fromisoformat(first.strip()), time.fromisoformat(second.strip()))
        except ValueError:
            return None

    def contains(self, moment: datetime) -> bool:
        """Whether `moment` (aware) falls in the quiet hours, read in Asia/Shanghai."""
        clock = local_now(moment).time()
        if self.start <= self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end

    def next_end(self, moment: datetime) -> datetime:
        """When the quiet period holding `moment` ends (aware, Asia/Shanghai)."""
        local = local_now(moment)
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= local:
            end += timedelta(days=1)
        return end


def may_push(*, urgent: bool, quiet: QuietHours | None, now: datetime) -> bool:
    """Reminders wait out the quiet hours; urgent items do not."""
    return urgent or quiet is None or not quiet.contains(now)


# --- the escalation ladder ---

LADDER: tuple[EscalationLevel, ...] = (
    EscalationLevel.SUPERVISION_NOTICE,
    EscalationLevel.TALK,
    EscalationLevel.CIRCULAR,
    EscalationLevel.ACCOUNTABILITY,
)
# Rectification.level: 0 none, 1 督办, 2 约谈, 3 通报, 4 问责
LEVEL_NUMBER: dict[EscalationLevel, int] = {level: n for n, level in enumerate(LADDER, start=1)}
# the 督办通知 goes out by itself; the office confirms the rest
AUTOMATIC: frozenset[EscalationLevel] = frozenset({EscalationLevel.SUPERVISION_NOTICE})
HEAVIER_WITHIN = timedelta(days=365)
HEAVIER_AFTER = 2  # accountable twice within a year: heavier handling


def next_rung(current_level: int) -> EscalationLevel | None:
    """The rung after `current_level` (0 none … 4 问责), or None at the top."""
    if current_level >= len(LADDER):
        return None
    return LADDER[current_level]


def rung_due(*, state: str, deadline: date, level: int, today: date) -> EscalationLevel | None:
    """The rung an overdue item should be proposed for now, if any.

    Each rung carries (or keeps) a deadline: the 督办通知 sets a new one; the next rung is proposed only when
    that one passes too. 问责 is not proposed by the sweep: it follows a fact-finding, recorded by the office.
    """
    if not is_overdue(state, deadline, today):
        return None
    rung = next_rung(level)
    if rung is None or rung is EscalationLevel.ACCOUNTABILITY:
        return None
    return rung


def needs_heavier_handling(accountability_dates: list[datetime], now: datetime) -> bool:
    """A unit held accountable twice (or more) within a year."""
    recent = [d for d in accountability_dates if now - d <= HEAVIER_WITHIN]
    return len(recent) >= HEAVIER_AFTER


FACT_FINDING_DAYS = 60  # 《教育督导问责办法》(2021): the fact-finding (调查核实) is done within 60 days


def fact_finding_due(started_on: date) -> date:
    """The day a 问责 fact-finding started on must be done by (calendar days, the rules' own count)."""
    return started_on + timedelta(days=FACT_FINDING_DAYS)


def fact_finding_overdue(*, investigating: bool, due_on: date | None, today: date) -> bool:
    """Still investigating after the due day."""
    return investigating and due_on is not None and today > due_on


ACCOUNTABILITY_FIELDS = ("basic_facts", "accountability_facts", "basis", "measures", "effective_at")
TALK_FIELDS = ("held_at", "attendees", "summary", "commitments")
CIRCULAR_FIELDS = ("published_at", "scope", "text")
