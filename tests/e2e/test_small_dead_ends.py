"""Small dead ends, closed: a parent changes the category as often as they like (a lone number never joins the
concern's words); `/` is a page that says what this is; the board page's not-found answer gives the office's
number; `make demo PORT=5001` uses that port; the demo's printed commands work in a new terminal; a second demo
start that fails leaves the running demo's files alone."""

from __future__ import annotations

import html
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from backend.kv import MemoryKV
from backend.services.authority import current_authority
from backend.store.db import Database
from backend.store.models import Concern
from bot.fake_wechat import RunningFakeWeChat
from bot.fake_wechat.pusher import WeChatPusher
from bot.simulator.demo import DEMO_FILE
from messages import t
from tests.conftest import clock_env, running_test_clock
from tests.e2e.concern_support import Stage, concern_stage
from tests.e2e.conftest import dudao, free_port, run_dudao_server

pytestmark = pytest.mark.e2e
pytest_plugins = ["tests.fake_wechat_fixture"]

PARENT = "o-parent-categories"
ROOT = Path(__file__).resolve().parents[2]
FOOD = "食堂、食品、饮水及宿舍卫生"  # supervision item 7


@pytest.fixture
def stage(sqlite_database: Database, fake_wechat: RunningFakeWeChat, tmp_path: Path) -> Iterator[Stage]:
    with concern_stage(sqlite_database, MemoryKV(), fake_wechat, tmp_path / "instance") as running:
        yield running


def concern(stage: Stage) -> Concern:
    with stage.db.session() as session:
        return session.scalars(select(Concern).where(Concern.reporter_openid == PARENT)).one()


# --- the category, as often as the parent likes -------------------------------------------------------------


def test_a_parent_changes_the_category_again_and_again_and_no_number_joins_the_concern(stage: Stage) -> None:
    words = "学校食堂的饭菜经常是凉的，孩子中午吃不饱"
    stage.scan(PARENT, following=False)
    stage.say(PARENT, words)
    first = stage.say(PARENT, "3")
    assert concern(stage).category == "3" and "课程开设" in first
    again = stage.say(PARENT, "7")  # the menu's state is over: still a category, never concern text
    assert again == t("concern.reply.category_changed", ticket=concern(stage).ticket_no, category=FOOD)
    stage.say(PARENT, "６")  # full width, as a phone keyboard may type it
    assert concern(stage).category == "6"
    stage.say(PARENT, "05")
    assert concern(stage).category == "5"
    assert "请回复类别前面的数字" in stage.say(PARENT, "42")  # no such category: the menu, not the concern
    stage.say(PARENT, "另外，饭菜分量也越来越少")  # words still join the concern
    assert concern(stage).content == words + "\n另外，饭菜分量也越来越少"


# --- `/` and the board's not-found page ---------------------------------------------------------------------


def test_the_root_is_a_page_that_leads_to_public_and_office(stage: Stage) -> None:
    answer = requests.get(f"{stage.url}/", timeout=10)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/html")
    page = html.unescape(answer.text)
    assert t("entry.home.heading") in page and "责任督学" in page
    links = dict(re.findall(r'id="(to-\w+)" href="([^"]+)"', page))
    assert links == {"to-public": "/public/", "to-office": "/office/"}
    assert requests.get(f"{stage.url}{links['to-public']}", timeout=10).status_code == 200
    office = requests.get(f"{stage.url}{links['to-office']}", timeout=10, allow_redirects=False)
    assert office.status_code == 302 and "/office/login" in office.headers["Location"]


