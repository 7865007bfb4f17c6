"""The public boards (责任督学公示牌): `BoardSpec` → laid-out board PNG and print PDF, with the QR code drawn here.

Pure: no database, no Flask, no network. The words on the board come in with the spec.
"""

from qr_boards.batch import render_pngs, write_pdf, write_pngs
from qr_boards.fonts import FontNotFound, FontSet, find_fonts
from qr_boards.render import render_board, render_board_png
from qr_boards.spec import BoardLabels, BoardSpec, InspectorInfo, PageSize

__all__ = [
    "BoardLabels",
    "BoardSpec",
    "FontNotFound",
    "FontSet",
    "InspectorInfo",
    "PageSize",
    "find_fonts",
    "render_board",
    "render_board_png",
    "render_pngs",
    "write_pdf",
    "write_pngs",
]
