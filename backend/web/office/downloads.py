"""Boards and exports from the browser: a school's board (PNG), a zone's print PDF, an xlsx of every list,
the inspectors' 月报, a school's 督导报告 (PDF) and the annual summary.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from urllib.parse import quote

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from backend.domain.errors import DomainError
from backend.domain.visit_targets import parse_month
from backend.notify import NotifyError
from backend.services import exports, monthly_report, report_pdf
from backend.services.boards import PermanentQrMaker, board_specs, select_schools
from backend.services.office import details, periods, scoped
from backend.services.office import worklists as lists
from backend.store.models import Unit, Zone
from backend.web import args as arguments
from backend.web import runtime, today
from backend.web.office.auth import authority, db, office_only, scope
from backend.web.office.blueprint import bp
from backend.web.office.worklists import filters_from
from messages import t
from qr_boards import BoardSpec, FontNotFound, PageSize, find_fonts, render_board_png, render_pngs, write_pdf

PDF_MIME = "application/pdf"


def attachment(content: bytes, filename: str, mimetype: str) -> Response:
    """A download with a Chinese file name that every browser keeps (RFC 5987), and an ASCII fallback."""
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in ".-_") else "_" for ch in filename)
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": disposition})


@bp.get("/exports", endpoint="exports")
def exports_page() -> ResponseReturnValue:
    with db() as s:
        zones = lists.zones_in(s, scope())
    day = today()
    return render_template(
        "office/exports.html",
        kinds=exports.LIST_KINDS,
        last_month=monthly_report.default_month(day).start.strftime("%Y-%m"),
        year=day.year,
        semester=periods.semester_of(day),
        zones=zones,
    )


@bp.get("/export/<kind>.xlsx")
def export_list(kind: str) -> ResponseReturnValue:
    if kind not in exports.LIST_KINDS:
        abort(404)
    filters = filters_from(request.args)
    with db() as s:
        content = exports.list_xlsx(s, scope(), authority(s), kind, filters, today())
    name = t("office.export.file.list", what=t(f"office.nav.{kind}"), date=today().isoformat())
    return attachment(content, name, exports.XLSX_MIME)


@bp.get("/export/monthly.xlsx")
@office_only
def export_monthly() -> ResponseReturnValue:
    """Every inspector's 月报 for a month (the visits helper's export)."""
    try:
        month = parse_month(request.args.get("month", ""))
    except ValueError:
        month = monthly_report.default_month(today())
    with tempfile.TemporaryDirectory() as folder, db() as s:
        path = Path(folder) / "monthly.xlsx"
        monthly_report.export_xlsx(s, month, path)
        content = path.read_bytes()
    name = t("office.export.file.monthly", month=month.start.strftime("%Y-%m"))
    return attachment(content, name, exports.XLSX_MIME)


def _date_arg(name: str, default: date) -> date:
    return arguments.date_arg(name) or default


@bp.get("/export/report.pdf")
def export_school_report() -> ResponseReturnValue:
    """督导报告 of one school over a period (default: this semester)."""
    semester = periods.semester_of(today())
    period = periods.Period(_date_arg("since", semester.first), _date_arg("until", semester.last))
    code = request.args.get("school", "").strip()
    with db() as s:
        unit = details.school_by_code(s, scope(), code)
        if unit is None:
            flash(t("office.export.no_school", code=code), "error")
            return redirect(url_for("office.exports"))
        try:
            content = report_pdf.school_report_pdf(s, authority(s), unit, period)
        except DomainError as refused:
            flash(refused.message, "error")
            return redirect(url_for("office.exports"))
        name = t("office.export.file.report", school=unit.name, first=period.first, last=period.last)
    return attachment(content, name, PDF_MIME)


@bp.get("/export/annual.xlsx")
@office_only
def export_annual() -> ResponseReturnValue:
    year = arguments.year_arg("year", today().year)
    with db() as s:
        auth = authority(s)
        content = exports.annual_summary_xlsx(s, auth, year, today())
    return attachment(content, t("office.export.file.annual", year=year), exports.XLSX_MIME)


# --- boards -------------------------------------------------------------------------------------------


@bp.get("/boards")
def boards() -> ResponseReturnValue:
    with db() as s:
        zones = lists.zones_in(s, scope())
        uncovered = [
            (code, name, zone)
            for _i, code, name, zone, inspector in scoped.school_rows(s, scope())
            if inspector is None
        ]
    return render_template(
        "office/boards.html", zones=zones, school=request.args.get("school", ""), uncovered=uncovered
    )


def _qr_maker() -> PermanentQrMaker | None:
    """The runtime's WeChat client when an official account is configured (boards then carry its QR codes)."""
    rt = runtime()
    return rt.notifier if rt.config.wechat_appid else None


def _specs(schools: list[Unit]) -> tuple[list[BoardSpec], list[Unit]]:
    config = runtime().config
    with db() as s:
        chosen = board_specs(s, config, schools, _qr_maker())
    return list(chosen.specs), chosen.without_inspector


def _size() -> PageSize:
    return PageSize.A3 if request.args.get("size") == "a3" else PageSize.A4


@bp.get("/boards/school.png")
def board_png() -> ResponseReturnValue:
    code = request.args.get("school", "").strip()
    with db() as s:
        unit = details.school_by_code(s, scope(), code)
        if unit is None:
            flash(t("office.export.no_school", code=code), "error")
            return redirect(url_for("office.boards"))
        s.expunge(unit)
    try:
        specs, _missing = _specs([unit])
        if not specs:
            flash(t("office.board.no_inspector", school=unit.name), "error")
            return redirect(url_for("office.boards", school=code))
        png = render_board_png(specs[0], _size(), find_fonts())
    except FontNotFound:
        flash(t("cli.boards.no_font"), "error")
        return redirect(url_for("office.boards"))
    except NotifyError as exc:
        flash(t("cli.boards.no_wechat_client", error=exc), "error")
        return redirect(url_for("office.boards"))
    return attachment(png, t("office.board.file.school", code=unit.code, school=unit.name), "image/png")


@bp.get("/boards/zone/<int:zone_id>.pdf")
def board_zone_pdf(zone_id: int) -> ResponseReturnValue:
    with db() as s:
        zone = s.get(Zone, zone_id)
        if zone is None or zone.authority_id != scope().authority_id or not scope().covers_zone(zone.id):
            abort(404)
        zone_name = zone.name
        schools = select_schools(s, zone_name=zone.name)
        for unit in schools:
            s.expunge(unit)
    try:
        specs, missing = _specs(schools)
        if not specs:
            flash(t("cli.boards.none_selected"), "error")
            return redirect(url_for("office.boards"))
        size = _size()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "boards.pdf"
            rendered = render_pngs(specs, size, find_fonts(), workers=1)
            for _ in write_pdf(rendered, path, size, title=t("board.title")):
                pass
            content = path.read_bytes()
    except FontNotFound:
        flash(t("cli.boards.no_font"), "error")
        return redirect(url_for("office.boards"))
    except NotifyError as exc:
        flash(t("cli.boards.no_wechat_client", error=exc), "error")
        return redirect(url_for("office.boards"))
    response = attachment(content, t("office.board.file.zone", zone=zone_name, size=size.name), PDF_MIME)
    if missing:
        response.headers["X-Dudao-Without-Inspector"] = str(len(missing))
    return response
