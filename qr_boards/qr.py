"""Drawing a QR code ourselves (never fetching WeChat's image): whole pixels per module, a 4-module quiet zone."""

from __future__ import annotations

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_Q

QUIET_ZONE = 4  # modules of white around the symbol, as the standard asks


def qr_matrix(content: str) -> list[list[bool]]:
    """The symbol's modules (True is dark), without the quiet zone. Level Q survives a weathered board."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=0)
    code.add_data(content)
    code.make(fit=True)
    return [[bool(dark) for dark in row] for row in code.get_matrix()]


def qr_image(content: str, side_px: int) -> Image.Image:
    """A square 'L' image of at most `side_px` pixels, quiet zone included, each module a whole number of pixels."""
    matrix = qr_matrix(content)
    modules = len(matrix) + 2 * QUIET_ZONE
    module_px = side_px // modules
    if module_px < 1:
        raise ValueError(f"{side_px} px cannot hold a {modules}-module QR code")
    small = Image.new("L", (modules, modules), 255)
    small.putdata([0 if dark else 255 for row in _with_quiet_zone(matrix) for dark in row])
    return small.resize((modules * module_px, modules * module_px), Image.Resampling.NEAREST)


def _with_quiet_zone(matrix: list[list[bool]]) -> list[list[bool]]:
    width = len(matrix) + 2 * QUIET_ZONE
    blank = [[False] * width for _ in range(QUIET_ZONE)]
    pad = [False] * QUIET_ZONE
    return blank + [pad + row + pad for row in matrix] + [[False] * width for _ in range(QUIET_ZONE)]
