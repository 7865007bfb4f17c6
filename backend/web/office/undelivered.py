"""Pushes that could not be delivered, as the office deals with them: retry (after the unit followed the account
again) or record that it was delivered by other means. Office admins only; each action is one use case of
`backend.services.undelivered`, with its audit event, and goes back to the record the push was about."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from backend.domain.errors import DomainError
from backend.services import undelivered
from backend.store.models import OutboxMessage
from backend.web.office.auth import db, office_only, scope
from backend.web.office.blueprint import bp
from messages import t


def _back(subject_type: str, subject_id: int | None) -> ResponseReturnValue:
    if subject_type == "rectification" and subject_id is not None:
        return redirect(url_for("office.rectification", rectification_id=subject_id))
    if subject_type == "concern" and subject_id is not None:
        return redirect(url_for("office.concern", concern_id=subject_id))
    if subject_type == "visit" and subject_id is not None:
        return redirect(url_for("office.visit", visit_id=subject_id))
    return redirect(url_for("office.dashboard"))


def _act(message_id: int, done: str, means: str | None) -> ResponseReturnValue:
    subject: tuple[str, int | None] = ("", None)
    try:
        with db() as s:
            found = s.get(OutboxMessage, message_id)
            if found is not None:
                subject = (found.subject_type, found.subject_id)
            if means is None:
                undelivered.retry(s, message_id, actor=scope().actor)
            else:
                undelivered.mark_delivered(s, message_id, means, actor=scope().actor)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(t(done), "ok")
    if request.form.get("back") == "dashboard":
        return redirect(url_for("office.dashboard"))
    return _back(*subject)


@bp.post("/undelivered/<int:message_id>/retry")
@office_only
def undelivered_retry(message_id: int) -> ResponseReturnValue:
    return _act(message_id, "undelivered.done.retry", None)


@bp.post("/undelivered/<int:message_id>/delivered")
@office_only
def undelivered_delivered(message_id: int) -> ResponseReturnValue:
    means = request.form.get("means", "")
    if means not in undelivered.MEANS:
        flash(t("undelivered.refused.means"), "error")
        found_back = request.form.get("back") == "dashboard"
        return redirect(url_for("office.dashboard")) if found_back else _act_back(message_id)
    return _act(message_id, "undelivered.done.delivered", means)


def _act_back(message_id: int) -> ResponseReturnValue:
    with db() as s:
        found = s.get(OutboxMessage, message_id)
        return _back(found.subject_type, found.subject_id) if found else redirect(url_for("office.dashboard"))
