"""The authority's settings page: the office's name and hotline (on every board), visit targets, document prefixes,
how long each kind of personal data and log is kept (`backend.domain.retention`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from backend.domain import county_settings as rules
from backend.domain import retention
from backend.services.audit import record
from backend.store.models import Authority

FIELDS = (
    "office_name",
    "hotline",
    "visits_per_month_target",
    "visits_per_semester_floor",
    "document_prefixes",
    "retention",
)


def current(authority: Authority) -> dict[str, Any]:
    """The settings as the form shows them."""
    values: dict[str, Any] = {name: getattr(authority, name) for name in FIELDS}
    values["document_prefixes"] = dict(authority.document_prefixes or {})
    values["retention"] = retention.periods(authority.retention)
    return values


def save(session: Session, authority: Authority, form: Mapping[str, str], *, actor: str) -> rules.Checked:
    """Check the form; when good, write what changed with one audit event (before and after). Does not commit."""
    checked = rules.check(form)
    kept = retention.check(form, authority.retention)
    if checked.settings is None or kept.periods is None:
        return rules.Checked(None, {**checked.problems, **kept.problems})
    before = current(authority)
    after: dict[str, Any] = {
        "office_name": checked.settings.office_name,
        "hotline": checked.settings.hotline,
        "visits_per_month_target": checked.settings.visits_per_month_target,
        "visits_per_semester_floor": checked.settings.visits_per_semester_floor,
        "document_prefixes": dict(checked.settings.document_prefixes),
        "retention": kept.periods,
    }
    changed = {name: value for name, value in after.items() if before[name] != value}
    if changed:
        for name, value in changed.items():
            setattr(authority, name, value)
        record(
            session,
            actor,
            "authority.settings_changed",
            "authority",
            authority.id,
            before={name: before[name] for name in changed},
            after=changed,
        )
    return checked
