"""The 办理记录 keeps the promise printed above it ("本页不显示反映人的身份信息"): a parent reports through WeChat,
the inspector handles it through WeChat, a rectification goes to the school, which signs for it through WeChat, and
the office proposes a 约谈; then the office's pages, read in headless Chromium, and the JSON API show Chinese steps
and people's names, the reporter only as 反映人（已保密）, and never an openid or a recorded key."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from backend.domain.calendar import local_date
from backend.domain.kinds import EscalationLevel
from backend.services import escalations, office_users, rectifications, tokens
from backend.store.models import Concern, Inspector, Unit
from bot.fake_wechat import RunningFakeWeChat
from tests.e2e.browser import CHROMIUM, FLAGS, require_chromium
from tests.e2e.concern_support import CONTACT, INSPECTOR, Stage, concern_stage

pytestmark = pytest.mark.e2e
pytest_plugins = ["tests.fake_wechat_fixture"]

REPORTER = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"
PASSWORD = "Long-enough-2026"
# what a recorded key or actor looks like: "concern.received", "wechat:o…", "inspector:14", "unit:3:o…"
RAW = re.compile(r"\b(?:concern|rectification|escalation|visit|unit|board_code|assignment)\.[a-z_.]+\b")
RAW_ACTOR = re.compile(r"\b(?:wechat|inspector|unit|office|public|system):\S")


@pytest.fixture
def stage(sqlite_database: object, fake_wechat: RunningFakeWeChat, tmp_path: Path) -> Iterator[Stage]:
    from backend.kv import MemoryKV
    from backend.store.db import Database

    assert isinstance(sqlite_database, Database)
    with concern_stage(sqlite_database, MemoryKV(), fake_wechat, tmp_path / "instance") as running:
        yield running


def leaks(text: str) -> list[str]:
    found = [REPORTER, INSPECTOR, CONTACT, *RAW.findall(text), *RAW_ACTOR.findall(text)]
    return [f for f in found if f in text]


def test_the_history_names_people_and_steps_and_never_the_reporter(stage: Stage, tmp_path: Path) -> None:
    # a parent reports, the inspector receives and answers: all through the webhook
    stage.scan(REPORTER, following=False)
    opened = stage.say(REPORTER, "孩子说最近中午经常吃不饱，食堂的饭菜分量越来越少")
    ticket = re.search(r"T\d{4}-\d{4}", opened)
    assert ticket is not None
    stage.say(REPORTER, "7")
    stage.say(REPORTER, "电话 13912345678")
    stage.run_jobs()
    stage.say(INSPECTOR, f"受理 {ticket.group(0)}")
    stage.say(INSPECTOR, f"回复 {ticket.group(0)} 已到校核实，食堂已调整分量。")
    stage.run_jobs()

    # a rectification issued by the office, signed for by the school through WeChat, a 约谈 proposed
    today = local_date(stage.db.clock.now())
    with stage.db.session() as s:
        office_users.create_user(
            s, username="zhou", password=PASSWORD, role=office_users.OfficeRole.OFFICE, display_name="周敏"
        )
        unit = s.scalars(select(Unit).where(Unit.code == stage.school.code)).one()
        inspector = s.scalars(select(Inspector).where(Inspector.number == stage.school.inspector_number)).one()
        item = rectifications.propose_rectification(
            s, authority_id=unit.authority_id, unit_id=unit.id, inspector_id=inspector.id, visit_id=None, item="6",
            problem="围墙有破损", requirement="一周内修复", deadline=today + timedelta(days=7), urgent=False,
            actor=f"inspector:{inspector.id}",
        )  # fmt: skip
        s.commit()
        rectifications.issue_rectification(s, item.id, actor="office:zhou")
        s.commit()
        rect_id, number = item.id, item.number
        concern_id = s.scalars(select(Concern.id).where(Concern.ticket_no == ticket.group(0))).one()
        api_token = tokens.create_token(s, "台账系统", actor="office:zhou")
    stage.run_jobs()
    signed = stage.say(CONTACT, f"签收 {number}")
    assert number in signed
    with stage.db.session() as s:
        escalations.propose(s, rectifications.get(s, rect_id), EscalationLevel.TALK, now=stage.db.clock.now())
        s.commit()

    # the office's pages in a real browser
    require_chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            page = browser.new_page(locale="zh-CN")
            page.goto(f"{stage.url}/office/login")
            page.fill("input[name=username]", "zhou")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{stage.url}/office/dashboard")

            page.goto(f"{stage.url}/office/concerns/{concern_id}")
            concern_page = page.inner_text("main")
            assert "本页不显示反映人的身份信息" in concern_page
            timeline = page.inner_text("ol.timeline")
            assert "收到留言" in timeline and "受理" in timeline and "答复" in timeline
            assert "反映人（已保密）" in timeline
            assert f"督学 {stage.school.inspector_name}" in timeline
            assert leaks(concern_page) == [] and leaks(page.content()) == []

            page.goto(f"{stage.url}/office/rectifications/{rect_id}")
            rect_page = page.inner_text("main")
            timeline = page.inner_text("ol.timeline")
            assert "提出整改事项" in timeline and "下发整改通知" in timeline and "学校签收" in timeline
            assert "提出约谈" in timeline
            assert f"督学 {stage.school.inspector_name}" in timeline and "周敏" in timeline
            assert f"{stage.school.name}联系人" in timeline
            assert leaks(rect_page) == [] and leaks(page.content()) == []
        finally:
            browser.close()

    # the JSON API: names and steps in words, no openid
    listed = requests.get(
        f"{stage.url}/api/v1/rectifications", headers={"Authorization": f"Bearer {api_token}"}, timeout=10
    )
    assert listed.status_code == 200
    history = next(i for i in listed.json()["items"] if i["number"] == number)["history"]
    assert [h["action_label"] for h in history][:3] == ["提出整改事项", "下发整改通知", "学校签收"]
    assert f"{stage.school.name}联系人" in [h["actor"] for h in history]
    for secret in (REPORTER, CONTACT, INSPECTOR, "wechat:", "unit:", "inspector:"):
        assert secret not in listed.text, secret
