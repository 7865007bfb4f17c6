"""Periodic jobs run by `dudao worker` (and by the worker thread of `dudao serve` in the embedded default)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from backend.runtime import Runtime


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    run: Callable[[Runtime], object]


def registered_jobs() -> list[Job]:
    """Every periodic job; each module that has one adds itself here."""
    from backend.jobs import housekeeping, media_fetcher, menus, outbox_sender, sweep

    return [menus.JOB, outbox_sender.JOB, media_fetcher.JOB, sweep.JOB, housekeeping.JOB]
