"""The edge of the webhook: who may talk to us, and what they said.

Everything WeChat sends is checked here before any handler sees it: the signature (constant time), the timestamp
window and nonce memory against replays (the nonce is looked up by the inbox, in the same round trip to the store
as the dedupe claim), the safe-mode envelope, and XML parsed by defusedxml with DTDs, entities and external
references refused. wechatpy's parser (xmltodict over untrusted text) is not used.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from backend.clock import Clock, SystemClock
from backend.clock import timestamp as timestamp_of
from backend.services.wechat_clock import REPLAY_WINDOW, ClockWatch
from bot.crypto import CryptoError, MessageCrypto, signature_matches

MAX_BODY = 64 * 1024  # WeChat's pushes are a few hundred bytes
_TOKEN = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")  # timestamps, nonces, signatures, openids
_DIGITS = re.compile(r"^\d{1,20}$")


class Rejected(Exception):
    """A request we refuse; `status` is the HTTP answer."""

    status = 400

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Forbidden(Rejected):
    status = 403


class Malformed(Rejected):
    status = 400


class TooLarge(Rejected):
    status = 413


MAX_DEPTH = 5  # <xml><SubscribeMsgPopupEvent><List><TemplateId> is 3 below the root
MAX_ELEMENTS = 1000


def parse_xml(body: bytes) -> dict[str, str]:
    """The fields of a WeChat `<xml>` document. `Malformed` on anything odd.

    Nested fields are `Parent.Child`. An element that comes again below the top level is a list, as WeChat sends
    them (`SubscribeMsgPopupEvent` with a `<List>` per template, shake-around's `<AroundBeacon>`s, a photo
    event's `<item>`s): every occurrence is numbered, `Parent.List#0.Child`, `Parent.List#1.Child`, and
    `Inbound.each("Parent.List")` reads them back. A top-level field given twice stays refused: which MsgId or
    FromUserName would count?
    """
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Malformed("body is not UTF-8") from exc
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ET.ParseError, ValueError) as exc:
        raise Malformed(f"unacceptable XML: {type(exc).__name__}") from exc
    if root.tag != "xml":
        raise Malformed("root element is not <xml>")
    fields: dict[str, str] = {}
    count = 0

    def walk(element: ET.Element, prefix: str, depth: int) -> None:
        nonlocal count
        if depth > MAX_DEPTH:
            raise Malformed("XML nested too deep")
        tags = Counter(child.tag for child in element)
        seen: dict[str, int] = {}
        for child in element:
            count += 1
            if count > MAX_ELEMENTS:
                raise Malformed("too many XML elements")
            if not isinstance(child.tag, str) or not child.tag:
                continue
            repeated = tags[child.tag] > 1
            if repeated and depth == 1:
                raise Malformed(f"field {child.tag} given twice")
            name = f"{prefix}{child.tag}"
            if repeated:
                index = seen.get(child.tag, 0)
                seen[child.tag] = index + 1
                name = f"{name}#{index}"
            if len(child) == 0:
                if name in fields:  # `<A.B>` beside `<A><B>`: one name, two values
                    raise Malformed(f"field {name} given twice")
                fields[name] = (child.text or "").strip()
            else:
                walk(child, name + ".", depth + 1)

    walk(root, "", 1)
    return fields


@dataclass(frozen=True)
class Inbound:
    """One push from WeChat: a user's message or an event."""

    fields: Mapping[str, str]

    def get(self, name: str) -> str:
        return self.fields.get(name, "")

    def each(self, name: str) -> list[dict[str, str]]:
        """The occurrences of a repeated element (`SubscribeMsgPopupEvent.List`), each as its fields."""
        found: list[dict[str, str]] = []
        for n in itertools.count():
            item = self._below(f"{name}#{n}.")
            if not item:
                break
            found.append(item)
        once = self._below(f"{name}.")
        return found or ([once] if once else [])

    def _below(self, prefix: str) -> dict[str, str]:
        return {k.removeprefix(prefix): v for k, v in self.fields.items() if k.startswith(prefix)}

    @property
    def openid(self) -> str:
        return self.get("FromUserName")

    @property
    def account(self) -> str:
        return self.get("ToUserName")

    @property
    def create_time(self) -> int:
        return int(self.get("CreateTime"))

    @property
    def msg_type(self) -> str:
        return self.get("MsgType").lower()

    @property
    def event(self) -> str:
        return self.get("Event").lower()

    @property
    def event_key(self) -> str:
        return self.get("EventKey")

    @property
    def is_event(self) -> bool:
        return self.msg_type == "event"

    @property
    def kind(self) -> str:
        """What the router dispatches on: `text`, `image`, … or `event:subscribe`, `event:scan`, …"""
        return f"event:{self.event}" if self.is_event else self.msg_type

    @property
    def content(self) -> str:
        """The text a person typed or said (a voice message's Recognition)."""
        return self.get("Content") if self.msg_type == "text" else self.get("Recognition")

    @property
    def scene(self) -> str | None:
        """The QR scene of a scan: `qrscene_<scene>` on subscribe, the bare scene on SCAN."""
        if self.kind == "event:subscribe" and self.event_key.startswith("qrscene_"):
            return self.event_key.removeprefix("qrscene_")
        if self.kind == "event:scan" and self.event_key:
            return self.event_key
        return None

    @property
    def dedupe_key(self) -> str:
        """How WeChat's retries of this push are recognised: sender+MsgId, or sender+time+event+key for events."""
        if not self.is_event:
            # MsgId with its sender: two users' messages may carry the same MsgId (WxJava #333 saw it among 15
            # people sending voice at once), and each must be handled and answered
            return f"msg:{self.openid}:{self.get('MsgId')}"
        key = f"evt:{self.openid}:{self.create_time}:{self.event}:{self.event_key}"
        if len(key) > 200:
            key = "evt:" + hashlib.sha256(key.encode()).hexdigest()
        return key


def to_inbound(fields: dict[str, str]) -> Inbound:
    """Check that the fields every push carries are there and sane."""
    for name in ("ToUserName", "FromUserName", "CreateTime", "MsgType"):
        if not fields.get(name):
            raise Malformed(f"missing {name}")
    if not _TOKEN.match(fields["FromUserName"]):
        raise Malformed("bad FromUserName")
    if not _DIGITS.match(fields["CreateTime"]):
        raise Malformed("bad CreateTime")
    inbound = Inbound(fields)
    if inbound.is_event:
        if not fields.get("Event"):
            raise Malformed("event without Event")
    elif not _DIGITS.match(fields.get("MsgId", "")):
        raise Malformed("message without MsgId")
    return inbound


@dataclass(frozen=True)
class NonceMark:
    """What the nonce memory keeps for one request: its (timestamp, nonce) key and a digest of its body.

    A (timestamp, nonce) pair may come again only with the very same body (a retry, which dedupe absorbs). In
    plaintext mode the signature does not cover the body, so this is what stops a captured signature from
    carrying a different message inside the window.
    """

    key: str
    digest: str
    ttl: float

    @property
    def entry(self) -> tuple[str, str, float]:
        """The claim to send to the store (`KV.claim_and_read`)."""
        return self.key, self.digest, self.ttl

    def check(self, held: str | None) -> None:
        """Raise `Forbidden` when the store already held this pair for another body."""
        if held is not None and held != self.digest:
            raise Forbidden("nonce reused with another body")


@dataclass(frozen=True)
class Opened:
    """A verified push, with what its reply needs to be sealed the same way.

    Its `mark` has not been checked against the nonce memory yet: `bot.inbox.Inbox.answer` does that in the
    same round trip to the store as the dedupe claim.
    """

    inbound: Inbound
    timestamp: str
    nonce: str
    encrypted: bool
    mark: NonceMark


class Gate:
    """Verifies requests for one official account and seals replies for it."""

    def __init__(
        self,
        *,
        token: str,
        appid: str,
        aes_key: str | None,
        window: int = REPLAY_WINDOW,
        clock: Clock | None = None,
        watch: ClockWatch | None = None,
    ) -> None:
        self.token, self.window, self.clock = token, window, clock or SystemClock()
        self.watch = watch  # the drift and refusals /healthz shows; None: not recorded
        self.crypto = MessageCrypto(token, aes_key, appid) if aes_key else None

    def _stamp(self, args: Mapping[str, str]) -> tuple[str, str]:
        timestamp, nonce = args.get("timestamp", ""), args.get("nonce", "")
        if not _DIGITS.match(timestamp) or not _TOKEN.match(nonce):
            raise Forbidden("missing or malformed timestamp/nonce")
        return timestamp, nonce

    def _fresh(self, timestamp: str) -> None:
        """The timestamp inside the replay window (called once the signature checked: only WeChat is counted)."""
        if abs(timestamp_of(self.clock) - int(timestamp)) > self.window:
            if self.watch is not None:
                self.watch.refused(int(timestamp))
            raise Forbidden("timestamp outside the replay window")
        if self.watch is not None:
            self.watch.seen(int(timestamp))

    def handshake(self, args: Mapping[str, str]) -> str:
        """The `echostr` to answer to the console's URL check."""
        timestamp, nonce = self._stamp(args)
        if not self.token or not signature_matches((self.token, timestamp, nonce), args.get("signature", "")):
            raise Forbidden("bad signature")
        return args.get("echostr", "")

    def open(self, args: Mapping[str, str], body: bytes) -> Opened:
        """Verify and read a push; raises `Forbidden` (403) or `Malformed` (400).

        Everything but the nonce memory, which the caller checks with `Opened.mark` (see `Opened`).
        """
        timestamp, nonce = self._stamp(args)
        if not self.token:
            raise Forbidden("no token configured")
        if self.crypto is None:
            if not signature_matches((self.token, timestamp, nonce), args.get("signature", "")):
                raise Forbidden("bad signature")
            self._fresh(timestamp)
            inbound = to_inbound(parse_xml(body))
            return Opened(inbound, timestamp, nonce, encrypted=False, mark=self._mark(timestamp, nonce, body))
        if args.get("encrypt_type", "") != "aes":
            raise Forbidden("plaintext push while safe mode is on")
        outer = parse_xml(body)
        encrypted = outer.get("Encrypt", "")
        if not encrypted:
            raise Malformed("missing Encrypt")
        if not signature_matches((self.token, timestamp, nonce, encrypted), args.get("msg_signature", "")):
            raise Forbidden("bad msg_signature")
        self._fresh(timestamp)
        try:
            inner = self.crypto.decrypt(encrypted)
        except CryptoError as exc:
            raise Malformed(f"bad envelope: {exc}") from exc
        inbound = to_inbound(parse_xml(inner.encode()))
        return Opened(inbound, timestamp, nonce, encrypted=True, mark=self._mark(timestamp, nonce, body))

    def _mark(self, timestamp: str, nonce: str, body: bytes) -> NonceMark:
        digest = hashlib.sha256(body).hexdigest()[:32]
        return NonceMark(f"wechat:nonce:{timestamp}:{nonce}", digest, ttl=2 * self.window + 60)

    def seal(self, reply_xml: str, opened: Opened) -> str:
        """The reply body as WeChat expects it: encrypted and signed in safe mode, as is otherwise."""
        if not reply_xml or self.crypto is None or not opened.encrypted:
            return reply_xml
        return self.crypto.envelope(reply_xml, str(timestamp_of(self.clock)), opened.nonce)
