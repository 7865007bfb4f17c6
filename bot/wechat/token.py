"""The access token, shared by every process through the key-value store.

WeChat keeps one valid token per account (the previous one works 5 more minutes after a refresh), so many
processes refreshing on their own invalidate each other. Here one process at a time refreshes, under the
lock `wechat-token`, and re-checks the cache once it holds the lock; the others read what it stored.
A token that failed is dropped only if it is still the cached one (compare-and-delete), so a late failure
does not throw away the fresh token another process just fetched. When the store is down we still work:
each process then keeps its own token (and says so in the log).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from backend.kv import KV, KVUnavailable, LockNotAcquired

log = logging.getLogger(__name__)

REFRESH_AHEAD = 300.0  # seconds before expiry when we fetch the next token
LOCK_TTL = 30.0  # longer than one token call with its timeouts
LOCK_WAIT = 15.0
# after a failed token call, fail fast this long instead of calling again (refused / transport error)
REFUSED_PAUSE = 30.0
UNREACHABLE_PAUSE = 5.0

Fetch = Callable[[], tuple[str, float]]  # -> (token, lifetime in seconds)


class SharedToken:
    """The current access token for one appid: cached in `kv`, fetched by `fetch` when missing or stale."""

    def __init__(self, kv: KV | None, appid: str, fetch: Fetch, *, refresh_ahead: float = REFRESH_AHEAD) -> None:
        self.kv = kv
        self.key = f"wechat:access-token:{appid}"
        self.fetch = fetch
        self.refresh_ahead = refresh_ahead
        # the fallback when the store is down: (token, monotonic expiry)
        self._local: tuple[str, float] | None = None
        self._local_mutex = threading.Lock()
        # the last failed token call: a wrong secret must not turn every send into a token call
        self._failure: tuple[Exception, float] | None = None

    def get(self) -> str:
        """A token with more than `refresh_ahead` seconds to live."""
        failure = self._failure
        if failure and failure[1] > time.monotonic():
            raise failure[0]
        if self.kv is None:
            return self._get_local()
        try:
            token = self._fresh_cached()
            if token:
                return token
            try:
                with self.kv.lock("wechat-token", ttl=LOCK_TTL, wait=LOCK_WAIT):
                    token = self._fresh_cached()  # another process may have refreshed while we waited
                    if token:
                        return token
                    return self._fetch_and_store()
            except LockNotAcquired:
                # the holder is stuck (or died before its lease ran out): use what is cached, else fetch ourselves
                token = self.kv.get(self.key)
                if token:
                    return token
                log.warning("token lock not acquired in %ss; fetching a token without it", LOCK_WAIT)
                return self._fetch_and_store()
        except KVUnavailable as exc:
            log.warning("key-value store unavailable (%s): using a process-local access token", exc)
            return self._get_local()

    def invalidate(self, token: str) -> None:
        """Forget `token` because WeChat refused it, unless a newer one has replaced it already."""
        with self._local_mutex:
            if self._local and self._local[0] == token:
                self._local = None
        if self.kv is None:
            return
        try:
            if self.kv.compare_and_delete(self.key, token):
                log.info("dropped the access token WeChat refused")
        except KVUnavailable as exc:
            log.warning("key-value store unavailable (%s): could not drop the refused token", exc)

    def _fresh_cached(self) -> str | None:
        assert self.kv is not None
        return self.kv.get(self.key)

    def _trusted_for(self, lifetime: float) -> float:
        """How long to keep a token that lives `lifetime` seconds: until `refresh_ahead` before it expires."""
        return max(lifetime - self.refresh_ahead, lifetime / 2)

    def _fetch_and_store(self) -> str:
        assert self.kv is not None
        token, lifetime = self._fetch()
        try:
            # kept only until it is due for refresh, so a cached token is a fresh one
            self.kv.set(self.key, token, ttl=self._trusted_for(lifetime))
        except KVUnavailable as exc:
            log.warning("key-value store unavailable (%s): the new access token is not shared", exc)
            self._remember_locally(token, lifetime)
        return token

    def _fetch(self) -> tuple[str, float]:
        try:
            result = self.fetch()
        except Exception as exc:
            refused = getattr(exc, "code", None) is not None
            self._failure = (exc, time.monotonic() + (REFUSED_PAUSE if refused else UNREACHABLE_PAUSE))
            raise
        self._failure = None
        return result

    def _get_local(self) -> str:
        with self._local_mutex:
            if self._local and self._local[1] > time.monotonic():
                return self._local[0]
            token, lifetime = self._fetch()
            self._local = (token, time.monotonic() + self._trusted_for(lifetime))
            return token

    def _remember_locally(self, token: str, lifetime: float) -> None:
        with self._local_mutex:
            self._local = (token, time.monotonic() + self._trusted_for(lifetime))
