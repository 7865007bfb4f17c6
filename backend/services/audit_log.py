"""Reading the audit log (issue 16, 等保 安全审计): filtered by date, actor and action, shown to office admins and
exported as xlsx or csv (every cell from outside written as text). Reading only: the log is append-only
(`backend.store.audit_guard`)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from openpyxl import Workbook
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from backend.domain.calendar import SHANGHAI, local_now
from backend.services import exports
from backend.services.tabular import csv_cell
from backend.store.models import AuditEvent
from messages import t

COLUMNS = ("at", "actor", "action", "subject", "subject_id", "detail")
PAGE_ROWS = 200
MAX_TEXT = 100  # the longest actor or action filter


@dataclass(frozen=True)
class AuditFilter:
    """Which events: local dates (Asia/Shanghai, both included), an actor and an action (a part of either)."""

    since: date | None = None
    until: date | None = None
    actor: str = ""
    action: str = ""

    def first_last(self, today: date) -> tuple[date, date]:
        return self.since or (self.until or today), self.until or today


def local_minute(moment: datetime) -> str:
    return local_now(moment).strftime("%Y-%m-%d %H:%M")


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), SHANGHAI)


def _statement(chosen: AuditFilter) -> Select[AuditEvent]:
    query = select(AuditEvent)
    if chosen.since is not None:
        query = query.where(AuditEvent.at >= _start_of(chosen.since))
    if chosen.until is not None:
        query = query.where(AuditEvent.at < _start_of(chosen.until + timedelta(days=1)))
    if chosen.actor:
        query = query.where(AuditEvent.actor.contains(chosen.actor, autoescape=True))
    if chosen.action:
        query = query.where(AuditEvent.action.contains(chosen.action, autoescape=True))
    return query


def count(session: Session, chosen: AuditFilter) -> int:
    return int(session.scalar(select(func.count()).select_from(_statement(chosen).subquery())) or 0)


def latest(session: Session, chosen: AuditFilter, limit: int = PAGE_ROWS) -> list[AuditEvent]:
    """The newest events first, at most `limit`."""
    return list(session.scalars(_statement(chosen).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)))


def headers() -> list[str]:
    return [t(f"office.audit.col.{name}") for name in COLUMNS]


def row_of(event: AuditEvent) -> list[object]:
    detail = json.dumps(event.detail or {}, ensure_ascii=False, sort_keys=True, default=str)
    return [local_minute(event.at), event.actor, event.action, event.subject_type, event.subject_id, detail]


def _rows(session: Session, chosen: AuditFilter) -> Iterator[list[object]]:
    query = _statement(chosen).order_by(AuditEvent.at, AuditEvent.id).execution_options(yield_per=1000)
    for event in session.scalars(query):
        yield row_of(event)


def to_xlsx(session: Session, chosen: AuditFilter) -> tuple[bytes, int]:
    """Every chosen event, oldest first, one sheet; and how many."""
    rows = list(_rows(session, chosen))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = t("office.audit.sheet")
    exports.table_sheet(sheet, headers(), rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), len(rows)


def to_csv(session: Session, chosen: AuditFilter) -> tuple[bytes, int]:
    """The same as csv (UTF-8 with a BOM, which Excel and WPS read as UTF-8); and how many."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers())
    n = 0
    for row in _rows(session, chosen):
        writer.writerow([csv_cell(value) for value in row])
        n += 1
    return out.getvalue().encode("utf-8-sig"), n
