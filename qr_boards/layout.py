"""The board's layout: where every line of text, the photo and the QR code go, as boxes in pixels.

One uniform format per county. It is designed in millimetres on A4 and scaled for A3 (the two have the same
proportions), so both sizes look the same. The layout is pure data, so tests can check that no two boxes
overlap and that everything stays inside the margins; `render.draw` only paints it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from qr_boards.fonts import Face, FontSet, font
from qr_boards.spec import BoardLabels, BoardSpec, PageSize
from qr_boards.text import LINE_BOX, Fitted, fit

RGB = tuple[int, int, int]
RED: RGB = (178, 24, 32)
GOLD: RGB = (198, 156, 64)
INK: RGB = (33, 33, 33)
GREY: RGB = (112, 112, 112)
WHITE: RGB = (255, 255, 255)
PANEL: RGB = (252, 245, 243)
PHOTO_BG: RGB = (234, 237, 242)
PHOTO_MARK: RGB = (150, 163, 184)

DESIGN_WIDTH_MM = 210.0  # A4; A3 is the same design scaled by sqrt(2)
MARGIN_MM = 14.0  # the content column's left and right edges
LEFT, RIGHT = MARGIN_MM, DESIGN_WIDTH_MM - MARGIN_MM
BOTTOM = 284.5  # the last line's bottom, just inside the inner frame line (at 288.4)
FOOTER_TOP = 229.5
QR_SIDE = 44.0
QR_X0 = RIGHT - QR_SIDE
QR_TOP = FOOTER_TOP + 3
# where a school's own things go (name; inspector; QR code and version): every other row is the county's
OWN_BANDS_MM = ((44.0, 70.0), (74.5, 133.5), (QR_TOP - 1, BOTTOM + 0.5))
FRAME_MM = 6.0  # the red frame's inset
EM_TOP = 0.1  # where the em square starts inside a line box, in em
BASELINE = EM_TOP + 0.88  # Noto CJK's ideographic em box runs from 0.88 em above the baseline to 0.12 below


@dataclass(frozen=True)
class Box:
    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    def intersects(self, other: Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def inside(self, other: Box) -> bool:
        return other.x0 <= self.x0 and other.y0 <= self.y0 and self.x1 <= other.x1 and self.y1 <= other.y1


@dataclass(frozen=True)
class Text:
    """One line of text; `box` is its line box (1.2 em high, as wide as the text or its ink)."""

    role: str
    box: Box
    text: str
    face: Face
    size: int
    fill: RGB
    pen_x: int | None = None  # where the pen starts, when that is not the box's left edge

    @property
    def baseline(self) -> int:
        return self.box.y0 + round(self.size * BASELINE)

    @property
    def origin(self) -> tuple[int, int]:
        return (self.box.x0 if self.pen_x is None else self.pen_x, self.baseline)


@dataclass(frozen=True)
class Badge:
    """A filled circle with a short text in it (the numbers of the items and duties)."""

    role: str
    box: Box
    text: str
    face: Face
    size: int
    fill: RGB
    text_fill: RGB


@dataclass(frozen=True)
class Photo:
    role: str
    box: Box
    path: str | None
    initial: str  # shown in the placeholder when there is no usable photo
    face: Face


@dataclass(frozen=True)
class Qr:
    role: str
    box: Box
    content: str


@dataclass(frozen=True)
class Rect:
    """Decoration under the content: bands, frames, panels and rules."""

    box: Box
    fill: RGB | None = None
    outline: RGB | None = None
    width: int = 0
    radius: int = 0


Element = Text | Badge | Photo | Qr


@dataclass(frozen=True)
class Layer:
    decor: tuple[Rect, ...] = ()
    content: tuple[Element, ...] = ()


@dataclass(frozen=True)
class Layout:
    """A board laid out: a static layer shared by every board of a county and a layer of its own.

    The static layer (frame, title, the items and duties, the office) depends only on the county's data, so a
    renderer paints it once and copies it for every school.
    """

    width: int
    height: int
    dpi: int
    margin: Box  # the area content must stay inside
    static: Layer
    own: Layer
    own_rows: tuple[tuple[int, int], ...]  # the bands of rows the own layer may paint; the rest is static

    @property
    def decor(self) -> tuple[Rect, ...]:
        return self.static.decor + self.own.decor

    @property
    def content(self) -> tuple[Element, ...]:
        return self.static.content + self.own.content

    def boxes(self, role: str) -> list[Box]:
        return [e.box for e in self.content if e.role == role]


class _Page:
    """Millimetres of the A4 design to pixels of this page."""

    def __init__(self, size: PageSize, dpi: int) -> None:
        self.width, self.height = size.pixels(dpi)
        self.px_per_mm = self.width / DESIGN_WIDTH_MM

    def mm(self, value: float) -> int:
        return round(value * self.px_per_mm)

    def box(self, x0: float, y0: float, x1: float, y1: float) -> Box:
        return Box(self.mm(x0), self.mm(y0), self.mm(x1), self.mm(y1))


def _lines(role: str, fitted: Fitted, face: Face, fill: RGB, x0: int, x1: int, top: int, align: str) -> list[Text]:
    """The lines of a fitted block, starting at `top`, aligned left or centred between x0 and x1."""
    f = font(face, fitted.size)
    out: list[Text] = []
    box_h = round(fitted.size * LINE_BOX)
    for i, line in enumerate(fitted.lines):
        y = top + i * fitted.line_height
        if align == "left":
            w = math.ceil(f.getlength(line))
            out.append(Text(role, Box(x0, y, x0 + w, y + box_h), line, face, fitted.size, fill))
            continue
        # centre the ink, not the advance: a full-width （ or ） carries half an em of blank on one side
        ink_left, _, ink_right, _ = (round(v) for v in f.getbbox(line, anchor="ls"))
        pen = x0 + (x1 - x0 - (ink_right - ink_left)) // 2 - ink_left
        box = Box(pen + ink_left, y, pen + ink_right, y + box_h)
        out.append(Text(role, box, line, face, fitted.size, fill, pen_x=pen))
    return out


def _block(
    role: str,
    text: str,
    face: Face,
    fill: RGB,
    area: Box,
    max_size: int,
    min_size: int,
    max_lines: int = 1,
    align: str = "left",
    valign: str = "middle",
    leading: float = 1.35,
) -> list[Text]:
    """`text` fitted into `area` and placed in it."""
    if not text:
        return []
    fitted = fit(text, face, area.width, area.height, max_size, min_size, max_lines, leading)
    top = area.y0 + (area.height - fitted.height) // 2 if valign == "middle" else area.y0
    return _lines(role, fitted, face, fill, area.x0, area.x1, top, align)


def _spaced(role: str, text: str, face: Face, size: int, fill: RGB, x0: int, x1: int, top: int) -> list[Text]:
    """A short label spread evenly across [x0, x1] (the 姓　名 style of Chinese forms), one box per character."""
    f = font(face, size)
    widths = [f.getlength(ch) for ch in text]
    gap = (x1 - x0 - sum(widths)) / (len(text) - 1) if len(text) > 1 else 0
    out = []
    x = float(x0)
    for ch, w in zip(text, widths, strict=True):
        out.append(Text(role, Box(round(x), top, round(x + w), top + round(size * LINE_BOX)), ch, face, size, fill))
        x += w + gap
    return out


def layout_board(spec: BoardSpec, size: PageSize, fonts: FontSet, dpi: int = 300) -> Layout:
    """Lay out `spec` on a page of `size` at `dpi`."""
    page = _Page(size, dpi)
    mm = page.mm
    static = _static_layer(spec.labels, spec.items, spec.duties, spec.office_name, spec.hotline, size, fonts, dpi)
    own = _Builder()
    # the school's name: as large as fits, on up to two balanced lines, then smaller
    own.content += _block(
        "school_name",
        spec.school_name,
        fonts.bold,
        INK,
        page.box(LEFT, 45, RIGHT, 69),
        mm(11),
        mm(6.5),
        max_lines=2,
        align="center",
        leading=1.25,
    )
    _inspector(own, spec, fonts, page, top=76, bottom=132)
    version_size = mm(3.0)
    version_top = mm(BOTTOM) - round(version_size * LINE_BOX)
    own.content += _block(
        "version",
        spec.version_line,
        fonts.regular,
        GREY,
        Box(mm(LEFT), version_top, mm(QR_X0 - 8), mm(BOTTOM)),
        version_size,
        version_size // 2,
    )
    own.content.append(Qr("qr", page.box(QR_X0, QR_TOP, RIGHT, QR_TOP + QR_SIDE), spec.qr_content))
    margin = Box(mm(10), mm(10), page.width - mm(10), page.height - mm(10))
    own_rows = tuple((mm(top), mm(bottom)) for top, bottom in OWN_BANDS_MM)
    return Layout(page.width, page.height, dpi, margin, static, own.layer(), own_rows)


class _Builder:
    def __init__(self) -> None:
        self.decor: list[Rect] = []
        self.content: list[Element] = []

    def layer(self) -> Layer:
        return Layer(tuple(self.decor), tuple(self.content))


@lru_cache(maxsize=8)
def _static_layer(
    labels: BoardLabels,
    items: tuple[str, ...],
    duties: tuple[str, ...],
    office: str,
    hotline: str,
    size: PageSize,
    fonts: FontSet,
    dpi: int,
) -> Layer:
    """What every board of the county shares: frame, title, items, duties, the office and the QR's caption."""
    page = _Page(size, dpi)
    mm = page.mm
    layer = _Builder()
    height = page.height / page.px_per_mm  # 297 design-mm on both sizes
    # frame: a red outer line, a thin gold inner line, and the red title band
    layer.decor.append(
        Rect(page.box(FRAME_MM, FRAME_MM, 210 - FRAME_MM, height - FRAME_MM), outline=RED, width=mm(1.4))
    )
    layer.decor.append(Rect(page.box(8.6, 8.6, 201.4, height - 8.6), outline=GOLD, width=max(1, mm(0.35))))
    layer.decor.append(Rect(page.box(8.6, 8.6, 201.4, 40), fill=RED))
    layer.decor.append(Rect(page.box(8.6, 40, 201.4, 41.2), fill=GOLD))
    layer.content += _block(
        "title", labels.title, fonts.title, WHITE, page.box(LEFT, 13, RIGHT, 37), mm(15), mm(9), align="center"
    )
    layer.decor.append(Rect(page.box(LEFT, 71.8, RIGHT, 72.2), fill=GOLD))
    _heading(layer, labels.items, fonts, page, "items_heading", top=136)
    _items(layer, items, fonts, page, area=(LEFT, 148, RIGHT, 194))
    _heading(layer, labels.duties, fonts, page, "duties_heading", top=198.5)
    _duties(layer, duties, fonts, page, area=(LEFT, 209.5, RIGHT, 225.5))
    _footer(layer, labels, office, hotline, fonts, page, top=FOOTER_TOP)
    return layer.layer()


