"""Personal information end to end (issue 16): a parent scans a board (signed, encrypted pushes to a real server on
loopback), is shown the notice link, leaves a phone number, writes a second concern and one on the board's web
form; a year after closing the worker's housekeeping has removed the phone — from the inspector's and the office's
pages, from `dudao privacy export` and from the database — and the dashboard's figures are unchanged.
`dudao privacy export` / `erase` hand over and remove the parent's data; the parent's request made on /privacy
through the bot's signed link becomes the office's work item, counted on the dashboard.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import select

from backend.cli import main
from backend.clock import SettableClock
from backend.jobs.housekeeping import forget_old_deliveries
from backend.services.authority import current_authority
from backend.services.office import figures
from backend.services.office_users import OfficeRole, Scope
from backend.store.models import AuditEvent, Concern, PrivacyRequest, WechatIdentity
from bot.fake_wechat import RunningFakeWeChat
from messages import t
from tests.conftest import clock_env
from tests.e2e.concern_support import INSPECTOR, SECRET_KEY, Stage, concern_stage
from tests.e2e.test_hostile_people import add_office_user, signed_in
from tests.e2e.webhook_support import Stack

pytestmark = pytest.mark.e2e
pytest_plugins = ["tests.fake_wechat_fixture"]

PARENT = "o-parent-chen"
PHONE = "13912345678"
TICKET = re.compile(r"T\d{4}-\d{4}")
SEEDED_ON = date(2026, 11, 23)


@pytest.fixture
def stage(stack: Stack, fake_wechat: RunningFakeWeChat, tmp_path: Path) -> Iterator[Stage]:
    with concern_stage(stack.db, stack.kv, fake_wechat, tmp_path / "instance") as running:
        add_office_user(running.db)
        yield running


def dudao(stage: Stage, *args: str) -> str:
    config = stage.runtime.config
    env = {
        "DUDAO_DATABASE_URL": stage.db.url,
        "DUDAO_INSTANCE_DIR": str(config.instance_dir),
        "DUDAO_SECRET_KEY": SECRET_KEY,
        **clock_env(stage.runtime.clock),
    }
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def concern_by_wechat(stage: Stage, text: str) -> str:
    opened = stage.say(PARENT, text)
    found = TICKET.search(opened)
    assert found is not None, opened
    assert "（可不留）" in opened and "方便督学回访" in opened  # why a phone is asked, and that it is optional
    stage.say(PARENT, "7")  # the category (食堂、食品、饮水及宿舍卫生)
    return found.group(0)


def concern_on_the_board_page(stage: Stage, content: str) -> str:
    http = requests.Session()
    page = http.get(f"{stage.url}/b/{stage.school.code}", timeout=10)
    assert 'id="privacy-link"' in page.text and "/privacy" in page.text
    assert t("page.form.phone.note") in page.text  # why the phone is asked, and that it may be left out
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token is not None
    done = http.post(
        f"{stage.url}/b/{stage.school.code}",
        data={"token": token.group(1), "category": "7", "content": content, "phone": PHONE},
        headers={"Origin": stage.url},
        timeout=10,
    )
    assert done.status_code == 201, done.text
    found = TICKET.search(done.text)
    assert found is not None
    return found.group(0)


def dashboard(stage: Stage) -> dict[str, Any]:
    with stage.db.session() as s:
        authority = current_authority(s)
        scope = Scope(0, "", "", OfficeRole.OFFICE, authority.id, None, None)
        board = figures.dashboard(s, scope, authority, SEEDED_ON)
        return {"concerns": dataclasses.asdict(board.concerns), "coverage": dataclasses.asdict(board.coverage)}


def exported(stage: Stage, tmp_path: Path, name: str) -> tuple[list[list[str]], list[str]]:
    target = tmp_path / name
    dudao(stage, "privacy", "export", "--openid", PARENT, "--phone", PHONE, str(target))
    archive = zipfile.ZipFile(target)
    book = load_workbook(io.BytesIO(archive.read("个人信息.xlsx")))
    rows = [[str(c.value or "") for c in row] for row in book["留言"].iter_rows(min_row=2)]
    return rows, archive.namelist()


def test_the_phone_is_gone_after_the_retention_period_and_the_figures_stay(
    stage: Stage, clock: SettableClock, tmp_path: Path
) -> None:
    # the first reply after the scan carries the notice's link; the notice names the office's periods
    card = stage.scan(PARENT, following=False)
    link = re.search(r"https?://[^/\s]+(/privacy)\b", card)  # under the deployment's public URL
    assert link is not None, card
    notice = requests.get(stage.url + link.group(1), timeout=10)
    assert notice.status_code == 200 and t("privacy.title") in notice.text
    assert t("privacy.keep.row", kind=t("settings.retention.reporter"), days=365) in notice.text
    assert t("privacy.keep.row", kind=t("settings.retention.audit"), days=365) in notice.text

    first = concern_by_wechat(stage, "学校食堂的饭菜经常是凉的，孩子中午吃不饱")
    assert stage.say(PARENT, f"电话 {PHONE}") == t("concern.reply.phone_saved", ticket=first)
    clock.advance(minutes=11)  # past the 10 minutes in which more messages join the first concern
    second = concern_by_wechat(stage, "宿舍的热水器坏了两个星期还没人修")
    web = concern_on_the_board_page(stage, "学校要求家长在群里接龙交资料费，每人五十元")
    stage.run_jobs()
    assert PHONE in stage.say(INSPECTOR, f"留言 {first}")  # the person in charge sees it while it is needed

    rows, _names = exported(stage, tmp_path, "before.zip")
    assert {r[0] for r in rows} == {first, second, web} and sum(PHONE in r for r in rows) == 2
    for ticket in (first, second, web):
        dudao(stage, "concerns", "answer", ticket, "已督促学校整改，请继续关注。")
        dudao(stage, "concerns", "close", ticket)
    before = dashboard(stage)

    clock.advance(days=366)  # a year and a day after closing: the worker's hourly housekeeping runs
    forget_old_deliveries(stage.runtime)

    assert PHONE not in stage.say(INSPECTOR, f"留言 {first}")
    office = signed_in(stage.url)
    with stage.db.session() as s:
        ids = {c.ticket_no: c.id for c in s.scalars(select(Concern))}
        kept = {c.ticket_no: (c.reporter_phone, c.reporter_openid, c.content) for c in s.scalars(select(Concern))}
    for ticket in (first, second, web):
        page = office.get(f"{stage.url}/office/concerns/{ids[ticket]}", timeout=10)
        assert page.status_code == 200 and ticket in page.text and PHONE not in page.text
        phone, openid, content = kept[ticket]
        assert phone is None and openid != PARENT and content  # the record stays, with its text
    rows, _names = exported(stage, tmp_path, "after.zip")
    assert not any(PHONE in cell for r in rows for cell in r)
    assert dashboard(stage) == before


def test_export_erase_and_a_request_from_the_notice_page(stage: Stage, clock: SettableClock, tmp_path: Path) -> None:
    stage.scan(PARENT, following=False)
    first = concern_by_wechat(stage, "学校食堂的饭菜经常是凉的，孩子中午吃不饱")
    stage.say(PARENT, f"电话 {PHONE}")
    clock.advance(minutes=11)  # past the 10 minutes in which more messages join the first concern
    second = concern_by_wechat(stage, "宿舍的热水器坏了两个星期还没人修")
    web = concern_on_the_board_page(stage, "学校要求家长在群里接龙交资料费，每人五十元")
    stage.run_jobs()

    # the parent asks through the bot's signed link; the form knows them without a ticket
    reply = stage.say(PARENT, "隐私")
    link = re.search(r"https?://[^/\s]+(/privacy\?k=\S+)", reply)
    assert link is not None, reply
    form = requests.get(stage.url + link.group(1), timeout=10)
    assert t("privacy.form.who.wechat") in form.text
    token = re.search(r'name="k" value="([^"]+)"', form.text)
    assert token is not None
    asked = requests.post(
        f"{stage.url}/privacy",
        data={"k": token.group(1), "kind": "erase", "contact": PHONE, "message": "请删除我的信息"},
        headers={"Origin": stage.url},
        timeout=10,
    )
    assert asked.status_code == 201, asked.text
    payload, _, signature = token.group(1).partition(".")  # the same signature on a payload naming someone else
    named = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).replace(PARENT.encode(), b"o-someone-else")
    claimed = base64.urlsafe_b64encode(named)
    forged = requests.post(
        f"{stage.url}/privacy",
        data={"k": f"{claimed.rstrip(b'=').decode()}.{signature}", "kind": "copy", "contact": "x"},
        headers={"Origin": stage.url},
        timeout=10,
    )
    assert forged.status_code == 403 and t("form_link.tampered.title") in forged.text

    office = signed_in(stage.url)
    listed = office.get(f"{stage.url}/office/privacy", timeout=10)
    assert listed.status_code == 200 and "请删除我的信息" in listed.text
    assert 'id="todo-privacy"' in office.get(f"{stage.url}/office/dashboard", timeout=10).text

    rows, names = exported(stage, tmp_path, "export.zip")
    assert {r[0] for r in rows} == {first, second, web}
    assert "说明.txt" in names
    out = dudao(stage, "privacy", "erase", "--openid", PARENT, "--phone", PHONE, "--yes")
    assert "3" in out
    again = dudao(stage, "privacy", "erase", "--openid", PARENT, "--phone", PHONE, "--yes")
    assert again.startswith(t("privacy.cli.erased", concerns=0, photos=0, deliveries=0, pushes=0, identity="")[:6])
    rows, _names = exported(stage, tmp_path, "after.zip")
    assert rows == []  # nothing is held about them any more
    with stage.db.session() as s:
        assert s.scalar(select(WechatIdentity).where(WechatIdentity.openid == PARENT)) is None
        left = s.scalars(select(Concern).where(Concern.ticket_no.in_([first, second, web]))).all()
        assert len(left) == 3 and all(c.reporter_phone is None and c.reporter_openid != PARENT for c in left)
        [request] = s.scalars(select(PrivacyRequest)).all()
        actions = set(s.scalars(select(AuditEvent.action)))
    assert {"privacy.requested", "privacy.exported", "privacy.erased"} <= actions
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', listed.text)
    assert csrf is not None
    closed = office.post(
        f"{stage.url}/office/privacy/{request.id}/close",
        data={"csrf_token": csrf.group(1), "outcome": "已删除，电话告知本人。"},
        timeout=10,
    )
    assert closed.status_code == 200 and t("privacy.office.closed") in closed.text
    assert 'id="todo-privacy"' not in office.get(f"{stage.url}/office/dashboard", timeout=10).text
