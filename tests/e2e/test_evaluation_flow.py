"""督政 end to end (issue 15): a township evaluated for 2026 on a real server on loopback, both stacks.

The office imports the indicator system with the CLI and opens the year in headless Chromium; the township's bound
contact is told through the outbox and the fake WeChat API (a template with the signed link); the contact fills in
the 自评 in the in-WeChat form (a phone-sized page) with a photo; the office scores in the browser with 实地核查
notes and issues the 督导反馈意见书 with two 整改 items (its DOCX downloaded and read back); the items run the chain:
the unit is told of each, signs both over the signed webhook, and the one past its deadline is 督办'd by the sweep.
The ranking on the office page, the annual report's 督政评价 sheet and (once approved) /public show the result.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from backend.app import wire_notifier
from backend.cli import main
from backend.config import Config
from backend.domain.calendar import SHANGHAI
from backend.domain.kinds import EvaluationTarget, Role
from backend.jobs import rectification_sweep
from backend.runtime import Runtime
from backend.services import evaluations, indicators, office_users
from backend.services.calendar import load_official_calendar
from backend.store.models import Evaluation, Media, Rectification
from bot.fake_wechat import RunningFakeWeChat
from tests.builders import County
from tests.conftest import clock_env
from tests.e2e.browser import chromium_context, sign_in
from tests.e2e.webhook_support import Stack, Webhook, deliver_all, running_webhook

pytestmark = pytest.mark.e2e
pytest_plugins = ["tests.fake_wechat_fixture"]

PASSWORD = "A long enough password, 2026"  # the password rules: three kinds of character
TOWN_OPENID = "o-tianxin-education-office"
TEMPLATES = {n: f"tpl-{n}" for n in ("evaluation_opened", "evaluation_due", "rectification_issued", "office_alert",
                                     "supervision_notice", "rectification_due_soon")}  # fmt: skip
TIANXIN = "安远县天心镇人民政府"
KONGTIAN = "安远县孔田镇人民政府"


@pytest.fixture
def hook(stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Webhook]:
    """The webhook and the whole app on loopback, its media kept under this test's folder."""
    monkeypatch.setenv("DUDAO_INSTANCE_DIR", str(tmp_path / "instance"))
    with running_webhook(stack.db, stack.kv, safe=True) as running:
        yield running


def _seed(hook: Webhook) -> dict[str, int]:
    with hook.runtime.db.session() as session:
        county = County(session)
        load_official_calendar(session)
        tianxin = county.unit("360726001", TIANXIN, "township", contact_name="刘海燕")
        kongtian = county.unit("360726002", KONGTIAN, "township")
        county.unit("360726101", "安远县财政局", "department")
        county.contact(TOWN_OPENID, Role.UNIT, unit_id=tianxin.id)
        county.contact("o-office-director", Role.OFFICE)
        office_users.create_user(session, username="admin", password=PASSWORD, role=office_users.OfficeRole.OFFICE)
        return {"tianxin": tianxin.id, "kongtian": kongtian.id, "authority": county.authority.id}


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 160)).save(out, "JPEG")
    return out.getvalue()


def _deliver(worker: Runtime) -> int:
    return deliver_all(worker, TEMPLATES)


