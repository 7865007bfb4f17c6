"""Issue 13.7: an xlsx that inflates to hundreds of MB is refused from its zip directory, before openpyxl opens it."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from flask import Flask

from backend.services import tabular
from backend.services.importing import ImportKind, import_bytes
from backend.store.db import Database
from tests.integration.test_import import SCHOOL_HEADER, SCHOOLS, cli, write_xlsx
from tests.integration.test_office_web import Seeded, make_app, seed_activity, sign_in

INFLATED = 300 * 1024 * 1024
REFUSAL = "文件解压后的内容大得异常"


def xlsx_bomb(tmp_path: Path) -> bytes:
    """A real schools workbook whose sheet is padded with 300 MB of blanks: about 300 KB on disk."""
    honest = write_xlsx(tmp_path / "honest.xlsx", SCHOOL_HEADER, SCHOOLS).read_bytes()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(honest)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb,
    ):
        for member in source.infolist():
            content = source.read(member)
            if member.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(member, content)
                continue
            head, _, tail = content.partition(b"<sheetData>")
            info = zipfile.ZipInfo(member.filename, member.date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            with bomb.open(info, "w", force_zip64=True) as sheet:
                sheet.write(head + b"<sheetData>")
                blanks = b" " * (1024 * 1024)
                for _ in range(INFLATED // len(blanks)):
                    sheet.write(blanks)
                sheet.write(tail)
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    data = xlsx_bomb(tmp_path_factory.mktemp("bomb"))
    assert len(data) < 1024 * 1024  # small enough for any upload limit
    return data


def test_the_bomb_is_refused_from_its_directory_without_inflating_it(bomb: bytes) -> None:
    started = time.monotonic()
    with pytest.raises(tabular.TableError) as refused:
        tabular.read_rows(bomb, "学校.xlsx")
    assert refused.value.reason == "too_big"
    assert time.monotonic() - started < 1


def test_the_office_import_page_refuses_the_bomb_in_chinese(database: Database, tmp_path: Path, bomb: bytes) -> None:
    seeded: Seeded = seed_activity(database)
    assert seeded.school_a
    app: Flask = make_app(database, tmp_path)
    office = app.test_client()
    token = sign_in(office, "admin")
    response = office.post(
        "/office/import",
        data={"kind": "schools", "csrf_token": token, "file": (io.BytesIO(bomb), "学校名单.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and REFUSAL in response.text
    with database.sessions() as s:
        report = import_bytes(s, ImportKind.SCHOOLS, bomb, "学校名单.xlsx", media_dir=tmp_path / "media", actor="test")
        assert not report.ok and REFUSAL in report.problems[0].message


def test_dudao_import_refuses_the_bomb_in_chinese(tmp_path: Path, bomb: bytes) -> None:
    path = tmp_path / "学校名单.xlsx"
    path.write_bytes(bomb)
    result = cli(tmp_path, "import", "schools", str(path))
    assert result.exit_code != 0 and REFUSAL in result.output


def test_an_honest_workbook_still_imports(tmp_path: Path) -> None:
    honest = write_xlsx(tmp_path / "schools.xlsx", SCHOOL_HEADER, SCHOOLS).read_bytes()
    assert len(tabular.read_rows(honest, "schools.xlsx")) == len(SCHOOLS) + 1
