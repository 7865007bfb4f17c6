"""The Notifier port: what the backend needs from WeChat's API, and how a failed call is to be handled.

`bot/wechat` implements it against the real (or the fake) API. Every failure is a `NotifyError` whose
`outcome` tells the caller what to do next:

- `RETRY`: nothing is wrong with the message; try again later (system busy, timeouts, 5xx, daily quota).
- `FALLBACK`: the customer-service window is closed or used up (45015, 45047): send a template message.
- `GIVE_UP`: it will never go through (user does not follow, bad openid, rejected content): tell the office.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable


class Outcome(StrEnum):
    RETRY = "retry"
    FALLBACK = "fallback"
    GIVE_UP = "give_up"


# WeChat's error codes the decisions depend on (the full list: wechatpy.constants.WeChatErrorCode)
SYSTEM_BUSY = -1
INVALID_CREDENTIAL = 40001
INVALID_OPENID = 40003
INVALID_ACCESS_TOKEN = 40014
EXPIRED_ACCESS_TOKEN = 42001
REQUIRE_SUBSCRIBE = 43004
API_QUOTA_EXCEEDED = 45009
OUT_OF_RESPONSE_WINDOW = 45015
OUT_OF_RESPONSE_COUNT = 45047
INVALID_TAG_ID = 45159
API_UNAUTHORIZED = 48001  # the account may not use this API (e.g. tags and conditional menus, unverified)
NO_MENU = 46003

TOKEN_ERRORS = frozenset({INVALID_CREDENTIAL, INVALID_ACCESS_TOKEN, EXPIRED_ACCESS_TOKEN})
RETRY_CODES = frozenset({SYSTEM_BUSY, API_QUOTA_EXCEEDED, *TOKEN_ERRORS})
FALLBACK_CODES = frozenset({OUT_OF_RESPONSE_WINDOW, OUT_OF_RESPONSE_COUNT})


def classify(errcode: int) -> Outcome:
    """What to do about a WeChat `errcode`. A token error still failing after the one retry is transient."""
    if errcode in RETRY_CODES:
        return Outcome.RETRY
    if errcode in FALLBACK_CODES:
        return Outcome.FALLBACK
    return Outcome.GIVE_UP


class NotifyError(Exception):
    """A call to WeChat that did not go through. `code` is WeChat's errcode, or None for transport errors."""

    outcome: Outcome = Outcome.GIVE_UP

    def __init__(self, message: str, *, code: int | None = None, path: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.path = path

    @staticmethod
    def for_code(code: int, message: str, *, path: str = "") -> NotifyError:
        """The error type that matches `code`'s outcome."""
        kind = {Outcome.RETRY: RetryLater, Outcome.FALLBACK: FallBack, Outcome.GIVE_UP: GiveUp}[classify(code)]
        return kind(message, code=code, path=path)

    def __str__(self) -> str:
        prefix = f"{self.path} " if self.path else ""
        code = f"[{self.code}] " if self.code is not None else ""
        return f"{prefix}{code}{self.args[0]}"


class RetryLater(NotifyError):
    outcome = Outcome.RETRY


class FallBack(NotifyError):
    outcome = Outcome.FALLBACK


class GiveUp(NotifyError):
    outcome = Outcome.GIVE_UP


@dataclass(frozen=True)
class QRCode:
    """A parametric QR code: draw `url` ourselves. `expire_seconds` is None for a permanent code."""

    scene: str
    ticket: str
    url: str
    expire_seconds: int | None = None


@dataclass(frozen=True)
class MediaFile:
    content: bytes
    content_type: str
    filename: str = ""


class Notifier(Protocol):
    """WeChat's outbound API as the backend uses it. Every method raises `NotifyError` on failure."""

    def send_text(self, openid: str, content: str) -> None:
        """A customer-service text message (only inside the 48 h window)."""
        ...

    def send_image(self, openid: str, media_id: str) -> None:
        """A customer-service image message (only inside the 48 h window)."""
        ...

    def send_template(
        self,
        openid: str,
        template_id: str,
        data: dict[str, str],
        *,
        url: str | None = None,
        client_msg_id: str | None = None,
    ) -> str:
        """A template message; `data` maps the template's keywords to values. Returns WeChat's msgid."""
        ...

    def create_permanent_qr(self, scene: str) -> QRCode:
        """A permanent parametric QR code for `scene` (1-64 characters)."""
        ...

    def download_media(self, media_id: str) -> MediaFile:
        """A temporary media file a user sent (kept by WeChat for 3 days only)."""
        ...

    def upload_media(self, kind: str, content: bytes, filename: str, content_type: str) -> str:
        """Upload a temporary media file (`kind`: image, voice, video, thumb); returns its media_id."""
        ...


@runtime_checkable
class AccountMenus(Protocol):
    """WeChat's menu and user-tag API (自定义菜单, 个性化菜单, 用户标签). Every method raises `NotifyError`."""

    def get_tags(self) -> dict[str, int]:
        """`tags/get`: the account's tags, name -> id."""
        ...

    def create_tag(self, name: str) -> int:
        """`tags/create`: a new tag (name at most 30 bytes); its id."""
        ...

    def tag_users(self, tag_id: int, openids: list[str]) -> None:
        """`tags/members/batchtagging` (at most 50 openids a call)."""
        ...

    def untag_users(self, tag_id: int, openids: list[str]) -> None:
        """`tags/members/batchuntagging` (at most 50 openids a call)."""
        ...

    def user_tags(self, openid: str) -> list[int]:
        """`tags/getidlist`: the ids of the tags `openid` carries."""
        ...

    def create_menu(self, buttons: list[dict[str, Any]]) -> None:
        """`menu/create`: the default menu (replaces the previous one)."""
        ...

    def add_conditional_menu(self, buttons: list[dict[str, Any]], matchrule: dict[str, str]) -> str:
        """`menu/addconditional`: a menu for the users `matchrule` matches; its menuid."""
        ...

    def get_menu(self) -> dict[str, Any]:
        """`menu/get`: `{"menu": {...}, "conditionalmenu": [...]}` (an account without menus: `{}`)."""
        ...

    def delete_conditional_menu(self, menuid: str) -> None:
        """`menu/delconditional`."""
        ...

    def try_match_menu(self, user_id: str) -> list[dict[str, Any]]:
        """`menu/trymatch`: the buttons `user_id` (an openid) would see."""
        ...
