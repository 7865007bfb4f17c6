"""Importing a county's master data (schools, inspectors, assignments) from `.xlsx` and `.csv`.

All or nothing: every row is read and checked first, and any problem stops the import with every problem
listed by row and column. Idempotent: rows are matched by code (school) or number (inspector), and only
what differs is written, in one transaction, with one audit event. The existing rows are loaded once into
dicts and written in bulk, so a prefecture's lists import in seconds.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, func, insert, select, update
from sqlalchemy.orm import Session, aliased

from backend.domain.calendar import local_date
from backend.domain.kinds import Employment, Ownership, UnitKind
from backend.domain.school_names import split_nicknames
from backend.services import audit, tabular
from backend.services.authority import current_authority
from backend.store.db import session_now
from backend.store.models import Assignment, Authority, Inspector, TrainingRecord, Unit, Zone
from messages import t

T = TypeVar("T")

LONGITUDE_RANGE = (73.0, 136.0)  # China, west to east
LATITUDE_RANGE = (3.0, 54.0)  # China, south to north
PHOTO_FOLDER = "inspectors"  # under the media folder
# a workbook may carry the training records on a sheet of their own beside the inspectors (the first sheet):
# the training import reads that sheet when there is one
SHEET_NAMES = {"training": ("培训记录", "督学培训记录", "培训", "学时")}
HEADER_SEARCH_ROWS = 10  # a title line or two above the header is common in office spreadsheets


class ImportKind(StrEnum):
    SCHOOLS = "schools"
    INSPECTORS = "inspectors"
    ASSIGNMENTS = "assignments"
    TRAINING = "training"

    @property
    def label(self) -> str:
        return t(f"import.kind.{self.value}")


@dataclass(frozen=True)
class Column:
    """A column of an import file: `key` names its header (`import.column.<key>`) and its guide."""

    key: str
    required: bool = False
    guide: str = ""
    aliases: tuple[str, ...] = ()  # other headers offices write for it (园长姓名 for 校长（园长）姓名)

    @property
    def header(self) -> str:
        return t(f"import.column.{self.key}")

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)

    @property
    def guide_key(self) -> str:
        return f"import.guide.{self.guide or self.key}"


COLUMNS: dict[ImportKind, tuple[Column, ...]] = {
    ImportKind.SCHOOLS: (
        Column("school_code", required=True),
        Column("school_name", required=True),
        Column("stage", required=True),
        Column("ownership", required=True),  # the value may stay empty for townships and departments
        Column("address"),
        Column("longitude"),
        Column("latitude"),
        Column("student_count"),
        Column("zone"),
        Column("contact_name"),
        Column("contact_phone"),
        Column("nicknames"),  # the office's 简称, several separated by 、
        Column("superior", aliases=("主管部门", "上级单位", "上级主管单位")),  # a unit's code or official name
        Column("principal_name", aliases=("校长姓名", "园长姓名", "校长", "园长", "校(园)长")),
        Column("principal_since", aliases=("校长任职起始", "任职时间", "任职日期")),
        Column("principal_term_ends_on", aliases=("校长任期届满", "任期届满时间", "任期结束")),
    ),
    ImportKind.INSPECTORS: (
        Column("inspector_number", required=True),
        Column("inspector_name", required=True),
        Column("mobile", required=True),
        Column("employment", required=True),
        Column("retired"),
        Column("retired_on"),
        Column("photo"),
        Column("appointed_on", aliases=("聘任时间", "聘任开始", "聘期开始")),
        Column("term_ends_on", aliases=("聘期届满", "聘任结束", "聘期结束", "聘任截止")),
    ),
    ImportKind.ASSIGNMENTS: (
        Column("inspector_number", required=True, guide="assignment_number"),
        Column("school_code", required=True, guide="assignment_school"),
        Column("starts_on", required=True),
    ),
    ImportKind.TRAINING: (
        Column("inspector_number", required=True, guide="assignment_number"),
        Column("inspector_name", guide="training_name"),  # to read the file by; the number decides
        Column("course", required=True, aliases=("培训项目", "培训内容", "课程名称")),
        Column("training_hours", required=True, aliases=("培训学时", "学时数")),
        Column("held_on", required=True, aliases=("培训时间", "培训日期", "日期")),
    ),
}

# the words a file may use besides the labels in messages/common.py
_STAGE_ALIASES = {
    "职高": UnitKind.VOCATIONAL,
    "中等职业学校": UnitKind.VOCATIONAL,
    "中专": UnitKind.VOCATIONAL,
    "特殊教育学校": UnitKind.SPECIAL,
    "特殊教育": UnitKind.SPECIAL,
    "初级中学": UnitKind.JUNIOR,
    "教学点": UnitKind.PRIMARY,  # a 中心小学's teaching point, supervised as a primary school
    "村小": UnitKind.PRIMARY,
    "高级中学": UnitKind.SENIOR,
    "完中": UnitKind.COMPLETE_SECONDARY,
    "乡镇": UnitKind.TOWNSHIP,
    "街道": UnitKind.TOWNSHIP,
    "部门": UnitKind.DEPARTMENT,
}
_OWNERSHIP_ALIASES = {"公立": Ownership.PUBLIC, "私立": Ownership.PRIVATE}
_RETIRED_ALIASES = {"已退休": True, "退休": True, "未退休": False, "在职": False}


@dataclass(frozen=True)
class RowProblem:
    """One problem found in the file: `row` as the spreadsheet numbers it (0: the file as a whole)."""

    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    kind: ImportKind
    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    zones_created: list[str] = field(default_factory=list)
    photos_copied: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def empty(self) -> bool:
        """No data rows (an untouched template): nothing was written, and that is not an error."""
        return self.ok and self.rows == 0

    def summary(self) -> list[str]:
        """What happened, in the office's words: the counts, or the problems."""
        if not self.ok:
            return [t("import.failed", count=len(self.problems)), *(describe(p) for p in self.problems)]
        if self.empty:
            return [t("import.empty")]
        lines = [
            t(
                "import.done",
                kind=self.kind.label,
                rows=self.rows,
                created=self.created,
                updated=self.updated,
                unchanged=self.unchanged,
            )
        ]
        if self.zones_created:
            lines.append(t("import.done.zones", zones=len(self.zones_created), names="、".join(self.zones_created)))
        if self.photos_copied:
            lines.append(t("import.done.photos", photos=self.photos_copied))
        return lines