def test_the_board_not_found_page_gives_the_offices_number(stage: Stage) -> None:
    missing = requests.get(f"{stage.url}/b/3607019999", timeout=10)
    assert missing.status_code == 404
    office = t("authority.default_office")
    assert t("entry.no_hotline", office=office) in html.unescape(missing.text)  # none set: whom to ask

    with stage.db.session() as session:
        authority = current_authority(session)
        authority.office_name, authority.hotline = "青禾县人民政府教育督导室", "0731-8888 1234"
    page = html.unescape(requests.get(f"{stage.url}/b/3607019999", timeout=10).text)
    assert '<a class="phone hotline" href="tel:0731-88881234">' in page and "0731-8888 1234" in page
    assert "青禾县人民政府教育督导室" in page
    assert "0731-8888 1234" in html.unescape(requests.get(f"{stage.url}/", timeout=10).text)


# --- the demo -----------------------------------------------------------------------------------------------


def test_make_demo_takes_the_port_it_is_given() -> None:
    dry = subprocess.run(
        ["make", "-n", "demo", "PORT=5001"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert dry.returncode == 0, dry.stderr
    assert re.search(r"dudao demo --host 127\.0\.0\.1 --port 5001$", dry.stdout, re.M), dry.stdout
    assert "make demo PORT=5001" in (ROOT / "README.md").read_text(encoding="utf-8")


def fresh_shell(command: str, home: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`command` in a new terminal: nothing of ours in the environment, another working folder, no venv."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}
    pinned = running_test_clock()
    if pinned is not None:  # the test's clock, which the demo runs on too (not something a user sets)
        env.update(clock_env(pinned))
    return subprocess.run(
        ["bash", "-c", command], cwd=home, env=env, input=stdin, capture_output=True, text=True, timeout=60, check=False
    )


def printed(text: str, pattern: str) -> str:
    found = re.search(pattern, text, re.M)
    assert found is not None, text
    return found.group(1).strip()


def test_the_demos_commands_work_in_a_fresh_shell_and_a_failed_second_start_harms_nothing(
    instance_dir: Path, tmp_path: Path
) -> None:
    home = tmp_path / "elsewhere"
    home.mkdir()
    with run_dudao_server(["demo"], instance_dir, timeout=180) as server:
        demo_file = instance_dir / DEMO_FILE
        demo = json.loads(demo_file.read_text(encoding="utf-8"))
        bind = printed(server.text, r"^获取.*?的绑定码：(cd .* bind-code inspector \S+)$")
        chat = printed(server.text, r"^在新终端中与机器人聊天：(cd .* chat)$")

        issued = fresh_shell(bind, home)
        code = re.search(r"绑定 (\d{5} \d{5})", issued.stdout)
        assert issued.returncode == 0 and code is not None, issued.stdout + issued.stderr
        pusher = WeChatPusher(demo["wechat_url"], token=demo["token"], appid=demo["appid"], aes_key=demo["aes_key"])
        bound = pusher.send(pusher.text("o-fresh-shell", f"绑定 {code.group(1)}"))
        assert "绑定成功" in bound.content, bound.content
        talked = fresh_shell(chat, home, stdin="帮助\n/quit\n")
        assert talked.returncode == 0 and t("sim.chat.safe_mode") in talked.stdout, talked.stdout + talked.stderr

        # a second demo on the same folder (another port), and one on the running demo's port from another folder
        before = demo_file.read_bytes()
        again = dudao(["demo", "--port", str(free_port())], instance_dir)
        assert again.returncode == 1 and "已有一个演示正在使用" in again.stderr, again.stdout + again.stderr
        other = tmp_path / "other-instance"
        taken = dudao(["demo", "--port", server.url.rsplit(":", 1)[1]], other)
        assert taken.returncode == 1 and "PORT=5001" in taken.stderr, taken.stdout + taken.stderr
        assert not (other / "demo.sqlite3").exists() and not (other / DEMO_FILE).exists()
        assert demo_file.read_bytes() == before
        assert requests.get(f"{server.url}/healthz", timeout=10).status_code == 200
        assert demo["inspector_number"] and pusher.send(pusher.text("o-fresh-shell", "我的学校")).status == 200
    assert not (instance_dir / DEMO_FILE).exists()  # removed when the demo stops
