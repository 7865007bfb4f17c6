"""Several worker processes share one access token through Redis: one token call, however many ask at once."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from backend.kv import KV, RedisKV
from bot.fake_wechat import RunningFakeWeChat

pytest_plugins = ["tests.fake_wechat_fixture"]  # the fake_wechat fixtures
pytestmark = pytest.mark.e2e

USER = "o_parent_0042"

# one worker process: waits for the common start instant, then asks for a token (or sends a text)
WORKER = """
import sys, time
from backend.kv import RedisKV
from bot.wechat import WeChatClient

base, appid, secret, redis_url, prefix, start_at, action = sys.argv[1:8]
kv = RedisKV(redis_url, prefix=prefix) if redis_url != "-" else None
client = WeChatClient(appid, secret, api_base=base, kv=kv, timeout=(2, 5))
while time.monotonic() < float(start_at):  # CLOCK_MONOTONIC is one clock for every process
    time.sleep(0.001)
if action == "send":
    client.send_text(sys.argv[8], "process " + str(sys.argv[9]))
print(client.token.get())
"""


def run_workers(fake: RunningFakeWeChat, kv: RedisKV | None, count: int, action: str = "token") -> list[str]:
    """`count` processes at once, sharing `kv` (None: each on its own, as without Redis); their tokens."""
    start_at = time.monotonic() + 3.0  # after every interpreter has started and imported
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                fake.base_url,
                fake.appid,
                fake.secret,
                os.environ["DUDAO_TEST_REDIS_URL"] if kv is not None else "-",
                kv.prefix if kv is not None else "-",
                str(start_at),
                action,
                USER,
                str(n),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(count)
    ]
    tokens = []
    for process in processes:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        tokens.append(out.strip())
    return tokens


@pytest.fixture
def redis_kv(kv: KV) -> RedisKV:
    if not isinstance(kv, RedisKV):
        pytest.skip("processes share a token only through Redis")
    return kv


def test_processes_asking_at_once_make_one_token_call(fake_wechat: RunningFakeWeChat, redis_kv: RedisKV) -> None:
    fake_wechat.fail("/cgi-bin/stable_token", delay=0.5)  # a slow token call: the others must wait, not call too

    tokens = run_workers(fake_wechat, redis_kv, 3)

    assert len(set(tokens)) == 1
    assert fake_wechat.stats()["stable_token_calls"] == 1


def test_processes_recover_from_a_refused_token_with_one_new_token(
    fake_wechat: RunningFakeWeChat, redis_kv: RedisKV
) -> None:
    fake_wechat.interact(USER)
    run_workers(fake_wechat, redis_kv, 1)
    fake_wechat.invalidate_token()  # e.g. someone refreshed it from the WeChat console tool

    tokens = run_workers(fake_wechat, redis_kv, 3, action="send")

    assert len(set(tokens)) == 1
    assert fake_wechat.stats()["stable_token_calls"] == 2
    assert sorted(m["body"]["text"]["content"] for m in fake_wechat.sent(USER)) == [f"process {n}" for n in range(3)]


def test_processes_without_a_shared_store_get_one_stable_token_and_do_not_invalidate_each_other(
    fake_wechat: RunningFakeWeChat,
) -> None:
    fake_wechat.interact(USER)

    tokens = run_workers(fake_wechat, None, 3)  # three processes, no Redis: no cache in common

    assert len(set(tokens)) == 1  # stable_token in normal mode: the same token for every caller
    assert fake_wechat.stats()["stable_token_calls"] == 3 and fake_wechat.stats()["token_calls"] == 0
    fake_wechat.advance_clock(600)  # past the 5 minutes an older token would have kept after a refresh
    tokens_later = run_workers(fake_wechat, None, 2, action="send")
    assert tokens_later == tokens[:2]
    refused = [
        r for r in fake_wechat.requests("/cgi-bin/message/custom/send") if r["args"]["access_token"] != tokens[0]
    ]
    assert refused == [] and len(fake_wechat.sent(USER)) == 2
