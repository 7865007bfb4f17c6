"""Running the fake WeChat: in a background thread (tests, the demo), and a small client for its controls."""

from __future__ import annotations

import base64
import threading
from datetime import datetime
from typing import Any

import requests
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from backend.config import Config
from bot.fake_wechat.app import DEFAULT_APPID, DEFAULT_SECRET, create_fake_app
from bot.fake_wechat.state import FakeWeChat


class _QuietHandler(WSGIRequestHandler):
    """No access log line per request: the tests' output stays readable (and tokens stay out of it)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class FakeWeChatControl:
    """The `/_fake/` controls of a fake server at `base_url`, in whatever process or thread it runs."""

    def __init__(self, base_url: str, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.http = requests.Session()

    def _post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.http.post(f"{self.base_url}/_fake/{path}", json=body or {}, timeout=self.timeout)
        response.raise_for_status()
        return response.json()

    def _get(self, endpoint: str, **params: str) -> Any:
        response = self.http.get(f"{self.base_url}/_fake/{endpoint}", params=params, timeout=self.timeout)
        response.raise_for_status()
        return response.json()

    def interact(self, openid: str, at: datetime | float | None = None, kind: str = "message") -> None:
        """The user wrote to the account (`message`), or followed/scanned/clicked (`event`): the window opens."""
        when = at.isoformat() if isinstance(at, datetime) else at
        self._post("interaction", {"openid": openid, "at": when, "kind": kind})

    def set_following(self, openid: str, following: bool) -> None:
        self._post("follow", {"openid": openid, "following": following})

    def sent(self, openid: str | None = None) -> list[dict[str, Any]]:
        """What WeChat delivered (to `openid`, or to everyone)."""
        return list(self._get("sent", **({"openid": openid} if openid else {})))

    def requests(self, path: str | None = None) -> list[dict[str, Any]]:
        return list(self._get("requests", **({"path": path} if path else {})))

    def stats(self) -> dict[str, Any]:
        return dict(self._get("stats"))

    def menu_of(self, openid: str) -> dict[str, Any]:
        """`{"button": [...] | None, "tags": [names]}`: the menu `openid` sees by their tags, as WeChat matches it."""
        return dict(self._get("menu", openid=openid))

    def fail(
        self, path: str, *, errcode: int | None = None, delay: float = 0.0, count: int = 1, status: int | None = None
    ) -> None:
        """The next `count` calls to `path` wait `delay` seconds, then answer `errcode` (or HTTP `status`)."""
        self._post("fail", {"path": path, "errcode": errcode, "delay": delay, "count": count, "status": status})

    def expire_token(self) -> None:
        self._post("token/expire")

    def invalidate_token(self) -> None:
        self._post("token/invalidate")

    def seed_media(self, content: bytes, content_type: str, filename: str = "", media_id: str | None = None) -> str:
        body = {
            "content_base64": base64.b64encode(content).decode(),
            "content_type": content_type,
            "filename": filename,
            "media_id": media_id,
        }
        return str(self._post("media", body)["media_id"])

    def advance_clock(self, seconds: float) -> None:
        self._post("clock", {"advance": seconds})

    def reset(self) -> None:
        self._post("reset")

    def close(self) -> None:
        self.http.close()


class RunningFakeWeChat(FakeWeChatControl):
    """A fake server serving from a daemon thread; `stop()` shuts it down."""

    def __init__(self, server: BaseWSGIServer, state: FakeWeChat) -> None:
        host, port = server.host, server.port
        super().__init__(f"http://{host}:{port}")
        self.server = server
        self.state = state
        self.appid = state.appid
        self.secret = state.secret
        self.port = int(port)
        self._thread = threading.Thread(target=server.serve_forever, name=f"fake-wechat:{port}", daemon=True)
        self._thread.start()

    def configure(self, config: Config) -> Config:
        """`config` with this fake's account and API base."""
        return config.with_(wechat_appid=self.appid, wechat_secret=self.secret, wechat_api_base=self.base_url)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)
        self.close()

    def __enter__(self) -> RunningFakeWeChat:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_fake_wechat(
    host: str = "127.0.0.1", port: int = 0, appid: str = DEFAULT_APPID, secret: str = DEFAULT_SECRET
) -> RunningFakeWeChat:
    """Start a fake WeChat on `host:port` (0: a free port) in a thread; its address is `.base_url`."""
    app = create_fake_app(appid, secret)
    server = make_server(host, port, app, threaded=True, request_handler=_QuietHandler)
    return RunningFakeWeChat(server, app.extensions["fake_wechat"])
