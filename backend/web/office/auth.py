"""Signing in and out, sessions that end when idle or too old, CSRF tokens, and who may do what.

A session ends after `Config.office_idle_minutes` without a request (30) and `Config.office_session_hours` after
its sign-in (12), the login page then saying why. An account whose password was set by someone else
(`must_change_password`) reaches only the password form until it chose its own. After signing in the person reads
when and from where the account signed in before. Sign-in, failed sign-in, sign-out, password changes and every
download (an attachment answered by the office web) are audit events.

The session cookie (signed by Flask, HttpOnly, SameSite=Lax, Secure behind HTTPS) holds the user's id, a stamp
of their password hash, the time of their last request and a session id; the session id is kept in the
key-value store while the session lives, so signing out ends it on the server too (a copied cookie stops
working). Each request checks the session id, that the account is still active and the password unchanged.
Every POST carries the session's CSRF token (a form field or the `X-CSRF-Token` header). Sign-in attempts are
limited per username and address and per account (docs/security.md).
"""

from __future__ import annotations

import contextlib
import functools
import hmac
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import Response, abort, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from backend.kv import KVUnavailable
from backend.services import office_users
from backend.services.audit import record
from backend.services.audit_log import local_minute
from backend.services.authority import current_authority
from backend.services.office_users import Scope
from backend.store.models import Authority, OfficeUser
from backend.web import args as arguments
from backend.web import runtime
from backend.web.office.blueprint import bp
from messages import t

LOGIN_ATTEMPTS = 5  # per username and address
ACCOUNT_ATTEMPTS = 10  # per account, from any number of addresses
LOGIN_WINDOW = 15 * 60
OPEN_ENDPOINTS = {"office.login"}
PASSWORD_ENDPOINTS = {"office.password", "office.logout"}  # all that an account that must change its password sees
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def db() -> Iterator[Session]:
    """A session of the app's database that commits on success."""
    with runtime().db.session() as s:
        yield s


def scope() -> Scope:
    found: Scope = g.scope
    return found


def authority(session: Session) -> Authority:
    return current_authority(session)


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


@bp.app_context_processor
def _inject() -> dict[str, object]:
    return {"csrf_token": csrf_token, "me": g.get("scope")}


def _csrf_ok() -> bool:
    expected = session.get("csrf")
    given = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    return bool(expected) and hmac.compare_digest(str(expected), given)


def idle_limit() -> float:
    """Seconds without a request before a session ends."""
    return runtime().config.office_idle_minutes * 60


def lifetime_limit() -> float:
    """Seconds after its sign-in when a session ends, however busy."""
    return runtime().config.office_session_hours * 3600


def _session_key(sid: str) -> str:
    return f"office:session:{sid}"


def _session_alive(sid: object, uid: object) -> bool:
    """The server still knows this session (not signed out, not idle too long); refreshes its lifetime."""
    if not isinstance(sid, str) or not sid:
        return False
    kv = runtime().kv
    try:
        if kv.get(_session_key(sid)) != str(uid):
            return False
        kv.set(_session_key(sid), str(uid), ttl=int(idle_limit()) + 1)
    except KVUnavailable:
        return False  # the store is down: nobody can sign in either; refuse rather than trust a cookie alone
    return True


def _end_session() -> None:
    sid = session.get("sid")
    if isinstance(sid, str) and sid:
        with contextlib.suppress(KVUnavailable):  # else it ends by itself when idle
            runtime().kv.delete(_session_key(sid))


def _sign_out() -> None:
    _end_session()
    for key in ("uid", "stamp", "seen", "sid", "started"):
        session.pop(key, None)


@bp.before_request
def _guard() -> ResponseReturnValue | None:
    if request.method not in SAFE_METHODS and not _csrf_ok():
        abort(400, description="csrf")
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    uid, seen, started = session.get("uid"), session.get("seen", 0), session.get("started", 0)
    now = runtime().clock.now().timestamp()
    if uid is not None and now - float(seen) > idle_limit():
        _sign_out()
        flash(t("office.login.expired"), "info")
        uid = None
    elif uid is not None and now - float(started) > lifetime_limit():
        _sign_out()
        flash(t("office.login.lifetime_over", hours=f"{runtime().config.office_session_hours:g}"), "info")
        uid = None
    user_scope, must_change = None, False
    if uid is not None and _session_alive(session.get("sid"), uid):
        with db() as s:
            user = s.get(OfficeUser, int(uid))
            if user is not None and user.active and session.get("stamp") == office_users.password_stamp(user):
                user_scope, must_change = office_users.scope_of(s, user), user.must_change_password
    if user_scope is None:
        _sign_out()
        if request.method in SAFE_METHODS:
            return redirect(url_for("office.login", next=request.full_path.rstrip("?")))
        abort(401)
    session["seen"] = now
    g.scope = user_scope
    if must_change and request.endpoint not in PASSWORD_ENDPOINTS:
        if request.method in SAFE_METHODS:
            return redirect(url_for("office.password"))
        abort(403)
    return None


