"""The routing table: kind, keyword, conversation state and role pick the handler; nothing falls through."""

from __future__ import annotations

import pytest

from backend.domain.scenes import SchoolScene, parse_scene, school_scene
from bot.crypto import CryptoError, MessageCrypto, signature, signature_matches
from bot.gate import Inbound, Malformed, parse_xml, to_inbound
from bot.handlers import common, inspector, public, unit
from bot.replies import Reply, render
from bot.router import Router

router = Router()


def resolve(kind: str, text: str = "", role: str = "public", state: str | None = None) -> object:
    k, normalised = router.kind_and_text(kind, text)
    return router.resolve(k, normalised, role, state)[0]


@pytest.mark.parametrize(
    "text", ["绑定 123456", "绑定123456", "绑定１２３４５６", "绑定\u3000123 456", " 绑定 123456 "]
)
def test_bind_commands_in_every_spelling_go_to_binding(text: str) -> None:
    assert resolve("text", text) is common.bind_with_code


def test_keywords_route_the_same_for_every_role() -> None:
    for role in ("public", "inspector", "unit", "office"):
        assert resolve("text", "解绑", role) is common.unbind
        assert resolve("text", "帮助", role) is common.show_help
        assert resolve("text", "绑定", role) is common.ask_bind_code


def test_six_digits_bind_only_while_a_code_is_awaited() -> None:
    assert resolve("text", "123456", state=common.AWAITING_BIND_CODE) is common.bind_with_code
    assert resolve("text", "123456") is public.fallback


def test_unknown_input_gets_the_help_of_the_senders_role() -> None:
    assert resolve("text", "随便说点什么") is public.fallback
    assert resolve("link", role="inspector") is inspector.fallback
    assert resolve("link", role="unit") is unit.fallback
    assert resolve("location", role="nobody-knows") is public.fallback


def test_a_recognised_voice_message_routes_as_its_text() -> None:
    assert resolve("voice", "帮助。") is common.show_help
    assert resolve("voice", "") is common.voice_unrecognised


def test_events_route_by_kind_and_unknown_events_stay_silent() -> None:
    assert resolve("event:subscribe") is common.subscribed
    assert resolve("event:scan") is common.scanned
    assert resolve("event:unsubscribe") is common.unsubscribed
    assert resolve("event:view") is common.silent  # a menu link: the page opens, nothing to answer
    assert resolve("event:kf_close_session") is common.silent


def test_scenes_of_school_boards() -> None:
    assert parse_scene("s:3607010001") == SchoolScene("3607010001")
    assert parse_scene("s:3607010001:v3") == SchoolScene("3607010001", 3)
    assert parse_scene(school_scene("A-1", 2)) == SchoolScene("A-1", 2)
    for bad in ("", "s:", "x:1", "s:1:v", "s:1:vx", "s:" + "1" * 70, "s:a b"):
        assert parse_scene(bad) is None
    with pytest.raises(ValueError):
        school_scene("has space")


def test_scenes_come_from_subscribe_and_scan_events() -> None:
    base = {"ToUserName": "gh", "FromUserName": "o", "CreateTime": "1", "MsgType": "event"}
    assert Inbound({**base, "Event": "subscribe", "EventKey": "qrscene_s:1"}).scene == "s:1"
    assert Inbound({**base, "Event": "SCAN", "EventKey": "s:1"}).scene == "s:1"
    assert Inbound({**base, "Event": "subscribe", "EventKey": ""}).scene is None


def test_dedupe_keys_follow_wechat_retries() -> None:
    msg = to_inbound(
        parse_xml(
            b"<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><CreateTime>5"
            b"</CreateTime><MsgType>text</MsgType><MsgId>77</MsgId></xml>"
        )
    )
    assert msg.dedupe_key == "msg:o:77"  # the MsgId with its sender (two users may share one)
    event = to_inbound(
        parse_xml(
            b"<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><CreateTime>5"
            b"</CreateTime><MsgType>event</MsgType><Event>CLICK</Event><EventKey>k</EventKey>"
            b"</xml>"
        )
    )
    assert event.dedupe_key == "evt:o:5:click:k"
    with pytest.raises(Malformed):
        to_inbound({"ToUserName": "g", "FromUserName": "o", "CreateTime": "5", "MsgType": "event"})


def test_crypto_round_trip_and_strict_checks() -> None:
    key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
    crypto = MessageCrypto("tok", key, "wx-app")
    sealed = crypto.encrypt("<xml>你好</xml>")
    assert crypto.decrypt(sealed) == "<xml>你好</xml>"
    with pytest.raises(CryptoError):
        MessageCrypto("tok", key, "wx-other").decrypt(sealed)
    with pytest.raises(CryptoError):
        crypto.decrypt(sealed[:-8] + "AAAAAAA=")
    with pytest.raises(CryptoError):
        crypto.decrypt("not base64!")
    assert signature_matches(("tok", "1", "n"), signature("n", "1", "tok"))
    assert not signature_matches(("tok", "1", "n"), "0" * 40)


def test_replies_render_as_wechat_text_or_success() -> None:
    xml = render(Reply.text("a]]>b"), to_user="o", from_user="gh", now=1)
    assert parse_xml(xml.encode())["Content"] == "a]]>b"
    assert render(Reply.nothing(), to_user="o", from_user="gh", now=1) == "success"
    assert render(Reply.deferred(), to_user="o", from_user="gh", now=1) == "success"
    assert Reply.loads(Reply.text("好").dumps()) == Reply.text("好")
