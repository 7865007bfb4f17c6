"""A database session for one CLI command, on the configured database, its connections closed afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from backend.config import Config
from backend.store.db import Database


@contextmanager
def config_session(config: Config) -> Iterator[Session]:
    database = Database.for_config(config)
    try:
        with database.session() as session:
            yield session
    finally:
        database.dispose()
