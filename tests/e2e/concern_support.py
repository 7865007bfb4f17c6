"""Public concerns end to end: the webhook on loopback pointed at the fake WeChat API, a school with a bound
inspector and a bound school contact, simulated users who scan, write and send photos, and the worker's jobs.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import select

from backend.app import create_app
from backend.config import Config
from backend.domain.kinds import Role
from backend.jobs.media_fetcher import fetch_media
from backend.jobs.outbox_sender import send_outbox
from backend.kv import KV
from backend.runtime import Runtime
from backend.services import binding
from backend.store.db import Database
from backend.store.models import WechatIdentity
from bot import webhook
from bot.fake_wechat import RunningFakeWeChat
from bot.fake_wechat.pusher import WeChatPusher
from tests.e2e.conftest import serve_app
from tests.e2e.webhook_support import TOKEN, School, new_aes_key, seed_school

SECRET_KEY = "concern-test-secret"
TEMPLATES = {
    "concern_received": "tpl-concern-received",
    "concern_acknowledged": "tpl-concern-acknowledged",
    "concern_answered": "tpl-concern-answered",
    "concern_overdue": "tpl-concern-overdue",
}
INSPECTOR, CONTACT = "o-inspector-wang", "o-school-contact"
GPS_MARK = b"ReporterPhoneMaker"


def photo_with_gps(colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A JPEG carrying a device name and a GPS position in its EXIF, as phones write them."""
    image = Image.new("RGB", (80, 60), colour)
    exif = Image.Exif()
    exif[0x010F] = GPS_MARK.decode()  # Make
    exif[0x8825] = {1: "N", 2: (27.0, 48.0, 12.0), 3: "E", 4: (114.0, 23.0, 5.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


@dataclass
class Stage:
    url: str
    runtime: Runtime
    sender: WeChatPusher
    fake: RunningFakeWeChat
    school: School

    @property
    def db(self) -> Database:
        return self.runtime.db

    def say(self, openid: str, text: str) -> str:
        self.fake.interact(openid)  # WeChat opens the 48 h window when the user writes
        answer = self.sender.send(self.sender.text(openid, text))
        assert answer.status == 200, answer.content
        return answer.content

    def photo(self, openid: str, content: bytes) -> str:
        media_id = self.fake.seed_media(content, "image/jpeg", "photo.jpg")
        self.fake.interact(openid)
        answer = self.sender.send(self.sender.image(openid, media_id=media_id))
        assert answer.status == 200
        return answer.content

    def scan(self, openid: str, *, following: bool) -> str:
        self.fake.interact(openid, kind="event")
        scene = f"s:{self.school.code}"
        push = self.sender.scan(openid, scene) if following else self.sender.subscribe(openid, scene=scene)
        answer = self.sender.send(push)
        assert answer.status == 200
        return answer.content

    def run_jobs(self) -> None:
        """What `dudao worker` does between two messages: keep media, send the outbox."""
        fetch_media(self.runtime)
        send_outbox(self.runtime)

    def close_window(self, openid: str) -> None:
        """Two days pass without a word from `openid`: for WeChat and for our records."""
        with self.db.session() as session:
            me = session.scalars(select(WechatIdentity).where(WechatIdentity.openid == openid)).one()
            if me.last_inbound_at is not None:
                me.last_inbound_at -= timedelta(hours=49)
        long_ago = self.fake.state.now() - 49 * 3600
        self.fake.interact(openid, at=long_ago)
        self.fake.interact(openid, at=long_ago, kind="event")

    def sent(self, openid: str) -> list[dict[str, Any]]:
        return self.fake.sent(openid)

    def bind(self, openid: str, role: Role, key: str) -> str:
        with self.db.session() as session:
            code = binding.issue_code(session, role=role, key=key, pepper=SECRET_KEY, actor="office:test").code
        return self.say(openid, f"绑定 {code}")

    def identity(self, openid: str) -> WechatIdentity:
        with self.db.session() as session:
            return session.scalars(select(WechatIdentity).where(WechatIdentity.openid == openid)).one()


@contextmanager
def concern_stage(
    db: Database, kv: KV, fake: RunningFakeWeChat, instance: Path, *, safe: bool = True
) -> Iterator[Stage]:
    """The webhook (safe mode by default) on loopback, WeChat's API faked, the inspector and the school bound."""
    config = fake.configure(
        Config(
            database_url=db.url,
            secret_key=SECRET_KEY,
            wechat_token=TOKEN,
            wechat_aes_key=new_aes_key() if safe else None,
            instance_dir=instance,
            templates=dict(TEMPLATES),
            testing=True,
        )
    )
    runtime = Runtime(config=config, db=db, kv=kv)
    app = create_app(runtime=runtime)
    edge = webhook.install(app)
    school = seed_school(db)
    try:
        with serve_app(app) as base:
            sender = WeChatPusher(
                base + "/wechat", token=TOKEN, appid=fake.appid, aes_key=config.wechat_aes_key, clock=runtime.clock
            )
            stage = Stage(base, runtime, sender, fake, school)
            stage.bind(INSPECTOR, Role.INSPECTOR, school.inspector_number)
            stage.bind(CONTACT, Role.UNIT, school.code)
            yield stage
    finally:
        edge.inbox.close()
