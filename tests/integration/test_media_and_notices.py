"""Media users send is fetched and kept (the public's photos without metadata); notices pick their channel."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from backend.app import wire_notifier
from backend.config import Config
from backend.jobs.sweep import run_sweep, sweep_steps
from backend.kv import KV, RedisKV
from backend.runtime import Runtime
from backend.services import media, notices
from backend.store.db import Database
from backend.store.models import Media, OutboxMessage, WechatIdentity
from bot.fake_wechat import RunningFakeWeChat

pytest_plugins = ["tests.fake_wechat_fixture"]


def photo_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def runtime_for(database: Database, kv: KV, fake: RunningFakeWeChat, tmp_path: Path) -> Runtime:
    config = fake.configure(Config(database_url=database.url, instance_dir=tmp_path))
    return wire_notifier(Runtime(config=config, db=database, kv=kv))


def test_a_public_photo_is_kept_without_its_metadata_and_a_staff_photo_keeps_it(
    database: Database, kv: KV, fake_wechat: RunningFakeWeChat, tmp_path: Path
) -> None:
    rt = runtime_for(database, kv, fake_wechat, tmp_path)
    original = photo_with_gps()
    public_id = fake_wechat.seed_media(original, "image/jpeg", "a.jpg")
    staff_id = fake_wechat.seed_media(original, "image/jpeg", "b.jpg")
    with database.session() as s:
        media.attach(s, owner_type="concern", owner_id=1, kind="image", wechat_media_id=public_id, strip_metadata=True)
        media.attach(s, owner_type="visit", owner_id=1, kind="image", wechat_media_id=staff_id, strip_metadata=False)

    assert media.fetch_pending(rt.db, rt.notifier, rt.config.media_dir) == 2
    assert media.fetch_pending(rt.db, rt.notifier, rt.config.media_dir) == 0  # nothing fetched twice

    with database.session() as s:
        public, staff = s.scalars(select(Media).order_by(Media.id)).all()
        public_file, staff_file = media.path_of(public, rt.config.media_dir), media.path_of(staff, rt.config.media_dir)
        assert public_file and staff_file and public_file.exists() and staff_file.exists()
        assert public.exif_stripped and not staff.exif_stripped
        assert b"PhoneMaker" not in public_file.read_bytes()
        assert b"PhoneMaker" in staff_file.read_bytes()
        with Image.open(public_file) as kept:
            assert not kept.getexif() and kept.size == (64, 48)


def test_media_wechat_no_longer_has_is_given_up(
    database: Database, kv: KV, fake_wechat: RunningFakeWeChat, tmp_path: Path
) -> None:
    rt = runtime_for(database, kv, fake_wechat, tmp_path)
    with database.session() as s:
        media.attach(s, owner_type="concern", owner_id=1, kind="image", wechat_media_id="gone", strip_metadata=True)
    assert media.fetch_pending(rt.db, rt.notifier, rt.config.media_dir) == 0
    with database.session() as s:
        row = s.scalars(select(Media)).one()
        assert row.fetched_at is None and row.next_fetch_at is None and row.fetch_error


def test_a_busy_api_is_retried_later_and_the_photo_is_kept_then(
    database: Database, kv: KV, fake_wechat: RunningFakeWeChat, tmp_path: Path
) -> None:
    rt = runtime_for(database, kv, fake_wechat, tmp_path)
    good = fake_wechat.seed_media(photo_with_gps(), "image/jpeg")
    with database.session() as s:
        media.attach(s, owner_type="concern", owner_id=2, kind="image", wechat_media_id=good, strip_metadata=True)
    fake_wechat.fail("/cgi-bin/media/get", errcode=-1, count=3)  # the client's own retries included
    assert media.fetch_pending(rt.db, rt.notifier, rt.config.media_dir) == 0
    with database.session() as s:
        row = s.scalars(select(Media)).one()
        assert row.fetched_at is None and row.fetch_attempts == 1
        assert row.next_fetch_at is not None and row.next_fetch_at > database.clock.now()
    assert media.fetch_pending(rt.db, rt.notifier, rt.config.media_dir) == 0  # not due yet
    assert (
        media.fetch_pending(rt.db, rt.notifier, rt.config.media_dir, now=database.clock.now() + timedelta(hours=1)) == 1
    )


def test_a_notice_goes_as_text_inside_the_window_and_as_a_template_outside(database: Database) -> None:
    now = database.clock.now()
    with database.session() as s:
        s.add(WechatIdentity(openid="o-recent", last_inbound_at=now - timedelta(hours=47)))
        s.add(WechatIdentity(openid="o-old", last_inbound_at=now - timedelta(hours=49)))
        s.flush()
        fields = {"ticket_no": "T1", "school": "城关二小", "category": "食堂", "received_at": "2026-11-22 09:00"}
        added = notices.notify(
            s,
            ["o-recent", "o-old", "o-recent"],
            notice="concern_received",
            text="新留言",
            fields=fields,
            dedupe_key="concern:1:received",
            now=now,
        )
        assert added == 2
        again = notices.notify(
            s,
            ["o-recent", "o-old"],
            notice="concern_received",
            text="新留言",
            fields=fields,
            dedupe_key="concern:1:received",
            now=now,
        )
        assert again == 0
    with database.session() as s:
        rows = {r.openid: r for r in s.scalars(select(OutboxMessage))}
        assert rows["o-recent"].kind == "text" and rows["o-recent"].payload["content"] == "新留言"
        assert rows["o-recent"].payload["fields"]["ticket_no"] == "T1"  # for a fallback to the template
        assert rows["o-old"].kind == "template" and rows["o-old"].notice == "concern_received"


def test_the_sweep_runs_once_at_a_time_and_still_runs_with_the_store_down(database: Database, kv: KV) -> None:
    rt = Runtime(config=Config(database_url=database.url), db=database, kv=kv)
    steps = [name for name, _ in sweep_steps()]
    swept = run_sweep(rt)
    assert swept is not None and list(swept) == steps and not any("failed" in r for r in swept.values())
    with kv.lock("sweep", ttl=5):
        assert run_sweep(rt) is None
    down = Runtime(config=rt.config, db=database, kv=RedisKV("redis://127.0.0.1:1/0"))
    assert run_sweep(down) == swept
