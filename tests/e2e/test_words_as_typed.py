"""What people type is kept as they typed it, end to end: full-width punctuation (，；：！？（）), full-width
digits, traditional characters and emoji in a parent's concern, an inspector's visit finding and answer, a unit's
rectification report and its request for more time come back byte-identical in the office's pages, the JSON API
and the exports. Only a copy is folded for understanding (keywords, numbers, dates, school names).
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from openpyxl import load_workbook
from sqlalchemy import select

from backend.kv import MemoryKV
from backend.services import office_users
from backend.services.tokens import create_token
from backend.store.db import Database
from backend.store.models import Concern, Rectification, Visit
from bot.fake_wechat import RunningFakeWeChat
from tests.e2e.concern_support import CONTACT, INSPECTOR, Stage, concern_stage

pytestmark = pytest.mark.e2e
pytest_plugins = ["tests.fake_wechat_fixture"]

PARENT = "o-parent-fullwidth"
PASSWORD = "words-as-typed-2026"

# what each person typed: full-width punctuation and digits, traditional characters, emoji
CONCERN = "孩子說食堂的飯菜有異味，吃完肚子疼；已經３天了！😢（家長）"
FINDING_TYPED = "今天在城关一小，看了食堂，留樣櫃溫度不夠（僅２℃）😓，要求一周內補齊：含照片"
FINDING = "留樣櫃溫度不夠（僅２℃）😓"  # the finding's clause, as typed
ANSWER = "已到校核實：食堂已整改，請放心🙏（王）"
REPORT = "已補齊晨檢記錄，共３頁；留樣櫃已更換✅"
EXTENSION = "需採購新留樣櫃（約２週）：等待招標😓"
REPORT_MORE = "另：櫃內溫度已達４℃，費用１２００元。"
REINSPECTION = "溫度記錄表未張貼；請補貼（３日內）"
PROPOSED = "消防通道堆放雜物（約３處）🧯"
WEB_CONCERN = "校門口接送車輛亂停，孩子過馬路很危險！！🚗（每天７:３０）"


@pytest.fixture
def stage(sqlite_database: Database, fake_wechat: RunningFakeWeChat, tmp_path: Path) -> Iterator[Stage]:
    with concern_stage(sqlite_database, MemoryKV(), fake_wechat, tmp_path / "instance") as running:
        with running.db.session() as session:
            office_users.create_user(
                session, username="admin", password=PASSWORD, role=office_users.OfficeRole.OFFICE, display_name="刘主任"
            )
        yield running


def signed_in(url: str) -> requests.Session:
    http = requests.Session()
    page = http.get(f"{url}/office/login", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    done = http.post(
        f"{url}/office/login",
        data={"username": "admin", "password": PASSWORD, "csrf_token": token.group(1)},
        allow_redirects=False,
        timeout=10,
    )
    assert done.status_code == 302, done.text
    return http


def page_text(http: requests.Session, url: str) -> str:
    answer = http.get(url, timeout=10)
    assert answer.status_code == 200, url
    return html.unescape(answer.text)


def cells(content: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return [str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row]


def test_every_word_comes_back_as_it_was_typed(stage: Stage) -> None:
    # a parent's concern, the category picked, the inspector's answer
    stage.scan(PARENT, following=False)
    stage.say(PARENT, CONCERN)
    stage.say(PARENT, "７")  # a full-width digit still picks a category
    with stage.db.session() as session:
        concern = session.scalars(select(Concern)).one()
        ticket, concern_id = concern.ticket_no, concern.id
        assert concern.content == CONCERN
        assert concern.category == "7"
    stage.say(INSPECTOR, f"受理 {ticket}")
    stage.say(INSPECTOR, f"回复 {ticket} {ANSWER}")

    # a visit finding, turned into a rectification; the unit signs, asks for time and reports
    summary = stage.say(INSPECTOR, FINDING_TYPED)
    assert "已记录" in summary, summary
    assert "已发出整改通知" in stage.say(INSPECTOR, "确认整改")
    with stage.db.session() as session:
        rectification = session.scalars(select(Rectification)).one()
        number, rectification_id = rectification.number, rectification.id
        visit_id = session.scalars(select(Visit.id)).one()
    stage.say(CONTACT, f"签收 {number}")
    stage.say(CONTACT, f"申请延期 {number} {EXTENSION}")
    stage.say(CONTACT, f"已整改 {number} {REPORT}")
    stage.say(CONTACT, REPORT_MORE)
    stage.say(CONTACT, "提交")
    assert number in stage.say(INSPECTOR, f"复查 {number} 不通过 {REINSPECTION}")

    # a finding proposed by itself: 整改 <school> <problem> <deadline>
    assert "ZG-" in stage.say(INSPECTOR, f"整改 城关一小 {PROPOSED} 一周内")
    with stage.db.session() as session:
        assert (
            session.scalars(select(Rectification.problem).where(Rectification.id != rectification_id)).one() == PROPOSED
        )

    # a concern from the board's page
    web = requests.Session()
    form = web.get(f"{stage.url}/b/{stage.school.code}", timeout=10)
    token = re.search(r'name="token" value="([^"]+)"', form.text)
    assert token is not None
    sent = web.post(
        f"{stage.url}/b/{stage.school.code}",
        data={"content": WEB_CONCERN, "category": "6", "phone": "", "token": token.group(1)},
        headers={"Origin": stage.url},
        timeout=10,
    )
    assert sent.status_code == 201, sent.text

    with stage.db.session() as session:
        answered = session.get(Concern, concern_id)
        assert answered is not None and answered.answer == ANSWER
        reported = session.get(Rectification, rectification_id)
        assert reported is not None
        assert reported.problem == FINDING
        assert reported.report_text == f"{REPORT}\n{REPORT_MORE}"
        web_concern = session.scalars(select(Concern).where(Concern.channel == "web")).one()
        assert web_concern.content == WEB_CONCERN
        visit = session.get(Visit, visit_id)
        assert visit is not None and FINDING in visit.problems, visit.problems
        assert visit.raw_text == FINDING_TYPED

    # the office's pages
    http = signed_in(stage.url)
    shown = page_text(http, f"{stage.url}/office/concerns/{concern_id}")
    assert CONCERN in shown and ANSWER in shown
    shown = page_text(http, f"{stage.url}/office/rectifications/{rectification_id}")
    for words in (FINDING, REPORT, REPORT_MORE, EXTENSION, REINSPECTION):
        assert words in shown, words
    assert WEB_CONCERN in page_text(http, f"{stage.url}/office/concerns/{web_concern.id}")
    assert FINDING in page_text(http, f"{stage.url}/office/visits/{visit_id}")

    # the exports
    concerns_xlsx = http.get(f"{stage.url}/office/export/concerns.xlsx", timeout=20)
    assert concerns_xlsx.status_code == 200
    assert any(CONCERN in cell for cell in cells(concerns_xlsx.content))
    rectifications_xlsx = cells(http.get(f"{stage.url}/office/export/rectifications.xlsx", timeout=20).content)
    assert any(FINDING in cell for cell in rectifications_xlsx)

    # the JSON API
    with stage.db.session() as session:
        bearer = create_token(session, "words-as-typed")
    api = requests.get(
        f"{stage.url}/api/v1/rectifications", headers={"Authorization": f"Bearer {bearer}"}, timeout=10
    ).json()
    assert FINDING in str(api), api
    visits = requests.get(f"{stage.url}/api/v1/visits", headers={"Authorization": f"Bearer {bearer}"}, timeout=10)
    assert FINDING in str(visits.json()), visits.text
