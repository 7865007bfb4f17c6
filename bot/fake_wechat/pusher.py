"""Pushes built exactly as the WeChat server builds them, and sent to a /wechat URL.

Signed with the token, and in safe mode encrypted with `msg_signature`, for every message type and event.
Used by the tests, by the simulator (`dudao chat`) and by the webhook benchmark:

    pusher = WeChatPusher("http://127.0.0.1:5000/wechat", token="t", appid="wx1", aes_key=None)
    answer = pusher.send(pusher.text("o-user", "你好"))
    answer.content  # the passive reply's text ("" for `success`)
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import requests

from backend.clock import Clock, SystemClock
from backend.clock import timestamp as timestamp_of
from bot.crypto import MessageCrypto, signature, signature_matches
from bot.gate import parse_xml
from bot.replies import SUCCESS, cdata


@dataclass(frozen=True)
class Push:
    """One HTTP request of WeChat's: query parameters and body, plus the plaintext message inside."""

    params: dict[str, str]
    body: bytes
    message: str
    fields: Mapping[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    """What the webhook answered, with a safe-mode reply already verified and decrypted."""

    status: int
    body: str
    fields: dict[str, str]
    elapsed: float

    @property
    def content(self) -> str:
        return self.fields.get("Content", "")

    @property
    def is_success(self) -> bool:
        """WeChat's "nothing to say": `success` or an empty body."""
        return self.status == 200 and self.body.strip() in ("", SUCCESS)


class ReplyRejected(AssertionError):
    """The webhook's reply would not pass WeChat's own checks (bad signature or envelope)."""


def to_xml(fields: Mapping[str, str | int]) -> str:
    parts = [f"<{k}>{v}</{k}>" if isinstance(v, int) else f"<{k}>{cdata(v)}</{k}>" for k, v in fields.items()]
    return "<xml>" + "".join(parts) + "</xml>"


class WeChatPusher:
    """Plays the WeChat server for one official account."""

    def __init__(
        self,
        url: str,
        *,
        token: str,
        appid: str = "",
        aes_key: str | None = None,
        account: str = "gh_dudao",
        timeout: float = 10.0,
        http: requests.Session | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.url, self.token, self.account, self.timeout = url, token, account, timeout
        self.clock: Clock = clock or SystemClock()
        self.crypto = MessageCrypto(token, aes_key, appid) if aes_key else None
        self.http = http or requests.Session()
        self._msg_ids = itertools.count(int(self.clock.now().timestamp() * 1000) * 1000 + secrets.randbelow(1000))

    # --- building ------------------------------------------------------------------------------------------

    def next_msg_id(self) -> int:
        return next(self._msg_ids)

    def _message(self, openid: str, msg_type: str, msg_id: int | None, **extra: str | int) -> Push:
        fields: dict[str, str | int] = {
            "ToUserName": self.account,
            "FromUserName": openid,
            "CreateTime": timestamp_of(self.clock),
            "MsgType": msg_type,
            **extra,
            "MsgId": msg_id if msg_id is not None else self.next_msg_id(),
        }
        return self.wrap(to_xml(fields), fields=fields)

    def text(self, openid: str, content: str, *, msg_id: int | None = None) -> Push:
        return self._message(openid, "text", msg_id, Content=content)

    def image(self, openid: str, *, media_id: str = "media-image", pic_url: str = "http://mmbiz/x.jpg") -> Push:
        return self._message(openid, "image", None, PicUrl=pic_url, MediaId=media_id)

    def voice(self, openid: str, *, media_id: str = "media-voice", recognition: str | None = None) -> Push:
        extra: dict[str, str | int] = {"MediaId": media_id, "Format": "amr"}
        if recognition is not None:
            extra["Recognition"] = recognition
        return self._message(openid, "voice", None, **extra)

    def video(self, openid: str, *, media_id: str = "media-video", short: bool = False) -> Push:
        return self._message(openid, "shortvideo" if short else "video", None, MediaId=media_id, ThumbMediaId="t1")

    def location(self, openid: str, *, lat: float = 31.2304, lng: float = 121.4737, label: str = "") -> Push:
        return self._message(openid, "location", None, Location_X=str(lat), Location_Y=str(lng), Scale=15, Label=label)

    def link(self, openid: str, *, title: str = "链接", url: str = "https://example.org/") -> Push:
        return self._message(openid, "link", None, Title=title, Description=title, Url=url)

    def event(self, openid: str, event: str, key: str | None = None, **extra: str | int) -> Push:
        fields: dict[str, str | int] = {
            "ToUserName": self.account,
            "FromUserName": openid,
            "CreateTime": timestamp_of(self.clock),
            "MsgType": "event",
            "Event": event,
        }
        if key is not None:
            fields["EventKey"] = key
        fields.update(extra)
        return self.wrap(to_xml(fields), fields=fields)

    def subscribe(self, openid: str, scene: str | None = None) -> Push:
        if scene is None:
            return self.event(openid, "subscribe", "")
        return self.event(openid, "subscribe", f"qrscene_{scene}", Ticket="ticket-" + scene)

    def unsubscribe(self, openid: str) -> Push:
        return self.event(openid, "unsubscribe", "")

    def scan(self, openid: str, scene: str) -> Push:
        return self.event(openid, "SCAN", scene, Ticket="ticket-" + scene)

    def click(self, openid: str, key: str) -> Push:
        return self.event(openid, "CLICK", key)

    def view(self, openid: str, url: str) -> Push:
        return self.event(openid, "VIEW", url)

    def location_event(self, openid: str, *, lat: float = 31.2304, lng: float = 121.4737) -> Push:
        return self.event(openid, "LOCATION", None, Latitude=str(lat), Longitude=str(lng), Precision="30.0")

    def nested_event(self, openid: str, event: str, inner: str, key: str | None = None) -> Push:
        """An event whose body carries nested and repeated elements, given as XML (`inner`)."""
        fields: dict[str, str | int] = {
            "ToUserName": self.account,
            "FromUserName": openid,
            "CreateTime": timestamp_of(self.clock),
            "MsgType": "event",
            "Event": event,
        }
        if key is not None:
            fields["EventKey"] = key
        return self.wrap(to_xml(fields).removesuffix("</xml>") + inner + "</xml>", fields=fields)

    def subscribe_popup(self, openid: str, choices: Mapping[str, str], scene: int = 2) -> Push:
        """`subscribe_msg_popup_event`: the user's choice for each template of a subscription pop-up."""
        rows = "".join(
            f"<List><TemplateId>{cdata(template)}</TemplateId>"
            f"<SubscribeStatusString>{cdata(status)}</SubscribeStatusString><PopupScene>{scene}</PopupScene></List>"
            for template, status in choices.items()
        )
        return self.nested_event(
            openid, "subscribe_msg_popup_event", f"<SubscribeMsgPopupEvent>{rows}</SubscribeMsgPopupEvent>"
        )

    def shake(self, openid: str, beacons: list[tuple[str, int, int, float]]) -> Push:
        """`ShakearoundUserShake`: the beacon chosen and the ones around (uuid, major, minor, distance)."""

        def beacon(tag: str, b: tuple[str, int, int, float]) -> str:
            uuid, major, minor, distance = b
            inner = f"<Uuid>{cdata(uuid)}</Uuid><Major>{major}</Major><Minor>{minor}</Minor>"
            return f"<{tag}>{inner}<Distance>{distance}</Distance></{tag}>"

        around = "".join(beacon("AroundBeacon", b) for b in beacons[1:])
        inner = beacon("ChosenBeacon", beacons[0]) + f"<AroundBeacons>{around}</AroundBeacons>"
        return self.nested_event(openid, "ShakearoundUserShake", inner)

    def template_finished(self, openid: str, msg_id: int, status: str = "success") -> Push:
        return self.event(openid, "TEMPLATESENDJOBFINISH", None, MsgID=msg_id, Status=status)

    def wrap(
        self,
        message: str | bytes,
        *,
        timestamp: str | None = None,
        nonce: str | None = None,
        fields: Mapping[str, str | int] | None = None,
    ) -> Push:
        """Sign (and in safe mode encrypt) any body, well formed or not: tests use it for hostile ones."""
        timestamp = timestamp or str(timestamp_of(self.clock))
        nonce = nonce or str(secrets.randbelow(10**10))
        text = message if isinstance(message, str) else message.decode("utf-8", "surrogateescape")
        params = {
            "signature": signature(self.token, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
            "openid": str((fields or {}).get("FromUserName", "")),
        }
        if self.crypto is None:
            body = message if isinstance(message, bytes) else message.encode()
            return Push(params, body, text, fields or {})
        encrypted = self.crypto.encrypt(message)
        params.update(encrypt_type="aes", msg_signature=self.crypto.sign(timestamp, nonce, encrypted))
        body = to_xml({"ToUserName": self.account, "Encrypt": encrypted}).encode()
        return Push(params, body, text, fields or {})

    # --- sending -------------------------------------------------------------------------------------------

    def send(self, push: Push, *, timeout: float | None = None) -> Answer:
        """POST the push and read the reply as WeChat would (checking a safe-mode reply's signature)."""
        started = time.perf_counter()
        response = self.http.post(
            self.url,
            params=push.params,
            data=push.body,
            headers={"Content-Type": "text/xml"},
            timeout=timeout or self.timeout,
        )
        elapsed = time.perf_counter() - started
        return Answer(response.status_code, response.text, self.read_reply(response), elapsed)

    def read_reply(self, response: requests.Response) -> dict[str, str]:
        """The fields of a passive reply; empty for `success`, an error status or a non-XML body."""
        body = response.text.strip()
        if response.status_code != 200 or body in ("", SUCCESS) or not body.startswith("<xml>"):
            return {}
        fields = parse_xml(body.encode())
        if self.crypto is None:
            return fields
        encrypted = fields.get("Encrypt", "")
        parts = (self.token, fields.get("TimeStamp", ""), fields.get("Nonce", ""), encrypted)
        if not encrypted or not signature_matches(parts, fields.get("MsgSignature", "")):
            raise ReplyRejected("reply signature does not check")
        return parse_xml(self.crypto.decrypt(encrypted).encode())

    def handshake(self, echostr: str, *, token: str | None = None) -> requests.Response:
        """The console's URL check; pass another `token` to forge it."""
        timestamp, nonce = str(timestamp_of(self.clock)), str(secrets.randbelow(10**10))
        sig = signature(token if token is not None else self.token, timestamp, nonce)
        params = {"signature": sig, "timestamp": timestamp, "nonce": nonce, "echostr": echostr}
        return self.http.get(self.url, params=params, timeout=self.timeout)
