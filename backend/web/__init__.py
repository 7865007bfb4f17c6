"""Flask blueprints: health, the JSON API, public pages, the office web."""

from __future__ import annotations

from datetime import date

from flask import current_app

from backend.clock import local_today
from backend.runtime import Runtime


def runtime() -> Runtime:
    """The ports of the app serving this request."""
    rt: Runtime = current_app.extensions["dudao"]
    return rt


def today() -> date:
    """Today in Asia/Shanghai, by the runtime's clock."""
    return local_today(runtime().clock)
