"""The database half of deduplication: one `InboundDelivery` row per WeChat delivery, whatever the retries.

The row is inserted first in the transaction that carries the handler's effect, and its key is unique: a
concurrent retry blocks on the insert until the first commits, then fails, and reads the reply stored with it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.store.models import InboundDelivery


def claim(session: Session, *, dedupe_key: str, openid: str, msg_type: str) -> InboundDelivery | None:
    """Record the delivery, or None (and the transaction rolled back) when it is already recorded.

    Must be the first statement of its transaction: on SQLite that makes the transaction a writer from the
    start, so a retry waits for the lock instead of failing on a stale snapshot.
    """
    delivery = InboundDelivery(dedupe_key=dedupe_key, openid=openid, msg_type=msg_type)
    session.add(delivery)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return None
    return delivery


def stored_reply(session: Session, dedupe_key: str) -> str | None:
    """The reply kept with a recorded delivery."""
    return session.scalar(select(InboundDelivery.reply).where(InboundDelivery.dedupe_key == dedupe_key))


def is_recorded(session: Session, dedupe_key: str) -> bool:
    return session.scalar(select(InboundDelivery.id).where(InboundDelivery.dedupe_key == dedupe_key)) is not None


def purge_before(session: Session, before: datetime) -> int:
    """Forget deliveries received before `before` (WeChat retries for 15 s; keep days). Does not commit."""
    result = session.execute(delete(InboundDelivery).where(InboundDelivery.received_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
