"""Rectification pushes under faults, end to end: the real client against the fake WeChat API, real workers.

Built on the outbox's own tests (tests/integration/test_outbox.py covers claim, lease and fallback at the unit
level); here the pushes come from the rectification use cases and the sweep, and the workers are real
`dudao worker` / `dudao sweep` processes. Each test counts what arrives at the fake: once, never twice, never lost.
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from backend.clock import SettableClock
from backend.domain.calendar import SHANGHAI, local_date
from backend.domain.kinds import OutboxState
from backend.services import rectifications as rect
from backend.services.calendar import working_calendar
from backend.services.outbox import given_up_messages, send_due
from backend.store.db import Database
from backend.store.models import OutboxMessage, WechatIdentity
from bot.fake_wechat import RunningFakeWeChat
from bot.wechat import WeChatClient
from tests.e2e.conftest import dudao, dudao_env, dudao_executable
from tests.e2e.webhook_support import Stack, wait_for
from tests.integration.test_rectification_lifecycle import OFFICE_OPENID, UNIT_OPENID, Seeded, seed_county

pytestmark = pytest.mark.e2e
pytest_plugins = ["tests.fake_wechat_fixture"]

TEMPLATE_PATH = "/cgi-bin/message/template/send"
CUSTOM_PATH = "/cgi-bin/message/custom/send"
TEMPLATES = {
    "rectification_issued": "tpl-issued",
    "rectification_due_soon": "tpl-due-soon",
    "reinspection_result": "tpl-result",
    "supervision_notice": "tpl-supervision",
}
DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def client(fake_wechat: RunningFakeWeChat, stack: Stack) -> Iterator[WeChatClient]:
    found = WeChatClient(
        fake_wechat.appid,
        fake_wechat.secret,
        api_base=fake_wechat.base_url,
        kv=stack.kv,
        timeout=(1.0, 1.0),
        busy_backoff=0.01,
    )
    yield found
    found.close()


def issue(db: Database, seeded: Seeded, count: int = 1, deadline: date | None = None) -> list[str]:
    numbers = []
    with db.session() as session:
        deadline = deadline or working_calendar(session).add_working_days(local_date(db.clock.now()), 5)
        for n in range(count):
            row = rect.propose_rectification(
                session,
                authority_id=seeded.authority_id,
                unit_id=seeded.unit_id,
                inspector_id=seeded.inspector_id,
                visit_id=None,
                item="6",
                problem=f"安全隐患 {n + 1}",
                requirement="限期整改",
                deadline=deadline,
                urgent=False,
                actor="inspector:1",
            )
            rect.issue_rectification(session, row.id, actor="inspector:1")
            numbers.append(row.number)
    return numbers


NOTICES = OutboxMessage.kind != "menu_tag"  # the seeded bindings' menu tags are test_menus_flow's matter


def states(db: Database) -> list[str]:
    with db.session() as session:
        return list(session.scalars(select(OutboxMessage.state).where(NOTICES).order_by(OutboxMessage.id)))


def send(db: Database, client: WeChatClient, *, after: timedelta = timedelta(0)) -> None:
    send_due(db, client, now=db.clock.now() + after, templates=TEMPLATES)


# --- WeChat answering badly ---


def test_a_busy_wechat_minus_one_is_retried_and_arrives_once(
    stack: Stack, client: WeChatClient, fake_wechat: RunningFakeWeChat
) -> None:
    issue(stack.db, seed_county(stack.db))
    fake_wechat.fail(TEMPLATE_PATH, errcode=-1, count=10)  # more than the client's own quick retries
    send(stack.db, client)
    assert fake_wechat.sent(UNIT_OPENID) == [] and states(stack.db) == ["pending"]
    fake_wechat.fail(TEMPLATE_PATH, errcode=-1, count=0)
    fake_wechat.reset()
    send(stack.db, client, after=timedelta(minutes=5))
    assert len(fake_wechat.sent(UNIT_OPENID)) == 1 and states(stack.db) == ["sent"]
    send(stack.db, client, after=timedelta(hours=2))
    assert len(fake_wechat.sent(UNIT_OPENID)) == 1


def test_a_timeout_is_retried_and_the_client_msg_id_keeps_it_single(
    stack: Stack, client: WeChatClient, fake_wechat: RunningFakeWeChat
) -> None:
    issue(stack.db, seed_county(stack.db))
    fake_wechat.fail(TEMPLATE_PATH, delay=1.6)  # WeChat delivers, but answers after our 1 s read timeout
    send(stack.db, client)
    assert states(stack.db) == ["pending"]
    assert wait_for(lambda: len(fake_wechat.sent(UNIT_OPENID)) == 1)  # it did arrive
    send(stack.db, client, after=timedelta(minutes=2))
    assert states(stack.db) == ["sent"]
    assert len(fake_wechat.sent(UNIT_OPENID)) == 1  # the resend carried the same client_msg_id: dropped
    ids = {r["body"]["client_msg_id"] for r in fake_wechat.requests(TEMPLATE_PATH)}
    assert len(ids) == 1 and fake_wechat.stats()["template_deduplicated"] == 1


def test_45015_outside_the_window_falls_back_to_the_template_once(
    stack: Stack, client: WeChatClient, fake_wechat: RunningFakeWeChat
) -> None:
    seeded = seed_county(stack.db)
    with stack.db.session() as session:  # we believe the window is open (a message 47 h ago); WeChat disagrees
        me = session.scalars(select(WechatIdentity).where(WechatIdentity.openid == UNIT_OPENID)).one()
        me.last_inbound_at = stack.db.clock.now() - timedelta(hours=47)
    issue(stack.db, seeded)
    with stack.db.session() as session:
        assert session.scalars(select(OutboxMessage.kind)).all() == ["text"]
    send(stack.db, client)
    [arrived] = fake_wechat.sent(UNIT_OPENID)
    assert arrived["type"] == "template" and states(stack.db) == ["sent"]
    assert len(fake_wechat.requests(CUSTOM_PATH)) == 1  # tried once as text, refused with 45015


def test_43004_an_unfollowed_contact_is_given_up_with_an_office_alert_and_not_requeued(
    stack: Stack, client: WeChatClient, fake_wechat: RunningFakeWeChat
) -> None:
    seeded = seed_county(stack.db)
    fake_wechat.set_following(UNIT_OPENID, False)
    issue(stack.db, seeded, deadline=date(2030, 1, 7))
    send(stack.db, client)
    assert states(stack.db) == ["given_up", "pending"] and fake_wechat.sent(UNIT_OPENID) == []
    with stack.db.session() as session:
        [notice] = given_up_messages(session)
        assert notice.notice == "rectification_issued" and "43004" in notice.last_error
        assert notice.reason == "unfollowed"
        [alert] = session.scalars(select(OutboxMessage).where(OutboxMessage.state == "pending")).all()
        assert alert.notice == "office_alert" and alert.dedupe_key.startswith(f"outbox:{notice.id}:undelivered:")
    # later sweeps never queue the given-up notice again
    from backend.jobs.rectification_sweep import step

    step(stack.db, datetime(2029, 12, 31, 9, tzinfo=SHANGHAI))
    step(stack.db, datetime(2029, 12, 31, 10, tzinfo=SHANGHAI))
    with stack.db.session() as session:
        keys = session.scalars(select(OutboxMessage.dedupe_key)).all()
    # the notice and the office's alert: 43004 marked the contact as not following, so no reminder is queued to be
    # refused (and alerted about) again; the office retries once the contact follows again
    assert sorted(keys) == [f"outbox:1:undelivered:0:{OFFICE_OPENID}", f"rect:1:issued:{UNIT_OPENID}"]


# --- workers that die, race, or lose Redis ---


def worker_env(stack: Stack, fake: RunningFakeWeChat, redis_url: str | None = None) -> dict[str, str]:
    env = {
        "DUDAO_DATABASE_URL": stack.db.url,
        "DUDAO_WECHAT_APPID": fake.appid,
        "DUDAO_WECHAT_SECRET": fake.secret,
        "DUDAO_WECHAT_API_BASE": fake.base_url,
        **{f"DUDAO_TEMPLATE_{notice.upper()}": template for notice, template in TEMPLATES.items()},
    }
    if redis_url:
        env["DUDAO_REDIS_URL"] = redis_url
    return env


def start_worker(tmp_path: Path, name: str, env: dict[str, str]) -> subprocess.Popen[str]:
    folder = tmp_path / name
    folder.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [dudao_executable(), "worker", "--interval", "0.2"],
        cwd=folder,
        env=dudao_env(folder, env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(process: subprocess.Popen[str], sig: int = signal.SIGTERM) -> str:
    if process.poll() is None:
        process.send_signal(sig)
    try:
        out, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
    return out or ""


def test_a_worker_killed_between_sending_and_marking_loses_nothing_and_sends_nothing_twice(
    stack: Stack, client: WeChatClient, fake_wechat: RunningFakeWeChat, tmp_path: Path
) -> None:
    issue(stack.db, seed_county(stack.db))
    fake_wechat.fail(TEMPLATE_PATH, delay=3.0)  # WeChat takes its time: the worker dies waiting for the answer
    worker = start_worker(tmp_path, "doomed", worker_env(stack, fake_wechat))
    try:
        assert wait_for(lambda: len(fake_wechat.requests(TEMPLATE_PATH)) == 1, timeout=30)
        worker.send_signal(signal.SIGKILL)  # after the send left, before any answer or mark
        worker.wait(timeout=10)
    finally:
        stop(worker, signal.SIGKILL)
    assert wait_for(lambda: len(fake_wechat.sent(UNIT_OPENID)) == 1)  # WeChat delivered it anyway
    assert states(stack.db) == ["pending"]  # ... and nobody marked it
    with stack.db.session() as session:
        held = session.scalars(select(OutboxMessage.claimed_until).where(NOTICES)).one()
        assert held is not None and held > stack.db.clock.now()  # the dead worker's lease

    send(stack.db, client, after=timedelta(seconds=2))  # another worker, inside the lease: leaves it alone
    assert len(fake_wechat.requests(TEMPLATE_PATH)) == 1
    send(stack.db, client, after=timedelta(seconds=30))  # after the (10 s) lease: sent again, dropped by WeChat
    assert states(stack.db) == ["sent"]
    assert len(fake_wechat.sent(UNIT_OPENID)) == 1
    assert fake_wechat.stats()["template_deduplicated"] == 1


def test_two_worker_processes_on_postgresql_send_each_push_once(
    stack: Stack, fake_wechat: RunningFakeWeChat, tmp_path: Path
) -> None:
    if stack.name != "postgresql+redis":
        pytest.skip("two processes at once is the PostgreSQL case (FOR UPDATE SKIP LOCKED)")
    issue(stack.db, seed_county(stack.db), count=120)  # many claim batches (5 each)
    env = worker_env(stack, fake_wechat)
    workers = [start_worker(tmp_path, f"w{n}", env) for n in range(2)]
    try:
        assert wait_for(lambda: states(stack.db).count("sent") == 120, timeout=90)
    finally:
        outputs = [stop(w) for w in workers]
    arrived = fake_wechat.sent(UNIT_OPENID)
    assert len(arrived) == 120, outputs
    assert fake_wechat.stats().get("template_deduplicated", 0) == 0  # not even a resend for WeChat to drop
    assert len({m["body"]["client_msg_id"] for m in arrived}) == 120


def test_two_sweeps_with_redis_down_queue_each_reminder_once(
    stack: Stack, client: WeChatClient, fake_wechat: RunningFakeWeChat, tmp_path: Path, clock: SettableClock
) -> None:
    seeded = seed_county(stack.db)
    with stack.db.session() as session:
        calendar = working_calendar(session)
    today = calendar.add_working_days(local_date(stack.db.clock.now()), 0)
    deadline = calendar.add_working_days(today, 2)
    numbers = issue(stack.db, seeded, count=5, deadline=deadline)
    send(stack.db, client)
    assert len(fake_wechat.sent(UNIT_OPENID)) == 5
    tomorrow = calendar.add_working_days(today, 1)
    moment = tomorrow.isoformat() + " 09:00"  # not signed, and due tomorrow
    env = {"DUDAO_DATABASE_URL": stack.db.url, "DUDAO_REDIS_URL": DEAD_REDIS}
    sweeps = []
    for n in range(2):
        folder = tmp_path / f"sweep{n}"
        folder.mkdir()
        sweeps.append(
            subprocess.Popen(
                [dudao_executable(), "sweep", "--now", moment],
                cwd=folder,
                env=dudao_env(folder, env),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
    outputs = [s.communicate(timeout=120)[0] for s in sweeps]
    assert all(s.returncode == 0 for s in sweeps), outputs
    again = dudao(["sweep", "--now", moment], tmp_path / "sweep-again", env=env)
    assert again.returncode == 0, again.stderr
    # the worker sends them that morning (a few minutes on: each sweep's clock ran on from 09:00 while it worked)
    clock.set(datetime.combine(tomorrow, time(9, 0), tzinfo=SHANGHAI))
    send(stack.db, client, after=timedelta(minutes=5))
    arrived = fake_wechat.sent(UNIT_OPENID)
    assert len(arrived) == 5 + 5 * 2  # per item: the notice, "not signed", "due tomorrow"; no more
    with stack.db.session() as session:
        keys = [k for k in session.scalars(select(OutboxMessage.dedupe_key)) if k.startswith("rect:")]
        assert len(keys) == len(set(keys)) == 15
        assert {s for s in session.scalars(select(OutboxMessage.state))} == {OutboxState.SENT.value}
    assert len(numbers) == 5