def describe(problem: RowProblem) -> str:
    """`第 5 行「联系电话」：……`, or the message alone for a problem with the whole file."""
    if problem.row == 0:
        return t("import.problem.file", message=problem.message)
    return t("import.problem.row", row=problem.row, column=problem.column, message=problem.message)


# ---- entry points -------------------------------------------------------------------------------------------


def import_file(
    session: Session,
    kind: ImportKind,
    path: Path,
    *,
    media_dir: Path,
    actor: str,
    authority: Authority | None = None,
    new_zones: bool = False,
) -> ImportReport:
    """Import `path`; photos named in it are looked for next to it."""
    return import_bytes(
        session,
        kind,
        path.read_bytes(),
        path.name,
        media_dir=media_dir,
        actor=actor,
        authority=authority,
        photo_dir=path.parent,
        new_zones=new_zones,
    )


def import_bytes(
    session: Session,
    kind: ImportKind,
    data: bytes,
    filename: str,
    *,
    media_dir: Path,
    actor: str,
    authority: Authority | None = None,
    photo_dir: Path | None = None,
    new_zones: bool = False,
) -> ImportReport:
    """Import an uploaded file's content. Commits when every row is good; writes nothing otherwise.

    A zone (督学责任区) the authority does not have yet is refused unless `new_zones` (the office ticked 新建责任区):
    a misspelt zone name would otherwise become a zone of its own.
    """
    report = ImportReport(kind=kind, file=filename)
    sheet = _read(kind, data, filename, report.problems)
    if sheet is None:
        return report
    report.rows = len(sheet.rows)
    if report.rows == 0:
        return report
    authority = authority or current_authority(session)
    importer = _IMPORTERS[kind](session, authority, sheet, report, photo_dir, media_dir)
    importer.new_zones = new_zones
    importer.check()
    if report.problems:
        session.rollback()
        order = {column.header: n for n, column in enumerate(COLUMNS[kind])}
        report.problems.sort(key=lambda p: (p.row, order.get(p.column, len(order))))
        return report
    importer.write()
    audit.record(
        session,
        actor,
        f"import.{kind.value}",
        "authority",
        authority.id,
        file=filename,
        rows=report.rows,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        zones_created=report.zones_created,
        photos_copied=report.photos_copied,
    )
    session.commit()
    return report


# ---- reading rows -------------------------------------------------------------------------------------------


@dataclass
class _Sheet:
    columns: dict[str, int]  # column key -> position
    rows: list[tabular.TableRow]


def _header_name(cell: Any) -> str:
    """A header as written, without the marks people add: `学校代码*`, `学校代码（必填）`, spaces."""
    name = tabular.normalize(tabular.clean(cell))
    return re.sub(r"[*\s]|\(.*?\)", "", name)


