"""The office's supervision tasks on both databases: the list, the wizard, a task's progress, scores, comparison and
rectifications inside the zone leader's scope, the xlsx, the printed report (its text read back from the PDF with
pdftotext and from the DOCX with python-docx; the photo a thumbnail, a bomb never decoded), principals' terms and
their one-step task, the tasks API."""

from __future__ import annotations

import io
import struct
import subprocess
import zipfile
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from docx import Document
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import delete, event, select, update

from backend.domain.calendar import local_date
from backend.domain.kinds import CheckProgress, TaskKind
from backend.services import images
from backend.services.authority import current_authority
from backend.services.office import task_results
from backend.services.office_users import OfficeRole, Scope
from backend.services.tokens import create_token
from backend.store.db import Database
from backend.store.models import Assignment, Inspector, Media, Rectification, Task, TaskMember, TaskTarget, Unit
from tests.integration.test_office_web import sign_in
from tests.integration.test_school_report_pdf import flat, needs_pdftotext
from tests.task_office_support import DONE, UNDER_WAY, TaskSeed, seed_task


@pytest.fixture
def task(app: Flask, database: Database) -> TaskSeed:
    return seed_task(database, app.extensions["dudao"].config.media_dir)


def office(client: FlaskClient) -> FlaskClient:
    sign_in(client, "admin")
    return client


def test_the_task_page_shows_progress_per_target_and_inspector_and_the_scores(app: Flask, task: TaskSeed) -> None:
    client = office(app.test_client())
    listed = client.get("/office/tasks")
    assert listed.status_code == 200 and "2026年秋季开学工作专项督导" in listed.text
    page = client.get(f"/office/tasks/{task.task_id}")
    assert page.status_code == 200, page.text
    text = page.text
    assert f"{DONE}/20" in text  # 已完成 8/20
    for word in ("未开始", "进行中", "已完成", "逾期", "组长", "各检查项得分", "对象比较", "产生的整改事项"):
        assert word in text
    best = max(task.scores.values())
    assert f"{best:g}/100" in text
    for numbers in task.rectifications.values():
        for number in numbers:
            assert number in text
    assert 'href="/office/rectifications/' in text
    assert 'id="chart-data"' in text


def test_the_results_count_every_state_rank_the_scores_and_rate_the_items(database: Database, task: TaskSeed) -> None:
    with database.sessions() as s:
        scope = Scope(0, "t", "t", OfficeRole.OFFICE, current_authority(s).id, None, None)
        row = s.get(Task, task.task_id)
        assert row is not None
        found = task_results.task_results(s, scope, row, local_date(database.clock.now()))
    assert found.counts[CheckProgress.DONE] == DONE
    assert found.counts[CheckProgress.IN_PROGRESS] == UNDER_WAY
    assert found.counts[CheckProgress.NOT_STARTED] == 20 - DONE - UNDER_WAY
    assert found.counts[CheckProgress.OVERDUE] == 0
    by_code = {r.code: r for r in found.targets}
    assert {c: by_code[c].score for c in task.done_codes} == task.scores
    best = max(task.scores, key=lambda c: task.scores[c])
    assert by_code[best].rank == 1
    assert [r.rank for r in found.ranking] == sorted(r.rank or 0 for r in found.ranking)
    assert len(found.items) == 10
    first = found.items[0]
    assert first.answered == DONE and first.passed + first.failed == DONE and first.failed >= 1
    assert first.pass_rate == first.passed / DONE
    assert sum(i.counts[CheckProgress.DONE] for i in found.inspectors) == DONE
    assert found.leader is not None and found.leader.inspector_id == found.inspectors[0].inspector_id
    assert {r.number for r in found.rectifications} == {n for ns in task.rectifications.values() for n in ns}


def test_targets_not_done_after_the_window_are_overdue(database: Database, task: TaskSeed) -> None:
    with database.sessions() as s:
        scope = Scope(0, "t", "t", OfficeRole.OFFICE, current_authority(s).id, None, None)
        row = s.get(Task, task.task_id)
        assert row is not None
        found = task_results.task_results(s, scope, row, row.ends_on + timedelta(days=1))
    assert found.counts[CheckProgress.OVERDUE] == 20 - DONE
    assert found.counts[CheckProgress.DONE] == DONE


