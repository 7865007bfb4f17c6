"""The outbox on SQLite and PostgreSQL: enqueue once, send once, retry, fall back, give up, survive a crash."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from backend.app import wire_notifier
from backend.config import Config
from backend.domain.kinds import OutboxState
from backend.jobs import registered_jobs
from backend.jobs.outbox_sender import notifier_for, send_outbox
from backend.kv import KV
from backend.runtime import Runtime
from backend.services.outbox import (
    claim_due,
    client_msg_id,
    enqueue,
    given_up_messages,
    send_due,
    template_data,
)
from backend.store.db import Database
from backend.store.models import AuditEvent, OutboxMessage
from bot.fake_wechat import RunningFakeWeChat
from bot.wechat import WeChatClient

pytest_plugins = ["tests.fake_wechat_fixture"]  # the fake_wechat fixtures

UNIT = "o_unit_contact_01"
CUSTOM = "/cgi-bin/message/custom/send"
TEMPLATES = {"rectification_issued": "tpl-rect-issued", "concern_answered": "tpl-concern-answered"}
RECT_FIELDS = {"number": "ZG-2024-017", "unit": "城关第一小学", "problem": "食堂留样记录不全", "deadline": "2024-06-30"}


@pytest.fixture
def client(fake_wechat: RunningFakeWeChat, kv: KV) -> Iterator[WeChatClient]:
    client = WeChatClient(
        fake_wechat.appid, fake_wechat.secret, api_base=fake_wechat.base_url, kv=kv, timeout=(1, 2), busy_backoff=0.01
    )
    yield client
    client.close()


def add(db: Database, **fields: Any) -> bool:
    values: dict[str, Any] = {"openid": UNIT, "kind": "text", "payload": {"content": "您好"}, "dedupe_key": "k1"}
    values.update(fields)
    with db.session() as session:
        return enqueue(session, **values)


def row(db: Database, dedupe_key: str = "k1") -> OutboxMessage:
    with db.session() as session:
        found = session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key))
        assert found is not None
        return found


def given_up_events(db: Database) -> list[AuditEvent]:
    with db.session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == "outbox.given_up")))


class WorkerKilled(BaseException):
    """The process dies: nothing after this line of the worker runs."""


class DiesAfterSending:
    """The real client, but the worker dies right after WeChat accepted the message (before marking)."""

    def __init__(self, inner: WeChatClient) -> None:
        self.inner = inner

    def send_text(self, openid: str, content: str) -> None:
        self.inner.send_text(openid, content)
        raise WorkerKilled

    def send_template(self, openid: str, template_id: str, data: dict[str, str], **kw: Any) -> str:
        self.inner.send_template(openid, template_id, data, **kw)
        raise WorkerKilled

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


# --- enqueue ---


def test_enqueue_twice_keeps_one_row_and_the_callers_transaction(database: Database) -> None:
    with database.session() as session:
        assert enqueue(session, openid=UNIT, kind="text", payload={"content": "一"}, dedupe_key="rect:1:issued")
        assert not enqueue(session, openid=UNIT, kind="text", payload={"content": "二"}, dedupe_key="rect:1:issued")
        session.add(AuditEvent(actor="system", action="test.after_enqueue", subject_type="test"))
    with database.session() as session:
        assert not enqueue(session, openid=UNIT, kind="text", payload={"content": "三"}, dedupe_key="rect:1:issued")
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
        assert session.scalar(select(func.count()).where(AuditEvent.action == "test.after_enqueue")) == 1
    assert row(database, "rect:1:issued").payload == {"content": "一"}


def test_a_concurrent_duplicate_enqueue_does_not_fail_the_other_transaction(database: Database) -> None:
    if not database.is_postgres:
        pytest.skip("two open write transactions need PostgreSQL (SQLite has one writer)")
    first = database.sessions()
    assert enqueue(first, openid=UNIT, kind="text", payload={"content": "一"}, dedupe_key="race")
    outcome: list[bool] = []

    def second_writer() -> None:
        with database.session() as second:  # its check sees nothing yet; its INSERT waits for `first`
            outcome.append(enqueue(second, openid=UNIT, kind="text", payload={"content": "二"}, dedupe_key="race"))
            second.add(AuditEvent(actor="system", action="test.second", subject_type="test"))

    thread = threading.Thread(target=second_writer)
    thread.start()
    thread.join(timeout=0.5)
    first.commit()
    first.close()
    thread.join(timeout=10)
    assert outcome == [False]
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
        assert session.scalar(select(func.count()).where(AuditEvent.action == "test.second")) == 1


def test_enqueue_refuses_an_unknown_kind(database: Database) -> None:
    with database.session() as session, pytest.raises(ValueError):
        enqueue(session, openid=UNIT, kind="fax", payload={}, dedupe_key="x")


# --- sending ---


def test_send_due_sends_once(database: Database, client: WeChatClient, fake_wechat: RunningFakeWeChat) -> None:
    fake_wechat.interact(UNIT)
    add(database, payload={"content": "您有一份整改通知，请查收。"})

    report = send_due(database, client, now=database.clock.now())
    again = send_due(database, client, now=database.clock.now())

    assert (report.sent, again.claimed) == (1, 0)
    assert [m["body"]["text"]["content"] for m in fake_wechat.sent(UNIT)] == ["您有一份整改通知，请查收。"]
    sent = row(database)
    assert sent.state == OutboxState.SENT and sent.sent_at is not None and sent.attempts == 1
    assert sent.claimed_until is None


def test_a_busy_wechat_is_retried_later_and_sent_once(
    database: Database, client: WeChatClient, fake_wechat: RunningFakeWeChat
) -> None:
    fake_wechat.interact(UNIT)
    add(database)
    fake_wechat.fail(CUSTOM, errcode=-1, count=3)  # outlasts the client's own two quick retries
    now = database.clock.now()

    first = send_due(database, client, now=now)
    pending = row(database)
    assert first.retried == 1 and pending.state == OutboxState.PENDING and pending.attempts == 1
    assert "[-1]" in pending.last_error
    assert pending.next_attempt_at >= now + timedelta(seconds=29)

    assert send_due(database, client, now=now + timedelta(seconds=5)).claimed == 0  # not due yet
    later = send_due(database, client, now=now + timedelta(seconds=31))

    assert later.sent == 1
    assert len(fake_wechat.sent(UNIT)) == 1
    assert row(database).state == OutboxState.SENT


def test_outside_the_window_a_text_falls_back_to_its_template(
    database: Database, client: WeChatClient, fake_wechat: RunningFakeWeChat
) -> None:
    # the unit contact has not written to the account for days: 45015
    add(
        database,
        notice="rectification_issued",
        payload={"content": "整改通知……", "fields": RECT_FIELDS, "url": "http://dudao.test/r/17"},
        dedupe_key="rect:17:issued",
    )

    report = send_due(database, client, now=database.clock.now(), templates=TEMPLATES)

    assert (report.sent, report.fell_back) == (1, 1)
    [received] = fake_wechat.sent(UNIT)
    body = received["body"]
    assert received["type"] == "template" and body["template_id"] == "tpl-rect-issued"
    assert body["client_msg_id"] == "rect:17:issued"
    assert body["url"] == "http://dudao.test/r/17"
    assert body["data"] == {k: {"value": v} for k, v in template_data("rectification_issued", RECT_FIELDS).items()}
    done = row(database, "rect:17:issued")
    assert done.state == OutboxState.SENT and "45015" in done.last_error


def test_a_fallback_without_a_configured_template_gives_up_and_tells_the_office(
    database: Database, client: WeChatClient
) -> None:
    add(database, notice="rectification_issued", payload={"content": "x", "fields": RECT_FIELDS})

    report = send_due(database, client, now=database.clock.now(), templates={})

    assert report.given_up == 1
    [event] = given_up_events(database)
    assert "DUDAO_TEMPLATE_RECTIFICATION_ISSUED" in event.detail["error"]
    assert event.detail["code"] == 45015


def test_a_user_who_does_not_follow_is_given_up_with_an_office_alert(
    database: Database, client: WeChatClient, fake_wechat: RunningFakeWeChat
) -> None:
    fake_wechat.interact(UNIT)
    fake_wechat.set_following(UNIT, False)
    add(database, notice="concern_answered", dedupe_key="concern:5:answered")

    report = send_due(database, client, now=database.clock.now(), templates=TEMPLATES)

    assert report.given_up == 1
    assert row(database, "concern:5:answered").state == OutboxState.GIVEN_UP
    [event] = given_up_events(database)
    assert event.subject_type == "outbox_message" and event.actor == "system"
    assert event.detail["code"] == 43004 and event.detail["openid"] == UNIT
    assert event.detail["notice"] == "concern_answered"
    with database.session() as session:
        assert [m.dedupe_key for m in given_up_messages(session)] == ["concern:5:answered"]
    assert send_due(database, client, now=database.clock.now() + timedelta(days=1)).claimed == 0


def test_an_unreachable_wechat_stops_the_round_and_releases_the_rest(
    database: Database, client: WeChatClient, fake_wechat: RunningFakeWeChat
) -> None:
    fake_wechat.interact(UNIT)
    for n in range(3):
        add(database, dedupe_key=f"k{n}")
    fake_wechat.fail(CUSTOM, status=502)

    report = send_due(database, client, now=database.clock.now())

    assert (report.claimed, report.retried, report.released) == (3, 1, 2)
    assert fake_wechat.stats()["calls"][CUSTOM] == 1
    assert send_due(database, client, now=database.clock.now()).sent == 2  # released rows go in the next round


def test_retries_stop_after_the_last_attempt(
    database: Database, client: WeChatClient, fake_wechat: RunningFakeWeChat
) -> None:
    fake_wechat.interact(UNIT)
    add(database)
    fake_wechat.fail(CUSTOM, errcode=-1, count=100)
    now = database.clock.now()
    for hour in range(3):
        send_due(database, client, now=now + timedelta(hours=hour), max_attempts=3)
    assert row(database).state == OutboxState.GIVEN_UP and row(database).attempts == 3
    assert len(given_up_events(database)) == 1


def test_two_senders_never_send_one_row_twice(database: Database, fake_wechat: RunningFakeWeChat, kv: KV) -> None:
    users = [f"o_inspector_{n:03d}" for n in range(10)]
    for user in users:
        fake_wechat.interact(user)
    with database.session() as session:
        for n in range(40):
            enqueue(session, openid=users[n % 10], kind="text", payload={"content": f"m{n}"}, dedupe_key=f"m{n}")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def sender() -> None:
        client = WeChatClient(fake_wechat.appid, fake_wechat.secret, api_base=fake_wechat.base_url, kv=kv)
        barrier.wait()
        try:
            while send_due(database, client, now=database.clock.now(), batch=3).claimed:
                pass
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)

    assert errors == []
    contents = sorted(m["body"]["text"]["content"] for m in fake_wechat.sent())
    assert contents == sorted(f"m{n}" for n in range(40))
    assert fake_wechat.stats()["calls"][CUSTOM] == 40
    with database.session() as session:
        states = session.scalars(select(OutboxMessage.state)).all()
    assert set(states) == {OutboxState.SENT.value}


def test_a_row_claimed_by_a_dead_worker_is_sent_after_its_lease(
    database: Database, client: WeChatClient, fake_wechat: RunningFakeWeChat
) -> None:
    fake_wechat.interact(UNIT)
    add(database)
    now = database.clock.now()
    [claimed] = claim_due(database, now=now, lease=timedelta(seconds=60))  # ... and the worker dies here

    assert send_due(database, client, now=now + timedelta(seconds=30)).claimed == 0
    assert fake_wechat.sent(UNIT) == []
    report = send_due(database, client, now=now + timedelta(seconds=61))

    assert report.sent == 1 and len(fake_wechat.sent(UNIT)) == 1
    assert claimed.dedupe_key == "k1"


def test_a_template_resent_after_a_crash_is_dropped_by_wechat(
    database: Database, client: WeChatClient, fake_wechat: RunningFakeWeChat
) -> None:
    add(database, kind="template", notice="rectification_issued", payload={"fields": RECT_FIELDS}, dedupe_key="rect:9")
    now = database.clock.now()
    with pytest.raises(WorkerKilled):
        send_due(database, DiesAfterSending(client), now=now, templates=TEMPLATES)
    assert row(database, "rect:9").state == OutboxState.PENDING  # sent, never marked

    report = send_due(database, client, now=now + timedelta(minutes=3), templates=TEMPLATES)

    assert report.sent == 1 and row(database, "rect:9").state == OutboxState.SENT
    assert len(fake_wechat.sent(UNIT)) == 1  # received once
    ids = [r["body"]["client_msg_id"] for r in fake_wechat.requests("/cgi-bin/message/template/send")]
    assert ids == ["rect:9", "rect:9"]
    assert fake_wechat.stats()["template_deduplicated"] == 1


def test_a_text_resent_after_a_crash_arrives_twice_the_documented_window(
    database: Database, client: WeChatClient, fake_wechat: RunningFakeWeChat
) -> None:
    fake_wechat.interact(UNIT)
    add(database)
    now = database.clock.now()
    with pytest.raises(WorkerKilled):
        send_due(database, DiesAfterSending(client), now=now)
    send_due(database, client, now=now + timedelta(minutes=3))
    # customer-service messages carry no dedupe key WeChat honours: this is the residual window
    assert len(fake_wechat.sent(UNIT)) == 2


# --- templates and the job ---


def test_template_values_are_cut_to_their_keyword_type() -> None:
    data = template_data("rectification_issued", {**RECT_FIELDS, "problem": "学校食堂" * 10})
    assert data["thing3"] == ("学校食堂" * 5)[:19] + "…" and len(data["thing3"]) == 20
    assert data["character_string1"] == "ZG-2024-017"
    assert client_msg_id("k" * 64) == "k" * 64
    assert client_msg_id("k" * 65) == client_msg_id("k" * 65) != "k" * 65


def test_the_outbox_job_sends_with_one_client_per_runtime(
    database: Database, fake_wechat: RunningFakeWeChat, kv: KV
) -> None:
    assert "outbox" in [job.name for job in registered_jobs()]
    config = fake_wechat.configure(Config(database_url=database.url, templates=TEMPLATES))
    runtime = wire_notifier(Runtime(config=config, db=database, kv=kv))
    fake_wechat.interact(UNIT)
    add(database)

    report = send_outbox(runtime)

    assert report is not None and report.sent == 1
    assert notifier_for(runtime) is notifier_for(runtime)
    assert len(fake_wechat.sent(UNIT)) == 1
    assert send_outbox(Runtime(config=config.with_(wechat_appid=""), db=database, kv=kv)) is None
