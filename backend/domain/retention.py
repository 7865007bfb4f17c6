"""How long each kind of personal data and log is kept: the office's retention policy within legal bounds.

Pure. The periods are days, counted from when a record stops being needed: a concern's personal fields and its
text and photos from the concern's closing (办结), the others from when they were written. The bounds:
- audit events and access logs: at least 180 days (网络安全法 第二十一条: network logs kept no less than six months);
- a reporter's openid and phone: at least 90 days after closing, so that a complaint about the handling can still be
  checked with the reporter (default one year); at most ten years;
- concern texts and photos, visit photos: at least a year (the record of the supervision); defaults three years;
- WeChat deliveries: 1 to 30 days (WeChat retries within 15 s; they exist only to answer a retry once).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

REPORTER = "reporter"  # a reporter's openid and phone, on a closed concern
CONCERN_CONTENT = "concern_content"  # a closed concern's text and photos
VISIT_PHOTOS = "visit_photos"
AUDIT = "audit"
DELIVERIES = "deliveries"  # WeChat's inbound deliveries (dedupe)
ACCESS_LOGS = "access_logs"  # the web server's access logs: files of the deployment kit (logrotate)

KINDS = (REPORTER, CONCERN_CONTENT, VISIT_PHOTOS, AUDIT, DELIVERIES, ACCESS_LOGS)
LEGAL_LOG_MINIMUM = 180
MAXIMUM = 3650


@dataclass(frozen=True)
class Bound:
    low: int
    default: int
    high: int


BOUNDS: Mapping[str, Bound] = {
    REPORTER: Bound(90, 365, MAXIMUM),
    CONCERN_CONTENT: Bound(365, 1095, MAXIMUM),
    VISIT_PHOTOS: Bound(365, 1095, MAXIMUM),
    AUDIT: Bound(LEGAL_LOG_MINIMUM, 365, MAXIMUM),
    DELIVERIES: Bound(1, 7, 30),
    ACCESS_LOGS: Bound(LEGAL_LOG_MINIMUM, 180, MAXIMUM),
}


def periods(stored: Mapping[str, Any] | None) -> dict[str, int]:
    """The days per kind: the stored values where they are whole numbers within bounds, else the defaults."""
    stored = stored or {}
    out: dict[str, int] = {}
    for kind, bound in BOUNDS.items():
        value = stored.get(kind)
        ok = isinstance(value, int) and not isinstance(value, bool) and bound.low <= value <= bound.high
        out[kind] = value if ok else bound.default  # type: ignore[assignment]
    return out


@dataclass
class CheckedRetention:
    periods: dict[str, int] | None
    problems: dict[str, tuple[str, dict[str, object]]]


def field_name(kind: str) -> str:
    return f"retention_{kind}"


def check(form: Mapping[str, str], current: Mapping[str, Any] | None) -> CheckedRetention:
    """The periods from the office's form (a field left out keeps the current period), or the problems."""
    now = periods(current)
    out: dict[str, int] = {}
    problems: dict[str, tuple[str, dict[str, object]]] = {}
    for kind, bound in BOUNDS.items():
        name = field_name(kind)
        if name not in form:
            out[kind] = now[kind]
            continue
        text = unicodedata.normalize("NFKC", form[name]).strip()
        if not text.isdigit() or len(text) > 5 or not bound.low <= int(text) <= bound.high:
            key = "settings.error.retention_legal" if kind in (AUDIT, ACCESS_LOGS) else "settings.error.retention"
            problems[name] = (key, {"low": bound.low, "high": bound.high})
            continue
        out[kind] = int(text)
    return CheckedRetention(None if problems else out, problems)
