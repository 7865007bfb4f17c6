"""Issue 13.4: image bombs (a small file of a huge picture) are measured from the header, never decoded.

The media job gives a bomb up once and keeps the photos around it; the board page's form refuses one in Chinese.
"""

from __future__ import annotations

import io
import re
import resource
import struct
import time
import zlib
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import TestResponse, encode_multipart

from backend.kv import KV
from backend.services import images, media
from backend.store.db import Database
from backend.store.models import Concern, Media
from bot.fake_wechat import RunningFakeWeChat
from tests.integration.test_media_and_notices import photo_with_gps, runtime_for
from tests.integration.test_office_web import Seeded, make_app, seed_activity, sign_in

pytest_plugins = ["tests.fake_wechat_fixture"]


def png_bomb(width: int, height: int, *, rgba: bool) -> bytes:
    """A one-colour PNG of width x height, written row by row (never held as pixels): a few hundred KB."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    # RGBA 8 bits, or 1-bit grey (a 30000x30000 RGB body would take a minute to compress; the header is the bomb)
    depth, colour, row_bytes = (8, 6, width * 4) if rgba else (1, 0, (width + 7) // 8)
    packer = zlib.compressobj(9)
    row = b"\0" + b"\0" * row_bytes
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def wechat_bomb() -> bytes:
    return png_bomb(30000, 30000, rgba=False)


@pytest.fixture(scope="module")
def form_bomb() -> bytes:
    return png_bomb(9400, 9400, rgba=True)


def test_the_bombs_are_small_files_measured_from_their_header(wechat_bomb: bytes, form_bomb: bytes) -> None:
    assert len(wechat_bomb) < 1024 * 1024 and len(form_bomb) < 1024 * 1024
    for bomb in (wechat_bomb, form_bomb):
        started = time.monotonic()
        with pytest.raises(images.BadImage) as refused:
            images.measure(bomb)
        assert refused.value.reason == "too_big"
        assert time.monotonic() - started < 0.5
    assert images.measure(photo_with_gps()) == ("image/jpeg", (64, 48))


def test_the_media_job_gives_a_bomb_up_once_and_keeps_the_photos_around_it(
    database: Database, kv: KV, fake_wechat: RunningFakeWeChat, tmp_path: Path, wechat_bomb: bytes
) -> None:
    rt = runtime_for(database, kv, fake_wechat, tmp_path)
    before = fake_wechat.seed_media(photo_with_gps(), "image/jpeg", "before.jpg")
    bomb = fake_wechat.seed_media(wechat_bomb, "image/png", "bomb.png")
    after = fake_wechat.seed_media(photo_with_gps(), "image/jpeg", "after.jpg")
    with database.session() as s:
        for media_id in (before, bomb, after):
            media.attach(
                s, owner_type="concern", owner_id=1, kind="image", wechat_media_id=media_id, strip_metadata=True
            )

    assert media.fetch_pending(rt.db, rt.notifier, rt.config.media_dir) == 2
    assert media.fetch_pending(rt.db, rt.notifier, rt.config.media_dir) == 0  # the bomb is not tried again
    with database.session() as s:
        rows = {row.wechat_media_id: row for row in s.scalars(select(Media))}
        assert rows[before].fetched_at is not None and rows[after].fetched_at is not None
        given_up = rows[bomb]
        assert given_up.fetched_at is None and given_up.next_fetch_at is None and given_up.path == ""
        assert "图片尺寸过大" in given_up.fetch_error  # what the office reads on the concern's page


def test_the_office_reads_on_the_concern_that_a_photo_was_not_kept(
    database: Database, kv: KV, fake_wechat: RunningFakeWeChat, tmp_path: Path, wechat_bomb: bytes
) -> None:
    seeded = seed_activity(database)
    rt = runtime_for(database, kv, fake_wechat, tmp_path)
    bomb = fake_wechat.seed_media(wechat_bomb, "image/png", "bomb.png")
    with database.session() as s:
        media.attach(
            s, owner_type="concern", owner_id=seeded.concern_a, kind="image", wechat_media_id=bomb, strip_metadata=True
        )
    media.fetch_pending(rt.db, rt.notifier, rt.config.media_dir)
    office = make_app(database, tmp_path).test_client()
    sign_in(office, "admin")
    page = office.get(f"/office/concerns/{seeded.concern_a}")
    assert page.status_code == 200
    assert "有一张图片未能保存" in page.text and "正在从微信取回" not in page.text


def _form(client: FlaskClient, code: str) -> str:
    page = client.get(f"/b/{code}")
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert page.status_code == 200 and token is not None
    return token.group(1)


def post_form(client: FlaskClient, code: str, fields: dict[str, str], photos: list[tuple[str, bytes]]) -> TestResponse:
    """The form posted as a phone posts it; the body built in memory (the test client would spool it to a file)."""
    values = MultiDict([*fields.items(), *(("photos", FileStorage(io.BytesIO(c), name)) for name, c in photos)])
    boundary, body = encode_multipart(values)
    return client.post(
        f"/b/{code}",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers={"Origin": "http://localhost"},
    )


def test_the_board_page_refuses_nine_bombs_in_chinese_without_decoding_them(
    app: Flask, seeded: Seeded, database: Database, form_bomb: bytes
) -> None:
    client = app.test_client()
    token = _form(client, seeded.school_a)
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    started = time.monotonic()
    response = post_form(
        client,
        seeded.school_a,
        {"content": "食堂后厨的照片，请督学看看卫生情况", "category": "", "token": token},
        [(f"厨房{n}.png", form_bomb) for n in range(9)],
    )
    elapsed = time.monotonic() - started
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) / 1024
    assert response.status_code == 400
    assert "图片尺寸太大" in response.text
    assert elapsed < 3, elapsed  # decoding one took 7 s
    assert grown_mib < 100, grown_mib  # decoding one took 1.3 GB
    with database.sessions() as s:
        assert s.scalar(select(Concern).where(Concern.channel == "web")) is None  # nothing recorded


def test_the_board_page_still_keeps_an_honest_photo(app: Flask, seeded: Seeded, database: Database) -> None:
    client = app.test_client()
    token = _form(client, seeded.school_a)
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (90, 140, 60)).save(out, "PNG")
    response = client.post(
        f"/b/{seeded.school_a}",
        data={
            "content": "操场跑道有破损，孩子容易摔倒",
            "token": token,
            "photos": [(io.BytesIO(out.getvalue()), "跑道.png")],
        },
        headers={"Origin": "http://localhost"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.text


def test_an_inspector_photo_that_is_a_bomb_is_not_imported(
    database: Database, tmp_path: Path, form_bomb: bytes
) -> None:
    from backend.services.importing import ImportKind
    from tests.integration.test_import import INSPECTOR_HEADER, problems, run, write_xlsx

    (tmp_path / "照片").mkdir()
    (tmp_path / "照片" / "张明.png").write_bytes(form_bomb)
    rows = [["D001", "张明", "13900000001", "兼职", "否", "", "照片/张明.png"]]
    report = run(database, ImportKind.INSPECTORS, write_xlsx(tmp_path / "i.xlsx", INSPECTOR_HEADER, rows))
    assert problems(report) == {(2, "照片")}  # refused as no photo: a board would have decoded it


def test_a_big_public_jpeg_is_decoded_at_a_reduced_scale() -> None:
    out = io.BytesIO()
    Image.new("RGB", (7000, 5000), (120, 160, 200)).save(out, "JPEG", quality=80)
    kept = media.without_metadata(out.getvalue())
    with Image.open(io.BytesIO(kept)) as image:
        assert image.size == (3500, 2500)  # half the side, a quarter of the memory, still a sharp photo
