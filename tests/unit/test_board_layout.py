"""The board's layout: long names fit, nothing overlaps or leaves the margins, the ink stays in its box."""

from __future__ import annotations

import io
import itertools
import os
import zlib
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from backend.services.boards import board_labels, board_version, duties, readable_phone
from backend.store.models import Assignment
from messages import t
from qr_boards import fonts as fonts_module
from qr_boards.fonts import FontNotFound, find_fonts, font
from qr_boards.layout import PHOTO_BG, Layout, Text, layout_board
from qr_boards.pdf import PdfWriter
from qr_boards.png import _adler32_combine, read_png
from qr_boards.render import draw, render_board, render_board_png
from qr_boards.spec import BoardSpec, InspectorInfo, PageSize
from qr_boards.text import tokens, wrap

ITEMS = tuple(t(f"item.{n}") for n in range(1, 9))
LONG_NAME = "青禾县白沙镇石桥村和平民族九年一贯制学校（第二校区）附属实验幼儿园及学前教育中心分园"


def make_spec(**changes: object) -> BoardSpec:
    spec = BoardSpec(
        school_code="2199010001",
        school_name="青禾县第一中学",
        zone_name="城关第一责任区",
        inspector=InspectorInfo(name="欧阳建国", phone="138 0571 2345", number="QH-DX-001", photo_path=None),
        items=ITEMS,
        duties=duties(),
        office_name="青禾县人民政府教育督导室",
        hotline="0123-66551200",
        qr_content="http://weixin.qq.com/q/02Ab3dEfGhIjK10000g07x",
        version=3,
        version_line=t("board.version", version=3, date="2026-11-22"),
        labels=board_labels(wechat=True),
    )
    return replace(spec, **changes)  # type: ignore[arg-type]


CASES = {
    "short": make_spec(school_name="一中"),
    "typical": make_spec(),
    "very_long_name": make_spec(school_name=LONG_NAME),
    "kindergarten": make_spec(school_name="青禾县机关幼儿园", zone_name="龙泉责任区"),
    "no_number_long_zone": make_spec(
        inspector=InspectorInfo(name="司马相如", phone="0123-66551200 转 8021", number=""),
        zone_name="城关第一督学责任区（城东片区、开发区及工业园区）",
    ),
    "many_items": make_spec(items=(*ITEMS, "党建工作", "思政教育", "教育科研", "资源配置", "质量评价")),
    "long_office": make_spec(office_name="青禾县人民政府教育督导委员会办公室（县教育和体育局督导室）"),
    "no_hotline": make_spec(hotline=""),
}


def _laid_out() -> list[tuple[str, PageSize, Layout]]:
    return [(name, size, layout_board(spec, size, find_fonts())) for name, spec in CASES.items() for size in PageSize]


@pytest.mark.parametrize(("name", "size", "layout"), _laid_out(), ids=lambda v: getattr(v, "name", str(v)))
def test_nothing_overlaps_and_everything_stays_inside_the_margins(name: str, size: PageSize, layout: Layout) -> None:
    content = layout.content
    assert len(content) > 40
    for element in content:
        assert element.box.inside(layout.margin), (element.role, element.box, layout.margin)
        assert element.box.width > 0 and element.box.height > 0
    for a, b in itertools.combinations(content, 2):
        assert not a.box.intersects(b.box), (a.role, getattr(a, "text", ""), b.role, getattr(b, "text", ""))


@pytest.mark.parametrize("size", list(PageSize), ids=lambda s: s.name)
def test_the_ink_of_every_line_stays_inside_its_box(size: PageSize) -> None:
    layout = layout_board(CASES["very_long_name"], size, find_fonts())
    for element in layout.content:
        if not isinstance(element, Text):
            continue
        left, top, right, bottom = font(element.face, element.size).getbbox(element.text, anchor="ls")
        x, baseline = element.origin
        ink = (x + left, baseline + top, x + right, baseline + bottom)
        box = element.box
        slack = 2  # antialiasing
        assert box.x0 - slack <= ink[0] and ink[2] <= box.x1 + slack, (element.text, ink, box)
        assert box.y0 - slack <= ink[1] and ink[3] <= box.y1 + slack, (element.text, ink, box)


@pytest.mark.parametrize(("name", "size", "layout"), _laid_out(), ids=lambda v: getattr(v, "name", str(v)))
def test_a_school_paints_only_inside_its_own_rows(name: str, size: PageSize, layout: Layout) -> None:
    """The PNG encoder reuses the other rows from the county's template, so nothing of a school may stray there."""
    for element in (*layout.own.content, *layout.own.decor):
        box = element.box
        assert any(top <= box.y0 and box.y1 <= bottom for top, bottom in layout.own_rows), (element, layout.own_rows)
    for element in layout.static.content:
        # and the county's lines never straddle a band's edge
        assert all(element.box.y1 <= top or element.box.y0 >= top for top, _ in layout.own_rows)
        assert all(element.box.y1 <= bottom or element.box.y0 >= bottom for _, bottom in layout.own_rows)


