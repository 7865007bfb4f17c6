"""The web side of the signed form links (`backend.services.form_links`): the link read from the request, and the
Chinese page a link that opens nothing gets (403 tampered, 410 expired). A blueprint serving such forms calls
`register(bp)` once and `linked(prefix)` in each view."""

from __future__ import annotations

from flask import Blueprint, Response, make_response, render_template, request

from backend.services import form_links
from backend.services.form_links import FormLink, LinkRefused
from backend.web import runtime
from messages import t


def token() -> str:
    """The token of this request: in the query string (links, and the form's own action), or a posted field."""
    return request.args.get(form_links.PARAM) or request.form.get(form_links.PARAM, "")


def linked(prefix: str) -> FormLink:
    """The verified link this request carries, for a form of kind `prefix`; raises `LinkRefused`."""
    rt = runtime()
    return form_links.verify(rt.config.secret_key, token(), now=rt.clock.now(), prefix=prefix)


def refused_page(reason: str, status: int) -> Response:
    """A page in Chinese for a link that opens nothing (`reason`: tampered, expired, not_yours)."""
    html = render_template(
        "public/message.html", title=t(f"form_link.{reason}.title"), body=t(f"form_link.{reason}.body")
    )
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"  # the token in our URL goes to no other site
    response.headers["X-Frame-Options"] = "DENY"
    return response


def register(bp: Blueprint) -> None:
    """Answer a `LinkRefused` raised in `bp`'s views with its page."""

    @bp.errorhandler(LinkRefused)
    def _refused(exc: LinkRefused) -> Response:
        return refused_page(exc.reason, exc.status)
