"""Issue 14, done when: a 专项 task with a 10-item checklist for 20 schools and 3 inspectors, over the real signed
safe-mode webhook on loopback; checks done by chat (numbered answers, a photo where required, 跳过, 返回, 暂停 and
继续, a location check-in) and by the in-WeChat form (a signed link, photos uploaded, a draft saved, then submitted),
both giving the same record; failed items become draft rectifications confirmed with one word, whose notices reach
the units at the fake WeChat API. Then a 暗访 sample is drawn, and the fake WeChat shows no push to its schools until
their check is complete.
"""

from __future__ import annotations

import io
import re
import time
from datetime import timedelta
from typing import Any

import pytest
import requests
from PIL import Image
from sqlalchemy import select

from backend.app import wire_notifier
from backend.config import Config
from backend.domain.calendar import local_date
from backend.domain.kinds import CheckProgress, CheckState, RectificationState, Role, VisitKind
from backend.runtime import Runtime
from backend.services import binding, task_checks, tasks
from backend.services.office import task_results
from backend.services.office_users import OfficeRole, Scope
from backend.store.models import (
    Checklist,
    ChecklistItem,
    Inspector,
    Media,
    Rectification,
    Task,
    TaskAnswer,
    TaskTarget,
    Unit,
    Visit,
)
from bot.fake_wechat import RunningFakeWeChat
from tests.builders import County
from tests.e2e.webhook_support import SECRET_KEY, Webhook, deliver_all

pytestmark = pytest.mark.e2e
pytest_plugins = ["tests.fake_wechat_fixture"]

TOWNS = ("欣山镇", "天心镇", "版石镇", "孔田镇", "鹤子镇", "三百山镇", "车头镇", "镇岗乡", "凤山乡", "新龙乡")
SCHOOLS = [
    (f"36072610{n:02d}", f"安远县{town}{kind}", "primary" if kind == "中心小学" else "junior")
    for n, (town, kind) in enumerate(((t, k) for t in TOWNS for k in ("中心小学", "初级中学")), start=1)
]
# 序号, 检查内容, 类型, 分值, 选项, 不合格须整改, 需拍照 — a 食堂食品安全 list written from the national headings
ITEMS: list[tuple[str, str, str, float, list[dict[str, Any]], bool, bool]] = [
    ("1", "食堂持有效食品经营许可证并公示", "yes_no", 10, [], True, False),
    ("2", "从业人员持有效健康证明上岗", "yes_no", 10, [], True, False),
    ("3", "消防器材在有效期内、通道畅通", "yes_no", 10, [], True, True),
    ("4", "食品留样48小时以上、每样不少于125克", "yes_no", 10, [], True, False),
    ("5", "校领导陪餐记录完整", "score", 10, [], False, False),
    (
        "6",
        "原料进货查验记录",
        "choice",
        10,
        [
            {"label": "符合", "passed": True},
            {"label": "基本符合", "passed": True, "score": 6},
            {"label": "不符合", "passed": False},
        ],
        True,
        False,
    ),
    ("7", "后厨加工区生熟分开", "yes_no", 10, [], True, True),
    ("8", "晨检记录缺失天数", "number", 10, [], False, False),
    ("9", "餐具清洗消毒", "score", 10, [], True, False),
    ("10", "其他需要说明的情况", "text", 0, [], False, False),
]
TEMPLATES = {n: f"tpl-{n}" for n in ("task_assigned", "task_due_soon", "rectification_issued", "office_alert")}
INSPECTORS = (("DX001", "王建国", "o-wang-01"), ("DX002", "李秀英", "o-li-0001"), ("DX003", "张卫东", "o-zhang-01"))


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


