"""An inspector's appointment from the browser (office admins): 停聘, 解聘, 恢复聘任."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from backend.domain.errors import DomainError
from backend.domain.kinds import EndOfAppointment
from backend.services import staff
from backend.web.office.auth import db, office_only, scope
from backend.web.office.blueprint import bp
from messages import t


@bp.post("/inspectors/<number>/end")
@office_only
def inspector_end(number: str) -> ResponseReturnValue:
    try:
        kind = EndOfAppointment(request.form.get("kind", ""))
    except ValueError:
        abort(400)
    on_text = request.form.get("on", "").strip()
    try:
        on = date.fromisoformat(on_text) if on_text else None
    except ValueError:
        flash(t("office.calendar.bad_input"), "error")
        return redirect(url_for("office.inspector", number=number))
    with db() as s:
        try:
            ended = staff.end_appointment(
                s, scope().authority_id, number, kind, reason=request.form.get("reason", ""), actor=scope().actor, on=on
            )
        except DomainError as refused:
            flash(refused.message, "error")
            return redirect(url_for("office.inspector", number=number))
    flash(
        t("staff.done", name=ended.name, kind=t(f"staff.kind.{kind.value}"), day=ended.on.isoformat(),
          schools=len(ended.schools)),
        "warn",
    )  # fmt: skip
    if ended.open_concerns or ended.open_rectifications:
        flash(t("staff.done.open_work", concerns=ended.open_concerns, items=ended.open_rectifications), "warn")
    return redirect(url_for("office.inspector", number=number))


@bp.post("/inspectors/<number>/reinstate")
@office_only
def inspector_reinstate(number: str) -> ResponseReturnValue:
    with db() as s:
        try:
            name = staff.reinstate(s, scope().authority_id, number, actor=scope().actor)
        except DomainError as refused:
            flash(refused.message, "error")
            return redirect(url_for("office.inspector", number=number))
    flash(t("staff.reinstated", name=name), "ok")
    return redirect(url_for("office.inspector", number=number))
