"""The worker loop: each job at its own interval, a failing job logged and never stopping the others."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from backend.config import Config
from backend.jobs import Job
from backend.jobs.worker import Worker
from backend.kv import MemoryKV
from backend.runtime import Runtime
from backend.store.db import Database


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def runtime() -> Runtime:
    # an in-memory SQLite engine is created but never connected to: the jobs here do not touch it
    return Runtime(Config(database_url="sqlite://"), Database("sqlite://"), MemoryKV())


def test_each_job_runs_at_its_own_interval(runtime: Runtime) -> None:
    runs: list[str] = []
    clock = FakeClock()
    jobs = [Job("sweep", 10, lambda rt: runs.append("sweep")), Job("outbox", 3, lambda rt: runs.append("outbox"))]
    worker = Worker(runtime, jobs, clock=clock)

    assert worker.run_due() == {"sweep": True, "outbox": True}  # never run: due at once
    clock.now += 2
    assert worker.run_due() == {}
    clock.now += 1
    assert worker.run_due() == {"outbox": True}
    clock.now += 7
    assert worker.run_due() == {"sweep": True, "outbox": True}
    assert runs == ["sweep", "outbox", "outbox", "sweep", "outbox"]


def test_a_failing_job_is_logged_and_the_others_still_run(runtime: Runtime, caplog: pytest.LogCaptureFixture) -> None:
    runs: list[str] = []
    clock = FakeClock()

    def broken(rt: Runtime) -> None:
        runs.append("broken")
        raise RuntimeError("the WeChat API is down")

    worker = Worker(runtime, [Job("broken", 5, broken), Job("fine", 5, lambda rt: runs.append("fine"))], clock=clock)
    with caplog.at_level(logging.ERROR, logger="backend.jobs.worker"):
        assert worker.run_due() == {"broken": False, "fine": True}
    assert "job broken failed" in caplog.text and "the WeChat API is down" in caplog.text
    clock.now += 5
    assert worker.run_due() == {"broken": False, "fine": True}  # tried again at its next turn
    assert runs == ["broken", "fine", "broken", "fine"]


def test_run_all_once_reports_each_outcome(runtime: Runtime) -> None:
    def broken(rt: Runtime) -> None:
        raise ValueError("no")

    worker = Worker(runtime, [Job("a", 60, lambda rt: None), Job("b", 60, broken)])
    assert worker.run_all_once() == {"a": True, "b": False}


def test_the_loop_stops_promptly_when_asked(runtime: Runtime) -> None:
    ran = threading.Event()
    worker = Worker(runtime, [Job("tick", 0.01, lambda rt: ran.set())], tick_seconds=5)
    thread = worker.start_thread()
    assert ran.wait(2)
    assert thread.daemon and thread.is_alive()
    started = time.monotonic()
    worker.stop()
    thread.join(timeout=5)
    assert not thread.is_alive() and time.monotonic() - started < 1


def test_the_loop_keeps_going_after_errors(runtime: Runtime) -> None:
    calls: list[int] = []

    def flaky(rt: Runtime) -> None:
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError("not yet")

    worker = Worker(runtime, [Job("flaky", 0.01, flaky)], tick_seconds=0.01)
    thread = worker.start_thread()
    deadline = time.monotonic() + 5
    while len(calls) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    worker.stop()
    thread.join(timeout=5)
    assert len(calls) >= 4
