"""The worker loop: every registered job at its own interval, until told to stop.

`dudao worker` runs it in the foreground (production, next to gunicorn); `dudao serve` runs it in a daemon
thread of the web process (the embedded default). A failing job is logged and tried again at its next turn;
it never stops the loop or the other jobs.

While the loop runs, a heartbeat thread records every few seconds that this worker is alive, with the last run
of each job (`backend.services.workers`: `/healthz` and `/metrics` read it); a clean stop removes the record.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from backend.jobs import Job
from backend.runtime import Runtime
from backend.services import workers

log = logging.getLogger(__name__)

DEFAULT_TICK_SECONDS = 5.0


@dataclass
class Worker:
    runtime: Runtime
    jobs: Sequence[Job]
    tick_seconds: float = DEFAULT_TICK_SECONDS
    clock: Callable[[], float] = time.monotonic
    stop_event: threading.Event = field(default_factory=threading.Event)
    kind: str = "worker"  # worker (`dudao worker`) | serve (the thread of `dudao serve`)
    heartbeat_seconds: float = workers.BEAT_SECONDS
    # when each job is next due (clock time); a job never run is due at once
    _due: dict[str, float] = field(default_factory=dict)
    # each job's last run, for the heartbeat: {"at": iso, "ok": bool, "seconds": float}
    _runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    _started_at: datetime | None = None
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}")

    def run_job(self, job: Job) -> bool:
        """Run one job now; True if it finished without an error."""
        started = self.clock()
        at = self.runtime.clock.now()
        ok = False
        try:
            job.run(self.runtime)
            ok = True
        except Exception:
            log.exception("job %s failed; it will run again in %.0f s", job.name, job.every_seconds)
            return False
        finally:
            self._due[job.name] = started + job.every_seconds
            self._runs[job.name] = {"at": at.isoformat(), "ok": ok, "seconds": round(self.clock() - started, 3)}
        log.debug("job %s done in %.3f s", job.name, self.clock() - started)
        return True

    def run_due(self) -> dict[str, bool]:
        """Run the jobs that are due; the outcome of each job run, by name."""
        now = self.clock()
        return {
            job.name: self.run_job(job)
            for job in self.jobs
            if self._due.get(job.name, now) <= now and not self.stop_event.is_set()
        }

    def run_all_once(self) -> dict[str, bool]:
        return {job.name: self.run_job(job) for job in self.jobs}

    def run_forever(self) -> None:
        """Loop until `stop()`; wakes every tick, or sooner when the next job is due sooner."""
        log.info(
            "worker %s started with %d job(s): %s",
            self.worker_id,
            len(self.jobs),
            ", ".join(j.name for j in self.jobs) or "-",
        )
        beating = threading.Thread(target=self._beat_until_stopped, name="dudao-heartbeat", daemon=True)
        beating.start()
        try:
            while not self.stop_event.is_set():
                self.run_due()
                self.stop_event.wait(self._sleep_seconds())
        finally:
            self.stop_event.set()
            beating.join(timeout=10)
            try:
                workers.forget(self.runtime.db, self.worker_id)
            except Exception:
                log.warning("worker %s: could not remove its heartbeat", self.worker_id, exc_info=True)
        log.info("worker stopped")

    def beat(self) -> None:
        """Record that this worker is alive, with its jobs' last runs."""
        workers.beat(
            self.runtime.db,
            worker_id=self.worker_id,
            host=socket.gethostname(),
            pid=os.getpid(),
            kind=self.kind,
            started_at=self._started_at or self.runtime.clock.now(),
            jobs=dict(self._runs),
        )

    def _beat_until_stopped(self) -> None:
        self._started_at = self.runtime.clock.now()
        while not self.stop_event.is_set():
            try:
                self.beat()
            except Exception:  # the database is away: the loop's own jobs will say so too
                log.warning("worker %s: heartbeat not recorded", self.worker_id, exc_info=True)
            self.stop_event.wait(self.heartbeat_seconds)

    def _sleep_seconds(self) -> float:
        if not self._due:
            return self.tick_seconds
        return max(0.0, min(self.tick_seconds, min(self._due.values()) - self.clock()))

    def stop(self) -> None:
        self.stop_event.set()

    def start_thread(self) -> threading.Thread:
        """Run the loop in a daemon thread (the web process's own worker); `stop()` ends it."""
        thread = threading.Thread(target=self.run_forever, name="dudao-worker", daemon=True)
        thread.start()
        return thread
