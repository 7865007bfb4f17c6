"""Master data: schools and their inspectors, inspectors, imports, WeChat bindings, API tokens, the calendar,
the supervision items and what /public publishes. Changing anything but a school's inspector is for the office.
"""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from backend.clock import local_today
from backend.domain import staffing
from backend.domain.kinds import CalendarDayKind, EndOfAppointment
from backend.services import binding as binding_service
from backend.services import list_filters, training
from backend.services import schools as school_service
from backend.services import tokens as token_service
from backend.services.audit import record
from backend.services.calendar import set_day
from backend.services.importing import TEMPLATE_FORMATS, ImportKind, import_bytes, template_bytes
from backend.services.office import details, scoped
from backend.services.office import publication as published
from backend.services.office import worklists as lists
from backend.store.models import CalendarDay
from backend.web import args as arguments
from backend.web import runtime, today
from backend.web.office.auth import authority, db, office_only, scope
from backend.web.office.blueprint import bp
from backend.web.office.worklists import filters_from, page_number
from messages import t

MAX_ITEMS = 30


@bp.get("/schools")
def schools() -> ResponseReturnValue:
    filters = filters_from(request.args)
    with db() as s:
        page = lists.school_list(s, scope(), filters, page=page_number(), per_page=50)
        zones = lists.zones_in(s, scope())
    return render_template("office/schools.html", page=page, filters=filters, zones=zones, items=[])


@bp.get("/schools/<code>")
def school(code: str) -> ResponseReturnValue:
    with db() as s:
        unit = details.school_by_code(s, scope(), code)
        if unit is None:
            abort(404)
        return render_template(
            "office/school.html",
            unit=unit,
            zone=details.zone_name_of(s, unit.id),
            superior=details.superior_name_of(s, unit),
            assignments=details.assignment_history(s, unit.id),
            inspectors=lists.inspector_list(s, scope()),
            events=details.history_entries(s, "unit", unit.id),
        )


@bp.post("/schools/<code>/inspector")
def school_inspector(code: str) -> ResponseReturnValue:
    """Change the school's responsible inspector; the page then says the board must be re-rendered."""
    number = request.form.get("inspector", "").strip()
    starts = request.form.get("starts_on") or None
    with db() as s:
        if details.school_by_code(s, scope(), code) is None or details.inspector_in_scope(s, scope(), number) is None:
            abort(404)
        try:
            starts_on = date.fromisoformat(starts) if starts else None
        except ValueError:
            abort(400)
        changed = school_service.assign_inspector(s, code, number, starts_on, actor=scope().actor)
    if changed:
        flash(t("office.school.inspector_changed"), "warn")
    else:
        flash(t("office.school.inspector_same"), "info")
    return redirect(url_for("office.school", code=code))


@bp.post("/schools/<code>/nicknames")
@office_only
def school_nicknames(code: str) -> ResponseReturnValue:
    """The office's 简称 of the school: inspectors' messages that use one are understood."""
    with db() as s:
        if details.school_by_code(s, scope(), code) is None:
            abort(404)
        changed = school_service.set_nicknames(s, code, request.form.get("nicknames", ""), actor=scope().actor)
    flash(t("office.school.nicknames_saved" if changed else "office.school.nicknames_same"), "info")
    return redirect(url_for("office.school", code=code))


@bp.get("/inspectors")
def inspectors() -> ResponseReturnValue:
    with db() as s:
        rows = lists.inspector_list(s, scope())
    return render_template("office/inspectors.html", rows=rows, rules=staffing)


@bp.get("/inspectors/<number>")
def inspector(number: str) -> ResponseReturnValue:
    with db() as s:
        person = details.inspector_in_scope(s, scope(), number)
        if person is None:
            abort(404)
        page = lists.school_list(s, scope(), list_filters.ListFilters(inspector=number), per_page=None)
        day = today()
        hours = training.hours_by_inspector(s, [person.id], day).get(person.id)
        return render_template(
            "office/inspector.html",
            person=person,
            schools=page.rows,
            rules=staffing,
            courses=training.courses_of(s, person.id, day),
            hours=hours.hours if hours else 0.0,
            hours_known=bool(hours and hours.recorded),
            end_kinds=list(EndOfAppointment),
            today=day,
        )


# --- office only --------------------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@office_only
def imports() -> ResponseReturnValue:
    report = None
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            kind = ImportKind(request.form.get("kind", ""))
        except ValueError:
            abort(400)
        if upload is None or not upload.filename:
            flash(t("office.import.no_file"), "error")
            return redirect(url_for("office.imports"))
        with runtime().db.sessions() as s:
            report = import_bytes(
                s,
                kind,
                upload.read(),
                upload.filename,
                media_dir=runtime().config.media_dir,
                actor=scope().actor,
                new_zones=request.form.get("new_zones") == "1",
            )
    return render_template("office/import.html", report=report, kinds=list(ImportKind))


@bp.get("/import/template/<kind>.<fmt>")
@office_only
def import_template(kind: str, fmt: str) -> ResponseReturnValue:
    """The import template of `kind` (headers, an example row, and for xlsx a sheet of rules)."""
    try:
        what = ImportKind(kind)
    except ValueError:
        abort(404)
    if fmt not in TEMPLATE_FORMATS:
        abort(404)
    from backend.web.office.downloads import attachment

    mimetype = "text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    filename = t("office.import.template_file", kind=what.label, fmt=fmt)
    return attachment(template_bytes(what, fmt), filename, mimetype)