@pytest.mark.parametrize("size", list(PageSize), ids=lambda s: s.name)
def test_the_png_with_reused_rows_has_exactly_the_pixels_of_the_board(size: PageSize) -> None:
    for spec in (CASES["very_long_name"], CASES["no_number_long_zone"]):
        with Image.open(io.BytesIO(render_board_png(spec, size))) as png:
            assert png.tobytes() == render_board(spec, size).tobytes()


def test_adler32_of_joined_bands_is_combined_exactly() -> None:
    for a, b in [(b"", b"x"), (b"abc", b"defg"), (os.urandom(100_000), os.urandom(70_001)), (b"\xff" * 10**6, b"\0")]:
        assert _adler32_combine(zlib.adler32(a), zlib.adler32(b), len(b)) == zlib.adler32(a + b)


def test_a_very_long_school_name_is_wrapped_and_shrunk_inside_its_box() -> None:
    fonts = find_fonts()
    short = layout_board(CASES["typical"], PageSize.A4, fonts)
    long = layout_board(CASES["very_long_name"], PageSize.A4, fonts)
    short_lines = [e for e in short.content if e.role == "school_name"]
    long_lines = [e for e in long.content if isinstance(e, Text) and e.role == "school_name"]
    assert len(short_lines) == 1
    assert len(long_lines) == 2
    assert "".join(e.text for e in long_lines) == LONG_NAME
    assert long_lines[1].text.startswith("（第二校区）")  # the bracketed part is not broken
    assert long_lines[0].size < short_lines[0].size
    # centred by their ink (a closing ） must not push a line off centre)
    assert all(abs((line.box.x0 + line.box.x1) / 2 - long.width / 2) <= 2 for line in long_lines)
    # balanced: the two lines are within two characters of each other
    assert abs(len(long_lines[0].text) - len(long_lines[1].text)) <= 2
    # below the gold rule, above the inspector's photo
    (photo,) = long.boxes("photo")
    assert all(line.box.y1 < photo.y0 for line in long_lines)
    assert all(line.box.y0 > long.boxes("title")[0].y1 for line in long_lines)


def test_a_name_too_long_for_two_lines_shrinks_further_and_still_fits() -> None:
    name = LONG_NAME * 3
    layout = layout_board(make_spec(school_name=name), PageSize.A4, find_fonts())
    lines = [e for e in layout.content if isinstance(e, Text) and e.role == "school_name"]
    assert "".join(e.text for e in lines) == name
    (photo,) = layout.boxes("photo")
    assert all(line.box.inside(layout.margin) and line.box.y1 < photo.y0 for line in lines)


def test_a3_is_the_a4_design_scaled() -> None:
    fonts = find_fonts()
    a4 = layout_board(CASES["typical"], PageSize.A4, fonts)
    a3 = layout_board(CASES["typical"], PageSize.A3, fonts)
    assert (a4.width, a4.height) == (2480, 3508)
    assert (a3.width, a3.height) == (3508, 4961)
    ratio = a3.width / a4.width
    for role in ("title", "school_name", "photo", "qr", "hotline"):
        assert a3.boxes(role)[0].x0 == pytest.approx(a4.boxes(role)[0].x0 * ratio, abs=3)
        assert a3.boxes(role)[0].y0 == pytest.approx(a4.boxes(role)[0].y0 * ratio, abs=6)


def test_every_supervision_item_and_duty_is_on_the_board_once() -> None:
    layout = layout_board(CASES["typical"], PageSize.A4, find_fonts())
    items = [e.text for e in layout.content if isinstance(e, Text) and e.role == "item"]
    assert items == list(ITEMS)
    duty_texts = [e.text for e in layout.content if isinstance(e, Text) and e.role == "duty"]
    assert duty_texts == list(duties())
    assert len([e for e in layout.content if e.role == "item_number"]) == 8


def _photo_file(tmp_path: Path) -> Path:
    path = tmp_path / "photo.jpg"
    image = Image.new("RGB", (300, 400), (40, 90, 160))
    ImageDraw.Draw(image).ellipse((90, 60, 210, 200), fill=(235, 200, 170))
    image.save(path, quality=95)
    return path


