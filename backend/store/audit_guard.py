"""The audit log is append-only for the application (issue 16, 等保 安全审计).

The mapper refuses to flush a changed or deleted `AuditEvent` (its `before_update` / `before_delete` events: no
cost for other flushes), and every session refuses an ORM `update(AuditEvent)` or
`delete(AuditEvent)` statement. The one exception is purging events past their retention, inside
`purge_allowed(session)` (used by `backend.services.audit.purge_before`), which on PostgreSQL also sets
`dudao.audit_purge` for the transaction so that the table's trigger (migration 0007) lets the DELETE through.
The database refuses UPDATE always (PostgreSQL and SQLite triggers), whatever the application does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import ORMExecuteState, Session, object_session

from backend.store.models import AuditEvent

PURGE_FLAG = "audit_purge"


class AuditLogIsAppendOnly(RuntimeError):
    """Something tried to change or delete an audit event."""


def _purging(session: Session) -> bool:
    return bool(session.info.get(PURGE_FLAG))


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(_mapper: Any, _connection: Any, target: AuditEvent) -> None:
    raise AuditLogIsAppendOnly(f"audit event {target.id} cannot be changed")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(_mapper: Any, _connection: Any, target: AuditEvent) -> None:
    session = object_session(target)
    if session is None or not _purging(session):
        raise AuditLogIsAppendOnly(f"audit event {target.id} cannot be deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_statements(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    if mapper is None or not issubclass(mapper.class_, AuditEvent):
        return
    if state.is_update or not _purging(state.session):
        raise AuditLogIsAppendOnly("audit events cannot be updated or deleted")


@contextmanager
def purge_allowed(session: Session) -> Iterator[None]:
    """Inside: this session may delete audit events (the caller checks the retention: `audit.purge_before`). On
    PostgreSQL the transaction carries `SET LOCAL dudao.audit_purge = 'on'` until it ends. Run the DELETE statement
    (or flush the deleted objects) inside the block."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL dudao.audit_purge = 'on'"))
    session.info[PURGE_FLAG] = True
    try:
        yield
    finally:
        session.info.pop(PURGE_FLAG, None)