class Run:
    def __init__(self, hook: Webhook, fake: RunningFakeWeChat) -> None:
        self.hook, self.fake = hook, fake
        config = fake.configure(Config(database_url=hook.runtime.db.url, templates=TEMPLATES))
        self.worker = wire_notifier(Runtime(config=config, db=hook.runtime.db, kv=hook.runtime.kv))

    def say(self, openid: str, text: str) -> str:
        """As WeChat does it: a message whose answer missed the time budget is sent again, and the retry gets the
        answer the first delivery stored (a loaded machine may need the retry; the record is made once)."""
        push = self.hook.sender.text(openid, text)
        for _ in range(3):
            answer = self.hook.sender.send(push)
            assert answer.status == 200
            if answer.content:
                return answer.content
            time.sleep(1)
        return answer.content

    def photo(self, openid: str, media_id: str) -> str:
        return self.hook.sender.send(self.hook.sender.image(openid, media_id=media_id)).content

    def location(self, openid: str, lat: float, lng: float) -> str:
        return self.hook.sender.send(self.hook.sender.location(openid, lat=lat, lng=lng)).content

    def deliver(self) -> int:
        return deliver_all(self.worker, TEMPLATES)

    def sweep(self) -> dict[str, int]:
        return task_checks.sweep_step(self.hook.runtime.db, self.hook.runtime.clock.now())


