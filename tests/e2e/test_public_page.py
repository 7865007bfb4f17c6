"""The public page `/b/<code>` at phone size in headless Chromium (Debian's, driven by Playwright through
`executable_path`, never `playwright install`): the board's information, the form with photos, the ticket and its
status page; and the guards (cross-site posts, the honeypot, the per-IP limit, sizes, unknown schools).

Screenshots go to the test's temporary folder, or to `$DUDAO_PAGE_SCREENSHOTS` when set (to look at them).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from backend.app import create_app
from backend.config import Config
from backend.kv import MemoryKV
from backend.runtime import Runtime
from backend.services import concerns
from backend.store.db import Database
from backend.store.models import Concern, Media
from tests.e2e.browser import CHROMIUM, FLAGS, require_chromium
from tests.e2e.concern_support import GPS_MARK, photo_with_gps
from tests.e2e.conftest import serve_app
from tests.e2e.webhook_support import School, seed_school

pytestmark = pytest.mark.e2e


@pytest.fixture
def site(sqlite_database: Database, tmp_path: Path) -> Iterator[tuple[str, Runtime, School]]:
    config = Config(database_url=sqlite_database.url, secret_key="page-test", instance_dir=tmp_path / "i", testing=True)
    runtime = Runtime(config=config, db=sqlite_database, kv=MemoryKV())
    school = seed_school(sqlite_database)
    with sqlite_database.session() as s:
        from backend.services.authority import current_authority

        authority = current_authority(s)
        authority.hotline, authority.office_name = "0797-8888123", "青禾县人民政府教育督导室"
    with serve_app(create_app(runtime=runtime)) as base:
        yield base, runtime, school


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("DUDAO_PAGE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def phone() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    require_chromium()
    profile = tempfile.mkdtemp(prefix="page-chromium-")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=FLAGS,
            headless=True,
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0.47 NetType/WIFI",
        )
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


def test_a_parent_sends_a_concern_with_a_photo_from_the_page_and_checks_it(
    site: tuple[str, Runtime, School], phone: Any, shots: Path, tmp_path: Path
) -> None:
    base, runtime, school = site
    page = phone.new_page()
    page.goto(f"{base}/b/{school.code}")
    body = page.inner_text("body")
    for shown in (
        school.name,
        school.inspector_name,
        "138 0000 0001",
        "城关督学责任区",
        "食堂、食品、饮水及宿舍卫生",
        "0797-8888123",
        "督导事项",
    ):
        assert shown in body, shown
    # one column: nothing wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(shots / "board-top.png"))
    page.screenshot(path=str(shots / "board-full.png"), full_page=True)
    photo = tmp_path / "upload.jpg"
    photo.write_bytes(photo_with_gps())
    page.select_option("#category", "7")
    page.fill("#content", "学校食堂的米饭有异味，孩子中午吃了肚子不舒服。")
    page.set_input_files("#photos", str(photo))
    page.fill("#phone", "139 1234 5678")
    page.locator("#form").screenshot(path=str(shots / "form-filled.png"))
    page.click("button[type=submit]")
    page.wait_for_selector("#ticket")
    ticket, secret = page.inner_text("#ticket"), page.inner_text("#secret")
    assert re.fullmatch(r"T\d{4}-\d{4}", ticket) and re.fullmatch(r"[A-Z2-9]{8}", secret)
    page.screenshot(path=str(shots / "done.png"), full_page=True)
    with runtime.db.session() as s:
        concern = s.scalars(select(Concern)).one()
        assert (concern.ticket_no, concern.channel, concern.category) == (ticket, "web", "7")
        assert concern.reporter_phone == "13912345678" and concern.reporter_openid is None
        kept = s.scalars(select(Media)).one()
        assert kept.exif_stripped and GPS_MARK not in (runtime.config.media_dir / kept.path).read_bytes()
    # the inspector answers; the page shows it to whoever has the ticket and its secret
    with runtime.db.session() as s:
        concerns.answer(s, ticket, "已到校核实，食堂已更换大米并整改。", actor="office:test")
    with page.expect_navigation():
        page.click("a.button")
    assert page.url.endswith("/ticket")
    page.fill("#ticket", ticket.lower())
    page.fill("#secret", secret)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.wait_for_selector("#found")
    found = page.inner_text("#found")
    assert "已答复" in found and "食堂已更换大米" in found and "139" not in found
    page.screenshot(path=str(shots / "status.png"), full_page=True)
    # an unknown school: a friendly page in Chinese
    response = page.goto(f"{base}/b/9999999999")
    assert response.status == 404 and "没有找到这所学校" in page.inner_text("body")
    page.screenshot(path=str(shots / "not-found.png"))


def _form(base: str, code: str) -> tuple[requests.Session, str]:
    http = requests.Session()
    page = http.get(f"{base}/b/{code}", timeout=10)
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert page.status_code == 200 and token is not None
    return http, token.group(1)


def _count(runtime: Runtime) -> int:
    with runtime.db.session() as s:
        return len(s.scalars(select(Concern)).all())


def test_cross_site_posts_bots_floods_and_big_uploads_are_refused(site: tuple[str, Runtime, School]) -> None:
    base, runtime, school = site
    url = f"{base}/b/{school.code}"
    data = {"content": "校门口接送车辆乱停，孩子过马路很危险", "category": ""}
    http, token = _form(base, school.code)
    # another site's page posting into ours: no Origin of ours, or no token bound to our cookie
    assert http.post(url, data={**data, "token": token}, headers={"Origin": "https://evil.example"}).status_code == 400
    assert requests.post(url, data={**data, "token": token}, headers={"Origin": base}, timeout=10).status_code == 400
    assert http.post(url, data={**data, "token": "1.forged"}, headers={"Origin": base}).status_code == 400
    # the honeypot
    assert http.post(url, data={**data, "token": token, "website": "x"}, headers={"Origin": base}).status_code == 400
    # not an image
    bad = http.post(
        url,
        data={**data, "token": token},
        files={"photos": ("a.jpg", b"not an image", "image/jpeg")},
        headers={"Origin": base},
    )
    assert bad.status_code == 400 and "只能上传" in bad.text
    # over the request size limit: a page in Chinese, not JSON
    huge = http.post(
        url,
        data={**data, "token": token},
        files={"photos": ("a.jpg", b"\0" * (21 * 1024 * 1024))},
        headers={"Origin": base},
    )
    assert huge.status_code == 413 and "上传的内容太大" in huge.text
    assert _count(runtime) == 0
    # a day's worth from one address, then no more
    statuses = [
        http.post(
            url, data={**data, "content": f"第{n}件：校门口交通很乱{n}", "token": token}, headers={"Origin": base}
        ).status_code
        for n in range(concerns.PER_DAY + 1)
    ]
    assert statuses == [201] * concerns.PER_DAY + [429]
    assert _count(runtime) == concerns.PER_DAY
