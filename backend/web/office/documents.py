"""The register of formal documents (发文登记, `/office/documents`) and each document's downloads (DOCX, PDF).

A zone leader sees the documents addressed to the units of their zone (another's is a 404, as if it did not
exist); the office sees every document of the authority. A document is rendered from the snapshot kept when it
was issued (`documents.render`), so what downloads is what was numbered.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from backend.domain.documents import KINDS
from backend.domain.errors import DomainError
from backend.services import documents, exports
from backend.services.office import details
from backend.store.models import Document, Escalation, Unit
from backend.web import args as arguments
from backend.web.office.auth import db, scope
from backend.web.office.blueprint import bp
from backend.web.office.downloads import attachment
from backend.web.office.worklists import PER_PAGE, page_number
from messages import CATALOG, t

UNIT_FILTER_LENGTH = 50


def _rectification_page(session: Session, document: Document) -> str | None:
    if document.rectification_id is None:
        return None
    return url_for("office.rectification", rectification_id=document.rectification_id)


def _escalation_page(session: Session, document: Document) -> str | None:
    row = session.get(Escalation, document.subject_id) if document.subject_id else None
    if row is None:
        return _rectification_page(session, document)
    return url_for("office.rectification", rectification_id=row.rectification_id) + f"#rung-{row.id}"


# the page of the record a document belongs to, by its subject type; another part adds its own
RECORD_PAGES: dict[str, Callable[[Session, Document], str | None]] = {
    "rectification": _rectification_page,
    "escalation": _escalation_page,
}


def record_page(session: Session, document: Document) -> str | None:
    page = RECORD_PAGES.get(document.subject_type)
    return page(session, document) if page else _rectification_page(session, document)


def _units() -> ColumnElement[bool] | None:
    return None if scope().is_office else scope().units()


def _filters() -> documents.RegisterFilters:
    kind = arguments.text_arg("kind", max_length=40).strip()
    if kind and kind not in KINDS:
        raise arguments.BadArgument("kind", t("documents.reason.kind"))
    year = arguments.optional_int("year", arguments.FIRST_DAY.year, arguments.LAST_DAY.year)
    unit = arguments.text_arg("unit", max_length=UNIT_FILTER_LENGTH).strip()
    return documents.RegisterFilters(kind=kind, year=year, unit=unit)


@bp.get("/documents", endpoint="documents")
def register_page() -> ResponseReturnValue:
    filters = _filters()
    with db() as s:
        page = documents.register(
            s, scope().authority_id, filters, units=_units(), page=page_number(), per_page=PER_PAGE
        )
        rows = [
            (doc, unit, details.actor_label(s, doc.issued_by, subject_type="document"), record_page(s, doc))
            for doc, unit in page.rows
        ]
        years = documents.years_of(s, scope().authority_id)
    return render_template("office/documents.html", page=page, rows=rows, filters=filters, kinds=KINDS, years=years)


@bp.get("/documents.xlsx", endpoint="documents_xlsx")
def register_xlsx() -> ResponseReturnValue:
    filters = _filters()
    with db() as s:
        rows = [
            (
                doc.number,
                documents.kind_label(doc.kind),
                doc.title,
                unit,
                doc.issued_on.isoformat(),
                details.actor_label(s, doc.issued_by, subject_type="document"),
                CATALOG.get(f"documents.subject.{doc.subject_type}", doc.subject_type),
            )
            for doc, unit in documents.register_rows(s, scope().authority_id, filters, units=_units())
        ]
    headers = [t(f"documents.col.{c}") for c in ("number", "kind", "title", "unit", "date", "issued_by", "record")]
    content = exports.table_xlsx(t("documents.register.title"), headers, rows)
    name = t("documents.register.file_year", year=filters.year) if filters.year else t("documents.register.file")
    return attachment(content, name, exports.XLSX_MIME)


def document_in_scope(session: Session, document_id: int) -> Document | None:
    found = session.get(Document, document_id)
    if found is None or found.authority_id != scope().authority_id:
        return None
    if scope().is_office:
        return found
    if found.unit_id is None:
        return None
    inside = session.scalar(select(Unit.id).where(Unit.id == found.unit_id, scope().units()))
    return found if inside is not None else None


@bp.get("/documents/<int:document_id>.<fmt>", endpoint="document_download")
def document_download(document_id: int, fmt: str) -> ResponseReturnValue:
    if fmt not in documents.FORMATS:
        abort(404)
    with db() as s:
        found = document_in_scope(s, document_id)
        if found is None:
            abort(404)
        try:
            rendered = documents.render(found, fmt)
        except DomainError as refused:  # no font for the PDF: the office is told what to install
            flash(refused.message, "error")
            return redirect(record_page(s, found) or url_for("office.documents"))
    return attachment(rendered.content, rendered.filename, rendered.mimetype)
