"""Housekeeping: forget WeChat deliveries once no retry can come (WeChat retries within 15 s; we keep a week),
and the heartbeats of workers gone for a week (a host taken away without stopping its workers)."""

from __future__ import annotations

import logging
from datetime import timedelta

from backend.jobs import Job
from backend.runtime import Runtime
from backend.services import workers
from backend.services.deliveries import purge_before

log = logging.getLogger(__name__)

KEEP_DELIVERIES = timedelta(days=7)


def forget_old_deliveries(runtime: Runtime) -> int:
    with runtime.db.session() as session:
        purged = purge_before(session, runtime.clock.now() - KEEP_DELIVERIES)
        gone = workers.forget_stale(session, runtime.clock.now())
    if gone:
        log.info("housekeeping: forgot %d worker(s) without a heartbeat for %s", gone, workers.FORGET_AFTER)
    if purged:
        log.info("housekeeping: forgot %d WeChat deliveries older than %s", purged, KEEP_DELIVERIES)
    return purged


JOB = Job(name="housekeeping", every_seconds=3600.0, run=forget_old_deliveries)
