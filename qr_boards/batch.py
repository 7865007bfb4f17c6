"""Rendering many boards on every core: the workers lay out, paint and encode; the caller writes the files."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from qr_boards.fonts import FontSet, find_fonts
from qr_boards.pdf import PdfWriter
from qr_boards.render import render_board_png
from qr_boards.spec import BoardSpec, PageSize


def render_pngs(
    specs: Sequence[BoardSpec],
    size: PageSize,
    fonts: FontSet | None = None,
    dpi: int = 300,
    workers: int | None = None,
) -> Iterator[tuple[BoardSpec, bytes]]:
    """Each spec with its board as PNG bytes, in the order given, rendered by `workers` processes (all cores)."""
    fonts = fonts or find_fonts()
    render = partial(render_board_png, size=size, fonts=fonts, dpi=dpi)
    workers = min(workers or os.cpu_count() or 1, len(specs))
    if workers <= 1:
        for spec in specs:
            yield spec, render(spec)
        return
    # forkserver: the workers do not inherit the caller's threads or open connections
    context = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        # small chunks keep the progress bar moving and the memory flat; each worker paints the shared layer once
        yield from zip(specs, pool.map(render, specs, chunksize=2), strict=True)


def png_name(spec: BoardSpec) -> str:
    """The file name of a school's board: its code and name, safe on every file system."""
    name = "".join(ch for ch in spec.school_name if ch.isalnum() or ch in "()（）-_")
    return f"{spec.school_code}_{name}.png"


def write_pngs(boards: Iterator[tuple[BoardSpec, bytes]], out_dir: Path) -> Iterator[Path]:
    """Write each board to `out_dir` as it arrives, yielding the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for spec, png in boards:
        path = out_dir / png_name(spec)
        path.write_bytes(png)
        yield path


def write_pdf(
    boards: Iterator[tuple[BoardSpec, bytes]], path: Path, size: PageSize, title: str = ""
) -> Iterator[BoardSpec]:
    """Write one PDF with a page per board, as the boards arrive, yielding each spec once its page is written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out, PdfWriter(out, size, title) as pdf:
        for spec, png in boards:
            pdf.add_png(png)
            yield spec
