"""The running system's ports, built once from a `Config`: the database and the key-value store."""

from __future__ import annotations

from dataclasses import dataclass

from backend.config import Config
from backend.kv import KV, kv_from_url
from backend.store.db import Database


@dataclass
class Runtime:
    config: Config
    db: Database
    kv: KV

    @classmethod
    def from_config(cls, config: Config) -> Runtime:
        return cls(config=config, db=Database(config.database_url), kv=kv_from_url(config.redis_url))

    def close(self) -> None:
        self.db.dispose()
