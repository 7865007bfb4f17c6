"""The fake WeChat's memory and rules: tokens, the customer-service window, template dedupe, QR codes, media.

Times come from the fake's own clock (real time plus an offset the tests can advance), so a 48 h window or a
7,200 s token can be crossed without waiting. Everything is guarded by one lock; nothing here does I/O.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from backend.clock import Clock, SystemClock

TOKEN_LIFETIME = 7200
OLD_TOKEN_GRACE = 300  # the previous token keeps working this long after a refresh
FORCED_REFRESH_PER_DAY = 20  # stable_token with force_refresh: at most 20 a day, 30 s apart
FORCED_REFRESH_GAP = 30
MESSAGE_WINDOW = 48 * 3600  # after the user's last message: 5 customer-service messages
MESSAGE_WINDOW_COUNT = 5
EVENT_WINDOW = 60  # after a follow, scan or menu click: 3 messages
EVENT_WINDOW_COUNT = 3
TEMPLATE_DEDUPE = 600  # a repeated client_msg_id to the same openid is dropped for 10 minutes
MEDIA_LIFETIME = 3 * 24 * 3600
MAX_PERMANENT_QR = 100_000
MAX_TAGS = 100  # tags an account may create
MAX_TAGS_PER_USER = 20
FIRST_TAG_ID = 100  # ids below are WeChat's own (2: 星标组)
TAGGING_BATCH = 50
TAG_NAME_BYTES = 30
MAX_TOP_BUTTONS, MAX_SUB_BUTTONS = 3, 5
BUTTON_TYPES = frozenset({"click", "view", "miniprogram", "scancode_push", "scancode_waitmsg", "pic_sysphoto"})
OPENID = re.compile(r"^[A-Za-z0-9_-]{6,64}$")


class WeChatError(Exception):
    """An error answer: `{"errcode": code, "errmsg": message}`."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class User:
    following: bool = True
    last_message_at: float | None = None
    sent_since_message: int = 0
    last_event_at: float | None = None
    sent_since_event: int = 0


@dataclass
class Failure:
    errcode: int | None = None
    delay: float = 0.0
    status: int | None = None


@dataclass
class StoredMedia:
    content: bytes
    content_type: str
    filename: str
    created_at: float


