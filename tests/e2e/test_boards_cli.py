"""`dudao boards render` as the office runs it: a zone to a multi-page PDF, one school to an A3 PNG."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from backend.store.db import Database
from tests.integration.test_boards import SCHOOLS, ZONE, require_tool, seed_county, zbar

pytestmark = pytest.mark.e2e
DUDAO = str(Path(sys.executable).with_name("dudao"))


def run_dudao(args: list[str], database: Database, instance: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUDAO_")}
    env |= {
        "DUDAO_DATABASE_URL": database.url,
        "DUDAO_INSTANCE_DIR": str(instance),
        "DUDAO_PUBLIC_URL": "https://dudao.example.cn",
    }
    return subprocess.run([DUDAO, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def pdf_page_count(path: Path) -> int:
    out = subprocess.run([require_tool("pdfinfo"), str(path)], capture_output=True, text=True, check=True).stdout
    match = re.search(r"^Pages:\s+(\d+)$", out, re.MULTILINE)
    assert match, out
    return int(match.group(1))


def test_a_zone_renders_to_one_pdf_with_a_page_per_school(sqlite_database: Database, tmp_path: Path) -> None:
    seed_county(sqlite_database, tmp_path / "instance")
    out = tmp_path / "out"
    result = run_dudao(
        ["boards", "render", "--zone", ZONE, "--out", str(out), "--format", "pdf"],
        sqlite_database,
        tmp_path / "instance",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    (pdf,) = out.glob("*.pdf")
    assert pdf.name == f"boards-zone-{ZONE}-a4.pdf"
    assert pdf_page_count(pdf) == len(SCHOOLS)
    assert "已生成 3 块公示牌" in result.stdout
    # the page's QR code, rasterised at 150 dpi
    subprocess.run(
        [require_tool("pdftoppm"), "-r", "150", "-f", "2", "-l", "2", "-png", str(pdf), str(tmp_path / "p")], check=True
    )
    (page,) = tmp_path.glob("p-*.png")
    assert zbar(page) == ["https://dudao.example.cn/b/2199010002"]


def test_one_school_renders_to_an_a3_png(sqlite_database: Database, tmp_path: Path) -> None:
    seed_county(sqlite_database, tmp_path / "instance")
    out = tmp_path / "out"
    args = ["boards", "render", "--school", "2199010001", "--out", str(out), "--size", "a3"]
    result = run_dudao(args, sqlite_database, tmp_path / "instance", tmp_path)
    assert result.returncode == 0, result.stderr
    (png,) = out.glob("*.png")
    assert png.name == "2199010001_青禾县城关第一小学.png"
    with Image.open(png) as image:
        assert image.size == (3508, 4961)
    assert zbar(png) == ["https://dudao.example.cn/b/2199010001"]


def test_the_county_reports_schools_without_an_inspector(sqlite_database: Database, tmp_path: Path) -> None:
    seed_county(sqlite_database, tmp_path / "instance")
    out = tmp_path / "out"
    result = run_dudao(
        ["boards", "render", "--all", "--out", str(out)], sqlite_database, tmp_path / "instance", tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert len(list(out.glob("*.png"))) == len(SCHOOLS)
    assert "龙泉中心小学（2199030001）" in result.stderr


def test_a_selection_is_required_and_unknown_ones_are_explained(sqlite_database: Database, tmp_path: Path) -> None:
    seed_county(sqlite_database, tmp_path / "instance")
    none = run_dudao(["boards", "render", "--out", str(tmp_path)], sqlite_database, tmp_path / "instance", tmp_path)
    assert none.returncode == 2 and "--school" in none.stderr
    unknown = run_dudao(
        ["boards", "render", "--zone", "没有这个区", "--out", str(tmp_path)],
        sqlite_database,
        tmp_path / "instance",
        tmp_path,
    )
    assert unknown.returncode == 1 and "没有找到名为「没有这个区」的督学责任区" in unknown.stderr
