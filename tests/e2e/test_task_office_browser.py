"""A supervision task in the office web, in a real browser (headless Chromium through tests/e2e/browser.py) against a
server on loopback: the office creates a task with the wizard, reads its progress per target and per inspector and
the scores (charts drawn), downloads the xlsx and the report (PDF read back with pdftotext, DOCX with python-docx:
the scores are printed), and a zone leader sees their zone's targets only."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from backend.store.db import Database
from backend.store.models import Inspector, Task, Unit
from tests.e2e.browser import chromium_context, sign_in
from tests.e2e.conftest import serve_app
from tests.integration.test_office_web import PASSWORD, Seeded, make_app, seed_activity
from tests.integration.test_school_report_pdf import flat, needs_pdftotext
from tests.task_office_support import DONE, UNDER_WAY, TaskSeed, seed_task

pytestmark = pytest.mark.e2e


@pytest.fixture
def site(sqlite_database: Database, tmp_path: Path) -> Iterator[tuple[str, Seeded, TaskSeed, Database]]:
    seeded = seed_activity(sqlite_database)
    app = make_app(sqlite_database, tmp_path)
    task = seed_task(sqlite_database, app.extensions["dudao"].config.media_dir)
    with serve_app(app) as url:
        yield url, seeded, task, sqlite_database


@pytest.fixture
def browser_context(tmp_path: Path) -> Iterator[object]:
    viewport = {"width": 1366, "height": 900}
    with chromium_context(tmp_path / "chromium-profile", viewport=viewport, accept_downloads=True) as context:
        yield context


def _download(page: object, selector: str, target: Path) -> Path:
    with page.expect_download() as info:  # type: ignore[attr-defined]
        page.click(selector)  # type: ignore[attr-defined]
    info.value.save_as(target)
    return target


@needs_pdftotext
def test_the_office_reads_a_tasks_progress_and_scores_in_a_real_browser(
    site: tuple[str, Seeded, TaskSeed, Database], browser_context: object, tmp_path: Path
) -> None:
    url, seeded, task, db = site
    page = browser_context.new_page()  # type: ignore[attr-defined]
    sign_in(page, url, "admin", PASSWORD)
    with db.sessions() as s:
        names = dict(s.execute(select(Unit.code, Unit.name).where(Unit.code.in_(task.codes))).all())
        zones = dict(s.execute(select(Unit.code, Unit.zone_id).where(Unit.code.in_(task.codes))).all())
        people = list(s.execute(select(Inspector.id, Inspector.name).order_by(Inspector.number).limit(2)).all())

    # the list, then the task's page: progress per target and per inspector, the scores, charts drawn
    page.click("nav >> text=督导任务")
    page.click("text=2026年秋季开学工作专项督导")
    assert page.inner_text("h1") == "2026年秋季开学工作专项督导"
    kpis = page.inner_text("#task-kpis")
    assert f"{DONE}/20" in kpis
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length >= 2")
    for code in task.codes:
        row = page.inner_text(f"#targets tr[data-code='{code}']")
        assert names[code] in row
        if code in task.scores:
            assert "已完成" in row and f"{task.scores[code]:g}/100" in row
    in_progress = [c for c in task.codes[DONE : DONE + UNDER_WAY]]
    assert all("进行中" in page.inner_text(f"#targets tr[data-code='{c}']") for c in in_progress)
    assert "未开始" in page.inner_text(f"#targets tr[data-code='{task.codes[-1]}']")
    inspectors = page.inner_text("#inspector-progress")
    assert "组长" in inspectors
    numbers = [n for ns in task.rectifications.values() for n in ns]
    assert numbers and numbers[0] in page.inner_text("#rectifications")
    page.click(f"#rectifications a:has-text('{numbers[0]}')")
    assert numbers[0] in page.inner_text("main")
    page.go_back()
    page.screenshot(path=str(tmp_path / "task-1366.png"), full_page=True)

    # the downloads: xlsx, the report as PDF and as DOCX, each with the scores
    sheet = load_workbook(_download(page, "#task-xlsx", tmp_path / "task.xlsx")).worksheets[0]
    assert {r[0]: r[5] for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] in task.scores} == task.scores
    pdf = _download(page, "#task-pdf", tmp_path / "report.pdf")
    text = flat(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    docx = Document(io.BytesIO(_download(page, "#task-docx", tmp_path / "report.docx").read_bytes()))
    cells = flat("\n".join(c.text for table in docx.tables for row in table.rows for c in row.cells))
    for code, score in task.scores.items():
        assert f"{score:g}/100" in text and f"{score:g}/100" in cells, code
        assert flat(names[code]) in text

    # the wizard: a 专项 task for two schools, two inspectors, the second leading
    page.click("nav >> text=督导任务")
    page.click("#new-task")
    page.fill("input[name=name]", "食堂食品安全专项督导")
    page.select_option("select[name=kind]", "special")
    page.check("input[name=targets][value=schools]")
    page.fill("textarea[name=schools]", f"{task.codes[0]}、{task.codes[1]}")
    for inspector_id, _name in people:
        page.check(f"input[name=inspector][value='{inspector_id}']")
    page.check(f"input[name=leader][value='{people[1][0]}']")
    page.fill("input[name=ends_on]", "2099-12-31")
    page.click("#task-wizard button[type=submit]")
    assert "已创建任务「食堂食品安全专项督导」：2 个对象，2 名督学" in page.inner_text(".flash")
    assert "未开始" in page.inner_text("#targets")
    with db.sessions() as s:
        assert s.scalar(select(Task.id).where(Task.name == "食堂食品安全专项督导")) is not None

    # a zone leader: their zone's targets, no one else's
    page.click("button:has-text('退出')")
    sign_in(page, url, "leader", PASSWORD)
    page.goto(f"{url}/office/tasks/{task.task_id}")
    shown = page.inner_text("#targets")
    for code in task.codes:
        assert (names[code] in shown) == (zones[code] == seeded.zone_a.id), code
