"""Reading spreadsheets as an office saves them: `.xlsx` and `.csv` (UTF-8, UTF-8 with BOM, GB18030).

Also the cell parsers that undo what Excel does to codes, phones and dates, and the one way every xlsx and csv we
write puts text in a cell (`append_row`, `csv_cell`): text that came from outside never becomes a formula.
Pure: no database. Parsers raise `ValueError` for a value they cannot read; the caller says why in the user's words.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv",)
# an xlsx is a zip: what its directory declares is checked before it is opened (a zip bomb never inflates).
# A county's 6,000 schools take about 3 MB inflated, at about 10 to 1.
XLSX_MAX_INFLATED = 100 * 1024 * 1024
XLSX_MAX_RATIO = 100  # inflated / compressed, over the archive, once it is past XLSX_RATIO_FROM
XLSX_RATIO_FROM = 10 * 1024 * 1024
XLSX_MAX_MEMBERS = 2000
# characters people paste around values that str.strip() keeps
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"


class TableError(Exception):
    """The file cannot be read as a table; `reason` is one of: file_type, old_excel, unreadable, encoding, too_big."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason, detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class TableRow:
    """A row that is not empty, numbered as the spreadsheet shows it (the first row is 1)."""

    number: int
    cells: tuple[Any, ...]


def read_rows(data: bytes, filename: str, sheet_names: tuple[str, ...] = ()) -> list[TableRow]:
    """The non-empty rows of the file's sheet named one of `sheet_names`, else its first; raises `TableError`."""
    suffix = PurePath(filename).suffix.lower()
    if suffix in XLSX_SUFFIXES:
        rows: Iterable[tuple[int, tuple[Any, ...]]] = _xlsx_rows(data, sheet_names)
    elif suffix in CSV_SUFFIXES:
        rows = _csv_rows(data)
    elif suffix == ".xls":
        raise TableError("old_excel")
    else:
        raise TableError("file_type")
    return [TableRow(number, cells) for number, cells in rows if not all(is_blank(c) for c in cells)]


def check_zip(data: bytes) -> None:
    """Refuse an archive whose directory declares too much inflated content, too high a ratio or too many members.

    zipfile never inflates a member past its declared size (a lie ends in a CRC error), so the directory is enough.
    """
    from zipfile import BadZipFile, ZipFile

    try:
        with ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (BadZipFile, OSError, ValueError) as exc:
        raise TableError("unreadable", str(exc)) from exc
    inflated = sum(m.file_size for m in members)
    packed = max(1, sum(m.compress_size for m in members))
    if (
        len(members) > XLSX_MAX_MEMBERS
        or inflated > XLSX_MAX_INFLATED
        or (inflated > XLSX_RATIO_FROM and inflated / packed > XLSX_MAX_RATIO)
    ):
        raise TableError("too_big", f"{len(members)} members, {inflated} bytes inflated from {packed}")


