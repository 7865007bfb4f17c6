"""The webhook driven like WeChat drives it, over real HTTP: handshake, every push type, both modes, refusals."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from backend.clock import SettableClock
from backend.store.models import InboundDelivery, WechatIdentity
from bot.fake_wechat.pusher import Push
from messages import t
from tests.e2e.webhook_support import Stack, Webhook, running_webhook, seed_school

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["plaintext", "safe"])
def hook(request: pytest.FixtureRequest, stack: Stack) -> Iterator[Webhook]:
    with running_webhook(stack.db, stack.kv, safe=request.param == "safe") as running:
        yield running


def deliveries(hook: Webhook) -> int:
    with hook.runtime.db.session() as session:
        return session.scalar(select(func.count(InboundDelivery.id))) or 0


# --- the console's URL check ---


def test_handshake_answers_echostr_when_the_signature_checks(hook: Webhook) -> None:
    response = hook.sender.handshake("echo-42")
    assert response.status_code == 200
    assert response.text == "echo-42"


def test_handshake_with_a_forged_signature_is_refused(hook: Webhook) -> None:
    response = hook.sender.handshake("echo-42", token="not-our-token")
    assert response.status_code == 403
    assert "echo-42" not in response.text


# --- every push WeChat sends ---


def test_every_message_type_gets_its_answer(hook: Webhook) -> None:
    school = seed_school(hook.runtime.db)
    s = hook.sender
    public_help = t("bot.help.public")
    card = t("bot.scan.school", school=school.name, inspector=school.inspector_name, phone=school.inspector_phone)
    card += "\n\n" + t("privacy.bot.notice", url=f"{hook.runtime.config.public_url.rstrip('/')}/privacy")
    expected: list[tuple[str, Push, str | None]] = [
        ("text", s.text("o-parent", "你好"), public_help),
        ("text help", s.text("o-parent", "帮助"), public_help),
        ("image", s.image("o-parent"), public_help),
        ("voice recognised", s.voice("o-parent", recognition="帮助。"), public_help),
        ("voice unrecognised", s.voice("o-parent"), t("bot.voice.unrecognised")),
        ("video", s.video("o-parent"), public_help),
        ("shortvideo", s.video("o-parent", short=True), public_help),
        ("location", s.location("o-parent", label="城关镇"), public_help),
        ("link", s.link("o-parent"), public_help),
        ("subscribe", s.subscribe("o-new"), t("bot.welcome", help=public_help)),
        ("subscribe by scan", s.subscribe("o-scanner", scene=f"s:{school.code}"), card),
        ("scan", s.scan("o-parent", f"s:{school.code}"), card),
        ("scan of an old board", s.scan("o-parent", f"s:{school.code}:v1"), card),
        ("scan of an unknown code", s.scan("o-parent", "s:0000000000"), t("bot.scan.unknown")),
        ("click", s.click("o-parent", "public.help"), public_help),  # the menu's 使用说明: as the word 帮助
        ("click of an old menu", s.click("o-parent", "help"), t("menu.stale")),
        ("view", s.view("o-parent", "https://example.org/"), None),
        ("location event", s.location_event("o-parent"), None),
        ("template finished", s.template_finished("o-parent", 123456), None),
        ("unsubscribe", s.unsubscribe("o-new"), None),
    ]
    for label, push, reply in expected:
        answer = s.send(push)
        assert answer.status == 200, label
        if reply is None:
            assert answer.is_success, label
        else:
            assert answer.content == reply, label
            assert answer.fields["ToUserName"] == push.fields["FromUserName"], label
            assert answer.fields["MsgType"] == "text", label
    # the location event and the template callback are answered without touching the database
    assert deliveries(hook) == len(expected) - 2
    with hook.runtime.db.session() as session:
        scanner = session.scalars(select(WechatIdentity).where(WechatIdentity.openid == "o-scanner")).one()
        assert scanner.last_scanned_unit_id is not None
        assert scanner.last_inbound_at is None  # a scan is not a message: no 48 h window
        parent = session.scalars(select(WechatIdentity).where(WechatIdentity.openid == "o-parent")).one()
        assert parent.last_inbound_at is not None
        unfollowed = session.scalars(select(WechatIdentity).where(WechatIdentity.openid == "o-new")).one()
        assert not unfollowed.following


def test_a_reply_containing_cdata_end_stays_well_formed(hook: Webhook) -> None:
    from bot.handlers import Context
    from bot.replies import Reply
    from bot.router import ROUTES, Route, Router, keyword
    from bot.webhook import install

    def tricky(ctx: Context) -> Reply:
        return Reply.text("a]]>b<c>&d")

    install(hook.app, router=Router((Route("text", tricky, keyword("^tricky$")), *ROUTES)))
    assert hook.sender.send(hook.sender.text("o-1", "tricky")).content == "a]]>b<c>&d"


# --- refusals ---


def test_a_forged_signature_is_refused(hook: Webhook) -> None:
    forger = hook.sender_with(token="guessed-token")
    answer = hook.sender.send(forger.text("o-1", "你好"))
    assert answer.status == 403
    assert "Traceback" not in answer.body
    assert deliveries(hook) == 0


def test_an_old_timestamp_is_refused_as_a_replay(hook: Webhook) -> None:
    now = hook.runtime.clock.now()
    late = hook.sender_with(clock=SettableClock(now - timedelta(hours=1)))
    assert hook.sender.send(late.text("o-1", "你好")).status == 403
    early = hook.sender_with(clock=SettableClock(now + timedelta(hours=1)))
    assert hook.sender.send(early.text("o-1", "你好")).status == 403
    assert deliveries(hook) == 0


def test_a_nonce_replayed_with_another_body_is_refused(hook: Webhook) -> None:
    first = hook.sender.text("o-1", "你好")
    assert hook.sender.send(first).status == 200
    other = hook.sender.wrap(hook.sender.text("o-1", "别的").message, timestamp=first.params["timestamp"])
    forged = Push({**other.params, "nonce": first.params["nonce"], **_signatures(first)}, other.body, other.message)
    assert hook.sender.send(forged).status == 403
    # the very same request again is a retry, not a forgery: it gets the same answer
    assert hook.sender.send(first).status == 200
    assert deliveries(hook) == 1


def _signatures(push: Push) -> dict[str, str]:
    return {k: v for k, v in push.params.items() if k in ("signature", "msg_signature")}


def test_safe_mode_refuses_a_plaintext_push(stack: Stack) -> None:
    with running_webhook(stack.db, stack.kv, safe=True) as hook:
        plain = hook.sender_with(aes_key=None)
        assert hook.sender.send(plain.text("o-1", "你好")).status == 403


def test_a_ciphertext_for_another_account_is_refused(stack: Stack) -> None:
    with running_webhook(stack.db, stack.kv, safe=True) as hook:
        other_app = hook.sender_with(appid="wx-some-other-app")
        assert hook.sender.send(other_app.text("o-1", "你好")).status == 400
        assert deliveries(hook) == 0


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    "<xml><ToUserName>gh</ToUserName><FromUserName>o-1</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>&lol3;</Content><MsgId>1</MsgId></xml>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    "<xml><ToUserName>gh</ToUserName><FromUserName>o-1</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>2</MsgId></xml>"
)
DOCTYPE_ONLY = (
    '<?xml version="1.0"?><!DOCTYPE xml SYSTEM "http://127.0.0.1:1/dtd">'
    "<xml><ToUserName>gh</ToUserName><FromUserName>o-1</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>x</Content><MsgId>3</MsgId></xml>"
)
HOSTILE: dict[str, str | bytes] = {
    "billion laughs": BILLION_LAUGHS,
    "external entity": EXTERNAL_ENTITY,
    "doctype": DOCTYPE_ONLY,
    "not xml": "hello, world",
    "truncated": "<xml><ToUserName>gh</ToUserName><FromUser",
    "wrong root": "<root><MsgType>text</MsgType></root>",
    "missing fields": "<xml><ToUserName>gh</ToUserName><MsgType>text</MsgType></xml>",
    "message without MsgId": "<xml><ToUserName>gh</ToUserName><FromUserName>o-1</FromUserName>"
    "<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>x</Content></xml>",
    "bad CreateTime": "<xml><ToUserName>gh</ToUserName><FromUserName>o-1</FromUserName>"
    "<CreateTime>yesterday</CreateTime><MsgType>text</MsgType><MsgId>4</MsgId></xml>",
    "field twice": "<xml><ToUserName>gh</ToUserName><FromUserName>o-1</FromUserName><FromUserName>o-2"
    "</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><MsgId>5</MsgId></xml>",
    "invalid utf-8": b"<xml><ToUserName>gh</ToUserName><FromUserName>o-1</FromUserName><CreateTime>1</CreateTime>"
    b"<MsgType>text</MsgType><Content>\xff\xfe\xc3</Content><MsgId>6</MsgId></xml>",
    "empty": "",
}


def test_hostile_or_malformed_bodies_get_400_never_500(hook: Webhook) -> None:
    for label, body in HOSTILE.items():
        answer = hook.sender.send(hook.sender.wrap(body))
        assert answer.status == 400, label
        assert "Traceback" not in answer.body and "lol" not in answer.body and "root:" not in answer.body, label
    assert deliveries(hook) == 0


def test_a_10_mb_body_is_refused_without_being_read(hook: Webhook) -> None:
    push = hook.sender.text("o-1", "你好")
    url = urlsplit(hook.url)
    started = time.perf_counter()
    with socket.create_connection((url.hostname or "", url.port or 80), timeout=5) as conn:
        conn.sendall(
            f"POST /wechat?{urlencode(push.params)} HTTP/1.1\r\nHost: {url.netloc}\r\n"
            f"Content-Type: text/xml\r\nContent-Length: {10 * 1024 * 1024}\r\n\r\n".encode()
            + b"<xml>"
            + b"x" * 65536
        )
        status_line = conn.recv(4096).split(b"\r\n", 1)[0]
    elapsed = time.perf_counter() - started
    assert b" 413 " in status_line + b" "
    assert elapsed < 1.0


def test_a_body_over_the_limit_without_content_length_is_refused(hook: Webhook) -> None:
    push = hook.sender.text("o-1", "你好")

    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b"<!-- " + b"x" * 4096 + b" -->"

    response = hook.sender.http.post(hook.sender.url, params=push.params, data=chunks(), timeout=10)
    assert response.status_code == 413
