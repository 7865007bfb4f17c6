"""Scratch PostgreSQL databases beside the test database: `<test db>_<suffix>`, created empty for one test.

For what a single schema cannot show: an upgrade from an older revision, a restore into a fresh database.
The names derive from DUDAO_TEST_DATABASE_URL (`test_deploy` -> `test_deploy_restored`), so each engineer's and
CI's runs keep to their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL, _unavailable


def _admin_url() -> str:
    if not PG_URL:
        _unavailable("DUDAO_TEST_DATABASE_URL (PostgreSQL)")
    return make_url(PG_URL or "").set(database="postgres").render_as_string(hide_password=False)


def scratch_url(suffix: str) -> str:
    if not PG_URL:
        _unavailable("DUDAO_TEST_DATABASE_URL (PostgreSQL)")
    url = make_url(PG_URL or "")
    return url.set(database=f"{url.database}_{suffix}").render_as_string(hide_password=False)


def _recreate(name: str, *, create: bool) -> None:
    engine = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if create:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


@contextmanager
def scratch_database(suffix: str, *, create: bool = True) -> Iterator[str]:
    """An empty database (or, `create=False`, only its name: `createdb` is the test's to run); dropped after."""
    url = scratch_url(suffix)
    name = make_url(url).database or ""
    _recreate(name, create=create)
    try:
        yield url
    finally:
        _recreate(name, create=False)