def _inspector(layout: _Builder, spec: BoardSpec, fonts: FontSet, page: _Page, top: float, bottom: float) -> None:
    """The photo on the left; name, number, phone and zone as a two-column table on the right."""
    mm = page.mm
    photo_h = bottom - top
    photo_w = photo_h * 3 / 4
    left = MARGIN_MM
    layout.decor.append(Rect(page.box(left - 0.8, top - 0.8, left + photo_w + 0.8, bottom + 0.8), fill=GOLD))
    initial = spec.inspector.name[:1]
    layout.content.append(
        Photo("photo", page.box(left, top, left + photo_w, bottom), spec.inspector.photo_path, initial, fonts.bold)
    )

    labels, values = spec.labels, spec.inspector
    rows = [(labels.inspector, values.name, "name")]
    if values.number:
        rows.append((labels.number, values.number, "number"))
    rows.append((labels.phone, values.phone, "phone"))
    rows.append((labels.zone, spec.zone_name, "zone"))
    label_size = mm(5.2)
    label_chars = max(len(label) for label, _, _ in rows)
    label_x0 = left + photo_w + 9
    label_w = (label_chars * label_size + (label_chars - 1) * label_size * 0.35) / page.px_per_mm
    value_x0 = label_x0 + label_w + 7
    right = DESIGN_WIDTH_MM - MARGIN_MM
    pitch = (bottom - top) / len(rows)
    for i, (label, value, role) in enumerate(rows):
        row_top, row_bottom = top + i * pitch, top + (i + 1) * pitch
        label_top = mm((row_top + row_bottom) / 2) - round(label_size * LINE_BOX / 2)
        layout.content += _spaced(
            f"{role}_label", label, fonts.regular, label_size, GREY, mm(label_x0), mm(label_x0 + label_w), label_top
        )
        big = role == "name"
        layout.content += _block(
            role,
            value or "—",
            fonts.bold,
            RED if big else INK,
            page.box(value_x0, row_top + 0.5, right, row_bottom - 0.5),
            mm(10 if big else 6.4),
            mm(6 if big else 4.2),
            max_lines=1 if big else 2,
            leading=1.2,
        )
        if i < len(rows) - 1:
            layout.decor.append(
                Rect(page.box(label_x0, row_bottom - 0.15, right, row_bottom + 0.15), fill=(228, 220, 214))
            )


