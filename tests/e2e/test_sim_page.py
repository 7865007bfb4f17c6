"""`/sim`: three simulated phones in headless Chromium against `dudao demo`, and no /sim outside the demo.

The browser is Debian's chromium driven by Playwright (`executable_path`, never `playwright install`).
Screenshots go to the test's temporary folder, or to `$DUDAO_SIM_SCREENSHOTS` when set (to look at them).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from backend.app import create_app
from backend.config import Config
from backend.services import outbox
from backend.store.db import Database
from messages import t
from tests.e2e.browser import CHROMIUM, FLAGS, require_chromium
from tests.e2e.conftest import DudaoServer, run_dudao_server

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("demo", [False, True])
def test_sim_is_served_in_the_demo_only(sqlite_database: Database, demo: bool) -> None:
    config = Config(database_url=sqlite_database.url, demo=demo, testing=True)
    client = create_app(config).test_client()
    page = client.get("/sim/")
    api = client.post("/sim/api/parent/start")
    if demo:
        assert page.status_code == 200 and t("sim.page.title") in page.get_data(as_text=True)
        assert api.status_code == 200 and api.get_json() == {"entries": []}
        script = client.get("/sim/static/sim.js")
        assert script.status_code == 200
        script.close()
        assert client.post("/sim/api/nobody/start").status_code == 404
    else:
        assert page.status_code == 404 and api.status_code == 404
        assert client.get("/sim/static/sim.js").status_code == 404


@pytest.fixture(scope="module")
def demo_instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sim") / "instance"


@pytest.fixture(scope="module")
def demo_server(demo_instance: Path) -> Iterator[DudaoServer]:
    with run_dudao_server(["demo"], demo_instance, timeout=120) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    require_chromium()
    profile = tempfile.mkdtemp(prefix="sim-chromium-")
    with sync_api.sync_playwright() as playwright:
        # a persistent context is how Playwright takes --user-data-dir: a new empty profile folder
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=FLAGS, headless=True
        )
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("DUDAO_SIM_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_sim(browser: Any, url: str, width: int, height: int) -> Any:
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{url}/sim/")
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    return page


def bubbles(page: Any, phone: str, side: str) -> list[str]:
    return [str(text) for text in page.locator(f"#phone-{phone} .row.{side} .bubble").all_inner_texts()]


def test_three_phones_side_by_side_and_a_parent_gets_answers(
    browser: Any, demo_server: DudaoServer, demo_instance: Path, shots: Path
) -> None:
    page = open_sim(browser, demo_server.url, 1366, 768)
    boxes = [page.locator(f"#phone-{key}").bounding_box() for key in ("parent", "inspector", "unit")]
    assert all(box is not None for box in boxes)
    xs = [box["x"] for box in boxes]
    assert xs == sorted(xs) and boxes[2]["x"] + boxes[2]["width"] <= 1366  # in a row, all on screen
    assert {round(box["y"]) for box in boxes} == {round(boxes[0]["y"])}
    assert boxes[0]["y"] + boxes[0]["height"] <= 768
    # the inspector and school phones bound themselves through `绑定 <code>`
    assert any("绑定成功" in text for text in bubbles(page, "inspector", "bot"))
    assert any("绑定成功" in text for text in bubbles(page, "unit", "bot"))
    # a message typed in the parent's phone gets a reply bubble
    parent = page.locator("#phone-parent")
    parent.locator(".input").fill("帮助")
    parent.locator(".send").click()
    page.wait_for_function("document.querySelectorAll('#phone-parent .row.bot').length >= 1", timeout=15_000)
    assert bubbles(page, "parent", "me") == ["帮助"]
    assert bubbles(page, "parent", "bot") == [t("bot.help.public")]
    # scanning a board through the picker shows the school and its inspector
    parent.locator("[data-action='scan']").click()
    school = parent.locator(".school")
    code = school.input_value()
    school.select_option(code)
    parent.locator(".picker .go").click()
    page.wait_for_function("document.querySelectorAll('#phone-parent .row.bot').length >= 2", timeout=15_000)
    card = bubbles(page, "parent", "bot")[-1]
    assert "责任督学：" in card and code in bubbles(page, "parent", "me")[-1]
    # a push the outbox worker sends through the fake WeChat API appears in the inspector's phone
    demo_db = Database(f"sqlite:///{demo_instance / 'demo.sqlite3'}")
    with demo_db.session() as session:
        outbox.enqueue(
            session,
            openid="o-sim-inspector",
            kind="text",
            payload={"content": "督导室：请查收本月安排。"},
            dedupe_key="sim-1",
        )
    demo_db.dispose()
    page.wait_for_function(
        "[...document.querySelectorAll('#phone-inspector .row.push')].some(b => b.textContent.includes('本月安排'))",
        timeout=20_000,
    )
    assert page.locator("#phone-inspector .row.push .push-label").first.inner_text() == t("sim.push.text")
    page.screenshot(path=str(shots / "sim-1366x768.png"))
    page.close()


def test_on_a_phone_one_phone_shows_at_a_time(browser: Any, demo_server: DudaoServer, shots: Path) -> None:
    page = open_sim(browser, demo_server.url, 390, 844)
    assert page.locator("#phone-parent").is_visible()
    assert not page.locator("#phone-inspector").is_visible()
    page.screenshot(path=str(shots / "sim-phone-parent.png"))
    page.locator(".tab[data-tab='inspector']").click()
    assert page.locator("#phone-inspector").is_visible() and not page.locator("#phone-parent").is_visible()
    box = page.locator("#phone-inspector").bounding_box()
    assert box is not None and box["width"] <= 390
    inspector = page.locator("#phone-inspector")
    inspector.locator(".input").fill("帮助")
    inspector.locator(".send").click()
    page.wait_for_function(
        "[...document.querySelectorAll('#phone-inspector .row.bot')].some(b => b.textContent.includes('督学，您好'))",
        timeout=15_000,
    )
    page.screenshot(path=str(shots / "sim-phone-inspector.png"))
    page.close()


def test_the_json_api_sends_over_http_like_wechat(demo_server: DudaoServer) -> None:
    """The API the phones use: a location and a picture reach /wechat, a bad request is refused politely."""
    url = f"{demo_server.url}/sim/api/parent/send"
    sent = requests.post(url, json={"kind": "location", "lat": 28.47, "lon": 113.21}, timeout=15)
    assert sent.status_code == 200
    assert [e["side"] for e in sent.json()["entries"]][-2:] == ["me", "bot"]
    picture = {"kind": "image", "content_base64": "iVBORw0KGgo=", "content_type": "image/png", "name": "a.png"}
    assert requests.post(url, json=picture, timeout=15).status_code == 200
    refused = requests.post(
        url, json={"kind": "image", "content_base64": "iVBORw0KGgo=", "content_type": "x"}, timeout=15
    )
    assert refused.status_code == 400 and refused.json()["error"]["message"] == t("sim.api.bad_request")


def test_each_phone_shows_its_users_menu_and_a_button_answers_as_the_word(
    browser: Any, demo_server: DudaoServer, shots: Path
) -> None:
    assert t("menu.demo.pushed", roles=3) in demo_server.text  # the demo created the menus before serving
    page = open_sim(browser, demo_server.url, 1366, 768)
    # the parent sees the public menu; the inspector, once the worker has tagged him after binding, his own
    parent_menu = page.locator("#phone-parent .menubar")
    page.wait_for_function(
        "document.querySelector('#phone-parent .menubar').textContent.includes('反映问题')", timeout=20_000
    )
    assert [str(x) for x in parent_menu.locator(".menu-top").all_inner_texts()] == ["反映问题", "查询进度", "使用说明"]
    page.wait_for_function(
        "document.querySelector('#phone-inspector .menubar').textContent.includes('记录督导')", timeout=20_000
    )
    inspector = page.locator("#phone-inspector")
    assert [str(x) for x in inspector.locator(".menu-top").all_inner_texts()] == ["记录督导", "我的工作", "帮助"]
    # 我的工作 opens its sub buttons; 待办 sends the CLICK event through /wechat and the reply shows
    before = len(bubbles(page, "inspector", "bot"))
    inspector.locator(".menu-top", has_text="我的工作").click()
    assert inspector.locator(".menu-sub .menu-item", has_text="待办").is_visible()
    page.screenshot(path=str(shots / "sim-menu-open.png"))
    inspector.locator(".menu-sub .menu-item", has_text="待办").click()
    page.wait_for_function(
        f"document.querySelectorAll('#phone-inspector .row.bot').length >= {before + 1}", timeout=15_000
    )
    assert bubbles(page, "inspector", "me")[-1] == t("menu.sim.clicked", name="待办")
    clicked = bubbles(page, "inspector", "bot")[-1]
    inspector.locator(".input").fill("待办")
    inspector.locator(".send").click()
    page.wait_for_function(
        f"document.querySelectorAll('#phone-inspector .row.bot').length >= {before + 2}", timeout=15_000
    )
    assert bubbles(page, "inspector", "bot")[-1] == clicked and clicked != t("menu.stale")
    page.screenshot(path=str(shots / "sim-menu-clicked.png"))
    page.close()
    # the page's API: what the fake WeChat would show the parent
    shown = requests.get(f"{demo_server.url}/sim/api/parent/menu", timeout=15).json()["button"]
    assert [b["name"] for b in shown] == ["反映问题", "查询进度", "使用说明"]
