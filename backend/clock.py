"""The clock port: the only place in dudao that reads the system's time of day.

Production runs on `SystemClock`. Tests, the demo's playback and `dudao sweep --now` use a `SettableClock`,
pinned to a moment and moved on purpose (optionally ticking with real elapsed time, for a server that must see
seconds pass). The runtime owns one clock; the database hands it to every session (`session_now`) and to the
columns' defaults, so a use case, a job, a handler and a row's `created_at` all agree on what "now" is.

`make lint` bans `datetime.now`, `date.today`, `time.time` and their kin everywhere else (ruff TID251).
Durations and timeouts use `time.monotonic()`, which says nothing about the date.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, an aware UTC datetime."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class OffsetClock:
    """The machine's clock moved by a fixed offset: a `dudao` process started by a test runs on the test's clock
    (`DUDAO_CLOCK_OFFSET`), ticking exactly as the test's does."""

    def __init__(self, offset: timedelta) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def __repr__(self) -> str:
        return f"OffsetClock({self.offset})"


class SettableClock:
    """A clock that says what it is told: pinned at `start`, moved by `set` and `advance`.

    With `ticking=True` it also runs on with real elapsed time from the moment it was last set, so a server
    driven by a test sees seconds pass (a 30-minute undo window, a lease) while the date stays the test's.
    """

    def __init__(self, start: datetime, *, ticking: bool = False) -> None:
        self._lock = threading.Lock()
        self.ticking = ticking
        self._set(start)

    def _set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("a clock is set with an aware datetime")
        self._at = moment.astimezone(UTC)
        self._since = time.monotonic()

    def now(self) -> datetime:
        with self._lock:
            if not self.ticking:
                return self._at
            return self._at + timedelta(seconds=time.monotonic() - self._since)

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._set(moment)

    def advance(self, delta: timedelta | None = None, **parts: float) -> datetime:
        """Move on by `delta` (or `advance(minutes=5)`); the new moment."""
        step = (delta or timedelta()) + timedelta(**parts)
        with self._lock:
            base = self._at + timedelta(seconds=time.monotonic() - self._since) if self.ticking else self._at
            self._set(base + step)
            return self._at

    def __repr__(self) -> str:
        return f"SettableClock({self.now().isoformat()}, ticking={self.ticking})"


def clock_from_offset(seconds: float) -> Clock:
    """The system clock, or (tests, demonstrations) the system clock moved by `seconds`."""
    return OffsetClock(timedelta(seconds=seconds)) if seconds else SystemClock()


def offset_of(clock: Clock) -> float:
    """How far `clock` is from the machine's clock, in seconds (what a child process needs to share it)."""
    return (clock.now() - datetime.now(UTC)).total_seconds()


def local_today(clock: Clock) -> date:
    """Today's date in Asia/Shanghai, by `clock`."""
    return clock.now().astimezone(SHANGHAI).date()


def timestamp(clock: Clock) -> int:
    """Seconds since the epoch by `clock` (WeChat's CreateTime and timestamps)."""
    return int(clock.now().timestamp())


def parse_moment(text: str) -> datetime:
    """`2026-11-23 09:00` (Asia/Shanghai unless the text carries an offset) as an aware UTC datetime."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(UTC)
