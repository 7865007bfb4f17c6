"""A fast PNG writer for boards, and the reader the PDF writer needs.

Pillow's PNG encoder tries five row filters on every row, which costs more than all the drawing of a board.
Boards are flat colour with one small photo, so no row filter with fast deflate is both smaller to code and
about twice as fast; the files are ordinary 8-bit RGB PNGs that any viewer and PDF reader takes.

More than half of a board's rows are the same on every board of a county (title, items, duties). Those rows
are compressed once (`SharedRows`) and their deflate output is reused: the pixel stream is deflated in
bands, each ending on a byte boundary with no reference to an earlier band, so bands can be joined freely;
the stream's Adler-32 checksum is combined from the bands'.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from PIL import Image

SIGNATURE = b"\x89PNG\r\n\x1a\n"
LEVEL = 2  # deflate level: 2 codes a board as small as 6 would within 10 %, in half the time


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _filtered(image: Image.Image, top: int, bottom: int) -> bytes:
    """Rows [top, bottom) of an RGB image as PNG scanlines: filter type 0 (None) before every row."""
    band = image if (top, bottom) == (0, image.height) else image.crop((0, top, image.width, bottom))
    raw = memoryview(band.tobytes())
    stride = image.width * 3
    return b"".join(b"\x00" + raw[y * stride : (y + 1) * stride] for y in range(bottom - top))


@dataclass(frozen=True)
class Deflated:
    """A band of scanlines deflated on its own: raw deflate ending on a byte boundary, its Adler-32, its length."""

    data: bytes
    adler: int
    length: int


def _deflate(rows: bytes) -> Deflated:
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)  # raw deflate: the zlib wrapper is added once
    return Deflated(compressor.compress(rows) + compressor.flush(zlib.Z_SYNC_FLUSH), zlib.adler32(rows), len(rows))


_ADLER_BASE = 65521


def _adler32_combine(first: int, second: int, second_length: int) -> int:
    """The Adler-32 of two byte strings joined, from theirs (zlib's adler32_combine)."""
    rem = second_length % _ADLER_BASE
    low = (first & 0xFFFF) + (second & 0xFFFF) + _ADLER_BASE - 1
    high = rem * (first & 0xFFFF) % _ADLER_BASE + (first >> 16) + (second >> 16) + _ADLER_BASE - rem
    return (low % _ADLER_BASE) | ((high % _ADLER_BASE) << 16)


@dataclass(frozen=True)
class SharedRows:
    """The deflated rows of a template that every page made from it keeps: rows outside `own_rows`."""

    width: int
    height: int
    own_rows: tuple[tuple[int, int], ...]
    shared: dict[int, Deflated]  # by the band's first row

    @classmethod
    def of(cls, template: Image.Image, own_rows: tuple[tuple[int, int], ...]) -> SharedRows:
        bands = _bands(template.height, own_rows)
        shared = {top: _deflate(_filtered(template, top, bottom)) for top, bottom, own in bands if not own}
        return cls(template.width, template.height, own_rows, shared)


def _bands(height: int, own_rows: tuple[tuple[int, int], ...]) -> list[tuple[int, int, bool]]:
    """The page's rows cut into bands (top, bottom, is one of `own_rows`), top to bottom, covering every row."""
    out: list[tuple[int, int, bool]] = []
    y = 0
    for top, bottom in sorted((max(0, t), min(height, b)) for t, b in own_rows):
        if bottom <= y:
            continue
        top = max(top, y)
        if top > y:
            out.append((y, top, False))
        out.append((top, bottom, True))
        y = bottom
    if y < height:
        out.append((y, height, False))
    return out


def encode_png(image: Image.Image, dpi: int, shared: SharedRows | None = None) -> bytes:
    """`image` (RGB) as PNG bytes, with its resolution recorded so it prints at the right size.

    With `shared`, the rows outside `shared.own_rows` are taken as already compressed: the caller promises
    that they are the template's.
    """
    if image.mode != "RGB":
        image = image.convert("RGB")
    width, height = image.size
    if shared is None:
        idat = zlib.compress(_filtered(image, 0, height), LEVEL)
    else:
        if (shared.width, shared.height) != (width, height):
            raise ValueError("the shared rows are of a page of another size")
        parts = [b"\x78\x01"]  # the zlib header: deflate, 32 KiB window
        adler = 1
        for top, bottom, own in _bands(height, shared.own_rows):
            band = _deflate(_filtered(image, top, bottom)) if own else shared.shared[top]
            parts.append(band.data)
            adler = _adler32_combine(adler, band.adler, band.length)
        parts.append(b"\x03\x00")  # an empty final block
        parts.append(struct.pack(">I", adler))
        idat = b"".join(parts)
    per_metre = round(dpi / 0.0254)
    return b"".join(
        (
            SIGNATURE,
            _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),
            _chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
            _chunk(b"IDAT", idat),
            _chunk(b"IEND", b""),
        )
    )


@dataclass(frozen=True)
class PngImage:
    """What a PDF page needs from a PNG: its size, colour layout and the deflated (row-filtered) pixels."""

    width: int
    height: int
    bit_depth: int
    colors: int
    idat: bytes


_COLORS = {0: 1, 2: 3}  # greyscale, RGB


def read_png(data: bytes) -> PngImage:
    """The parts of a non-interlaced greyscale or RGB PNG a PDF can embed as they are."""
    if not data.startswith(SIGNATURE):
        raise ValueError("not a PNG")
    pos = len(SIGNATURE)
    header: tuple[int, ...] | None = None
    idat: list[bytes] = []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if header is None:
        raise ValueError("PNG without a header")
    width, height, depth, color_type, _, _, interlace = header
    if color_type not in _COLORS or interlace:
        raise ValueError("only non-interlaced greyscale or RGB PNGs can go into the PDF as they are")
    return PngImage(width, height, depth, _COLORS[color_type], b"".join(idat))
