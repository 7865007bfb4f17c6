"""The office web's 等保 pages (issue 16): changing one's own password (forced after an account was given one),
and the audit log for office admins (filter by date, actor and action; xlsx or csv of everything chosen)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from backend.domain import passwords
from backend.services import audit_log, exports, office_users
from backend.services.audit_log import AuditFilter
from backend.services.office_users import UserError
from backend.store.models import OfficeUser
from backend.web import args as arguments
from backend.web import today
from backend.web.office.auth import client_address, db, office_only, scope
from backend.web.office.blueprint import bp
from backend.web.office.downloads import attachment
from messages import t

CSV_MIME = "text/csv; charset=utf-8"


def _rules() -> str:
    return t("office.password.rules", length=passwords.MIN_LENGTH, kinds=passwords.MIN_KINDS)


@bp.route("/password", methods=["GET", "POST"])
def password() -> ResponseReturnValue:
    with db() as s:
        user = s.get(OfficeUser, scope().user_id)
        must_change = bool(user and user.must_change_password)
    if request.method == "GET":
        return render_template("office/password.html", must_change=must_change, rules=_rules())
    new = request.form.get("new", "")
    if new != request.form.get("repeat", ""):
        flash(t("office.password.mismatch"), "error")
        return render_template("office/password.html", must_change=must_change, rules=_rules()), 400
    try:
        with db() as s:
            changed = office_users.change_password(
                s, scope().user_id, request.form.get("current", ""), new, client_address()
            )
            stamp = office_users.password_stamp(changed)
    except UserError as refused:
        flash(t(refused.key, **refused.fields), "error")
        return render_template("office/password.html", must_change=must_change, rules=_rules()), 400
    session["stamp"] = stamp  # this session goes on; any other of the account ends with the old password
    flash(t("office.password.changed"), "ok")
    return redirect(url_for("office.dashboard"))


def _filter() -> AuditFilter:
    since, until = arguments.date_arg("since"), arguments.date_arg("until")
    if since and until and since > until:
        raise arguments.BadArgument("since", t("cli.audit.bad_range"))
    return AuditFilter(
        since=since,
        until=until,
        actor=arguments.text_arg("actor", max_length=audit_log.MAX_TEXT).strip(),
        action=arguments.text_arg("action", max_length=audit_log.MAX_TEXT).strip(),
    )


@bp.get("/audit")
@office_only
def audit() -> ResponseReturnValue:
    chosen = _filter()
    with db() as s:
        events = audit_log.latest(s, chosen)
        total = audit_log.count(s, chosen)
        rows = [audit_log.row_of(event) for event in events]
    return render_template(
        "office/audit.html", rows=rows, total=total, chosen=chosen, headers=audit_log.headers(), args=request.args
    )


def _file_name(chosen: AuditFilter, suffix: str) -> str:
    first, last = chosen.first_last(today())
    return t("office.audit.file", first=first.isoformat(), last=last.isoformat()) + suffix


@bp.get("/audit.xlsx")
@office_only
def audit_xlsx() -> ResponseReturnValue:
    chosen = _filter()
    with db() as s:
        content, _n = audit_log.to_xlsx(s, chosen)
    return attachment(content, _file_name(chosen, ".xlsx"), exports.XLSX_MIME)


@bp.get("/audit.csv")
@office_only
def audit_csv() -> ResponseReturnValue:
    chosen = _filter()
    with db() as s:
        content, _n = audit_log.to_csv(s, chosen)
    return attachment(content, _file_name(chosen, ".csv"), CSV_MIME)
