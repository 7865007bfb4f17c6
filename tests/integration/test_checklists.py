"""Checklists (督导评估表): import and export round trips in xlsx and csv with texts kept as typed, versions by name
(a task keeps its version), hostile and odd files refused in Chinese naming the row, the CLI, the office page and
the three shipped examples. Both stacks."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from backend.cli import main
from backend.clock import SettableClock
from backend.domain.errors import DomainError
from backend.domain.kinds import AnswerType
from backend.services import checklists, tabular, tasks
from backend.services.authority import current_authority
from backend.store.db import Database
from backend.store.models import AuditEvent, Checklist, ChecklistItem
from tests.builders import County
from tests.conftest import clock_env
from tests.integration.test_office_web import make_app, seed_activity, sign_in
from tests.integration.test_zip_bombs import bomb  # noqa: F401  (the fixture, built once per module)

HEADER = ["分类", "序号", "检查内容", "类型", "分值", "不合格须整改", "需拍照"]
# as an office types them: a typo (晨简), full-width punctuation and digits, traditional characters, a formula-like
# text, options with a score of their own, a number range
ROWS = [
    ["一、食堂管理", "1", "食堂取得食品經營許可證，並在有效期內", "是否", "5", "是", "是"],
    ["一、食堂管理", "２", "從業人員持健康證，落实每日晨简（晨检）", "是否", "５", "√", ""],
    ["一、食堂管理", "3", "加工操作规范：生熟分开（ＡＢ区）", "选项：符合/基本符合=3/不符合×", "5", "是", "是"],
    ["二、留样", "4", "每餐次留样量（克）", "数字：≥125", "4", "是", "否"],
    ["二、留样", "5", "=留样记录完整（台账）", "评分", "6", "否", "否"],
    ["三、其他", "6", "其他需要说明的情况", "文字", "0", "否", "否"],
]


def xlsx_bytes(rows: list[list[Any]], header: list[str] = HEADER, title: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        tabular.append_row(sheet, row)  # a text starting with = typed as text (Excel's quote prefix)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[Any]], header: list[str] = HEADER, encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def _summary(items: list[ChecklistItem]) -> list[tuple[Any, ...]]:
    return [
        (i.position, i.number, i.section, i.text, i.answer_type, i.options, i.min_value, i.max_value, i.score,
         i.rectify_on_fail, i.photo_required)
        for i in items
    ]  # fmt: skip


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_checklist_comes_back_from_its_export_as_typed(database: Database, fmt: str) -> None:
    data = (
        xlsx_bytes(ROWS, title="食堂食品安全专项督导检查表") if fmt == "xlsx" else csv_bytes(ROWS, encoding="gb18030")
    )
    with database.session() as s:
        authority_id = current_authority(s).id
        first = checklists.import_checklist(s, authority_id, data, f"食堂.{fmt}", name="食堂食品安全", actor="office:t")
        items = checklists.items_of(s, first.id)
        assert [i.text for i in items] == [r[2] for r in ROWS]  # typos, full-width, traditional kept
        assert [i.number for i in items] == ["1", "２", "3", "4", "5", "6"]
        assert items[1].score == 5.0 and items[1].rectify_on_fail and not items[1].photo_required
        assert items[2].answer_type == AnswerType.CHOICE.value
        assert items[2].options == [
            {"label": "符合", "passed": True},
            {"label": "基本符合", "passed": True, "score": 3.0},
            {"label": "不符合", "passed": False},
        ]
        assert (items[3].min_value, items[3].max_value) == (125.0, None)
        assert [i.section for i in items] == ["一、食堂管理"] * 3 + ["二、留样"] * 2 + ["三、其他"]
        exported = checklists.export_bytes(s, first, fmt)
        again = checklists.import_checklist(s, authority_id, exported, f"导出.{fmt}", name="食堂食品安全", actor="t")
        assert again.version == 2
        assert _summary(checklists.items_of(s, again.id)) == _summary(items)
        if fmt == "xlsx":
            sheet = load_workbook(io.BytesIO(exported)).active
            assert sheet is not None
            cell = sheet.cell(row=6, column=3)
            assert cell.value == "=留样记录完整（台账）" and cell.data_type == "s"  # text, never a formula
        else:
            assert "'=留样记录完整" in exported.decode("utf-8-sig")
            assert exported.startswith("\ufeff".encode())
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "checklist.imported")).all()
        assert [(e.detail["name"], e.detail["version"], e.detail["items"]) for e in events] == [
            ("食堂食品安全", 1, 6),
            ("食堂食品安全", 2, 6),
        ]


def test_section_rows_instead_of_a_section_column(database: Database) -> None:
    header = ["序号", "检查内容", "类型", "分值", "不合格须整改", "需拍照"]
    rows = [
        ["一、校园安全", "", "", "", "", ""],
        ["1", "校舍安全隐患排查", "是否", "5", "是", "是"],
        ["二", "教育教学准备", "", "", "", ""],
        ["2", "教材课前到书", "是否", "4", "是", "否"],
        ["合计", "", "", "9", "", ""],
    ]
    with database.session() as s:
        made = checklists.import_checklist(
            s, current_authority(s).id, csv_bytes(rows, header), "开学.csv", name="开学", actor="t"
        )
        assert [(i.section, i.text) for i in made.items] == [
            ("一、校园安全", "校舍安全隐患排查"),
            ("二、教育教学准备", "教材课前到书"),
        ]


@pytest.mark.parametrize(
    ("rows", "header", "expected"),
    [
        ([["一", "1", "校舍", "问答", "5", "是", "是"]], HEADER, "第2行：类型“问答”不认识"),
        ([["一", "1", "校舍", "是否", "5", "是", "是"], ["一", "2", "消防", "是否", "五", "是", "是"]], HEADER,
         "第3行：分值“五”不是数字"),
        ([["一", "1", "", "是否", "5", "是", "是"]], HEADER, "第2行：检查内容是空的"),
        ([["一", "1", "校舍", "是否", "5", "看情况", "是"]], HEADER, "第2行：“不合格须整改”应填是或否"),
        ([["一", "1", "校舍", "评分", "", "是", "是"]], HEADER, "第2行：评分项要写分值"),
        ([["一", "1", "校舍"]], ["分类", "序号", "检查内容"], "第1行应是表头"),
        ([["1", "2", "3"]], ["甲", "乙", "丙"], "缺少：检查内容、类型、分值"),
        ([], HEADER, "文件里没有检查项"),
        ([["一", "1", "校舍\x00安全", "是否", "5", "是", "是"]], HEADER, "第2行：含有不可见的控制字符"),
    ],
)  # fmt: skip
def test_odd_files_are_refused_in_chinese_naming_the_row(
    database: Database, rows: list[list[str]], header: list[str], expected: str
) -> None:
    with database.session() as s, pytest.raises(DomainError) as refused:
        checklists.import_checklist(s, current_authority(s).id, csv_bytes(rows, header), "表.csv", name="x", actor="t")
    assert expected in refused.value.message
    with database.sessions() as s:
        assert s.scalars(select(Checklist)).all() == []


def test_hostile_files_are_refused_before_they_are_read(database: Database, bomb: bytes) -> None:  # noqa: F811
    with database.session() as s:
        authority_id = current_authority(s).id
        for data, name, expected in (
            (bomb, "表.xlsx", "解压后的内容大得异常"),
            (b"\xd0\xcf\x11\xe0 old excel", "表.xls", "旧版 Excel"),
            (b"PK\x03\x04 not a zip", "表.xlsx", "文件无法打开"),
            (b"MZ\x90\x00", "表.exe", "不支持这种文件"),
            (b"x" * (checklists.MAX_FILE_BYTES + 1), "表.csv", "大得异常"),
        ):
            with pytest.raises(DomainError) as refused:
                checklists.import_checklist(s, authority_id, data, name, name="x", actor="t")
            assert expected in refused.value.message, name
        too_many = [["一", str(n), f"第{n}项", "是否", "1", "否", "否"] for n in range(400)]
        with pytest.raises(DomainError) as refused:
            checklists.import_checklist(s, authority_id, csv_bytes(too_many), "表.csv", name="x", actor="t")
        assert "检查项太多" in refused.value.message
        for name in ("  ", "表" * 101, "食堂\x00"):
            with pytest.raises(DomainError):
                checklists.import_checklist(s, authority_id, csv_bytes(ROWS), "表.csv", name=name, actor="t")
        with pytest.raises(DomainError):
            checklists.find(s, authority_id, "食堂\x00")


def test_a_new_version_leaves_the_tasks_on_the_old_one(database: Database) -> None:
    with database.session() as s:
        county = County(s)
        school = county.school("3607010001", "安远县城关第一小学")
        wang = county.inspector("DX001", "王建国")
        authority_id = county.authority.id
        v1 = checklists.import_checklist(s, authority_id, csv_bytes(ROWS), "a.csv", name="食堂食品安全", actor="t")
        task = tasks.create_task(
            s, authority_id, name="食堂专项", kind="special", checklist_id=v1.id, unit_ids=[school.id],
            inspector_ids=[wang.id], starts_on=tasks.parse_day("2026-11-02"), ends_on=tasks.parse_day("2026年11月20日"),
            actor="t",
        )  # fmt: skip
        v2 = checklists.import_checklist(s, authority_id, csv_bytes(ROWS[:3]), "b.csv", name="食堂食品安全", actor="t")
        s.flush()
        assert (v1.version, v2.version) == (1, 2)
        assert checklists.find(s, authority_id, "食堂食品安全").id == v2.id
        assert checklists.find(s, authority_id, "食堂食品安全", 1).id == v1.id
        assert task.checklist_id == v1.id and len(task.checklist.items) == 6
        with pytest.raises(DomainError) as refused:
            checklists.find(s, authority_id, "食堂食品安全", 3)
        assert "没有第3版" in refused.value.message
        listed = checklists.list_checklists(s, authority_id)
        assert [(r.name, r.version, r.items, r.latest) for r in listed] == [
            ("食堂食品安全", 2, 3, True),
            ("食堂食品安全", 1, 6, False),
        ]


def test_the_three_examples_load_and_read_back(database: Database) -> None:
    with database.session() as s:
        authority_id = current_authority(s).id
        loaded = checklists.load_examples(s, authority_id, actor="system:demo")
        assert [c.name for c in loaded] == ["开学工作专项督导", "食堂食品安全", "幼儿园办园行为"]
        for made in loaded:
            assert 10 <= len(made.items) <= 30
            assert len({i.section for i in made.items}) >= 4
        youeryuan = loaded[2]
        assert [i.section for i in youeryuan.items][::4][:5] == [
            "一、办园条件",
            "二、安全卫生",
            "三、保育教育",
            "四、教职工队伍",
            "五、内部管理",
        ]
        assert checklists.load_examples(s, authority_id, actor="system:demo") == []  # once


def run(database: Database, clock: SettableClock, *args: str) -> Result:
    env = {"DUDAO_DATABASE_URL": database.url, **clock_env(clock)}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_dudao_checklist_import_export_list(database: Database, clock: SettableClock, tmp_path: Path) -> None:
    source = tmp_path / "食堂.xlsx"
    source.write_bytes(xlsx_bytes(ROWS))
    imported = run(database, clock, "checklist", "import", str(source), "--name", "食堂食品安全")
    assert imported.exit_code == 0, imported.output
    assert "已导入评估表「食堂食品安全」第1版：6项，3个分类，满分25。" in imported.output
    out = tmp_path / "导出.csv"
    exported = run(database, clock, "checklist", "export", "食堂食品安全", str(out))
    assert exported.exit_code == 0 and "第1版（6项）" in exported.output
    assert "食品經營許可證" in out.read_text(encoding="utf-8-sig")
    again = run(database, clock, "checklist", "import", str(out), "--name", "食堂食品安全")
    assert "第2版" in again.output
    listed = run(database, clock, "checklist", "list")
    assert "食堂食品安全 第2版 6项 满分25" in listed.output and "食堂食品安全 第1版" in listed.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["一", "1", "校舍", "问答", "5", "是", "是"]]))
    refused = run(database, clock, "checklist", "import", str(bad), "--name", "x")
    assert refused.exit_code == 1 and "第2行：类型“问答”不认识" in refused.stderr
    assert "Traceback" not in refused.output
    missing = run(database, clock, "checklist", "export", "没有这个", str(out))
    assert missing.exit_code == 1 and "没有名为“没有这个”的评估表" in missing.stderr


def test_the_office_imports_and_downloads_checklists(database: Database, tmp_path: Path) -> None:
    seed_activity(database)  # the demo county: its three examples are loaded
    app = make_app(database, tmp_path)
    office = app.test_client()
    token = sign_in(office, "admin")
    page = office.get("/office/checklists")
    assert page.status_code == 200 and "开学工作专项督导" in page.text and "幼儿园办园行为" in page.text
    posted = office.post(
        "/office/checklists",
        data={"csrf_token": token, "name": "食堂食品安全", "file": (io.BytesIO(xlsx_bytes(ROWS)), "食堂.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "已导入评估表「食堂食品安全」第2版：6项" in posted.text
    bad = office.post(
        "/office/checklists",
        data={
            "csrf_token": token,
            "name": "坏表",
            "file": (io.BytesIO(csv_bytes([["一", "1", "", "是否"]])), "坏.csv"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert bad.status_code == 200 and "第2行：检查内容是空的" in bad.text
    with database.sessions() as s:
        latest = checklists.find(s, current_authority(s).id, "食堂食品安全")
        latest_id = latest.id
    download = office.get(f"/office/checklists/{latest_id}.xlsx")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    with database.session() as s:
        back = checklists.read_checklist(download.data, "x.xlsx")
        assert [i.text for i in back.items] == [r[2] for r in ROWS]
    assert office.get(f"/office/checklists/{latest_id}.pdf").status_code == 404
    assert office.get("/office/checklists/999999.csv").status_code == 404
    leader = app.test_client()
    sign_in(leader, "leader")
    assert leader.get("/office/checklists").status_code in (302, 403)
