"""The office blueprint and what every office page shares: templates, headers, cookie settings."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, Response
from flask.blueprints import BlueprintSetupState

from backend.domain import concern as concern_rules
from backend.domain import rectification as rectification_rules
from backend.domain.calendar import local_now
from backend.domain.kinds import ConcernState
from messages import t

WEB_DIR = Path(__file__).resolve().parent.parent

bp = Blueprint("office", __name__, url_prefix="/office", template_folder=str(WEB_DIR / "templates"))


def when(moment: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A moment in Asia/Shanghai time as the office reads it; a date as YYYY-MM-DD; nothing as a dash."""
    if moment is None:
        return "—"
    if isinstance(moment, datetime):
        return local_now(moment).strftime(fmt)
    return moment.isoformat()


def label(prefix: str, value: object) -> str:
    """The Chinese label of a stored value (`label('office.concern_state', 'received')`), or the value itself."""
    from messages import CATALOG

    return CATALOG.get(f"{prefix}.{value}", str(value))


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def concern_open(state: str) -> bool:
    return ConcernState(state) in concern_rules.OPEN_STATES


def _setup(state: BlueprintSetupState) -> None:
    app = state.app
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.jinja_env.globals.update(t=t, when=when, label=label, percent=percent)
    app.jinja_env.globals.update(concern_open=concern_open, concern_overdue=concern_rules.answer_overdue)
    app.jinja_env.globals.update(rectification_overdue=rectification_rules.is_overdue)


bp.record_once(_setup)


@bp.after_request
def _headers(response: Response) -> Response:
    """Office pages are private: not cached, not framed, scripts only from the project."""
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'",
    )
    return response


def context(**values: Any) -> dict[str, Any]:
    return values
