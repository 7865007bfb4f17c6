"""Errors at the edge: JSON with a Chinese message for the API, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from messages import t

log = logging.getLogger(__name__)

_MESSAGE_FOR_STATUS = {
    400: "api.error.bad_request",
    401: "api.error.unauthorized",
    404: "api.error.not_found",
    405: "api.error.method_not_allowed",
    413: "api.error.too_large",
}


def error_body(status: int, key: str | None = None) -> ResponseReturnValue:
    key = key or _MESSAGE_FOR_STATUS.get(status, "api.error.bad_request")
    return jsonify(error={"status": status, "message": t(key)}), status


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> ResponseReturnValue:
        return error_body(exc.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> ResponseReturnValue:
        log.exception("unexpected error")
        return error_body(500, "api.error.internal")