def _read(kind: ImportKind, data: bytes, filename: str, problems: list[RowProblem]) -> _Sheet | None:
    try:
        rows = tabular.read_rows(data, filename, SHEET_NAMES.get(kind, ()))
    except tabular.TableError as exc:
        problems.append(RowProblem(0, "", t(f"import.error.{exc.reason}")))
        return None
    if not rows:
        problems.append(RowProblem(0, "", t("import.error.no_header")))
        return None
    headers = {_header_name(name): column for column in COLUMNS[kind] for name in column.headers}
    position = next(
        (i for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]) if any(_header_name(c) in headers for c in row.cells)),
        0,
    )
    header = rows[position]
    columns: dict[str, int] = {}
    for index, cell in enumerate(header.cells):
        column = headers.get(_header_name(cell))
        if column is None:
            continue  # extra columns are allowed
        if column.key in columns:
            problems.append(RowProblem(header.number, column.header, t("import.error.duplicate_column")))
        columns[column.key] = index
    missing = [column for column in COLUMNS[kind] if column.required and column.key not in columns]
    # a coordinate without the other is no position
    for one, other in (("longitude", "latitude"), ("latitude", "longitude")):
        if one in columns and other not in columns:
            missing.extend(c for c in COLUMNS[kind] if c.key == other)
    for column in missing:
        problems.append(RowProblem(header.number, column.header, t("import.error.missing_column")))
    if problems:
        return None
    example = _example_cells(kind, columns)
    kept = [row for row in rows[position + 1 :] if _cells_by_key(row, columns) != example]  # the template's own row
    return _Sheet(columns=columns, rows=kept)


def _cells_by_key(row: tabular.TableRow, columns: dict[str, int]) -> dict[str, str]:
    return {key: tabular.clean(row.cells[i]) if i < len(row.cells) else "" for key, i in columns.items()}


def _example_cells(kind: ImportKind, columns: dict[str, int]) -> dict[str, str]:
    """The template's example row as read back, for the columns the file has."""
    return {key: t(f"import.example.{key}") for key in columns}


class _Cells:
    """One data row's cells by column key, recording the problems found while reading them."""

    def __init__(self, row: tabular.TableRow, sheet: _Sheet, problems: list[RowProblem]) -> None:
        self.number = row.number
        self._cells = row.cells
        self._columns = sheet.columns
        self._problems = problems
        self.failed = False

    def has(self, key: str) -> bool:
        return key in self._columns

    def raw(self, key: str) -> Any:
        index = self._columns.get(key)
        if index is None or index >= len(self._cells):
            return None
        return self._cells[index]

    def text(self, key: str) -> str:
        return tabular.clean(self.raw(key))

    def fail(self, key: str, message_key: str, **fields: object) -> None:
        self.failed = True
        self._problems.append(RowProblem(self.number, t(f"import.column.{key}"), t(message_key, **fields)))

    def required(self, key: str, read: Callable[[Any], str] = tabular.clean) -> str:
        value = read(self.raw(key))
        if not value:
            self.fail(key, "import.error.required")
        return value

    def parse(self, key: str, parser: Callable[[Any], T], message_key: str, **fields: object) -> T | None:
        """The parsed value, or None when the cell is blank or (recorded as a problem) unreadable."""
        raw = self.raw(key)
        if tabular.is_blank(raw):
            return None
        try:
            return parser(raw)
        except ValueError:
            self.fail(key, message_key, value=tabular.clean(raw), **fields)
            return None

    def choice(self, key: str, choices: dict[str, T]) -> T | None:
        text = self.text(key)
        if not text:
            return None
        value = choices.get(_choice_key(text))
        if value is None:
            self.fail(key, "import.error.choice", value=text, allowed=_allowed(choices))
        return value


def _choice_key(text: str) -> str:
    return re.sub(r"\s", "", tabular.normalize(text))


def _choices(labels: dict[str, T], aliases: dict[str, T]) -> dict[str, T]:
    """Words to values, matched on their NFKC form; the labels as written come first, for `_allowed` to show."""
    choices = dict(labels)
    choices.update({_choice_key(word): value for word, value in (labels | aliases).items()})
    return choices


def _allowed(choices: dict[str, Any]) -> str:
    seen: dict[Any, str] = {}
    for word, value in choices.items():
        seen.setdefault(value, word)
    return "、".join(seen.values())


def stage_choices() -> dict[str, UnitKind]:
    return _choices({t(f"unit_kind.{kind.value}"): kind for kind in UnitKind}, _STAGE_ALIASES)


def _ownership_choices() -> dict[str, Ownership]:
    return _choices({t(f"ownership.{o.value}"): o for o in Ownership}, _OWNERSHIP_ALIASES)


def _employment_choices() -> dict[str, Employment]:
    return _choices({t(f"employment.{e.value}"): e for e in Employment}, {})


def _yes_no_choices() -> dict[str, bool]:
    return _choices({t("import.yes"): True, t("import.no"): False}, _RETIRED_ALIASES)


