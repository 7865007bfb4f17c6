"""One log line per push, through the worker's outbox job: the row's id, its kind and notice, how it ended, the
attempt (and WeChat's errcode); never the openid or the text."""

from __future__ import annotations

import logging
import re

import pytest

from backend.app import wire_notifier
from backend.config import Config
from backend.jobs.outbox_sender import send_outbox
from backend.kv import MemoryKV
from backend.runtime import Runtime
from backend.services.outbox import enqueue
from backend.store.db import Database
from bot.fake_wechat import RunningFakeWeChat

pytest_plugins = ["tests.fake_wechat_fixture"]

FOLLOWER = "oPushLogFollower000000000001"
GONE = "oPushLogUnfollowed0000000001"
BUSY = "oPushLogBusyUser000000000001"
TEXT = "城关第一小学：食堂留样记录不全，请于2026年12月4日前整改，联系人13800000001。"


def _enqueue(database: Database, openid: str, notice: str, key: str) -> None:
    with database.session() as session:
        enqueue(session, openid=openid, kind="text", notice=notice, payload={"content": TEXT}, dedupe_key=key)


def test_each_push_is_one_line_with_ids_and_outcomes_and_nothing_personal(
    database: Database, fake_wechat: RunningFakeWeChat, caplog: pytest.LogCaptureFixture
) -> None:
    for openid in (FOLLOWER, GONE, BUSY):
        fake_wechat.interact(openid)
    fake_wechat.set_following(GONE, False)
    _enqueue(database, FOLLOWER, "rectification_issued", "push-log:1")
    _enqueue(database, GONE, "rectification_issued", "push-log:2")
    config = fake_wechat.configure(Config(database_url=database.url))
    runtime = wire_notifier(Runtime(config=config, db=database, kv=MemoryKV()))
    with caplog.at_level(logging.INFO):
        report = send_outbox(runtime)
        assert report is not None and (report.sent, report.given_up) == (1, 1)
        # WeChat busy (-1) more often than the client retries by itself: the row waits for its next attempt
        fake_wechat.fail("/cgi-bin/message/custom/send", errcode=-1, count=5)
        _enqueue(database, BUSY, "concern_answered", "push-log:3")
        retried = send_outbox(runtime)
        assert retried is not None and retried.retried == 1
    runtime.close()

    lines = [r for r in caplog.records if r.name == "dudao.push"]
    texts = [r.getMessage() for r in lines]
    assert len(lines) == 3, texts
    assert re.fullmatch(r"push \d+ text rectification_issued sent attempt 1", texts[0]), texts
    assert re.fullmatch(r"push \d+ text rectification_issued given_up attempt 1 errcode 43004", texts[1]), texts
    assert lines[1].levelno == logging.WARNING and lines[0].levelno == logging.INFO
    assert re.fullmatch(r"push \d+ text concern_answered retry attempt 1 errcode -1", texts[2]), texts
    everything = caplog.text
    for secret in (FOLLOWER, GONE, BUSY, TEXT, "13800000001", "食堂留样"):
        assert secret not in everything
