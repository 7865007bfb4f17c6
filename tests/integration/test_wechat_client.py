"""The outbound WeChat client against the fake WeChat API server, with the real key-value stores."""

from __future__ import annotations

import threading
import time

import pytest

from backend.kv import KV, MemoryKV, RedisKV
from backend.notify import FallBack, GiveUp, Outcome, RetryLater
from bot.fake_wechat import RunningFakeWeChat
from bot.wechat import SharedToken, WeChatClient

pytest_plugins = ["tests.fake_wechat_fixture"]  # the fake_wechat fixtures

USER = "o_parent_0001"
CUSTOM = "/cgi-bin/message/custom/send"


def client_for(fake: RunningFakeWeChat, kv: KV | None, **kwargs: object) -> WeChatClient:
    options: dict[str, object] = {"timeout": (1.0, 2.0), "busy_backoff": 0.05}
    options.update(kwargs)
    return WeChatClient(fake.appid, fake.secret, api_base=fake.base_url, kv=kv, **options)  # type: ignore[arg-type]


def calls(fake: RunningFakeWeChat, path: str) -> int:
    return int(fake.stats()["calls"].get(path, 0))


def test_the_token_is_fetched_once_and_shared_through_the_store(fake_wechat: RunningFakeWeChat, kv: KV) -> None:
    fake_wechat.interact(USER)
    first, second = client_for(fake_wechat, kv), client_for(fake_wechat, kv)  # two "processes" on one store
    first.send_text(USER, "您好，您的留言已收到。")
    second.send_text(USER, "督学会尽快核实。")

    assert fake_wechat.stats()["stable_token_calls"] == 1
    cached = kv.get(f"wechat:access-token:{fake_wechat.appid}")
    used = {r["args"]["access_token"] for r in fake_wechat.requests(CUSTOM)}
    assert used == {cached}
    assert [m["body"]["text"]["content"] for m in fake_wechat.sent(USER)] == [
        "您好，您的留言已收到。",
        "督学会尽快核实。",
    ]


def test_the_cached_token_is_kept_only_until_it_is_due_for_refresh(fake_wechat: RunningFakeWeChat, kv: KV) -> None:
    client_for(fake_wechat, kv).token.get()
    remaining = kv.ttl(f"wechat:access-token:{fake_wechat.appid}")
    assert remaining is not None and 7200 - 300 - 5 <= remaining <= 7200 - 300


def test_concurrent_threads_make_one_token_call(fake_wechat: RunningFakeWeChat, kv: KV) -> None:
    clients = [client_for(fake_wechat, kv) for _ in range(8)]
    barrier = threading.Barrier(len(clients))
    tokens: list[str] = []

    def ask(client: WeChatClient) -> None:
        barrier.wait()
        tokens.append(client.token.get())

    threads = [threading.Thread(target=ask, args=(c,)) for c in clients]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(set(tokens)) == 1 and len(tokens) == 8
    assert fake_wechat.stats()["stable_token_calls"] == 1


@pytest.mark.parametrize("break_token", ["invalidate_token", "expire_token"])
def test_a_refused_token_is_replaced_and_the_call_retried_once(
    fake_wechat: RunningFakeWeChat, kv: KV, break_token: str
) -> None:
    fake_wechat.interact(USER)
    client = client_for(fake_wechat, kv)
    client.send_text(USER, "第一条")
    getattr(fake_wechat, break_token)()  # 40001 or 42001 for the cached token

    client.send_text(USER, "第二条")

    assert fake_wechat.stats()["stable_token_calls"] == 2
    assert calls(fake_wechat, CUSTOM) == 3  # ok, refused, ok
    assert len(fake_wechat.sent(USER)) == 2


def test_a_token_refused_twice_is_not_retried_again(fake_wechat: RunningFakeWeChat, kv: KV) -> None:
    fake_wechat.interact(USER)
    client = client_for(fake_wechat, kv)
    fake_wechat.fail(CUSTOM, errcode=40001, count=5)

    with pytest.raises(RetryLater) as caught:
        client.send_text(USER, "x")

    assert caught.value.code == 40001
    assert calls(fake_wechat, CUSTOM) == 2
    assert fake_wechat.stats()["stable_token_calls"] == 2


def test_a_stale_failure_does_not_drop_a_newer_token(kv: KV) -> None:
    issued = iter(["old", "new"])
    token = SharedToken(kv, "wx1", lambda: (next(issued), 7200.0))
    assert token.get() == "old"
    kv.set("wechat:access-token:wx1", "new", ttl=100)  # another process refreshed meanwhile

    token.invalidate("old")  # our call with "old" failed late

    assert token.get() == "new"


