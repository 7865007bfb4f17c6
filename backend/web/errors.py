"""Errors at the edge: JSON with a Chinese message for the API, never a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from messages import t

log = logging.getLogger(__name__)

_MESSAGE_FOR_STATUS = {
    400: "api.error.bad_request",
    401: "api.error.unauthorized",
    404: "api.error.not_found",
    405: "api.error.method_not_allowed",
    413: "api.error.too_large",
    500: "api.error.internal",
    503: "api.error.unavailable",
}

# headers an HTTP error carries that the JSON answer must keep (e.g. WWW-Authenticate on 401, Allow on 405)
_KEPT_HEADERS = ("WWW-Authenticate", "Allow", "Retry-After")


class ApiError(Exception):
    """An answer other than success, with a message key from `messages/` and its fields."""

    def __init__(
        self, status: int, key: str | None = None, headers: Mapping[str, str] | None = None, **fields: object
    ) -> None:
        super().__init__(key or status)
        self.status = status
        self.key = key or _MESSAGE_FOR_STATUS.get(status, "api.error.bad_request")
        self.headers = dict(headers or {})
        self.fields = fields


def error_body(
    status: int, key: str | None = None, headers: Mapping[str, str] | None = None, **fields: object
) -> Response:
    """`{"error": {"status": ..., "message": ...}}` with the status code set."""
    key = key or _MESSAGE_FOR_STATUS.get(status, "api.error.bad_request")
    response = jsonify(error={"status": status, "message": t(key, **fields)})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return error_body(exc.status, exc.key, exc.headers, **exc.fields)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        kept = {name: value for name, value in exc.get_headers() if name in _KEPT_HEADERS}
        return error_body(exc.code or 500, headers=kept)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unexpected error")
        return error_body(500, "api.error.internal")
