"""A county imported as its office fills in the templates, then driven like WeChat drives it: the superior named in
主管单位 binds through the real webhook and receives its copy of the 督办通知 and the 约谈 over the real outbox at
the fake WeChat API; an inspector 解聘 by `dudao inspectors dismiss` is told kindly, over the real webhook, that
visits can no longer be recorded."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from backend.app import wire_notifier
from backend.cli import main
from backend.config import Config
from backend.domain.calendar import SHANGHAI, local_date
from backend.domain.kinds import EscalationLevel, Role
from backend.jobs import rectification_sweep
from backend.runtime import Runtime
from backend.services import binding, escalations
from backend.services import rectifications as rect
from backend.services.authority import current_authority
from backend.services.calendar import load_official_calendar, working_calendar
from backend.services.importing import import_bytes
from backend.store.db import Database
from backend.store.models import Concern, Escalation, Inspector, Unit, Visit
from bot.fake_wechat import RunningFakeWeChat
from tests.conftest import clock_env
from tests.data.counties import ANYUAN
from tests.data.county_files import bureau_code, county_files
from tests.e2e.webhook_support import SECRET_KEY, Webhook, deliver_all

pytestmark = pytest.mark.e2e
pytest_plugins = ["tests.fake_wechat_fixture"]

TEMPLATES = {n: f"tpl-{n}" for n in ("rectification_issued", "supervision_notice", "office_alert")}
SCHOOL = ANYUAN.schools[1]  # 江西省赣州市安远县城关第二小学, under the county's education bureau
INSPECTOR = ANYUAN.inspector_of(SCHOOL.id)
UNIT_OPENID, BUREAU_OPENID, INSPECTOR_OPENID = "o_chengguan2_contact", "o_bureau_contact", "o_inspector_anyuan_1"


def import_anyuan(hook: Webhook, tmp_path: Path) -> None:
    with hook.runtime.db.sessions() as session:
        load_official_calendar(session)
        session.commit()
        today = local_date(hook.runtime.clock.now())
        for kind, data in county_files(ANYUAN, today).items():
            report = import_bytes(
                session, kind, data, f"{kind.value}.xlsx", media_dir=tmp_path, actor="office:admin", new_zones=True
            )
            assert report.ok, report.summary()


def bind(hook: Webhook, openid: str, role: Role, key: str) -> str:
    with hook.runtime.db.session() as session:
        code = binding.issue_code(session, role=role, key=key, pepper=SECRET_KEY, actor="office:admin").code
    return say(hook, openid, f"绑定 {code}")


def say(hook: Webhook, openid: str, text: str) -> str:
    answer = hook.sender.send(hook.sender.text(openid, text))
    assert answer.status == 200
    return answer.content


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=SHANGHAI)


def test_the_superior_named_in_the_import_gets_the_supervision_notice_and_the_talk(
    hook: Webhook, fake_wechat: RunningFakeWeChat, tmp_path: Path
) -> None:
    import_anyuan(hook, tmp_path)
    assert "绑定成功" in bind(hook, UNIT_OPENID, Role.UNIT, SCHOOL.code) or SCHOOL.name in say(
        hook, UNIT_OPENID, "帮助"
    )
    bind(hook, BUREAU_OPENID, Role.UNIT, bureau_code(ANYUAN))
    config = fake_wechat.configure(Config(database_url=hook.runtime.db.url, templates=TEMPLATES))
    worker = wire_notifier(Runtime(config=config, db=hook.runtime.db, kv=hook.runtime.kv))
    fake_wechat.interact(UNIT_OPENID)
    fake_wechat.interact(BUREAU_OPENID)

    with hook.runtime.db.session() as session:
        calendar = working_calendar(session)
        unit = session.scalars(select(Unit).where(Unit.code == SCHOOL.code)).one()
        inspector = session.scalars(select(Inspector).where(Inspector.number == INSPECTOR.number)).one()
        bureau_id = session.scalars(select(Unit.id).where(Unit.code == bureau_code(ANYUAN))).one()
        assert unit.superior_unit_id == bureau_id  # 主管单位 from the file
        today = local_date(hook.runtime.clock.now())
        deadline = calendar.add_working_days(today, 2)
        row = rect.propose_rectification(
            session, authority_id=current_authority(session).id, unit_id=unit.id, inspector_id=inspector.id,
            visit_id=None, item="7", problem="食堂留样记录不全", requirement="补齐留样记录", deadline=deadline,
            urgent=False, actor=f"inspector:{inspector.id}",
        )  # fmt: skip
        rect.issue_rectification(session, row.id, actor=f"inspector:{inspector.id}")
        number = row.number

    def deliver() -> None:
        deliver_all(worker, TEMPLATES)

    deliver()
    assert fake_wechat.sent(BUREAU_OPENID) == []  # the notice itself is the unit's
    overdue = calendar.add_working_days(deadline, 1)
    assert rectification_sweep.step(worker.db, at(overdue))["escalated_supervision_notice"] == 1
    deliver()
    [copy] = fake_wechat.sent(BUREAU_OPENID)  # days after the bureau last wrote: WeChat's template message
    body = json.dumps(copy["body"], ensure_ascii=False)
    assert copy["type"] == "template" and '"template_id": "tpl-supervision_notice"' in body
    assert number in body and SCHOOL.name in body
    assert any("tpl-supervision_notice" in json.dumps(m["body"]) for m in fake_wechat.sent(UNIT_OPENID))

    # still overdue: the 约谈 is proposed, the office records it, and the superior receives its copy too
    with hook.runtime.db.session() as session:
        supervised = rect.by_number(session, number)
        later = calendar.add_working_days(supervised.deadline, 1)
    assert rectification_sweep.step(worker.db, at(later))["escalated_talk"] == 1
    with hook.runtime.db.session() as session:
        item = rect.by_number(session, number)
        talk = session.scalars(
            select(Escalation).where(
                Escalation.rectification_id == item.id, Escalation.level == EscalationLevel.TALK.value
            )
        ).one()
        record = {
            "held_at": "上午九点",
            "attendees": "校长；督导室主任",
            "summary": "逾期原因",
            "commitments": "三日内整改",
        }
        confirmed = escalations.confirm_talk(session, talk.id, record=record, actor="office:admin", now=at(later, 15))
        assert confirmed.record["filed_with_unit_id"] == bureau_id
    deliver()
    copies = fake_wechat.sent(BUREAU_OPENID)
    assert len(copies) == 2 and number in json.dumps(copies[1]["body"], ensure_ascii=False)


def test_a_dismissed_inspector_is_told_kindly_and_can_no_longer_log_visits(hook: Webhook, tmp_path: Path) -> None:
    import_anyuan(hook, tmp_path)
    assert INSPECTOR.name in bind(hook, INSPECTOR_OPENID, Role.INSPECTOR, INSPECTOR.number)
    logged = say(hook, INSPECTOR_OPENID, "今天在城关二小，看了食堂，晨检记录缺了3天，要求一周内补齐")
    assert "城关第二小学" in logged or "城关二小" in logged

    env = {"DUDAO_DATABASE_URL": hook.runtime.db.url, **clock_env(hook.runtime.clock)}
    result = CliRunner().invoke(
        main, ["inspectors", "dismiss", INSPECTOR.number, "--reason", "年度考核不称职"], env=env
    )
    assert result.exit_code == 0, result.output
    assert (
        f"{INSPECTOR.name}已解聘" in result.output and f"{len(INSPECTOR.schools)} 所学校暂无责任督学" in result.output
    )
    again = CliRunner().invoke(main, ["inspectors", "suspend", INSPECTOR.number, "--reason", "x"], env=env)
    assert again.exit_code == 1 and "已经停聘或解聘" in again.output

    with hook.runtime.db.sessions() as session:
        visits_before = session.scalar(select(func.count(Visit.id)))
        concerns_before = session.scalar(select(func.count(Concern.id)))
    for message in ("今天在城关二小，看了食堂，留样柜温度不够", "待办", "记录"):
        reply = say(hook, INSPECTOR_OPENID, message)
        assert f"{INSPECTOR.name}老师您好" in reply and "已解聘" in reply and "不再接收您的督导记录" in reply
        assert "感谢您" in reply
    photo = hook.sender.send(hook.sender.image(INSPECTOR_OPENID, media_id="m-after-dismissal"))
    assert photo.status == 200 and "已解聘" in photo.content
    with hook.runtime.db.sessions() as session:
        assert session.scalar(select(func.count(Visit.id))) == visits_before  # nothing recorded
        assert session.scalar(select(func.count(Concern.id))) == concerns_before  # and not taken for a parent
        inspector = session.scalars(select(Inspector).where(Inspector.number == INSPECTOR.number)).one()
        assert (inspector.active, inspector.ended_kind, inspector.ended_reason) == (
            False,
            "dismissed",
            "年度考核不称职",
        )

    # reinstated, they are an inspector again (without schools until the office assigns them)
    result = CliRunner().invoke(main, ["inspectors", "reinstate", INSPECTOR.number], env=env)
    assert result.exit_code == 0 and "恢复聘任" in result.output
    assert "已解聘" not in say(hook, INSPECTOR_OPENID, "帮助")


def test_a_county_imported_in_the_browser_shows_no_false_alarms(sqlite_database: Database, tmp_path: Path) -> None:
    """The office downloads nothing by hand here: the files are the real templates, filled in; Chromium uploads
    them on the import page (ticking 新建责任区 for the schools) and reads the dashboard."""
    from backend.services import office_users
    from tests.e2e.browser import chromium_context, sign_in
    from tests.e2e.conftest import serve_app
    from tests.integration.test_office_web import PASSWORD, make_app

    with sqlite_database.sessions() as s:
        office_users.create_user(s, username="admin", password=PASSWORD, role=office_users.OfficeRole.OFFICE)
    files = county_files(ANYUAN, local_date(sqlite_database.clock.now()))
    paths = {}
    for kind, data in files.items():
        paths[kind] = tmp_path / f"{kind.label}.xlsx"
        paths[kind].write_bytes(data)
    viewport = {"width": 1366, "height": 768}
    with (
        serve_app(make_app(sqlite_database, tmp_path)) as url,
        chromium_context(tmp_path / "chromium-profile", viewport=viewport, accept_downloads=True) as context,
    ):
        page = context.new_page()
        sign_in(page, url, "admin", PASSWORD)
        before = page.inner_text(".kpis")
        assert "未录入" in before  # no training imported yet: said, not alarmed
        for kind, path in paths.items():
            page.goto(f"{url}/office/import")
            with page.expect_download() as template:
                page.click(f"#import-templates a[href$='/{kind.value}.xlsx']")
            assert template.value.suggested_filename.endswith(".xlsx")
            page.select_option("select[name=kind]", kind.value)
            page.set_input_files("input[name=file]", str(path))
            if kind.value == "schools":
                page.check("#new-zones")
            page.click("#import-form button[type=submit]")
            assert "导入完成" in page.inner_text("#import-report"), page.inner_text("#import-report")
        page.goto(f"{url}/office/dashboard")
        kpis = page.inner_text(".kpis")
        assert "全部已挂牌督导" in kpis and "专职督学（每万名学生）" in kpis
        assert page.locator(".kpis .kpi.bad").count() == 0
        training = page.locator(".kpis .kpi", has_text="培训学时不足")
        assert "0 人" in training.inner_text() and "ok" in (training.get_attribute("class") or "")
        assert page.locator("#principal-terms li").count() == 1
        assert page.locator("#terms-ended").count() == 0