@bp.get("/bindings")
@office_only
def bindings() -> ResponseReturnValue:
    with db() as s:
        rows = binding_service.list_bindings(s)
    return render_template("office/bindings.html", rows=rows)


@bp.post("/bindings/revoke")
@office_only
def binding_revoke() -> ResponseReturnValue:
    with db() as s:
        done = binding_service.revoke(s, openid=request.form.get("openid", ""), actor=scope().actor)
    flash(t("office.binding.revoked" if done else "office.binding.not_bound"), "ok" if done else "error")
    return redirect(url_for("office.bindings"))


@bp.get("/tokens")
@office_only
def tokens() -> ResponseReturnValue:
    with db() as s:
        rows = token_service.list_tokens(s)
    return render_template("office/tokens.html", rows=rows, new_token=None)


@bp.post("/tokens")
@office_only
def token_create() -> ResponseReturnValue:
    name = request.form.get("name", "").strip()
    if not name:
        flash(t("office.token.name_needed"), "error")
        return redirect(url_for("office.tokens"))
    with runtime().db.sessions() as s:
        try:
            token = token_service.create_token(s, name, actor=scope().actor)
        except token_service.TokenNameTaken:
            flash(t("cli.token.exists", name=name), "error")
            return redirect(url_for("office.tokens"))
        rows = token_service.list_tokens(s)
    # shown once, on this page only (never put into a redirect or a flash cookie)
    return render_template("office/tokens.html", rows=rows, new_token=token, new_name=name)


@bp.post("/tokens/revoke")
@office_only
def token_revoke() -> ResponseReturnValue:
    name = request.form.get("name", "")
    with runtime().db.sessions() as s:
        try:
            token_service.revoke_token(s, name, actor=scope().actor)
        except token_service.TokenNotFound:
            abort(404)
    flash(t("cli.token.revoked", name=name), "ok")
    return redirect(url_for("office.tokens"))


@bp.get("/calendar")
@office_only
def calendar() -> ResponseReturnValue:
    year = arguments.year_arg("year", local_today(runtime().clock).year)
    with db() as s:
        days = list(
            s.scalars(
                select(CalendarDay)
                .where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
                .order_by(CalendarDay.day)
            )
        )
    return render_template("office/calendar.html", days=days, year=year, kinds=list(CalendarDayKind))


@bp.post("/calendar")
@office_only
def calendar_set() -> ResponseReturnValue:
    try:
        day = date.fromisoformat(request.form.get("day", ""))
        kind = CalendarDayKind(request.form.get("kind", ""))
    except ValueError:
        flash(t("office.calendar.bad_input"), "error")
        return redirect(url_for("office.calendar"))
    with db() as s:
        set_day(s, day, kind, request.form.get("name", "").strip(), actor=scope().actor)
    flash(t("office.calendar.saved", day=day.isoformat(), kind=t(f"office.day_kind.{kind.value}")), "ok")
    return redirect(url_for("office.calendar", year=day.year))


@bp.get("/items")
@office_only
def items() -> ResponseReturnValue:
    with db() as s:
        listed = scoped.items_of(authority(s))
    text = "\n".join(f"{i['code']} {i['name']}" for i in listed)
    return render_template("office/items.html", items=listed, text=text)


def parse_items(text: str) -> list[dict[str, str]]:
    """`代码 名称` per line; codes unique. Raises ValueError with the message key on a bad list."""
    found: list[dict[str, str]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        code, _, name = line.strip().partition(" ")
        if not name.strip() or len(code) > 16:
            raise ValueError("office.items.bad_line")
        if any(item["code"] == code for item in found):
            raise ValueError("office.items.duplicate")
        found.append({"code": code, "name": name.strip()})
    if not found or len(found) > MAX_ITEMS:
        raise ValueError("office.items.count")
    return found


@bp.post("/items")
@office_only
def items_save() -> ResponseReturnValue:
    try:
        listed = parse_items(request.form.get("items", ""))
    except ValueError as exc:
        flash(t(str(exc), limit=MAX_ITEMS), "error")
        return redirect(url_for("office.items"))
    with db() as s:
        auth = authority(s)
        before = list(auth.supervision_items or [])
        auth.supervision_items = listed
        record(s, scope().actor, "authority.items_changed", "authority", auth.id, before=before, after=listed)
    flash(t("office.items.saved", n=len(listed)), "ok")
    return redirect(url_for("office.items"))


@bp.route("/publication", methods=["GET", "POST"])
@office_only
def publication() -> ResponseReturnValue:
    with db() as s:
        auth = authority(s)
        if request.method == "POST":
            chosen = {
                "enabled": request.form.get("enabled") == "1",
                "metrics": [m for m in published.METRICS if request.form.get(f"metric_{m}") == "1"],
                "levels": [lv for lv in published.LEVELS_PUBLISHED if request.form.get(f"level_{lv}") == "1"],
            }
            record(
                s,
                scope().actor,
                "authority.publication_changed",
                "authority",
                auth.id,
                before=dict(auth.publication or {}),
                after=chosen,
            )
            auth.publication = chosen
            flash(t("office.publication.saved"), "ok")
        current = published.publication_of(auth)
    if request.method == "POST":
        return redirect(url_for("office.publication"))
    return render_template("office/publication.html", current=current, metrics=published.METRICS)