def test_system_busy_is_retried_with_backoff(fake_wechat: RunningFakeWeChat, kv: KV) -> None:
    fake_wechat.interact(USER)
    client = client_for(fake_wechat, kv, busy_backoff=0.1)
    client.token.get()
    fake_wechat.fail(CUSTOM, errcode=-1, count=2)

    started = time.monotonic()
    client.send_text(USER, "稍后送达")

    assert time.monotonic() - started >= 0.1 + 0.2  # backed off 0.1 s, then 0.2 s
    assert calls(fake_wechat, CUSTOM) == 3
    assert len(fake_wechat.sent(USER)) == 1


def test_system_busy_beyond_the_bound_is_left_for_later(fake_wechat: RunningFakeWeChat, kv: KV) -> None:
    fake_wechat.interact(USER)
    client = client_for(fake_wechat, kv, busy_retries=2, busy_backoff=0.01)
    fake_wechat.fail(CUSTOM, errcode=-1, count=10)

    with pytest.raises(RetryLater) as caught:
        client.send_text(USER, "x")

    assert caught.value.code == -1 and caught.value.outcome is Outcome.RETRY
    assert calls(fake_wechat, CUSTOM) == 3


def test_a_slow_answer_times_out_quickly_as_retry(fake_wechat: RunningFakeWeChat, kv: KV) -> None:
    fake_wechat.interact(USER)
    client = client_for(fake_wechat, kv, timeout=(1.0, 0.3))
    client.token.get()
    fake_wechat.fail(CUSTOM, delay=1.5)

    started = time.monotonic()
    with pytest.raises(RetryLater) as caught:
        client.send_text(USER, "x")

    assert time.monotonic() - started < 1.0
    assert "timed out" in str(caught.value)


def test_a_server_error_is_retry(fake_wechat: RunningFakeWeChat, kv: KV) -> None:
    fake_wechat.interact(USER)
    fake_wechat.fail(CUSTOM, status=502)
    with pytest.raises(RetryLater):
        client_for(fake_wechat, kv).send_text(USER, "x")


def test_the_quota_is_retry_later(fake_wechat: RunningFakeWeChat, kv: KV) -> None:
    fake_wechat.interact(USER)
    fake_wechat.fail(CUSTOM, errcode=45009)
    with pytest.raises(RetryLater) as caught:
        client_for(fake_wechat, kv).send_text(USER, "x")
    assert caught.value.code == 45009


def test_outside_the_48_hour_window_is_fallback(fake_wechat: RunningFakeWeChat, kv: KV) -> None:
    client = client_for(fake_wechat, kv)
    with pytest.raises(FallBack) as never:
        client.send_text(USER, "x")
    assert never.value.code == 45015 and never.value.outcome is Outcome.FALLBACK

    fake_wechat.interact(USER)
    fake_wechat.advance_clock(48 * 3600 + 60)
    with pytest.raises(FallBack) as late:
        client.send_text(USER, "x")
    assert late.value.code == 45015
    assert fake_wechat.sent(USER) == []


def test_more_than_five_messages_since_the_last_interaction_is_fallback(fake_wechat: RunningFakeWeChat, kv: KV) -> None:
    fake_wechat.interact(USER)
    client = client_for(fake_wechat, kv)
    for n in range(5):
        client.send_text(USER, f"第{n + 1}条")
    with pytest.raises(FallBack) as caught:
        client.send_text(USER, "第六条")
    assert caught.value.code == 45047
    fake_wechat.interact(USER)  # the user writes again: the count starts over
    client.send_text(USER, "第六条")
    assert len(fake_wechat.sent(USER)) == 6


def test_a_user_who_does_not_follow_is_give_up(fake_wechat: RunningFakeWeChat, kv: KV) -> None:
    fake_wechat.interact(USER)
    fake_wechat.set_following(USER, False)
    client = client_for(fake_wechat, kv)
    with pytest.raises(GiveUp) as caught:
        client.send_text(USER, "x")
    assert caught.value.code == 43004 and caught.value.outcome is Outcome.GIVE_UP
    with pytest.raises(GiveUp) as template:
        client.send_template(USER, "tpl", {"thing1": "x"})
    assert template.value.code == 43004


def test_a_bad_openid_is_give_up(fake_wechat: RunningFakeWeChat, kv: KV) -> None:
    with pytest.raises(GiveUp) as caught:
        client_for(fake_wechat, kv).send_template("not an openid!", "tpl", {"thing1": "x"})
    assert caught.value.code == 40003


