"""Engines, sessions and migrations. Nothing connects at import time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from backend.clock import Clock, SystemClock, clock_from_offset
from backend.config import Config
from backend.store import audit_guard  # noqa: F401 - installs the audit log's append-only guard on every session

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


CLOCK_OPTION = "dudao_clock"  # the execution option through which column defaults read the database's clock


def make_engine(url: str, clock: Clock | None = None, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite gets its folder created, WAL, a busy timeout and foreign keys on.

    The engine carries `clock` as an execution option, so that `created_at`-style defaults take the runtime's
    time even for Core inserts (see `backend.store.types.clock_default`).
    """
    kwargs.setdefault("execution_options", {})[CLOCK_OPTION] = clock or SystemClock()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(url, **kwargs)


class Database:
    """One engine and its session factory: what the services are given."""

    def __init__(self, url: str, clock: Clock | None = None, **engine_kwargs: Any) -> None:
        self.url = url
        self.clock: Clock = clock or SystemClock()
        self.engine = make_engine(url, self.clock, **engine_kwargs)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False, info={"clock": self.clock})

    @classmethod
    def for_config(cls, config: Config, clock: Clock | None = None) -> Database:
        """The database `config` names, on `clock` (default: the machine's clock, moved by `config.clock_offset`)."""
        return cls(config.database_url, clock=clock or clock_from_offset(config.clock_offset))

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def upgrade(self) -> None:
        upgrade(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


def session_clock(session: Session) -> Clock:
    """The clock of the database `session` belongs to (the runtime's clock)."""
    clock = session.info.get("clock")
    if clock is None:
        raise RuntimeError("a session from Database.session() carries the runtime's clock; this one has none")
    return clock


def session_now(session: Session) -> datetime:
    """The current moment for the use case running in `session`."""
    return session_clock(session).now()


def alembic_config(engine: Engine | None = None) -> Any:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at (None: never migrated)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revisions() -> tuple[str, ...]:
    """The latest migration(s) this code knows (one, unless two branches await their merge)."""
    from alembic.script import ScriptDirectory

    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to `revision` (the latest by default)."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)
