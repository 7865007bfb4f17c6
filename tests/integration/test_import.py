"""Importing schools, inspectors and assignments from real files into a real database."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from PIL import Image
from sqlalchemy import func, select

from backend.cli import main
from backend.services.authority import current_authority
from backend.services.importing import ImportKind, ImportReport, import_bytes, import_file, template_bytes
from backend.store.db import Database
from backend.store.models import Assignment, AuditEvent, Inspector, Unit, Zone

SCHOOL_HEADER = [
    "学校代码",
    "学校名称",
    "学段",
    "办学性质",
    "地址",
    "经度",
    "纬度",
    "在校生数",
    "督学责任区",
    "联系人",
    "联系电话",
]
SCHOOLS = [
    [
        "3301020001",
        "城关镇中心小学",
        "小学",
        "公办",
        "人民路1号",
        "120.1551",
        "30.2741",
        "1260",
        "第一责任区",
        "王老师",
        "0571-87654321",
    ],
    ["3301020002", "城关镇第一初级中学", "初中", "公办", "", "", "", "980", "第一责任区", "李老师", "13800138000"],
    ["3301020003", "阳光幼儿园", "幼儿园", "民办", "", "", "", "", "第二责任区", "", ""],
    ["3301020004", "城关镇人民政府", "乡镇", "", "", "", "", "", "", "", ""],
]
INSPECTOR_HEADER = ["督学编号", "姓名", "手机号", "专兼职", "是否退休", "退休时间", "照片"]
INSPECTORS = [
    ["D001", "张明", "13900000001", "兼职", "是", "2023-07-31", ""],
    ["D002", "刘芳", "13900000002", "专职", "否", "", ""],
]


def write_xlsx(path: Path, header: Sequence[Any], rows: Sequence[Sequence[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def write_csv(path: Path, header: Sequence[Any], rows: Sequence[Sequence[Any]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(
    db: Database, kind: ImportKind, path: Path, media: Path | None = None, *, new_zones: bool = True
) -> ImportReport:
    """Import `path`; these files bring their zones, so 新建责任区 is ticked unless a test says otherwise."""
    with db.sessions() as session:
        return import_file(
            session, kind, path, media_dir=media or path.parent / "media", actor="test", new_zones=new_zones
        )


def count(db: Database, model: type[Any]) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def problems(report: ImportReport) -> set[tuple[int, str]]:
    return {(p.row, p.column) for p in report.problems}


def seed(db: Database, tmp_path: Path) -> None:
    assert run(db, ImportKind.SCHOOLS, write_xlsx(tmp_path / "schools.xlsx", SCHOOL_HEADER, SCHOOLS)).ok
    assert run(db, ImportKind.INSPECTORS, write_xlsx(tmp_path / "inspectors.xlsx", INSPECTOR_HEADER, INSPECTORS)).ok


def test_a_good_schools_file_imports_and_a_second_import_changes_nothing(database: Database, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "schools.xlsx", SCHOOL_HEADER, SCHOOLS)
    first = run(database, ImportKind.SCHOOLS, path)
    assert first.ok, first.problems
    assert (first.rows, first.created, first.updated, first.unchanged) == (4, 4, 0, 0)
    assert first.zones_created == ["第一责任区", "第二责任区"]
    with database.sessions() as session:
        units = {u.code: u for u in session.scalars(select(Unit))}
        zones = {z.id: z.name for z in session.scalars(select(Zone))}
        stamps = {u.code: u.updated_at for u in units.values()}
    school = units["3301020001"]
    assert (school.name, school.kind, school.ownership) == ("城关镇中心小学", "primary", "public")
    assert (school.longitude, school.latitude, school.student_count) == (120.1551, 30.2741, 1260)
    assert (zones[school.zone_id or 0], school.contact_phone) == ("第一责任区", "0571-87654321")
    assert units["3301020003"].ownership == "private" and units["3301020003"].student_count is None
    assert units["3301020004"].kind == "township" and units["3301020004"].zone_id is None

    second = run(database, ImportKind.SCHOOLS, path)
    assert (second.created, second.updated, second.unchanged, second.zones_created) == (0, 0, 4, [])
    with database.sessions() as session:
        assert {u.code: u.updated_at for u in session.scalars(select(Unit))} == stamps
        audits = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert count(database, Zone) == 2
    assert [(a.actor, a.action, a.detail["created"], a.detail["unchanged"]) for a in audits] == [
        ("test", "import.schools", 4, 0),
        ("test", "import.schools", 0, 4),
    ]


def test_only_the_rows_that_differ_are_updated(database: Database, tmp_path: Path) -> None:
    run(database, ImportKind.SCHOOLS, write_xlsx(tmp_path / "a.xlsx", SCHOOL_HEADER, SCHOOLS))
    with database.sessions() as session:
        before = {u.code: u.updated_at for u in session.scalars(select(Unit))}
    changed = [list(row) for row in SCHOOLS]
    changed[1][7] = "1000"  # student count
    changed[2][8] = "第三责任区"  # a new zone
    # columns in another order, with an extra one
    order = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
    header = [SCHOOL_HEADER[i] for i in order] + ["备注"]
    rows = [[row[i] for i in order] + ["x"] for row in changed]
    report = run(database, ImportKind.SCHOOLS, write_csv(tmp_path / "b.csv", header, rows))
    assert (report.created, report.updated, report.unchanged, report.zones_created) == (0, 2, 2, ["第三责任区"])
    with database.sessions() as session:
        after = {u.code: u for u in session.scalars(select(Unit))}
        assert session.get(Zone, after["3301020003"].zone_id).name == "第三责任区"
    assert after["3301020002"].student_count == 1000
    assert after["3301020002"].updated_at > before["3301020002"]
    assert after["3301020001"].updated_at == before["3301020001"]


def test_a_file_with_bad_rows_lists_every_problem_and_writes_nothing(database: Database, tmp_path: Path) -> None:
    rows = [
        [
            "3301020001",
            "城关镇中心小学",
            "小学",
            "公办",
            "",
            "120.1",
            "30.2",
            "1260",
            "第一责任区",
            "",
            "0571-87654321",
        ],
        ["3301020002", "", "大学", "公办", "", "", "", "-3", "", "", "12345"],  # row 3: name, stage, count, phone
        ["3301020003", "阳光幼儿园", "幼儿园", "", "", "30.2", "120.1", "", "", "", ""],  # row 4: ownership, swapped
        ["3301020001", "重复小学", "小学", "公办", "", "200", "", "", "", "", ""],  # row 5: duplicate, lon, pair
        ["", "无代码小学", "小学", "民营", "", "", "", "约100", "", "", "1380013800"],  # row 6
    ]
    report = run(database, ImportKind.SCHOOLS, write_xlsx(tmp_path / "bad.xlsx", SCHOOL_HEADER, rows))
    assert not report.ok
    assert problems(report) == {
        (3, "学校名称"),
        (3, "学段"),
        (3, "在校生数"),
        (3, "联系电话"),
        (4, "办学性质"),
        (4, "经度"),
        (5, "学校代码"),
        (5, "纬度"),
        (6, "学校代码"),
        (6, "办学性质"),
        (6, "在校生数"),
        (6, "联系电话"),
    }
    by_place = {(p.row, p.column): p.message for p in report.problems}
    assert "大学" in by_place[(3, "学段")] and "小学" in by_place[(3, "学段")]
    assert "第 2 行" in by_place[(5, "学校代码")]
    assert "填反" in by_place[(4, "经度")]
    assert report.summary()[0].startswith("导入未进行")
    assert "第 3 行「联系电话」：" in "\n".join(report.summary())
    assert (count(database, Unit), count(database, Zone), count(database, AuditEvent)) == (0, 0, 0)


def test_missing_header_columns_are_named(database: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", ["学校名称", "学段", "经度"], [["城关小学", "小学", "120"]])
    report = run(database, ImportKind.SCHOOLS, path)
    assert problems(report) == {(1, "学校代码"), (1, "办学性质"), (1, "纬度")}
    assert count(database, Unit) == 0


def test_a_column_left_out_keeps_what_the_database_holds(database: Database, tmp_path: Path) -> None:
    run(database, ImportKind.SCHOOLS, write_xlsx(tmp_path / "a.xlsx", SCHOOL_HEADER, SCHOOLS))
    # only the four required columns, and a blank 联系电话 column: that one clears, the others stay
    short = [[*row[:4], ""] for row in SCHOOLS]
    report = run(database, ImportKind.SCHOOLS, write_csv(tmp_path / "b.csv", [*SCHOOL_HEADER[:4], "联系电话"], short))
    assert (report.updated, report.unchanged) == (2, 2)
    with database.sessions() as session:
        school = session.scalars(select(Unit).where(Unit.code == "3301020001")).one()
    assert (school.contact_phone, school.contact_name, school.student_count) == ("", "王老师", 1260)
    assert school.zone_id is not None


def test_a_column_given_twice_is_a_problem(database: Database, tmp_path: Path) -> None:
    header = [*SCHOOL_HEADER[:4], "学校名称"]
    report = run(database, ImportKind.SCHOOLS, write_csv(tmp_path / "a.csv", header, [[*SCHOOLS[0][:4], "x"]]))
    assert problems(report) == {(1, "学校名称")}


def test_a_code_used_by_another_county_is_refused(database: Database, tmp_path: Path) -> None:
    with database.sessions() as session:
        other = current_authority(session, code="other", name="邻县")
        session.add(Unit(authority_id=other.id, code="3301020002", name="邻县小学", kind="primary"))
        session.commit()
    report = run(database, ImportKind.SCHOOLS, write_xlsx(tmp_path / "a.xlsx", SCHOOL_HEADER, SCHOOLS))
    assert problems(report) == {(3, "学校代码")}
    assert count(database, Unit) == 1


def test_a_title_line_above_the_header_is_allowed(database: Database, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["某县中小学名单（2024 年秋季）"])
    sheet.append([])
    sheet.append(SCHOOL_HEADER[:4])
    sheet.append(["3301020001", "城关镇中心小学", "小学", "民办"])
    sheet.append(["3301020002", "城关镇中学", "中学", "公办"])
    book.save(tmp_path / "t.xlsx")
    report = run(database, ImportKind.SCHOOLS, tmp_path / "t.xlsx")
    assert problems(report) == {(5, "学段")}


def test_xlsx_with_numeric_codes_phones_and_date_cells(database: Database, tmp_path: Path) -> None:
    rows = [
        [330102001.0, "张明", 13900000001, "兼职", "是", datetime(2023, 7, 31), None],
        [330102002, "刘芳", 1.3900000002e10, "专职", "否", None, None],
        ["  330102003\u3000", "\u3000陈静 ", "１３９ ００００ ０００３", " 兼职 ", "是", 20220101, None],
    ]
    report = run(database, ImportKind.INSPECTORS, write_xlsx(tmp_path / "i.xlsx", INSPECTOR_HEADER, rows))
    assert report.ok, report.problems
    with database.sessions() as session:
        found = {i.number: i for i in session.scalars(select(Inspector))}
    assert sorted(found) == ["330102001", "330102002", "330102003"]
    assert (found["330102001"].phone, found["330102001"].retired_on) == ("13900000001", date(2023, 7, 31))
    assert (found["330102002"].phone, found["330102002"].employment) == ("13900000002", "full_time")
    assert (found["330102003"].name, found["330102003"].phone) == ("陈静", "13900000003")
    assert found["330102003"].retired_on == date(2022, 1, 1)


def test_inspector_rows_with_problems(database: Database, tmp_path: Path) -> None:
    rows = [
        ["D001", "张明", "0571-87654321", "兼职", "是", "", ""],  # row 2: a landline, no retirement date
        ["D002", "刘芳", "13900000002", "临时", "否", "2020-01-01", ""],  # row 3: employment, date while 否
        ["D003", "陈静", "13900000003", "专职", "是", "2023-02-30", ""],  # row 4: no such day
    ]
    report = run(database, ImportKind.INSPECTORS, write_xlsx(tmp_path / "i.xlsx", INSPECTOR_HEADER, rows))
    assert problems(report) == {(2, "手机号"), (2, "退休时间"), (3, "专兼职"), (3, "退休时间"), (4, "退休时间")}
    assert count(database, Inspector) == 0


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_each_encoding(database: Database, tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "schools.csv", SCHOOL_HEADER, SCHOOLS, encoding=encoding)
    report = run(database, ImportKind.SCHOOLS, path)
    assert (report.ok, report.created) == (True, 4)
    with database.sessions() as session:
        names = set(session.scalars(select(Unit.name)))
    assert "城关镇第一初级中学" in names and "阳光幼儿园" in names


def test_assignments_upsert_keeping_history(database: Database, tmp_path: Path) -> None:
    seed(database, tmp_path)
    header = ["督学编号", "学校代码", "起始日期"]
    first: list[list[Any]] = [["D001", "3301020001", "2024-09-01"], ["D001", 3301020002, "2024/9/1"]]
    report = run(database, ImportKind.ASSIGNMENTS, write_xlsx(tmp_path / "a1.xlsx", header, first))
    assert (report.ok, report.created, report.updated, report.unchanged) == (True, 2, 0, 0)

    again = run(database, ImportKind.ASSIGNMENTS, tmp_path / "a1.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)

    # the second school changes hands; a date in a new school year for the same inspector changes nothing
    second = [
        ["D001", "3301020001", "2025-09-01"],
        ["D002", "3301020002", "2025年3月1日"],
        ["D002", "3301020003", "20250301"],
    ]
    report = run(database, ImportKind.ASSIGNMENTS, write_csv(tmp_path / "a2.csv", header, second, "gb18030"))
    assert (report.ok, report.created, report.updated, report.unchanged) == (True, 1, 1, 1)
    with database.sessions() as session:
        history = session.execute(
            select(Unit.code, Inspector.number, Assignment.starts_on, Assignment.ends_on)
            .join(Unit, Unit.id == Assignment.unit_id)
            .join(Inspector, Inspector.id == Assignment.inspector_id)
            .order_by(Unit.code, Assignment.starts_on)
        ).all()
    assert [tuple(row) for row in history] == [
        ("3301020001", "D001", date(2024, 9, 1), None),
        ("3301020002", "D001", date(2024, 9, 1), date(2025, 3, 1)),
        ("3301020002", "D002", date(2025, 3, 1), None),
        ("3301020003", "D002", date(2025, 3, 1), None),
    ]


def test_assignments_to_unknown_or_unfit_units_are_refused(database: Database, tmp_path: Path) -> None:
    seed(database, tmp_path)
    header = ["起始日期", "学校代码", "督学编号"]
    rows = [
        ["2024-09-01", "3301020001", "D001"],
        ["2024-09-01", "9999", "D001"],  # row 3: no such school
        ["2024-09-01", "3301020002", "D404"],  # row 4: no such inspector
        ["2024-09-01", "3301020004", "D002"],  # row 5: a township
        ["2024-09-01", "3301020001", "D002"],  # row 6: the same school twice
        ["九月一日", "3301020003", "D002"],  # row 7: not a date
    ]
    report = run(database, ImportKind.ASSIGNMENTS, write_xlsx(tmp_path / "a.xlsx", header, rows))
    assert problems(report) == {(3, "学校代码"), (4, "督学编号"), (5, "学校代码"), (6, "学校代码"), (7, "起始日期")}
    assert count(database, Assignment) == 0


def test_a_new_assignment_cannot_start_before_the_current_one(database: Database, tmp_path: Path) -> None:
    seed(database, tmp_path)
    header = ["督学编号", "学校代码", "起始日期"]
    run(database, ImportKind.ASSIGNMENTS, write_csv(tmp_path / "a.csv", header, [["D001", "3301020001", "2024-09-01"]]))
    report = run(
        database, ImportKind.ASSIGNMENTS, write_csv(tmp_path / "b.csv", header, [["D002", "3301020001", "2024-03-01"]])
    )
    assert problems(report) == {(2, "起始日期")}
    assert count(database, Assignment) == 1


def test_photos_are_copied_into_the_media_folder(database: Database, tmp_path: Path) -> None:
    (tmp_path / "照片").mkdir()
    Image.new("RGB", (30, 40), "red").save(tmp_path / "照片" / "张明.jpg")
    (tmp_path / "not-a-photo.jpg").write_text("hello")
    media = tmp_path / "instance" / "media"
    rows = [["D001", "张明", "13900000001", "兼职", "否", "", "照片/张明.jpg"]]
    path = write_xlsx(tmp_path / "i.xlsx", INSPECTOR_HEADER, rows)
    report = run(database, ImportKind.INSPECTORS, path, media)
    assert (report.ok, report.photos_copied) == (True, 1)
    with database.sessions() as session:
        photo = session.scalars(select(Inspector.photo)).one()
    assert photo.startswith("inspectors/") and photo.endswith(".jpg")
    assert (media / photo).read_bytes() == (tmp_path / "照片" / "张明.jpg").read_bytes()

    again = run(database, ImportKind.INSPECTORS, path, media)
    assert (again.unchanged, again.photos_copied) == (1, 0)

    bad = [
        ["D001", "张明", "13900000001", "兼职", "否", "", "无此文件.jpg"],
        ["D002", "刘芳", "13900000002", "专职", "否", "", "not-a-photo.jpg"],
    ]
    report = run(database, ImportKind.INSPECTORS, write_xlsx(tmp_path / "bad.xlsx", INSPECTOR_HEADER, bad), media)
    assert problems(report) == {(2, "照片"), (3, "照片")}
    assert "无此文件.jpg" in report.problems[0].message


def test_photos_cannot_be_named_in_an_uploaded_file(database: Database, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "i.xlsx", INSPECTOR_HEADER, [["D001", "张明", "13900000001", "兼职", "否", "", "a.jpg"]]
    )
    with database.sessions() as session:
        report = import_bytes(
            session, ImportKind.INSPECTORS, path.read_bytes(), "i.xlsx", media_dir=tmp_path, actor="office:1"
        )
    assert problems(report) == {(2, "照片")}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_untouched_template_imports_nothing_and_is_not_an_error(
    database: Database, tmp_path: Path, fmt: str
) -> None:
    for kind in ImportKind:
        path = tmp_path / f"{kind.value}.{fmt}"
        path.write_bytes(template_bytes(kind, fmt))
        report = run(database, kind, path)
        assert (report.ok, report.empty, report.rows) == (True, True, 0)
        assert report.summary() == ["文件中没有数据行（只有表头），没有导入任何内容。"]
    assert [count(database, m) for m in (Unit, Zone, Inspector, Assignment, AuditEvent)] == [0, 0, 0, 0, 0]


def test_a_filled_in_template_imports(database: Database, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "t.xlsx"
    path.write_bytes(template_bytes(ImportKind.SCHOOLS, "xlsx"))
    book = load_workbook(path)
    assert book.sheetnames[1] == "说明"
    book.worksheets[0].append(SCHOOLS[0])
    book.save(path)
    report = run(database, ImportKind.SCHOOLS, path)
    assert (report.ok, report.created) == (True, 1)


def test_files_that_are_not_tables(database: Database, tmp_path: Path) -> None:
    (tmp_path / "a.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "empty.csv").write_bytes(b"")
    assert "另存为" in run(database, ImportKind.SCHOOLS, tmp_path / "a.xls").problems[0].message
    assert problems(run(database, ImportKind.SCHOOLS, tmp_path / "empty.csv")) == {(0, "")}


# ---- the command line ---------------------------------------------------------------------------------------


def cli(tmp_path: Path, *args: str) -> Any:
    env = {"DUDAO_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "DUDAO_INSTANCE_DIR": str(tmp_path / "inst")}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_cli_imports_and_reports_in_chinese(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "schools.xlsx", SCHOOL_HEADER, SCHOOLS)
    result = cli(tmp_path, "import", "schools", str(path))
    assert result.exit_code == 1
    assert "第 2 行「督学责任区」：系统中没有名为「第一责任区」的督学责任区" in result.stderr
    result = cli(tmp_path, "import", "schools", "--new-zones", str(path))
    assert result.exit_code == 0, result.output
    assert "学校导入完成：共 4 行，新增 4 条，更新 0 条，未变化 0 条。" in result.output
    assert "新建督学责任区 2 个" in result.output
    result = cli(tmp_path, "import", "schools", str(path))
    assert "新增 0 条，更新 0 条，未变化 4 条" in result.output

    bad = write_csv(tmp_path / "bad.csv", INSPECTOR_HEADER, [["D1", "张明", "12345", "兼职", "否", "", ""]])
    result = cli(tmp_path, "import", "inspectors", str(bad))
    assert result.exit_code == 1
    assert "第 2 行「手机号」：「12345」不是有效的手机号" in result.stderr
    assert count(Database(f"sqlite:///{tmp_path / 'cli.sqlite3'}"), Inspector) == 0


def test_cli_writes_templates(tmp_path: Path) -> None:
    out = tmp_path / "学校模板.xlsx"
    result = cli(tmp_path, "import", "template", "schools", "--out", str(out))
    assert result.exit_code == 0 and out.exists()
    result = cli(tmp_path, "import", "schools", str(out))
    assert (result.exit_code, result.output.strip()) == (0, "文件中没有数据行（只有表头），没有导入任何内容。")
    result = cli(tmp_path, "import", "template", "assignments", "--out", str(tmp_path / "a.csv"))
    assert (tmp_path / "a.csv").read_text(encoding="utf-8-sig").splitlines()[0] == "督学编号,学校代码,起始日期"
    assert "起始日期:" in result.output


def test_every_import_command_has_help(tmp_path: Path) -> None:
    for command in ("schools", "inspectors", "assignments", "training", "template"):
        result = cli(tmp_path, "import", command, "--help")
        assert result.exit_code == 0 and "Usage: " in result.output