def _xlsx_rows(data: bytes, sheet_names: tuple[str, ...] = ()) -> list[tuple[int, tuple[Any, ...]]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    check_zip(data)
    try:
        with warnings.catch_warnings():
            # files saved by WPS or Excel add-ins carry extensions openpyxl drops with a warning: harmless here
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TableError("unreadable", str(exc)) from exc
    try:
        wanted = {normalize(name) for name in sheet_names}
        sheet = next((ws for ws in book.worksheets if normalize(ws.title) in wanted), book.worksheets[0])
        # some writers record a wrong sheet size; without this, read-only mode would trust it
        sheet.reset_dimensions()
        return [(number, tuple(cells)) for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        book.close()


def _csv_rows(data: bytes) -> Iterator[tuple[int, tuple[Any, ...]]]:
    text = decode_csv(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    # csv counts lines, not records: a quoted value with a line break would shift the numbers otherwise
    for number, cells in enumerate(reader, start=1):
        yield number, tuple(cells)


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) if it decodes, else GB18030 (which covers GBK and GB2312)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError("encoding")


# ---- cells --------------------------------------------------------------------------------------------------


def clean(value: Any) -> str:
    """A cell as trimmed text (full-width spaces too); numbers that are whole come without `.0`."""
    if type(value) is str:  # the common case first: this runs for every cell
        text = value.strip()
        if text and (text[0] in _INVISIBLE or text[-1] in _INVISIBLE):
            text = text.strip(_INVISIBLE).strip()
        return text
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip().strip(_INVISIBLE).strip()


def is_blank(value: Any) -> bool:
    return clean(value) == ""


def normalize(text: str) -> str:
    """Full-width letters, digits and punctuation as their ASCII forms (NFKC), trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


_FLOAT_TEXT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$", re.IGNORECASE)


def digits_text(value: Any) -> str:
    """A code or number typed as text: full-width digits made ASCII, `3301.0` and `1.38e10` made whole."""
    text = normalize(clean(value))
    if _FLOAT_TEXT.match(text) and ("." in text or "e" in text.lower()):
        try:
            number = Decimal(text)
        except InvalidOperation:
            return text
        if number == number.to_integral_value():
            return str(int(number))
    return text


def parse_int(value: Any) -> int:
    """A whole number: `1234`, `1,234`, `1234.0`, `１２３４`."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    text = digits_text(value).replace(",", "")
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError(value)
    return int(text)


def parse_float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        return float(value)
    text = normalize(clean(value)).replace(",", "")
    if not _FLOAT_TEXT.match(text):
        raise ValueError(value)
    return float(text)


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value: Any) -> date:
    """A date cell, or text: `2024-09-01`, `2024/9/1`, `2024.9.1`, `2024年9月1日`, `20240901`."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = digits_text(value).replace(" ", "") if not isinstance(value, str) else normalize(value)
    text = re.sub(r"\s*([年月日])\s*", r"\1", text)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return date(year, month, day)  # ValueError for 2024-02-30
    raise ValueError(value)


_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# area code 0xx or 0xxx, a 7 or 8 digit number, an optional extension (-123, 转123, ext123)
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(?:(?:-|转|ext\.?|x)\d{1,6})?$", re.IGNORECASE)


def parse_mobile(value: Any) -> str:
    """An 11-digit mainland mobile number; spaces, dashes and a +86 prefix are dropped."""
    text = re.sub(r"[\s\-()]", "", digits_text(value))
    text = re.sub(r"^(\+?86)(?=1\d{10}$)", "", text)
    if not _MOBILE.match(text):
        raise ValueError(value)
    return text


def parse_phone(value: Any) -> str:
    """A mobile number, or a landline with its area code (`0571-87654321`, `057187654321`, `010-12345678-123`)."""
    try:
        return parse_mobile(value)
    except ValueError:
        pass
    text = re.sub(r"[\s()]", "", digits_text(value))
    text = text.replace("—", "-").replace("–", "-")
    match = _LANDLINE.match(text)
    if not match:
        raise ValueError(value)
    return text  # as written: without a dash the split between area code and number is ambiguous


# ---- writing cells ------------------------------------------------------------------------------------------

# what makes Excel, WPS or LibreOffice read a cell as a formula (tab and CR: the same after a paste or a trim)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: Any) -> bool:
    """Text a spreadsheet program would run as a formula if it were written as typed."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def append_row(sheet: Worksheet, values: Iterable[Any]) -> None:
    """A row appended to the sheet with every text as text: `=HYPERLINK(...)` is shown, never run.

    The text is kept exactly (a string cell with Excel's quote prefix); numbers and dates stay numbers and dates.
    """
    from openpyxl.cell.cell import Cell

    cells: list[Any] = []
    for value in values:
        if formula_like(value):
            cell = Cell(sheet, row=1, column=1, value=value)  # append() gives it its place
            cell.data_type = "s"  # openpyxl took a leading `=` for a formula
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
            cells.append(cell)
        else:
            cells.append(value)
    sheet.append(cells)


def csv_cell(value: Any) -> str:
    """A value for a csv we write: text a spreadsheet would run gets a leading apostrophe (OWASP's advice)."""
    if formula_like(value):
        return "'" + value
    return "" if value is None else str(value)


def unguarded(text: str) -> str:
    """A csv cell we wrote read back: the apostrophe `csv_cell` put before a formula-like text is taken off."""
    if text.startswith("'") and formula_like(text[1:]):
        return text[1:]
    return text
