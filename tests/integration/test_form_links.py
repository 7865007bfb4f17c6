"""The pages of signed form links: a good link opens its form, an altered one gets a Chinese 403, an old one a 410;
the token never reaches the request log."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from flask import Blueprint

from backend.app import create_app
from backend.config import Config
from backend.kv import MemoryKV
from backend.runtime import Runtime
from backend.services import form_links
from backend.store.db import Database
from backend.web import form_pages

SECRET = "form-links-test-secret"


def test_a_link_opens_its_form_and_an_altered_or_old_one_gets_a_chinese_page(
    sqlite_database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    config = Config(database_url=sqlite_database.url, secret_key=SECRET, testing=True)
    runtime = Runtime(config, sqlite_database, MemoryKV())
    app = create_app(runtime=runtime)
    bp = Blueprint("form_links_probe", __name__)
    form_pages.register(bp)

    @bp.get("/probe/form")
    def probe() -> str:
        return f"opened {form_pages.linked('task_check').subject_id('task_check')}"

    app.register_blueprint(bp)
    now = runtime.clock.now()
    good = form_links.link(SECRET, "", "/probe/form", openid="o-wang", subject="task_check:7", now=now)
    client = app.test_client()
    caplog.set_level(logging.INFO)

    assert client.get(good).get_data(as_text=True) == "opened 7"
    tampered = client.get(good[:-3] + "AAA")
    assert tampered.status_code == 403 and "链接无效" in tampered.get_data(as_text=True)
    assert "Traceback" not in tampered.get_data(as_text=True)
    assert client.get("/probe/form").status_code == 403
    other = form_links.link(SECRET, "", "/probe/form", openid="o-wang", subject="evaluation:7", now=now)
    assert client.get(other).status_code == 403

    runtime.clock.advance(form_links.DEFAULT_LIFETIME + timedelta(seconds=1))  # type: ignore[attr-defined]
    expired = client.get(good)
    assert expired.status_code == 410 and "链接已过期" in expired.get_data(as_text=True)
    assert expired.headers["Cache-Control"] == "no-store"

    token = good.split("?k=")[1]
    assert all(token not in record.getMessage() and SECRET not in record.getMessage() for record in caplog.records)
