"""Flask blueprints: health, the JSON API, public pages, the office web."""

from __future__ import annotations

from flask import current_app

from backend.runtime import Runtime


def runtime() -> Runtime:
    """The ports of the app serving this request."""
    rt: Runtime = current_app.extensions["dudao"]
    return rt
