"""Issue 17, nothing fails silently: a push given up for good alerts the office once, marks its record 未送达 with
the reason, and the office retries it or records it delivered by other means; `dudao outbox` for operators;
short leases whose reclaim is logged. On SQLite and PostgreSQL, with the real client against the fake WeChat."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import select

from backend.cli import main
from backend.domain.errors import DomainError
from backend.domain.kinds import OutboxState
from backend.kv import KV
from backend.services import office_users, undelivered
from backend.services.outbox import LEASE, claim_due, enqueue, given_up_messages, send_due
from backend.store.db import Database
from backend.store.models import AuditEvent, OutboxMessage, WechatIdentity
from bot.fake_wechat import RunningFakeWeChat
from bot.wechat import WeChatClient
from tests.integration.test_office_web import PASSWORD, csrf_of, make_app, sign_in
from tests.integration.test_rectification_lifecycle import (
    OFFICE_OPENID,
    UNIT_OPENID,
    Seeded,
    issue_one,
    seed_county,
)

pytest_plugins = ["tests.fake_wechat_fixture"]

TEMPLATES = {"rectification_issued": "tpl-issued", "office_alert": "tpl-office-alert"}


@pytest.fixture
def client(fake_wechat: RunningFakeWeChat, kv: KV) -> Iterator[WeChatClient]:
    found = WeChatClient(
        fake_wechat.appid, fake_wechat.secret, api_base=fake_wechat.base_url, kv=kv, timeout=(1, 2), busy_backoff=0.01
    )
    yield found
    found.close()


def issue(db: Database, seeded: Seeded) -> int:
    return issue_one(db, seeded, now=db.clock.now())


def send(db: Database, client: WeChatClient, after: timedelta = timedelta(0)) -> None:
    send_due(db, client, now=db.clock.now() + after, templates=TEMPLATES)


def rows(db: Database) -> list[OutboxMessage]:
    with db.session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def unfollowed_notice(db: Database, client: WeChatClient, fake: RunningFakeWeChat) -> tuple[Seeded, int, int]:
    """A rectification notice to a unit contact who unfollowed: given up; returns the seed, item and push ids."""
    seeded = seed_county(db)
    fake.set_following(UNIT_OPENID, False)
    item_id = issue(db, seeded)
    send(db, client)
    [notice] = [m for m in rows(db) if m.openid == UNIT_OPENID]
    assert notice.state == OutboxState.GIVEN_UP
    return seeded, item_id, notice.id


def test_a_notice_to_an_unfollowed_unit_alerts_the_office_once_and_marks_the_record(
    database: Database, client: WeChatClient, fake_wechat: RunningFakeWeChat
) -> None:
    _, item_id, notice_id = unfollowed_notice(database, client, fake_wechat)
    with database.session() as session:
        notice = session.get(OutboxMessage, notice_id)
        assert notice is not None
        assert (notice.subject_type, notice.subject_id, notice.reason, notice.last_code) == (
            "rectification",
            item_id,
            "unfollowed",
            43004,
        )
        assert notice.given_up_at is not None
        me = session.scalars(select(WechatIdentity).where(WechatIdentity.openid == UNIT_OPENID)).one()
        assert me.following is False  # WeChat said so
        [shown] = undelivered.of_subject(session, "rectification", item_id)
        assert "取消关注" in shown.reason and "城关第一小学" in shown.about and shown.to == "城关第一小学联络人"
        assert undelivered.open_marks(session, "rectification", [item_id]) == {item_id: shown.reason}
        assert [m.id for m in given_up_messages(session, open_only=True)] == [notice_id]
    alerts = [m for m in rows(database) if m.openid == OFFICE_OPENID]
    assert [a.dedupe_key for a in alerts] == [f"outbox:{notice_id}:undelivered:0:{OFFICE_OPENID}"]
    send(database, client, after=timedelta(minutes=1))
    [arrived] = fake_wechat.sent(OFFICE_OPENID)
    assert arrived["type"] == "template" and "城关第一小学" in str(arrived["body"])
    for minutes in (5, 60, 600):  # later rounds send nothing more: the alert went once
        send(database, client, after=timedelta(minutes=minutes))
    assert len(fake_wechat.sent(OFFICE_OPENID)) == 1
    assert len([m for m in rows(database) if m.openid == OFFICE_OPENID]) == 1


def test_an_alert_that_cannot_be_delivered_is_never_alerted_about(
    database: Database, client: WeChatClient, fake_wechat: RunningFakeWeChat
) -> None:
    fake_wechat.set_following(OFFICE_OPENID, False)  # the office's own account unfollowed too
    unfollowed_notice(database, client, fake_wechat)
    for minutes in (1, 5, 60):
        send(database, client, after=timedelta(minutes=minutes))
    states = [(m.openid, m.state) for m in rows(database)]
    assert states == [(UNIT_OPENID, "given_up"), (OFFICE_OPENID, "given_up")]  # and nothing after: no loop
    with database.session() as session:
        assert len(undelivered.views(session)) == 1  # the alert about it is not listed


def test_the_office_retries_after_the_unit_follows_again_and_it_arrives(
    database: Database, client: WeChatClient, fake_wechat: RunningFakeWeChat
) -> None:
    _, item_id, notice_id = unfollowed_notice(database, client, fake_wechat)
    fake_wechat.set_following(UNIT_OPENID, True)
    with database.session() as session:
        undelivered.retry(session, notice_id, actor="office:admin")
    with database.session() as session, pytest.raises(DomainError):
        undelivered.retry(session, notice_id, actor="office:admin")  # pending now: nothing to retry
    send(database, client, after=timedelta(minutes=1))
    assert len(fake_wechat.sent(UNIT_OPENID)) == 1
    with database.session() as session:
        notice = session.get(OutboxMessage, notice_id)
        assert notice is not None and notice.state == OutboxState.SENT and notice.office_retries == 1
        assert undelivered.open_marks(session, "rectification", [item_id]) == {}
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "outbox_message"))
        assert list(actions) == ["outbox.given_up", "outbox.retried"]


def test_the_office_records_a_notice_delivered_by_phone(
    database: Database, client: WeChatClient, fake_wechat: RunningFakeWeChat
) -> None:
    _, item_id, notice_id = unfollowed_notice(database, client, fake_wechat)
    with database.session() as session, pytest.raises(DomainError):
        undelivered.mark_delivered(session, notice_id, "pigeon", actor="office:admin")
    with database.session() as session:
        undelivered.mark_delivered(session, notice_id, "phone", actor="office:admin")
    with database.session() as session:
        [shown] = undelivered.of_subject(session, "rectification", item_id)
        assert shown.resolved.startswith("已电话通知（office:admin")
        assert undelivered.open_marks(session, "rectification", [item_id]) == {}
        assert undelivered.views(session) == []
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "outbox.delivered_otherwise")).one()
        assert event.actor == "office:admin" and event.detail["means"] == "phone"


def test_attempts_exhausted_is_given_up_with_its_reason(
    database: Database, client: WeChatClient, fake_wechat: RunningFakeWeChat
) -> None:
    seed_county(database)
    fake_wechat.fail("/cgi-bin/message/template/send", errcode=-1, count=1000)
    with database.session() as session:
        enqueue(
            session,
            openid=UNIT_OPENID,
            kind="template",
            notice="rectification_issued",
            payload={"fields": {"number": "ZG-1", "unit": "城关第一小学", "problem": "p", "deadline": "2026-12-04"}},
            dedupe_key=f"rect:99:issued:{UNIT_OPENID}",
        )
    send_due(database, client, now=database.clock.now(), templates=TEMPLATES, max_attempts=1)
    with database.session() as session:
        [given_up] = given_up_messages(session)
        assert given_up.reason == "exhausted" and "多次重试" in undelivered.reason_text(given_up)


# --- leases ---


def test_a_dead_workers_claims_come_back_within_the_short_lease_and_the_reclaim_is_logged(
    database: Database, client: WeChatClient, fake_wechat: RunningFakeWeChat, caplog: pytest.LogCaptureFixture
) -> None:
    seeded = seed_county(database)
    for _ in range(8):
        issue(database, seeded)
    now = database.clock.now()
    claimed = claim_due(database, now=now, worker="deadhost:4242")  # ... and that worker dies here
    assert len(claimed) == 5  # a handful, not the whole backlog
    assert timedelta(seconds=20) >= LEASE  # a crash holds them for seconds
    send_due(database, client, now=now + timedelta(seconds=1), templates=TEMPLATES)  # the survivor, at once
    assert len(fake_wechat.sent(UNIT_OPENID)) == 3  # only what nobody held
    with caplog.at_level(logging.WARNING, logger="backend.services.outbox"):
        send_due(database, client, now=now + LEASE + timedelta(seconds=1), templates=TEMPLATES)
    assert len(fake_wechat.sent(UNIT_OPENID)) == 8
    [line] = [r.getMessage() for r in caplog.records if "reclaimed" in r.getMessage()]
    assert "reclaimed 5 message(s)" in line and "deadhost:4242" in line


def test_a_slow_send_keeps_its_lease_so_no_second_worker_takes_it(database: Database, kv: KV) -> None:
    seeded = seed_county(database)
    issue(database, seeded)

    class Slow:
        calls = 0

        def send_template(self, *args: object, **kwargs: object) -> str:
            Slow.calls += 1
            time.sleep(1.2)
            return "1"

    lease = timedelta(seconds=0.6)
    worker = threading.Thread(
        target=send_due,
        args=(database, Slow()),
        kwargs={"templates": TEMPLATES, "lease": lease, "worker": "slow"},
    )
    worker.start()
    time.sleep(0.9)  # past the first lease: renewed by the keeper
    again = claim_due(database, now=database.clock.now(), lease=lease, worker="other")
    worker.join()
    assert again == [] and Slow.calls == 1
    assert [m.state for m in rows(database)] == ["sent"]


# --- the office web ---


@pytest.fixture
def office(database: Database, tmp_path: Path) -> Iterator[tuple[FlaskClient, str]]:
    with database.session() as session:
        office_users.create_user(session, username="admin", password=PASSWORD, role=office_users.OfficeRole.OFFICE)
    app = make_app(database, tmp_path)
    web = app.test_client()
    yield web, sign_in(web, "admin")


def test_the_office_sees_the_undelivered_notice_and_retries_it_from_the_web(
    database: Database, client: WeChatClient, fake_wechat: RunningFakeWeChat, office: tuple[FlaskClient, str]
) -> None:
    _, item_id, notice_id = unfollowed_notice(database, client, fake_wechat)
    web, token = office
    dashboard = web.get("/office/dashboard").text
    assert 'id="undelivered"' in dashboard and "未送达的通知" in dashboard and "取消关注" in dashboard
    listing = web.get("/office/rectifications").text
    assert "未送达" in listing and "取消关注" in listing
    detail = web.get(f"/office/rectifications/{item_id}").text
    assert 'id="undelivered-mark"' in detail and "城关第一小学联络人" in detail
    assert UNIT_OPENID not in detail + dashboard + listing  # the office reads names, never openids
    refused = web.post(f"/office/undelivered/{notice_id}/retry", data={})
    assert refused.status_code == 400  # no CSRF token
    done = web.post(f"/office/undelivered/{notice_id}/retry", data={"csrf_token": csrf_of(detail)})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/office/rectifications/{item_id}")
    assert token
    with database.session() as session:
        notice = session.get(OutboxMessage, notice_id)
        assert notice is not None and notice.state == OutboxState.PENDING
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "outbox.retried")).one()
        assert event.actor == "office:admin"
    assert 'id="undelivered-mark"' not in web.get(f"/office/rectifications/{item_id}").text


def test_the_office_marks_it_delivered_on_paper_from_the_dashboard(
    database: Database, client: WeChatClient, fake_wechat: RunningFakeWeChat, office: tuple[FlaskClient, str]
) -> None:
    _, item_id, notice_id = unfollowed_notice(database, client, fake_wechat)
    web, _ = office
    page = web.get("/office/dashboard").text
    form = {"csrf_token": csrf_of(page), "back": "dashboard"}
    bad = web.post(f"/office/undelivered/{notice_id}/delivered", data={**form, "means": "<script>"})
    assert bad.status_code == 302
    assert "请选择送达方式" in web.get("/office/dashboard").text
    done = web.post(f"/office/undelivered/{notice_id}/delivered", data={**form, "means": "paper"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/office/dashboard")
    assert 'id="undelivered"' not in web.get("/office/dashboard").text
    detail = web.get(f"/office/rectifications/{item_id}").text
    assert "已书面送达" in detail and 'id="undelivered-mark"' not in detail


# --- dudao outbox ---


def test_the_outbox_cli_lists_shows_and_retries_with_openids_masked(
    database: Database, client: WeChatClient, fake_wechat: RunningFakeWeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, item_id, notice_id = unfollowed_notice(database, client, fake_wechat)
    monkeypatch.setenv("DUDAO_DATABASE_URL", database.url)
    runner = CliRunner()
    listed = runner.invoke(main, ["outbox", "list", "--state", "undelivered"])
    assert listed.exit_code == 0, listed.output
    assert f"{notice_id}\t未送达\ttemplate\trectification_issued" in listed.output
    assert f"rectification:{item_id}" in listed.output and "undelivered_open=1" in listed.output
    shown = runner.invoke(main, ["outbox", "show", str(notice_id)])
    assert shown.exit_code == 0, shown.output
    assert "reason: 对方已取消关注公众号" in shown.output and "o_un…t_01" in shown.output
    everything = listed.output + shown.output + runner.invoke(main, ["outbox", "list"]).output
    assert UNIT_OPENID not in everything and OFFICE_OPENID not in everything
    assert "消防通道" not in everything  # no message text
    assert runner.invoke(main, ["outbox", "show", "-1"]).exit_code == 2  # click: not an option either
    for bad in ("abc", "0", "1e3", "99999999999", "１２"):
        refused = runner.invoke(main, ["outbox", "show", bad])
        assert refused.exit_code == 2 and "推送编号应为正整数" in refused.output, refused.output
    missing = runner.invoke(main, ["outbox", "retry", "123456"])
    assert missing.exit_code == 1 and "没有编号为 123456 的推送" in missing.output
    assert runner.invoke(main, ["outbox", "list", "--kind", "fax"]).exit_code == 2
    retried = runner.invoke(main, ["outbox", "retry", str(notice_id), "--as", "zhang"])
    assert retried.exit_code == 0 and "已重新排队" in retried.output
    with database.session() as session:
        notice = session.get(OutboxMessage, notice_id)
        assert notice is not None and notice.state == OutboxState.PENDING
        assert session.scalars(select(AuditEvent.actor).where(AuditEvent.action == "outbox.retried")).one() == (
            "cli:zhang"
        )
