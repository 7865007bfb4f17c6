"""Checklists (督导评估表): imported from the office's xlsx or csv, versioned by name, exported back, listed.

Reading goes through `tabular` (the zip-bomb check, the csv encodings, the cell cleaning); the rows become items by
`backend.domain.checklists`. Importing under a name that exists makes the next version: the tasks created on the
earlier one keep it. A file that cannot be a checklist is refused whole, in Chinese, naming its row.
The three examples shipped with the package (`backend/domain/data/checklists/*.csv`) load the same way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from backend.domain import checklists as rules
from backend.domain.errors import DomainError
from backend.services import audit, tabular
from backend.store.models import Checklist, ChecklistItem
from messages import t

HEADER_SEARCH_ROWS = 10  # a title row or two may stand above the header
MAX_NAME = 100
MAX_FILE_BYTES = 10 * 1024 * 1024
# the examples shipped with the package: name -> file under backend/domain/data/checklists
EXAMPLES = {
    "开学工作专项督导": "kaixue.csv",
    "食堂食品安全": "shitang.csv",
    "幼儿园办园行为": "youeryuan.csv",
}


class ChecklistRefused(DomainError):
    """The file is no checklist; `row` is the sheet's row number (0: the file as a whole)."""

    def __init__(self, key: str, row: int = 0, **fields: object) -> None:
        super().__init__(key, row=row, **fields)
        self.row = row


def _row_refused(row: int, problem: rules.RowProblem) -> ChecklistRefused:
    reason = t(f"checklist.reason.{problem.key}", **problem.fields)
    return ChecklistRefused("checklist.error.row", row, reason=reason)


def read_checklist(data: bytes, filename: str) -> rules.Parsed:
    """The items of an xlsx or csv checklist; raises `ChecklistRefused` naming the file's problem or its row."""
    if len(data) > MAX_FILE_BYTES:
        raise ChecklistRefused("checklist.error.file", reason=t("import.error.too_big"))
    try:
        rows = tabular.read_rows(data, filename, (t("checklist.export.sheet"),))
    except tabular.TableError as exc:
        raise ChecklistRefused("checklist.error.file", reason=t(f"import.error.{exc.reason}")) from None
    if not rows:
        raise ChecklistRefused("checklist.error.file", reason=t("import.error.no_header"))
    texts = [[tabular.unguarded(tabular.clean(c)) for c in row.cells] for row in rows]
    at = next((i for i, cells in enumerate(texts[:HEADER_SEARCH_ROWS]) if rules.header_map(cells)), None)
    if at is None:
        raise ChecklistRefused(
            "checklist.error.headers", rows[0].number, missing="、".join(rules.COLUMNS[n][0] for n in rules.REQUIRED)
        )
    columns = rules.header_map(texts[at]) or {}
    if missing := rules.missing_headers(columns):
        raise ChecklistRefused("checklist.error.headers", rows[at].number, missing="、".join(missing))
    parsed = rules.Parsed()
    section = ""
    for row, cells in zip(rows[at + 1 :], texts[at + 1 :], strict=True):
        by_name = {name: (cells[i] if i < len(cells) else "") for name, i in columns.items()}
        if "section" in columns and by_name["section"]:
            section = by_name["section"]
        elif "section" not in columns and (opened := rules.section_of_row(by_name)) is not None:
            section = opened
            continue
        if rules.is_total_row(by_name):
            continue
        if not any(by_name.get(k) for k in ("text", "type", "score")):
            continue  # a row of the section column alone (merged cells), or of remarks outside the table
        try:
            parsed.items.append(rules.parse_item(by_name, section))
        except rules.RowProblem as problem:
            raise _row_refused(row.number, problem) from None
        if len(parsed.items) > rules.MAX_ITEMS:
            raise ChecklistRefused("checklist.error.too_many", count=len(parsed.items), limit=rules.MAX_ITEMS)
    if not parsed.items:
        raise ChecklistRefused("checklist.error.empty")
    return parsed


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise DomainError("checklist.error.no_name")
    if len(name) > MAX_NAME:
        raise DomainError("checklist.error.name_long")
    if rules.has_control(name):
        raise DomainError("checklist.error.name_control")
    return name


def create_checklist(
    session: Session,
    authority_id: int,
    name: str,
    items: Sequence[rules.ItemSpec],
    *,
    actor: str,
    source_name: str = "",
) -> Checklist:
    """The next version of the checklist `name` with `items` (flushed, not committed; audit `checklist.imported`)."""
    name = _clean_name(name)
    if not items:
        raise ChecklistRefused("checklist.error.empty")
    last = session.scalar(
        select(func.max(Checklist.version)).where(Checklist.authority_id == authority_id, Checklist.name == name)
    )
    checklist = Checklist(
        authority_id=authority_id,
        name=name,
        version=(last or 0) + 1,
        source_name=source_name[:200],
        created_by=actor,
    )
    checklist.items = [
        ChecklistItem(
            position=n,
            number=item.number,
            section=item.section,
            text=item.text,
            answer_type=item.answer_type.value,
            options=item.options_data(),
            min_value=item.min_value,
            max_value=item.max_value,
            score=item.score,
            rectify_on_fail=item.rectify_on_fail,
            photo_required=item.photo_required,
        )
        for n, item in enumerate(items, start=1)
    ]
    session.add(checklist)
    session.flush()
    audit.record(
        session,
        actor,
        "checklist.imported",
        "checklist",
        checklist.id,
        name=name,
        version=checklist.version,
        items=len(items),
        total=sum(i.score for i in items),
        source=source_name[:200],
    )
    return checklist


