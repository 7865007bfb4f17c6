"""The small key-value port: dedupe keys, conversation state, rate limits, the token cache, locks.

Redis when `DUDAO_REDIS_URL` is set; otherwise an in-process store with the same behaviour, for the embedded
default (one process). Only what may be lost lives here: SQL is the source of truth.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol


class KVUnavailable(RuntimeError):
    """The key-value store cannot be reached."""


class LockNotAcquired(RuntimeError):
    """Another holder kept the lock for longer than we were willing to wait."""


class KV(Protocol):
    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str, ttl: float | None = None) -> None: ...
    def set_if_absent(self, key: str, value: str, ttl: float | None = None) -> bool: ...
    def claim_and_read(
        self, claims: Sequence[tuple[str, str, float | None]], reads: Sequence[str] = ()
    ) -> tuple[list[str | None], list[str | None]]:
        """In one round trip: set each `(key, value, ttl)` of `claims` where the key is absent, and get `reads`.

        Returns, for each claim, None when this call set it or else the value already there (left as it was),
        and the value of each key of `reads`. Each claim is atomic on its own key.
        """
        ...

    def delete(self, key: str) -> None: ...
    def incr(self, key: str, ttl: float | None = None) -> int:
        """Add one and return the new value; `ttl` is set when the key is created."""
        ...

    def ttl(self, key: str) -> float | None: ...
    def compare_and_delete(self, key: str, expected: str) -> bool: ...
    def ping(self) -> bool: ...

    def lock(self, name: str, ttl: float, wait: float = 10.0) -> Lock: ...


class Lock(Protocol):
    def __enter__(self) -> Lock: ...
    def __exit__(self, *exc: object) -> None: ...


class MemoryKV:
    """The in-process store: one dict under one lock, with expiry checked on read."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[str, float | None]] = {}
        self._mutex = threading.RLock()

    def _live(self, key: str) -> str | None:
        item = self._data.get(key)
        if item is None:
            return None
        value, expires = item
        if expires is not None and expires <= time.monotonic():
            del self._data[key]
            return None
        return value

    @staticmethod
    def _expiry(ttl: float | None) -> float | None:
        return None if ttl is None else time.monotonic() + ttl

    def get(self, key: str) -> str | None:
        with self._mutex:
            return self._live(key)

    def set(self, key: str, value: str, ttl: float | None = None) -> None:
        with self._mutex:
            self._data[key] = (value, self._expiry(ttl))

    def set_if_absent(self, key: str, value: str, ttl: float | None = None) -> bool:
        with self._mutex:
            if self._live(key) is not None:
                return False
            self._data[key] = (value, self._expiry(ttl))
            return True

    def claim_and_read(
        self, claims: Sequence[tuple[str, str, float | None]], reads: Sequence[str] = ()
    ) -> tuple[list[str | None], list[str | None]]:
        with self._mutex:
            held: list[str | None] = []
            for key, value, ttl in claims:
                current = self._live(key)
                if current is None:
                    self._data[key] = (value, self._expiry(ttl))
                held.append(current)
            return held, [self._live(key) for key in reads]

    def delete(self, key: str) -> None:
        with self._mutex:
            self._data.pop(key, None)

    def incr(self, key: str, ttl: float | None = None) -> int:
        with self._mutex:
            current = self._live(key)
            if current is None:
                self._data[key] = ("1", self._expiry(ttl))
                return 1
            value = int(current) + 1
            self._data[key] = (str(value), self._data[key][1])
            return value

    def ttl(self, key: str) -> float | None:
        with self._mutex:
            if self._live(key) is None:
                return None
            expires = self._data[key][1]
            return None if expires is None else max(0.0, expires - time.monotonic())

    def compare_and_delete(self, key: str, expected: str) -> bool:
        with self._mutex:
            if self._live(key) != expected:
                return False
            del self._data[key]
            return True

    def ping(self) -> bool:
        return True

    def lock(self, name: str, ttl: float, wait: float = 10.0) -> Lock:
        return _TokenLock(self, name, ttl, wait)


