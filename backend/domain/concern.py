"""A public concern's lifecycle and deadlines, as data and pure rules (no I/O).

received → acknowledged (受理) → verifying (核实) → answered (答复) → closed (办结), plus referred (转办),
not_substantiated (不属实) and duplicate (linked to an earlier concern). The table below is the whole of what may
follow what; the services refuse anything else.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from backend.domain.calendar import WorkingCalendar
from backend.domain.errors import TransitionRefused
from backend.domain.kinds import ConcernState as S

TRANSITIONS: Mapping[S, frozenset[S]] = {
    S.RECEIVED: frozenset({S.ACKNOWLEDGED, S.VERIFYING, S.ANSWERED, S.REFERRED, S.NOT_SUBSTANTIATED, S.DUPLICATE}),
    S.ACKNOWLEDGED: frozenset({S.VERIFYING, S.ANSWERED, S.REFERRED, S.NOT_SUBSTANTIATED, S.DUPLICATE}),
    S.VERIFYING: frozenset({S.ANSWERED, S.REFERRED, S.NOT_SUBSTANTIATED}),
    S.ANSWERED: frozenset({S.ANSWERED, S.CLOSED, S.VERIFYING}),  # a second answer, or reopened to verify again
    S.REFERRED: frozenset({S.ANSWERED, S.CLOSED}),
    S.NOT_SUBSTANTIATED: frozenset({S.CLOSED, S.VERIFYING}),
    S.DUPLICATE: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}

# waiting for the inspector: these count against deadlines and are listed under 留言
OPEN_STATES: frozenset[S] = frozenset({S.RECEIVED, S.ACKNOWLEDGED, S.VERIFYING})
# no longer waiting for the inspector
CLOSED_STATES: frozenset[S] = frozenset(TRANSITIONS) - OPEN_STATES
# the reporter has been answered in some way
ANSWERED_STATES: frozenset[S] = frozenset({S.ANSWERED, S.REFERRED, S.NOT_SUBSTANTIATED, S.CLOSED})

# escalation ladder (Concern.escalation_level)
WITH_INSPECTOR, WITH_ZONE_LEADER, WITH_OFFICE = 0, 1, 2
OFFICE_AFTER_WORKING_DAYS = 2  # still not done this many working days after the zone leader was told
REMIND_BEFORE_ANSWER_DUE = 1  # working days before the answer deadline


def can_move(current: str, target: str) -> bool:
    return S(target) in TRANSITIONS[S(current)]


def check_move(current: str, target: str) -> None:
    if not can_move(current, target):
        raise TransitionRefused("concern", target, current)


@dataclass(frozen=True)
class Deadlines:
    ack_due_on: date
    answer_due_on: date


def deadlines(received_on: date, calendar: WorkingCalendar, ack_days: int, answer_days: int) -> Deadlines:
    """Acknowledge within `ack_days` working days of the day received, answer within `answer_days`."""
    return Deadlines(
        calendar.add_working_days(received_on, ack_days), calendar.add_working_days(received_on, answer_days)
    )


def missed_deadline(state: str, ack_due_on: date | None, answer_due_on: date | None, today: date) -> date | None:
    """The first deadline an open concern has missed as of `today` (a deadline day itself is still in time)."""
    if S(state) not in OPEN_STATES:
        return None
    if state == S.RECEIVED and ack_due_on is not None and today > ack_due_on:
        return ack_due_on
    if answer_due_on is not None and today > answer_due_on:
        return answer_due_on
    return None


def answer_overdue(state: str, answer_due_on: date | None, today: date) -> bool:
    """Open and past the answer deadline (the deadline day itself is still in time)."""
    return S(state) in OPEN_STATES and answer_due_on is not None and answer_due_on < today


def due_escalation_level(missed_on: date | None, today: date, calendar: WorkingCalendar) -> int:
    """Where an open concern belongs on the ladder: the zone leader once a deadline is missed, then the office."""
    if missed_on is None:
        return WITH_INSPECTOR
    office_from = calendar.add_working_days(missed_on, OFFICE_AFTER_WORKING_DAYS)
    return WITH_OFFICE if today > office_from else WITH_ZONE_LEADER


# --- tickets -------------------------------------------------------------------------------------------------

TICKET = re.compile(r"^T(?P<yymm>\d{4})-(?P<seq>\d{4,6})$")


def ticket_no(year: int, month: int, sequence: int) -> str:
    """`T2611-0042`: the 42nd concern of November 2026. Short enough to read out on the phone."""
    return f"T{year % 100:02d}{month:02d}-{sequence:04d}"


def normalise_ticket(text: str) -> str:
    """What a person typed for a ticket (lower case, full-width, no dash) as the ticket number."""
    raw = unicodedata.normalize("NFKC", text).strip().upper().replace(" ", "")
    if re.fullmatch(r"T\d{8,10}", raw):
        raw = f"{raw[:5]}-{raw[5:]}"
    return raw


# --- categories and duplicates -------------------------------------------------------------------------------


def infer_category(text: str, keywords: Mapping[str, Sequence[str]]) -> str | None:
    """The item whose keywords the text mentions most; None when nothing (or a tie) says which."""
    scores = {code: sum(text.count(word) for word in words) for code, words in keywords.items()}
    best = max(scores.values(), default=0)
    if best == 0:
        return None
    winners = [code for code, score in scores.items() if score == best]
    return winners[0] if len(winners) == 1 else None


def _comparable(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if ch.isalnum())


SIMILAR = 0.75  # difflib ratio over letters and digits: "食堂饭菜有虫子" and "食堂的饭菜里有虫子！" are one matter


def similar(a: str, b: str) -> bool:
    """Two texts about the same matter: one contains the other, or they mostly agree character by character."""
    x, y = _comparable(a), _comparable(b)
    if not x or not y:
        return False
    shorter, longer = sorted((x, y), key=len)
    if len(shorter) >= 6 and shorter in longer:
        return True
    return difflib.SequenceMatcher(None, x, y).ratio() >= SIMILAR
