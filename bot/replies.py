"""Passive replies: what a handler answers, how it is stored for retries, and its XML.

wechatpy's `TextReply` wraps content in CDATA without escaping, so a text containing `]]>` would break the XML;
here CDATA sections are split where needed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

SUCCESS = "success"  # WeChat's "no reply, do not retry"
MAX_TEXT_BYTES = 2048  # WeChat's limit for a passive text reply


@dataclass(frozen=True)
class Reply:
    """`text` with content; `none` (answer `success`); `deferred` (the reply went to the outbox)."""

    kind: str
    content: str = ""

    @classmethod
    def text(cls, content: str) -> Reply:
        return cls("text", content)

    @classmethod
    def nothing(cls) -> Reply:
        return cls("none")

    @classmethod
    def deferred(cls) -> Reply:
        return cls("deferred")

    @property
    def is_text(self) -> bool:
        return self.kind == "text"

    def dumps(self) -> str:
        """Kept with the delivery, so that a retry gets the same answer."""
        return json.dumps({"kind": self.kind, "content": self.content}, ensure_ascii=False)

    @classmethod
    def loads(cls, stored: str | None) -> Reply:
        if not stored:
            return cls.nothing()
        data = json.loads(stored)
        return cls(str(data.get("kind", "none")), str(data.get("content", "")))


def cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def clip(content: str, limit: int = MAX_TEXT_BYTES) -> str:
    """Cut a text to WeChat's byte limit without splitting a character."""
    raw = content.encode()
    if len(raw) <= limit:
        return content
    return raw[: limit - 3].decode("utf-8", "ignore") + "…"


def render(reply: Reply, *, to_user: str, from_user: str, now: int) -> str:
    """The XML body of a passive reply, or `success` when there is nothing to say."""
    if not reply.is_text or not reply.content:
        return SUCCESS
    return (
        f"<xml><ToUserName>{cdata(to_user)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{now}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(clip(reply.content))}</Content></xml>"
    )