def _in(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


# ---- the importers ------------------------------------------------------------------------------------------


class _Importer:
    """Checks every row against the file and the database (`check`), then writes the differences (`write`)."""

    new_zones = False  # the office ticked 新建责任区

    def __init__(
        self,
        session: Session,
        authority: Authority,
        sheet: _Sheet,
        report: ImportReport,
        photo_dir: Path | None,
        media_dir: Path,
    ) -> None:
        self.session = session
        self.authority = authority
        self.sheet = sheet
        self.report = report
        self.photo_dir = photo_dir
        self.media_dir = media_dir
        self.now = session_now(session)

    def rows(self) -> Iterable[_Cells]:
        for row in self.sheet.rows:
            yield _Cells(row, self.sheet, self.report.problems)

    def problem(self, row: int, key: str, message_key: str, **fields: object) -> None:
        self.report.problems.append(RowProblem(row, t(f"import.column.{key}"), t(message_key, **fields)))

    def first_time(self, seen: dict[str, int], value: str, cells: _Cells, key: str) -> bool:
        """False (and a problem) when `value` was already in an earlier row."""
        first = seen.setdefault(value, cells.number)
        if first != cells.number:
            cells.fail(key, "import.error.duplicate", first=first, column=t(f"import.column.{key}"))
            return False
        return True

    def changes(self, record: dict[str, Any], existing: dict[str, Any]) -> dict[str, Any]:
        return {name: value for name, value in record.items() if existing.get(name) != value}

    def check(self) -> None:
        raise NotImplementedError

    def write(self) -> None:
        raise NotImplementedError


class _SchoolImporter(_Importer):
    FIELDS = (
        "code",
        "name",
        "nicknames",
        "kind",
        "ownership",
        "address",
        "longitude",
        "latitude",
        "student_count",
        "contact_name",
        "contact_phone",
        "principal_name",
        "principal_since",
        "principal_term_ends_on",
    )

    def check(self) -> None:
        stages, ownerships = stage_choices(), _ownership_choices()
        seen: dict[str, int] = {}
        self.records: list[tuple[int, dict[str, Any], str | None]] = []  # row, unit fields, zone name
        for cells in self.rows():
            record: dict[str, Any] = {
                "code": cells.required("school_code", tabular.digits_text),
                "name": cells.required("school_name"),
            }
            if not cells.text("stage"):
                cells.fail("stage", "import.error.required")
            kind = cells.choice("stage", stages)
            ownership = cells.choice("ownership", ownerships)
            if kind is not None and kind.is_school and ownership is None and not cells.text("ownership"):
                cells.fail("ownership", "import.error.ownership_required", allowed=_allowed(ownerships))
            record["kind"] = kind.value if kind else None
            record["ownership"] = (ownership or Ownership.PUBLIC).value
            if cells.has("nicknames"):
                record["nicknames"] = "、".join(split_nicknames(cells.text("nicknames")))
            for key, name in (("address", "address"), ("contact_name", "contact_name")):
                if cells.has(key):
                    record[name] = cells.text(key)
            if cells.has("longitude"):
                record["longitude"], record["latitude"] = self._position(cells)
            if cells.has("student_count"):
                count = cells.parse("student_count", tabular.parse_int, "import.error.count")
                if count is not None and count < 0:
                    cells.fail("student_count", "import.error.count", value=count)
                record["student_count"] = count
            if cells.has("contact_phone"):
                record["contact_phone"] = cells.parse("contact_phone", tabular.parse_phone, "import.error.phone") or ""
            if cells.has("superior"):
                record["superior"] = cells.text("superior")
            self._principal(cells, record)
            zone = cells.text("zone") if cells.has("zone") else None
            if record["code"] and self.first_time(seen, record["code"], cells, "school_code") and not cells.failed:
                self.records.append((cells.number, record, zone))
        self._against_database()

    def _principal(self, cells: _Cells, record: dict[str, Any]) -> None:
        """校长（园长）姓名, 任职起始, 任期届满: the term's end must come after its start."""
        if cells.has("principal_name"):
            record["principal_name"] = cells.text("principal_name")[:50]
        since = ends = None
        if cells.has("principal_since"):
            since = record["principal_since"] = cells.parse("principal_since", tabular.parse_date, "import.error.date")
        if cells.has("principal_term_ends_on"):
            ends = cells.parse("principal_term_ends_on", tabular.parse_date, "import.error.date")
            record["principal_term_ends_on"] = ends
        if since is not None and ends is not None and ends <= since:
            cells.fail("principal_term_ends_on", "import.error.term_order", start=since.isoformat())

    def _position(self, cells: _Cells) -> tuple[float | None, float | None]:
        longitude = cells.parse("longitude", tabular.parse_float, "import.error.number")
        latitude = cells.parse("latitude", tabular.parse_float, "import.error.number")
        unreadable = (longitude is None and cells.text("longitude")) or (latitude is None and cells.text("latitude"))
        if unreadable:
            return None, None
        if (longitude is None) != (latitude is None):
            cells.fail("longitude" if longitude is None else "latitude", "import.error.coordinates_pair")
            return None, None
        if longitude is None or latitude is None:
            return None, None
        if not _in(longitude, LONGITUDE_RANGE) and _in(longitude, LATITUDE_RANGE) and _in(latitude, LONGITUDE_RANGE):
            cells.fail("longitude", "import.error.coordinates_swapped", longitude=longitude, latitude=latitude)
            return None, None
        if not _in(longitude, LONGITUDE_RANGE):
            cells.fail("longitude", "import.error.longitude_range", value=longitude)
        if not _in(latitude, LATITUDE_RANGE):
            cells.fail("latitude", "import.error.latitude_range", value=latitude)
        return longitude, latitude

    def _against_database(self) -> None:
        superior = aliased(Unit)
        columns = [getattr(Unit, name) for name in ("id", "authority_id", "zone_id", *self.FIELDS)]
        # codes are unique across the whole database, so other counties' units are loaded too
        self.existing = {
            row.code: row._asdict()
            for row in self.session.execute(
                select(*columns, func.coalesce(superior.code, "").label("superior")).outerjoin(
                    superior, superior.id == Unit.superior_unit_id
                )
            )
        }
        self.zones = _pairs(self.session, select(Zone.name, Zone.id).where(Zone.authority_id == self.authority.id))
        for number, record, _zone in self.records:
            unit = self.existing.get(record["code"])
            if unit is not None and unit["authority_id"] != self.authority.id:
                self.problem(number, "school_code", "import.error.other_authority", value=record["code"])
        self._check_zones()
        self._resolve_superiors()

    def _check_zones(self) -> None:
        """A zone the authority does not have is refused, unless the office asked for new zones."""
        if self.new_zones:
            return
        known = "、".join(sorted(self.zones)) or t("import.error.no_zones_yet")
        for number, _record, zone in self.records:
            if zone and zone not in self.zones:
                self.problem(number, "zone", "import.error.unknown_zone", value=zone, known=known)

    def _resolve_superiors(self) -> None:
        """主管单位 as written (a code or an official name, of a unit in this file or already imported) → its code."""
        ours = {code: row for code, row in self.existing.items() if row["authority_id"] == self.authority.id}
        in_file = {record["code"]: record for _n, record, _z in self.records}
        codes = set(ours) | set(in_file)
        by_name: dict[str, set[str]] = {}
        # the file's name wins over the database's: a unit renamed in this file is found by its new name
        names = [(code, row["name"]) for code, row in ours.items() if code not in in_file]
        for code, name in [*names, *((code, record["name"]) for code, record in in_file.items())]:
            by_name.setdefault(_choice_key(name), set()).add(code)
        for number, record, _zone in self.records:
            written = record.pop("superior", None)
            if written is None:
                continue
            if not written:
                record["superior"] = ""
                continue
            code = tabular.digits_text(written)
            found = {code} if code in codes else by_name.get(_choice_key(written), set())
            if len(found) != 1:
                key = "import.error.superior_ambiguous" if found else "import.error.unknown_superior"
                self.problem(number, "superior", key, value=written)
                continue
            (superior_code,) = found
            if superior_code == record["code"]:
                self.problem(number, "superior", "import.error.superior_self", value=written)
                continue
            record["superior"] = superior_code

    def write(self) -> None:
        new_zones = sorted({zone for _, _, zone in self.records if zone and zone not in self.zones})
        if new_zones:
            self.session.execute(
                insert(Zone),
                [{"authority_id": self.authority.id, "name": name, "created_at": self.now, "updated_at": self.now}
                 for name in new_zones],
            )  # fmt: skip
            self.zones.update(
                _pairs(
                    self.session,
                    select(Zone.name, Zone.id).where(Zone.authority_id == self.authority.id, Zone.name.in_(new_zones)),
                )
            )
            self.report.zones_created = new_zones
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        superiors: dict[str, str] = {}  # unit code -> its superior's code ("" for none), where they change
        for _number, record, zone in self.records:
            if zone is not None:
                record["zone_id"] = self.zones.get(zone) if zone else None
            unit = self.existing.get(record["code"])
            superior = record.pop("superior", None)  # None: the file has no such column
            if superior is not None and (unit is None or unit["superior"] != superior):
                superiors[record["code"]] = superior
            if unit is None:
                inserts.append(
                    {
                        "authority_id": self.authority.id,
                        "nicknames": "",
                        "address": "",
                        "longitude": None,
                        "latitude": None,
                        "student_count": None,
                        "zone_id": None,
                        "contact_name": "",
                        "contact_phone": "",
                        "principal_name": "",
                        "principal_since": None,
                        "principal_term_ends_on": None,
                        **record,
                        "created_at": self.now,
                        "updated_at": self.now,
                    }
                )
                continue
            changed = self.changes(record, unit)
            if changed or record["code"] in superiors:
                updates.append({"id": unit["id"], **changed, "updated_at": self.now})
            else:
                self.report.unchanged += 1
        _bulk(self.session, Unit, inserts, updates)
        self.report.created, self.report.updated = len(inserts), len(updates)
        if superiors:
            ids = _pairs(self.session, select(Unit.code, Unit.id).where(Unit.authority_id == self.authority.id))
            rows = [
                {"id": ids[code], "superior_unit_id": ids.get(up) if up else None} for code, up in superiors.items()
            ]
            _bulk(self.session, Unit, [], rows)


class _InspectorImporter(_Importer):
    FIELDS = ("number", "name", "phone", "employment", "retired", "retired_on", "photo", "appointed_on", "term_ends_on")

    def check(self) -> None:
        employments, yes_no = _employment_choices(), _yes_no_choices()
        seen: dict[str, int] = {}
        self.records: list[tuple[int, dict[str, Any]]] = []
        self.photos: dict[str, Path] = {}  # destination under the media folder -> source
        for cells in self.rows():
            record: dict[str, Any] = {
                "number": cells.required("inspector_number", tabular.digits_text),
                "name": cells.required("inspector_name"),
            }
            if not cells.text("mobile"):
                cells.fail("mobile", "import.error.required")
            record["phone"] = cells.parse("mobile", tabular.parse_mobile, "import.error.mobile")
            if not cells.text("employment"):
                cells.fail("employment", "import.error.required")
            employment = cells.choice("employment", employments)
            record["employment"] = employment.value if employment else None
            if cells.has("retired"):
                retired = cells.choice("retired", yes_no)  # a blank counts as 否
                retired_on = cells.parse("retired_on", tabular.parse_date, "import.error.date")
                readable = retired is not None or not cells.text("retired")
                if readable and retired and not cells.text("retired_on"):
                    cells.fail("retired_on", "import.error.retired_on_required")
                if readable and not retired and retired_on is not None:
                    cells.fail("retired_on", "import.error.retired_on_unexpected")
                record["retired"] = bool(retired)
                record["retired_on"] = retired_on if retired else None
            self._appointment(cells, record)
            if cells.text("photo") and record["number"]:
                photo = self._photo(cells, record["number"])
                if photo is not None:
                    record["photo"] = photo
            if (
                record["number"]
                and self.first_time(seen, record["number"], cells, "inspector_number")
                and not cells.failed
            ):
                self.records.append((cells.number, record))
        self.existing = {
            row.number: row._asdict()
            for row in self.session.execute(
                select(Inspector.id, *(getattr(Inspector, name) for name in self.FIELDS)).where(
                    Inspector.authority_id == self.authority.id
                )
            )
        }

    def _appointment(self, cells: _Cells, record: dict[str, Any]) -> None:
        """聘任起始 and 聘任届满: the appointment's term, its end after its start."""
        start = end = None
        if cells.has("appointed_on"):
            start = record["appointed_on"] = cells.parse("appointed_on", tabular.parse_date, "import.error.date")
        if cells.has("term_ends_on"):
            end = record["term_ends_on"] = cells.parse("term_ends_on", tabular.parse_date, "import.error.date")
        if start is not None and end is not None and end <= start:
            cells.fail("term_ends_on", "import.error.term_order", start=start.isoformat())

    def _photo(self, cells: _Cells, number: str) -> str | None:
        """The photo's path under the media folder (named by its content), once the file is found good."""
        written = cells.text("photo")
        if self.photo_dir is None:
            cells.fail("photo", "import.error.photo_unavailable", value=written)
            return None
        source = self.photo_dir / written.replace("\\", "/")
        if not source.is_file():
            cells.fail("photo", "import.error.photo_missing", value=written)
            return None
        data = source.read_bytes()
        suffix = _image_suffix(data)
        if suffix is None:
            cells.fail("photo", "import.error.photo_not_image", value=written)
            return None
        stem = re.sub(r"[^0-9A-Za-z_-]", "_", number)
        relative = f"{PHOTO_FOLDER}/{stem}-{hashlib.sha256(data).hexdigest()[:16]}{suffix}"
        self.photos[relative] = source
        return relative

    def write(self) -> None:
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for _number, record in self.records:
            inspector = self.existing.get(record["number"])
            if inspector is None:
                inserts.append(
                    {
                        "authority_id": self.authority.id,
                        "retired": False,
                        "retired_on": None,
                        "photo": "",
                        "appointed_on": None,
                        "term_ends_on": None,
                        **record,
                        "created_at": self.now,
                        "updated_at": self.now,
                    }
                )
                continue
            changed = self.changes(record, inspector)
            if changed:
                updates.append({"id": inspector["id"], **changed, "updated_at": self.now})
            else:
                self.report.unchanged += 1
        for relative, source in self.photos.items():
            destination = self.media_dir / relative
            if not destination.exists():  # named by content: an existing file is this photo
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, destination)
                self.report.photos_copied += 1
        _bulk(self.session, Inspector, inserts, updates)
        self.report.created, self.report.updated = len(inserts), len(updates)


