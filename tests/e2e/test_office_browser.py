"""The office web in a real browser (headless Debian Chromium through Playwright), against a server on loopback.

Signs in, reads the dashboard of the demo county (charts drawn), answers a concern, grants an extension,
downloads an export (opened with openpyxl) and a zone's board PDF; a zone leader stays in their zone; an
anonymous visitor reaches only the public pages; a form posted without its CSRF token is refused. Screenshots
of the dashboard and the public page are kept (DUDAO_SCREENSHOTS=<folder> to keep them somewhere else).
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, insert, select

from backend.domain.calendar import local_date
from backend.store.db import Database
from backend.store.models import Assignment, Authority, Concern, Rectification, Unit, Visit
from tests.e2e.browser import chromium_context, sign_in
from tests.e2e.conftest import serve_app
from tests.integration.test_office_web import PASSWORD, Seeded, make_app, seed_activity

pytestmark = pytest.mark.e2e


def busy_county(db: Database) -> None:
    """A few months of activity on top of the seed, so that every chart has something to draw."""
    rng = random.Random(11)
    now = db.clock.now()
    today = local_date(now)
    with db.sessions() as s:
        authority_id = s.scalar(select(Authority.id))
        owners = s.execute(
            select(Assignment.unit_id, Assignment.inspector_id).where(Assignment.ends_on.is_(None))
        ).all()
        visits, concerns, rects = [], [], []
        for n, (unit_id, inspector_id) in enumerate(owners):
            for _ in range(rng.randint(0, 3)):
                day = today - timedelta(days=rng.randint(0, 80))
                visits.append(
                    {
                        "authority_id": authority_id,
                        "inspector_id": inspector_id,
                        "unit_id": unit_id,
                        "visited_on": day,
                        "items": [str(rng.randint(1, 8))],
                        "observations": "正常",
                        "created_at": now,
                        "updated_at": now,
                        "methods": [],
                        "history": [],
                    }
                )
            if n % 3 == 0:
                created = now - timedelta(days=rng.randint(0, 60), hours=rng.randint(0, 20))
                state = rng.choice(["received", "acknowledged", "answered", "answered", "closed", "not_substantiated"])
                concerns.append(
                    {
                        "ticket_no": f"T9999-{n:04d}",
                        "authority_id": authority_id,
                        "unit_id": unit_id,
                        "inspector_id": inspector_id,
                        "category": str(rng.choice([2, 4, 4, 6, 7, 7, 7, 5])),
                        "content": "家长反映",
                        "state": state,
                        "ack_due_on": local_date(created) + timedelta(days=1),
                        "answer_due_on": local_date(created) + timedelta(days=7),
                        "acknowledged_at": created + timedelta(hours=5) if state != "received" else None,
                        "answered_at": created + timedelta(hours=rng.randint(20, 150))
                        if state in ("answered", "closed", "not_substantiated")
                        else None,
                        "created_at": created,
                        "updated_at": created,
                    }
                )
            if n % 7 == 0:
                rects.append(
                    {
                        "number": f"ZG-E{n:04d}",
                        "authority_id": authority_id,
                        "unit_id": unit_id,
                        "inspector_id": inspector_id,
                        "problem": "消防通道堆放杂物",
                        "item": "6",
                        "deadline": today + timedelta(days=rng.randint(-20, 20)),
                        "state": rng.choice(["issued", "acknowledged", "submitted", "verified", "reopened"]),
                        "level": rng.choice([0, 0, 1, 1, 2, 3]),
                        "created_at": now,
                        "updated_at": now,
                    }
                )
        s.execute(insert(Visit), visits)
        s.execute(insert(Concern), concerns)
        s.execute(insert(Rectification), rects)
        s.commit()


@pytest.fixture
def site(sqlite_database: Database, tmp_path: Path) -> Iterator[tuple[str, Seeded, Database]]:
    seeded = seed_activity(sqlite_database)
    busy_county(sqlite_database)
    app = make_app(sqlite_database, tmp_path)
    with serve_app(app) as url:
        yield url, seeded, sqlite_database


@pytest.fixture
def browser_context(tmp_path: Path) -> Iterator[object]:
    viewport = {"width": 1366, "height": 768}
    with chromium_context(tmp_path / "chromium-profile", viewport=viewport, accept_downloads=True) as context:
        yield context


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("DUDAO_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_the_office_works_in_a_real_browser(
    site: tuple[str, Seeded, Database], browser_context: object, tmp_path: Path
) -> None:
    url, seeded, db = site
    page = browser_context.new_page()  # type: ignore[attr-defined]
    folder = shots(tmp_path)

    # anonymous: only the public pages
    page.goto(f"{url}/office/dashboard")
    assert page.url.startswith(f"{url}/office/login")
    assert page.goto(f"{url}/office/export/concerns.xlsx").url.startswith(f"{url}/office/login")
    assert page.goto(f"{url}/public/").status == 200
    assert page.goto(f"{url}/healthz").status == 200

    # sign in: the dashboard with its charts drawn
    sign_in(page, url, "admin", PASSWORD)
    assert "全县督导工作总览" in page.inner_text("h1")
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length >= 5")
    page.screenshot(path=str(folder / "dashboard-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length >= 5")
    page.screenshot(path=str(folder / "dashboard-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})

    # answer a concern
    page.goto(f"{url}/office/concerns/{seeded.concern_a}")
    page.fill("#answer-form textarea[name=text]", "已与学校核实，食堂已调整菜谱并公示。")
    page.click("#answer-form button[value=answer]")
    assert "已答复" in page.inner_text(".flash")
    with db.sessions() as s:
        assert s.get(Concern, seeded.concern_a).state == "answered"

    # grant an extension on a rectification
    page.goto(f"{url}/office/rectifications/{seeded.rect_a}")
    new_deadline = (local_date(db.clock.now()) + timedelta(days=10)).isoformat()
    form = f"#extension-{seeded.extension_a}"
    page.fill(f"{form} input[name=new_deadline]", new_deadline)
    page.click(f"{form} button[value=grant]")
    assert "已同意延期" in page.inner_text(".flash")
    with db.sessions() as s:
        assert s.get(Rectification, seeded.rect_a).deadline.isoformat() == new_deadline

    # an export, opened with openpyxl
    page.goto(f"{url}/office/concerns?state=open")
    with page.expect_download() as download_info:
        page.click("text=导出 Excel")
    download = download_info.value
    target = tmp_path / "concerns.xlsx"
    download.save_as(target)
    assert download.suggested_filename.endswith(".xlsx") and "群众反映" in download.suggested_filename
    sheet = load_workbook(target).active
    assert sheet.cell(1, 1).value == "编号"
    states = {row[6] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert states and states <= {"已收到，待受理", "已受理", "核实中"}

    # a zone's print PDF of the boards (the smallest zone, to keep the test short)
    with db.sessions() as s:
        sizes = s.execute(
            select(Unit.zone_id, func.count(Unit.id)).where(Unit.zone_id.is_not(None)).group_by(Unit.zone_id)
        )
        zone_id = min(sizes, key=lambda row: row[1])[0]
    page.goto(f"{url}/office/boards")
    with page.expect_download(timeout=180_000) as download_info:
        page.click(f"a[href='/office/boards/zone/{zone_id}.pdf']")
    pdf = tmp_path / "boards.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    # a form posted without its CSRF token is refused, even with the session cookie
    refused = page.request.post(f"{url}/office/concerns/{seeded.concern_b}/act", form={"action": "acknowledge"})
    assert refused.status == 400
    with db.sessions() as s:
        assert s.get(Concern, seeded.concern_b).state == "received"

    # publish the results, and look at the public page as a visitor would
    page.goto(f"{url}/office/publication")
    for box in ("enabled", "metric_visits", "metric_rectified_on_time", "metric_concern_response"):
        page.check(f"#publication-form input[name={box}]")
    page.click("#publication-form button[type=submit]")
    page.click("button:has-text('退出')")
    assert page.url.startswith(f"{url}/office/login")
    page.goto(f"{url}/public/")
    assert "结果公开" in page.inner_text("h1")
    assert seeded.zone_a.name in page.inner_text("main")
    page.screenshot(path=str(folder / "public-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(folder / "public-phone.png"), full_page=False)
    page.set_viewport_size({"width": 1366, "height": 768})

    # a zone leader: their zone, nothing else
    sign_in(page, url, "leader", PASSWORD)
    assert seeded.zone_a.name in page.inner_text("h1")
    page.goto(f"{url}/office/concerns")
    assert seeded.ticket_b not in page.inner_text("main")
    response = page.goto(f"{url}/office/concerns/{seeded.concern_b}")
    assert response.status == 404 and "不在您的责任区范围内" in page.inner_text("main")
    assert page.goto(f"{url}/office/rectifications/{seeded.rect_b}").status == 404
    assert page.goto(f"{url}/office/tokens").status == 403
    token = page.get_attribute("input[name=csrf_token]", "value")
    forced = page.request.post(
        f"{url}/office/concerns/{seeded.concern_b}/act", form={"action": "acknowledge", "csrf_token": token or ""}
    )
    assert forced.status == 404
    with db.sessions() as s:
        assert s.get(Concern, seeded.concern_b).state == "received"
