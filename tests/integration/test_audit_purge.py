"""`audit.purge_before`, the one delete path of the audit log, keeps six months (网络安全法) whatever it is asked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from backend.services import audit
from backend.store.db import Database
from backend.store.models import AuditEvent


def _events(database: Database) -> list[str]:
    with database.session() as s:
        return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.at)))


def test_purge_deletes_only_events_before_the_cutoff(database: Database) -> None:
    now = database.clock.now()
    with database.session() as s:
        audit.record(s, "system", "old", "concern", 1, now=now - timedelta(days=400))
        audit.record(s, "system", "edge", "concern", 2, now=now - timedelta(days=200))
        audit.record(s, "system", "young", "concern", 3, now=now - timedelta(days=10))
    with database.session() as s:
        assert audit.purge_before(s, now - timedelta(days=365)) == 1
    assert _events(database) == ["edge", "young"]
    with database.session() as s:
        assert audit.purge_before(s, now - timedelta(days=365)) == 0  # idempotent
        assert audit.purge_before(s, now - timedelta(days=180)) == 1
    assert _events(database) == ["young"]


@pytest.mark.parametrize("days", [0, 30, 179])
def test_purge_refuses_a_cutoff_younger_than_180_days(database: Database, days: int) -> None:
    now = database.clock.now()
    with database.session() as s:
        audit.record(s, "system", "old", "concern", 1, now=now - timedelta(days=400))
        audit.record(s, "system", "young", "concern", 1, now=now - timedelta(days=1))
    with database.session() as s, pytest.raises(audit.PurgeRefused):
        audit.purge_before(s, now - timedelta(days=days))
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 2
    # a cutoff in the future is refused too
    with database.session() as s, pytest.raises(audit.PurgeRefused):
        audit.purge_before(s, now + timedelta(days=1))
