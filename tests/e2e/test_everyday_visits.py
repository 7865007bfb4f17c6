"""End to end over the real webhook, on a county whose master data carries prefixed official names: visits in
everyday names, a plan and a question recorded as nothing, a draft confirmed by `好的`, a follow-up joining the
record just made, a school corrected by `不对，是…`, and `撤销` twice leaving the older record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from backend.domain.calendar import WorkingCalendar, local_date
from backend.domain.kinds import RectificationState, Role
from backend.services import binding
from backend.services.authority import current_authority
from backend.store.models import Assignment, Inspector, Rectification, Unit, Visit
from messages import t
from tests.e2e.webhook_support import SECRET_KEY, STACKS, Stack, Webhook, open_stack, running_webhook

pytestmark = pytest.mark.e2e

SCHOOLS = (
    ("3607260001", "安远县城关第二小学"),
    ("3607260002", "安远县天心镇初级中学"),
    ("3607260003", "安远县特殊教育学校"),
    ("3607260004", "安远县天心镇中心小学"),
)


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest) -> Iterator[Stack]:
    yield from open_stack(request)


@pytest.fixture
def hook(stack: Stack) -> Iterator[Webhook]:
    with running_webhook(stack.db, stack.kv, safe=False) as running:
        yield running


def say(hook: Webhook, text: str) -> str:
    answer = hook.sender.send(hook.sender.text("o-wang", text))
    assert answer.status == 200
    return answer.content


def seed(hook: Webhook) -> dict[str, int]:
    with hook.runtime.db.session() as session:
        authority = current_authority(session)
        authority.name = "安远县教育督导委员会"
        wang = Inspector(authority_id=authority.id, number="DX001", name="王建国", phone="13800000001")
        units = [Unit(authority_id=authority.id, code=code, name=name, kind="primary") for code, name in SCHOOLS]
        session.add_all([wang, *units])
        session.flush()
        session.add_all(Assignment(inspector_id=wang.id, unit_id=u.id, starts_on=date(2024, 9, 1)) for u in units)
        ids = {u.name: u.id for u in units}
        code = binding.issue_code(session, role=Role.INSPECTOR, key="DX001", pepper=SECRET_KEY, actor="test").code
    say(hook, f"绑定 {code}")
    return ids


def visits(hook: Webhook) -> list[Visit]:
    with hook.runtime.db.session() as session:
        rows = list(session.scalars(select(Visit).order_by(Visit.id)))
        session.expunge_all()
        return rows


def test_an_inspector_is_understood_in_everyday_names(hook: Webhook) -> None:
    ids = seed(hook)
    clock = hook.runtime.clock

    # the help's example names one of his own schools
    assert "安远县" not in say(hook, "帮助").split("例如")[1].split("\n")[1]

    # a plan and a question are answered, not recorded
    assert "已记录" not in say(hook, "下午准备去城关二小")
    assert "已记录" not in say(hook, "取消")
    assert "整改" in say(hook, "城关二小的整改报告交上来了吗？")
    assert visits(hook) == []

    # an everyday name, a problem with its requirement: a draft with a 3-working-day deadline, confirmed by 好的
    summary = say(hook, "今天在城关二小，消防通道堆了杂物，要求3天内清理干净")
    assert "安远县城关第二小学" in summary and "消防通道堆了杂物" in summary and "确认整改" in summary
    with hook.runtime.db.session() as session:
        draft = session.scalars(select(Rectification)).one()
        today = local_date(clock.now())
        assert draft.deadline == WorkingCalendar().add_working_days(today, 3) and draft.requirement == "清理干净"
    assert "已发出整改通知" in say(hook, "好的")
    with hook.runtime.db.session() as session:
        assert session.scalars(select(Rectification.state)).one() == RectificationState.ISSUED

    # a follow-up moments later joins the visit just logged
    assert "安远县特殊教育学校" in say(hook, "我今天去了特殊教育学校")
    added = say(hook, "看了食堂，很干净")
    assert "已补充" in added and "安远县特殊教育学校" in added
    assert len(visits(hook)) == 2 and "7" in visits(hook)[-1].items

    # 3号 names no school when no list was shown: asked, not taken for the third
    assert "已记录" not in say(hook, "3号学校 今天查阅了招生资料")
    say(hook, "取消")

    # a school corrected by 不对，是…
    first = say(hook, "今天在城关二小听了一节数学课")
    assert "安远县城关第二小学" in first
    fixed = say(hook, "不对，是天心初中")
    assert "安远县天心镇初级中学" in fixed
    assert visits(hook)[-1].unit_id == ids["安远县天心镇初级中学"]

    # 撤销 twice: the latest record goes, the older ones stay
    assert "已撤销" in say(hook, "撤销")
    assert "已撤销" not in say(hook, "撤销")
    rows = visits(hook)
    assert [v.revoked_at is None for v in rows] == [True, True, False]


def test_an_extension_by_a_duration_a_command_slip_and_a_new_visit_while_asked(hook: Webhook) -> None:
    from backend.services import rectifications

    ids = seed(hook)

    # a slip in a command is asked about, and a plain yes runs it
    assert say(hook, "我的学效") == "您是想查看“我的学校”吗？回复“是”即可。"
    assert "安远县城关第二小学" in say(hook, "是")
    assert say(hook, "待 办") == t("visits.slip", action=t("visits.slip.待办"))
    say(hook, "取消")

    # a question is open (which 天心?), and a whole new visit message is taken as new, not swallowed
    asked = say(hook, "今天去天心看了食堂")
    assert "序号" in asked and "已记录" not in asked
    new = say(hook, "今天在城关二小看了大课间，学生做操很认真")
    assert "已记录" in new and "安远县城关第二小学" in new
    assert [v.unit_id for v in visits(hook)] == [ids["安远县城关第二小学"]]

    # 同意延期 <no.> 两周: two weeks after the current deadline
    summary = say(hook, "今天在天心初中，灭火器过期，要求12月10日前更换")
    assert "已记录" in summary
    say(hook, "确认整改")
    with hook.runtime.db.session() as session:
        item = session.scalars(select(Rectification)).one()
        rectifications.acknowledge(session, item.id, actor="unit:test")
        rectifications.request_extension(session, item.id, reason="等待设备到货", actor="unit:test")
        number, deadline = item.number, item.deadline
    granted = say(hook, f"同意延期 {number} 两周")
    with hook.runtime.db.session() as session:
        assert session.scalars(select(Rectification.deadline)).one() == deadline + timedelta(days=14), granted
    assert "看不懂" not in say(hook, f"同意延期 {number} 过几天")


def test_an_open_question_never_swallows_a_question_thanks_or_a_slip(hook: Webhook) -> None:
    seed(hook)
    # a plan records nothing and leaves no question open behind it
    assert say(hook, "下午准备去特校") == t("visits.plan")
    assert "特殊教育学校" in say(hook, "特校的整改报告交上来了吗？")
    # a visit on a vague day: the day is asked ...
    assert "哪一天" in say(hook, "前几天去了城关二小，看了食堂，很干净")
    # ... but what follows and is no day is answered for what it is, and nothing is recorded from it
    assert "特殊教育学校" in say(hook, "特校的整改报告交上来了吗？")
    assert "哪一天" in say(hook, "前几天去了城关二小，看了食堂，很干净")
    assert say(hook, "谢谢") == t("visits.chat.thanks")
    assert "哪一天" in say(hook, "前几天去了城关二小，看了食堂，很干净")
    assert "我的学校" in say(hook, "我的学效")
    assert "安远县城关第二小学" in say(hook, "是")
    assert visits(hook) == []
    # and a day still answers the question
    assert "哪一天" in say(hook, "前几天去了城关二小，看了食堂，很干净")
    assert "已记录" in say(hook, "昨天")
    assert len(visits(hook)) == 1


def test_a_school_named_for_an_idea_is_known_by_its_stem() -> None:
    from backend.domain.school_names import Kind, SchoolNames, SchoolRef

    schools = [SchoolRef(1, "青禾县育才实验学校"), SchoolRef(2, "安远县版石中学"), SchoolRef(3, "安远县版石镇中心小学")]
    names = SchoolNames.build(schools, ["青禾县", "安远县"])
    for said in ("育才", "育才学校", "育才实验", "育才实验学校"):
        assert names.find(f"今天去{said}看了食堂", schools).school_id == 1, said
    assert names.find("今天去版石看了食堂", schools).kind is not Kind.EXACT  # a town's name names no one school