def test_a_template_repeat_with_the_same_client_msg_id_is_dropped(fake_wechat: RunningFakeWeChat, kv: KV) -> None:
    client = client_for(fake_wechat, kv)
    data = {"character_string1": "R-2024-001", "thing2": "城关第一小学"}
    first = client.send_template(USER, "tpl-rect", data, url="http://example.test/r/1", client_msg_id="rect:1:issued")
    again = client.send_template(USER, "tpl-rect", data, url="http://example.test/r/1", client_msg_id="rect:1:issued")
    other = client.send_template(USER, "tpl-rect", data, client_msg_id="rect:1:due")

    assert first == again != other
    received = fake_wechat.sent(USER)
    assert len(received) == 2
    assert received[0]["body"]["data"]["thing2"] == {"value": "城关第一小学"}
    assert received[0]["body"]["url"] == "http://example.test/r/1"


def test_a_permanent_qr_url_is_stable_per_scene(fake_wechat: RunningFakeWeChat, kv: KV) -> None:
    client = client_for(fake_wechat, kv)
    first = client.create_permanent_qr("s:3301020001")
    again = client.create_permanent_qr("s:3301020001")
    other = client.create_permanent_qr("s:3301020002")

    assert first.url == again.url and first.ticket == again.ticket
    assert first.url != other.url
    assert first.url.startswith("http://weixin.qq.com/q/") and first.expire_seconds is None
    body = fake_wechat.requests("/cgi-bin/qrcode/create")[0]["body"]
    assert body == {"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": "s:3301020001"}}}
    with pytest.raises(ValueError):
        client.create_permanent_qr("x" * 65)
    with pytest.raises(ValueError):
        client.create_permanent_qr("")


def test_media_round_trip(fake_wechat: RunningFakeWeChat, kv: KV) -> None:
    client = client_for(fake_wechat, kv)
    photo = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40
    media_id = client.upload_media("image", photo, "board.jpg", "image/jpeg")

    got = client.download_media(media_id)
    assert got.content == photo and got.content_type == "image/jpeg" and got.filename == "board.jpg"

    voice_id = fake_wechat.seed_media(b"#!AMR\n voice", "audio/amr", "v.amr")
    voice = client.download_media(voice_id)
    assert voice.content == b"#!AMR\n voice" and voice.content_type == "audio/amr"

    fake_wechat.advance_clock(3 * 24 * 3600 + 1)  # WeChat keeps temporary media 3 days
    with pytest.raises(GiveUp) as caught:
        client.download_media(voice_id)
    assert caught.value.code == 40007


def test_an_image_message_carries_the_media_id(fake_wechat: RunningFakeWeChat, kv: KV) -> None:
    fake_wechat.interact(USER, kind="event")  # a scan opens a 1-minute window for 3 messages
    client = client_for(fake_wechat, kv)
    media_id = client.upload_media("image", b"png", "qr.png", "image/png")
    client.send_image(USER, media_id)
    assert fake_wechat.sent(USER)[0]["body"]["image"] == {"media_id": media_id}


def test_every_call_goes_to_the_configured_base(fake_wechat: RunningFakeWeChat) -> None:
    client = client_for(fake_wechat, MemoryKV())
    client.create_permanent_qr("s:1")
    assert fake_wechat.stats()["calls"] == {"/cgi-bin/stable_token": 1, "/cgi-bin/qrcode/create": 1}


def test_without_the_store_the_client_still_works(fake_wechat: RunningFakeWeChat) -> None:
    down = RedisKV("redis://127.0.0.1:1/0")
    fake_wechat.interact(USER)
    client = client_for(fake_wechat, down)
    client.send_text(USER, "一")
    client.send_text(USER, "二")
    assert len(fake_wechat.sent(USER)) == 2
    assert fake_wechat.stats()["stable_token_calls"] == 1  # kept in the process meanwhile


def test_a_wrong_secret_is_retry_later_not_a_crash(fake_wechat: RunningFakeWeChat) -> None:
    client = WeChatClient(fake_wechat.appid, "wrong", api_base=fake_wechat.base_url, kv=MemoryKV(), timeout=(1, 2))
    with pytest.raises(RetryLater) as caught:
        client.create_permanent_qr("s:1")
    assert caught.value.code == 40125
    with pytest.raises(RetryLater):
        client.create_permanent_qr("s:1")
    assert fake_wechat.stats()["stable_token_calls"] == 1  # the refusal is remembered for a while, not asked again
