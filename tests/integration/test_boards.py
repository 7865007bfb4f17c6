"""Boards from the database: the QR code decodes to exactly the stored content, at A4 and A3, on PNG and PDF;
the board follows the school's CURRENT inspector while its QR code stays the same."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import func, select

from backend.config import Config
from backend.kv import MemoryKV
from backend.services.boards import (
    NoSuchSchool,
    NoSuchZone,
    board_specs,
    photo_path,
    select_schools,
)
from backend.services.schools import assign_inspector
from backend.store.db import Database
from backend.store.models import AuditEvent, BoardCode, Inspector, Unit
from bot.fake_wechat import RunningFakeWeChat
from bot.wechat.client import WeChatClient
from qr_boards.batch import render_pngs, write_pdf
from qr_boards.render import render_board_png
from qr_boards.spec import BoardSpec, PageSize
from tests.builders import County as CountyBuilder
from tests.conftest import IN_CI

pytest_plugins = ["tests.fake_wechat_fixture"]

ZONE = "城关第一责任区"
SCHOOLS = {
    "2199010001": ("青禾县城关第一小学", "primary"),
    "2199010002": ("青禾县机关幼儿园", "kindergarten"),
    "2199010003": ("青禾县白沙镇石桥村和平民族九年一贯制学校（第二校区）附属实验幼儿园", "nine_year"),
}


def require_tool(name: str) -> str:
    """The tool's path; a missing tool skips the test, except in CI where it fails it."""
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} is required when CI=true (scripts/system-deps.sh installs it)", pytrace=False)
        pytest.skip(f"{name} is not installed")
    return path


