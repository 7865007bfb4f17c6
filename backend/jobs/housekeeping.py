"""Housekeeping: the office's retention policy applied (`backend.services.privacy.apply_retention`: WeChat deliveries
forgotten once no retry can come, a week by default; closed concerns' reporter fields, texts and photos, visit
photos and audit events after their periods), and the heartbeats of workers gone for a week (a host taken away
without stopping its workers)."""

from __future__ import annotations

import logging

from backend.jobs import Job
from backend.runtime import Runtime
from backend.services import privacy, workers

log = logging.getLogger(__name__)


def forget_old_deliveries(runtime: Runtime) -> int:
    """One housekeeping pass; returns how many WeChat deliveries were forgotten."""
    with runtime.db.session() as session:
        done = privacy.apply_retention(session, runtime.config.media_dir, runtime.config.secret_key)
        gone = workers.forget_stale(session, runtime.clock.now())
    if gone:
        log.info("housekeeping: forgot %d worker(s) without a heartbeat for %s", gone, workers.FORGET_AFTER)
    if done.deliveries:
        log.info("housekeeping: forgot %d WeChat deliveries", done.deliveries)
    if done.total() - done.deliveries:
        log.info("housekeeping: retention applied %s", vars(done))
    return done.deliveries


JOB = Job(name="housekeeping", every_seconds=3600.0, run=forget_old_deliveries)
