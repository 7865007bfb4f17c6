"""督政 (issue 15): indicator systems imported, exported, copied into the next year and changed with a log; the
yearly evaluation opened, self-evaluated with an attachment, reminded once, scored, graded, ranked, fed back with
整改 items that are rectifications of the chain. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from backend.domain import evaluation as rules
from backend.domain.calendar import SHANGHAI
from backend.domain.kinds import EvaluationTarget, Role
from backend.services import documents, evaluations, form_links, indicators
from backend.services.calendar import load_official_calendar
from backend.store.db import Database
from backend.store.models import AuditEvent, IndicatorChange, OutboxMessage, Rectification
from tests.builders import County

TOWNSHIP = EvaluationTarget.TOWNSHIP
OFFICE = "office:admin"
LINKS = evaluations.Links(secret="test-secret-0123456789", public_url="https://dd.example.cn")
TIANXIN_OPENID = "o-tianxin-contact"


def sheet(rows: list[list[object]]) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Seeded:
    authority_id: int
    townships: dict[str, int]


def seed(db: Database) -> Seeded:
    with db.session() as session:
        county = County(session)
        load_official_calendar(session)
        names = {
            "tianxin": "安远县天心镇人民政府",
            "kongtian": "安远县孔田镇人民政府",
            "xinshan": "安远县欣山镇人民政府",
        }
        townships = {
            key: county.unit(f"36072600{n}", name, "township").id for n, (key, name) in enumerate(names.items())
        }
        county.unit("360726101", "安远县财政局", "department")
        county.school("3607260201", "安远县天心镇中心小学")
        county.contact(TIANXIN_OPENID, Role.UNIT, unit_id=townships["tianxin"])
        county.contact("o-office", Role.OFFICE)
        session.commit()
        return Seeded(county.authority.id, townships)


def test_the_example_imports_exports_and_reads_back_the_same(database: Database) -> None:
    seeded = seed(database)
    with database.session() as session:
        report = indicators.load_example(session, seeded.authority_id, year=2026, target=TOWNSHIP, actor=OFFICE)
        assert report.ok, report.problems
        system = indicators.find_system(session, seeded.authority_id, 2026, TOWNSHIP)
        assert system is not None and system.name == "2026年度乡镇履行教育职责督导评价指标体系"
        rows = indicators.indicators_of(session, system.id)
        assert {r.level1 for r in rows} >= {"控辍保学", "校园周边环境", "学前教育", "安全稳定"}
        assert indicators.full_score(session, system.id) == 100.0
        exported = indicators.export_xlsx(session, system.id)
        session.commit()
    book = load_workbook(io.BytesIO(exported))
    first = book.worksheets[0]
    assert [c.value for c in first[1]] == list(indicators.HEADERS)
    assert first.max_row == len(rows) + 1
    assert book.worksheets[1].title == "修改记录" and book.worksheets[1].max_row == 2  # the import
    # the exported sheet imported as next year's: the same rows
    with database.session() as session:
        again = indicators.import_bytes(
            session, seeded.authority_id, exported, "导出.xlsx", year=2027, target=TOWNSHIP, actor=OFFICE
        )
        assert again.ok and again.rows == len(rows)
        assert again.system_id is not None
        copy = indicators.indicators_of(session, again.system_id)
        assert [(r.level1, r.level2, r.level3, r.max_score, r.rule) for r in copy] == [
            (r.level1, r.level2, r.level3, r.max_score, r.rule) for r in rows
        ]


def test_an_office_sheet_with_merged_levels_typos_and_a_formula(database: Database) -> None:
    seeded = seed(database)
    data = sheet(
        [
            ["一级指标", "二级指标", "三级指标", "分值 ", "评分细则", "佐证资料"],
            ["控辍保学", "控辍保学责任", "落实双线四包", "８", "+1+cmd|calc", "责任书"],
            [None, None, "巩固率", 10.0, "达到95%得满分", ""],
            [None, "劝返复学", "辍学学生动态清零", "6", "", ""],
        ]
    )
    with database.session() as session:
        report = indicators.import_bytes(
            session, seeded.authority_id, data, "指标.xlsx", year=2026, target=TOWNSHIP, actor=OFFICE
        )
        assert report.ok, report.problems
        assert report.system_id is not None
        rows = indicators.indicators_of(session, report.system_id)
        assert [(r.level1, r.level2, r.level3, r.max_score) for r in rows] == [
            ("控辍保学", "控辍保学责任", "落实双线四包", 8.0),
            ("控辍保学", "控辍保学责任", "巩固率", 10.0),
            ("控辍保学", "劝返复学", "辍学学生动态清零", 6.0),
        ]
        exported = indicators.export_xlsx(session, report.system_id)
    cell = load_workbook(io.BytesIO(exported)).worksheets[0]["E2"]
    assert cell.value == "+1+cmd|calc" and cell.data_type == "s" and cell.quotePrefix  # text, never a formula


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([["一级指标", "分值"], ["a", 1]], "表头缺少：二级指标"),
        ([["一级指标", "二级指标", "分值"], ["职责落实", "组织领导", "十分"]], "第 2 行：分值不是数字"),
        ([["一级指标", "二级指标", "分值"], ["职责落实", "组织领导", 55555]], "第 2 行：分值应大于0"),
        (
            [["一级指标", "二级指标", "分值"], ["职责落实", "组织领导", 5], ["职责落实", "组织领导", 3]],
            "第 3 行：与前面的指标重复",
        ),
    ],
)
def test_a_bad_sheet_is_refused_whole_with_its_rows_named(
    database: Database, rows: list[list[object]], expected: str
) -> None:
    seeded = seed(database)
    with database.session() as session:
        report = indicators.import_bytes(
            session, seeded.authority_id, sheet(rows), "x.xlsx", year=2026, target=TOWNSHIP, actor=OFFICE
        )
        assert not report.ok and expected in report.problems[0]
        assert indicators.find_system(session, seeded.authority_id, 2026, TOWNSHIP) is None
        old = indicators.import_bytes(
            session, seeded.authority_id, b"\xd0\xcf\x11\xe0", "x.xls", year=2026, target=TOWNSHIP, actor=OFFICE
        )
        assert "另存为 .xlsx" in old.problems[0]


def test_copy_year_and_every_change_is_logged(database: Database) -> None:
    seeded = seed(database)
    with database.session() as session:
        indicators.load_example(session, seeded.authority_id, year=2025, target=TOWNSHIP, actor=OFFICE)
        system = indicators.copy_year(session, seeded.authority_id, year=2026, target=TOWNSHIP, actor="office:li")
        with pytest.raises(indicators.IndicatorError):
            indicators.copy_year(session, seeded.authority_id, year=2026, target=TOWNSHIP, actor="office:li")
        with pytest.raises(indicators.IndicatorError):
            indicators.copy_year(session, seeded.authority_id, year=2020, target=TOWNSHIP, actor="office:li")
        rows = indicators.indicators_of(session, system.id)
        first = rows[0]
        with pytest.raises(indicators.IndicatorError):
            indicators.change_indicator(session, first.id, actor="office:li", reason=" ", max_score=5)
        indicators.change_indicator(
            session, first.id, actor="office:li", reason="县委要求加大权重", max_score=8, rule="每年研究不少于3次"
        )
        # re-importing a sheet without the last row removes it (kept for old scores) and logs it
        book = load_workbook(io.BytesIO(indicators.export_xlsx(session, system.id)))
        book.worksheets[0].delete_rows(book.worksheets[0].max_row)
        out = io.BytesIO()
        book.save(out)
        report = indicators.import_bytes(
            session, seeded.authority_id, out.getvalue(), "调整.xlsx", year=2026, target=TOWNSHIP,
            actor="office:wang", reason="取消加分项",
        )  # fmt: skip
        assert report.ok
        session.commit()
        changes = indicators.changes_of(session, system.id)
        assert [(c.action, c.actor) for c in changes] == [
            ("copied", "office:li"),
            ("changed", "office:li"),
            ("removed", "office:wang"),
        ]
        assert changes[1].before["max_score"] == 6.0 and changes[1].after["max_score"] == 8.0
        assert changes[1].reason == "县委要求加大权重"
        assert changes[2].reason == "取消加分项"
        # last year's system is untouched
        old = indicators.find_system(session, seeded.authority_id, 2025, TOWNSHIP)
        assert old is not None and indicators.indicators_of(session, old.id)[0].max_score == 6.0
        assert session.scalar(select(func.count()).select_from(IndicatorChange)) == 4  # with 2025's import


def test_grades_thresholds_and_ranking() -> None:
    limits = rules.thresholds({"excellent": 85})
    assert rules.grade(85, 100, limits) == "excellent"
    assert rules.grade(84.9, 100, limits) == "good"
    assert rules.grade(59.9, 100, limits) == "fail"
    assert rules.grade(30, 50, limits) == "pass"
    assert rules.ranks([80.0, 92.5, 80.0, 60.0]) == [2, 1, 2, 4]
    with pytest.raises(rules.IndicatorProblem):
        rules.thresholds({"good": 95})


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def test_a_year_evaluated_scored_ranked_and_fed_back(database: Database, tmp_path: Path) -> None:
    seeded = seed(database)
    now = database.clock.now()
    deadline = date(2026, 12, 18)
    with database.session() as session:
        indicators.load_example(session, seeded.authority_id, year=2026, target=TOWNSHIP, actor=OFFICE)
        system = indicators.find_system(session, seeded.authority_id, 2026, TOWNSHIP)
        assert system is not None
        opened = evaluations.open_for_units(session, system.id, deadline=deadline, actor=OFFICE, links=LINKS)
        assert len(opened) == 3  # the townships, not the department nor the school
        again = evaluations.open_for_units(session, system.id, deadline=deadline, actor=OFFICE, links=LINKS)
        assert again == []
        session.commit()
        system_id = system.id
        rows = indicators.indicators_of(session, system.id)
        by_unit = {e.unit_id: e for e in evaluations.of_system(session, system.id)}
    tianxin = by_unit[seeded.townships["tianxin"]]
    # the bound contact is told once, with the signed link
    with database.session() as session:
        [push] = session.scalars(select(OutboxMessage).where(OutboxMessage.openid == TIANXIN_OPENID)).all()
        assert push.kind == "template" and push.notice == "evaluation_opened"
        token = push.payload["url"].split("?k=", 1)[1]
        link = form_links.verify(LINKS.secret, token, now=now, prefix="evaluation")
        assert link.subject_id("evaluation") == tianxin.id and link.openid == TIANXIN_OPENID
        with pytest.raises(form_links.LinkRefused):
            form_links.verify(LINKS.secret, token, now=now, prefix="task_check")
        with pytest.raises(form_links.LinkRefused):
            form_links.verify("another-secret-0000", token, now=now, prefix="evaluation")

    # 自评: a draft, an incomplete submission refused, a score over the maximum refused, then complete
    answers = {r.id: evaluations.Answer(r.max_score - (1 if n % 3 == 0 else 0), f"说明{n}") for n, r in enumerate(rows)}
    with database.session() as session:
        first = rows[0]
        evaluations.save_self_evaluation(session, tianxin.id, {first.id: answers[first.id]}, submit=False, actor="u")
        with pytest.raises(evaluations.EvaluationError, match="还有"):
            evaluations.save_self_evaluation(session, tianxin.id, {}, submit=True, actor="u")
        with pytest.raises(evaluations.EvaluationError, match="超出范围"):
            evaluations.save_self_evaluation(
                session, tianxin.id, {first.id: evaluations.Answer(99, "")}, submit=True, actor="u"
            )
        photo = _png()
        evaluations.add_attachment(session, tmp_path, tianxin.id, first.id, content=photo, actor="u")
        evaluations.add_attachment(session, tmp_path, tianxin.id, first.id, content=b"%PDF-1.4 x", actor="u")
        with pytest.raises(evaluations.EvaluationError, match="照片"):
            evaluations.add_attachment(session, tmp_path, tianxin.id, first.id, content=b"MZ\x90", actor="u")
        evaluations.save_self_evaluation(session, tianxin.id, answers, submit=True, actor="u")
        session.commit()
        assert len(evaluations.attachments_of(session, tianxin.id)[first.id]) == 2

    # reminders: the others are reminded once before the deadline and once after it; tianxin submitted
    before = at(date(2026, 12, 15))
    assert evaluations.sweep_step(database, before) == {}  # nobody else is bound to WeChat
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.openid == TIANXIN_OPENID)) == 1  # fmt: skip

    # the office scores: tianxin 82, kongtian 95, xinshan 82
    def score_all(evaluation_id: int, lose: dict[int, float]) -> None:
        with database.session() as session:
            given = {r.id: evaluations.Answer(r.max_score, "") for r in rows}
            for index, points in lose.items():
                note = "实地查看台账，有2名学生未劝返"
                given[rows[index].id] = evaluations.Answer(rows[index].max_score - points, note)
            evaluations.score(session, evaluation_id, given, field_note="查阅台账、走访村小", finish=True, actor=OFFICE)
            session.commit()

    with database.session() as session, pytest.raises(evaluations.EvaluationError, match="没有评分"):
        evaluations.score(session, tianxin.id, {}, finish=True, actor=OFFICE)
    score_all(tianxin.id, {3: 10, 2: 8})
    score_all(by_unit[seeded.townships["kongtian"]].id, {3: 5})
    score_all(by_unit[seeded.townships["xinshan"]].id, {2: 8, 3: 10})
    with database.session() as session:
        results = evaluations.results(session, system_id)
        assert [(r.unit, r.total, r.grade, r.rank) for r in results] == [
            ("安远县孔田镇人民政府", 95.0, "excellent", 1),
            ("安远县天心镇人民政府", 82.0, "good", 2),
            ("安远县欣山镇人民政府", 82.0, "good", 2),
        ]
        gap = results[1].gaps[0]
        assert (gap.lost, gap.name) == (10, rows[3].level3) and [g.lost for g in results[1].gaps] == [10, 8]
        assert results[1].self_total == round(sum(a.score or 0 for a in answers.values()), 1)

    # the 反馈意见书 with two 整改 items: rectifications issued to the unit, in the chain
    items = [
        evaluations.FeedbackItem("2名辍学学生未劝返复学", "30日内劝返并建立台账", date(2027, 1, 15), rows[3].id),
        evaluations.FeedbackItem("校园周边有流动摊点", "联合市场监管部门整治", date(2027, 1, 15)),
    ]
    with database.session() as session:
        with pytest.raises(evaluations.EvaluationError):
            evaluations.issue_feedback(session, tianxin.id, opinion=" ", items=items, actor=OFFICE)
        issued = evaluations.issue_feedback(session, tianxin.id, opinion="总体较好，控辍保学需加强。", items=items,
                                            actor=OFFICE)  # fmt: skip
        session.commit()
        assert [r.state for r in issued] == ["issued", "issued"]
        assert {r.unit_id for r in issued} == {seeded.townships["tianxin"]}
        with pytest.raises(evaluations.EvaluationError):
            evaluations.issue_feedback(session, tianxin.id, opinion="再来", items=items, actor=OFFICE)
        assert len(evaluations.rectifications_of(session, tianxin.id)) == 2
        assert session.scalar(select(func.count()).select_from(Rectification)) == 2
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "evaluation")).all()
        assert "evaluation.fed_back" in actions and "evaluation.submitted" in actions
        # the 反馈意见书 is numbered in the register; each 整改 item has its 整改通知书 there too
        evaluation = evaluations.get(session, tianxin.id)
        paper = evaluations.feedback_document(session, evaluation)
        assert paper is not None and paper.number == evaluation.feedback["document_number"]
        assert re.fullmatch(r"督反馈〔2026〕1号", paper.number)
        for item in issued:
            assert [d.kind for d in documents.of_rectification(session, item.id)] == ["rectification_notice"]
        docx = documents.render(paper, "docx").content
    text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    tables = " ".join(c.text for table in Document(io.BytesIO(docx)).tables for row in table.rows for c in row.cells)
    assert "督导反馈意见书" in text and "安远县天心镇人民政府" in text and "总体较好，控辍保学需加强。" in text
    assert "评定总分 82.0 分（满分 100.0 分），等次为「良好」，在参评的 3 个乡镇中排名第 2 位。" in text
    assert "2名辍学学生未劝返复学" in tables and issued[0].number in tables and "2027-01-15" in tables


def test_reminders_go_once_before_and_once_after_the_deadline(database: Database) -> None:
    seeded = seed(database)
    with database.session() as session:
        indicators.load_example(session, seeded.authority_id, year=2026, target=TOWNSHIP, actor=OFFICE)
        system = indicators.find_system(session, seeded.authority_id, 2026, TOWNSHIP)
        assert system is not None
        evaluations.open_for_units(
            session, system.id, deadline=date(2026, 12, 18), actor=OFFICE, links=LINKS,
            unit_ids=[seeded.townships["tianxin"]],
        )  # fmt: skip
        with pytest.raises(evaluations.EvaluationError):
            evaluations.open_for_units(session, system.id, deadline=date(2026, 12, 18), actor=OFFICE, links=LINKS,
                                       unit_ids=[seeded.townships["tianxin"] + 100])  # fmt: skip
        session.commit()
    assert evaluations.sweep_step(database, at(date(2026, 12, 10))) == {}  # too early
    assert evaluations.sweep_step(database, at(date(2026, 12, 15))) == {"reminded_due": 1}
    assert evaluations.sweep_step(database, at(date(2026, 12, 16))) == {}  # once
    assert evaluations.sweep_step(database, at(date(2026, 12, 18), 20)) == {}
    assert evaluations.sweep_step(database, at(date(2026, 12, 21))) == {"reminded_overdue": 1}  # Monday after
    assert evaluations.sweep_step(database, at(date(2026, 12, 22))) == {}
    with database.session() as session:
        notices = session.scalars(
            select(OutboxMessage.notice).where(OutboxMessage.openid == TIANXIN_OPENID).order_by(OutboxMessage.id)
        ).all()
        assert notices == ["evaluation_opened", "evaluation_due", "evaluation_due"]


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, "PNG")
    return out.getvalue()