class RedisKV:
    """The same port on Redis; every error becomes `KVUnavailable`."""

    _COMPARE_AND_DELETE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"

    def __init__(self, url: str, prefix: str = "dudao:") -> None:
        import redis

        self._errors = (redis.RedisError, OSError)
        self._redis = redis.Redis.from_url(
            url, decode_responses=True, socket_timeout=1.0, socket_connect_timeout=1.0, health_check_interval=30
        )
        self.prefix = prefix
        self._cad = self._redis.register_script(self._COMPARE_AND_DELETE)

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except self._errors as exc:
            raise KVUnavailable(str(exc)) from exc

    def _k(self, key: str) -> str:
        return self.prefix + key

    def get(self, key: str) -> str | None:
        with self._guard():
            value = self._redis.get(self._k(key))
        return None if value is None else str(value)

    def set(self, key: str, value: str, ttl: float | None = None) -> None:
        with self._guard():
            self._redis.set(self._k(key), value, px=None if ttl is None else int(ttl * 1000))

    def set_if_absent(self, key: str, value: str, ttl: float | None = None) -> bool:
        with self._guard():
            px = None if ttl is None else int(ttl * 1000)
            return bool(self._redis.set(self._k(key), value, nx=True, px=px))

    def claim_and_read(
        self, claims: Sequence[tuple[str, str, float | None]], reads: Sequence[str] = ()
    ) -> tuple[list[str | None], list[str | None]]:
        # SET NX GET (Redis 7) answers the value already there, or nil when it set ours; a plain pipeline (no
        # MULTI) is one round trip and keeps working key by key on a cluster
        with self._guard():
            pipe = self._redis.pipeline(transaction=False)
            for key, value, ttl in claims:
                pipe.set(self._k(key), value, nx=True, get=True, px=None if ttl is None else int(ttl * 1000))
            for key in reads:
                pipe.get(self._k(key))
            answers = pipe.execute()
        values = [None if a is None else str(a) for a in answers]
        return values[: len(claims)], values[len(claims) :]

    def delete(self, key: str) -> None:
        with self._guard():
            self._redis.delete(self._k(key))

    def incr(self, key: str, ttl: float | None = None) -> int:
        with self._guard():
            pipe = self._redis.pipeline()
            pipe.incr(self._k(key))
            if ttl is not None:
                pipe.pexpire(self._k(key), int(ttl * 1000), nx=True)
            value = pipe.execute()[0]
        return int(value)

    def ttl(self, key: str) -> float | None:
        with self._guard():
            ms = int(self._redis.pttl(self._k(key)))
        return None if ms < 0 else ms / 1000

    def compare_and_delete(self, key: str, expected: str) -> bool:
        with self._guard():
            return bool(self._cad(keys=[self._k(key)], args=[expected]))

    def ping(self) -> bool:
        try:
            return bool(self._redis.ping())
        except self._errors:
            return False

    def lock(self, name: str, ttl: float, wait: float = 10.0) -> Lock:
        return _TokenLock(self, name, ttl, wait)


class _TokenLock:
    """A lease: set-if-absent with a random token and a TTL; released only by its holder."""

    def __init__(self, kv: MemoryKV | RedisKV, name: str, ttl: float, wait: float) -> None:
        self.kv, self.key, self.ttl, self.wait = kv, f"lock:{name}", ttl, wait
        self.token = uuid.uuid4().hex

    def __enter__(self) -> _TokenLock:
        deadline = time.monotonic() + self.wait
        delay = 0.005
        while not self.kv.set_if_absent(self.key, self.token, self.ttl):
            if time.monotonic() >= deadline:
                raise LockNotAcquired(self.key)
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
        return self

    def __exit__(self, *exc: object) -> None:
        self.kv.compare_and_delete(self.key, self.token)


def kv_from_url(url: str | None) -> MemoryKV | RedisKV:
    """Redis for a URL, the in-process store for none."""
    return RedisKV(url) if url else MemoryKV()
