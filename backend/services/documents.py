"""Numbered formal documents (公文) and their register (发文登记): issuing one, finding them, rendering them.

`issue` gives a `Draft` (the content) its number — per authority, kind and Asia/Shanghai year, with the office's
prefix: 安督整〔2026〕12号 — its office and date, and keeps the whole paper as a snapshot in the `Document` row, in
the caller's transaction (it does not commit). The number comes from the `document_counter` row of (authority,
kind, year), created when missing and incremented by `UPDATE … RETURNING`: the row stays locked until the issuing
transaction ends, so two processes issuing at once wait for each other and never share a number, and a rolled-back
issue gives its number back (the register has no gaps). The unique (authority, kind, year, seq) holds it anyway.

A document is rendered from its snapshot at download time (`render`): what was issued under a number never changes,
even when the record it came from does. Issuing again for the same record and kind returns the document already
issued (a retried delivery or a repeated confirmation never takes a second number).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from backend.domain.calendar import local_date
from backend.domain.documents import KINDS, DocumentKind, document_number, prefix_of
from backend.domain.errors import DomainError
from backend.services import papers
from backend.services.audit import record
from backend.services.office.worklists import Page
from backend.store.db import session_now
from backend.store.models import Authority, Document, DocumentCounter, Unit
from messages import t

SUBJECT = "document"
FORMATS = ("docx", "pdf")


class DocumentError(DomainError, ValueError):
    """A document use case refused (`key` in messages/)."""


def kind_label(kind: str) -> str:
    return t(f"documents.kind.{kind}")


def office_of(authority: Authority) -> str:
    """The issuing office as printed: the office's name, or the authority's when the office has not set one."""
    return authority.office_name or authority.name


def next_seq(session: Session, authority_id: int, kind: str, year: int) -> int:
    """The next number of a kind in a year; the counter row stays locked until the caller's transaction ends."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    values = {"authority_id": authority_id, "kind": kind, "year": year, "last": 0}
    session.execute(insert(DocumentCounter).values(**values).on_conflict_do_nothing())
    taken = session.execute(
        update(DocumentCounter)
        .where(
            DocumentCounter.authority_id == authority_id,
            DocumentCounter.kind == kind,
            DocumentCounter.year == year,
        )
        .values(last=DocumentCounter.last + 1)
        .returning(DocumentCounter.last)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return int(taken)


def existing(session: Session, kind: str, subject_type: str, subject_id: int | None) -> Document | None:
    query = select(Document).where(
        Document.kind == kind, Document.subject_type == subject_type, Document.subject_id == subject_id
    )
    return session.scalars(query.order_by(Document.id)).first()


def issue(
    session: Session,
    *,
    kind: str,
    draft: papers.Draft,
    subject_type: str,
    subject_id: int | None,
    actor: str,
    authority_id: int | None = None,
    unit_id: int | None = None,
    rectification_id: int | None = None,
    date_style: str = "arabic",
    now: datetime | None = None,
) -> Document:
    """A numbered document of `kind` for the record (`subject_type`, `subject_id`), in the register. Does not commit.

    The authority is the unit's unless given. Returns the document already issued for that record and kind, if any.
    """
    if kind not in KINDS:
        raise DocumentError("documents.error.kind", kind=kind)
    found = existing(session, kind, subject_type, subject_id) if subject_id is not None else None
    if found is not None:
        return found
    now = now or session_now(session)
    if authority_id is None:
        unit = session.get(Unit, unit_id) if unit_id is not None else None
        if unit is None:
            raise DocumentError("documents.error.no_authority")
        authority_id = unit.authority_id
    authority = session.get(Authority, authority_id)
    if authority is None:
        raise DocumentError("documents.error.no_authority")
    issued_on = local_date(now)
    year = issued_on.year
    seq = next_seq(session, authority.id, kind, year)
    number = document_number(prefix_of(authority.document_prefixes, kind), year, seq)
    paper = draft.paper(office=office_of(authority), number=number, issued_on=issued_on, date_style=date_style)
    row = Document(
        authority_id=authority.id,
        kind=kind,
        year=year,
        seq=seq,
        number=number,
        title=papers.clean(draft.title)[:100],
        unit_id=unit_id,
        subject_type=subject_type,
        subject_id=subject_id,
        rectification_id=rectification_id,
        issued_on=issued_on,
        issued_at=now,
        issued_by=actor,
        content=paper.to_data(),
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        "document.issued",
        SUBJECT,
        row.id,
        now=now,
        kind=kind,
        number=number,
        subject_type=subject_type,
        subject_id=subject_id,
        unit_id=unit_id,
    )
    return row


def paper_of(document: Document) -> papers.Paper:
    return papers.Paper.from_data(document.content)


@dataclass(frozen=True)
class Rendered:
    content: bytes
    filename: str
    mimetype: str


def render(document: Document, fmt: str) -> Rendered:
    """The document as issued, as DOCX or PDF (the PDF refused without a font: `report.error.no_font`)."""
    if fmt not in FORMATS:
        raise DocumentError("documents.error.format", fmt=fmt)
    paper = paper_of(document)
    if fmt == "docx":
        return Rendered(papers.to_docx(paper), papers.file_name(paper, "docx"), papers.DOCX_MIME)
    return Rendered(papers.to_pdf(paper), papers.file_name(paper, "pdf"), papers.PDF_MIME)


def of_subject(session: Session, subject_type: str, subject_id: int) -> list[Document]:
    query = select(Document).where(Document.subject_type == subject_type, Document.subject_id == subject_id)
    return list(session.scalars(query.order_by(Document.issued_at, Document.id)))


def of_rectification(session: Session, rectification_id: int) -> list[Document]:
    """Every document of one item of the chain: its 整改通知书 and those of its 督办, 约谈, 通报 and 问责."""
    query = select(Document).where(Document.rectification_id == rectification_id)
    return list(session.scalars(query.order_by(Document.issued_at, Document.id)))


@dataclass(frozen=True)
class RegisterFilters:
    kind: str = ""
    year: int | None = None
    unit: str = ""  # part of the unit's name or its code


def _register_where(authority_id: int, filters: RegisterFilters, units: ColumnElement[bool] | None) -> list[Any]:
    where: list[Any] = [Document.authority_id == authority_id]
    if filters.kind:
        where.append(Document.kind == filters.kind)
    if filters.year is not None:
        where.append(Document.year == filters.year)
    if filters.unit:
        pattern = "%" + filters.unit.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(
            Document.unit_id.in_(
                select(Unit.id).where(
                    (Unit.name.like(pattern, escape="\\"))
                    | (Unit.short_name.like(pattern, escape="\\"))
                    | (Unit.code == filters.unit)
                )
            )
        )
    if units is not None:  # a zone leader: the documents addressed to the zone's units only
        where.append(Document.unit_id.in_(select(Unit.id).where(units)))
    return where


def register(
    session: Session,
    authority_id: int,
    filters: RegisterFilters,
    *,
    units: ColumnElement[bool] | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """发文登记: the authority's documents, the newest first, filtered by kind, year and unit; a page's rows are
    (the document, its unit's name)."""
    where = _register_where(authority_id, filters, units)
    total = int(session.scalar(select(func.count(Document.id)).where(*where)) or 0)
    query = (
        select(Document, Unit.name)
        .outerjoin(Unit, Unit.id == Document.unit_id)
        .where(*where)
        .order_by(Document.issued_at.desc(), Document.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [(doc, name or "") for doc, name in session.execute(query).all()]
    return Page(rows, total, page, per_page)


def register_rows(
    session: Session, authority_id: int, filters: RegisterFilters, *, units: ColumnElement[bool] | None = None
) -> list[tuple[Document, str]]:
    """Every row of the register under the filters (the xlsx export), the oldest first."""
    query = (
        select(Document, Unit.name)
        .outerjoin(Unit, Unit.id == Document.unit_id)
        .where(*_register_where(authority_id, filters, units))
        .order_by(Document.year, Document.kind, Document.seq)
    )
    return [(doc, name or "") for doc, name in session.execute(query).all()]


def years_of(session: Session, authority_id: int) -> list[int]:
    query = select(Document.year).where(Document.authority_id == authority_id).distinct().order_by(Document.year)
    return list(session.scalars(query))


__all__ = [
    "FORMATS",
    "DocumentError",
    "DocumentKind",
    "RegisterFilters",
    "Rendered",
    "issue",
    "kind_label",
    "next_seq",
    "of_rectification",
    "of_subject",
    "paper_of",
    "register",
    "register_rows",
    "render",
]
