"""The school's 督导报告 as printed: its text read back from the PDF (pdftotext) holds every date, count and code."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from backend.domain.calendar import local_date
from backend.services import report_pdf
from backend.store.db import Database
from backend.store.models import Authority, Rectification, Unit, Visit
from tests.integration.test_office_web import Seeded, sign_in

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout


def flat(text: str) -> str:
    """The text without the spaces and line breaks that layout puts in."""
    return "".join(text.split())


@needs_pdftotext
def test_the_report_prints_dates_counts_codes_and_latin_letters(
    app: Flask, seeded: Seeded, database: Database, tmp_path: Path
) -> None:
    today = local_date(database.clock.now())
    with database.sessions() as s:
        unit = s.scalar(select(Unit).where(Unit.code == seeded.school_a))
        assert unit is not None
        visit = s.scalar(select(Visit).where(Visit.unit_id == unit.id))
        assert visit is not None
        visit.problems = "WiFi 密码贴在教室门口；第3教学楼消防栓压力不足"
        s.add(
            Visit(
                authority_id=visit.authority_id, inspector_id=visit.inspector_id, unit_id=unit.id,
                visited_on=today - timedelta(days=1), items=["6"], observations="查看校门口交通", urgent=True,
            )
        )  # fmt: skip
        s.commit()
        office = s.scalar(select(Authority.office_name))
        rect = s.scalar(select(Rectification).where(Rectification.number == "ZG-a"))
        assert rect is not None and office
        deadline, school = rect.deadline, unit.name
    client = app.test_client()
    sign_in(client, "admin")
    response = client.get(f"/office/export/report.pdf?school={seeded.school_a}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    printed = pdf_text(response.data, tmp_path)
    text = flat(printed)

    assert office + "责任督学挂牌督导报告" in text  # the issuing office heads the document
    assert school in text and seeded.school_a in text  # the school and its code (digits)
    assert f"{today.year}年{today.month}月{today.day}日" in text  # the date it was issued
    assert today.isoformat() in text and (today - timedelta(days=1)).isoformat() in text  # the visits' dates
    assert "一、经常性督导（2次）" in text and "二、发现的问题（1条）" in text
    assert "WiFi密码贴在教室门口" in text and "第3教学楼" in text  # what was found, Latin letters and digits
    assert "ZG-a" in text and deadline.isoformat() in text  # the rectification's number and deadline
    assert "整改中" in text and "已约谈" not in text and "已逾期" in text  # state; overdue since its deadline passed
    assert "紧急" in text  # the emergency visit marked
    assert "第1页共1页" in text  # page numbers
    assert "责任督学" in text and "督学证号" in text


def test_a_font_without_digits_is_never_taken() -> None:
    droid = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
    if not Path(droid).is_file():
        pytest.skip("fonts-droid-fallback is not installed")
    assert not report_pdf._draws_everything(droid, 0)
    found = report_pdf.find_font()
    assert found is not None, (
        "no TrueType font with Chinese, digits and letters: sudo apt-get install fonts-wqy-microhei"
    )
    assert report_pdf._draws_everything(found.path, found.index)


def test_without_a_font_the_office_is_told_what_to_install(
    app: Flask, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_pdf, "FONT_NAME", "DudaoReportMissing")
    monkeypatch.setattr(report_pdf, "find_font", lambda: None)
    client = app.test_client()
    sign_in(client, "admin")
    response = client.get(f"/office/export/report.pdf?school={seeded.school_a}", follow_redirects=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "fonts-wqy-microhei" in response.text


@needs_pdftotext
def test_a_long_report_numbers_every_page_of_the_whole(
    app: Flask, seeded: Seeded, database: Database, tmp_path: Path
) -> None:
    today = local_date(database.clock.now())
    with database.sessions() as s:
        unit = s.scalar(select(Unit).where(Unit.code == seeded.school_a))
        visit = s.scalar(select(Visit).where(Visit.unit_id == unit.id)) if unit else None
        assert unit is not None and visit is not None
        for n in range(1, 41):
            s.add(
                Visit(
                    authority_id=visit.authority_id, inspector_id=visit.inspector_id, unit_id=unit.id,
                    visited_on=today - timedelta(days=n), items=["1", "3"],
                    observations=f"第{n}次：随机听课，查阅教案和作业批改记录，座谈走访教师 {n} 人",
                )
            )  # fmt: skip
        s.commit()
    client = app.test_client()
    sign_in(client, "admin")
    response = client.get(f"/office/export/report.pdf?school={seeded.school_a}&since={today - timedelta(days=60)}")
    assert response.status_code == 200
    text = flat(pdf_text(response.data, tmp_path))
    pages = re.findall(r"第(\d+)页共(\d+)页", text)
    total = int(pages[0][1])
    assert total >= 2 and pages == [(str(n), str(total)) for n in range(1, total + 1)]
    assert "一、经常性督导（41次）" in text