def _heading(layout: _Builder, text: str, fonts: FontSet, page: _Page, role: str, top: float) -> None:
    """A section heading: a red bar, the words, and a thin rule running to the right margin."""
    mm = page.mm
    left, right = MARGIN_MM, DESIGN_WIDTH_MM - MARGIN_MM
    size = mm(6.2)
    line_h = round(size * LINE_BOX)
    y0 = mm(top)
    layout.decor.append(
        Rect(Box(mm(left), y0 + round(size * 0.12), mm(left + 1.6), y0 + line_h - round(size * 0.12)), fill=RED)
    )
    f = font(fonts.bold, size)
    x0 = mm(left + 4.2)
    w = math.ceil(f.getlength(text))
    layout.content.append(Text(role, Box(x0, y0, x0 + w, y0 + line_h), text, fonts.bold, size, RED))
    rule_y = y0 + line_h // 2
    layout.decor.append(Rect(Box(x0 + w + mm(4), rule_y, mm(right), rule_y + max(1, mm(0.3))), fill=GOLD))


def _badge(role: str, number: str, fonts: FontSet, x0: int, top: int, size: int) -> Badge:
    """A numbered circle as tall as a CJK character of `size`, on the line whose box starts at `top`."""
    d = round(size * 0.98)
    y0 = top + round(size * EM_TOP) + (size - d) // 2
    return Badge(role, Box(x0, y0, x0 + d, y0 + d), number, fonts.bold, round(size * 0.62), RED, WHITE)


