"""What the demo adds for the simulator: the fake WeChat API as a companion, and `instance/demo.json`.

The demo runs in safe mode, like production: a fresh token and EncodingAESKey per run, so every message of
`dudao chat` and of /sim goes through the same signature check and AES envelope as WeChat's would. The outbox
worker talks to the fake API, never to the real WeChat. `demo.json` (readable by its owner only: it holds the
token and key) tells `dudao chat` where to send; it is removed when the demo stops.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot.fake_wechat import RunningFakeWeChat, start_fake_wechat
from messages import t
from messages.templates import TEMPLATE_FIELDS

DEMO_FILE = "demo.json"
DEMO_APPID = "wxdemo0000000001"
DEMO_SECRET = "demo-secret"  # noqa: S105 - the fake API's own credential, only ever used on loopback


def demo_templates() -> dict[str, str]:
    """One template id per notice kind, as `DUDAO_TEMPLATE_<KIND>` would give them (docs/wechat.md)."""
    return {kind: f"demo-tpl-{kind.replace('_', '-')}" for kind in TEMPLATE_FIELDS}


def new_aes_key() -> str:
    """A 43-character EncodingAESKey, as the WeChat console generates them."""
    return base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")


class FakeWeChatCompanion:
    """The fake WeChat API on a free loopback port, in a thread, for as long as the demo runs."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.name = t("sim.demo.companion")
        self.host = host
        self.token = secrets.token_hex(16)
        self.aes_key = new_aes_key()
        self.running: RunningFakeWeChat | None = None

    def start(self) -> dict[str, Any]:
        self.running = start_fake_wechat(self.host, 0, appid=DEMO_APPID, secret=DEMO_SECRET)
        return {
            "wechat_api_base": self.running.base_url,
            "wechat_appid": DEMO_APPID,
            "wechat_secret": DEMO_SECRET,
            "wechat_token": self.token,
            "wechat_aes_key": self.aes_key,
            "templates": demo_templates(),
        }

    @property
    def url(self) -> str:
        return self.running.base_url if self.running else ""

    def stop(self) -> None:
        if self.running is not None:
            self.running.stop()
            self.running = None


@dataclass(frozen=True)
class DemoFile:
    """Where a running demo is and how to talk to it, for `dudao chat`."""

    url: str
    fake_api: str
    appid: str
    token: str
    aes_key: str | None
    database_url: str = ""  # for `dudao bind-code` and the other commands that work on the demo's data
    inspector_number: str = ""  # a demo inspector to bind to
    school_code: str = ""  # one of their schools: to bind its contact, or to scan

    @property
    def wechat_url(self) -> str:
        return f"{self.url}/wechat"

    def write(self, instance_dir: Path) -> Path:
        path = instance_dir / DEMO_FILE
        instance_dir.mkdir(parents=True, exist_ok=True)
        data = asdict(self) | {"wechat_url": self.wechat_url, "sim_url": f"{self.url}/sim"}
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=2)
        return path

    @classmethod
    def read(cls, instance_dir: Path) -> DemoFile | None:
        """The running demo's file, or None when there is none (or it is unreadable)."""
        try:
            data = json.loads((instance_dir / DEMO_FILE).read_text(encoding="utf-8"))
            return cls(
                url=str(data["url"]),
                fake_api=str(data["fake_api"]),
                appid=str(data["appid"]),
                token=str(data["token"]),
                aes_key=data.get("aes_key") or None,
                database_url=str(data.get("database_url", "")),
                inspector_number=str(data.get("inspector_number", "")),
                school_code=str(data.get("school_code", "")),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    @staticmethod
    def remove(instance_dir: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            (instance_dir / DEMO_FILE).unlink()
