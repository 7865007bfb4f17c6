"""What the webhook sees of WeChat's clock: the drift between a push's timestamp and ours, and the pushes refused
for lying outside the replay window.

Only authentic pushes count (the gate calls this after the signature checked), so nobody can move the figures
with forged requests. The figures live in the key-value store, so that every web process reports the same on
`/healthz`: a refusal is counted at once (they are rare), an accepted push's drift is written at most every
`PUBLISH_EVERY` seconds per process (or when it is the largest this process has seen this hour), so the
webhook's hot path keeps its one round trip to the store. Figures are lost with the store, as dedupe keys are.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from datetime import UTC, datetime

from backend.clock import Clock
from backend.clock import timestamp as timestamp_of
from backend.kv import KV, KVUnavailable
from messages import t

REPLAY_WINDOW = 300  # seconds either side of our clock: a push outside is refused (the gate's window)
PUBLISH_EVERY = 10.0  # seconds between two writes of the latest drift, per process
BUCKET = 3600  # the largest drift is kept per hour; the report covers this hour and the one before
DRIFT_WARNING = 60  # seconds: a clock this far off is worth fixing (NTP) long before the window refuses pushes
_LAST = "wechat:clock:last"
_MAX = "wechat:clock:max:{bucket}"
_REFUSED = "wechat:replay:{side}"  # too_old | too_new
_REFUSED_LAST = "wechat:replay:last"


class ClockWatch:
    """One web process's recorder (the gate holds one)."""

    def __init__(self, kv: KV, clock: Clock, *, publish_every: float = PUBLISH_EVERY) -> None:
        self.kv, self.clock, self.publish_every = kv, clock, publish_every
        self._mutex = threading.Lock()
        self._published_at = float("-inf")  # time.monotonic() of the last write of the latest drift
        self._bucket_max: tuple[int, int] = (-1, -1)  # (bucket, |drift|) this process last wrote as its max

    def seen(self, their_timestamp: int) -> int:
        """An accepted push's timestamp: its drift (theirs − ours, seconds), recorded as the latest."""
        now = timestamp_of(self.clock)
        drift = their_timestamp - now
        bucket = now // BUCKET
        with self._mutex:
            publish = time.monotonic() - self._published_at >= self.publish_every
            grows = self._bucket_max[0] != bucket or abs(drift) > self._bucket_max[1]
            if publish:
                self._published_at = time.monotonic()
            if grows:
                self._bucket_max = (bucket, abs(drift))
        with contextlib.suppress(KVUnavailable):
            if publish:
                self.kv.set(_LAST, json.dumps({"drift": drift, "at": now}), ttl=2 * BUCKET)
            if grows:
                self._raise_max(bucket, drift, now)
        return drift

    def refused(self, their_timestamp: int) -> int:
        """A push outside the replay window: counted (too old or too new), its drift recorded too."""
        now = timestamp_of(self.clock)
        drift = their_timestamp - now
        with contextlib.suppress(KVUnavailable):
            self.kv.incr(_REFUSED.format(side="too_old" if drift < 0 else "too_new"))
            self.kv.set(_REFUSED_LAST, json.dumps({"drift": drift, "at": now}))
            self.kv.set(_LAST, json.dumps({"drift": drift, "at": now}), ttl=2 * BUCKET)
            self._raise_max(now // BUCKET, drift, now)
        return drift

    def _raise_max(self, bucket: int, drift: int, now: int) -> None:
        key = _MAX.format(bucket=bucket)
        held = _read(self.kv, key)
        if held is None or abs(drift) > abs(int(held["drift"])):  # a race loses a near-equal value at worst
            self.kv.set(key, json.dumps({"drift": drift, "at": now}), ttl=2 * BUCKET + 60)


def _read(kv: KV, key: str) -> dict[str, int] | None:
    raw = kv.get(key)
    if not raw:
        return None
    try:
        value = json.loads(raw)
        return {"drift": int(value["drift"]), "at": int(value["at"])}
    except (ValueError, KeyError, TypeError):
        return None


def _iso(at: int | None) -> str | None:
    return datetime.fromtimestamp(at, UTC).isoformat() if at is not None else None


def report(kv: KV, clock: Clock, window: int = REPLAY_WINDOW) -> dict[str, object]:
    """The `wechat` block of /healthz: refusals by the replay window and the clock drift seen lately."""
    now = timestamp_of(clock)
    bucket = now // BUCKET
    last = _read(kv, _LAST)
    maxima = [m for m in (_read(kv, _MAX.format(bucket=b)) for b in (bucket, bucket - 1)) if m is not None]
    largest = max(maxima, key=lambda m: abs(m["drift"]), default=None)
    too_old, too_new = (int(kv.get(_REFUSED.format(side=side)) or 0) for side in ("too_old", "too_new"))
    refused_last = _read(kv, _REFUSED_LAST)
    worst = abs(largest["drift"]) if largest else 0
    recent_refusal = refused_last is not None and now - refused_last["at"] < 2 * BUCKET
    ok = worst < DRIFT_WARNING and not recent_refusal
    if recent_refusal:
        message = t("wechat_health.refused", count=too_old + too_new, window=window)
    elif worst >= DRIFT_WARNING:
        message = t("wechat_health.drift", seconds=worst, window=window)
    elif last is None:
        message = t("wechat_health.none_seen")
    else:
        message = t("wechat_health.ok", seconds=worst)
    return {
        "ok": ok,
        "message": message,
        "replay_window_seconds": window,
        "replay_refusals": {
            "too_old": too_old,
            "too_new": too_new,
            "last_at": _iso(refused_last["at"]) if refused_last else None,
            "last_drift_seconds": refused_last["drift"] if refused_last else None,
        },
        "clock_drift": {  # WeChat's timestamp minus ours, in seconds: positive when our clock is behind
            "last_seconds": last["drift"] if last else None,
            "last_at": _iso(last["at"]) if last else None,
            "max_abs_seconds": worst if largest else None,
            "max_seconds": largest["drift"] if largest else None,
            "max_at": _iso(largest["at"]) if largest else None,
            "since": _iso((bucket - 1) * BUCKET),
        },
    }
