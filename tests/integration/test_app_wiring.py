"""The app factory: every part is mounted, and a proxy's client address is trusted only when configured."""

from __future__ import annotations

from flask import Blueprint, Flask, request

from backend.app import create_app
from backend.config import Config
from backend.kv import MemoryKV
from backend.runtime import Runtime
from backend.store.db import Database


def app_with(database: Database, **config: object) -> Flask:
    cfg = Config(database_url=database.url).with_(**config)
    app = create_app(runtime=Runtime(cfg, database, MemoryKV()))
    probe = Blueprint("probe", __name__)
    probe.add_url_rule("/_probe", "probe", lambda: request.remote_addr or "")
    app.register_blueprint(probe)
    return app


def test_every_part_of_the_system_is_mounted(sqlite_database: Database) -> None:
    rules = {rule.rule for rule in app_with(sqlite_database).url_map.iter_rules()}
    for path in ("/healthz", "/wechat", "/api/v1/schools", "/api/v1/visits", "/api/v1/rectifications", "/public/"):
        assert path in rules
    assert any(r.startswith("/b/") for r in rules) and any(r.startswith("/office") for r in rules)
    assert not any(r.startswith("/sim") for r in rules)  # the simulator exists only in the demo


def test_the_client_address_comes_from_the_proxy_only_when_configured(sqlite_database: Database) -> None:
    headers = {"X-Forwarded-For": "203.0.113.7"}
    direct = app_with(sqlite_database).test_client().get("/_probe", headers=headers)
    assert direct.get_data(as_text=True) == "127.0.0.1"
    proxied = app_with(sqlite_database, proxy_hops=1).test_client().get("/_probe", headers=headers)
    assert proxied.get_data(as_text=True) == "203.0.113.7"
