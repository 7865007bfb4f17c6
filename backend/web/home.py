"""`GET /`: what this is, for whoever opens the server's address: the public results, the office's sign-in, and
how a parent reaches a school's inspector (the board's QR code, or `/b/<学校代码>`)."""

from __future__ import annotations

from flask import Blueprint, Response, make_response, render_template

from backend.services.authority import current_authority
from backend.web import runtime
from messages import t

bp = Blueprint("home", __name__, template_folder="templates")


def office_contact() -> tuple[str, str]:
    """The office's name and its hotline ('' when the authority has none set)."""
    with runtime().db.session() as session:
        authority = current_authority(session)
        return authority.office_name or t("authority.default_office"), (authority.hotline or "").strip()


@bp.get("/")
def home() -> Response:
    office, hotline = office_contact()
    response = make_response(render_template("public/home.html", office=office, hotline=hotline))
    response.headers["Cache-Control"] = "no-cache"
    return response
