"""Reading cells as offices type them, and as Excel mangles them."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from backend.domain.kinds import UnitKind
from backend.services import tabular
from backend.services.importing import ImportKind, RowProblem, describe, stage_choices, template_bytes


@pytest.mark.parametrize(
    "value",
    ["2024-09-01", "2024/9/1", "2024.9.1", "2024年9月1日", "2024 年 9 月 1 日", "20240901", 20240901, 20240901.0,
     "２０２４-０９-０１", datetime(2024, 9, 1), date(2024, 9, 1), " 2024-9-1 ", "2024-09-01 00:00:00"],
)  # fmt: skip
def test_dates_in_every_usual_spelling(value: object) -> None:
    assert tabular.parse_date(value) == date(2024, 9, 1)


@pytest.mark.parametrize("value", ["2024-02-30", "9/1/2024", "下周一", "2024-09", "45536"])
def test_not_a_date(value: str) -> None:
    with pytest.raises(ValueError):
        tabular.parse_date(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13800138000", "13800138000"),
        (13800138000, "13800138000"),
        (13800138000.0, "13800138000"),
        ("1.3800138e10", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
    ],
)
def test_mobiles_are_read_as_eleven_digits(value: object, expected: str) -> None:
    assert tabular.parse_mobile(value) == expected
    assert tabular.parse_phone(value) == expected


@pytest.mark.parametrize("value", ["1380013800", "12800138000", "138001380001", "0571-87654321", "电话"])
def test_not_a_mobile(value: str) -> None:
    with pytest.raises(ValueError):
        tabular.parse_mobile(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0571-87654321", "0571-87654321"),
        ("057187654321", "057187654321"),
        ("010-12345678", "010-12345678"),
        ("0571-8765432-123", "0571-8765432-123"),
        ("０５７１－８７６５４３２１", "0571-87654321"),
        ("(0571)87654321", "057187654321"),
        ("0571-87654321转806", "0571-87654321转806"),
    ],
)
def test_landlines_with_area_code(value: str, expected: str) -> None:
    assert tabular.parse_phone(value) == expected


@pytest.mark.parametrize("value", ["87654321", "0571-123", "1234-87654321", "0571-87654321-"])
def test_not_a_phone(value: str) -> None:
    with pytest.raises(ValueError):
        tabular.parse_phone(value)


def test_codes_that_excel_turned_into_numbers_come_back_whole() -> None:
    assert tabular.digits_text(3301020001.0) == "3301020001"
    assert tabular.digits_text("3301020001.0") == "3301020001"
    assert tabular.digits_text("3.301020001E+09") == "3301020001"
    assert tabular.digits_text("３３０１") == "3301"
    assert tabular.digits_text("D2024-001") == "D2024-001"
    assert tabular.digits_text("12.5") == "12.5"  # not whole: left for the caller to refuse


def test_cells_are_trimmed_of_full_width_and_invisible_spaces() -> None:
    assert tabular.clean("\u3000城关小学 \u200b") == "城关小学"
    assert tabular.clean(None) == ""
    assert tabular.is_blank(" \u3000 ")


def test_counts_accept_separators_and_whole_floats_only() -> None:
    assert tabular.parse_int("1,260") == 1260
    assert tabular.parse_int(1260.0) == 1260
    assert tabular.parse_int("１２６０") == 1260
    for bad in ("12.5", "约1000", True):
        with pytest.raises(ValueError):
            tabular.parse_int(bad)


def test_csv_encodings_are_detected() -> None:
    text = "学校代码,学校名称\r\n1,城关小学\r\n"
    for data in (text.encode("utf-8"), text.encode("utf-8-sig"), text.encode("gb18030"), text.encode("utf-16")):
        assert tabular.decode_csv(data) == text


def test_rows_keep_the_spreadsheet_numbering_and_skip_empty_rows() -> None:
    data = "学校代码,学校名称\n1,城关小学\n,\n\n2,实验小学\n".encode("gb18030")
    rows = tabular.read_rows(data, "学校.CSV")
    assert [(row.number, row.cells[0]) for row in rows] == [(1, "学校代码"), (2, "1"), (5, "2")]


def test_unsupported_files_say_why() -> None:
    for name, reason in (("a.xls", "old_excel"), ("a.pdf", "file_type"), ("a.xlsx", "unreadable")):
        with pytest.raises(tabular.TableError) as caught:
            tabular.read_rows(b"not a spreadsheet", name)
        assert caught.value.reason == reason


def test_stage_labels_and_aliases() -> None:
    choices = stage_choices()
    assert choices["小学"] is UnitKind.PRIMARY
    assert choices["职高"] is choices["中等职业学校"] is choices["中职"] is UnitKind.VOCATIONAL
    assert choices["特殊教育学校"] is choices["特教"] is UnitKind.SPECIAL
    assert choices["乡镇(街道)"] is choices["街道"] is UnitKind.TOWNSHIP
    assert choices["部门"] is choices["县级部门"] is UnitKind.DEPARTMENT


def test_problems_read_as_the_office_expects() -> None:
    assert describe(RowProblem(5, "联系电话", "格式不对。")) == "第 5 行「联系电话」：格式不对。"
    assert describe(RowProblem(0, "", "文件是空的。")) == "文件是空的。"


def test_csv_template_is_the_header_line_and_the_example_row_with_a_bom() -> None:
    data = template_bytes(ImportKind.ASSIGNMENTS, "csv")
    assert data.decode("utf-8-sig").splitlines() == ["督学编号,学校代码,起始日期", "D2024001,3607260012,2024-09-01"]
    assert data.startswith(b"\xef\xbb\xbf")
