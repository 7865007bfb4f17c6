"""The edges of WeChat's protocol, over the real webhook (safe mode) on both stacks: two users' messages that carry
the same MsgId, events deduplicated on sender and time, pushes with repeated XML elements, and the replay window's
refusals and the clock drift that `/healthz` shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
import requests
from sqlalchemy import func, select

from backend.clock import Clock
from backend.domain.kinds import Role
from backend.services import binding
from backend.services.authority import current_authority
from backend.store.models import AuditEvent, InboundDelivery, Inspector, WechatIdentity
from bot.fake_wechat.pusher import WeChatPusher
from messages import t
from tests.e2e.test_webhook_delivery import concurrently, retries_of
from tests.e2e.webhook_support import SECRET_KEY, Stack, Webhook, seed_school

pytestmark = pytest.mark.e2e


def count(on: Stack, model: type, *where: object) -> int:
    with on.db.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


def code_for(on: Stack, number: str) -> str:
    with on.db.session() as session:
        return binding.issue_code(session, role=Role.INSPECTOR, key=number, pepper=SECRET_KEY, actor="office:t").code


def two_inspectors(on: Stack) -> tuple[str, str]:
    seed_school(on.db)  # 王建国, DX001
    with on.db.session() as session:
        authority = current_authority(session)
        session.add(Inspector(authority_id=authority.id, number="DX002", name="李秀英", phone="13800000002"))
    return code_for(on, "DX001"), code_for(on, "DX002")


def test_two_users_messages_with_the_same_msgid_are_each_handled_and_answered(stack: Stack, hook: Webhook) -> None:
    wang, li = two_inspectors(stack)
    msg_id = hook.sender.next_msg_id()
    first = hook.sender.text("o-wang-0001", f"绑定 {wang}", msg_id=msg_id)
    second = hook.sender.text("o-li-0002", f"绑定 {li}", msg_id=msg_id)  # WeChat's MsgId is not unique across users

    answers = concurrently(hook.sender, [first, second])
    retried = hook.sender.send(hook.sender.wrap(first.message, fields=first.fields))  # and a retry still dedupes

    assert [a.content for a in answers] == [
        t("bot.bind.bound.inspector", name="王建国"),
        t("bot.bind.bound.inspector", name="李秀英"),
    ]
    assert retried.content == answers[0].content
    assert count(stack, InboundDelivery) == 2
    assert count(stack, AuditEvent, AuditEvent.action == "binding.bound") == 2
    with stack.db.session() as session:
        roles = {row.openid: row.role for row in session.execute(select(WechatIdentity.openid, WechatIdentity.role))}
    assert roles == {"o-wang-0001": Role.INSPECTOR.value, "o-li-0002": Role.INSPECTOR.value}


def test_events_dedupe_on_sender_and_time_as_wechat_documents(stack: Stack, hook: Webhook) -> None:
    seed_school(stack.db)
    one = hook.sender.subscribe("o-parent-0001", scene="s:3607010001")
    other = hook.sender.subscribe("o-parent-0002", scene="s:3607010001")  # the same second, another user

    answers = concurrently(hook.sender, [*retries_of(hook.sender, one), other])

    assert {a.status for a in answers} == {200}
    assert len({a.content for a in answers[:3]}) == 1 and answers[0].content
    assert count(stack, InboundDelivery) == 2


def test_pushes_with_repeated_elements_are_read_as_lists_not_refused(stack: Stack, hook: Webhook) -> None:
    popup = hook.sender.subscribe_popup("o-parent-0003", {"tpl-received": "accept", "tpl-answered": "reject"})
    shake = hook.sender.shake(
        "o-parent-0003",
        [
            ("FDA50693-A4E2-4FB1-AFCF-C6EB07647825", 10001, 10002, 0.057),
            ("FDA50693-A4E2-4FB1-AFCF-C6EB07647825", 10001, 10003, 166.8),
            ("FDA50693-A4E2-4FB1-AFCF-C6EB07647825", 10001, 10004, 15.0),
        ],
    )
    for push in (popup, shake):
        answer = hook.sender.send(push)
        assert answer.status == 200 and answer.content == ""
    assert count(stack, InboundDelivery) == 2

    # a top-level field given twice still is: which sender or MsgId would count?
    doubled = hook.sender.text("o-parent-0003", "你好").message.replace("</xml>", "<MsgId>1</MsgId></xml>")
    assert hook.sender.send(hook.sender.wrap(doubled)).status == 400


def test_healthz_counts_replay_refusals_and_shows_the_clock_drift(stack: Stack, hook: Webhook) -> None:
    seed_school(stack.db)
    clock = hook.runtime.clock
    before = requests.get(f"{hook.url}/healthz", timeout=5).json()["wechat"]
    assert before["ok"] and before["clock_drift"]["last_seconds"] is None

    slow = hook.sender_with(clock=_shifted(clock, -40))  # WeChat's timestamps 40 s behind ours: accepted
    assert slow.send(slow.text("o-parent-0004", "你好")).status == 200
    for seconds in (-900, 400):  # 15 minutes behind, and over 5 minutes ahead: refused
        odd = hook.sender_with(clock=_shifted(clock, seconds))
        assert odd.send(odd.text("o-parent-0004", "你好")).status == 403
    forged = WeChatPusher(hook.url + "/wechat", token="not-the-token", appid="x", clock=_shifted(clock, -5000))
    assert forged.send(forged.text("o-parent-0004", "你好")).status == 403  # not WeChat: not counted

    health = requests.get(f"{hook.url}/healthz", timeout=5)
    assert health.status_code == 200  # a warning, not an outage
    wechat = health.json()["wechat"]
    assert wechat["replay_refusals"]["too_old"] == 1 and wechat["replay_refusals"]["too_new"] == 1
    assert wechat["replay_refusals"]["last_drift_seconds"] == 400
    assert wechat["clock_drift"]["max_abs_seconds"] == 900 and wechat["clock_drift"]["max_seconds"] == -900
    assert wechat["clock_drift"]["last_seconds"] == 400
    assert not wechat["ok"] and "300" in wechat["message"]


@dataclass(frozen=True)
class _Shifted:
    """A clock `seconds` off another."""

    clock: Clock
    seconds: int

    def now(self) -> datetime:
        return self.clock.now() + timedelta(seconds=self.seconds)


def _shifted(clock: Clock, seconds: int) -> Clock:
    return _Shifted(clock, seconds)
