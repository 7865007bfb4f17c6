"""Arguments of a request, validated in one place: a value out of its range is a 400 with a Chinese reason.

Views ask for what they need (`int_arg`, `optional_int`, `date_arg`, `year_arg`, `text_arg`); a bad value raises
`BadArgument` (a 400), which the API answers as JSON and the office web as its error page. Path ids go through
`IdConverter` (registered as `int`): an id no column can hold is a 404, never an overflow in the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import Flask, Response, abort, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, Map

from messages import t

MAX_ID = 2**31 - 1  # the ids are 32-bit integer columns on PostgreSQL
FIRST_DAY = date(2000, 1, 1)  # the days a filter or report may name: the records' lifetime, with room
LAST_DAY = date(2099, 12, 31)
MAX_TEXT = 200


class BadArgument(BadRequest):
    """A query or form argument out of its range: its name (`argument`) and the Chinese `reason`."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(t("api.error.bad_parameter", name=name, reason=reason))
        self.argument = name
        self.reason = reason


class IdConverter(IntegerConverter):
    """`<int:...>` in a rule: a positive id a column can hold (a longer one matches no route: 404)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register(app: Flask) -> None:
    """Before the blueprints: path ids through `IdConverter`; a `BadArgument` outside the office web as JSON."""
    from backend.web.errors import error_body

    app.url_map.converters["int"] = IdConverter
    app.jinja_env.filters["query_without"] = query_without
    app.before_request(refuse_nul)

    @app.errorhandler(BadArgument)
    def _bad_argument(exc: BadArgument) -> Response:
        return error_body(400, "api.error.bad_parameter", name=exc.argument, reason=exc.reason)


def refuse_nul() -> None:
    """No NUL byte in a path, a query or a form: no text column holds one (PostgreSQL refuses it)."""
    if "\x00" in request.path:
        abort(404)
    sources = [request.args, request.form] if request.mimetype in _FORMS else [request.args]
    for source in sources:
        for name, value in source.items(multi=True):
            if "\x00" in value or "\x00" in name:
                raise BadArgument(name.replace("\x00", ""), t("api.reason.control"))


_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def query_without(args: Mapping[str, str], *names: str) -> dict[str, str]:
    """The query string's arguments but `names`, for a link that sets them itself (`kind=` of an export)."""
    return {key: value for key, value in args.items() if key not in names}


def _raw(name: str, source: Mapping[str, str] | None) -> str | None:
    raw = (request.args if source is None else source).get(name)
    return None if raw is None or raw.strip() == "" else raw.strip()


def optional_int(name: str, low: int, high: int, source: Mapping[str, str] | None = None) -> int | None:
    """An integer within [low, high], or None when absent or empty (from the query string unless `source`)."""
    raw = _raw(name, source)
    if raw is None:
        return None
    if not (raw.isascii() and raw.lstrip("-").isdigit()) or len(raw) > 20:
        raise BadArgument(name, t("api.reason.integer"))
    value = int(raw)
    if not low <= value <= high:
        raise BadArgument(name, t("api.reason.range", low=low, high=high))
    return value


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """An integer within [low, high]; `default` when absent or empty."""
    value = optional_int(name, low, high)
    return default if value is None else value


def id_arg(name: str, source: Mapping[str, str] | None = None) -> int | None:
    """A record's id (a zone, say), or None when absent."""
    return optional_int(name, 1, MAX_ID, source)


def year_arg(name: str, default: int) -> int:
    return int_arg(name, default, FIRST_DAY.year, LAST_DAY.year)


def date_arg(name: str, source: Mapping[str, str] | None = None) -> date | None:
    """A day as YYYY-MM-DD within the years records can have, or None when absent or empty."""
    raw = _raw(name, source)
    if raw is None:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise BadArgument(name, t("visits.api.reason.date")) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise BadArgument(name, t("api.reason.range", low=FIRST_DAY.isoformat(), high=LAST_DAY.isoformat()))
    return day


def text_arg(name: str, default: str = "", max_length: int = MAX_TEXT) -> str:
    """Text without control characters (a CR LF would split a header), at most `max_length` long."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if len(raw) > max_length:
        raise BadArgument(name, t("api.reason.too_long", n=max_length))
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in raw):
        raise BadArgument(name, t("api.reason.control"))
    return raw