def _items(layout: _Builder, items: tuple[str, ...], fonts: FontSet, page: _Page, area: tuple[float, ...]) -> None:
    """The supervision items: numbered, column by column, on a pale panel; smaller type when there are many."""
    mm = page.mm
    if not items:
        return
    x0, y0, x1, y1 = (mm(v) for v in area)
    layout.decor.append(Rect(Box(x0 - mm(3), y0 - mm(2.5), x1 + mm(3), y1 + mm(2.5)), fill=PANEL, radius=mm(2)))
    cols = 1 if len(items) <= 4 else 2
    rows = math.ceil(len(items) / cols)
    gap = mm(6)
    col_w = (x1 - x0 - gap * (cols - 1)) // cols
    pitch = (y1 - y0) // rows
    for size in range(mm(5.4), mm(2.4), -1):
        indent = round(size * 1.5)
        # every item must fit its cell in at most two lines at this size
        # with air between the rows: a line box may take at most 4/5 of its row
        fits = [fit(item, fonts.regular, col_w - indent, pitch * 0.8, size, size, 2, 1.25) for item in items]
        if all(f.size == size for f in fits):
            break
    for n, fitted in enumerate(fits):
        col, row = divmod(n, rows)
        cx = x0 + col * (col_w + gap)
        top = y0 + row * pitch + (pitch - fitted.height) // 2
        layout.content.append(_badge("item_number", str(n + 1), fonts, cx, top, fitted.size))
        layout.content += _lines("item", fitted, fonts.regular, INK, cx + indent, cx + col_w, top, "left")


