"""The migrations and the models agree, and an upgrade keeps what a county already has.

`0001_initial_schema.py` is the deployed schema and frozen; every change is a new, additive migration
(`scripts/new-migration.sh`). These tests hold that promise on PostgreSQL:
- a database upgraded from nothing to head is what the models describe (alembic's autogenerate compare finds no
  difference), so no model change can land without its migration;
- a database at 0001 holding a county (the demo county and three months of its activity) upgrades to head with
  every row of every table as it was, and the services work on it afterwards.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import Engine, MetaData, String, cast, func, select, text

from backend.cli import main
from backend.clock import SettableClock
from backend.demo.activity import ensure_demo_accounts, load_demo_activity
from backend.demo.county import load_demo_county
from backend.store.db import Database, current_revision, head_revisions, make_engine, upgrade
from backend.store.models import Base, Visit, Zone
from tests.builders import County
from tests.pg_scratch import scratch_database

FROZEN = "0001"


def differences(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def test_a_database_migrated_from_nothing_is_what_the_models_say_on_postgresql(pg_database: Database) -> None:
    assert differences(pg_database.engine) == []
    assert current_revision(pg_database.engine) in head_revisions()


def test_a_database_migrated_from_nothing_is_what_the_models_say_on_sqlite(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    upgrade(engine)
    try:
        assert differences(engine) == []
    finally:
        engine.dispose()


def test_there_is_one_head_and_the_frozen_initial_migration_starts_the_chain() -> None:
    from alembic.script import ScriptDirectory

    from backend.store.db import alembic_config

    scripts = ScriptDirectory.from_config(alembic_config())
    assert len(scripts.get_heads()) == 1, "two migrations follow the same one: chain them (down_revision)"
    assert [s.revision for s in scripts.walk_revisions()][-1] == FROZEN
    assert scripts.get_revision(FROZEN).down_revision is None


def _rows(engine: Engine, tables: MetaData) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table in `tables`, those tables' columns only, in a stable order."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in tables.sorted_tables:
            columns = [table.c[c.name] for c in table.columns]
            order: list[Any] = list(table.primary_key.columns) or [cast(c, String) for c in columns]
            found[table.name] = [tuple(row) for row in conn.execute(select(*columns).order_by(*order))]
    return found


def _copy(source: Engine, target: Engine, tables: MetaData) -> None:
    """The rows of `source` into `target` (at an older revision), the older revision's columns only."""
    with source.connect() as read, target.begin() as write:
        write.execute(text("SET session_replication_role = replica"))  # foreign keys checked once, after
        for table in tables.sorted_tables:
            names = [c.name for c in table.columns]
            rows = [dict(zip(names, row, strict=True)) for row in read.execute(text(_select(table.name, names)))]
            if rows:
                write.execute(table.insert(), rows)
        write.execute(text("SET session_replication_role = DEFAULT"))
        for table in tables.sorted_tables:
            if "id" in table.c:
                write.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f'(SELECT coalesce(max(id), 0) + 1 FROM "{table.name}"), false)'
                    )
                )


def _select(table: str, names: list[str]) -> str:
    return "SELECT " + ", ".join(f'"{n}"' for n in names) + f' FROM "{table}"'


def test_an_upgrade_from_the_frozen_schema_keeps_a_countys_data(clock: SettableClock, tmp_path: Path) -> None:
    with scratch_database("mig_county") as county_url, scratch_database("mig_0001") as old_url:
        # the county's data, written by today's code at head
        county = Database(county_url, clock=SettableClock(clock.now()))
        county.upgrade()
        with county.sessions() as session:
            load_demo_county(session)
            ensure_demo_accounts(session)
            load_demo_activity(session, pepper="migration-test-pepper", media_dir=tmp_path / "media")

        # a deployment still at 0001 holding the same rows
        old = make_engine(old_url)
        upgrade(old, FROZEN)
        assert current_revision(old) == FROZEN
        frozen_tables = MetaData()
        frozen_tables.reflect(old)
        frozen_tables.remove(frozen_tables.tables["alembic_version"])
        _copy(county.engine, old, frozen_tables)
        before = _rows(old, frozen_tables)
        assert len(before["visit"]) > 100 and before["rectification"] and before["unit"]

        # the upgrade
        upgraded = CliRunner().invoke(main, ["db", "upgrade"], env={"DUDAO_DATABASE_URL": old_url})
        assert upgraded.exit_code == 0, upgraded.output
        shown = CliRunner().invoke(main, ["db", "current"], env={"DUDAO_DATABASE_URL": old_url})
        assert shown.exit_code == 0 and "已是最新版本" in shown.output, shown.output
        assert _rows(old, frozen_tables) == before
        assert differences(old) == []

        # and the code works on it: reads what was there, writes new rows
        database = Database(old_url, clock=clock)
        with database.session() as session:
            assert session.scalar(select(func.count()).select_from(Visit)) == len(before["visit"])
            County(session).zone("青禾县新城督学责任区")
        with database.session() as session:
            assert session.scalar(select(func.count()).select_from(Zone)) == len(before["zone"]) + 1
        database.dispose()
        old.dispose()
        county.dispose()


def test_db_current_says_when_a_database_is_behind(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    runner = CliRunner()
    empty = runner.invoke(main, ["db", "current"], env={"DUDAO_DATABASE_URL": url})
    assert empty.exit_code == 1 and "尚未迁移" in empty.output and "dudao db upgrade" in empty.output
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    current = runner.invoke(main, ["db", "current"], env={"DUDAO_DATABASE_URL": url})
    assert current.exit_code == 0 and "已是最新版本" in current.output


@pytest.fixture(autouse=True)
def _quiet_alembic() -> None:
    """alembic logs each step at INFO; the test's output stays readable."""
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)
