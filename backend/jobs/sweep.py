"""The deadline sweep: reminders, overdue marks and escalations, as of a given moment.

Each step takes the database and the moment and returns counts. Steps must be idempotent (every push they
queue carries a dedupe key of item, kind and deadline), because the sweep runs every few minutes and, with the
key-value store down, possibly on two workers at once: the lock saves work, the keys prevent doubles.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from backend import metrics
from backend.jobs import Job
from backend.kv import KVUnavailable, LockNotAcquired
from backend.runtime import Runtime
from backend.store.db import Database

log = logging.getLogger(__name__)

SweepStep = Callable[[Database, datetime], dict[str, int]]
EVERY_SECONDS = 120.0
LOCK_TTL = 600.0


def sweep_steps() -> list[tuple[str, SweepStep]]:
    """Every step of the sweep, in order; each module that has one adds itself here."""
    from backend.jobs import (
        concern_sweep,  # issue 4: public concerns' routing, reminders and escalation
        rectification_sweep,  # issue 6: reminders and the escalation ladder
    )
    from backend.services import (
        calendar,  # the December alert while a year's holiday schedule is missing
        evaluations,  # issue 15: the 自评's deadline reminders
        monthly_report,  # issue 5: the start-of-month 月报 to every inspector
        task_checks,  # issue 14: a new task told to its team, reminders before its window closes
    )

    return [
        ("rectifications", rectification_sweep.step),
        ("concerns", concern_sweep.step),
        ("monthly_reports", monthly_report.sweep_step),
        ("calendar", calendar.sweep_step),
        ("tasks", task_checks.sweep_step),
        ("evaluations", evaluations.sweep_step),
    ]


def run_sweep(runtime: Runtime, now: datetime | None = None) -> dict[str, dict[str, int]] | None:
    """One sweep as of `now`; None when another worker is sweeping right now."""
    now = now or runtime.clock.now()
    try:
        with runtime.kv.lock("sweep", ttl=LOCK_TTL, wait=0):
            return _run_steps(runtime.db, now)
    except LockNotAcquired:
        log.info("sweep: another worker holds the lock")
        return None
    except KVUnavailable:
        log.warning("sweep: key-value store unavailable; sweeping without the lock (dedupe keys prevent doubles)")
        return _run_steps(runtime.db, now)


def _run_steps(db: Database, now: datetime) -> dict[str, dict[str, int]]:
    results: dict[str, dict[str, int]] = {}
    started = time.perf_counter()
    for name, step in sweep_steps():
        try:
            results[name] = step(db, now)
        except Exception:
            log.exception("sweep step %s failed", name)
            results[name] = {"failed": 1}
    metrics.SWEEP_SECONDS.observe(time.perf_counter() - started)
    return results


JOB = Job(name="sweep", every_seconds=EVERY_SECONDS, run=run_sweep)