def test_a_township_is_evaluated_for_2026(hook: Webhook, fake_wechat: RunningFakeWeChat, tmp_path: Path) -> None:
    ids = _seed(hook)
    config = fake_wechat.configure(Config(database_url=hook.runtime.db.url, templates=TEMPLATES))
    worker = wire_notifier(Runtime(config=config, db=hook.runtime.db, kv=hook.runtime.kv))
    url = hook.url

    # the office imports the example township system for 2026 with the CLI
    example = tmp_path / "2026乡镇指标.csv"
    example.write_bytes(indicators.example_bytes(EvaluationTarget.TOWNSHIP))
    env = {"DUDAO_DATABASE_URL": hook.runtime.db.url, **clock_env(hook.runtime.clock)}
    imported = CliRunner().invoke(main, ["indicators", "import", str(example), "--year", "2026", "--for", "township"],
                                  env=env)  # fmt: skip
    assert imported.exit_code == 0 and "已导入 2026 年度乡镇指标 16 条" in imported.output, imported.output
    with hook.runtime.db.session() as session:
        system = indicators.find_system(session, ids["authority"], 2026, EvaluationTarget.TOWNSHIP)
        assert system is not None
        rows = indicators.indicators_of(session, system.id)
        system_id = system.id

    with chromium_context(tmp_path / "office-profile", accept_downloads=True) as office_context:
        office = office_context.new_page()
        sign_in(office, url, "admin", PASSWORD)

        # the office opens the year for the townships
        office.goto(f"{url}/office/evaluation?year=2026")
        office.fill("#system-township input[name=deadline]", "2026-12-18")
        office.click("#system-township .open-form button[type=submit]")
        assert "已为 2 个单位启动评价" in office.inner_text(".flash")

        # the contact is told in WeChat: a template (no message from them in 48 h) opening the form
        assert _deliver(worker) == 1
        [told] = fake_wechat.sent(TOWN_OPENID)
        assert told["type"] == "template" and told["body"]["template_id"] == "tpl-evaluation_opened"
        link = str(told["body"]["url"])
        parts = urlsplit(link)
        assert parts.path == "/f/evaluation" and parts.query.startswith("k=")

        # the 自评, in a phone-sized browser as WeChat's: a score and an explanation per indicator, a photo
        # (one browser profile per test: Playwright's sync API does not nest; the form needs no session)
        phone = office_context.new_page()
        phone.set_viewport_size({"width": 390, "height": 844})
        phone.goto(f"{url}{parts.path}?{parts.query}")
        assert TIANXIN in phone.inner_text("header")
        for n, row in enumerate(rows):
            phone.fill(f"#score_{row.id}", str(row.max_score - (2 if n == 3 else 0)))
            phone.fill(f"#note_{row.id}", f"已按要求落实（{row.level3 or row.level2}）")
        phone.set_input_files(
            f"#files_{rows[2].id}", files=[{"name": "责任书.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
        )
        phone.click("#submit-self")
        assert "自评已提交" in phone.inner_text("[role=status]")
        assert "已上传 1 个附件" in phone.inner_text(f"#indicator-{rows[2].id}")
        # a tampered link opens nothing
        assert phone.goto(f"{url}{parts.path}?{parts.query[:-4]}AAAA").status == 403

        with hook.runtime.db.session() as session:
            tianxin = session.scalar(select(Evaluation).where(Evaluation.unit_id == ids["tianxin"]))
            kongtian = session.scalar(select(Evaluation).where(Evaluation.unit_id == ids["kongtian"]))
            assert tianxin is not None and kongtian is not None and tianxin.state == "submitted"
            [photo] = session.scalars(select(Media).where(Media.owner_type == "evaluation_entry")).all()
            assert photo.content_type == "image/jpeg" and photo.exif_stripped
            tianxin_id, kongtian_id = tianxin.id, kongtian.id
            # 孔田镇 has no WeChat: the office scores it full marks on its behalf (through the service)
            full = {r.id: evaluations.Answer(r.max_score, "") for r in rows}
            evaluations.score(session, kongtian_id, full, finish=True, actor="office:admin")

        # the office scores 天心镇 with 实地核查 notes
        office.goto(f"{url}/office/evaluation/{tianxin_id}")
        assert "已按要求落实" in office.inner_text("#score-form") and office.locator("#score-form a").count() == 1
        for n, row in enumerate(rows):
            lost = {3: 4.0, 7: 3.0}.get(n, 0.0)
            office.fill(f"input[name=score_{row.id}]", str(row.max_score - lost))
            if lost:
                office.fill(f"textarea[name=check_{row.id}]", f"实地核查：{row.level3}未完全落实")
        office.fill("textarea[name=field_note]", "查阅控辍保学台账，走访天心镇中心小学及周边")
        office.click("#finish-scoring")
        assert "评分完成：总分 93.0，等次 优秀" in office.inner_text(".flash")
        assert "排名" in office.inner_text("#result") and "2" in office.inner_text("#result")

        # the 督导反馈意见书 with two 整改 items
        office.fill("textarea[name=opinion]", "天心镇党委政府重视教育工作，控辍保学和校园周边治理仍需加强。")
        office.fill("input[name=problem_1]", "2名辍学学生未劝返复学")
        office.fill("input[name=requirement_1]", "30日内劝返复学并建立动态台账")
        office.fill("input[name=deadline_1]", "2027-01-15")
        office.select_option("select[name=indicator_1]", str(rows[3].id))
        office.fill("input[name=problem_2]", "校园周边存在流动摊点")
        office.fill("input[name=requirement_2]", "联合市场监管部门限期整治")
        office.fill("input[name=deadline_2]", "2026-11-30")
        office.click("#feedback-form button[type=submit]")
        assert "2 项整改事项已进入整改流程" in office.inner_text(".flash")
        assert "督反馈〔2026〕1号" in office.inner_text("#feedback-paper")
        with office.expect_download() as download:
            office.click("#feedback-paper a.doc-docx")
        paper = Document(download.value.path())
        text = "\n".join(p.text for p in paper.paragraphs)
        cells = " ".join(c.text for t in paper.tables for r in t.rows for c in r.cells)
        assert "督导反馈意见书" in text and TIANXIN in text and "督反馈〔2026〕1号" in text
        assert "排名第 2 位" in text and "2名辍学学生未劝返复学" in cells and "实地核查：" in cells

        with hook.runtime.db.session() as session:
            items = evaluations.rectifications_of(session, tianxin_id)
            numbers = [r.number for r in items]
        assert len(numbers) == 2

        # the chain: the unit is told of each item, signs both over the webhook; the late one is 督办'd
        assert _deliver(worker) == 2 + 1  # two 整改通知 and the office's alert of the submitted 自评
        issued = [m for m in fake_wechat.sent(TOWN_OPENID) if m["type"] == "template"]
        assert [m["body"]["template_id"] for m in issued[1:]] == ["tpl-rectification_issued"] * 2
        for number in numbers:
            answer = hook.sender.send(hook.sender.text(TOWN_OPENID, f"签收 {number}"))
            assert answer.status == 200 and number in answer.content
        with hook.runtime.db.session() as session:
            assert [session.scalar(select(Rectification.state).where(Rectification.number == n)) for n in numbers] == [
                "acknowledged", "acknowledged"]  # fmt: skip
        overdue = datetime.combine(date(2026, 12, 2), time(9), SHANGHAI)
        assert rectification_sweep.step(hook.runtime.db, overdue)["escalated_supervision_notice"] == 1
        with hook.runtime.db.session() as session:
            late = session.scalar(select(Rectification).where(Rectification.number == numbers[1]))
            assert late is not None and late.level == 1

        # the ranking, the annual report and /public
        office.goto(f"{url}/office/evaluation?year=2026")
        ranking = office.inner_text("#system-township table.results")
        assert ranking.index(KONGTIAN) < ranking.index(TIANXIN) and "93.0" in ranking and "优秀" in ranking
        report = office_context.request.get(f"{url}/office/export/annual.xlsx?year=2026")
        assert report.ok
        sheet = load_workbook(io.BytesIO(report.body()))["督政评价"]
        ranked = [[c.value for c in row][1:6] for row in sheet.iter_rows(min_row=3)]
        assert ranked == [[1, KONGTIAN, None, 100.0, "优秀"], [2, TIANXIN, 98.0, 93.0, "优秀"]]
        assert TIANXIN not in office_context.request.get(f"{url}/public/evaluations").text()
        office.goto(f"{url}/office/evaluation?year=2026")
        office.click("#system-township form:has(input[name=publish]) button")
        public = office_context.new_page()
        public.set_viewport_size({"width": 390, "height": 844})
        public.goto(f"{url}/public/evaluations")
        shown = public.inner_text("#public-2026-township")
        assert TIANXIN in shown and "优秀" in shown and system_id
