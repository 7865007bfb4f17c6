"""Benchmark: rendering a county's public boards (300 schools by default) on every core, as PNGs and as one PDF.

No database: the specs are generated (names of every length, 60 % with a photo, WeChat-style QR urls). Compares
the time per board with the floor: the time to just encode a blank page of the same size in the same format
(PNG: our encoder on a white page; PDF: that PNG put on a PDF page). Also measures the CPU time of one board
on one core (process time, which other work on a shared machine does not inflate) and projects the county's
wall time from it: N x that / cores.

    .venv/bin/python bench/boards.py [--schools 300] [--size a4|a3] [--format png|pdf|both] [--workers N]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import string
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

from backend.services.authority import seed_items
from backend.services.boards import board_labels, duties, readable_phone
from messages import t
from qr_boards.batch import render_pngs, write_pdf, write_pngs
from qr_boards.fonts import find_fonts
from qr_boards.pdf import PdfWriter
from qr_boards.png import encode_png
from qr_boards.render import render_board_png
from qr_boards.spec import BoardSpec, InspectorInfo, PageSize

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈欧阳司马"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚华建国红梅燕春"
TOWNS = ["城关", "柳河", "桃花", "河口", "白沙", "石桥", "青石", "龙泉", "凤凰山", "大石头沟"]
KINDS = ["小学"] * 5 + ["幼儿园"] * 4 + ["初级中学", "九年一贯制学校", "中心小学", "民族九年一贯制学校（第二校区）"]


def photos(folder: Path, count: int = 8) -> list[str]:
    """A few ID-style photos, as JPEG files of a phone camera's size."""
    paths = []
    for n in range(count):
        image = Image.new("RGB", (1200, 1600), (60 + 20 * n, 110, 180 - 10 * n))
        pen = ImageDraw.Draw(image)
        pen.ellipse((400, 250, 800, 750), fill=(236, 204, 176))
        pen.ellipse((150, 850, 1050, 1900), fill=(30, 34, 50))
        path = folder / f"photo{n}.jpg"
        image.save(path, quality=88)
        paths.append(str(path))
    return paths


def generate(n: int, photo_files: list[str], seed: int = 11) -> list[BoardSpec]:
    rng = random.Random(seed)
    labels = board_labels(wechat=True)
    items = tuple(i["name"] for i in seed_items())
    specs = []
    for i in range(n):
        town = rng.choice(TOWNS)
        name = (
            f"青禾县{town}镇"
            + ("".join(rng.choice("东西南北新和平安康") for _ in range(rng.randint(0, 6))))
            + rng.choice(KINDS)
        )
        surname = rng.choice(SURNAMES)
        inspector = InspectorInfo(
            name=surname + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2))),
            phone=readable_phone(f"13{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"),
            number=f"QH-DX-{i // 5 + 1:03d}",
            photo_path=rng.choice(photo_files) if rng.random() < 0.6 else None,
        )
        version = rng.randint(1, 4)
        specs.append(
            BoardSpec(
                school_code=f"2199{i:06d}",
                school_name=name,
                zone_name=f"{town}责任区",
                inspector=inspector,
                items=items,
                duties=duties(),
                office_name="青禾县人民政府教育督导室",
                hotline="0123-66551200",
                qr_content="http://weixin.qq.com/q/02"
                + "".join(rng.choices(string.ascii_letters + string.digits, k=22)),
                version=version,
                version_line=t("board.version", version=version, date="2026-11-22"),
                labels=labels,
            )
        )
    return specs


def floor_seconds(size: PageSize, fmt: str, pages: int = 8) -> float:
    """CPU seconds to encode one blank page of `size` in `fmt` on one core (the whole page through the PNG
    encoder, without the reuse of the county's rows that a board gets; the best of `pages` tries)."""
    blank = Image.new("RGB", size.pixels(300), (255, 255, 255))
    best = float("inf")
    with PdfWriter(io.BytesIO(), size) as pdf:
        for _ in range(pages):
            started = time.process_time()
            png = encode_png(blank, 300)
            if fmt == "pdf":
                pdf.add_png(png)
            best = min(best, time.process_time() - started)
    return best


def cpu_seconds_per_board(specs: list[BoardSpec], size: PageSize, boards: int = 30) -> float:
    """CPU seconds to render one board in this process (after one warm-up board)."""
    fonts = find_fonts()
    render_board_png(specs[0], size, fonts)
    sample = specs[:boards]
    started = time.process_time()
    for spec in sample:
        render_board_png(spec, size, fonts)
    return (time.process_time() - started) / len(sample)


def run(specs: list[BoardSpec], size: PageSize, fmt: str, workers: int, out: Path) -> float:
    started = time.perf_counter()
    boards = render_pngs(specs, size, find_fonts(), workers=workers)
    done = write_pdf(boards, out / "boards.pdf", size) if fmt == "pdf" else write_pngs(boards, out / "png")
    for _ in done:
        pass
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, default=300)
    parser.add_argument("--size", choices=["a4", "a3"], default="a4")
    parser.add_argument("--format", choices=["png", "pdf", "both"], default="both")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    size = PageSize.named(args.size)
    formats = ["png", "pdf"] if args.format == "both" else [args.format]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        specs = generate(args.schools, photos(folder))
        print(f"{len(specs)} boards, {size.name} at 300 dpi, {args.workers} worker(s) on {os.cpu_count()} core(s)")
        cpu = cpu_seconds_per_board(specs, size)
        cores = min(args.workers, os.cpu_count() or 1)
        print(
            f"one board: {cpu * 1000:.0f} CPU-ms on one core; projected on an idle machine: "
            f"{len(specs) * cpu / cores:.1f} s for {len(specs)} boards on {cores} core(s)"
        )
        for fmt in formats:
            seconds = run(specs, size, fmt, args.workers, folder)
            floor = floor_seconds(size, fmt)
            per_board = seconds / len(specs)
            core_per_board = per_board * args.workers
            written = sum(p.stat().st_size for p in folder.rglob(f"*.{fmt}"))
            print(
                f"{fmt.upper()}: {seconds:5.1f} s wall ({'under' if seconds < 60 else 'OVER'} a minute), "
                f"{len(specs) / seconds:4.1f} boards/s, {per_board * 1000:3.0f} ms/board wall = "
                f"{core_per_board * 1000:3.0f} core-ms/board; {written / len(specs) / 1024:3.0f} KiB/board"
            )
            print(
                f"     floor: a blank page encoded as {fmt.upper()}: {floor * 1000:3.0f} CPU-ms; "
                f"a board costs {cpu / floor:.2f} x the floor in CPU, {core_per_board / floor:.2f} x in wall core-time"
            )


if __name__ == "__main__":
    main()