@dataclass
class FakeWeChat:
    """One official account as WeChat's API server sees it."""

    appid: str
    secret: str
    clock: Clock = field(default_factory=SystemClock)
    clock_offset: float = 0.0
    tokens: dict[str, float] = field(default_factory=dict)  # token -> expiry
    current_token: str | None = None  # the newest of /cgi-bin/token
    current_stable: str | None = None  # the newest of /cgi-bin/stable_token (a lineage of its own)
    forced_at: list[float] = field(default_factory=list)  # forced stable_token refreshes
    users: dict[str, User] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    counters: Counter[str] = field(default_factory=Counter)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    template_seen: dict[tuple[str, str], tuple[int, float]] = field(default_factory=dict)
    qrcodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    media: dict[str, StoredMedia] = field(default_factory=dict)
    next_msgid: int = 1000
    tags: dict[int, str] = field(default_factory=dict)  # id -> name
    user_tags: dict[str, set[int]] = field(default_factory=dict)  # openid -> tag ids
    next_tag_id: int = FIRST_TAG_ID
    menu: list[dict[str, Any]] | None = None  # the default menu's buttons
    menu_id: int = 0
    conditional_menus: list[dict[str, Any]] = field(
        default_factory=list
    )  # {"button", "matchrule", "menuid"}, oldest first
    next_menuid: int = 400_000_000
    lock: threading.RLock = field(default_factory=threading.RLock)

    def now(self) -> float:
        return self.clock.now().timestamp() + self.clock_offset

    def reset(self) -> None:
        with self.lock:
            fresh = FakeWeChat(self.appid, self.secret, clock=self.clock)
            for name in self.__dataclass_fields__:
                if name != "lock":
                    setattr(self, name, getattr(fresh, name))

    # --- requests and injected failures ---

    def record(self, method: str, path: str, args: dict[str, str], body: Any) -> Failure | None:
        """Note a request; return the failure injected for it, if any."""
        with self.lock:
            self.counters[f"calls:{path}"] += 1
            self.requests.append({"method": method, "path": path, "args": args, "body": body, "at": self.now()})
            queue = self.failures.get(path)
            if queue:
                self.counters["failures_injected"] += 1
                return queue.pop(0)
            return None

    def fail(self, path: str, count: int, failure: Failure) -> None:
        with self.lock:
            self.failures.setdefault(path, []).extend(
                Failure(failure.errcode, failure.delay, failure.status) for _ in range(count)
            )

    # --- tokens ---

    def _check_credentials(self, appid: str, secret: str) -> None:
        if appid != self.appid:
            raise WeChatError(40013, "invalid appid")
        if secret != self.secret:
            raise WeChatError(40125, "invalid appsecret")

    def _new_token(self, previous: str | None, *, grace: float) -> str:
        """A new token; the previous one of the same lineage works `grace` seconds more (0: not at all)."""
        now = self.now()
        if previous and not grace:
            self.tokens.pop(previous, None)  # 40001: invalid, not the latest
        elif previous and self.tokens.get(previous, 0) > now:
            self.tokens[previous] = min(self.tokens[previous], now + grace)
        token = f"FAKE_{secrets.token_urlsafe(24)}"
        self.tokens[token] = now + TOKEN_LIFETIME
        self.counters["tokens_issued"] += 1
        return token

    def _issue_token(self) -> tuple[str, int]:
        self.current_token = self._new_token(self.current_token, grace=OLD_TOKEN_GRACE)
        return self.current_token, TOKEN_LIFETIME

    def token(self, appid: str, secret: str, grant_type: str) -> dict[str, Any]:
        """`GET /cgi-bin/token`: every call starts a new token."""
        with self.lock:
            self.counters["token_calls"] += 1
            if grant_type != "client_credential":
                raise WeChatError(40002, "invalid grant_type")
            self._check_credentials(appid, secret)
            token, lifetime = self._issue_token()
            return {"access_token": token, "expires_in": lifetime}

    def stable_token(self, appid: str, secret: str, grant_type: str, force_refresh: bool) -> dict[str, Any]:
        """`POST /cgi-bin/stable_token`, as WeChat documents it: isolated from `/cgi-bin/token` (neither touches the
        other's tokens); in normal mode the same token for every caller while it lives, a new one from 5 minutes
        before it expires (the old one still works until then); a forced refresh invalidates the previous one at
        once, at most 20 a day and 30 s apart."""
        with self.lock:
            self.counters["stable_token_calls"] += 1
            if grant_type != "client_credential":
                raise WeChatError(40002, "invalid grant_type")
            self._check_credentials(appid, secret)
            now = self.now()
            current = self.current_stable
            if force_refresh:
                self.forced_at = [at for at in self.forced_at if now - at < 86400]
                if len(self.forced_at) >= FORCED_REFRESH_PER_DAY or (
                    self.forced_at and now - self.forced_at[-1] < FORCED_REFRESH_GAP
                ):
                    raise WeChatError(45009, "reach max api daily quota limit")  # WeChat's answer to both
                self.forced_at.append(now)
                self.counters["stable_token_forced"] += 1
                self.current_stable = self._new_token(current, grace=0)
            elif not current or self.tokens.get(current, 0) - now <= OLD_TOKEN_GRACE:
                self.current_stable = self._new_token(current, grace=OLD_TOKEN_GRACE)
            token = self.current_stable
            assert token is not None
            return {"access_token": token, "expires_in": int(self.tokens[token] - now)}

    def check_token(self, token: str | None) -> None:
        with self.lock:
            if not token:
                raise WeChatError(41001, "access_token missing")
            expires = self.tokens.get(token)
            if expires is None:
                raise WeChatError(40001, "invalid credential, access_token is invalid or not latest")
            if expires <= self.now():
                raise WeChatError(42001, "access_token expired")

    def expire_token(self) -> None:
        """The current tokens time out (calls with them get 42001)."""
        with self.lock:
            for current in (self.current_token, self.current_stable):
                if current:
                    self.tokens[current] = self.now()

    def invalidate_tokens(self) -> None:
        """Every token is forgotten (calls get 40001), as when someone else refreshed with force."""
        with self.lock:
            self.tokens.clear()
            self.current_token = self.current_stable = None

    # --- users and the customer-service window ---

    def interaction(self, openid: str, at: float | None = None, kind: str = "message") -> None:
        """The user wrote to us (`message`) or followed, scanned or clicked a menu (`event`)."""
        with self.lock:
            user = self.users.setdefault(openid, User())
            user.following = True
            when = self.now() if at is None else at
            if kind == "event":
                user.last_event_at, user.sent_since_event = when, 0
            else:
                user.last_message_at, user.sent_since_message = when, 0

    def set_following(self, openid: str, following: bool) -> None:
        with self.lock:
            self.users.setdefault(openid, User()).following = following

    def _check_openid(self, openid: str) -> User | None:
        if not OPENID.match(openid or ""):
            raise WeChatError(40003, "invalid openid")
        user = self.users.get(openid)
        if user is not None and not user.following:
            raise WeChatError(43004, "require subscribe")
        return user

    def _deliver(self, openid: str, kind: str, body: dict[str, Any]) -> int:
        self.next_msgid += 1
        self.sent.append({"openid": openid, "type": kind, "body": body, "msgid": self.next_msgid, "at": self.now()})
        self.counters["sent"] += 1
        return self.next_msgid

    def custom_send(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            openid = str(body.get("touser", ""))
            user = self._check_openid(openid)
            msgtype = str(body.get("msgtype", ""))
            if msgtype not in body:
                raise WeChatError(40008, "invalid message type")
            now = self.now()
            windows_open = []
            if user and user.last_message_at is not None and now - user.last_message_at <= MESSAGE_WINDOW:
                windows_open.append("message")
            if user and user.last_event_at is not None and now - user.last_event_at <= EVENT_WINDOW:
                windows_open.append("event")
            if not windows_open:
                raise WeChatError(45015, "response out of time limit or subscription is canceled")
            assert user is not None
            if "message" in windows_open and user.sent_since_message < MESSAGE_WINDOW_COUNT:
                user.sent_since_message += 1
            elif "event" in windows_open and user.sent_since_event < EVENT_WINDOW_COUNT:
                user.sent_since_event += 1
            else:
                raise WeChatError(45047, "out of response count limit")
            self._deliver(openid, msgtype, body)
            return {}

    def template_send(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            openid = str(body.get("touser", ""))
            self._check_openid(openid)
            if not body.get("template_id"):
                raise WeChatError(40037, "invalid template_id")
            now = self.now()
            client_msg_id = body.get("client_msg_id")
            if client_msg_id:
                seen = self.template_seen.get((openid, str(client_msg_id)))
                if seen and now - seen[1] < TEMPLATE_DEDUPE:
                    self.counters["template_deduplicated"] += 1
                    return {"msgid": seen[0]}
            msgid = self._deliver(openid, "template", body)
            if client_msg_id:
                self.template_seen[(openid, str(client_msg_id))] = (msgid, now)
            return {"msgid": msgid}

    # --- QR codes ---

    def qrcode_create(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            action = body.get("action_name")
            scene = (body.get("action_info") or {}).get("scene") or {}
            if action == "QR_LIMIT_STR_SCENE":
                scene_key = str(scene.get("scene_str", ""))
                if not 1 <= len(scene_key) <= 64:
                    raise WeChatError(40097, "invalid args: scene_str must have 1 to 64 characters")
            elif action == "QR_LIMIT_SCENE":
                scene_id = int(scene.get("scene_id", 0))
                if not 1 <= scene_id <= 100_000:
                    raise WeChatError(40097, "invalid args: scene_id must be 1 to 100000")
                scene_key = f"id:{scene_id}"
            elif action in ("QR_SCENE", "QR_STR_SCENE"):
                expire = min(int(body.get("expire_seconds", 60)), 30 * 24 * 3600)
                ticket = secrets.token_urlsafe(24)
                self.counters["qrcodes_temporary"] += 1
                return {"ticket": ticket, "expire_seconds": expire, "url": f"http://weixin.qq.com/q/{ticket[:22]}"}
            else:
                raise WeChatError(40097, "invalid args: action_name")
            existing = self.qrcodes.get(scene_key)
            if existing is None:
                if len(self.qrcodes) >= MAX_PERMANENT_QR:
                    raise WeChatError(45029, "qrcode count out of limit")
                digest = hashlib.sha256(f"{self.appid}:{scene_key}".encode()).hexdigest()
                existing = {"ticket": f"gQ{digest[:40]}", "url": f"http://weixin.qq.com/q/{digest[:22]}"}
                self.qrcodes[scene_key] = existing
            return dict(existing)

    # --- media ---

    def store_media(self, content: bytes, content_type: str, filename: str = "", media_id: str | None = None) -> str:
        with self.lock:
            media_id = media_id or secrets.token_urlsafe(32)
            self.media[media_id] = StoredMedia(content, content_type, filename or f"{media_id[:8]}", self.now())
            return media_id

    def get_media(self, media_id: str) -> StoredMedia:
        with self.lock:
            media = self.media.get(media_id)
            if media is None or self.now() - media.created_at > MEDIA_LIFETIME:
                raise WeChatError(40007, "invalid media_id")
            return media

    # --- user tags ---

    def tags_create(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            name = str((body.get("tag") or {}).get("name", ""))
            if not name or len(name.encode("utf-8")) > TAG_NAME_BYTES:
                raise WeChatError(45158, "tag name too long")
            if name in self.tags.values():
                raise WeChatError(45157, "invalid tag name: name already exists")
            if len(self.tags) >= MAX_TAGS:
                raise WeChatError(45056, "too many tags")
            tag_id, self.next_tag_id = self.next_tag_id, self.next_tag_id + 1
            self.tags[tag_id] = name
            return {"tag": {"id": tag_id, "name": name}}

    def tags_get(self) -> dict[str, Any]:
        with self.lock:
            counts = Counter(tag for tags in self.user_tags.values() for tag in tags)
            return {"tags": [{"id": i, "name": n, "count": counts[i]} for i, n in sorted(self.tags.items())]}

    def _tagging_args(self, body: dict[str, Any]) -> tuple[int, list[str]]:
        openids = body.get("openid_list")
        if not isinstance(openids, list) or not openids or len(openids) > TAGGING_BATCH:
            raise WeChatError(40032, "invalid openid list size")
        try:
            tag_id = int(body.get("tagid", 0))
        except (TypeError, ValueError):
            tag_id = 0
        if tag_id not in self.tags:
            raise WeChatError(45159, "invalid tag id")
        for openid in openids:
            if not OPENID.match(str(openid)):
                raise WeChatError(40003, "invalid openid")
        return tag_id, [str(o) for o in openids]

    def batch_tagging(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            tag_id, openids = self._tagging_args(body)
            for openid in openids:
                tags = self.user_tags.get(openid, set())
                if tag_id not in tags and len(tags) >= MAX_TAGS_PER_USER:
                    raise WeChatError(45059, "user has too many tags")
            for openid in openids:
                self.user_tags.setdefault(openid, set()).add(tag_id)
            self.counters["tagged"] += len(openids)
            return {}

    def batch_untagging(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            tag_id, openids = self._tagging_args(body)
            for openid in openids:
                self.user_tags.get(openid, set()).discard(tag_id)
            self.counters["untagged"] += len(openids)
            return {}

    def tag_ids_of(self, openid: str) -> list[int]:
        """`tags/getidlist`."""
        with self.lock:
            if not OPENID.match(openid or ""):
                raise WeChatError(40003, "invalid openid")
            return sorted(self.user_tags.get(openid, set()))

    # --- menus ---

    @staticmethod
    def _check_buttons(buttons: Any) -> list[dict[str, Any]]:
        """WeChat's refusals of a `button` array, by its error codes."""
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= MAX_TOP_BUTTONS:
            raise WeChatError(40016, "invalid button size")
        for top in buttons:
            _check_button(top, sub=False)
            subs = top.get("sub_button")
            if subs:
                if not isinstance(subs, list) or len(subs) > MAX_SUB_BUTTONS:
                    raise WeChatError(40023, "invalid sub button size")
                for sub in subs:
                    _check_button(sub, sub=True)
        return buttons

    def menu_create(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.menu = self._check_buttons(body.get("button"))
            self.menu_id = self.next_menuid
            self.next_menuid += 1
            self.counters["menus_created"] += 1
            return {}

    def menu_add_conditional(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            if self.menu is None:
                raise WeChatError(65303, "there is no selfmenu, please create selfmenu first")
            buttons = self._check_buttons(body.get("button"))
            rule = body.get("matchrule")
            if not isinstance(rule, dict) or not any(str(v) for v in rule.values()):
                raise WeChatError(65304, "match rule empty")
            tag_id = str(rule.get("tag_id", ""))
            if tag_id and (not tag_id.isdigit() or int(tag_id) not in self.tags):
                raise WeChatError(65310, "invalid tag_id")
            menuid = str(self.next_menuid)
            self.next_menuid += 1
            self.conditional_menus.append({"button": buttons, "matchrule": dict(rule), "menuid": int(menuid)})
            return {"menuid": menuid}

    def menu_delete_conditional(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            menuid = str(body.get("menuid", ""))
            kept = [m for m in self.conditional_menus if str(m["menuid"]) != menuid]
            if len(kept) == len(self.conditional_menus):
                raise WeChatError(65301, "no such menuid")
            self.conditional_menus = kept
            return {}

    def menu_get(self) -> dict[str, Any]:
        with self.lock:
            if self.menu is None:
                raise WeChatError(46003, "menu no exist")
            answer: dict[str, Any] = {"menu": {"button": self.menu, "menuid": self.menu_id}}
            if self.conditional_menus:
                answer["conditionalmenu"] = [dict(m) for m in self.conditional_menus]
            return answer

    def menu_delete(self) -> dict[str, Any]:
        with self.lock:
            self.menu, self.conditional_menus = None, []
            return {}

    def menu_for(self, openid: str) -> list[dict[str, Any]] | None:
        """The buttons `openid` sees: the newest conditional menu their tags match, else the default (or None)."""
        with self.lock:
            tags = self.user_tags.get(openid, set())
            for conditional in reversed(self.conditional_menus):
                tag_id = str(conditional["matchrule"].get("tag_id", ""))
                if tag_id.isdigit() and int(tag_id) in tags:
                    return list(conditional["button"])
            return None if self.menu is None else list(self.menu)

    def menu_trymatch(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            user_id = str(body.get("user_id", ""))
            if not OPENID.match(user_id):
                raise WeChatError(40003, "invalid openid")
            buttons = self.menu_for(user_id)
            if buttons is None:
                raise WeChatError(46003, "menu no exist")
            return {"button": buttons}

    # --- what the tests read ---

    def sent_to(self, openid: str | None) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(m) for m in self.sent if openid is None or m["openid"] == openid]

    def stats(self) -> dict[str, Any]:
        with self.lock:
            calls = {k.removeprefix("calls:"): v for k, v in self.counters.items() if k.startswith("calls:")}
            plain = {k: v for k, v in self.counters.items() if not k.startswith("calls:")}
            keys: tuple[str, ...] = (
                "token_calls",
                "stable_token_calls",
                "stable_token_forced",
                "tokens_issued",
                "sent",
            )
            keys = (*keys, "template_deduplicated", "tagged", "untagged", "menus_created")
            return {
                **{k: 0 for k in keys},
                "failures_injected": 0,
                **plain,
                "calls": calls,
                "users": len(self.users),
                "tags": len(self.tags),
                "conditional_menus": len(self.conditional_menus),
            }


def _check_button(button: Any, *, sub: bool) -> None:
    codes = (40025, 40024, 40026, 40027) if sub else (40018, 40017, 40019, 40020)  # name, type, key, url
    if not isinstance(button, dict):
        raise WeChatError(codes[1], "invalid button type")
    name = str(button.get("name", ""))
    if not name or len(name.encode("utf-8")) > (60 if sub else 16):
        raise WeChatError(codes[0], "invalid button name size")
    if not sub and button.get("sub_button"):
        return
    kind = button.get("type")
    if kind not in BUTTON_TYPES:
        raise WeChatError(codes[1], "invalid button type")
    if kind == "view":
        url = str(button.get("url", ""))
        if not url.startswith(("http://", "https://")) or len(url.encode("utf-8")) > 1024:
            raise WeChatError(codes[3], "invalid button url size")
    elif kind != "miniprogram":
        key = str(button.get("key", ""))
        if not key or len(key.encode("utf-8")) > 128:
            raise WeChatError(codes[2], "invalid button key size")
