"""Never drop, never double: WeChat's retries, a store outage, and a handler slower than WeChat's patience."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from backend.domain.kinds import Role
from backend.kv import RedisKV
from backend.services import binding
from backend.store.models import AuditEvent, InboundDelivery, OutboxMessage, WechatIdentity
from bot.fake_wechat.pusher import Answer, Push, WeChatPusher
from bot.handlers import Context
from bot.replies import Reply
from bot.router import ROUTES, Route, Router, keyword
from messages import t
from tests.e2e.webhook_support import SECRET_KEY, Stack, running_webhook, seed_school, wait_for

pytestmark = pytest.mark.e2e


def concurrently(sender: WeChatPusher, pushes: list[Push]) -> list[Answer]:
    """Send the pushes at the same moment, one thread each."""
    answers: list[Answer | None] = [None] * len(pushes)
    barrier = threading.Barrier(len(pushes))

    def send(i: int) -> None:
        barrier.wait()
        answers[i] = sender.send(pushes[i])

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(pushes))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert all(a is not None for a in answers)
    return [a for a in answers if a is not None]


def retries_of(sender: WeChatPusher, push: Push, n: int = 3) -> list[Push]:
    """WeChat's retries of one message: the same body, each signed afresh."""
    return [push] + [sender.wrap(push.message, fields=push.fields) for _ in range(n - 1)]


def count(on: Stack, model: type, *where: object) -> int:
    with on.db.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


def issue(on: Stack, role: Role, key: str) -> str:
    with on.db.session() as session:
        return binding.issue_code(session, role=role, key=key, pepper=SECRET_KEY, actor="office:test").code


@pytest.mark.parametrize("safe", [False, True], ids=["plaintext", "safe"])
def test_three_concurrent_retries_make_one_record_one_effect_and_the_same_reply(
    stack: Stack,
    safe: bool,
) -> None:
    school = seed_school(stack.db)
    code = issue(stack, Role.INSPECTOR, school.inspector_number)
    with running_webhook(stack.db, stack.kv, safe=safe) as hook:
        push = hook.sender.text("o-inspector", f"绑定 {code}")
        answers = concurrently(hook.sender, retries_of(hook.sender, push))
        later = hook.sender.send(hook.sender.wrap(push.message, fields=push.fields))  # a retry after the fact
    assert {a.status for a in answers} == {200}
    expected = t("bot.bind.bound.inspector", name=school.inspector_name)
    assert [a.content for a in [*answers, later]] == [expected] * 4
    assert count(stack, InboundDelivery) == 1
    assert count(stack, AuditEvent, AuditEvent.action == "binding.bound") == 1


def test_with_the_store_down_a_retried_delivery_is_still_recorded_once(stack: Stack) -> None:
    seed_school(stack.db)
    down = RedisKV("redis://127.0.0.1:1/0")
    with running_webhook(stack.db, down, safe=False) as hook:
        push = hook.sender.text("o-parent", "你好")
        answers = concurrently(hook.sender, retries_of(hook.sender, push))
        later = hook.sender.send(hook.sender.wrap(push.message, fields=push.fields))
    assert [a.content for a in [*answers, later]] == [t("bot.help.public")] * 4
    assert count(stack, InboundDelivery) == 1
    assert count(stack, WechatIdentity) == 1


def test_with_the_store_down_binding_is_refused_rather_than_unlimited(stack: Stack) -> None:
    school = seed_school(stack.db)
    code = issue(stack, Role.UNIT, school.code)
    with running_webhook(stack.db, RedisKV("redis://127.0.0.1:1/0"), safe=False) as hook:
        answer = hook.sender.send(hook.sender.text("o-contact", f"绑定 {code}"))
    assert answer.content == t("bot.bind.unavailable")
    assert count(stack, WechatIdentity, WechatIdentity.role == Role.UNIT.value) == 0


def slow_router(delay: float, calls: list[str]) -> Router:
    def slow(ctx: Context) -> Reply:
        calls.append(ctx.inbound.get("MsgId"))
        time.sleep(delay)
        return Reply.text("慢慢来的回复")

    return Router((Route("text", slow, keyword("^慢$")), *ROUTES))