def zbar(path: Path) -> list[str]:
    """Every QR code zbarimg finds in an image, as text."""
    out = subprocess.run(
        [require_tool("zbarimg"), "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return [line for line in out.stdout.splitlines() if line]


def pdf_pages_at(pdf: Path, dpi: int, out_dir: Path) -> list[Path]:
    subprocess.run(
        [require_tool("pdftoppm"), "-r", str(dpi), "-png", str(pdf), str(out_dir / "page")], check=True, timeout=120
    )
    return sorted(out_dir.glob("page-*.png"))


@dataclass
class County:
    config: Config
    first: Inspector
    second: Inspector


def write_photo(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (450, 600), (70, 110, 170))
    ImageDraw.Draw(image).ellipse((150, 110, 300, 300), fill=(236, 204, 176))
    ImageDraw.Draw(image).ellipse((60, 340, 390, 760), fill=(30, 34, 50))
    image.save(path, quality=90)


def seed_county(database: Database, instance_dir: Path) -> County:
    """A county with one zone of three schools and a township, two inspectors (one with a photo)."""
    config = Config(database_url=database.url, instance_dir=instance_dir, public_url="https://dudao.example.cn")
    write_photo(config.media_dir / "inspectors" / "QH-DX-001.jpg")
    with database.session() as session:
        build = CountyBuilder(session)
        build.authority.office_name = "青禾县人民政府教育督导室"
        build.authority.hotline = "0123-66551200"
        zone, other = build.zone(ZONE), build.zone("龙泉责任区")
        first = build.inspector("QH-DX-001", "欧阳建国", "13800009349", photo="inspectors/QH-DX-001.jpg")
        second = build.inspector("QH-DX-002", "李秀兰", "13900001111")
        for code, (name, kind) in SCHOOLS.items():
            build.assign(first, build.unit(code, name, kind, zone=zone))
        build.unit("2199020001", "柳河镇", "township", zone=zone)
        build.school("2199030001", "龙泉中心小学", zone=other)
    return County(config, first, second)


@pytest.fixture
def county(database: Database, tmp_path: Path) -> County:
    return seed_county(database, tmp_path / "instance")


@pytest.fixture
def wechat(fake_wechat: RunningFakeWeChat, county: County) -> Iterator[WeChatClient]:
    county.config = fake_wechat.configure(county.config)
    client = WeChatClient.from_config(county.config, MemoryKV())
    yield client
    client.close()


def specs_for(
    database: Database, config: Config, client: WeChatClient | None = None, **selection: Any
) -> list[BoardSpec]:
    with database.session() as session:
        schools = select_schools(session, **selection)
        return board_specs(session, config, schools, client).specs


@pytest.mark.parametrize("size", [PageSize.A4, PageSize.A3], ids=["a4", "a3"])
def test_every_board_decodes_to_the_stored_wechat_url_on_png_and_pdf(
    database: Database, county: County, wechat: WeChatClient, size: PageSize, tmp_path: Path
) -> None:
    specs = specs_for(database, county.config, wechat, zone_name=ZONE)
    with database.session() as session:
        stored = {
            code: url
            for code, url in session.execute(
                select(Unit.code, BoardCode.qr_url).join(BoardCode, BoardCode.unit_id == Unit.id)
            )
        }
    assert sorted(stored) == sorted(SCHOOLS)
    assert all(url.startswith("http") for url in stored.values())
    # each board at print size (300 dpi), read by zbar
    for spec, png in render_pngs(specs, size, workers=1):
        path = tmp_path / f"{spec.school_code}.png"
        path.write_bytes(png)
        with Image.open(path) as image:
            assert image.size == size.pixels(300)
        assert zbar(path) == [stored[spec.school_code]]
    # the PDF's pages, rasterised at 150 dpi as a cheap print would be
    pdf = tmp_path / "boards.pdf"
    list(write_pdf(render_pngs(specs, size, workers=2), pdf, size))
    pages = pdf_pages_at(pdf, 150, tmp_path)
    assert [zbar(page) for page in pages] == [[stored[spec.school_code]] for spec in specs]


def test_without_an_official_account_the_board_points_to_the_public_page(
    database: Database, county: County, tmp_path: Path
) -> None:
    (spec,) = specs_for(database, county.config, school_code="2199010002")
    assert spec.qr_content == "https://dudao.example.cn/b/2199010002"
    assert spec.labels.qr_hint.startswith("手机扫码")
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(BoardCode)) == 0
    path = tmp_path / "board.png"
    path.write_bytes(render_board_png(spec, PageSize.A4))
    assert zbar(path) == ["https://dudao.example.cn/b/2199010002"]


def test_the_wechat_code_is_created_once_per_school_and_kept(
    database: Database,
    county: County,
    wechat: WeChatClient,
    fake_wechat: RunningFakeWeChat,
) -> None:
    first = specs_for(database, county.config, wechat, zone_name=ZONE)
    again = specs_for(database, county.config, wechat, zone_name=ZONE)
    assert [s.qr_content for s in first] == [s.qr_content for s in again]
    assert len(fake_wechat.requests("/cgi-bin/qrcode/create")) == len(SCHOOLS)
    assert first[0].labels.qr_hint.startswith("微信扫码")
    with database.session() as session:
        scenes = set(session.scalars(select(BoardCode.scene_str)))
        audits = session.scalar(select(func.count()).where(AuditEvent.action == "board_code.created"))
    assert scenes == {f"s:{code}" for code in SCHOOLS}
    assert audits == len(SCHOOLS)


def test_a_new_inspector_makes_a_new_board_version_with_the_same_qr_code(
    database: Database, county: County, wechat: WeChatClient, tmp_path: Path
) -> None:
    (before,) = specs_for(database, county.config, wechat, school_code="2199010001")
    assert (before.version, before.inspector.name) == (1, "欧阳建国")
    assert before.version_line == "版本 v1 · 2024-09-01"
    assert before.inspector.phone == "138 0000 9349"
    assert before.inspector.photo_path is not None
    with database.session() as session:
        assert assign_inspector(session, "2199010001", "QH-DX-002", starts_on=date(2026, 11, 22))
    (after,) = specs_for(database, county.config, wechat, school_code="2199010001")
    assert (after.version, after.inspector.name, after.inspector.photo_path) == (2, "李秀兰", None)
    assert after.version_line == "版本 v2 · 2026-11-22"
    assert after.qr_content == before.qr_content  # old boards still reach the current inspector
    # re-rendering without a change gives the same board
    (same,) = specs_for(database, county.config, wechat, school_code="2199010001")
    assert same == after
    old, new = render_board_png(before, PageSize.A4), render_board_png(after, PageSize.A4)
    assert old != new
    path = tmp_path / "new.png"
    path.write_bytes(new)
    assert zbar(path) == [before.qr_content]
    # the other schools of the first inspector keep their version
    (other,) = specs_for(database, county.config, wechat, school_code="2199010003")
    assert other.version == 1


def test_a_photo_that_is_missing_or_outside_the_media_folder_is_not_used(
    database: Database, county: County, tmp_path: Path
) -> None:
    with database.session() as session:
        inspector = session.get(Inspector, county.first.id)
        assert inspector is not None
        assert photo_path(county.config, inspector) is not None
        inspector.photo = "inspectors/ghost.jpg"
        assert photo_path(county.config, inspector) is None
        (tmp_path / "secret.jpg").write_bytes(b"x")
        inspector.photo = "../../secret.jpg"
        assert photo_path(county.config, inspector) is None
    (spec,) = specs_for(database, county.config, school_code="2199010001")
    assert spec.inspector.photo_path is None
    assert render_board_png(spec, PageSize.A4).startswith(b"\x89PNG")


def test_schools_are_selected_by_code_zone_or_county_and_unassigned_ones_are_reported(
    database: Database, county: County
) -> None:
    with database.session() as session:
        assert [u.code for u in select_schools(session, zone_name=ZONE)] == sorted(SCHOOLS)
        everything = [u.code for u in select_schools(session)]
        assert everything == [*sorted(SCHOOLS), "2199030001"]  # the township has no board
        with pytest.raises(NoSuchSchool):
            select_schools(session, school_code="0000")
        with pytest.raises(NoSuchSchool):
            select_schools(session, school_code="2199020001")  # a township is not a school
        with pytest.raises(NoSuchZone):
            select_schools(session, zone_name="没有这个区")
        boards = board_specs(session, county.config, select_schools(session))
    assert [s.school_code for s in boards.specs] == sorted(SCHOOLS)
    assert [u.code for u in boards.without_inspector] == ["2199030001"]
    spec = boards.specs[0]
    assert spec.zone_name == ZONE
    assert spec.office_name == "青禾县人民政府教育督导室" and spec.hotline == "0123-66551200"
    assert len(spec.items) == 8 and spec.items[0] == "校务管理和制度执行"
    assert spec.duties == ("监督依法办学", "指导管理和教学", "受理核实举报投诉", "督促整改", "报告")
