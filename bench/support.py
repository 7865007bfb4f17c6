"""What the office benches share: a database of their own (never `test`), emptied and built unless `--keep` finds
an earlier run's data, bulk inserts, the two office users (the office and a zone leader), their signed-in Flask
clients, and a timer (median and worst of a few runs after a warm-up).

Imported by `bench/dashboard.py` and `bench/tasks.py` as `support` (a bench script has `bench/` on its path).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from backend.services import office_users
from backend.store.db import Database
from backend.store.models import Zone

PASSWORD = "Timing the Office 2468"  # passes the password rules (not the username, three kinds)
USERS = ("bench", "bench-zone")  # the office, and the leader of the first zone


def ensure_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.database in (None, "test"):
        raise SystemExit("use a database of its own for the benchmark, never `test`")
    admin = create_engine(
        parsed.set(database="postgres", drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}):
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def batches(rows: list[dict[str, Any]], size: int = 5000) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def bulk(db: Database, model: Any, rows: list[dict[str, Any]]) -> None:
    with db.engine.begin() as conn:
        for chunk in batches(rows):
            conn.execute(insert(model.__table__), chunk)


def timed(fn: Any, runs: int = 7) -> tuple[float, float]:
    fn()  # warm the caches and the connection pool
    took = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        took.append((time.perf_counter() - started) * 1000)
    return statistics.median(took), max(took)


def rebuilt(db: Database, *, keep: bool, table: str, build: Callable[[], object]) -> float | None:
    """The bench's data: kept if `keep` and `table` has rows from an earlier run (None), else the schema dropped,
    migrated, `build()` run and the two office users (`USERS`) made; returns the seconds the build took."""
    with db.sessions() as s:
        have = db.engine.dialect.has_table(s.connection(), table) and s.scalar(text(f"SELECT count(*) FROM {table}"))
    if keep and have:
        return None
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    db.upgrade()
    started = time.perf_counter()
    build()
    took = time.perf_counter() - started
    with db.sessions() as s:
        office_users.create_user(s, username=USERS[0], password=PASSWORD, role=office_users.OfficeRole.OFFICE)
        zone = s.scalar(select(Zone.name).order_by(Zone.id))
        office_users.create_user(
            s, username=USERS[1], password=PASSWORD, role=office_users.OfficeRole.ZONE_LEADER, zone_name=zone
        )
    return took


@contextmanager
def office_clients(db: Database, url: str) -> Iterator[list[tuple[str, Any]]]:
    """The app on `db` and one signed-in test client per office user in `USERS`: `[(username, client)]`."""
    import re

    from backend.app import create_app
    from backend.config import config_from_env
    from backend.kv import MemoryKV
    from backend.runtime import Runtime

    with tempfile.TemporaryDirectory() as folder:
        config = config_from_env({"DUDAO_INSTANCE_DIR": folder}, database_url=url, secret_key="bench")
        app = create_app(runtime=Runtime(config=config, db=db, kv=MemoryKV()))
        clients = []
        for username in USERS:
            client = app.test_client()
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/office/login").text)
            assert token is not None
            client.post("/office/login", data={"username": username, "password": PASSWORD, "csrf_token": token[1]})
            clients.append((username, client))
        yield clients