def _duties(layout: _Builder, duties: tuple[str, ...], fonts: FontSet, page: _Page, area: tuple[float, ...]) -> None:
    """The duties as numbered chips in a grid: one row if they fit, else as few even rows as fit, centred."""
    mm = page.mm
    if not duties:
        return
    x0, y0, x1, y1 = (mm(v) for v in area)
    width = x1 - x0
    for size in range(mm(5.4), mm(2), -1):
        f = font(fonts.regular, size)
        indent = round(size * 1.4)
        chips = [indent + math.ceil(f.getlength(d)) for d in duties]
        min_gap = round(size * 1.8)
        pitch = round(size * 1.7)
        grid = _grid(chips, width, min_gap)
        if grid is not None and pitch * (len(grid[0]) - 1) + size * LINE_BOX <= y1 - y0:
            break
    assert grid is not None
    columns, rows = grid[1], grid[0]
    gap = min(round(size * 3), (width - sum(columns)) // max(1, len(columns) - 1))
    total = sum(columns) + gap * (len(columns) - 1)
    block_h = pitch * (len(rows) - 1) + round(size * LINE_BOX)
    top = y0 + (y1 - y0 - block_h) // 2
    for r, row in enumerate(rows):
        x = x0 + (width - total) // 2
        line_top = top + r * pitch
        for c, i in enumerate(row):
            layout.content.append(_badge("duty_number", str(i + 1), fonts, x, line_top, size))
            layout.content.append(
                Text(
                    "duty",
                    Box(x + indent, line_top, x + chips[i], line_top + round(size * LINE_BOX)),
                    duties[i],
                    fonts.regular,
                    size,
                    INK,
                )
            )
            x += columns[c] + gap


def _grid(chips: list[int], width: int, min_gap: int) -> tuple[list[list[int]], list[int]] | None:
    """The fewest rows (filled row by row, as evenly as possible) whose columns fit `width`: (rows, column widths)."""
    n = len(chips)
    for n_rows in range(1, n + 1):
        n_cols = math.ceil(n / n_rows)
        rows = [list(range(r * n_cols, min(n, (r + 1) * n_cols))) for r in range(n_rows)]
        columns = [max(chips[row[c]] for row in rows if c < len(row)) for c in range(n_cols)]
        if sum(columns) + min_gap * (n_cols - 1) <= width:
            return rows, columns
    return None


def _footer(
    layer: _Builder, labels: BoardLabels, office: str, hotline: str, fonts: FontSet, page: _Page, top: float
) -> None:
    """The caption under the QR code on the right; the office and its hotline on the left."""
    mm = page.mm
    layer.decor.append(Rect(page.box(LEFT, top - 0.2, RIGHT, top + 0.2), fill=GOLD))
    layer.content += _block(
        "qr_hint",
        labels.qr_hint,
        fonts.bold,
        RED,
        page.box(QR_X0 - 12, QR_TOP + QR_SIDE, RIGHT, BOTTOM),
        mm(3.8),
        mm(2.6),
        max_lines=2,
        align="center",
        valign="top",
        leading=1.3,
    )
    text_right = QR_X0 - 8
    rows = [(labels.office, office, "office", 5.6), (labels.hotline, hotline, "hotline", 8.0)]
    rows = [r for r in rows if r[1]]
    label_size = mm(4.6)
    label_chars = max((len(label) for label, _, _, _ in rows), default=0)
    label_w = (label_chars * label_size + (label_chars - 1) * label_size * 0.35) / page.px_per_mm
    y = top + 9
    for label, value, role, value_mm in rows:
        # two lines of the value at most; the label sits on the first line's centre
        area = page.box(LEFT + label_w + 5, y, text_right, y + value_mm * (1.25 + 1.2))
        block = _block(
            role,
            value,
            fonts.bold,
            RED if role == "hotline" else INK,
            area,
            mm(value_mm),
            mm(value_mm * 0.6),
            max_lines=2,
            valign="top",
            leading=1.25,
        )
        first = block[0].box
        label_top = (first.y0 + first.y1) // 2 - round(label_size * LINE_BOX / 2)
        layer.content += _spaced(
            f"{role}_label", label, fonts.regular, label_size, GREY, mm(LEFT), mm(LEFT + label_w), label_top
        )
        layer.content += block
        y = block[-1].box.y1 / page.px_per_mm + 4
