"""The authority's settings (office admins): the office's name and hotline, visit targets, document prefixes,
retention periods."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from backend.domain import county_settings as rules
from backend.domain import retention
from backend.services import settings as settings_service
from backend.web import today
from backend.web.office.auth import authority, db, office_only, scope
from backend.web.office.blueprint import bp
from messages import t


def _page(values: dict[str, object], problems: dict[str, str], status: int = 200) -> ResponseReturnValue:
    return (
        render_template(
            "office/settings.html",
            values=values,
            problems=problems,
            kinds=rules.DOCUMENT_KINDS,
            year=today().year,
            number=rules.document_number,
            limits={"per_month": rules.VISITS_PER_MONTH, "floor": rules.VISITS_PER_SEMESTER},
            retention_bounds=retention.BOUNDS,
        ),
        status,
    )


@bp.get("/settings")
@office_only
def settings() -> ResponseReturnValue:
    with db() as s:
        values = settings_service.current(authority(s))
    return _page(values, {})


@bp.post("/settings")
@office_only
def settings_save() -> ResponseReturnValue:
    form = {name: request.form.get(name, "")[:200] for name in request.form}
    with db() as s:
        checked = settings_service.save(s, authority(s), form, actor=scope().actor)
    if not checked.ok:
        problems = {name: t(key, **fields) for name, (key, fields) in checked.problems.items()}
        values: dict[str, object] = dict(form)
        values["document_prefixes"] = {k: form.get(f"prefix_{k}", "") for k in rules.DOCUMENT_KINDS}
        with db() as s:
            values["retention"] = retention.periods(authority(s).retention)
        flash(t("settings.failed", n=len(problems)), "error")
        return _page(values, problems, 400)
    flash(t("settings.saved"), "ok")
    return redirect(url_for("office.settings"))
