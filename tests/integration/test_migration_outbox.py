"""Migration 0003_outbox: additive over the landed 0001, with data in it, on SQLite and PostgreSQL (its own schema);
afterwards the models and the migrated schema agree (alembic's autogenerate compare finds nothing)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from backend.store.db import make_engine, upgrade
from backend.store.models import Base
from tests.conftest import PG_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        found = make_engine(f"sqlite:///{tmp_path / 'upgrade.sqlite3'}")
        yield found
        found.dispose()
        return
    if not PG_URL:
        pytest.skip("DUDAO_TEST_DATABASE_URL (PostgreSQL) not configured")
    schema = f"mig_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    found = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield found
    finally:
        found.dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_0002_adds_to_a_database_in_use_and_learns_each_pushs_record(engine: sa.Engine) -> None:
    upgrade(engine, "0001")
    outbox = sa.table(
        "outbox_message",
        *(sa.column(c) for c in ("dedupe_key", "openid", "kind", "notice", "payload", "state", "attempts")),
        sa.column("next_attempt_at"),
        sa.column("last_error"),
        sa.column("created_at"),
    )
    moment = "2026-11-20 02:00:00"
    with engine.begin() as conn:
        for key, state in (
            ("rect:12:issued:o_unit_1", "given_up"),
            ("concern:7:answered:o_p", "sent"),
            ("k", "pending"),
        ):
            conn.execute(
                outbox.insert().values(
                    dedupe_key=key, openid="o_unit_1", kind="text", notice="", payload="{}", state=state, attempts=1,
                    next_attempt_at=moment, last_error="", created_at=moment,
                )
            )  # fmt: skip
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT dedupe_key, subject_type, subject_id, given_up_at IS NOT NULL, resolution, office_retries "
                "FROM outbox_message ORDER BY id"
            )
        ).all()
        assert [tuple(r) for r in rows] == [
            ("rect:12:issued:o_unit_1", "rectification", 12, True, "", 0),
            ("concern:7:answered:o_p", "concern", 7, False, "", 0),
            ("k", "", None, False, "", 0),
        ]
        assert conn.execute(sa.text("SELECT count(*) FROM worker_heartbeat")).scalar() == 0
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
