"""The key-value half of deduplication: the fast answer to "have we seen this delivery?".

A delivery's key goes through `pending:<token>` (someone is handling it) to `done:<reply>` (here is what to
answer). When the store is down the answer is "unknown" and the database's unique key decides alone.
The claim is one set-if-absent that answers what was there (`KV.claim_and_read`), so the webhook can send it in
the same round trip as the nonce memory and the conversation state (`claim_entry` + `judge`).
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from dataclasses import dataclass
from enum import Enum

from backend.kv import KV, KVUnavailable

log = logging.getLogger(__name__)

PENDING_TTL = 30.0  # a handler that died leaves its claim for this long
DONE_TTL = 300.0  # WeChat retries within 15 s; keep the answer well beyond


class Seen(Enum):
    FIRST = "first"  # ours to handle
    PENDING = "pending"  # another request is handling it now
    DONE = "done"  # handled; `stored` is the reply
    UNKNOWN = "unknown"  # the store is down: let the database decide


@dataclass(frozen=True)
class Claim:
    seen: Seen
    token: str = ""
    stored: str = ""


@dataclass(frozen=True)
class ClaimEntry:
    """A claim about to be sent to the store: `(key, value, ttl)` for `KV.claim_and_read`, and its token."""

    entry: tuple[str, str, float]
    token: str


class Dedupe:
    def __init__(self, kv: KV, *, pending_ttl: float = PENDING_TTL, done_ttl: float = DONE_TTL) -> None:
        self.kv, self.pending_ttl, self.done_ttl = kv, pending_ttl, done_ttl

    @staticmethod
    def _key(dedupe_key: str) -> str:
        return f"wechat:delivery:{dedupe_key}"

    def claim_entry(self, dedupe_key: str) -> ClaimEntry:
        token = uuid.uuid4().hex
        return ClaimEntry((self._key(dedupe_key), f"pending:{token}", self.pending_ttl), token)

    @staticmethod
    def judge(entry: ClaimEntry, held: str | None) -> Claim:
        """What the store's answer to `entry` means: None is ours, else the value someone else left."""
        if held is None:
            return Claim(Seen.FIRST, token=entry.token)
        if held.startswith("done:"):
            return Claim(Seen.DONE, stored=held.removeprefix("done:"))
        return Claim(Seen.PENDING)

    def claim(self, dedupe_key: str) -> Claim:
        entry = self.claim_entry(dedupe_key)
        try:
            held, _ = self.kv.claim_and_read([entry.entry])
        except KVUnavailable:
            log.warning("dedupe store unavailable; the database decides alone")
            return Claim(Seen.UNKNOWN)
        return self.judge(entry, held[0])

    def finish(self, dedupe_key: str, stored: str) -> None:
        try:
            self.kv.set(self._key(dedupe_key), f"done:{stored}", ttl=self.done_ttl)
        except KVUnavailable:
            log.warning("dedupe store unavailable; the stored reply stays in the database only")

    def release(self, dedupe_key: str, token: str) -> None:
        """Give up a claim (the handler failed, or the request was refused), so that a retry is handled afresh."""
        if not token:
            return
        with contextlib.suppress(KVUnavailable):
            self.kv.compare_and_delete(self._key(dedupe_key), f"pending:{token}")