@bp.after_request
def _audit_downloads(response: Response) -> Response:
    """Every file the office web hands out (xlsx, csv, PDF, DOCX, PNG: an attachment) is an audit event."""
    disposition = response.headers.get("Content-Disposition", "")
    me = g.get("scope")
    if response.status_code == 200 and disposition.startswith("attachment") and me is not None:
        with db() as s:
            args = {key: value[:200] for key, value in list(request.args.items())[:20] if value}
            record(
                s, me.actor, "office.download", "download", None,
                endpoint=request.endpoint or "", path=request.path[:300], args=args, ip=_client(),
                filename=disposition.rpartition("''")[2][:300] if "''" in disposition else disposition[:300],
            )  # fmt: skip
    return response


def office_only(view: Callable[P, R]) -> Callable[P, R]:
    """Views for office admins only (accounts, tokens, calendar, items…): a zone leader gets 403."""

    @functools.wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        if not scope().is_office:
            abort(403)
        return view(*args, **kwargs)

    return guarded


def client_address() -> str:
    """The person's address (behind nginx: X-Real-IP / X-Forwarded-For, with `DUDAO_PROXY_HOPS`)."""
    return request.remote_addr or "unknown"


_client = client_address


def _safe_next(target: str | None) -> str:
    """Only a path inside the office web (no other host, no scheme)."""
    if (
        target
        and target.startswith("/office/")
        and not urlsplit(target).netloc
        and not target.startswith("//")
        and target.isprintable()  # a CR LF would split the Location header
    ):
        return target
    return url_for("office.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if request.method == "GET":
        csrf_token()
        return render_template("office/login.html", next=arguments.text_arg("next"))
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    key = f"office:login:{username.lower()}:{_client()}"
    account_key = f"office:login:{username.lower()}"
    try:
        attempts = runtime().kv.incr(key, ttl=LOGIN_WINDOW)
        locked = runtime().kv.incr(account_key, ttl=LOGIN_WINDOW) > ACCOUNT_ATTEMPTS
    except KVUnavailable:
        attempts, locked = LOGIN_ATTEMPTS + 1, True  # without the counters, passwords could be guessed: refuse
    if attempts > LOGIN_ATTEMPTS or locked:
        with db() as s:  # a refused try is a security event too (a guess, or someone locking an account out)
            record(
                s, f"office:{username[:60]}", "office_user.login_throttled", "office_user",
                ip=_client(), username=username[:200],
            )  # fmt: skip
        flash(t("office.login.too_many"), "error")
        return render_template("office/login.html", next=request.form.get("next", ""), username=username), 429
    with db() as s:
        user = office_users.authenticate(s, username, password)
        if user is None:
            record(
                s, f"office:{username[:60]}", "office_user.login_failed", "office_user",
                ip=_client(), username=username[:200],
            )  # fmt: skip
        else:
            before = office_users.note_login(s, user, _client(), runtime().config.office_password_days)
            record(s, f"office:{user.username}", "office_user.login", "office_user", user.id, ip=_client())
            stamp, uid, must_change = office_users.password_stamp(user), user.id, user.must_change_password
    if user is None:
        flash(t("office.login.failed"), "error")
        return render_template("office/login.html", next=request.form.get("next", ""), username=username), 401
    runtime().kv.delete(key)
    runtime().kv.delete(account_key)
    _end_session()
    session.clear()  # a new session on sign-in: nothing from before survives (no fixation)
    sid = secrets.token_urlsafe(32)
    runtime().kv.set(_session_key(sid), str(uid), ttl=int(idle_limit()) + 1)
    session.permanent = True
    moment = runtime().clock.now().timestamp()
    session.update(uid=uid, stamp=stamp, seen=moment, started=moment, csrf=secrets.token_urlsafe(32), sid=sid)
    if before.at is None:
        flash(t("office.login.first"), "info")
    else:
        flash(t("office.login.last", at=local_minute(before.at), ip=before.ip or "-"), "info")
    if must_change:
        return redirect(url_for("office.password"))
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    me = g.get("scope")
    if me is not None:
        with db() as s:
            record(s, me.actor, "office_user.logout", "office_user", me.user_id, ip=_client())
    _end_session()
    session.clear()
    flash(t("office.login.signed_out"), "info")
    return redirect(url_for("office.login"))


def _error_page(status: int, key: str, **fields: object) -> ResponseReturnValue:
    return render_template("office/error.html", status=status, message_key=key, fields=fields), status


@bp.errorhandler(400)
def _bad_request(exc: Exception) -> ResponseReturnValue:
    if isinstance(exc, arguments.BadArgument):
        return _error_page(400, "office.error.bad_argument", reason=exc.reason)
    if getattr(exc, "description", "") == "csrf":
        return _error_page(400, "office.error.csrf")
    return _error_page(400, "office.error.bad_request")


@bp.errorhandler(401)
def _unauthorized(_exc: Exception) -> ResponseReturnValue:
    return _error_page(401, "office.error.unauthorized")


@bp.errorhandler(403)
def _forbidden(_exc: Exception) -> ResponseReturnValue:
    return _error_page(403, "office.error.forbidden")


@bp.errorhandler(404)
def _not_found(_exc: Exception) -> ResponseReturnValue:
    return _error_page(404, "office.error.not_found")
