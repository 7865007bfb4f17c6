"""The outbound WeChat client: implements the backend's `Notifier` and `AccountMenus` ports over WeChat's HTTP API.

Why `requests` directly rather than wrapping wechatpy's `WeChatClient` (1.8.18, read before deciding):
its token call is hard-coded to `https://api.weixin.qq.com/cgi-bin/token` and `media.get_url` carries an
absolute URL, so the configured API base would need a host-rewriting adapter; it passes no timeout unless
given one; its 40001/40014/42001 handling re-enters `_request` with no bound; its token cache is per process
with its own expiry clock; `message.send_template` cannot pass `client_msg_id`; and `media.download` returns
the raw response. What we use is a few small JSON calls (messages, QR codes, media, user tags, menus), so
owning them costs less than bending the wrapper: here every URL is built from `api_base`, every call has
(connect, read) timeouts, the `requests.Session` has no urllib3 retries (retrying is decided here, per error
code), and the token is shared through the
key-value port (`SharedToken`). Error codes follow wechatpy's `WeChatErrorCode` names (see backend.notify).
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from backend.config import Config
from backend.kv import KV
from backend.notify import (
    NO_MENU,
    SYSTEM_BUSY,
    TOKEN_ERRORS,
    GiveUp,
    MediaFile,
    NotifyError,
    QRCode,
    RetryLater,
)
from bot.wechat.token import SharedToken

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (3.05, 10.0)  # (connect, read) seconds
BUSY_RETRIES = 2  # extra tries after a -1 (system busy); the outbox retries later beyond that
BUSY_BACKOFF = 0.5  # seconds, doubled each time
MEDIA_KINDS = ("image", "voice", "video", "thumb")
TAGGING_BATCH = 50  # openids per batchtagging / batchuntagging call (40032 beyond)


def _no_retry_session() -> requests.Session:
    """A session whose adapters never retry on their own: a resent POST could deliver a message twice."""
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=Retry(total=0, connect=0, read=0, redirect=0, status=0, raise_on_status=False))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class WeChatClient:
    """WeChat's outbound API at `api_base` (the real one, or the fake server in tests and the demo)."""

    def __init__(
        self,
        appid: str,
        secret: str,
        *,
        api_base: str,
        kv: KV | None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        busy_retries: int = BUSY_RETRIES,
        busy_backoff: float = BUSY_BACKOFF,
        session: requests.Session | None = None,
    ) -> None:
        self.appid = appid
        self.secret = secret
        self.api_base = api_base.rstrip("/")
        self.timeout = timeout
        self.busy_retries = busy_retries
        self.busy_backoff = busy_backoff
        self.http = session or _no_retry_session()
        self.token = SharedToken(kv, appid, self._fetch_token)

    @classmethod
    def from_config(cls, config: Config, kv: KV | None, **kwargs: Any) -> WeChatClient:
        return cls(config.wechat_appid, config.wechat_secret, api_base=config.wechat_api_base, kv=kv, **kwargs)

    def close(self) -> None:
        self.http.close()

    # --- the Notifier port ---

    def send_text(self, openid: str, content: str) -> None:
        self._call(
            "POST", "message/custom/send", body={"touser": openid, "msgtype": "text", "text": {"content": content}}
        )

    def send_image(self, openid: str, media_id: str) -> None:
        body = {"touser": openid, "msgtype": "image", "image": {"media_id": media_id}}
        self._call("POST", "message/custom/send", body=body)

    def send_template(
        self,
        openid: str,
        template_id: str,
        data: dict[str, str],
        *,
        url: str | None = None,
        client_msg_id: str | None = None,
    ) -> str:
        body: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {name: {"value": value} for name, value in data.items()},
        }
        if url:
            body["url"] = url
        if client_msg_id:
            body["client_msg_id"] = client_msg_id
        result = self._call("POST", "message/template/send", body=body)
        return str(result.get("msgid", ""))

    def create_permanent_qr(self, scene: str) -> QRCode:
        if not 1 <= len(scene) <= 64:
            raise ValueError("a permanent QR scene_str has 1 to 64 characters")
        body = {"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": scene}}}
        result = self._call("POST", "qrcode/create", body=body)
        expire = result.get("expire_seconds")
        return QRCode(scene=scene, ticket=result["ticket"], url=result["url"], expire_seconds=expire or None)

    def download_media(self, media_id: str) -> MediaFile:
        response = self._call_raw("GET", "media/get", params={"media_id": media_id})
        content_type = response.headers.get("Content-Type", "application/octet-stream")
        if content_type.startswith(("application/json", "text/plain")):
            # errors, and videos (whose answer is a download link), come back as JSON
            result = self._json(response, "media/get")
            if "video_url" in result:
                video = self._transport("GET", result["video_url"], "media/get", params=None, data=None, files=None)
                return MediaFile(video.content, video.headers.get("Content-Type", "video/mp4"), _filename(video))
            return MediaFile(response.content, content_type, _filename(response))
        return MediaFile(response.content, content_type.split(";")[0].strip(), _filename(response))

    def upload_media(self, kind: str, content: bytes, filename: str, content_type: str) -> str:
        if kind not in MEDIA_KINDS:
            raise ValueError(f"media kind must be one of {MEDIA_KINDS}")
        result = self._call(
            "POST", "media/upload", params={"type": kind}, files={"media": (filename, content, content_type)}
        )
        return str(result["media_id"])

    # --- the AccountMenus port: user tags and menus ---

    def get_tags(self) -> dict[str, int]:
        result = self._call("GET", "tags/get")
        return {str(tag["name"]): int(tag["id"]) for tag in result.get("tags") or []}

    def create_tag(self, name: str) -> int:
        result = self._call("POST", "tags/create", body={"tag": {"name": name}})
        return int(result["tag"]["id"])

    def tag_users(self, tag_id: int, openids: list[str]) -> None:
        for start in range(0, len(openids), TAGGING_BATCH):
            body = {"openid_list": openids[start : start + TAGGING_BATCH], "tagid": tag_id}
            self._call("POST", "tags/members/batchtagging", body=body)

    def untag_users(self, tag_id: int, openids: list[str]) -> None:
        for start in range(0, len(openids), TAGGING_BATCH):
            body = {"openid_list": openids[start : start + TAGGING_BATCH], "tagid": tag_id}
            self._call("POST", "tags/members/batchuntagging", body=body)

    def user_tags(self, openid: str) -> list[int]:
        result = self._call("POST", "tags/getidlist", body={"openid": openid})
        return [int(tag_id) for tag_id in result.get("tagid_list") or []]

    def create_menu(self, buttons: list[dict[str, Any]]) -> None:
        self._call("POST", "menu/create", body={"button": buttons})

    def add_conditional_menu(self, buttons: list[dict[str, Any]], matchrule: dict[str, str]) -> str:
        result = self._call("POST", "menu/addconditional", body={"button": buttons, "matchrule": matchrule})
        return str(result["menuid"])

    def get_menu(self) -> dict[str, Any]:
        try:
            return self._call("GET", "menu/get")
        except NotifyError as exc:
            if exc.code == NO_MENU:  # an account without any menu yet
                return {}
            raise

    def delete_conditional_menu(self, menuid: str) -> None:
        self._call("POST", "menu/delconditional", body={"menuid": menuid})

    def try_match_menu(self, user_id: str) -> list[dict[str, Any]]:
        result = self._call("POST", "menu/trymatch", body={"user_id": user_id})
        return list(result.get("button") or [])

    # --- the token ---

    def _fetch_token(self) -> tuple[str, float]:
        """One call to /cgi-bin/stable_token in normal mode (`force_refresh` false).

        WeChat answers every caller with the same token while it lives (and a new one only in its last 5 minutes,
        the old one still working), so processes that cannot share a cache (no Redis, or Redis down) do not
        invalidate each other as they would with /cgi-bin/token, where every call starts a new token. A forced
        refresh is never asked for: it would invalidate every other process's token at once. A token WeChat
        refused (40001/42001) is asked for again in normal mode, which returns the newer one.
        """
        log.info("fetching a WeChat access token for %s", self.appid)
        body = {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret, "force_refresh": False}
        response = self._transport(
            "POST",
            f"{self.api_base}/cgi-bin/stable_token",
            "stable_token",
            params=None,
            data=json.dumps(body).encode("utf-8"),
            files=None,
        )
        result = self._json(response, "stable_token")
        if "access_token" not in result:
            # a refused appid/secret or an IP not on the whitelist: a configuration problem, not the message's
            raise RetryLater(
                str(result.get("errmsg", "no access_token in answer")), code=result.get("errcode"), path="stable_token"
            )
        return str(result["access_token"]), float(result.get("expires_in", 7200))

    # --- the plumbing ---

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        files: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """One API call as JSON, with the token retry and the system-busy backoff."""
        response = self._call_raw(method, path, body=body, params=params, files=files)
        return self._json(response, path)

    def _call_raw(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        files: dict[str, Any] | None = None,
    ) -> requests.Response:
        # JSON with ensure_ascii=False: WeChat shows \\uXXXX escapes to the user literally
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        token_retried = False
        busy_tries = 0
        while True:
            token = self.token.get()
            query = {**(params or {}), "access_token": token}
            response = self._transport(
                method, f"{self.api_base}/cgi-bin/{path}", path, params=query, data=data, files=files
            )
            code = _errcode(response)
            if not code:
                return response
            if code in TOKEN_ERRORS and not token_retried:
                log.info("%s: token refused (%s); getting a new one and retrying once", path, code)
                self.token.invalidate(token)
                token_retried = True
                continue
            if code == SYSTEM_BUSY and busy_tries < self.busy_retries:
                delay = self.busy_backoff * (2**busy_tries)
                busy_tries += 1
                log.info("%s: WeChat busy (-1); try %d again in %.2fs", path, busy_tries + 1, delay)
                time.sleep(delay)
                continue
            result = self._json(response, path)
            raise NotifyError.for_code(code, str(result.get("errmsg", "")), path=path)

    def _transport(
        self,
        method: str,
        url: str,
        path: str,
        *,
        params: dict[str, str] | None,
        data: bytes | None,
        files: dict[str, Any] | None,
    ) -> requests.Response:
        """One HTTP exchange; timeouts, connection errors and 5xx become `RetryLater`."""
        headers = {"Content-Type": "application/json; charset=utf-8"} if data is not None else None
        try:
            response = self.http.request(
                method, url, params=params, data=data, files=files, headers=headers, timeout=self.timeout
            )
        except requests.Timeout as exc:
            raise RetryLater(f"timed out: {exc}", path=path) from exc
        except requests.RequestException as exc:
            raise RetryLater(f"connection failed: {exc}", path=path) from exc
        if response.status_code >= 500:
            raise RetryLater(f"HTTP {response.status_code}", path=path)
        if response.status_code >= 400:
            raise GiveUp(f"HTTP {response.status_code}", path=path)
        return response

    @staticmethod
    def _json(response: requests.Response, path: str) -> dict[str, Any]:
        try:
            result = json.loads(response.content.decode("utf-8", "replace"), strict=False)
        except ValueError as exc:
            raise RetryLater("answer is not JSON", path=path) from exc
        if not isinstance(result, dict):
            raise RetryLater("answer is not a JSON object", path=path)
        return result


def _errcode(response: requests.Response) -> int:
    """WeChat's errcode in a JSON answer, 0 for success and for binary answers (media)."""
    content_type = response.headers.get("Content-Type", "")
    if not content_type.startswith(("application/json", "text/plain")) or not response.content.lstrip().startswith(
        b"{"
    ):
        return 0
    try:
        result = json.loads(response.content.decode("utf-8", "replace"), strict=False)
    except ValueError:
        return 0
    try:
        return int(result.get("errcode", 0)) if isinstance(result, dict) else 0
    except (TypeError, ValueError):
        return 0


def _filename(response: requests.Response) -> str:
    disposition = response.headers.get("Content-Disposition", "")
    _, _, name = disposition.partition("filename=")
    return name.strip().strip('"')
