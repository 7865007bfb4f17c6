"""The database half of deduplication: one row per delivery, written with the handler's effect or not at all."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from backend.config import Config
from backend.kv import KV
from backend.services import deliveries
from backend.services.bot_desk import BotServices, Desk
from backend.store.db import Database
from backend.store.models import InboundDelivery, WechatIdentity


def rows(database: Database, model: type = InboundDelivery) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def services(database: Database, kv: KV) -> BotServices:
    return BotServices(database, kv, Config(database_url=database.url, secret_key="s"))


def test_a_delivery_is_claimed_once(database: Database) -> None:
    with database.session() as session:
        assert deliveries.claim(session, dedupe_key="msg:1", openid="o", msg_type="text") is not None
    with database.session() as session:
        assert deliveries.claim(session, dedupe_key="msg:1", openid="o", msg_type="text") is None
        assert deliveries.is_recorded(session, "msg:1")
    assert rows(database) == 1


def test_the_effect_and_the_record_commit_together(database: Database, kv: KV) -> None:
    def effect(desk: Desk) -> str:
        desk.touch(wrote=True)
        return '{"kind": "text", "content": "好"}'

    first = services(database, kv).deliver(dedupe_key="msg:2", openid="o-1", msg_type="text", work=effect)
    again = services(database, kv).deliver(dedupe_key="msg:2", openid="o-1", msg_type="text", work=effect)
    assert not first.duplicate and again.duplicate
    assert again.reply == first.reply
    assert rows(database) == 1 and rows(database, WechatIdentity) == 1


def test_a_failing_effect_leaves_no_record(database: Database, kv: KV) -> None:
    def failing(desk: Desk) -> str:
        desk.touch(wrote=True)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        services(database, kv).deliver(dedupe_key="msg:3", openid="o-1", msg_type="text", work=failing)
    assert rows(database) == 0 and rows(database, WechatIdentity) == 0


def test_concurrent_deliveries_of_one_key_run_the_effect_once(database: Database, kv: KV) -> None:
    effects: list[str] = []
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def effect(desk: Desk) -> str:
        desk.touch(wrote=True)
        effects.append(desk.openid)
        return '{"kind": "none"}'

    def attempt() -> None:
        barrier.wait()
        outcome = services(database, kv).deliver(dedupe_key="msg:4", openid="o-4", msg_type="text", work=effect)
        results.append(outcome.duplicate)

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(effects) == 1
    assert sorted(results) == [False, True, True, True]
    assert rows(database) == 1
