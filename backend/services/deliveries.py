"""The database half of deduplication: one `InboundDelivery` row per WeChat delivery, whatever the retries.

The row is inserted first in the transaction that carries the handler's effect, and its key is unique: a
concurrent retry blocks on the insert until the first commits, then inserts nothing, and reads the reply stored
with it. Plain statements on the table (no unit of work): this is on every message's path.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from backend.store.db import session_now
from backend.store.models import InboundDelivery

_deliveries = cast(Table, InboundDelivery.__table__)
# built once per dialect and reused, so that each delivery only binds its values (no statement building)
_claims: dict[str, Any] = {}
_KEEP_REPLY = update(_deliveries).where(_deliveries.c.id == bindparam("delivery_id")).values(reply=bindparam("kept"))


def insert_for(session: Session) -> Any:
    """The dialect's `insert`, which has `on_conflict_do_nothing` / `on_conflict_do_update` (PostgreSQL, SQLite)."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def claim(session: Session, *, dedupe_key: str, openid: str, msg_type: str) -> int | None:
    """Record the delivery: its id, or None when it is already recorded (the transaction stays usable).

    One `INSERT … ON CONFLICT DO NOTHING`. Must be the first statement of its transaction: on SQLite that makes
    the transaction a writer from the start, so a retry waits for the lock instead of failing on a stale snapshot;
    on PostgreSQL a concurrent retry waits for the first transaction and then inserts nothing.
    """
    dialect = session.get_bind().dialect.name
    stmt = _claims.get(dialect)
    if stmt is None:
        stmt = _claims[dialect] = (
            insert_for(session)(_deliveries)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(_deliveries.c.id)
        )
    values = {"dedupe_key": dedupe_key, "openid": openid, "msg_type": msg_type, "received_at": session_now(session)}
    return session.connection().execute(stmt, values).scalar()


def keep_reply(session: Session, delivery_id: int, reply: str | None) -> None:
    """Store the reply with the delivery, for a retry that comes while the store is down. Does not commit."""
    session.connection().execute(_KEEP_REPLY, {"delivery_id": delivery_id, "kept": reply})


def stored_reply(session: Session, dedupe_key: str) -> str | None:
    """The reply kept with a recorded delivery."""
    return session.scalar(select(InboundDelivery.reply).where(InboundDelivery.dedupe_key == dedupe_key))


def is_recorded(session: Session, dedupe_key: str) -> bool:
    return session.scalar(select(InboundDelivery.id).where(InboundDelivery.dedupe_key == dedupe_key)) is not None


def purge_before(session: Session, before: datetime) -> int:
    """Forget deliveries received before `before` (WeChat retries for 15 s; keep days). Does not commit."""
    result = session.execute(delete(InboundDelivery).where(InboundDelivery.received_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
