"""The log format and the request line (backend/logging_setup.py): time, level and logger on every line; the
path without its query string; a forged newline never starts a line of its own."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

from backend.logging_setup import LOG_FORMAT, RequestLog, configure_logging, formatter


def app(status: str = "200 OK", fail: bool = False) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if fail:
            raise RuntimeError("boom")
        start_response(status, [("Content-Type", "text/plain")])
        return [b"ok"]

    return wsgi


def call(wsgi: Any, path: str, query: str = "", method: str = "GET") -> bytes:
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "SCRIPT_NAME": ""}
    body: Iterator[bytes] = iter(RequestLog(wsgi)(environ, lambda status, headers, *args: None))
    return b"".join(body)


def test_a_request_is_one_line_with_method_path_status_and_milliseconds(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="dudao.request"):
        assert call(app(), "/wechat", "signature=abc&openid=oSecretOpenid", "POST") == b"ok"
        call(app("302 FOUND"), "/office/")
    [first, second] = [r.getMessage() for r in caplog.records if r.name == "dudao.request"]
    assert re.fullmatch(r"POST /wechat 200 \d+\.\d ms", first)
    assert re.fullmatch(r"GET /office/ 302 \d+\.\d ms", second)
    assert "openid" not in caplog.text and "signature" not in caplog.text


def test_a_failing_request_is_logged_as_500_and_raised(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="dudao.request"), pytest.raises(RuntimeError):
        call(app(fail=True), "/office/")
    assert re.fullmatch(r"GET /office/ 500 \d+\.\d ms", caplog.records[-1].getMessage())


def test_a_chinese_path_reads_as_chinese_and_a_newline_cannot_forge_a_line(caplog: pytest.LogCaptureFixture) -> None:
    wsgi_path = "/b/城关二小\nINFO forged".encode().decode("latin-1")  # how WSGI hands paths over
    with caplog.at_level(logging.INFO, logger="dudao.request"):
        call(app("404 NOT FOUND"), wsgi_path)
    message = caplog.records[-1].getMessage()
    assert message.startswith("GET /b/城关二小?INFO forged 404") and "\n" not in message


def test_every_line_carries_time_level_and_logger() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter())
    logger = logging.getLogger("dudao.test")
    logger.addHandler(handler)
    try:
        logger.warning("hello")
    finally:
        logger.removeHandler(handler)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} WARNING dudao\.test: hello\n", stream.getvalue())
    assert "%(levelname)s" in LOG_FORMAT


def test_configuring_twice_keeps_one_handler_and_sets_the_level() -> None:
    root = logging.getLogger()
    before_level, before = root.level, list(root.handlers)
    try:
        configure_logging("INFO")
        configure_logging("warning")
        ours = [h for h in root.handlers if getattr(h, "dudao", False)]
        assert len(ours) == 1 and root.level == logging.WARNING
        configure_logging("nonsense")
        assert root.level == logging.INFO
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
        root.setLevel(before_level)
