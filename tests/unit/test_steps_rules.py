"""The rules of issue 15's steps: the 问责 fact-finding's 60 days and the 移交 lifecycle with its late receipt."""

from __future__ import annotations

from datetime import date

import pytest

from backend.domain import rectification as rules
from backend.domain import referral
from backend.domain.errors import TransitionRefused


def test_a_fact_finding_is_due_60_calendar_days_after_it_began_and_overdue_only_while_under_way() -> None:
    began = date(2026, 12, 20)
    assert rules.fact_finding_due(began) == date(2027, 2, 18)  # across the new year, Spring Festival not skipped
    due = rules.fact_finding_due(began)
    assert not rules.fact_finding_overdue(investigating=True, due_on=due, today=due)
    assert rules.fact_finding_overdue(investigating=True, due_on=due, today=date(2027, 2, 19))
    assert not rules.fact_finding_overdue(investigating=False, due_on=due, today=date(2027, 3, 1))
    assert not rules.fact_finding_overdue(investigating=True, due_on=None, today=date(2027, 3, 1))


def test_a_referral_is_received_then_concluded_and_a_missing_receipt_is_late() -> None:
    assert referral.next_state("receipt", "referred").value == "received"
    assert referral.next_state("outcome", "referred").value == "concluded"  # an outcome without a receipt
    assert referral.next_state("outcome", "received").value == "concluded"
    for step, state in (("receipt", "received"), ("receipt", "concluded"), ("outcome", "concluded")):
        with pytest.raises(TransitionRefused) as refused:
            referral.next_state(step, state)
        assert "移交当前为" in refused.value.message
    due = date(2026, 12, 7)
    assert referral.receipt_overdue(state="referred", due_on=due, today=date(2026, 12, 8))
    assert not referral.receipt_overdue(state="referred", due_on=due, today=due)
    assert not referral.receipt_overdue(state="received", due_on=due, today=date(2027, 1, 8))
