"""The domain's state groups and its overdue rule, written once as SQL conditions (and as the values they hold)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from sqlalchemy import ColumnElement, and_

from backend.domain import concern as concern_rules
from backend.domain import rectification as rectification_rules
from backend.store.models import Concern, Rectification


def values(states: Iterable[StrEnum]) -> tuple[str, ...]:
    """The stored values of a group of states, in a stable order."""
    return tuple(sorted(s.value for s in states))


OPEN_CONCERN = values(concern_rules.OPEN_STATES)
OPEN_RECTIFICATION = values(rectification_rules.OPEN)
# the unit still owes the work (a submitted report waits for the inspector, not for the unit)
OWED_RECTIFICATION = values(rectification_rules.AWAITING_UNIT)
DONE_RECTIFICATION = values(rectification_rules.DONE)


def concern_open() -> ColumnElement[bool]:
    return Concern.state.in_(OPEN_CONCERN)


def concern_answer_overdue(today: date) -> ColumnElement[bool]:
    """`backend.domain.concern.answer_overdue` as SQL: open and past the answer deadline."""
    return and_(concern_open(), Concern.answer_due_on < today)


def rectification_open() -> ColumnElement[bool]:
    return Rectification.state.in_(OPEN_RECTIFICATION)


def rectification_overdue(today: date) -> ColumnElement[bool]:
    """`backend.domain.rectification.is_overdue` as SQL: waiting on the unit and past the deadline."""
    return and_(Rectification.state.in_(OWED_RECTIFICATION), Rectification.deadline < today)
