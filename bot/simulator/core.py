"""The simulator's core: WeChat users talking to a `/wechat` URL exactly as WeChat's servers relay them.

`Simulator` sends (signed, and encrypted in safe mode, by `bot.fake_wechat.pusher`) and reads the passive reply. With a
fake WeChat API beside it, it also plays the user's side of WeChat: each message first records an interaction
(the customer-service window opens), a picture is put in the media store before its MediaId is sent, and what the
fake delivered to a user (customer-service and template messages) can be read back. No tty, no Flask: the
terminal chat and the /sim page both drive it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from backend.domain.scenes import school_scene
from bot.fake_wechat import FakeWeChatControl
from bot.fake_wechat.pusher import Push, WeChatPusher
from messages import t


class NeedsFakeApi(RuntimeError):
    """The command needs the fake WeChat API (a picture's media store, the pushes), and none is configured."""


@dataclass(frozen=True)
class Exchange:
    """One message sent and what the account answered."""

    sent: str  # how the message reads in a transcript
    reply: str | None  # the passive reply's text; None when the account answered nothing (`success`)
    status: int
    error: str = ""  # set when the request failed (HTTP error, connection refused)

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class Delivered:
    """A message the fake WeChat API delivered to a user (customer service or template)."""

    msgid: int
    kind: str  # `text`, `image`, `template`, ...
    text: str  # readable form

    @property
    def label(self) -> str:
        key = f"sim.push.{self.kind}"
        return t(key if key in _PUSH_KINDS else "sim.push.other")


_PUSH_KINDS = {"sim.push.text", "sim.push.image", "sim.push.template"}


def describe_delivery(sent: Mapping[str, Any]) -> Delivered:
    """A delivery as recorded by the fake API (`{"type", "body", "msgid", ...}`), in readable form."""
    kind, body = str(sent.get("type", "")), sent.get("body") or {}
    if kind == "text":
        text = str((body.get("text") or {}).get("content", ""))
    elif kind == "image":
        text = t("sim.push.image_body", media_id=(body.get("image") or {}).get("media_id", ""))
    elif kind == "template":
        data = body.get("data") or {}
        fields = "\n".join(f"{key}：{(value or {}).get('value', '')}" for key, value in data.items())
        text = t("sim.push.template_body", template_id=body.get("template_id", ""), fields=fields)
        if body.get("url"):
            text += f"\n{body['url']}"
    else:
        text = str(body)
    return Delivered(int(sent.get("msgid", 0)), kind, text)


class Simulator:
    """WeChat users sending to one account's /wechat URL; thread-safe (the /sim page serves three phones)."""

    def __init__(self, sender: WeChatPusher, fake: FakeWeChatControl | None = None) -> None:
        self.sender, self.fake = sender, fake
        self._lock = threading.Lock()
        self._scanned: set[str] = set()  # users who followed through a scan: their next scans are SCAN events
        self._shown: dict[str, int] = {}  # per user: how many deliveries `new_pushes` has already returned

    @property
    def safe_mode(self) -> bool:
        return self.sender.crypto is not None

    # --- sending ---------------------------------------------------------------------------------------------

    def say(self, openid: str, text: str) -> Exchange:
        return self._send(openid, self.sender.text(openid, text), text)

    def voice(self, openid: str, recognition: str) -> Exchange:
        push = self.sender.voice(openid, recognition=recognition)
        return self._send(openid, push, t("sim.sent.voice", text=recognition))

    def location(self, openid: str, lat: float, lon: float, label: str = "") -> Exchange:
        push = self.sender.location(openid, lat=lat, lng=lon, label=label)
        return self._send(openid, push, t("sim.sent.location", lat=lat, lon=lon))

    def scan(self, openid: str, school_code: str) -> Exchange:
        """The board's QR code: `subscribe` with `qrscene_` the first time, a `SCAN` event after."""
        scene = school_scene(school_code)
        with self._lock:
            first = openid not in self._scanned
            self._scanned.add(openid)
        push = self.sender.subscribe(openid, scene) if first else self.sender.scan(openid, scene)
        if first and self.fake is not None:
            self.fake.set_following(openid, True)
        return self._send(openid, push, t("sim.sent.scan", code=school_code), event=True)

    def click(self, openid: str, key: str, name: str = "") -> Exchange:
        """A menu button of type click: WeChat sends a CLICK event with the button's key."""
        return self._send(openid, self.sender.click(openid, key), t("menu.sim.clicked", name=name or key), event=True)

    def view(self, openid: str, url: str, name: str = "") -> Exchange:
        """A menu link: WeChat opens the page and sends a VIEW event (nothing is answered)."""
        return self._send(openid, self.sender.view(openid, url), t("menu.sim.viewed", name=name or url), event=True)

    def menu(self, openid: str) -> list[dict[str, Any]] | None:
        """The menu WeChat shows `openid` (by their tags); None without a fake API or without menus."""
        if self.fake is None:
            return None
        buttons = self.fake.menu_of(openid).get("button")
        return list(buttons) if isinstance(buttons, list) else None

    def image(self, openid: str, content: bytes, content_type: str = "image/jpeg", name: str = "") -> Exchange:
        """A picture: stored in the fake's media store first, so the bot can fetch it by its MediaId."""
        if self.fake is None:
            raise NeedsFakeApi
        media_id = self.fake.seed_media(content, content_type, name or "picture.jpg")
        push = self.sender.image(openid, media_id=media_id)
        return self._send(openid, push, t("sim.sent.image", name=name or media_id))

    def _send(self, openid: str, push: Push, sent: str, *, event: bool = False) -> Exchange:
        if self.fake is not None:
            # as WeChat would: the user's action opens the customer-service window before the push reaches us
            self.fake.interact(openid, kind="event" if event else "message")
        try:
            answer = self.sender.send(push)
        except requests.RequestException as exc:
            return Exchange(sent, None, 0, t("sim.chat.unreachable", url=self.sender.url, error=exc))
        if answer.status != 200:
            return Exchange(sent, None, answer.status, t("sim.chat.http_error", status=answer.status, body=answer.body))
        return Exchange(sent, None if answer.is_success else answer.content, answer.status)

    # --- what WeChat delivered -------------------------------------------------------------------------------

    def pushes(self, openid: str) -> list[Delivered]:
        """Everything the fake API delivered to `openid`, oldest first."""
        if self.fake is None:
            raise NeedsFakeApi
        return [describe_delivery(sent) for sent in self.fake.sent(openid)]

    def new_pushes(self, openid: str) -> list[Delivered]:
        """What was delivered to `openid` since the last call (nothing without a fake API)."""
        if self.fake is None:
            return []
        delivered = self.pushes(openid)
        with self._lock:
            shown = self._shown.get(openid, 0)
            self._shown[openid] = len(delivered)
        return delivered[shown:]