class _AssignmentImporter(_Importer):
    def check(self) -> None:
        seen: dict[str, int] = {}
        records: list[tuple[int, str, str, date]] = []
        for cells in self.rows():
            number = cells.required("inspector_number", tabular.digits_text)
            code = cells.required("school_code", tabular.digits_text)
            if not cells.text("starts_on"):
                cells.fail("starts_on", "import.error.required")
            starts_on = cells.parse("starts_on", tabular.parse_date, "import.error.date")
            if code and self.first_time(seen, code, cells, "school_code") and not cells.failed and starts_on:
                records.append((cells.number, number, code, starts_on))
        inspectors = _pairs(
            self.session, select(Inspector.number, Inspector.id).where(Inspector.authority_id == self.authority.id)
        )
        ended = set(
            self.session.scalars(
                select(Inspector.id).where(Inspector.authority_id == self.authority.id, Inspector.active.is_(False))
            )
        )
        units = {
            row.code: row
            for row in self.session.execute(
                select(Unit.code, Unit.id, Unit.kind).where(Unit.authority_id == self.authority.id)
            )
        }
        current = {
            row.unit_id: row
            for row in self.session.execute(
                select(Assignment.id, Assignment.unit_id, Assignment.inspector_id, Assignment.starts_on)
                .join(Unit, Unit.id == Assignment.unit_id)
                .where(Unit.authority_id == self.authority.id, Assignment.ends_on.is_(None))
            )
        }
        self.closings: list[dict[str, Any]] = []
        self.openings: list[dict[str, Any]] = []
        for row, number, code, starts_on in records:
            inspector_id = inspectors.get(number)
            unit = units.get(code)
            if inspector_id is None:
                self.problem(row, "inspector_number", "import.error.unknown_inspector", value=number)
            if unit is None:
                self.problem(row, "school_code", "import.error.unknown_school", value=code)
            elif not UnitKind(unit.kind).is_school:
                self.problem(row, "school_code", "import.error.not_a_school", value=code)
            if inspector_id in ended:
                self.problem(row, "inspector_number", "import.error.inspector_ended", value=number)
                continue
            if inspector_id is None or unit is None:
                continue
            holder = current.get(unit.id)
            if holder is not None and holder.inspector_id == inspector_id:
                self.report.unchanged += 1
                continue
            if holder is not None:
                if starts_on < holder.starts_on:
                    self.problem(row, "starts_on", "import.error.starts_before_current", current=holder.starts_on)
                    continue
                self.closings.append({"id": holder.id, "ends_on": starts_on})
            self.openings.append(
                {"inspector_id": inspector_id, "unit_id": unit.id, "starts_on": starts_on, "created_at": self.now}
            )

    def write(self) -> None:
        # close first: one current assignment per school is a unique index
        _bulk(self.session, Assignment, self.openings, self.closings)
        self.report.updated = len(self.closings)
        self.report.created = len(self.openings) - len(self.closings)


