"""Downloads for the office: an xlsx of every work list and the annual summary (xlsx); the 督导报告 is `report_pdf`."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from backend.domain import concern as concern_rules
from backend.domain import rectification as rectification_rules
from backend.domain.calendar import local_now
from backend.services import list_filters
from backend.services.office import periods, publication, scoped
from backend.services.office import worklists as lists
from backend.services.office_users import OfficeRole, Scope
from backend.services.tabular import append_row
from backend.store.models import Authority
from messages import CATALOG, t

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIST_KINDS = ("concerns", "rectifications", "visits", "schools", "inspectors")


def _label(prefix: str, value: object) -> str:
    return CATALOG.get(f"{prefix}.{value}", "" if value is None else str(value))


def _local(moment: Any) -> str:
    if moment is None:
        return ""
    if isinstance(moment, date) and not hasattr(moment, "hour"):
        return moment.isoformat()
    return local_now(moment).strftime("%Y-%m-%d %H:%M")


def table_sheet(sheet: Worksheet, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A readable table: bold shaded header, frozen, filterable, columns as wide as their content."""
    append_row(sheet, headers)
    widths = [len(h) * 2 + 2 for h in headers]
    for row in rows:
        append_row(sheet, row)
        for n, value in enumerate(row):
            widths[n] = max(widths[n], min(60, len(str(value)) * 2 if value is not None else 0))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8F0FA")
        cell.alignment = Alignment(vertical="center")
    sheet.freeze_panes = "A2"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions
    for n, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = max(8, min(60, width))


