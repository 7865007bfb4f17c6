"""The worker loop: every registered job at its own interval, until told to stop.

`dudao worker` runs it in the foreground (production, next to gunicorn); `dudao serve` runs it in a daemon
thread of the web process (the embedded default). A failing job is logged and tried again at its next turn;
it never stops the loop or the other jobs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from backend.jobs import Job
from backend.runtime import Runtime

log = logging.getLogger(__name__)

DEFAULT_TICK_SECONDS = 5.0


@dataclass
class Worker:
    runtime: Runtime
    jobs: Sequence[Job]
    tick_seconds: float = DEFAULT_TICK_SECONDS
    clock: Callable[[], float] = time.monotonic
    stop_event: threading.Event = field(default_factory=threading.Event)
    # when each job is next due (clock time); a job never run is due at once
    _due: dict[str, float] = field(default_factory=dict)

    def run_job(self, job: Job) -> bool:
        """Run one job now; True if it finished without an error."""
        started = self.clock()
        try:
            job.run(self.runtime)
        except Exception:
            log.exception("job %s failed; it will run again in %.0f s", job.name, job.every_seconds)
            return False
        finally:
            self._due[job.name] = started + job.every_seconds
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
        log.info("worker started with %d job(s): %s", len(self.jobs), ", ".join(j.name for j in self.jobs) or "-")
        while not self.stop_event.is_set():
            self.run_due()
            self.stop_event.wait(self._sleep_seconds())
        log.info("worker stopped")

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