def test_a_missing_or_unreadable_photo_gets_the_placeholder(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a jpeg")
    fonts = find_fonts()
    for path in (None, str(tmp_path / "gone.jpg"), str(broken)):
        spec = make_spec(inspector=InspectorInfo("张三", "13800000000", "N1", path))
        layout = layout_board(spec, PageSize.A4, fonts)
        page = draw(layout)
        (photo,) = layout.boxes("photo")
        assert page.getpixel((photo.x0 + 3, photo.y0 + 3)) == PHOTO_BG
        # the surname in a white-on-grey circle at the centre
        extrema = page.crop((photo.x0, photo.y0, photo.x1, photo.y1)).convert("L").getextrema()
        darkest, lightest = int(extrema[0]), int(extrema[1])  # type: ignore[arg-type]  # one band: two ints
        assert lightest == 255 and darkest < 200
    real = make_spec(inspector=InspectorInfo("张三", "13800000000", "N1", str(_photo_file(tmp_path))))
    layout = layout_board(real, PageSize.A4, fonts)
    (photo,) = layout.boxes("photo")
    corner = draw(layout).getpixel((photo.x0 + 3, photo.y0 + 3))
    assert isinstance(corner, tuple)
    assert corner != PHOTO_BG and abs(corner[2] - 160) < 12


def test_the_png_is_a_300_dpi_page_of_the_paper_size() -> None:
    png = render_board_png(CASES["kindergarten"], PageSize.A4)
    image = Image.open(io.BytesIO(png))
    assert image.size == (2480, 3508)
    assert round(image.info["dpi"][0]) == 300
    assert image.mode == "RGB"
    assert read_png(png).width == 2480


def test_the_pdf_has_a_page_per_board_of_the_paper_size(tmp_path: Path) -> None:
    pngs = [render_board_png(CASES[name], PageSize.A3) for name in ("short", "kindergarten")]
    path = tmp_path / "boards.pdf"
    with path.open("wb") as out, PdfWriter(out, PageSize.A3, "公示牌") as pdf:
        for png in pngs:
            pdf.add_png(png)
    data = path.read_bytes()
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    assert data.count(b"/Type /Page ") == 2 and b"/Count 2" in data
    assert b"/MediaBox [0 0 841.89 1190.55]" in data  # A3 in points
    # the xref offsets point at the objects
    xref_at = int(data.rsplit(b"startxref", 1)[1].split()[0])
    entries = data[xref_at:].split(b"\n")[3:-1]
    for number, entry in enumerate(entries, start=1):
        if entry.endswith(b" n "):
            assert data[int(entry[:10]) :].startswith(f"{number} 0 obj".encode())


def test_line_breaks_keep_latin_words_whole_and_punctuation_off_line_starts() -> None:
    assert tokens("热线：0571-88886666") == ["热", "线：", "0571-88886666"]
    assert tokens("（第二校区）") == ["（第", "二", "校", "区）"]
    assert tokens("学校（第二校区）附", groups=True) == ["学", "校", "（第二校区）", "附"]
    face = font(find_fonts().regular, 40)
    lines = wrap("学生学习、体育锻炼和课业负担", face, face.getlength("学生学习") + 1)
    # 、 may not start a line, so it takes 习 with it to the next one
    assert lines[:2] == ["学生学", "习、体育"]
    assert all(not line.startswith(("、", "，", "）")) for line in lines)
    assert "".join(lines) == "学生学习、体育锻炼和课业负担"


def test_without_a_cjk_font_there_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts_module, "_fc_list", list)
    monkeypatch.setattr(fonts_module, "KNOWN_PATHS", ("/nonexistent/{style}.ttc",))
    find_fonts.cache_clear()
    try:
        with pytest.raises(FontNotFound, match="fonts-noto-cjk"):
            find_fonts()
    finally:
        find_fonts.cache_clear()


def test_the_font_found_is_a_real_simplified_chinese_face() -> None:
    fonts = find_fonts()
    family = font(fonts.regular, 20).getname()[0] or ""
    assert "CJK" in family or "Han" in family or "Hei" in family
    assert font(fonts.regular, 40).getbbox("督")[2] > 30  # a real glyph, not the empty box


def _assignment(inspector_id: int, starts: date, ends: date | None = None, id_: int = 0) -> Assignment:
    return Assignment(id=id_, inspector_id=inspector_id, unit_id=1, starts_on=starts, ends_on=ends)


def test_the_version_counts_changes_of_inspector_and_dates_from_the_latest() -> None:
    first = _assignment(7, date(2024, 9, 1), date(2025, 2, 10), 1)
    assert board_version([first]).number == 1
    second = _assignment(9, date(2025, 2, 10), date(2025, 9, 1), 2)
    # the same inspector given the school again after an administrative end: the board does not change
    again = _assignment(9, date(2025, 9, 1), None, 3)
    version = board_version([again, first, second])
    assert (version.number, version.since) == (2, date(2025, 2, 10))
    back = _assignment(7, date(2026, 3, 1), None, 4)
    assert board_version([first, second, replace_end(again, date(2026, 3, 1)), back]).number == 3


def replace_end(a: Assignment, ends: date) -> Assignment:
    return _assignment(a.inspector_id, a.starts_on, ends, a.id)


def test_mobile_numbers_are_grouped_for_reading() -> None:
    assert readable_phone("13800009349") == "138 0000 9349"
    assert readable_phone("0123-66551200") == "0123-66551200"
