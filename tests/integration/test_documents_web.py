"""The register (发文登记) in the office web: the list and its filters (validated), the xlsx, each document's
downloads from the register and from its record's page, and a zone leader kept to their zone."""

from __future__ import annotations

import io
from datetime import timedelta

import docx
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from backend.domain.calendar import local_date
from backend.services import documents
from backend.services import rectifications as rect
from backend.store.db import Database
from backend.store.models import Assignment, Authority, Document, Rectification, Unit
from tests.integration.test_office_web import Seeded, sign_in


def issue_in(db: Database, school_code: str, problem: str) -> tuple[int, str, str]:
    """A rectification issued to a school by its inspector: (item id, the notice's number, the school's name)."""
    today = local_date(db.clock.now())
    with db.session() as s:
        unit = s.scalars(select(Unit).where(Unit.code == school_code)).one()
        inspector_id = s.scalars(
            select(Assignment.inspector_id).where(Assignment.unit_id == unit.id, Assignment.ends_on.is_(None))
        ).one()
        item = rect.propose_rectification(
            s, authority_id=unit.authority_id, unit_id=unit.id, inspector_id=inspector_id, visit_id=None, item="6",
            problem=problem, requirement="限期整改", deadline=today + timedelta(days=10), urgent=False,
            actor=f"inspector:{inspector_id}",
        )  # fmt: skip
        rect.issue_rectification(s, item.id, actor="office:admin")
        [paper] = documents.of_rectification(s, item.id)
        return item.id, paper.number, unit.name


def document_id(db: Database, number: str) -> int:
    with db.session() as s:
        return s.scalars(select(Document.id).where(Document.number == number)).one()


def office(app: Flask, who: str = "admin") -> FlaskClient:
    client = app.test_client()
    sign_in(client, who)
    return client


def test_the_register_lists_every_document_and_filters_by_kind_year_and_unit(
    app: Flask, seeded: Seeded, database: Database
) -> None:
    with database.session() as s:
        s.scalars(select(Authority)).one().document_prefixes = {"rectification_notice": "青督整"}
    _a, number_a, school_a = issue_in(database, seeded.school_a, "围墙破损")
    _b, number_b, school_b = issue_in(database, seeded.school_b, "食堂留样不全")
    year = local_date(database.clock.now()).year
    assert (number_a, number_b) == (f"青督整〔{year}〕1号", f"青督整〔{year}〕2号")
    client = office(app)

    page = client.get("/office/documents")
    assert page.status_code == 200
    for shown in (number_a, number_b, school_a, school_b, "整改通知书", "发文登记"):
        assert shown in page.text
    assert 'href="/office/documents"' in client.get("/office/dashboard").text  # in the menu

    assert number_b not in client.get(f"/office/documents?unit={school_a}").text
    assert number_a in client.get(f"/office/documents?unit={seeded.school_a}").text  # by code too
    assert number_a in client.get(f"/office/documents?kind=rectification_notice&year={year}").text
    assert number_a not in client.get(f"/office/documents?year={year - 1}").text
    assert number_a not in client.get("/office/documents?kind=talk").text
    assert "没有符合条件的文书" in client.get("/office/documents?unit=%25").text  # a LIKE wildcard is a character

    for bad in ("kind=memo", "year=abc", "year=1900", "unit=" + "长" * 51, "unit=%0d%0a"):
        refused = client.get(f"/office/documents?{bad}")
        assert refused.status_code == 400, bad
        assert "筛选条件不正确" in refused.text and "Traceback" not in refused.text

    sheet = load_workbook(io.BytesIO(client.get(f"/office/documents.xlsx?year={year}").data)).active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["文号", "文书种类", "标题", "主送单位", "发文日期", "经办", "所属记录"]
    assert [r[0] for r in rows[1:]] == [number_a, number_b]
    assert rows[1][1:4] == ["整改通知书", "整改通知书", school_a]


def test_each_document_downloads_from_the_register_and_from_its_record(
    app: Flask, seeded: Seeded, database: Database
) -> None:
    item_id, number, school = issue_in(database, seeded.school_a, "消防通道堆放杂物")
    doc_id = document_id(database, number)
    client = office(app)

    record_page = client.get(f"/office/rectifications/{item_id}").text
    assert number in record_page and f"/office/documents/{doc_id}.docx" in record_page
    assert f"/office/documents/{doc_id}.pdf" in record_page

    word = client.get(f"/office/documents/{doc_id}.docx")
    assert word.status_code == 200 and word.mimetype.endswith("wordprocessingml.document")
    assert "filename*=UTF-8''" in word.headers["Content-Disposition"]
    texts = [p.text for p in docx.Document(io.BytesIO(word.data)).paragraphs]
    assert number in texts and "整改通知书" in texts and school + "：" in texts

    pdf = client.get(f"/office/documents/{doc_id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    assert client.get(f"/office/documents/{doc_id}.odt").status_code == 404
    assert client.get("/office/documents/999999.docx").status_code == 404
    assert client.get("/office/documents/99999999999999.docx").status_code == 404


def test_a_zone_leader_sees_and_downloads_only_their_zones_documents(
    app: Flask, seeded: Seeded, database: Database
) -> None:
    _a, number_a, _ = issue_in(database, seeded.school_a, "围墙破损")
    _b, number_b, _ = issue_in(database, seeded.school_b, "食堂留样不全")
    leader = office(app, "leader")
    listed = leader.get("/office/documents").text
    assert number_a in listed and number_b not in listed
    assert leader.get(f"/office/documents/{document_id(database, number_a)}.docx").status_code == 200
    assert leader.get(f"/office/documents/{document_id(database, number_b)}.docx").status_code == 404
    sheet = load_workbook(io.BytesIO(leader.get("/office/documents.xlsx").data)).active
    assert sheet is not None and [r[0].value for r in sheet.iter_rows()][1:] == [number_a]


def test_a_paper_in_the_register_survives_its_record_being_edited(
    app: Flask, seeded: Seeded, database: Database
) -> None:
    item_id, number, _ = issue_in(database, seeded.school_a, "围墙破损")
    with database.session() as s:
        item = s.get(Rectification, item_id)
        assert item is not None
        item.problem = "后来改写的问题"
    word = office(app).get(f"/office/documents/{document_id(database, number)}.docx")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(word.data)).paragraphs)
    assert "围墙破损" in text and "后来改写" not in text
