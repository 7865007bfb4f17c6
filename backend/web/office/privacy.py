"""`/office/privacy` (office admins, not zone leaders): people's requests about their personal information as work
items with deadlines, and one person's data exported (a zip) or erased — by a request or by openid/phone."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from backend.services import privacy
from backend.store.models import Concern, PrivacyRequest
from backend.web import runtime, today
from backend.web.office.auth import db, office_only, scope
from backend.web.office.blueprint import bp
from backend.web.office.downloads import attachment
from messages import t


def _form(name: str, limit: int = 200) -> str:
    return request.form.get(name, "")[:limit]


def _person_from_form() -> privacy.Person | None:
    try:
        return privacy.person_from(_form("openid", 80), _form("phone", 40))
    except privacy.RequestRefused as refused:
        flash(t(f"privacy.office.bad_{refused.reason}"), "error")
        return None


def _request_person(request_id: int) -> privacy.Person:
    with db() as s:
        item = s.get(PrivacyRequest, request_id)
        if item is None:
            raise NotFound()
        return privacy.person_of(item)


@bp.get("/privacy")
@office_only
def privacy_requests() -> ResponseReturnValue:
    with db() as s:
        rows = privacy.requests(s)
        tickets = {c.id: c.ticket_no for c in s.query(Concern).filter(Concern.id.in_({r.concern_id for r in rows}))}
    return render_template("office/privacy.html", rows=rows, tickets=tickets, today=today())


def _export(person: privacy.Person) -> ResponseReturnValue:
    with db() as s:
        done = privacy.export_person(s, runtime().config.media_dir, person, actor=scope().actor)
    return attachment(done.data, done.filename, privacy.ZIP_MIME)


def _erase(person: privacy.Person) -> ResponseReturnValue:
    if request.form.get("confirm") != "yes":
        flash(t("privacy.office.erase.confirm"), "error")
        return redirect(url_for("office.privacy_requests"))
    config = runtime().config
    with db() as s:
        done = privacy.erase_person(s, config.media_dir, config.secret_key, person, actor=scope().actor)
    flash(t("privacy.office.erased", concerns=done.concerns, photos=done.photos), "ok")
    return redirect(url_for("office.privacy_requests"))


@bp.post("/privacy/export")
@office_only
def privacy_export() -> ResponseReturnValue:
    person = _person_from_form()
    return redirect(url_for("office.privacy_requests")) if person is None else _export(person)


@bp.post("/privacy/erase")
@office_only
def privacy_erase() -> ResponseReturnValue:
    person = _person_from_form()
    return redirect(url_for("office.privacy_requests")) if person is None else _erase(person)


@bp.post("/privacy/<int:request_id>/export")
@office_only
def privacy_request_export(request_id: int) -> ResponseReturnValue:
    return _export(_request_person(request_id))


@bp.post("/privacy/<int:request_id>/erase")
@office_only
def privacy_request_erase(request_id: int) -> ResponseReturnValue:
    return _erase(_request_person(request_id))


@bp.post("/privacy/<int:request_id>/close")
@office_only
def privacy_request_close(request_id: int) -> ResponseReturnValue:
    with db() as s:
        try:
            privacy.close_request(s, request_id, _form("outcome", privacy.MESSAGE_LENGTH), actor=scope().actor)
        except privacy.RequestRefused:
            raise NotFound() from None
    flash(t("privacy.office.closed"), "ok")
    return redirect(url_for("office.privacy_requests"))
