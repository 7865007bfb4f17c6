"""A task's 督导报告 as printed: its text read back from the PDF (pdftotext) and from the DOCX (python-docx) holds the
overview, each finished school's score, the items' pass rates, the problems and the rectifications; the photo is
printed as a thumbnail, and a bomb among the photos is never decoded."""

from __future__ import annotations

import io
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest
from docx import Document
from flask import Flask
from sqlalchemy import select

from backend.services import images
from backend.store.db import Database
from backend.store.models import Media, Unit
from tests.integration.test_office_web import sign_in
from tests.integration.test_school_report_pdf import flat, needs_pdftotext
from tests.integration.test_task_office import app, seeded, task  # noqa: F401 (the fixtures)
from tests.task_office_support import DONE, TaskSeed


def pdf_text(content: bytes, tmp_path: Path) -> str:
    """The PDF's text in reading order (a table cell's wrapped lines stay together, unlike `-layout`)."""
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def _names(database: Database, codes: list[str]) -> dict[str, str]:
    with database.sessions() as s:
        return dict(s.execute(select(Unit.code, Unit.name).where(Unit.code.in_(codes))).all())


def _expect_scores(text: str, task: TaskSeed, names: dict[str, str]) -> None:
    body = flat(text)
    for word in ("督导报告", "基本情况", "评估得分", "各检查项情况", "发现的主要问题", "整改要求与进展", "现场照片"):
        assert word in body, word
    assert f"已完成{DONE}个" in body
    for code, score in task.scores.items():
        assert flat(f"{score:g}/100") in body, code
        assert flat(names[code]) in body
    assert "校舍安全隐患排查台账齐全不到位" in body  # a failed item's remark
    for numbers in task.rectifications.values():
        for number in numbers:
            assert number in body


@needs_pdftotext
def test_the_pdf_report_shows_the_scores_problems_and_rectifications(
    app: Flask, database: Database, task: TaskSeed, tmp_path: Path
) -> None:
    client = app.test_client()
    sign_in(client, "admin")
    response = client.get(f"/office/tasks/{task.task_id}/report.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert ".pdf" in response.headers["Content-Disposition"]
    _expect_scores(pdf_text(response.data, tmp_path), task, _names(database, task.codes))
    assert b"/Subtype /Image" in response.data or b"/Subtype/Image" in response.data  # the photo


def test_the_docx_report_shows_the_scores_and_holds_the_photo_as_a_thumbnail(
    app: Flask, database: Database, task: TaskSeed
) -> None:
    client = app.test_client()
    sign_in(client, "admin")
    response = client.get(f"/office/tasks/{task.task_id}/report.docx")
    assert response.status_code == 200
    _expect_scores(docx_text(response.data), task, _names(database, task.codes))
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        pictures = [n for n in archive.namelist() if n.startswith("word/media/")]
        assert len(pictures) == 1
        kind, (width, height) = images.measure(archive.read(pictures[0]))
    assert kind == "image/jpeg" and max(width, height) <= 800


def test_a_bomb_among_the_photos_is_refused_from_its_header_and_the_report_still_prints(
    app: Flask, database: Database, task: TaskSeed, monkeypatch: pytest.MonkeyPatch
) -> None:
    media_dir = app.extensions["dudao"].config.media_dir
    with database.sessions() as s:
        photo = s.get(Media, task.photo_id)
        assert photo is not None
        # a PNG header claiming 30000x30000 pixels: measured, refused, never decoded
        header = b"\x89PNG\r\n\x1a\n"
        ihdr = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
        chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
        (media_dir / photo.path).write_bytes(header + chunk)
    decoded: list[tuple[int, int]] = []
    original = images.Image.Image.load
    monkeypatch.setattr(images.Image.Image, "load", lambda self: decoded.append(self.size) or original(self))
    client = app.test_client()
    sign_in(client, "admin")
    response = client.get(f"/office/tasks/{task.task_id}/report.docx")
    assert response.status_code == 200
    assert "没有现场照片" in docx_text(response.data)
    assert (30000, 30000) not in decoded
