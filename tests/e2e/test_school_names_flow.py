"""End to end over the real webhook, on a county whose master data carries prefixed names (安远): an inspector's
everyday names record at once; a phrase the bot does not know is asked, the pick is remembered and said back,
and the next message with that phrase records without a question; a near miss is confirmed with "是"; 整改 and
记录 take everyday names; a parent who writes before scanning is asked the school and keeps their message."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from backend.domain.kinds import Role
from backend.services import binding
from backend.store.models import Concern, Rectification, SchoolAlias, Visit
from messages import t
from tests.county_store import Stored, store_county
from tests.data.counties import ANYUAN
from tests.e2e.webhook_support import SECRET_KEY, Webhook

pytestmark = pytest.mark.e2e

ZHAO = ANYUAN.inspectors[1]  # 天心镇: 中心小学, 初级中学, 长河村小学, 长河教学点, 中心幼儿园
CENTRE = "安远县天心镇中心小学"


def say(hook: Webhook, openid: str, text: str) -> str:
    answer = hook.sender.send(hook.sender.text(openid, text))
    assert answer.status == 200
    return answer.content


def county(hook: Webhook) -> Stored:
    with hook.runtime.db.session() as session:
        return store_county(session, ANYUAN)


def bound_inspector(hook: Webhook, openid: str) -> None:
    with hook.runtime.db.session() as session:
        code = binding.issue_code(session, role=Role.INSPECTOR, key=ZHAO.number, pepper=SECRET_KEY, actor="test").code
    assert say(hook, openid, f"绑定 {code}") == t("bot.bind.bound.inspector", name=ZHAO.name)


def visits(hook: Webhook) -> list[tuple[int, str]]:
    with hook.runtime.db.session() as session:
        return [(v.unit_id, v.raw_text) for v in session.scalars(select(Visit).order_by(Visit.id))]


def test_an_inspector_is_understood_in_everyday_names_and_teaches_one(hook: Webhook) -> None:
    stored = county(hook)
    bound_inspector(hook, "o-zhao")
    centre = stored.units[ANYUAN.school(CENTRE).id]
    # the everyday name of a 镇中心小学, without county or 镇: recorded at once
    first = say(hook, "o-zhao", "今天去天心中心校看了食堂，很干净")
    assert CENTRE in first and "哪所" not in first
    assert visits(hook) == [(centre, "今天去天心中心校看了食堂，很干净")]
    # a phrase nobody built in: asked, picked from the list, remembered and said back once
    asked = say(hook, "o-zhao", "昨天在天心学校检查了校门值守")
    assert "天心学校" in asked and "1." in asked
    number = next(line.split(".")[0] for line in asked.splitlines() if line.endswith(CENTRE))
    picked = say(hook, "o-zhao", number)
    assert picked.startswith(t("school_names.learned", phrase="天心学校", school=CENTRE))
    assert [v[0] for v in visits(hook)] == [centre, centre]
    # the next message with that phrase records without a question, and is not told again
    again = say(hook, "o-zhao", "今天又去天心学校听了两节课")
    assert CENTRE in again and "已记住" not in again and "哪所" not in again
    assert len(visits(hook)) == 3
    with hook.runtime.db.session() as session:
        aliases = session.scalars(select(SchoolAlias)).all()
        assert [(a.phrase, a.unit_id) for a in aliases] == [("天心学校", centre)]
    # and it can be forgotten
    assert say(hook, "o-zhao", "忘记 天心学校") == t("school_names.forgotten", phrase="天心学校", school=CENTRE)
    assert "天心学校" in say(hook, "o-zhao", "今天去天心学校看了大课间")  # asked again
    say(hook, "o-zhao", "取消")


def test_a_near_miss_is_confirmed_with_one_word(hook: Webhook) -> None:
    stored = county(hook)
    bound_inspector(hook, "o-zhao")
    asked = say(hook, "o-zhao", "今天去天新中心校看了食堂")  # 新 for 心: pinyin input
    assert asked.startswith(t("school_names.confirm", said="天新中心校", school=CENTRE, choices="")[:20])
    assert visits(hook) == []
    recorded = say(hook, "o-zhao", "是")
    assert CENTRE in recorded
    assert [v[0] for v in visits(hook)] == [stored.units[ANYUAN.school(CENTRE).id]]


def test_rectify_and_the_dialogue_take_everyday_names(hook: Webhook) -> None:
    stored = county(hook)
    bound_inspector(hook, "o-zhao")
    drafted = say(hook, "o-zhao", "整改 天心初中 消防通道堆放杂物 12月10日前")
    assert "安远县天心初级中学" in drafted
    with hook.runtime.db.session() as session:
        draft = session.scalars(select(Rectification)).one()
        assert draft.unit_id == stored.units[ANYUAN.school("安远县天心初级中学").id]
    assert "第1步" in say(hook, "o-zhao", "记录")
    assert say(hook, "o-zhao", "长河村小") == t("visits.dialogue.kind")  # the school by name, not only by number
    say(hook, "o-zhao", "1")
    say(hook, "o-zhao", "7")
    say(hook, "o-zhao", "食堂留样规范")
    assert "安远县天心镇长河村小学" in say(hook, "o-zhao", "完成")
    assert [v[0] for v in visits(hook)] == [stored.units[ANYUAN.school("安远县天心镇长河村小学").id]]


def test_a_parent_who_writes_before_scanning_keeps_their_message(hook: Webhook) -> None:
    stored = county(hook)
    centre = stored.units[ANYUAN.school(CENTRE).id]
    # the school named in the message: the concern opens at once, with the message
    opened = say(hook, "o-parent-a", "安远县天心镇中心小学食堂的饭菜经常是冷的，孩子吃了肚子疼")
    assert CENTRE in opened and "T" in opened
    # no school named: asked, answered in everyday words, and the first message is the concern
    message = "学校门口早上堵车很严重，孩子过马路很危险，希望能安排人疏导"
    asked = say(hook, "o-parent-b", message)
    assert asked == t("concern.school.ask") + t("concern.school.kept")
    with hook.runtime.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Concern)) == 1
    answered = say(hook, "o-parent-b", "天心中心校")
    assert CENTRE in answered
    with hook.runtime.db.session() as session:
        concerns = session.scalars(select(Concern).order_by(Concern.id)).all()
        assert [(c.unit_id, c.content) for c in concerns] == [
            (centre, "安远县天心镇中心小学食堂的饭菜经常是冷的，孩子吃了肚子疼"),
            (centre, message),
        ]


def test_a_parent_who_writes_and_then_scans_keeps_their_message(hook: Webhook) -> None:
    stored = county(hook)
    message = "孩子说最近午饭分量很少，经常吃不饱，希望督学了解一下"
    assert say(hook, "o-parent-c", message) == t("concern.school.ask") + t("concern.school.kept")
    kindergarten = ANYUAN.school("安远县天心镇中心幼儿园")
    answer = hook.sender.send(hook.sender.scan("o-parent-c", f"s:{kindergarten.code}"))
    assert answer.status == 200
    assert kindergarten.name in answer.content and "T" in answer.content
    with hook.runtime.db.session() as session:
        concern = session.scalars(select(Concern)).one()
        assert (concern.unit_id, concern.content) == (stored.units[kindergarten.id], message)