def test_the_page_takes_a_fixed_number_of_queries_whatever_the_number_of_targets(
    database: Database, task: TaskSeed
) -> None:
    statements: list[str] = []

    def count(*_args: object) -> None:
        statements.append("q")

    with database.sessions() as s:
        scope = Scope(0, "t", "t", OfficeRole.OFFICE, current_authority(s).id, None, None)
        row = s.get(Task, task.task_id)
        assert row is not None
        event.listen(database.engine, "before_cursor_execute", count)
        try:
            task_results.task_results(s, scope, row, local_date(database.clock.now()))
        finally:
            event.remove(database.engine, "before_cursor_execute", count)
    assert len(statements) <= 6


def test_a_zone_leader_sees_their_zones_targets_only(app: Flask, database: Database, task: TaskSeed) -> None:
    client = app.test_client()
    sign_in(client, "leader")  # the leader of the first zone
    page = client.get(f"/office/tasks/{task.task_id}")
    assert page.status_code == 200
    with database.sessions() as s:
        names = dict(s.execute(select(Unit.code, Unit.name).where(Unit.code.in_(task.codes))).all())
        zone_of = dict(s.execute(select(Unit.code, Unit.zone_id).where(Unit.code.in_(task.codes))).all())
    first_zone = zone_of[task.codes[0]]
    for code in task.codes:
        assert (f'data-code="{code}"' in page.text) == (zone_of[code] == first_zone), names[code]
    assert client.get("/office/tasks/new").status_code == 403
    assert client.get(f"/office/tasks/{task.task_id}.xlsx").status_code == 200
    # a task with no target in the zone does not exist for them
    with database.sessions() as s:
        outside = [c for c in task.codes if zone_of[c] != first_zone]
        s.execute(
            delete(TaskTarget).where(
                TaskTarget.task_id == task.task_id,
                TaskTarget.unit_id.in_(select(Unit.id).where(Unit.code.not_in(outside))),
            )
        )
        s.commit()
    assert client.get(f"/office/tasks/{task.task_id}").status_code == 404
    assert "2026年秋季开学工作专项督导" not in client.get("/office/tasks").text