def save_book(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def list_xlsx(
    session: Session, scope: Scope, authority: Authority, kind: str, filters: list_filters.ListFilters, today: date
) -> bytes:
    """The whole list `kind` (every page) with the page's filters, as one sheet."""
    headers, rows = list_rows(session, scope, authority, kind, filters, today)
    return table_xlsx(t(f"office.nav.{kind}"), headers, rows)


def table_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One readable sheet (every cell written as text where it could be a formula: `tabular.append_row`)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    table_sheet(sheet, headers, rows)
    return save_book(book)


def list_rows(
    session: Session, scope: Scope, authority: Authority, kind: str, filters: list_filters.ListFilters, today: date
) -> tuple[list[str], list[list[Any]]]:
    items = {i["code"]: i["name"] for i in scoped.items_of(authority)}
    col = lambda *names: [t(f"office.col.{n}") for n in names]  # noqa: E731
    if kind == "concerns":
        page = lists.concern_list(session, scope, filters, today=today, per_page=None)
        headers = col("ticket", "received", "zone", "school", "item", "content", "state", "ack_due", "answer_due")
        headers += col("answered_at", "answer", "inspector", "overdue")
        rows = [
            [
                c.ticket_no, _local(c.created_at), zone or "", school, items.get(c.category or "", ""), c.content,
                _label("concern.state", c.state), _local(c.ack_due_on), _local(c.answer_due_on),
                _local(c.answered_at), c.answer or c.note, inspector or "",
                t("office.yes") if concern_rules.answer_overdue(c.state, c.answer_due_on, today) else "",
            ]
            for c, school, zone, inspector in page.rows
        ]  # fmt: skip
    elif kind == "rectifications":
        page = lists.rectification_list(session, scope, filters, today=today, per_page=None)
        headers = col("number", "zone", "school", "item", "problem", "requirement", "state", "deadline", "level")
        headers += col("issued_at", "submitted_at", "inspector", "overdue")
        rows = [
            [
                r.number, zone or "", school, items.get(r.item or "", ""), r.problem, r.requirement,
                _label("rect.state", r.state), _local(r.deadline), _label("rect.level", r.level),
                _local(r.issued_at), _local(r.submitted_at), inspector or "",
                t("office.yes") if rectification_rules.is_overdue(r.state, r.deadline, today) else "",
            ]
            for r, school, zone, inspector in page.rows
        ]  # fmt: skip
    elif kind == "visits":
        page = lists.visit_list(session, scope, filters, per_page=None)
        headers = col("date", "zone", "school", "inspector", "visit_kind", "item", "observations", "problems")
        headers += col("urgent")
        rows = [
            [
                _local(v.visited_on), zone or "", school, inspector, _label("visits.kind", v.kind),
                "、".join(items.get(code, code) for code in v.items), v.observations, v.problems,
                t("office.yes") if v.urgent else "",
            ]
            for v, school, zone, inspector in page.rows
        ]  # fmt: skip
    elif kind == "schools":
        page = lists.school_list(session, scope, filters, per_page=None)
        headers = col("code", "school", "unit_kind", "ownership", "zone", "inspector", "inspector_number", "students")
        rows = [
            [
                s.code, s.name, _label("unit_kind", s.kind), _label("ownership", s.ownership), s.zone, s.inspector,
                s.inspector_number, s.students,
            ]
            for s in page.rows
        ]  # fmt: skip
    elif kind == "inspectors":
        headers = col("inspector_number", "inspector", "phone", "employment", "retired", "training", "schools")
        rows = [
            [
                i.number, i.name, i.phone, _label("employment", i.employment), t("office.yes") if i.retired else "",
                i.training_hours, i.schools,
            ]
            for i in lists.inspector_list(session, scope)
        ]  # fmt: skip
    else:
        raise ValueError(kind)
    return headers, rows


def annual_summary_xlsx(session: Session, authority: Authority, year: int, today: date) -> bytes:
    """The year for the authority (督导委): totals, each zone, each school, each inspector."""
    period = periods.Period(date(year, 1, 1), min(date(year, 12, 31), today))
    results = publication.public_results(session, authority, period)
    book = Workbook()
    overview = book.active
    assert overview is not None
    overview.title = t("office.annual.sheet.overview")
    total = results.total
    days = lambda row: round(row.median_response_days, 1) if row.median_response_days is not None else ""  # noqa: E731
    share = lambda row: f"{row.on_time_share * 100:.0f}%" if row.on_time_share is not None else ""  # noqa: E731
    append_row(overview, [t("office.annual.title", authority=authority.name, year=year)])
    overview["A1"].font = Font(bold=True, size=14)
    append_row(overview, [t("office.annual.period", first=period.first.isoformat(), last=period.last.isoformat())])
    append_row(overview, [])
    _sheet_rows = [
        (t("disclosure.col.schools"), total.schools),
        (t("disclosure.col.visits"), total.visits),
        (t("office.annual.rectified"), total.rectified),
        (t("office.annual.on_time"), total.rectified_on_time),
        (t("office.annual.on_time_share"), share(total)),
        (t("disclosure.col.response"), days(total)),
    ]
    for name, value in _sheet_rows:
        append_row(overview, [name, value])
    overview.column_dimensions["A"].width = 30
    overview.column_dimensions["B"].width = 16
    headers = [
        t("disclosure.col.zone"),
        t("disclosure.col.schools"),
        t("disclosure.col.visits"),
        t("office.annual.rectified"),
    ]
    headers += [t("office.annual.on_time"), t("office.annual.on_time_share"), t("disclosure.col.response")]
    zones = book.create_sheet(t("office.annual.sheet.zones"))
    table_sheet(
        zones,
        headers,
        ([z.name, z.schools, z.visits, z.rectified, z.rectified_on_time, share(z), days(z)] for z in results.zones),
    )
    schools = book.create_sheet(t("office.annual.sheet.schools"))
    table_sheet(
        schools,
        [t("disclosure.col.school"), *headers],
        (
            [s.name, s.zone, s.schools, s.visits, s.rectified, s.rectified_on_time, share(s), days(s)]
            for s in results.schools
        ),
    )
    office_scope = Scope(0, "", "", OfficeRole.OFFICE, authority.id, None, None)
    people = book.create_sheet(t("office.annual.sheet.inspectors"))
    headers, rows = list_rows(session, office_scope, authority, "inspectors", list_filters.ListFilters(), today)
    table_sheet(people, headers, rows)
    return save_book(book)
