"""The public pages: a school's board page `/b/<code>` with the concern form, and `/ticket` (a ticket's progress).

For phones, in WeChat's built-in browser or any other; no script needed. Nothing personal is shown: the board's
own information (school, inspector's name, photo and contact, items, hotline) and, on `/ticket`, the state and
answer of a concern to whoever holds its ticket number and the secret shown once at submission.

The form is guarded by a signed token bound to a cookie (double submit), a same-origin check, a honeypot field,
a per-IP limit of attempts per hour and of concerns per day, and size limits; photos lose their metadata.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from flask import Blueprint, Response, abort, make_response, render_template, request, send_file
from werkzeug.exceptions import RequestEntityTooLarge

from backend.clock import timestamp as timestamp_of
from backend.domain.calendar import local_now
from backend.kv import KVUnavailable
from backend.services import concerns, images
from backend.services.authority import current_authority, seed_items
from backend.services.boards import duties, photo_path, readable_phone
from backend.services.concerns import Photo, WebRefused
from backend.store.models import Inspector, Unit, Zone
from backend.web import form_pages, runtime
from backend.web.home import office_contact
from messages import t

bp = Blueprint(
    "public",
    __name__,
    template_folder="templates",
    static_folder="static/public",
    static_url_path="/public-static",
)

FORM_COOKIE = "dudao_form"
FORM_MAX_AGE = 2 * 3600  # seconds a form may stay open on a phone before it is refused
MAX_PHOTO_BYTES = 8 * 1024 * 1024
ATTEMPTS_PER_HOUR = 30


@bp.context_processor
def _words() -> dict[str, Any]:
    return {"t": t}


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    return response


# --- the board's information --------------------------------------------------------------------------------


def _board(code: str) -> dict[str, Any] | None:
    """What the board shows, as plain values for the template; None for an unknown or inactive school."""
    with runtime().db.session() as session:
        unit = concerns.school_for_page(session, code)
        if unit is None:
            return None
        authority = current_authority(session)
        inspector_id = concerns.current_inspector_id(session, unit.id)
        inspector = session.get(Inspector, inspector_id) if inspector_id else None
        zone = session.get(Zone, unit.zone_id) if unit.zone_id else None
        has_photo = inspector is not None and photo_path(runtime().config, inspector) is not None
        return {
            "code": unit.code,
            "school": unit.name,
            "kind": t(f"unit_kind.{unit.kind}") if unit.kind else "",
            "zone": zone.name if zone else "",
            "inspector": None
            if inspector is None
            else {
                "name": inspector.name,
                "number": inspector.number,
                "phone": readable_phone(inspector.phone),
                "tel": inspector.phone.replace(" ", ""),
                "photo": has_photo,
            },
            "items": [str(i["name"]) for i in (authority.supervision_items or seed_items())],
            "categories": concerns.categories(session),
            "duties": duties(),
            "office": authority.office_name or t("authority.default_office"),
            "hotline": authority.hotline,
        }


def _not_found() -> Response:
    office, hotline = office_contact()  # a dead end must still say whom to call
    html = render_template("public/not_found.html", office=office, hotline=hotline)
    return _no_store(make_response(html, 404))


@bp.get("/b/<code>")
def board(code: str) -> Response:
    info = _board(code)
    if info is None:
        return _not_found()
    return _form_page(info, errors=[], values={})


@bp.get("/b/<code>/photo")
def inspector_photo(code: str) -> Response:
    """The current inspector's photo, as printed on the board."""
    with runtime().db.session() as session:
        unit = session.query(Unit).filter(Unit.code == code, Unit.active.is_(True)).one_or_none()
        inspector_id = concerns.current_inspector_id(session, unit.id) if unit else None
        inspector = session.get(Inspector, inspector_id) if inspector_id else None
        path = photo_path(runtime().config, inspector) if inspector else None
    if path is None:
        abort(404)
    response = send_file(path, max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- the form -----------------------------------------------------------------------------------------------


def _sign(code: str, issued: int, nonce: str) -> str:
    key = runtime().config.secret_key.encode()
    return hmac.new(key, f"concern-form|{code}|{issued}|{nonce}".encode(), hashlib.sha256).hexdigest()


def _form_page(info: dict[str, Any], *, errors: list[str], values: dict[str, str], status: int = 200) -> Response:
    nonce = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(16)
    issued = timestamp_of(runtime().clock)
    token = f"{issued}.{_sign(info['code'], issued, nonce)}"
    html = render_template("public/board.html", b=info, errors=errors, values=values, token=token)
    response = _no_store(make_response(html, status))
    response.set_cookie(
        FORM_COOKIE,
        nonce,
        max_age=FORM_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
        path="/b/",
    )
    return response


def _same_origin() -> bool:
    return form_pages.same_origin()


def _token_ok(code: str) -> bool:
    nonce = request.cookies.get(FORM_COOKIE, "")
    issued_text, _, signature = request.form.get("token", "").partition(".")
    if not nonce or not issued_text.isdigit() or not signature:
        return False
    issued = int(issued_text)
    fresh = 0 <= timestamp_of(runtime().clock) - issued <= FORM_MAX_AGE
    return fresh and hmac.compare_digest(signature, _sign(code, issued, nonce))


def _client_key() -> str:
    """The sender, for rate limits only: a keyed hash of the address, never stored with the concern."""
    address = request.remote_addr or "unknown"
    key = runtime().config.secret_key.encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:24]


