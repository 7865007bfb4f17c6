"""The numbered documents on SQLite and PostgreSQL: the six kinds issued from their records, as DOCX (read back
with python-docx) and PDF (pdftotext), numbered per authority, kind and Shanghai year, kept as issued.

`ladder` (an item taken up every rung) is shared with the register's web tests.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import pytest
from sqlalchemy import select

from backend.domain.calendar import SHANGHAI
from backend.domain.documents import DocumentKind, paper_date
from backend.domain.kinds import EscalationLevel
from backend.services import document_kinds, documents, escalations
from backend.services import rectifications as rect
from backend.services.papers import Draft, Grid, Section
from backend.store.db import Database
from backend.store.models import AuditEvent, Authority, Document, Rectification
from tests.integration.test_rectification_lifecycle import Seeded, issue_one, propose_one, seed_county
from tests.integration.test_school_report_pdf import flat, needs_pdftotext, pdf_text

OFFICE = "江西省安远县人民政府教育督导室"
PREFIXES = {"rectification_notice": "安督整", "talk": "安督约", "accountability": "安督问"}
SCHOOL = "城关第一小学"
SUPERIOR = "城关镇人民政府"


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)


def the_office(db: Database, *, prefixes: dict[str, str] | None = None) -> None:
    with db.session() as session:
        authority = session.scalars(select(Authority)).one()
        authority.office_name = OFFICE
        authority.document_prefixes = dict(PREFIXES if prefixes is None else prefixes)


def ladder(db: Database, seeded: Seeded) -> int:
    """An item issued on Monday 23 November 2026 that climbs every rung: 督办, 约谈, 通报, 问责."""
    item_id = issue_one(db, seeded)  # deadline Friday 4 December
    with db.session() as session:
        escalations.supervise(session, rect.get(session, item_id), now=at(date(2026, 12, 7)))
    with db.session() as session:
        talk = escalations.propose(
            session, rect.get(session, item_id), EscalationLevel.TALK, now=at(date(2026, 12, 15))
        )
        escalations.confirm_talk(
            session,
            talk.id,
            record={
                "held_at": "2026年12月17日 9:30",
                "attendees": "校长 张三；督导室 李四",
                "summary": "消防通道长期堆放杂物，督办后仍未清理",
                "commitments": "一周内清理完毕并建立巡查台账",
                "备注": "校长当场签字确认",  # a field a later form adds: printed too
            },
            actor="office:li",
            now=at(date(2026, 12, 17)),
        )
    with db.session() as session:
        circular = escalations.propose(
            session, rect.get(session, item_id), EscalationLevel.CIRCULAR, now=at(date(2026, 12, 25))
        )
        escalations.confirm_circular(
            session,
            circular.id,
            record={"text": "对城关第一小学予以通报批评", "scope": "全县各中小学校"},
            actor="office:li",
            now=at(date(2026, 12, 28)),
        )
    with db.session() as session:
        escalations.record_accountability(
            session,
            item_id,
            record={
                "basic_facts": "消防通道堆放杂物，逾期未整改",
                "accountability_facts": "经督办、约谈、通报后仍未整改到位",
                "basis": "《教育督导问责办法》第十条",
                "measures": "责令作出书面检查",
                "effective_at": "2027-01-11",
            },
            actor="office:li",
            now=at(date(2027, 1, 4)),
        )
    return item_id


def feedback(db: Database, seeded: Seeded) -> Document:
    """A 督导反馈意见书, issued the generic way (as the evaluation does)."""
    draft = Draft(
        title=documents.kind_label(DocumentKind.FEEDBACK),
        addressee=SUPERIOR,
        body=("根据2026年度乡镇人民政府履行教育职责评价结果，现将督导意见反馈如下。",),
        sections=(
            Section("总体评价", ("总分86.5分，等次良好。",)),
            Section("存在问题", (Grid(headers=("序号", "指标", "问题"), rows=(("1", "控辍保学", "劝返台账不全"),)),)),
        ),
        closing=("特此反馈。",),
    )
    with db.session() as session:
        issued = documents.issue(
            session,
            kind=DocumentKind.FEEDBACK,
            draft=draft,
            subject_type="evaluation",
            subject_id=7,
            unit_id=seeded.superior_id,
            actor="office:li",
            now=at(date(2027, 1, 8)),
        )
        session.expunge(issued)
        return issued


def all_documents(db: Database) -> list[Document]:
    with db.session() as session:
        found = list(session.scalars(select(Document).order_by(Document.id)))
        session.expunge_all()
        return found


def docx_text(document: Document) -> str:
    paper = docx.Document(io.BytesIO(documents.render(document, "docx").content))
    cells = [c.text for t in paper.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in paper.paragraphs] + cells)


# what each kind must say besides the office, its number and its date
WANTED = {
    DocumentKind.RECTIFICATION_NOTICE: ["整改通知书", SCHOOL + "：", "消防通道堆放杂物", "立即清理消防通道",
                                        "2026年12月4日", "王建国", "抄送：" + SUPERIOR],
    DocumentKind.SUPERVISION_NOTICE: ["督办通知书", SCHOOL + "：", "安督整〔2026〕1号", "2026年12月4日",
                                      "2026年12月14日", "请" + SUPERIOR + "督促"],
    DocumentKind.TALK: ["约谈记录", SCHOOL, "2026年12月17日 9:30", "校长 张三；督导室 李四",
                        "督办后仍未清理", "一周内清理完毕", "本记录报" + SUPERIOR + "备案",
                        "其他事项", "备注：校长当场签字确认"],
    DocumentKind.CIRCULAR: ["督导通报", "全县各中小学校：", "予以通报批评", "安督整〔2026〕1号", "特此通报。"],
    DocumentKind.ACCOUNTABILITY: ["问责决定（建议）书", SCHOOL + "：", "基本情况", "问责事实", "问责依据", "问责方式",
                                  "生效时间", "第十条", "责令作出书面检查", "2027年1月11日"],
    DocumentKind.FEEDBACK: ["督导反馈意见书", SUPERIOR + "：", "总分86.5分", "劝返台账不全", "特此反馈。"],
}  # fmt: skip


def test_every_kind_is_issued_from_its_record_and_numbered(database: Database) -> None:
    seeded = seed_county(database)
    the_office(database)
    item_id = ladder(database, seeded)
    feedback(database, seeded)
    issued = all_documents(database)
    assert [(d.kind, d.number, d.issued_on) for d in issued] == [
        ("rectification_notice", "安督整〔2026〕1号", date(2026, 11, 23)),
        ("supervision_notice", "督办〔2026〕1号", date(2026, 12, 7)),  # no prefix set: the default
        ("talk", "安督约〔2026〕1号", date(2026, 12, 17)),
        ("circular", "督通〔2026〕1号", date(2026, 12, 28)),
        ("accountability", "安督问〔2027〕1号", date(2027, 1, 4)),
        ("feedback", "督反馈〔2027〕1号", date(2027, 1, 8)),
    ]
    assert all(d.rectification_id == item_id for d in issued[:5]) and issued[5].rectification_id is None
    assert [d.issued_by for d in issued] == [f"inspector:{seeded.inspector_id}", "system", *["office:li"] * 4]
    with database.session() as session:
        assert len(documents.of_rectification(session, item_id)) == 5
        audited = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "document.issued")).all()
        assert [a["number"] for a in audited] == [d.number for d in issued]


@pytest.mark.parametrize("fmt", ["docx", pytest.param("pdf", marks=needs_pdftotext)])
def test_every_kind_renders_with_its_chinese_text_number_dates_and_names(
    database: Database, fmt: str, tmp_path: Path
) -> None:
    seeded = seed_county(database)
    the_office(database)
    ladder(database, seeded)
    feedback(database, seeded)
    for document in all_documents(database):
        if fmt == "docx":
            text = docx_text(document)
            shown = "".join(text.split())
        else:
            rendered = documents.render(document, "pdf")
            assert rendered.mimetype == "application/pdf" and rendered.filename.endswith(".pdf")
            shown = flat(pdf_text(rendered.content, tmp_path))
        for wanted in [OFFICE, document.number, paper_date(document.issued_on), "（盖章处）",
                       *WANTED[DocumentKind(document.kind)]]:  # fmt: skip
            assert "".join(wanted.split()) in shown, (document.kind, wanted)


def test_the_year_is_shanghais_and_each_kind_and_year_counts_from_one(database: Database) -> None:
    seeded = seed_county(database)
    the_office(database)
    eve = datetime(2026, 12, 31, 15, 59, tzinfo=UTC)  # 23:59 in China
    new_year = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)  # already 1 January 2027 there
    for moment in (eve, eve, new_year, new_year):
        issue_one(database, seeded, now=moment, deadline=date(2027, 1, 15))
    numbers = [d.number for d in all_documents(database)]
    assert numbers == ["安督整〔2026〕1号", "安督整〔2026〕2号", "安督整〔2027〕1号", "安督整〔2027〕2号"]
    assert [d.issued_on for d in all_documents(database)][1:3] == [date(2026, 12, 31), date(2027, 1, 1)]


def test_issuing_again_gives_the_same_paper_and_a_rollback_gives_its_number_back(database: Database) -> None:
    seeded = seed_county(database)
    the_office(database)
    first = issue_one(database, seeded)
    with database.session() as session:
        item = rect.get(session, first)
        again = document_kinds.issue_rectification_notice(session, item, actor="office:li", now=at(date(2026, 11, 24)))
        assert again.number == "安督整〔2026〕1号"
    assert len(all_documents(database)) == 1

    with pytest.raises(RuntimeError), database.session() as session:
        row = propose_one(session, seeded)
        rect.issue_rectification(session, row.id, actor="office:li", now=at(date(2026, 11, 24)))
        assert documents.of_rectification(session, row.id)[0].number == "安督整〔2026〕2号"
        raise RuntimeError("the office closed the page before it was saved")
    issue_one(database, seeded, now=at(date(2026, 11, 25)))
    assert [d.number for d in all_documents(database)] == ["安督整〔2026〕1号", "安督整〔2026〕2号"]


def test_a_numbered_paper_stays_as_issued_when_its_record_or_the_office_changes(database: Database) -> None:
    seeded = seed_county(database)
    the_office(database)
    item_id = issue_one(database, seeded)
    with database.session() as session:
        item = session.get(Rectification, item_id)
        assert item is not None
        item.problem = "改过的问题描述"
        session.scalars(select(Authority)).one().office_name = "另一个名字的督导室"
    [document] = all_documents(database)
    text = docx_text(document)
    assert "消防通道堆放杂物" in text and "改过的问题描述" not in text
    assert OFFICE in text and "另一个名字" not in text


def test_an_unknown_kind_and_a_document_without_an_authority_are_refused(database: Database) -> None:
    seeded = seed_county(database)
    with database.session() as session:
        with pytest.raises(documents.DocumentError) as refused:
            documents.issue(
                session, kind="memo", draft=Draft(title="x"), subject_type="x", subject_id=1, actor="office:li"
            )
        assert "memo" in refused.value.message
        with pytest.raises(documents.DocumentError):
            documents.issue(
                session, kind="circular", draft=Draft(title="x"), subject_type="x", subject_id=1, actor="office:li"
            )
        with pytest.raises(documents.DocumentError):
            documents.render(Document(content={}), "odt")
    assert seeded.unit_id


def test_two_processes_issuing_at_once_never_share_a_number(database: Database, tmp_path: Path) -> None:
    seeded = seed_county(database)
    the_office(database)
    count = 60 if database.is_postgres else 40
    go = tmp_path / "go"
    moment = datetime(2026, 12, 31, 16, 30, tzinfo=UTC).isoformat()  # already 2027 in China
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    issuers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.integration.document_issuer",
                database.url,
                str(seeded.authority_id),
                str(count),
                str(go),
                moment,
            ],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(1.0)  # both import and connect, then start at once
    go.touch()
    outputs = [p.communicate(timeout=180) for p in issuers]
    assert [p.returncode for p in issuers] == [0, 0], [err for _out, err in outputs]
    printed = [line for out, _err in outputs for line in out.split()]
    assert len(printed) == len(set(printed)) == 2 * count
    assert sorted(printed) == sorted(f"安督整〔2027〕{n}号" for n in range(1, 2 * count + 1))  # no gap either
    mine = [set(out.split()) for out, _err in outputs]
    assert all(len(m) == count for m in mine) and not mine[0] & mine[1]
    with database.session() as session:
        seqs = session.scalars(select(Document.seq).where(Document.year == 2027)).all()
        assert sorted(seqs) == list(range(1, 2 * count + 1))
