"""`/privacy`: the personal-information notice (个人信息保护法 第十七条: what is collected, why, who sees it, how long
it is kept — the office's own periods —, how to have it copied or deleted, whom to ask), and a person's request.

A request names its person by a ticket and the status secret shown at submission (a web concern), or by the signed
form link (`?k=`, `backend.services.form_links`, subject `privacy:0`, 30 days) the bot's replies carry (a WeChat
user's openid); a forged or expired link gets the form links' own refusal page (403/410). Either way it reaches only
that person's data. The form is same-origin, rate-limited like the concern form, and becomes the office's work item
with a deadline.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, make_response, render_template, request

from backend.domain import retention
from backend.domain.kinds import PrivacyRequestKind
from backend.services import concerns, privacy
from backend.services.authority import current_authority
from backend.store.models import Concern
from backend.web import form_pages, runtime
from backend.web.public import _client_key, _no_store, _same_origin, _too_many_attempts
from messages import t

bp = Blueprint("privacy", __name__, template_folder="templates")
form_pages.register(bp)

SHOWN_KINDS = (retention.REPORTER, retention.CONCERN_CONTENT, retention.VISIT_PHOTOS, retention.AUDIT)


def _page(*, errors: list[str], values: dict[str, str], done: str = "", status: int = 200) -> Response:
    rt = runtime()
    token = form_pages.token()
    if token:
        privacy.linked_openid(form_pages.linked(privacy.LINK_KIND))  # raises LinkRefused: the refusal page
    with rt.db.session() as session:
        authority = current_authority(session)
        periods = retention.periods(authority.retention)
        office = authority.office_name or t("authority.default_office")
        hotline = (authority.hotline or "").strip()
    html = render_template(
        "public/privacy.html",
        t=t,
        office=office,
        hotline=hotline,
        keep=[(t(f"settings.retention.{kind}"), periods[kind]) for kind in SHOWN_KINDS],
        days=privacy.REQUEST_WORKING_DAYS,
        kinds=[k.value for k in PrivacyRequestKind],
        token=token,
        errors=errors,
        values=values,
        done=done,
    )
    return _no_store(make_response(html, status))


@bp.get("/privacy")
def notice() -> Response:
    return _page(errors=[], values={})


def _identified(values: dict[str, str]) -> tuple[str | None, Any]:
    """The openid of a valid signed link, else the concern of a matching ticket and secret (or neither)."""
    rt = runtime()
    if form_pages.token():
        return privacy.linked_openid(form_pages.linked(privacy.LINK_KIND)), None  # or LinkRefused
    with rt.db.session() as session:
        try:
            concern = concerns.concern_for_secret(
                session, ticket=values["ticket"], secret=values["secret"], pepper=rt.config.secret_key
            )
        except concerns.NotFound:
            return None, None
        return None, concern.id


@bp.post("/privacy")
def ask() -> Response:
    values = {k: request.form.get(k, "")[:1100] for k in ("kind", "ticket", "secret", "contact", "message")}
    if not _same_origin():
        return _page(errors=[t("privacy.error.expired")], values=values, status=400)
    if _too_many_attempts(_client_key()):
        return _page(errors=[t("page.error.rate_limited")], values=values, status=429)
    errors: list[str] = []
    if values["kind"] not in {k.value for k in PrivacyRequestKind}:
        errors.append(t("privacy.error.kind"))
    if not values["contact"].strip() or len(values["contact"].strip()) > privacy.CONTACT_LENGTH:
        errors.append(t("privacy.error.contact"))
    if len(values["message"]) > privacy.MESSAGE_LENGTH:
        errors.append(t("privacy.error.too_long"))
    openid, concern_id = _identified(values)
    if openid is None and concern_id is None:
        errors.append(t("privacy.error.who"))
    if errors:
        return _page(errors=errors, values=values, status=400)
    rt = runtime()
    with rt.db.session() as session:
        concern = session.get(Concern, concern_id) if concern_id else None
        made = privacy.submit_request(
            session,
            kind=values["kind"],
            contact=values["contact"],
            message=values["message"],
            openid=openid,
            concern=concern,
        )
        due = made.due_on
    return _page(errors=[], values={}, done=t("privacy.form.done", due=concerns.day_label(due)), status=201)