def test_the_xlsx_holds_every_target_and_writes_typed_text_as_text(
    app: Flask, database: Database, task: TaskSeed
) -> None:
    with database.sessions() as s:
        s.execute(update(Rectification).where(Rectification.number.in_(task.rectifications[task.codes[0]]))
                  .values(problem='=HYPERLINK("http://evil.example","点我")'))  # fmt: skip
        s.commit()
    client = office(app.test_client())
    response = client.get(f"/office/tasks/{task.task_id}.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    targets = book.worksheets[0]
    rows = list(targets.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 20
    assert {row[0]: row[5] for row in rows if row[0] in task.scores} == task.scores
    rects = book.worksheets[3]
    cells = [c for row in rects.iter_rows(min_row=2) for c in row if str(c.value).startswith("=HYPERLINK")]
    assert cells and all(c.data_type == "s" for c in cells)


def test_the_wizard_creates_a_task_and_refuses_what_it_cannot_do_in_chinese(
    app: Flask, database: Database, task: TaskSeed
) -> None:
    client = app.test_client()
    token = sign_in(client, "admin")
    form = client.get("/office/tasks/new")
    assert form.status_code == 200 and "督导评估表" in form.text
    with database.sessions() as s:
        people = list(s.scalars(select(Inspector.id).order_by(Inspector.number).limit(3)))
    base = {
        "csrf_token": token, "name": "食堂食品安全专项督导", "kind": "special", "checklist": str(task.checklist_id),
        "targets": "schools", "schools": f"{task.codes[0]}，{task.codes[1]}\n{task.codes[2]}",
        "inspector": [str(p) for p in people], "leader": str(people[1]),
        "starts_on": "2026-12-01", "ends_on": "2026-12-20",
    }  # fmt: skip
    made = client.post("/office/tasks/new", data=base)
    assert made.status_code == 302, made.text
    with database.sessions() as s:
        created = s.scalar(select(Task).where(Task.name == "食堂食品安全专项督导"))
        assert created is not None and len(created.targets) == 3
        assert [m.inspector_id for m in created.members if m.leader] == [people[1]]
    for changes, words in (
        ({"name": " "}, "请填写任务名称"),
        ({"schools": "9999999999"}, "没有找到这些学校代码：9999999999"),
        ({"ends_on": "2026-11-01"}, "截止日期不能早于开始日期"),
        ({"starts_on": "明天"}, "日期"),
        ({"leader": ""}, "指定组长"),
        ({"kind": "unannounced", "sample_size": "0"}, "抽取数量"),
        ({"checklist": "99999999999999"}, "「督导评估表」填写有误：应在 1 到"),
    ):
        refused = client.post("/office/tasks/new", data=base | changes)
        assert refused.status_code == 400, changes
        assert words in refused.text, (changes, refused.text[:2000])
        assert "Traceback" not in refused.text
    sampled = client.post("/office/tasks/new", data=base | {"kind": "unannounced", "name": "暗访", "sample_size": "5"})
    assert sampled.status_code == 302
    with database.sessions() as s:
        drawn = s.scalar(select(Task).where(Task.name == "暗访"))
        assert drawn is not None and len(drawn.targets) == 5 and drawn.sample_seed


def test_query_values_are_validated(app: Flask, task: TaskSeed) -> None:
    client = office(app.test_client())
    for url, reason in (
        ("/office/tasks?page=abc", "应为整数"),
        ("/office/tasks?kind=nothing", "special"),
        ("/office/tasks?page=0", "应在 1 到"),
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        assert reason in response.text and "Traceback" not in response.text
    assert client.get("/office/tasks/99999999").status_code == 404
    assert client.get(f"/office/tasks/{task.task_id}/report.exe").status_code == 404


def test_principals_terms_ending_within_six_months_get_their_review_task_in_one_step(
    app: Flask, database: Database, task: TaskSeed
) -> None:
    today = local_date(database.clock.now())
    with database.sessions() as s:
        schools = list(
            s.scalars(
                select(Unit).join(Assignment, Assignment.unit_id == Unit.id)
                .where(Assignment.ends_on.is_(None)).order_by(Unit.code).limit(4)
            )
        )  # fmt: skip
        ends = [today + timedelta(days=30), today + timedelta(days=90), today + timedelta(days=170),
                today + timedelta(days=400)]  # fmt: skip
        for unit, day, name in zip(schools, ends, ("张建华", "李桂芳", "王志强", "陈晓东"), strict=True):
            unit.principal_name, unit.principal_term_ends_on = name, day
        s.commit()
        codes = [u.code for u in schools]
        ids = [u.id for u in schools]
        responsible = dict(
            s.execute(select(Assignment.unit_id, Assignment.inspector_id).where(
                Assignment.unit_id.in_(ids), Assignment.ends_on.is_(None))).all()
        )  # fmt: skip
    client = app.test_client()
    token = sign_in(client, "admin")
    assert 'href="/office/terms"' in client.get("/office/dashboard").text  # the dashboard's card leads here
    page = client.get("/office/terms")
    assert page.status_code == 200
    for code in codes[:3]:
        assert f'data-code="{code}"' in page.text
    assert f'data-code="{codes[3]}"' not in page.text  # more than six months away
    assert "张建华" in page.text and "陈晓东" not in page.text
    made = client.post(
        "/office/terms/task",
        data={"csrf_token": token, "unit": [str(i) for i in ids], "checklist": str(task.checklist_id)},
    )
    assert made.status_code == 302
    with database.sessions() as s:
        created = s.scalar(select(Task).where(Task.kind == TaskKind.PRINCIPAL_TERM.value))
        assert created is not None
        assert sorted(t.unit_id for t in created.targets) == sorted(ids[:3])
        team = [m.inspector_id for m in s.scalars(select(TaskMember).where(TaskMember.task_id == created.id))]
        assert set(team) == {responsible[i] for i in ids[:3]}
        assert created.ends_on == ends[2]
        assert all(t.inspector_id == responsible[t.unit_id] for t in created.targets)
    again = client.get("/office/terms")
    assert created.name in again.text  # the schools now show their task
    refused = client.post("/office/terms/task", data={"csrf_token": token, "checklist": str(task.checklist_id)})
    assert refused.status_code == 302
    assert "请至少选择一所学校" in client.get("/office/terms").text


def test_the_tasks_api_lists_tasks_and_gives_their_results_with_a_token(
    app: Flask, database: Database, task: TaskSeed
) -> None:
    client = app.test_client()
    assert client.get("/api/v1/tasks").status_code == 401
    assert client.get(f"/api/v1/tasks/{task.task_id}/results").status_code == 401
    with database.sessions() as s:
        token = create_token(s, "县教育局数据平台")
    auth = {"Authorization": f"Bearer {token}"}
    listed = client.get("/api/v1/tasks", headers=auth).get_json()
    assert listed["total"] == 1
    assert listed["items"][0]["counts"] == {"not_started": 8, "in_progress": 4, "done": 8, "overdue": 0}
    assert listed["items"][0]["kind_label"] == "专项督导"
    assert client.get("/api/v1/tasks?kind=nothing", headers=auth).status_code == 400
    assert client.get("/api/v1/tasks?per_page=100000", headers=auth).status_code == 400
    assert client.get("/api/v1/tasks?kind=random", headers=auth).get_json()["total"] == 0
    body = client.get(f"/api/v1/tasks/{task.task_id}/results", headers=auth).get_json()
    scored = {row["unit"]["code"]: row["score"] for row in body["targets"] if row["status"] == "done"}
    assert scored == task.scores
    assert len(body["items"]) == 10 and body["max_score"] == 100
    assert client.get("/api/v1/tasks/99999/results", headers=auth).status_code == 404
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/tasks" in paths and "/api/v1/tasks/{task_id}/results" in paths


# --- the printed report ---------------------------------------------------------------------------------------


def pdf_text(content: bytes, tmp_path: Path) -> str:
    """The PDF's text in reading order (a table cell's wrapped lines stay together, unlike `-layout`)."""
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def _names(database: Database, codes: list[str]) -> dict[str, str]:
    with database.sessions() as s:
        return dict(s.execute(select(Unit.code, Unit.name).where(Unit.code.in_(codes))).all())


def _expect_scores(text: str, task: TaskSeed, names: dict[str, str]) -> None:
    body = flat(text)
    for word in ("督导报告", "基本情况", "评估得分", "各检查项情况", "发现的主要问题", "整改要求与进展", "现场照片"):
        assert word in body, word
    assert f"已完成{DONE}个" in body
    for code, score in task.scores.items():
        assert flat(f"{score:g}/100") in body, code
        assert flat(names[code]) in body
    assert "校舍安全隐患排查台账齐全不到位" in body  # a failed item's remark
    for numbers in task.rectifications.values():
        for number in numbers:
            assert number in body


@needs_pdftotext
def test_the_pdf_report_shows_the_scores_problems_and_rectifications(
    app: Flask, database: Database, task: TaskSeed, tmp_path: Path
) -> None:
    client = app.test_client()
    sign_in(client, "admin")
    response = client.get(f"/office/tasks/{task.task_id}/report.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert ".pdf" in response.headers["Content-Disposition"]
    _expect_scores(pdf_text(response.data, tmp_path), task, _names(database, task.codes))
    assert b"/Subtype /Image" in response.data or b"/Subtype/Image" in response.data  # the photo


def test_the_docx_report_shows_the_scores_and_holds_the_photo_as_a_thumbnail(
    app: Flask, database: Database, task: TaskSeed
) -> None:
    client = app.test_client()
    sign_in(client, "admin")
    response = client.get(f"/office/tasks/{task.task_id}/report.docx")
    assert response.status_code == 200
    _expect_scores(docx_text(response.data), task, _names(database, task.codes))
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        pictures = [n for n in archive.namelist() if n.startswith("word/media/")]
        assert len(pictures) == DONE  # one photo a finished check
        kind, (width, height) = images.measure(archive.read(pictures[0]))
    assert kind == "image/jpeg" and max(width, height) <= 800


def test_a_bomb_among_the_photos_is_refused_from_its_header_and_the_report_still_prints(
    app: Flask, database: Database, task: TaskSeed, monkeypatch: pytest.MonkeyPatch
) -> None:
    media_dir = app.extensions["dudao"].config.media_dir
    with database.sessions() as s:
        photo = s.get(Media, task.photo_id)
        assert photo is not None
        # a PNG header claiming 30000x30000 pixels: measured, refused, never decoded
        header = b"\x89PNG\r\n\x1a\n"
        ihdr = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
        chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
        (media_dir / photo.path).write_bytes(header + chunk)
    decoded: list[tuple[int, int]] = []
    original = images.Image.Image.load

    def load(self: images.Image.Image) -> object:
        decoded.append(self.size)
        return original(self)

    monkeypatch.setattr(images.Image.Image, "load", load)
    client = app.test_client()
    sign_in(client, "admin")
    response = client.get(f"/office/tasks/{task.task_id}/report.docx")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert len([n for n in archive.namelist() if n.startswith("word/media/")]) == DONE - 1
    assert (30000, 30000) not in decoded
