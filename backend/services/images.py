"""Pictures from outside are measured from their header before anything decodes them.

A bomb is a small file of a huge picture (a 363 KB PNG of 9400x9400 RGBA decodes to 1.3 GB): its size is in the
header, so it is refused there, never decoded. `BadImage.reason` names the refusal for `messages`
(`image.refused.<reason>`).
"""

from __future__ import annotations

import io
import warnings

from PIL import Image

# 40 million pixels: a 48 MP phone's photo saved at 7200x5400 still fits; RGBA at most 160 MB while decoding
MAX_PIXELS = 40_000_000
MAX_SIDE = 16_000  # a panorama; a 1x40000000 strip is no photo
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif"}
# Pillow's own guard agrees with ours, for any other decode in the process (it raises at twice this)
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class BadImage(Exception):
    """Not a picture we keep: `reason` is `not_image` (unreadable or another format) or `too_big`."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason, detail)
        self.reason = reason
        self.detail = detail


def measure(content: bytes) -> tuple[str, tuple[int, int]]:
    """The picture's content type and (width, height), from its header alone; raises `BadImage`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                kind, size = FORMATS.get(image.format or ""), image.size
                if kind is None:
                    raise BadImage("not_image", image.format or "")
                check_size(size)
                image.verify()  # chunks and checksums, without decoding the pixels
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise BadImage("too_big", str(exc)) from exc
    except BadImage:
        raise
    except Exception as exc:  # Pillow's parsers raise many kinds (OSError, SyntaxError, struct.error, …)
        raise BadImage("not_image", f"{type(exc).__name__}: {exc}") from exc
    return kind, size


def check_size(size: tuple[int, int]) -> None:
    width, height = size
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        raise BadImage("too_big", f"{width}x{height}")


def thumbnail(content: bytes, side: int = 800) -> bytes:
    """A JPEG of the picture at most `side` pixels a side, for a printed report: measured from its header first
    (`measure`), so a bomb raises `BadImage` before any pixel is decoded; JPEGs are decoded at a reduced scale."""
    from PIL import ImageOps

    measure(content)
    try:
        with Image.open(io.BytesIO(content)) as original:
            if original.format == "JPEG":
                original.draft("RGB", (side, side))
            image = ImageOps.exif_transpose(original).convert("RGB")
            image.thumbnail((side, side))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=80)
            return out.getvalue()
    except Exception as exc:  # a header that lied, a truncated body
        raise BadImage("not_image", f"{type(exc).__name__}: {exc}") from exc
