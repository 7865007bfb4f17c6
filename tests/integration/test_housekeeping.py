"""Housekeeping forgets WeChat deliveries after a week, and keeps the recent ones that dedupe still needs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from backend.config import Config
from backend.jobs import registered_jobs
from backend.jobs.housekeeping import forget_old_deliveries
from backend.kv import MemoryKV
from backend.runtime import Runtime
from backend.store.db import Database
from backend.store.models import InboundDelivery


def test_old_deliveries_are_forgotten_and_recent_ones_kept(database: Database) -> None:
    now = database.clock.now()
    with database.session() as s:
        s.add(InboundDelivery(dedupe_key="msg:old", openid="o1", msg_type="text", received_at=now - timedelta(days=8)))
        s.add(InboundDelivery(dedupe_key="msg:new", openid="o1", msg_type="text", received_at=now - timedelta(days=6)))
    runtime = Runtime(config=Config(database_url=database.url), db=database, kv=MemoryKV())
    assert "housekeeping" in [job.name for job in registered_jobs()]
    assert forget_old_deliveries(runtime) == 1
    assert forget_old_deliveries(runtime) == 0
    with database.session() as s:
        assert s.scalars(select(InboundDelivery.dedupe_key)).all() == ["msg:new"]
