"""The audit log: who did what to which record, dated by the use case's clock (`session_now`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from backend.store.audit_guard import purge_allowed
from backend.store.db import session_now
from backend.store.models import AuditEvent


def record(
    session: Session,
    actor: str,
    action: str,
    subject: str,
    subject_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
    /,
    *,
    now: datetime | None = None,
    **more: Any,
) -> AuditEvent:
    """Add one event (`subject` is the kind of record, e.g. "concern"), its detail given as a mapping and/or keywords;
    it is written with the caller's commit."""
    event = AuditEvent(
        at=now or session_now(session),
        actor=actor,
        action=action,
        subject_type=subject,
        subject_id=subject_id,
        detail={**(detail or {}), **more},
    )
    session.add(event)
    return event


# the Cybersecurity Law (网络安全法 art. 21): network logs kept at least six months
AUDIT_MINIMUM_DAYS = 180


class PurgeRefused(ValueError):
    """A purge cutoff that would delete audit events younger than the legal minimum."""


def purge_before(session: Session, cutoff: datetime) -> int:
    """Delete the audit events dated before `cutoff`: the one delete path of the audit log.

    Refuses (`PurgeRefused`) a cutoff less than `AUDIT_MINIMUM_DAYS` before the session's now. On PostgreSQL it sets
    `dudao.audit_purge = 'on'` for this transaction only (`SET LOCAL`), which the audit table's trigger asks before
    it lets a DELETE through. Does not commit; returns the number deleted."""
    now = session_now(session)
    if cutoff > now - timedelta(days=AUDIT_MINIMUM_DAYS):
        raise PurgeRefused(f"audit events are kept at least {AUDIT_MINIMUM_DAYS} days; cutoff {cutoff} is too recent")
    with purge_allowed(session):  # SET LOCAL on PostgreSQL; past the app's append-only guard (store/audit_guard)
        result = session.execute(delete(AuditEvent).where(AuditEvent.at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