def import_checklist(
    session: Session, authority_id: int, data: bytes, filename: str, *, name: str, actor: str
) -> Checklist:
    """Read the file and store it as the next version of `name`; raises `ChecklistRefused` / `DomainError`."""
    name = _clean_name(name)
    parsed = read_checklist(data, filename)
    return create_checklist(session, authority_id, name, parsed.items, actor=actor, source_name=Path(filename).name)


def find(session: Session, authority_id: int, name: str, version: int | None = None) -> Checklist:
    """The checklist `name` at `version` (default: its latest); raises `DomainError`."""
    if rules.has_control(name):
        raise DomainError("checklist.error.unknown", name=repr(name))
    query = select(Checklist).where(Checklist.authority_id == authority_id, Checklist.name == name.strip())
    if version is not None:
        found = session.scalar(query.where(Checklist.version == version))
        if found is None and session.scalar(query.limit(1)) is not None:
            raise DomainError("checklist.error.version", name=name, version=version)
    else:
        found = session.scalar(query.order_by(Checklist.version.desc()).limit(1))
    if found is None:
        raise DomainError("checklist.error.unknown", name=name)
    return found


@dataclass(frozen=True)
class ChecklistSummary:
    id: int
    name: str
    version: int
    items: int
    total: float
    created_at: datetime
    created_by: str
    latest: bool


def list_checklists(session: Session, authority_id: int) -> list[ChecklistSummary]:
    """Every version of every checklist, by name, newest version first."""
    rows = session.execute(
        select(
            Checklist.id,
            Checklist.name,
            Checklist.version,
            func.count(ChecklistItem.id),
            func.coalesce(func.sum(ChecklistItem.score), 0.0),
            Checklist.created_at,
            Checklist.created_by,
        )
        .outerjoin(ChecklistItem, ChecklistItem.checklist_id == Checklist.id)
        .where(Checklist.authority_id == authority_id)
        .group_by(Checklist.id)
        .order_by(Checklist.name, Checklist.version.desc())
    ).all()
    seen: set[str] = set()
    out = []
    for id_, name, version, items, total, at, by in rows:
        out.append(ChecklistSummary(id_, name, version, int(items), float(total), at, by, name not in seen))
        seen.add(name)
    return out


def items_of(session: Session, checklist_id: int) -> list[ChecklistItem]:
    return list(
        session.scalars(
            select(ChecklistItem).where(ChecklistItem.checklist_id == checklist_id).order_by(ChecklistItem.position)
        )
    )


# ---- export --------------------------------------------------------------------------------------------------


def export_rows(items: Sequence[ChecklistItem]) -> list[list[object]]:
    """The header and a row per item, as the import reads them back (the 分类 column, no section rows)."""
    rows: list[list[object]] = [list(rules.HEADERS)]
    for item in items:
        score = int(item.score) if float(item.score).is_integer() else item.score
        rows.append(
            [
                item.section,
                item.number,
                item.text,
                rules.type_cell(item.answer_type, item.options, item.min_value, item.max_value),
                score,
                rules.flag_cell(item.rectify_on_fail),
                rules.flag_cell(item.photo_required),
            ]
        )
    return rows


def export_bytes(session: Session, checklist: Checklist, fmt: str) -> bytes:
    """The checklist as `xlsx` or `csv` (UTF-8 with BOM, for Excel); text cells never become formulas."""
    rows = export_rows(items_of(session, checklist.id))
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        for row in rows:
            writer.writerow([tabular.csv_cell(v) for v in row])
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    if fmt != "xlsx":
        raise ValueError(fmt)
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = t("checklist.export.sheet")
    for row in rows:
        tabular.append_row(sheet, row)
    for column, width in zip("ABCDEFG", (16, 8, 60, 28, 8, 14, 10), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_file(session: Session, checklist: Checklist, path: Path) -> int:
    """Write the checklist to `path` (`.csv`, else xlsx); returns the number of items."""
    fmt = "csv" if path.suffix.lower() == ".csv" else "xlsx"
    path.write_bytes(export_bytes(session, checklist, fmt))
    return len(checklist.items)


# ---- the shipped examples ------------------------------------------------------------------------------------


def example_bytes(name: str) -> bytes:
    return resources.files("backend.domain").joinpath("data", "checklists", EXAMPLES[name]).read_bytes()


def load_examples(session: Session, authority_id: int, *, actor: str) -> list[Checklist]:
    """The three example checklists, each imported unless the authority has one by its name already."""
    loaded = []
    for name, filename in EXAMPLES.items():
        exists = session.scalar(
            select(Checklist.id).where(Checklist.authority_id == authority_id, Checklist.name == name).limit(1)
        )
        if exists is None:
            loaded.append(
                import_checklist(session, authority_id, example_bytes(name), filename, name=name, actor=actor)
            )
    return loaded


def with_items(session: Session, checklist_id: int) -> Checklist | None:
    return session.scalar(select(Checklist).options(selectinload(Checklist.items)).where(Checklist.id == checklist_id))
