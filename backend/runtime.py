"""The running system's ports, built once from a `Config`: the database, the key-value store, the notifier."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from backend.clock import Clock
from backend.config import Config
from backend.kv import KV, kv_from_url
from backend.notify import Notifier
from backend.store.db import Database

NotifierFactory = Callable[[Config, KV], Notifier]


@dataclass
class Runtime:
    config: Config
    db: Database
    kv: KV
    # how to build the WeChat client; wired by the composition roots (`backend.app.build_runtime`, create_app)
    notifier_factory: NotifierFactory | None = None
    _notifier: Notifier | None = field(default=None, init=False, repr=False)
    _mutex: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def from_config(
        cls, config: Config, notifier_factory: NotifierFactory | None = None, clock: Clock | None = None
    ) -> Runtime:
        """The ports for `config`; `clock` (default: the system's) is the one every part of the runtime reads."""
        return cls(
            config=config,
            db=Database.for_config(config, clock),
            kv=kv_from_url(config.redis_url),
            notifier_factory=notifier_factory,
        )

    @property
    def clock(self) -> Clock:
        """The runtime's clock: the only source of the current time (the database hands it to every session)."""
        return self.db.clock

    @property
    def notifier(self) -> Notifier:
        """The WeChat client, built on first use and kept (its HTTP session and token cache live with it)."""
        with self._mutex:
            if self._notifier is None:
                if self.notifier_factory is None:
                    raise RuntimeError("no notifier wired: build the runtime with backend.app.build_runtime")
                self._notifier = self.notifier_factory(self.config, self.kv)
            return self._notifier

    def close(self) -> None:
        """Release the database's connections and the WeChat client's HTTP session, if one was built."""
        close_notifier = getattr(self._notifier, "close", None)
        if callable(close_notifier):
            close_notifier()
        self.db.dispose()
