"""The gate's XML: repeated elements below the top level are lists (WeChat sends them so); repeats at the top,
name clashes and deep nesting are refused."""

from __future__ import annotations

import pytest

from bot.gate import Inbound, Malformed, parse_xml


def test_repeated_elements_below_the_top_are_lists_and_top_level_repeats_are_refused() -> None:
    head = b"<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
    photos = b"<SendPicsInfo><Count>2</Count><PicList><item><PicMd5Sum>a</PicMd5Sum></item>"
    photos += b"<item><PicMd5Sum>b</PicMd5Sum></item></PicList></SendPicsInfo>"
    fields = parse_xml(head + b"<MsgType>event</MsgType><Event>pic_sysphoto</Event>" + photos + b"</xml>")
    assert Inbound(fields).each("SendPicsInfo.PicList.item") == [{"PicMd5Sum": "a"}, {"PicMd5Sum": "b"}]
    assert Inbound(fields).get("SendPicsInfo.Count") == "2"
    for bad in (b"<MsgId>1</MsgId><MsgId>2</MsgId>", b"<A.B>1</A.B><A><B>2</B></A>", b"<a>" * 7 + b"</a>" * 7):
        with pytest.raises(Malformed):
            parse_xml(head + b"<MsgType>text</MsgType>" + bad + b"</xml>")
