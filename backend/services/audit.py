"""The audit log: who did what to which record, dated by the use case's clock (`session_now`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

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
