"""The concerns' sweep step: route what nobody categorised, remind inspectors, escalate missed deadlines.

Idempotent: every push carries a dedupe key of concern, kind and deadline, and the escalation level only rises.
"""

from __future__ import annotations

from datetime import datetime

from backend.services import concerns
from backend.store.db import Database


def step(db: Database, now: datetime) -> dict[str, int]:
    with db.session() as session:
        return concerns.sweep(session, now)