class _TrainingImporter(_Importer):
    """培训记录: one row per course an inspector attended (a sheet of its own, or the same inspector on many rows)."""

    def check(self) -> None:
        seen: dict[str, int] = {}
        records: list[tuple[int, str, str, float, date]] = []
        today = local_date(self.now)
        for cells in self.rows():
            number = cells.required("inspector_number", tabular.digits_text)
            course = cells.required("course")[:200]
            if not cells.text("training_hours"):
                cells.fail("training_hours", "import.error.required")
            hours = cells.parse("training_hours", tabular.parse_float, "import.error.hours", limit=MAX_COURSE_HOURS)
            if hours is not None and not 0 < hours <= MAX_COURSE_HOURS:
                cells.fail("training_hours", "import.error.hours", value=tabular.clean(hours), limit=MAX_COURSE_HOURS)
            if not cells.text("held_on"):
                cells.fail("held_on", "import.error.required")
            held_on = cells.parse("held_on", tabular.parse_date, "import.error.date")
            if held_on is not None and held_on > today:
                cells.fail("held_on", "import.error.training_future", value=held_on.isoformat())
            if cells.failed or hours is None or held_on is None:
                continue
            key = f"{number}\x00{_choice_key(course)}\x00{held_on.isoformat()}"
            first = seen.setdefault(key, cells.number)
            if first != cells.number:
                cells.fail("course", "import.error.training_duplicate", first=first)
            else:
                records.append((cells.number, number, course, hours, held_on))
        inspectors = _pairs(
            self.session, select(Inspector.number, Inspector.id).where(Inspector.authority_id == self.authority.id)
        )
        existing = {
            (row.inspector_id, _choice_key(row.course), row.held_on): row
            for row in self.session.execute(
                select(TrainingRecord.id, TrainingRecord.inspector_id, TrainingRecord.course, TrainingRecord.hours,
                       TrainingRecord.held_on)
                .join(Inspector, Inspector.id == TrainingRecord.inspector_id)
                .where(Inspector.authority_id == self.authority.id)
            )
        }  # fmt: skip
        self.inserts: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        for row, number, course, hours, held_on in records:
            inspector_id = inspectors.get(number)
            if inspector_id is None:
                self.problem(row, "inspector_number", "import.error.unknown_inspector", value=number)
                continue
            found = existing.get((inspector_id, _choice_key(course), held_on))
            if found is None:
                self.inserts.append(
                    {"inspector_id": inspector_id, "course": course, "hours": hours, "held_on": held_on,
                     "created_at": self.now}
                )  # fmt: skip
            elif found.hours != hours:
                self.updates.append({"id": found.id, "hours": hours})
            else:
                self.report.unchanged += 1

    def write(self) -> None:
        _bulk(self.session, TrainingRecord, self.inserts, self.updates)
        self.report.created, self.report.updated = len(self.inserts), len(self.updates)


