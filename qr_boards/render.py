"""Painting a layout into an image, and encoding it as PNG."""

from __future__ import annotations

import logging
from functools import lru_cache

from PIL import Image, ImageDraw, ImageOps

from qr_boards.fonts import FontSet, find_fonts, font
from qr_boards.layout import PHOTO_BG, PHOTO_MARK, WHITE, Badge, Box, Layer, Layout, Photo, Qr, Rect, Text, layout_board
from qr_boards.png import SharedRows, encode_png
from qr_boards.qr import qr_image
from qr_boards.spec import BoardSpec, PageSize

log = logging.getLogger(__name__)

SUPERSAMPLE = 4  # circles are drawn this much larger and scaled down, for smooth edges


def draw(layout: Layout) -> Image.Image:
    """The page as an RGB image: a copy of the painted static layer, with the school's own layer on top."""
    page = _painted_static(layout.width, layout.height, layout.static).copy()
    _paint(page, layout.own)
    return page


@lru_cache(maxsize=2)
def _painted_static(width: int, height: int, static: Layer) -> Image.Image:
    page = Image.new("RGB", (width, height), WHITE)
    _paint(page, static)
    return page


def _paint(page: Image.Image, layer: Layer) -> None:
    pen = ImageDraw.Draw(page)
    for rect in layer.decor:
        _rect(pen, rect)
    for element in layer.content:
        if isinstance(element, Text):
            pen.text(
                element.origin,
                element.text,
                font=font(element.face, element.size),
                fill=element.fill,
                anchor="ls",
            )
        elif isinstance(element, Badge):
            _badge(page, pen, element)
        elif isinstance(element, Photo):
            _photo(page, element)
        elif isinstance(element, Qr):
            _qr(page, element)


def _rect(pen: ImageDraw.ImageDraw, rect: Rect) -> None:
    xy = (rect.box.x0, rect.box.y0, rect.box.x1 - 1, rect.box.y1 - 1)
    if rect.radius:
        pen.rounded_rectangle(xy, rect.radius, fill=rect.fill, outline=rect.outline, width=rect.width)
    else:
        pen.rectangle(xy, fill=rect.fill, outline=rect.outline, width=rect.width)


def _circle(page: Image.Image, box: Box, fill: tuple[int, int, int]) -> None:
    """An antialiased filled circle."""
    mask = Image.new("L", (box.width * SUPERSAMPLE, box.height * SUPERSAMPLE), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, mask.width - 1, mask.height - 1), fill=255)
    mask = mask.reduce(SUPERSAMPLE)  # the mean of each 4x4 block: the pixel's coverage
    page.paste(Image.new("RGB", mask.size, fill), (box.x0, box.y0), mask)


def _badge(page: Image.Image, pen: ImageDraw.ImageDraw, badge: Badge) -> None:
    _circle(page, badge.box, badge.fill)
    centre = ((badge.box.x0 + badge.box.x1) / 2, (badge.box.y0 + badge.box.y1) / 2)
    pen.text(centre, badge.text, font=font(badge.face, badge.size), fill=badge.text_fill, anchor="mm")


def load_photo(path: str | None, size: tuple[int, int]) -> Image.Image | None:
    """The photo cropped to `size` (a little above centre: faces sit high in ID photos); None if unusable."""
    if not path:
        return None
    try:
        with Image.open(path) as file:
            file.draft("RGB", size)  # JPEG: decode at the smallest scale still larger than the box, much faster
            upright = ImageOps.exif_transpose(file).convert("RGB")
        return ImageOps.fit(upright, size, Image.Resampling.LANCZOS, centering=(0.5, 0.4))
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        log.warning("photo %s cannot be used (%s); drawing the placeholder", path, exc)
        return None


def _photo(page: Image.Image, photo: Photo) -> None:
    box = photo.box
    picture = load_photo(photo.path, (box.width, box.height))
    if picture is not None:
        page.paste(picture, (box.x0, box.y0))
        return
    # the placeholder: the surname in a circle on a quiet background
    ImageDraw.Draw(page).rectangle((box.x0, box.y0, box.x1 - 1, box.y1 - 1), fill=PHOTO_BG)
    d = round(box.width * 0.62)
    cx, cy = (box.x0 + box.x1) // 2, box.y0 + round(box.height * 0.46)
    circle = Box(cx - d // 2, cy - d // 2, cx - d // 2 + d, cy - d // 2 + d)
    _circle(page, circle, PHOTO_MARK)
    if photo.initial:
        ImageDraw.Draw(page).text(
            (cx, cy), photo.initial, font=font(photo.face, round(d * 0.5)), fill=WHITE, anchor="mm"
        )


def _qr(page: Image.Image, qr: Qr) -> None:
    symbol = qr_image(qr.content, min(qr.box.width, qr.box.height))
    x = qr.box.x0 + (qr.box.width - symbol.width) // 2
    y = qr.box.y0 + (qr.box.height - symbol.height) // 2
    page.paste(symbol.convert("RGB"), (x, y))


def render_board(spec: BoardSpec, size: PageSize, fonts: FontSet | None = None, dpi: int = 300) -> Image.Image:
    """The board of `spec` as an image."""
    return draw(layout_board(spec, size, fonts or find_fonts(), dpi))


def render_board_png(spec: BoardSpec, size: PageSize, fonts: FontSet | None = None, dpi: int = 300) -> bytes:
    """The board of `spec` as PNG bytes (the form both the PNG files and the PDF pages are made from)."""
    layout = layout_board(spec, size, fonts or find_fonts(), dpi)
    return encode_png(draw(layout), dpi, _shared_rows(layout.width, layout.height, layout.static, layout.own_rows))


@lru_cache(maxsize=2)
def _shared_rows(width: int, height: int, static: Layer, own_rows: tuple[tuple[int, int], ...]) -> SharedRows:
    """The county's rows of the board, compressed once per process."""
    return SharedRows.of(_painted_static(width, height, static), own_rows)
