"""The retention periods the office sets stay within legal bounds (网络安全法: logs at least six months)."""

from __future__ import annotations

from backend.domain import retention


def test_the_defaults_fill_in_what_is_missing_or_out_of_bounds() -> None:
    periods = retention.periods({retention.AUDIT: 30, retention.REPORTER: 400, retention.DELIVERIES: True})
    assert periods[retention.AUDIT] == 365  # below the legal minimum: never used
    assert periods[retention.REPORTER] == 400
    assert periods[retention.DELIVERIES] == 7
    assert set(periods) == set(retention.KINDS)


def test_the_form_is_checked_against_the_bounds() -> None:
    current = {retention.REPORTER: 400}
    checked = retention.check({"retention_audit": "179", "retention_access_logs": "１８０"}, current)
    assert checked.periods is None
    assert checked.problems["retention_audit"][0] == "settings.error.retention_legal"
    assert "retention_access_logs" not in checked.problems  # full-width digits are read
    checked = retention.check({"retention_audit": "180", "retention_deliveries": "31"}, current)
    assert checked.problems["retention_deliveries"] == ("settings.error.retention", {"low": 1, "high": 30})
    checked = retention.check({"retention_audit": "180", "retention_reporter": " 90 "}, current)
    assert checked.periods is not None
    assert checked.periods[retention.AUDIT] == 180 and checked.periods[retention.REPORTER] == 90
    assert retention.check({}, current).periods == retention.periods(current)  # a form without them keeps them
    for bad in ("", "-5", "1e3", "abc", "99999999"):
        assert retention.check({"retention_visit_photos": bad}, None).periods is None