MAX_COURSE_HOURS = 200  # one course of more hours than this is a typo (a year's rule asks 40)

# ---- templates ----------------------------------------------------------------------------------------------

TEMPLATE_FORMATS = ("xlsx", "csv")


def guide(kind: ImportKind) -> list[tuple[Column, str]]:
    """Each column with how to fill it in."""
    allowed = _allowed(stage_choices())
    return [(column, t(column.guide_key, allowed=allowed)) for column in COLUMNS[kind]]


def template_bytes(kind: ImportKind, fmt: str = "xlsx") -> bytes:
    """An import file to fill in: the headers and one example row (realistic names), which the import skips as long
    as it is left exactly as it is, so importing the template untouched imports nothing.

    The xlsx one has a second sheet, 说明, with each column's rule and an example; only the first sheet is read.
    Its code, number and phone columns are formatted as text, so codes starting with 0 keep their zeros.
    """
    headers = [column.header for column in COLUMNS[kind]]
    example = [t(f"import.example.{column.key}") for column in COLUMNS[kind]]
    if fmt == "csv":
        # with a BOM, Excel on Windows opens UTF-8 as UTF-8
        lines = (",".join(tabular.csv_cell(v) for v in row) for row in (headers, example))
        return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = kind.label
    tabular.append_row(sheet, headers)
    tabular.append_row(sheet, example)
    sheet.freeze_panes = "A2"
    for position, column in enumerate(COLUMNS[kind], start=1):
        cell = sheet.cell(row=1, column=position)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        sheet.cell(row=2, column=position).font = Font(italic=True, color="808080")
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = max(12, 3 * len(column.header) + 4)
        if column.key in _TEXT_COLUMNS:
            sheet.column_dimensions[letter].number_format = "@"  # keeps leading zeros and long digits as typed
            sheet.cell(row=2, column=position).number_format = "@"
    notes = book.create_sheet(t("import.template.guide_sheet"))
    tabular.append_row(
        notes, [t(f"import.template.guide.{part}") for part in ("column", "required", "rule", "example")]
    )
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column, rule in guide(kind):
        required = t("import.template.required" if column.required else "import.template.optional")
        tabular.append_row(notes, [column.header, required, rule, t(f"import.example.{column.key}")])
    tabular.append_row(notes, [])
    tabular.append_row(notes, [t("import.template.guide.note")])
    for letter, width in zip("ABCD", (14, 10, 70, 22), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = BytesIO()
    book.save(out)
    return out.getvalue()


_TEXT_COLUMNS = {"school_code", "inspector_number", "contact_phone", "mobile", "superior"}


def _pairs(session: Session, query: Select[str, int]) -> dict[str, int]:
    """A two-column query as a dict: name or code -> id."""
    return {key: value for key, value in session.execute(query)}


def _bulk(session: Session, model: type[Any], inserts: list[dict[str, Any]], updates: list[dict[str, Any]]) -> None:
    """Updates (by primary key), then inserts, as few executemany calls as there are shapes of row.

    Core statements on the table rather than the ORM's bulk mode: the ORM leaves None values out of each row,
    so rows with and without (say) coordinates would split a batch into hundreds of statements.
    """
    table = model.__table__
    shapes: dict[frozenset[str], list[dict[str, Any]]] = {}
    for row in updates:
        shapes.setdefault(frozenset(row), []).append({("_id" if k == "id" else k): v for k, v in row.items()})
    for rows in shapes.values():
        session.execute(update(table).where(table.c.id == bindparam("_id")), rows)
    if inserts:
        session.execute(insert(table), inserts)


def _image_suffix(data: bytes) -> str | None:
    """`.jpg` or `.png` when the bytes are such an image, measured from its header (a bomb is no photo), else None."""
    from backend.services import images

    try:
        kind, _size = images.measure(data)
    except images.BadImage:
        return None
    return {"image/jpeg": ".jpg", "image/png": ".png"}.get(kind)


_IMPORTERS: dict[ImportKind, type[_Importer]] = {
    ImportKind.SCHOOLS: _SchoolImporter,
    ImportKind.INSPECTORS: _InspectorImporter,
    ImportKind.ASSIGNMENTS: _AssignmentImporter,
    ImportKind.TRAINING: _TrainingImporter,
}
