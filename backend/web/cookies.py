"""The session cookie: HttpOnly, SameSite=Lax, and Secure whenever the request came over HTTPS (or the
deployment's public address is an https one), so that it never travels in clear behind a TLS proxy."""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, with `Secure` decided per request."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or bool(request and request.is_secure)


def register(app: Flask, public_url: str) -> None:
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=public_url.startswith("https://"),
    )
    app.session_interface = SessionCookies()
