"""移交: a visit's finding or a concern referred to another department, its receipt (回执) and outcome.

referred → received (the department's 回执) → concluded (its outcome); a receipt still missing after
`RECEIPT_WORKING_DAYS` working days is overdue and flagged to the office.
"""

from __future__ import annotations

from datetime import date

from backend.domain.errors import TransitionRefused
from backend.domain.kinds import ReferralState

RECEIPT_WORKING_DAYS = 5

S = ReferralState
STEPS: dict[str, tuple[frozenset[ReferralState], ReferralState]] = {
    "receipt": (frozenset({S.REFERRED}), S.RECEIVED),
    # an outcome may come with the receipt, or without one ever being sent: it concludes the referral either way
    "outcome": (frozenset({S.REFERRED, S.RECEIVED}), S.CONCLUDED),
}


def next_state(step: str, state: str) -> ReferralState:
    allowed, target = STEPS[step]
    if ReferralState(state) not in allowed:
        raise TransitionRefused("steps.referral", step, state)
    return target


def receipt_overdue(*, state: str, due_on: date, today: date) -> bool:
    return state == S.REFERRED.value and today > due_on
