"""The webhook on a real server on loopback (`serve_app` of tests/e2e/conftest.py), on SQLite + memory and on
PostgreSQL + Redis, with a WeChat sender pointed at it and a school to scan.
"""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from backend.app import create_app
from backend.config import Config
from backend.kv import KV, MemoryKV, RedisKV
from backend.runtime import Runtime
from backend.services.outbox import send_due
from backend.store.db import Database
from bot import webhook
from bot.fake_wechat.pusher import WeChatPusher
from bot.router import Router
from tests.builders import County
from tests.conftest import REDIS_URL, _truncate_pg

TOKEN = "dudao-test-token"
APPID = "wx0123456789abcdef"
SECRET_KEY = "webhook-test-secret"


def new_aes_key() -> str:
    return base64.b64encode(os.urandom(32)).decode().rstrip("=")


@dataclass
class Stack:
    """A database and a key-value store of one kind (embedded or real services)."""

    name: str
    db: Database
    kv: KV


STACKS = ["sqlite+memory", "postgresql+redis"]


def open_stack(request: pytest.FixtureRequest) -> Iterator[Stack]:
    """For a fixture parametrised by STACKS: the embedded default, or PostgreSQL + Redis when configured."""
    if request.param == "sqlite+memory":
        db: Database = request.getfixturevalue("sqlite_database")
        yield Stack(request.param, db, MemoryKV())
        return
    pg: Database = request.getfixturevalue("pg_database")
    _truncate_pg(pg)
    if not REDIS_URL:
        pytest.skip("DUDAO_TEST_REDIS_URL (Redis) not configured")
    kv = RedisKV(REDIS_URL, prefix=f"dudao-test:{uuid.uuid4().hex[:8]}:")
    db = Database(pg.url, clock=request.getfixturevalue("clock"), pool_size=5, max_overflow=10)
    yield Stack(request.param, db, kv)
    db.dispose()
    for key in kv._redis.scan_iter(match=kv.prefix + "*"):
        kv._redis.delete(key)


@dataclass
class Webhook:
    """A running server and a WeChat sender pointed at it."""

    url: str
    app: Flask
    runtime: Runtime
    sender: WeChatPusher

    def sender_with(self, **changes: Any) -> WeChatPusher:
        """Another sender for this server: another token, another key, another clock."""
        settings: dict[str, Any] = {
            "token": TOKEN,
            "appid": APPID,
            "aes_key": self.runtime.config.wechat_aes_key,
            "clock": self.runtime.clock,
        }
        return WeChatPusher(self.url + "/wechat", **(settings | changes))


@contextmanager
def running_webhook(
    db: Database,
    kv: KV,
    *,
    safe: bool,
    router: Router | None = None,
    budget: float | None = None,
) -> Iterator[Webhook]:
    config = Config(
        database_url=db.url,
        secret_key=SECRET_KEY,
        wechat_token=TOKEN,
        wechat_appid=APPID,
        wechat_aes_key=new_aes_key() if safe else None,
        testing=True,
    )
    runtime = Runtime(config=config, db=db, kv=kv)
    app = create_app(runtime=runtime)
    edge = webhook.install(app, router=router, **({} if budget is None else {"budget": budget}))
    from tests.e2e.conftest import serve_app  # the conftest's fixtures are built on this module

    try:
        with serve_app(app) as base:
            sender = WeChatPusher(
                base + "/wechat", token=TOKEN, appid=APPID, aes_key=config.wechat_aes_key, clock=runtime.clock
            )
            yield Webhook(base, app, runtime, sender)
    finally:
        edge.inbox.close()


@dataclass(frozen=True)
class School:
    code: str
    name: str
    inspector_number: str
    inspector_name: str
    inspector_phone: str


def seed_school(db: Database, code: str = "3607010001", number: str = "DX001") -> School:
    """One school in one zone, with its responsible inspector."""
    with db.session() as session:
        county = County(session)
        school = county.school(code, "城关第一小学", zone=county.zone("城关督学责任区"))
        county.assign(county.inspector(number, "王建国", "13800000001"), school)
    return School(code, "城关第一小学", number, "王建国", "13800000001")


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def deliver_all(worker: Runtime, templates: dict[str, str]) -> int:
    """What `dudao worker` does: send what is due, until nothing is left (at most ten rounds); none given up.
    Returns how many were sent."""
    sent = 0
    for _ in range(10):
        report = send_due(worker.db, worker.notifier, now=worker.clock.now(), templates=templates)
        sent += report.sent
        assert report.given_up == 0
        if report.claimed == 0:
            break
    return sent
