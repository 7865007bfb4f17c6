"""督政 in the web (issue 15): the office imports, copies and exports a system, opens the year for the demo county's
townships, a unit fills in its 自评 in the signed form (a photo, a bomb refused, a forged link refused), the office
scores, the annual report carries the ranking, /public shows it only once approved."""

from __future__ import annotations

import io
import re
from pathlib import Path

from flask import Flask
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from backend.domain.kinds import EvaluationTarget, Role, UnitKind
from backend.services import evaluations, indicators
from backend.store.db import Database
from backend.store.models import Evaluation, Media, OutboxMessage, Unit, WechatIdentity
from tests.integration.test_office_web import csrf_of, make_app, seed_activity, sign_in


def _png(side: int = 40) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (side, side), (10, 120, 10)).save(out, "PNG")
    return out.getvalue()


def _bomb() -> bytes:
    """A PNG whose header claims 30000 x 30000 pixels: measured from the header, never decoded."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(
        b"IEND", b"")  # fmt: skip


def test_the_office_runs_a_year_and_a_unit_answers_in_the_signed_form(database: Database, tmp_path: Path) -> None:
    seed_activity(database)
    app: Flask = make_app(database, tmp_path)
    year = database.clock.now().year
    with database.session() as s:
        townships = list(s.scalars(select(Unit).where(Unit.kind == UnitKind.TOWNSHIP.value).order_by(Unit.code)))
        first = townships[0]
        s.add(WechatIdentity(openid="o-town-contact", role=Role.UNIT.value, unit_id=first.id, following=True))
        first_id, first_name = first.id, first.name
    office = app.test_client()
    token = sign_in(office, "admin")

    # an example loaded for last year, copied into this year; the export reads back
    page = office.post("/office/evaluation/example", data={"csrf_token": token, "year": year - 1, "target": "township"})
    assert page.status_code == 302
    with database.session() as s:
        last = indicators.find_system(s, 1, year - 1, EvaluationTarget.TOWNSHIP)
        assert last is not None
        last_id = last.id
    copied = office.post(f"/office/evaluation/systems/{last_id}/copy", data={"csrf_token": token})
    assert copied.status_code == 302
    home = office.get(f"/office/evaluation?year={year}").text
    assert f"{year}年度乡镇履行教育职责督导评价指标体系" in home
    with database.session() as s:
        system = indicators.find_system(s, 1, year, EvaluationTarget.TOWNSHIP)
        assert system is not None
        system_id = system.id
        rows = indicators.indicators_of(s, system_id)
    exported = office.get(f"/office/evaluation/systems/{system_id}.xlsx")
    assert exported.status_code == 200
    book = load_workbook(io.BytesIO(exported.data))
    assert book.worksheets[0].max_row == len(rows) + 1 and "复制上一年度" in str(book.worksheets[1]["C2"].value)
    # a bad import is answered in Chinese and changes nothing
    bad = office.post(
        "/office/evaluation/import",
        data={"csrf_token": token, "year": year, "target": "township", "file": (io.BytesIO(b"x"), "a.xls")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "另存为 .xlsx" in bad.text
    # a row changed with its reason, shown in the log
    office.post(f"/office/evaluation/indicators/{rows[0].id}",
                data={"csrf_token": token, "max_score": "7", "rule": rows[0].rule, "evidence": rows[0].evidence,
                      "reason": "县政府考核办要求"})  # fmt: skip
    assert "县政府考核办要求" in office.get(f"/office/evaluation/systems/{system_id}").text

    # opened for the townships: the bound contact's push carries the signed link
    deadline = f"{year}-12-28"
    opened = office.post(f"/office/evaluation/systems/{system_id}/open",
                         data={"csrf_token": token, "deadline": deadline}, follow_redirects=True)  # fmt: skip
    assert f"已为 {len(townships)} 个单位启动评价" in opened.text
    with database.session() as s:
        push = s.scalar(select(OutboxMessage).where(OutboxMessage.openid == "o-town-contact"))
        assert push is not None
        url = push.payload["url"]
        evaluation_id = s.scalar(select(Evaluation.id).where(Evaluation.unit_id == first_id))
    path = "/" + url.split("/", 3)[3]
    assert path.startswith("/f/evaluation?k=")

    unit = app.test_client()
    assert unit.get(path[:-3] + "abc").status_code == 403  # a forged signature
    form = unit.get(path)
    assert form.status_code == 200 and first_name in form.text and "控辍保学" in form.text
    fields: dict[str, object] = {f"score_{r.id}": str(r.max_score) for r in rows}
    fields |= {f"note_{r.id}": "已落实" for r in rows}
    origin = {"Origin": "http://localhost"}
    # without our origin: refused
    assert unit.post(path, data={**fields, "submit": "1"}).status_code == 403
    # a bomb is refused, nothing submitted
    refused = unit.post(path, data={**fields, "submit": "1", f"files_{rows[0].id}": (io.BytesIO(_bomb()), "b.png")},
                        content_type="multipart/form-data", headers=origin)  # fmt: skip
    assert refused.status_code == 400 and "像素过大" in refused.text
    sent = unit.post(path, data={**fields, "submit": "1", f"files_{rows[0].id}": (io.BytesIO(_png()), "p.png")},
                     content_type="multipart/form-data", headers=origin)  # fmt: skip
    assert sent.status_code == 200 and "自评已提交" in sent.text
    with database.session() as s:
        evaluation = s.get(Evaluation, evaluation_id)
        assert evaluation is not None and evaluation.state == "submitted"
        [kept] = s.scalars(select(Media).where(Media.owner_type == "evaluation_entry")).all()
        assert kept.exif_stripped and kept.content_type == "image/png"
        media_id = kept.id

    # a contact unbound since: their link opens nothing; one bound since gets a link when the office sends them
    with database.session() as s:
        contact = s.scalar(select(WechatIdentity).where(WechatIdentity.openid == "o-town-contact"))
        assert contact is not None
        contact.unit_id = None
        s.add(WechatIdentity(openid="o-town-new", role=Role.UNIT.value, unit_id=first_id, following=True))
    assert unit.get(path).status_code == 403
    assert "无法打开" in unit.get(path).text
    resent = office.post(f"/office/evaluation/{evaluation_id}/links", data={"csrf_token": token}, follow_redirects=True)
    assert "已向 1 位新绑定的联系人发送自评链接" in resent.text
    with database.session() as s:
        fresh = s.scalar(select(OutboxMessage).where(OutboxMessage.openid == "o-town-new"))
        assert fresh is not None and fresh.payload["url"] != url
        assert unit.get("/" + fresh.payload["url"].split("/", 3)[3]).status_code == 200

    # the office sees the 自评 and its photo, scores (over the maximum refused), finishes
    scoring_page = office.get(f"/office/evaluation/{evaluation_id}").text
    assert "已落实" in scoring_page and f"/office/evaluation/files/{media_id}" in scoring_page
    assert office.get(f"/office/evaluation/files/{media_id}").status_code == 200
    scores = {f"score_{r.id}": str(r.max_score) for r in rows} | {f"check_{rows[0].id}": "查看会议纪要"}
    scores[f"score_{rows[1].id}"] = "99"
    over = office.post(f"/office/evaluation/{evaluation_id}/score", data={"csrf_token": token, **scores, "finish": "1"},
                       follow_redirects=True)  # fmt: skip
    assert "超出范围" in over.text
    scores[f"score_{rows[1].id}"] = "1"
    done = office.post(f"/office/evaluation/{evaluation_id}/score", data={"csrf_token": token, **scores, "finish": "1"},
                       follow_redirects=True)  # fmt: skip
    assert "评分完成" in done.text
    with database.session() as s:
        [result] = [r for r in evaluations.results(s, system_id) if r.evaluation_id == evaluation_id]
        assert result.rank == 1 and result.gaps[0].indicator_id == rows[1].id

    # the 督导反馈意见书: in the register with its two 整改通知书, downloadable, linked back to the evaluation
    feedback = {
        "csrf_token": token,
        "opinion": "总体较好。",
        "problem_1": "辍学学生未劝返",
        "requirement_1": "限期劝返",
        "deadline_1": f"{year}-12-30",
        "indicator_1": str(rows[1].id),
        "problem_2": "周边摊点",
        "deadline_2": f"{year}-12-30",
    }
    issued = office.post(f"/office/evaluation/{evaluation_id}/feedback", data=feedback, follow_redirects=True)
    assert "2 项整改事项已进入整改流程" in issued.text and "督导反馈意见书" in issued.text
    register = office.get(f"/office/documents?year={year}").text
    assert "督导反馈意见书" in register and register.count("整改通知书") >= 2
    paper = re.search(r'href="(/office/documents/\d+\.docx)"', issued.text)
    assert paper and office.get(paper.group(1)).status_code == 200
    again = office.post(f"/office/evaluation/{evaluation_id}/feedback", data=feedback, follow_redirects=True)
    assert "反馈意见书已下发，评分不能再修改" in again.text  # once

    # the annual report has the ranking
    report = office.get(f"/office/export/annual.xlsx?year={year}")
    assert report.status_code == 200, report.text[:300]
    sheet = load_workbook(io.BytesIO(report.data))["督政评价"]
    assert [c.value for c in sheet[3]][1:3] == [1, first_name]

    # /public: nothing until the office approves
    public = app.test_client()
    assert first_name not in public.get("/public/evaluations").text
    office.post(f"/office/evaluation/systems/{system_id}/publish", data={"csrf_token": token, "publish": "1"})
    shown = public.get("/public/evaluations").text
    assert first_name in shown and re.search(r"优秀|良好|合格|不合格", shown)
    assert csrf_of(office.get("/office/dashboard").text)