def test_a_slow_handler_is_answered_in_budget_and_its_reply_goes_through_the_outbox(stack: Stack) -> None:
    calls: list[str] = []
    with running_webhook(stack.db, stack.kv, safe=True, router=slow_router(1.5, calls), budget=0.5) as hook:
        push = hook.sender.text("o-patient", "慢")
        answer = hook.sender.send(push)
        assert answer.is_success
        assert answer.elapsed < 1.0
        # WeChat would not retry after `success`; a retry that comes anyway finds the delivery and stays quiet
        assert wait_for(lambda: count(stack, OutboxMessage) == 1)
        retry = hook.sender.send(hook.sender.wrap(push.message, fields=push.fields))
        assert retry.is_success
        fast = hook.sender.send(hook.sender.text("o-patient", "帮助"))
        assert fast.content == t("bot.help.public")
    assert calls == [str(push.fields["MsgId"])]
    with stack.db.session() as session:
        late = session.scalars(select(OutboxMessage)).one()
        assert (late.openid, late.kind, late.payload["content"]) == ("o-patient", "text", "慢慢来的回复")
    assert count(stack, InboundDelivery) == 2


def test_a_retry_while_the_first_attempt_runs_waits_for_its_reply(stack: Stack) -> None:
    calls: list[str] = []
    with running_webhook(stack.db, stack.kv, safe=False, router=slow_router(0.8, calls), budget=3.0) as hook:
        push = hook.sender.text("o-patient", "慢")
        first: list[Answer] = []
        thread = threading.Thread(target=lambda: first.append(hook.sender.send(push)))
        thread.start()
        time.sleep(0.2)
        retry = hook.sender.send(hook.sender.wrap(push.message, fields=push.fields))
        thread.join()
    assert first[0].content == retry.content == "慢慢来的回复"
    assert len(calls) == 1
    assert count(stack, OutboxMessage) == 0


def test_a_failing_handler_answers_politely_and_a_retry_can_succeed(stack: Stack) -> None:
    attempts: list[int] = []

    def flaky(ctx: Context) -> Reply:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("database hiccup")
        return Reply.text("第二次成功")

    router = Router((Route("text", flaky, keyword("^试试$")), *ROUTES))
    with running_webhook(stack.db, stack.kv, safe=False, router=router) as hook:
        push = hook.sender.text("o-1", "试试")
        first = hook.sender.send(push)
        second = hook.sender.send(hook.sender.wrap(push.message, fields=push.fields))
    assert first.status == 200 and first.content == t("bot.error.fallback")
    assert "Traceback" not in first.body
    assert second.content == "第二次成功"
    assert count(stack, InboundDelivery) == 1


def test_reply_latency_is_far_inside_the_budget(stack: Stack) -> None:
    """Not a benchmark: a guard that the ordinary path stays in tens of milliseconds."""
    school = seed_school(stack.db)
    with running_webhook(stack.db, stack.kv, safe=True) as hook:
        timings = []
        for i in range(30):
            push = hook.sender.scan(f"o-{i}", f"s:{school.code}") if i % 2 else hook.sender.text(f"o-{i}", "你好")
            timings.append(hook.sender.send(push).elapsed)
    timings.sort()
    p50, p95 = timings[len(timings) // 2], timings[int(len(timings) * 0.95)]
    print(f"\n[{stack.name}] safe-mode reply latency p50={p50 * 1000:.1f} ms p95={p95 * 1000:.1f} ms")
    assert p95 < 1.0


def test_deliveries_expire_from_the_store_but_not_from_the_database(stack: Stack) -> None:
    with running_webhook(stack.db, stack.kv, safe=False) as hook:
        push = hook.sender.text("o-1", "你好")
        hook.sender.send(push)
        stack.kv.delete(f"wechat:delivery:msg:{push.fields['MsgId']}")  # as if its five minutes were over
        again = hook.sender.send(hook.sender.wrap(push.message, fields=push.fields))
    assert again.content == t("bot.help.public")
    assert count(stack, InboundDelivery) == 1