def _too_many_attempts(client: str) -> bool:
    try:
        return runtime().kv.incr(f"concern:web-attempts:{client}", ttl=3600) > ATTEMPTS_PER_HOUR
    except KVUnavailable:
        return False


def _photos() -> tuple[list[Photo], list[str]]:
    photos: list[Photo] = []
    errors: list[str] = []
    files = [f for f in request.files.getlist("photos") if f and f.filename]
    if len(files) > concerns.MAX_PHOTOS:
        return [], [t("page.error.too_many_photos")]
    for upload in files:
        content = upload.read(MAX_PHOTO_BYTES + 1)
        if len(content) > MAX_PHOTO_BYTES:
            errors.append(t("page.error.photo_too_large"))
            continue
        try:
            kind, _size = images.measure(content)  # the header only: a bomb is never decoded here
        except images.BadImage as bad:
            errors.append(t("page.error.image_too_big" if bad.reason == "too_big" else "page.error.not_image"))
            continue
        photos.append(Photo(content, kind))
    return photos, sorted(set(errors))


@bp.post("/b/<code>")
def submit(code: str) -> Response:
    info = _board(code)
    if info is None:
        return _not_found()
    values = {k: request.form.get(k, "") for k in ("category", "content", "phone")}
    if not _same_origin() or not _token_ok(code):
        return _form_page(info, errors=[t("page.error.expired")], values=values, status=400)
    if request.form.get("website"):
        # the honeypot: a person never sees this field; a bot that fills it gets the form again, nothing recorded
        return _form_page(info, errors=[], values={}, status=400)
    client = _client_key()
    if _too_many_attempts(client):
        return _form_page(info, errors=[t("page.error.rate_limited")], values=values, status=429)
    photos, errors = _photos()
    phone = None
    if values["phone"].strip():
        phone = concerns.valid_phone(values["phone"])
        if phone is None:
            errors.append(t("page.error.phone"))
    if errors:
        return _form_page(info, errors=errors, values=values, status=400)
    rt = runtime()
    with rt.db.session() as session:
        try:
            done = concerns.submit_from_web(
                session,
                rt.kv,
                rt.config.media_dir,
                school_code=code,
                content=values["content"].strip(),
                category=values["category"] or None,
                phone=phone,
                photos=photos,
                client_key=client,
                pepper=rt.config.secret_key,
            )
            shown = concerns.status_for_public(
                session, ticket=done.ticket_no, secret=done.secret, pepper=rt.config.secret_key
            )
        except WebRefused as refused:
            done, shown, reason = None, None, refused.reason
        except images.BadImage:  # a header that passed but a body that does not decode: nothing recorded
            session.rollback()
            done, shown, reason = None, None, "not_image"
    if done is None or shown is None:
        status = 429 if reason == "rate_limited" else 400
        return _form_page(info, errors=[t(f"page.error.{reason}")], values=values, status=status)
    html = render_template(
        "public/done.html",
        b=info,
        ticket=done.ticket_no,
        secret=done.secret,
        ack_due=concerns.day_label(shown.ack_due_on),
        answer_due=concerns.day_label(shown.answer_due_on),
    )
    return _no_store(make_response(html, 201))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc: RequestEntityTooLarge) -> Response:
    html = render_template("public/message.html", title=t("page.error.too_large"), body=t("page.error.too_large"))
    return _no_store(make_response(html, 413))


# --- a ticket's progress --------------------------------------------------------------------------------------


@bp.route("/ticket", methods=["GET", "POST"])
def ticket_status() -> Response:
    found: dict[str, Any] | None = None
    error = ""
    ticket = request.form.get("ticket", "").strip()
    if request.method == "POST":
        rt = runtime()
        client = _client_key()
        if _too_many_attempts(client):
            error = t("page.error.rate_limited")
        else:
            try:
                with rt.db.session() as session:
                    view = concerns.status_for_public(
                        session, ticket=ticket, secret=request.form.get("secret", ""), pepper=rt.config.secret_key
                    )
                found = {
                    "ticket": view.ticket_no,
                    "school": view.school,
                    "category": view.category_name,
                    "state": t(concerns.reporter_state_key(view.state)),
                    "received": local_now(view.received_at).strftime("%Y-%m-%d %H:%M"),
                    "answer_due": view.answer_due_on.isoformat() if view.answer_due_on else "",
                    "answer": view.answer,
                    "note_label": t(f"page.status.note.{view.state}")
                    if view.note and view.state in ("referred", "not_substantiated")
                    else "",
                    "note": view.note,
                }
            except concerns.NotFound:
                error = t("page.status.not_found")
    with runtime().db.session() as session:
        office = current_authority(session).office_name or t("authority.default_office")
    html = render_template("public/status.html", found=found, error=error, ticket=ticket, office=office)
    return _no_store(make_response(html, 200 if not error else 404 if request.method == "POST" else 200))
