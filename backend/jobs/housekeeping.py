"""Housekeeping: forget WeChat deliveries once no retry can come (WeChat retries within 15 s; we keep a week)."""

from __future__ import annotations

import logging
from datetime import timedelta

from backend.jobs import Job
from backend.runtime import Runtime
from backend.services.deliveries import purge_before

log = logging.getLogger(__name__)

KEEP_DELIVERIES = timedelta(days=7)


def forget_old_deliveries(runtime: Runtime) -> int:
    with runtime.db.session() as session:
        purged = purge_before(session, runtime.clock.now() - KEEP_DELIVERIES)
    if purged:
        log.info("housekeeping: forgot %d WeChat deliveries older than %s", purged, KEEP_DELIVERIES)
    return purged


JOB = Job(name="housekeeping", every_seconds=3600.0, run=forget_old_deliveries)
