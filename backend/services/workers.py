"""Worker heartbeats: each worker loop (a `dudao worker` process, the worker thread of `dudao serve`) says it is
alive every few seconds in the `worker_heartbeat` table, with the last run of each of its jobs.

SQL rather than Redis: `/healthz` and `/metrics` must see the workers when Redis is down, and from any host.
A worker that stops cleanly removes its row. A row whose beat is older than `GONE_AFTER` is a worker that died
(or hangs), until a worker started later on the same host takes its place (systemd restarted it) or a week has
passed (`forget_stale`, run by the housekeeping job).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backend.store.db import Database
from backend.store.models import WorkerHeartbeat

log = logging.getLogger(__name__)

BEAT_SECONDS = 5.0
GONE_AFTER = timedelta(seconds=30)  # six beats missed
FORGET_AFTER = timedelta(days=7)


def beat(
    db: Database,
    *,
    worker_id: str,
    host: str,
    pid: int,
    kind: str,
    started_at: datetime,
    jobs: dict[str, Any],
    now: datetime | None = None,
) -> None:
    """Record that `worker_id` is alive now (an upsert of its row)."""
    now = now or db.clock.now()
    with db.session() as session:
        row = session.get(WorkerHeartbeat, worker_id)
        if row is None:
            session.add(
                WorkerHeartbeat(
                    worker_id=worker_id, host=host, pid=pid, kind=kind, started_at=started_at, beat_at=now, jobs=jobs
                )
            )
        else:
            row.beat_at, row.jobs = now, jobs


def forget(db: Database, worker_id: str) -> None:
    """A worker that stops cleanly: no longer expected."""
    with db.session() as session:
        session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.worker_id == worker_id))


def forget_stale(session: Session, now: datetime) -> int:
    result = session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.beat_at < now - FORGET_AFTER))
    return int(getattr(result, "rowcount", 0))


@dataclass(frozen=True)
class WorkerState:
    worker_id: str
    host: str
    pid: int
    kind: str
    started_at: datetime
    beat_at: datetime
    age_seconds: float
    alive: bool
    replaced: bool  # gone, but a worker started later on the same host took its place
    jobs: dict[str, Any]

    @property
    def gone(self) -> bool:
        return not self.alive and not self.replaced


def states(session: Session, now: datetime) -> list[WorkerState]:
    rows = list(session.scalars(select(WorkerHeartbeat).order_by(WorkerHeartbeat.host, WorkerHeartbeat.started_at)))
    found = []
    for row in rows:
        alive = now - row.beat_at <= GONE_AFTER
        replaced = not alive and any(
            other.host == row.host and other.started_at > row.beat_at and now - other.beat_at <= GONE_AFTER
            for other in rows
        )
        found.append(
            WorkerState(
                worker_id=row.worker_id,
                host=row.host,
                pid=row.pid,
                kind=row.kind,
                started_at=row.started_at,
                beat_at=row.beat_at,
                age_seconds=max((now - row.beat_at).total_seconds(), 0.0),
                alive=alive,
                replaced=replaced,
                jobs=dict(row.jobs or {}),
            )
        )
    return found


__all__ = ["BEAT_SECONDS", "GONE_AFTER", "WorkerState", "beat", "forget", "forget_stale", "states"]