def seed(run: Run) -> dict[str, Any]:
    db = run.hook.runtime.db
    with db.session() as session:
        county = County(session)
        county.authority.name = "安远县教育督导委员会"
        zone = county.zone("欣山督学责任区")
        units = [
            county.school(code, name, kind=kind, zone=zone, latitude=25.13 + n / 100, longitude=115.39)
            for n, (code, name, kind) in enumerate(SCHOOLS)
        ]
        people = [county.inspector(number, name, f"1380000000{n}") for n, (number, name, _o) in enumerate(INSPECTORS)]
        for n, unit in enumerate(units):
            county.assign(people[n * 3 // len(units)], unit)
            county.contact(f"o-unit-{unit.code}", Role.UNIT, unit_id=unit.id)
        for (_number, _name, openid), person in zip(INSPECTORS[1:], people[1:], strict=True):
            county.contact(openid, Role.INSPECTOR, inspector_id=person.id)  # bound long ago: outside the window
        checklist = Checklist(authority_id=county.authority.id, name="食堂食品安全专项督导评估表", version=1)
        checklist.items = [
            ChecklistItem(
                position=p,
                number=n,
                section="一、食堂管理" if p <= 5 else "二、加工与记录",
                text=text,
                answer_type=kind,
                score=score,
                options=options,
                rectify_on_fail=rectify,
                photo_required=photo,
            )
            for p, (n, text, kind, score, options, rectify, photo) in enumerate(ITEMS, start=1)
        ]
        session.add(checklist)
        session.flush()
        today = local_date(db.clock.now())
        task = tasks.create_task(
            session,
            county.authority.id,
            name="2026年秋季学期食堂食品安全专项督导",
            kind="special",
            checklist_id=checklist.id,
            inspector_ids=[p.id for p in people],
            starts_on=today,
            ends_on=today + timedelta(days=14),
            actor="office:test",
            unit_ids=[u.id for u in units],
        )
        code = binding.issue_code(session, role=Role.INSPECTOR, key="DX001", pepper=SECRET_KEY, actor="test").code
        ids = {
            "task": task.id,
            "checklist": checklist.id,
            "people": [p.id for p in people],
            "units": {u.name: u.id for u in units},
        }
    assert "王建国" in run.say("o-wang-01", f"绑定 {code}")
    run.fake.interact("o-wang-01")
    return ids


def answers_of(run: Run, target_id: int) -> list[tuple[Any, ...]]:
    with run.hook.runtime.db.session() as session:
        rows = session.scalars(
            select(TaskAnswer)
            .join(ChecklistItem, ChecklistItem.id == TaskAnswer.item_id)
            .where(TaskAnswer.target_id == target_id)
            .order_by(ChecklistItem.position)
        ).all()
        return [(a.value, a.passed, a.score, a.skipped, len(a.media_ids)) for a in rows]


def target_of(run: Run, task_id: int, unit_name: str) -> TaskTarget:
    with run.hook.runtime.db.session() as session:
        found = session.scalars(
            select(TaskTarget)
            .join(Unit, Unit.id == TaskTarget.unit_id)
            .where(TaskTarget.task_id == task_id, Unit.name == unit_name)
        ).one()
        session.expunge(found)
        return found


def form_path(reply: str) -> str:
    found = re.search(r"https?://[^\s]+(/f/check\?k=[A-Za-z0-9_.\-]+)", reply)
    assert found, reply
    return found.group(1)


def test_a_task_is_done_by_chat_and_by_the_form_and_its_failures_reach_the_units(
    hook: Webhook, fake_wechat: RunningFakeWeChat
) -> None:
    run = Run(hook, fake_wechat)
    ids = seed(run)

    # each team inspector hears of the task once: 王 (who just wrote) as text, the others as a template
    assert run.sweep() == {"announced": 3}
    assert run.sweep() == {}
    run.deliver()
    [told] = fake_wechat.sent("o-wang-01")
    assert told["type"] == "text" and "食堂食品安全" in str(told["body"])
    assert [m["type"] for m in fake_wechat.sent("o-li-0001")] == ["template"]

    # 任务 lists 王's schools with their progress; a number starts one, with the form's link
    listed = run.say("o-wang-01", "任务")
    assert "未开始" in listed and "安远县欣山镇中心小学" in listed
    first = run.say("o-wang-01", "1")
    assert "安远县欣山镇中心小学" in first and "/f/check?k=" in first and "第1/10项" in first and "1 是" in first
    assert "已签到" in run.location("o-wang-01", 25.1301, 115.3902)
    assert "第2/10项" in run.say("o-wang-01", "1")
    assert "第3/10项" in run.say("o-wang-01", "是")
    asked = run.say("o-wang-01", "2 灭火器过期")  # item 3 failed, and it wants a photo
    assert "照片" in asked
    assert "照片" in run.say("o-wang-01", "1")  # no answer while the photo is awaited
    media_id = fake_wechat.seed_media(png(), "image/png", "fire.png")
    assert "第4/10项" in run.photo("o-wang-01", media_id)
    assert "第5/10项" in run.say("o-wang-01", "1")
    assert "0～10" in run.say("o-wang-01", "12")  # a score out of range: what fits, and the item again
    assert "第4/10项" in run.say("o-wang-01", "返回")
    assert "第5/10项" in run.say("o-wang-01", "否 留样不足")  # re-answered: item 4 now fails
    paused = run.say("o-wang-01", "暂停")
    assert "已答4/10项" in paused
    assert "食堂" not in run.say("o-wang-01", "本月")  # other words mean what they always meant
    resumed = run.say("o-wang-01", "继续")
    assert "第5/10项" in resumed
    assert "第6/10项" in run.say("o-wang-01", "8")
    assert "第7/10项" in run.say("o-wang-01", "2")  # 基本符合: passes with its own 6 points
    assert "照片" in run.say("o-wang-01", "1")
    assert "第8/10项" in run.photo("o-wang-01", fake_wechat.seed_media(png(), "image/png", "kitchen.png"))
    assert "第9/10项" in run.say("o-wang-01", "3")
    assert "第10/10项" in run.say("o-wang-01", "跳过")
    assert "全部10项已答完" in run.say("o-wang-01", "厨房整洁")
    done = run.say("o-wang-01", "完成")
    assert "得分 44/70" in done and "不合格2项" in done and "确认整改" in done
    wang_target = target_of(run, ids["task"], "安远县欣山镇中心小学")
    assert wang_target.state == CheckState.DONE.value and wang_target.score == 44 and wang_target.max_score == 70
    assert wang_target.checkin_distance_m is not None and wang_target.checkin_distance_m < 100
    with hook.runtime.db.session() as session:
        visit = session.get(Visit, wang_target.visit_id)
        assert visit is not None and visit.kind == VisitKind.SPECIAL.value and "灭火器过期" in visit.problems
        drafts = session.scalars(select(Rectification).where(Rectification.visit_id == visit.id)).all()
        assert [d.state for d in drafts] == [RectificationState.DRAFT.value] * 2
        photos = session.scalars(select(Media).where(Media.owner_type == "task_answer")).all()
        assert len(photos) == 2 and {p.wechat_media_id for p in photos} >= {media_id}
    assert run.say("o-wang-01", "确认整改").startswith("已发出整改通知")
    run.deliver()
    unit_pushes = fake_wechat.sent("o-unit-3607261001")
    assert len(unit_pushes) == 2 and all("ZG-" in str(p["body"]) for p in unit_pushes)

    # 李 does a school by the form: named as people say it, the link from chat, a draft saved with a photo, submitted
    started = run.say("o-li-0001", "检查 孔田初中")
    assert "安远县孔田镇初级中学" in started
    path = form_path(started)
    page = requests.get(hook.url + path, timeout=10)
    assert page.status_code == 200 and "后厨加工区生熟分开" in page.text and 'name="p-' in page.text
    with hook.runtime.db.session() as session:
        items = {
            i.position: i.id
            for i in session.scalars(select(ChecklistItem).where(ChecklistItem.checklist_id == ids["checklist"]))
        }
    origin = {"Origin": hook.url}
    first_half = {f"a-{items[1]}": "1", f"a-{items[2]}": "1", f"a-{items[3]}": "2", f"r-{items[3]}": "灭火器过期"}
    saved = requests.post(
        hook.url + path,
        data={**first_half, "action": "save"},
        headers=origin,
        files={f"p-{items[3]}": ("fire.png", png(), "image/png")},
        timeout=10,
    )
    assert saved.status_code == 200 and "已保存草稿" in saved.text and "已答3/10项" in saved.text
    rest = {
        f"a-{items[4]}": "2",
        f"r-{items[4]}": "留样不足",
        f"a-{items[5]}": "8",
        f"a-{items[6]}": "2",
        f"a-{items[7]}": "1",
        f"a-{items[8]}": "3",
        f"s-{items[9]}": "1",
        f"a-{items[10]}": "厨房整洁",
    }
    missing = requests.post(hook.url + path, data={**rest, "action": "submit"}, headers=origin, timeout=10)
    assert missing.status_code == 400 and "需要照片" in missing.text  # item 7 wants its photo
    submitted = requests.post(
        hook.url + path,
        data={"action": "submit"},
        headers=origin,
        files={f"p-{items[7]}": ("kitchen.png", png(), "image/png")},
        timeout=10,
    )
    assert submitted.status_code == 200 and "检查已提交" in submitted.text and "44/70" in submitted.text
    li_target = target_of(run, ids["task"], "安远县孔田镇初级中学")
    assert answers_of(run, li_target.id) == answers_of(run, wang_target.id)  # the same record, by chat or by form
    assert requests.get(hook.url + path, timeout=10).text.count("已经完成") == 1
    assert requests.get(hook.url + path[:-2] + "xx", timeout=10).status_code == 403
    assert (
        requests.post(
            hook.url + path, data={"action": "submit"}, headers={"Origin": "https://evil.example"}, timeout=10
        ).status_code
        == 403
    )
    assert run.say("o-li-0001", "确认整改").startswith("已发出整改通知")
    run.deliver()
    assert len(fake_wechat.sent("o-unit-3607261008")) == 2

    # the office reads the results: per target, with the rectifications each produced, and per item
    with hook.runtime.db.session() as session:
        task = session.get(Task, ids["task"])
        assert task is not None
        office = Scope(0, "", "", OfficeRole.OFFICE, task.authority_id, None, None)
        found = task_results.task_results(session, office, task, local_date(hook.runtime.clock.now()))
    results = {r.target_id: r for r in found.targets}
    mine = results[wang_target.id]
    assert (mine.score, mine.max_score, mine.failed, mine.rectifications) == (44, 70, 2, 2)
    assert found.counts[CheckProgress.DONE] == 2 and results[li_target.id].score == 44
    assert [i.failed for i in found.items][:4] == [0, 0, 2, 2]  # both checks failed items 3 and 4
    mine_items = answers_of(run, wang_target.id)  # (value, passed, score, skipped, photos) per item
    assert [a[1] for a in mine_items][:4] == [True, True, False, False] and mine_items[8][3]
    assert mine_items[2][4] == 1

    # a retried delivery answers once and records once
    message = hook.sender.text("o-zhang-01", "任务")
    assert hook.sender.send(message).content == hook.sender.send(message).content
    progress = {v.unit_name: v.progress.value for v in _targets(run, ids["task"])}
    assert progress["安远县欣山镇中心小学"] == "done" and progress["安远县孔田镇初级中学"] == "done"
    assert list(progress.values()).count("not_started") == 18


def _targets(run: Run, task_id: int) -> list[tasks.TargetView]:
    with run.hook.runtime.db.session() as session:
        return tasks.targets_of_task(session, task_id, local_date(run.hook.runtime.clock.now()))


def test_an_unannounced_sample_reaches_no_school_before_its_check_is_complete(
    hook: Webhook, fake_wechat: RunningFakeWeChat
) -> None:
    run = Run(hook, fake_wechat)
    ids = seed(run)
    run.sweep()
    run.deliver()
    with hook.runtime.db.session() as session:
        authority = session.get(Inspector, ids["people"][0]).authority_id
        today = local_date(hook.runtime.clock.now())
        hidden = tasks.create_task(
            session,
            authority,
            name="食堂暗访",
            kind="unannounced",
            checklist_id=ids["checklist"],
            inspector_ids=[ids["people"][0]],
            starts_on=today,
            ends_on=today + timedelta(days=2),
            actor="office:test",
            sample=tasks.Sample(3, seed="20261123"),
        )
        sampled = [session.get(Unit, x.unit_id).code for x in hidden.targets]
        hidden_id = hidden.id
    assert run.sweep() == {"announced": 1, "reminded": 1}  # the window closes within 3 working days
    run.deliver()
    assert all(fake_wechat.sent(f"o-unit-{code}") == [] for code in sampled)

    # 王 checks the first sampled school by chat; every item fine but item 1
    listed = run.say("o-wang-01", "任务")
    assert "食堂暗访" in listed
    with hook.runtime.db.session() as session:
        first = session.scalars(
            select(TaskTarget).where(TaskTarget.task_id == hidden_id).order_by(TaskTarget.position)
        ).first()
        assert first is not None
        name = session.get(Unit, first.unit_id).name
    number = re.search(rf"(\d+)\. {name} —— 未开始", listed)
    assert number, listed
    run.say("o-wang-01", number.group(1))
    for said in ("2 许可证过期未公示", "1", "1"):
        run.say("o-wang-01", said)
    run.photo("o-wang-01", fake_wechat.seed_media(png(), "image/png", "a.png"))
    for said in ("1", "10", "1", "1"):
        run.say("o-wang-01", said)
    run.photo("o-wang-01", fake_wechat.seed_media(png(), "image/png", "b.png"))
    for said in ("0", "10", "无"):
        run.say("o-wang-01", said)
    assert all(fake_wechat.sent(f"o-unit-{code}") == [] for code in sampled)  # answered, not yet complete
    assert "不合格1项" in run.say("o-wang-01", "完成")
    run.say("o-wang-01", "确认整改")
    run.deliver()
    first_code = sampled[0]
    assert len(fake_wechat.sent(f"o-unit-{first_code}")) == 1  # complete: its rectification notice reaches it
    assert all(fake_wechat.sent(f"o-unit-{code}") == [] for code in sampled[1:])


def test_reminders_come_once_each_a_lost_conversation_resumes_and_hostile_forms_are_refused(
    hook: Webhook, fake_wechat: RunningFakeWeChat
) -> None:
    from backend.domain.calendar import SHANGHAI
    from backend.services.calendar import working_calendar
    from bot.conversation import Conversation
    from tests.integration.test_image_bombs import png_bomb

    run = Run(hook, fake_wechat)
    ids = seed(run)
    db = hook.runtime.db
    assert run.sweep() == {"announced": 3}
    with db.session() as session:
        calendar = working_calendar(session)
    ends_on = local_date(hook.runtime.clock.now()) + timedelta(days=14)

    def at(day: Any) -> Any:
        from datetime import datetime
        from datetime import time as clock_time

        return datetime.combine(day, clock_time(9), tzinfo=SHANGHAI)

    three_left, one_left = calendar.subtract_working_days(ends_on, 3), calendar.subtract_working_days(ends_on, 1)
    assert task_checks.sweep_step(db, at(three_left)) == {"reminded": 3}
    assert task_checks.sweep_step(db, at(three_left)) == {}
    assert task_checks.sweep_step(db, at(calendar.subtract_working_days(ends_on, 2))) == {}
    assert task_checks.sweep_step(db, at(one_left)) == {"reminded": 3}
    assert task_checks.sweep_step(db, at(ends_on)) == {}

    # the conversation is lost (Redis flushed, or hours of silence): 继续 picks the check up at its first open item
    run.say("o-wang-01", "任务")
    run.say("o-wang-01", "1")
    run.say("o-wang-01", "1")
    run.say("o-wang-01", "1")
    hook.runtime.kv.delete(Conversation.key_of("o-wang-01"))
    assert "第3/10项" in run.say("o-wang-01", "继续")
    link = run.say("o-wang-01", "表单")
    path = form_path(link)
    with db.session() as session:
        third = session.scalars(
            select(ChecklistItem.id).where(ChecklistItem.checklist_id == ids["checklist"], ChecklistItem.position == 3)
        ).one()
    bomb = requests.post(
        hook.url + path,
        data={"action": "save"},
        headers={"Origin": hook.url},
        files={f"p-{third}": ("bomb.png", png_bomb(20_000, 20_000, rgba=True), "image/png")},
        timeout=10,
    )
    assert bomb.status_code == 400 and "照片读不了或太大" in bomb.text and "Traceback" not in bomb.text
    bad_answer = requests.post(
        hook.url + path, data={f"a-{third}": "也许", "action": "save"}, headers={"Origin": hook.url}, timeout=10
    )
    assert bad_answer.status_code == 400 and "请回复 1（是）或 2（否）" in bad_answer.text
    assert answers_of(run, target_of(run, ids["task"], "安远县欣山镇中心小学").id) == [("是", True, 10, False, 0)] * 2
    # the office cancels the task: the form and the chat say so, and the chat's check ends
    from backend.store.models import Task

    with db.session() as session:
        session.get(Task, ids["task"]).state = "cancelled"
    closed = requests.get(hook.url + path, timeout=10)
    assert closed.status_code == 410 and "已结束或已撤销" in closed.text
    assert "已结束或已撤销" in run.say("o-wang-01", "1")
    assert "没有督导任务" in run.say("o-wang-01", "任务")
    # unbound, the link opens nothing
    run.say("o-wang-01", "解绑")
    refused = requests.get(hook.url + path, timeout=10)
    assert refused.status_code == 403 and "无法打开" in refused.text


def test_the_check_form_is_filled_and_submitted_on_a_390px_phone(
    hook: Webhook, fake_wechat: RunningFakeWeChat, tmp_path: Any
) -> None:
    from tests.e2e.browser import chromium_context

    run = Run(hook, fake_wechat)
    ids = seed(run)
    run.say("o-wang-01", "任务")
    path = form_path(run.say("o-wang-01", "1"))
    with hook.runtime.db.session() as session:
        items = {
            i.position: i.id
            for i in session.scalars(select(ChecklistItem).where(ChecklistItem.checklist_id == ids["checklist"]))
        }
    photo = {"name": "photo.png", "mimeType": "image/png", "buffer": png()}
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 3}
    with chromium_context(tmp_path / "profile", **phone) as context:
        page = context.new_page()
        page.goto(hook.url + path)
        assert "安远县欣山镇中心小学" in page.inner_text("h1")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
        for position in (1, 2, 4, 7):
            page.check(f"input[name=a-{items[position]}][value='1']")
        page.check(f"input[name=a-{items[3]}][value='2']")
        page.fill(f"input[name=r-{items[3]}]", "灭火器过期")
        page.set_input_files(f"input[name=p-{items[3]}]", files=[photo])
        page.fill(f"input[name=a-{items[5]}]", "9")
        page.check(f"input[name=a-{items[6]}][value='1']")
        page.fill(f"input[name=a-{items[8]}]", "0")
        page.check(f"input[name=s-{items[9]}]")
        page.fill(f"textarea[name=a-{items[10]}]", "整体较好")
        page.click("button[value=save]")
        assert "已保存草稿" in page.inner_text("main") and "第7项" not in page.inner_text("main")
        page.set_input_files(f"input[name=p-{items[7]}]", files=[photo])
        page.click("button[value=submit]")
        page.wait_for_selector("text=检查已提交")
        assert "得分 59/70" in page.inner_text("main")
    target = target_of(run, ids["task"], "安远县欣山镇中心小学")
    assert target.state == CheckState.DONE.value and target.score == 59
    with hook.runtime.db.session() as session:
        sources = set(session.scalars(select(TaskAnswer.source).where(TaskAnswer.target_id == target.id)))
        assert sources == {"form"}
