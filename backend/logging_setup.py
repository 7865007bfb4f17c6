"""Logging an operator can read: one format for every process, and one line per request.

Every line carries the time, the level and the logger (`configure_logging`), under gunicorn (`backend/wsgi.py`,
`deploy/gunicorn.conf.py`), `dudao worker`, `dudao serve` and every other `dudao` command. INFO is kept.

The request line (`RequestLog`, logger `dudao.request`) says the method, the path WITHOUT its query string, the
status and the time taken: WeChat puts the signature, the nonce and the user's openid in `/wechat`'s query string,
and the office's list filters may carry names. What a log line never holds (docs/operations.md): an openid, a
phone number, what someone wrote.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")

request_log = logging.getLogger("dudao.request")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def formatter() -> logging.Formatter:
    return logging.Formatter(LOG_FORMAT, DATE_FORMAT)


def configure_logging(level: str | int = "INFO", *, quiet: Iterable[str] = ("alembic",)) -> None:
    """Send every logger's lines to stderr in LOG_FORMAT at `level` (once per process; later calls re-level).

    The libraries in `quiet` log their warnings only (alembic's INFO would fill `dudao db upgrade`).
    """
    numeric = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    if not isinstance(numeric, int):
        numeric = logging.INFO
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "dudao", False)]
    if not ours:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(formatter())
        handler.dudao = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(numeric)
    for name in quiet:
        logging.getLogger(name).setLevel(max(numeric, logging.WARNING))


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class RequestLog:
    """WSGI middleware: `GET /office/ 302 3.1 ms` once the response is sent (its body included)."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.monotonic()
        status: list[str] = []

        def recording_start_response(code: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            status[:] = [code.split(" ", 1)[0]]
            return start_response(code, headers, *args)

        try:
            body = self.app(environ, recording_start_response)
        except BaseException:
            self._log(environ, "500", started)
            raise
        return self._closing(body, environ, status, started)

    def _closing(
        self, body: Iterable[bytes], environ: dict[str, Any], status: list[str], started: float
    ) -> Iterator[bytes]:
        try:
            yield from body
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
            self._log(environ, status[0] if status else "-", started)

    @staticmethod
    def _log(environ: dict[str, Any], status: str, started: float) -> None:
        raw = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")) or "/"
        # WSGI paths are bytes read as latin-1; control characters (a forged newline) never start a line of their own
        path = _CONTROL.sub("?", raw.encode("latin-1", "replace").decode("utf-8", "replace"))
        request_log.info(
            "%s %s %s %.1f ms", environ.get("REQUEST_METHOD", "-"), path, status, (time.monotonic() - started) * 1000
        )
