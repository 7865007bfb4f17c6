"""Where a user is in a dialogue (e.g. "waiting for a bind code"), kept in the key-value store with a TTL.

Losing it is harmless: the user is asked again. So a store outage reads as "no conversation".
"""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Any

from backend.kv import KV, KVUnavailable

log = logging.getLogger(__name__)

DEFAULT_TTL = 600.0  # ten minutes of silence ends a dialogue


class Conversation:
    def __init__(self, kv: KV, openid: str, ttl: float = DEFAULT_TTL) -> None:
        self.kv, self.openid, self.ttl = kv, openid, ttl
        self._loaded = False
        self._state: str | None = None
        self._data: dict[str, Any] = {}

    @staticmethod
    def key_of(openid: str) -> str:
        """The store key of a user's conversation (the webhook reads it along with the dedupe claim)."""
        return f"wechat:conversation:{openid}"

    @property
    def _key(self) -> str:
        return self.key_of(self.openid)

    def preload(self, raw: str | None) -> None:
        """Take the stored value read by the caller (None: no conversation), instead of reading it again."""
        self._loaded = True
        if raw:
            stored = json.loads(raw)
            self._state, self._data = stored.get("state"), stored.get("data", {})

    def _load(self) -> None:
        if self._loaded:
            return
        try:
            raw = self.kv.get(self._key)
        except KVUnavailable:
            log.warning("conversation store unavailable; treating the user as idle")
            raw = None
        self.preload(raw)

    @property
    def state(self) -> str | None:
        self._load()
        return self._state

    @property
    def data(self) -> dict[str, Any]:
        self._load()
        return dict(self._data)

    def begin(self, state: str, **data: Any) -> None:
        self._loaded, self._state, self._data = True, state, data
        try:
            self.kv.set(self._key, json.dumps({"state": state, "data": data}, ensure_ascii=False), ttl=self.ttl)
        except KVUnavailable:
            log.warning("conversation store unavailable; state %s not kept", state)

    def end(self) -> None:
        self._loaded, self._state, self._data = True, None, {}
        with contextlib.suppress(KVUnavailable):
            self.kv.delete(self._key)
