"""Issue 17 end to end: nothing fails silently, and a dead worker's pushes come back within seconds.

- Two real `dudao worker` processes on PostgreSQL + Redis send a backlog of rectification notices through the real
  client to the fake WeChat API (each send slowed down); one is killed (SIGKILL) mid-send; the survivor reclaims the
  dead one's handful of claims within seconds, says so in its log, and every notice arrives, none lost, none twice.
- A notice to a unit whose contact unfollowed (43004): a real worker gives it up, the office's WeChat gets one alert,
  and in headless Chromium the dashboard, the list and the record show 未送达 with the reason; after the contact
  follows again the office clicks 重新发送 and the worker delivers it.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from backend.services import office_users
from backend.services.outbox import LEASE
from backend.store.models import OutboxMessage, WorkerHeartbeat
from bot.fake_wechat import RunningFakeWeChat
from tests.conftest import REDIS_URL
from tests.e2e.browser import chromium_context, sign_in
from tests.e2e.conftest import serve_app
from tests.e2e.test_outbox_faults import TEMPLATE_PATH, issue, start_worker, states, stop, worker_env
from tests.e2e.webhook_support import Stack, wait_for
from tests.integration.test_office_web import PASSWORD, make_app
from tests.integration.test_rectification_lifecycle import OFFICE_OPENID, UNIT_OPENID, seed_county

pytestmark = pytest.mark.e2e
pytest_plugins = ["tests.fake_wechat_fixture"]

BACKLOG = 40
SEND_DELAY = 0.25  # seconds WeChat takes per template message


def holders(stack: Stack) -> dict[str, list[int]]:
    """Who holds which pending rows right now (by the worker's lease)."""
    with stack.db.session() as session:
        rows = session.execute(
            select(OutboxMessage.claimed_by, OutboxMessage.id).where(
                OutboxMessage.state == "pending", OutboxMessage.claimed_by != ""
            )
        ).all()
    held: dict[str, list[int]] = {}
    for who, message_id in rows:
        held.setdefault(who, []).append(message_id)
    return held


def test_a_worker_killed_mid_send_delays_a_handful_of_pushes_by_seconds_and_loses_none(
    stack: Stack, fake_wechat: RunningFakeWeChat, tmp_path: Path
) -> None:
    if stack.name != "postgresql+redis":
        pytest.skip("two worker processes at once is the PostgreSQL + Redis deployment")
    issue(stack.db, seed_county(stack.db), count=BACKLOG)
    fake_wechat.fail(TEMPLATE_PATH, delay=SEND_DELAY, count=10 * BACKLOG)  # slow, but every one is delivered
    env = worker_env(stack, fake_wechat, redis_url=REDIS_URL)
    first = start_worker(tmp_path, "w1", env)
    second = start_worker(tmp_path, "w2", env)
    processes = {first.pid: first, second.pid: second}
    try:
        # both are sending; find one that holds claims right now and kill it mid-send
        victim_claims: list[int] = []
        victim: subprocess.Popen[str] | None = None

        def someone_holds() -> bool:
            nonlocal victim, victim_claims
            for who, ids in holders(stack).items():
                pid = int(who.rsplit(":", 1)[-1])
                if pid in processes and states(stack.db).count("sent") >= 3:
                    victim, victim_claims = processes[pid], ids
                    return True
            return False

        assert wait_for(someone_holds, timeout=60)
        assert victim is not None
        victim.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        victim.wait(timeout=10)
        survivor = second if victim is first else first
        assert 1 <= len(victim_claims) <= 5  # a handful, not a batch of fifty

        def reclaimed_and_sent() -> bool:
            with stack.db.session() as session:
                got = session.scalars(select(OutboxMessage.state).where(OutboxMessage.id.in_(victim_claims))).all()
            return set(got) == {"sent"}

        assert wait_for(reclaimed_and_sent, timeout=60)
        delay = time.monotonic() - killed_at
        print(f"killed worker held {len(victim_claims)} push(es); all sent {delay:.1f} s after the kill")
        assert delay < LEASE.total_seconds() + 8, delay  # seconds, not the two minutes of the old lease
        assert wait_for(lambda: states(stack.db).count("sent") == BACKLOG, timeout=90)
    finally:
        outputs = {p.pid: stop(p) for p in (first, second)}
    survivor_log = outputs[survivor.pid]
    assert "reclaimed" in survivor_log and f":{victim.pid}" in survivor_log, survivor_log
    arrived = fake_wechat.sent(UNIT_OPENID)
    assert len(arrived) == BACKLOG  # none lost; a resend of the one in flight was dropped by its client_msg_id
    assert len({m["body"]["client_msg_id"] for m in arrived}) == BACKLOG
    assert fake_wechat.stats().get("template_deduplicated", 0) <= 1
    with stack.db.session() as session:  # the killed worker's heartbeat stays behind (health says it is gone)
        beats = {row.pid for row in session.scalars(select(WorkerHeartbeat))}
    assert victim.pid in beats and survivor.pid not in beats  # the survivor stopped cleanly and forgot itself


# --- the unfollowed unit, in a real browser ------------------------------------------------------------


@pytest.fixture
def browser_page(tmp_path: Path) -> Iterator[object]:
    with chromium_context(tmp_path / "chromium-profile", viewport={"width": 1366, "height": 900}) as context:
        yield context.new_page()


def test_an_unfollowed_units_notice_alerts_the_office_and_shows_undelivered_in_the_browser(
    stack: Stack, fake_wechat: RunningFakeWeChat, tmp_path: Path, browser_page: object
) -> None:
    page: object = browser_page
    seeded = seed_county(stack.db)
    with stack.db.session() as session:
        office_users.create_user(session, username="admin", password=PASSWORD, role=office_users.OfficeRole.OFFICE)
    fake_wechat.set_following(UNIT_OPENID, False)
    [number] = issue(stack.db, seeded)
    env = worker_env(stack, fake_wechat, redis_url=REDIS_URL if stack.name == "postgresql+redis" else None)
    env["DUDAO_TEMPLATE_OFFICE_ALERT"] = "tpl-office-alert"
    worker = start_worker(tmp_path, "worker", env)
    try:
        assert wait_for(lambda: len(fake_wechat.sent(OFFICE_OPENID)) == 1, timeout=60)  # the office's alert
        [alert] = fake_wechat.sent(OFFICE_OPENID)
        assert "城关第一小学" in str(alert["body"]) and fake_wechat.sent(UNIT_OPENID) == []
        with stack.db.session() as session:
            notice = session.scalars(
                select(OutboxMessage).where(OutboxMessage.openid == UNIT_OPENID, OutboxMessage.kind != "menu_tag")
            ).one()
            item_id = notice.subject_id
        with serve_app(make_app(stack.db, tmp_path)) as url:
            sign_in(page, url, "admin", PASSWORD)
            block = page.locator("#undelivered")  # type: ignore[attr-defined]
            assert block.is_visible()
            text = block.inner_text()
            assert "未送达的通知" in text and number in text and "对方已取消关注公众号" in text
            assert "城关第一小学联络人" in text and UNIT_OPENID not in page.content()  # type: ignore[attr-defined]
            page.screenshot(path=str(tmp_path / "undelivered-dashboard.png"), full_page=True)  # type: ignore[attr-defined]

            page.goto(f"{url}/office/rectifications")  # type: ignore[attr-defined]
            row = page.locator("tr", has_text=number)  # type: ignore[attr-defined]
            assert "未送达" in row.inner_text() and "取消关注" in row.inner_text()

            page.goto(f"{url}/office/rectifications/{item_id}")  # type: ignore[attr-defined]
            assert page.locator("#undelivered-mark").inner_text() == "未送达"  # type: ignore[attr-defined]

            fake_wechat.set_following(UNIT_OPENID, True)  # the office phoned; the contact follows again
            page.click(f"#undelivered-{notice.id} button:has-text('重新发送')")  # type: ignore[attr-defined]
            page.wait_for_url(f"{url}/office/rectifications/{item_id}")  # type: ignore[attr-defined]
            assert "已重新发送该通知" in page.content()  # type: ignore[attr-defined]
            assert wait_for(lambda: len(fake_wechat.sent(UNIT_OPENID)) == 1, timeout=60)
            page.reload()  # type: ignore[attr-defined]
            assert page.locator("#undelivered-mark").count() == 0  # type: ignore[attr-defined]
            page.goto(f"{url}/office/dashboard")  # type: ignore[attr-defined]
            assert page.locator("#undelivered").count() == 0  # type: ignore[attr-defined]
    finally:
        stop(worker)
    assert len(fake_wechat.sent(OFFICE_OPENID)) == 1  # alerted once, not again after the retry
