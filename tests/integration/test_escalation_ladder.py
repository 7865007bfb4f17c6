"""The sweep on SQLite and PostgreSQL: reminders once each, quiet hours, and the escalation ladder to 问责."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, datetime

import pytest
from sqlalchemy import select

from backend.config import Config
from backend.domain.calendar import SHANGHAI
from backend.jobs.rectification_sweep import step
from backend.jobs.sweep import run_sweep
from backend.kv import KV, MemoryKV, RedisKV
from backend.runtime import Runtime
from backend.services import escalations
from backend.store.db import Database
from backend.store.models import AuditEvent, Escalation, OutboxMessage
from tests.integration.test_rectification_lifecycle import (
    DEADLINE,
    INSPECTOR_OPENID,
    OFFICE_OPENID,
    SUPERIOR_OPENID,
    UNIT_OPENID,
    actions,
    issue_one,
    item,
    pushes,
    seed_county,
)

DEAD_REDIS = "redis://127.0.0.1:1/0"


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def reminder_kinds(db: Database) -> list[str]:
    return [r.dedupe_key.split(":")[2] for r in pushes(db, UNIT_OPENID) if r.notice == "rectification_due_soon"]


def test_each_reminder_goes_once_on_its_working_day(database: Database) -> None:
    seeded = seed_county(database)
    item_id = issue_one(database, seeded)  # Monday 23 November, deadline Friday 4 December

    assert step(database, at(date(2026, 11, 23), 17)) == {"candidates": 0}  # same day: nothing yet
    first = step(database, at(date(2026, 11, 24)))
    assert first["reminded_not_signed"] == 1
    for _ in range(3):  # the sweep runs every few minutes: nothing more
        assert "reminded_not_signed" not in step(database, at(date(2026, 11, 24), 9, 30))
    assert reminder_kinds(database) == ["not_signed"]

    with database.session() as session:
        from backend.services import rectifications as rect

        rect.acknowledge(session, item_id, actor="unit", now=at(date(2026, 11, 24), 10))
    for day in (date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3), date(2026, 12, 4)):
        step(database, at(day))
        step(database, at(day, 16))
    assert reminder_kinds(database) == ["not_signed", "due_in_3", "due_in_1", "due_today"]
    assert actions(database, item_id).count("rectification.reminded") == 4  # visible to the office, once each


def test_reminders_wait_out_the_quiet_hours_unless_urgent(database: Database) -> None:
    seeded = seed_county(database)
    calm = issue_one(database, seeded)
    urgent = issue_one(database, seeded, urgent=True)
    night = at(date(2026, 11, 24), 22, 30)
    counts = step(database, night)
    assert counts["deferred_quiet_hours"] == 1 and counts["reminded_not_signed"] == 1
    keys = {r.dedupe_key for r in pushes(database, UNIT_OPENID)}
    assert f"rect:{urgent}:not_signed:{DEADLINE.isoformat()}:{UNIT_OPENID}" in keys
    assert not any(k.startswith(f"rect:{calm}:not_signed") for k in keys)
    assert step(database, at(date(2026, 11, 25), 7, 0)).get("deferred_quiet_hours") == 1
    assert step(database, at(date(2026, 11, 25), 7, 35))["reminded_not_signed"] == 1  # the first sweep after


def test_the_ladder_from_supervision_notice_to_accountability(database: Database) -> None:
    seeded = seed_county(database)
    item_id = issue_one(database, seeded)

    # overdue on Monday 7 December: the 督办通知, to the unit and its superior, 5 working days on
    counts = step(database, at(date(2026, 12, 7)))
    assert counts["escalated_supervision_notice"] == 1
    assert step(database, at(date(2026, 12, 7), 11)).get("escalated_supervision_notice") is None
    supervised = item(database, item_id)
    assert supervised.level == 1 and supervised.deadline == date(2026, 12, 14)
    assert [p.notice for p in pushes(database, SUPERIOR_OPENID)] == ["supervision_notice"]
    assert "supervision_notice" in [p.notice for p in pushes(database, UNIT_OPENID)]

    # the new deadline brings its own reminders
    step(database, at(date(2026, 12, 14)))
    assert reminder_kinds(database)[-1] == "due_today"

    # still overdue: a 约谈 is proposed to the office, once
    assert step(database, at(date(2026, 12, 15)))["escalated_talk"] == 1
    assert step(database, at(date(2026, 12, 16))).get("escalated_talk") is None
    office = pushes(database, OFFICE_OPENID)
    assert [p.notice for p in office] == ["office_alert"]
    with database.session() as session:
        [proposed] = escalations.pending(session)
        talk_id = proposed.id
        with pytest.raises(escalations.RectificationError):
            escalations.confirm_talk(session, talk_id, record={"held_at": "x"}, actor="office:li")
    with database.session() as session:
        escalations.confirm_talk(
            session,
            talk_id,
            record={
                "held_at": "2026-12-17 09:30",
                "attendees": "校长 张三；督导室 李四",
                "summary": "消防通道问题",
                "commitments": "一周内整改到位",
            },
            actor="office:li",
            now=at(date(2026, 12, 17), 11),
        )
    talked = item(database, item_id)
    assert talked.level == 2 and talked.deadline == date(2026, 12, 24)
    with database.session() as session:
        talk = session.get(Escalation, talk_id)
        assert talk is not None and talk.record["filed_with_unit_id"] == seeded.superior_id

    # still overdue after the 约谈: a 通报 is proposed; the office publishes it
    assert step(database, at(date(2026, 12, 25)))["escalated_circular"] == 1
    with database.session() as session:
        [circular] = escalations.pending(session)
        escalations.confirm_circular(
            session,
            circular.id,
            record={"text": "予以通报", "scope": "全县"},
            actor="office:li",
            now=at(date(2026, 12, 28)),
        )
    assert item(database, item_id).level == 3
    assert step(database, at(date(2026, 12, 29))) == {"candidates": 1}  # the top of the automatic ladder

    # 问责, twice within a year for the same unit: heavier handling
    record = {
        "basic_facts": "逾期未整改",
        "accountability_facts": "督办、约谈、通报后仍未整改",
        "basis": "教育督导问责办法第十条",
        "measures": "通报批评",
        "effective_at": "2027-01-04",
    }
    with database.session() as session:
        first = escalations.record_accountability(
            session, item_id, record=record, actor="office:li", now=at(date(2027, 1, 4))
        )
        assert not first.heavier
    other = issue_one(database, seeded, now=at(date(2027, 1, 4)), deadline=date(2027, 1, 15))
    with database.session() as session:
        second = escalations.record_accountability(
            session, other, record=record, actor="office:li", now=at(date(2027, 3, 1))
        )
        assert second.heavier and second.count_within_year == 2
        assert second.escalation.record["heavier_handling"] is True
    assert item(database, item_id).level == 4
    assert "escalation.accountability.recorded" in actions(database, item_id)


def test_a_sweep_with_redis_down_runs_unlocked_and_doubles_nothing(database: Database, kv: KV) -> None:
    """Two workers sweep at once while the key-value store is down: every reminder and 督办 is queued once."""
    seeded = seed_county(database)
    for _ in range(3):
        issue_one(database, seeded, deadline=date(2026, 11, 25))
    dead = RedisKV(DEAD_REDIS)
    runtimes = [Runtime(Config(database_url=database.url), database, dead) for _ in range(2)]
    results: list[object] = []
    errors: list[BaseException] = []

    def sweep(runtime: Runtime, when: datetime) -> None:
        try:
            results.append(run_sweep(runtime, when))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    for when in (at(date(2026, 11, 24)), at(date(2026, 11, 25)), at(date(2026, 11, 26))):
        threads = [threading.Thread(target=sweep, args=(rt, when)) for rt in runtimes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors and len(results) == 6 and all(r is not None for r in results)
    keys = Counter(r.dedupe_key for r in pushes(database))
    assert all(n == 1 for n in keys.values())
    # A sweep that reads an item after the other one's 督办 set its new deadline may already owe the "not signed"
    # reminder for that new deadline (a sweep run one after the other sends it the next day): its own key, once.
    renewed = [k for k in keys if k.startswith("rect:") and k.split(":")[2] == "not_signed" and "2026-11-25" not in k]
    assert len(renewed) <= 3, sorted(keys)
    by_kind = Counter(k.split(":")[2] for k in keys if k.startswith("rect:") and k not in renewed)
    # per item: the notice; not signed and due tomorrow (24th); due today (25th); 督办 to unit and superior (26th)
    assert by_kind == {"issued": 3, "not_signed": 3, "due_in_1": 3, "due_today": 3, "supervision": 6}
    with database.session() as session:
        supervised = session.scalars(select(Escalation)).all()
        assert len(supervised) == 3
        reminded = session.scalars(select(AuditEvent).where(AuditEvent.action == "rectification.reminded")).all()
        assert len(reminded) == 9 + len(renewed)
    assert isinstance(kv, (MemoryKV, RedisKV))


def test_the_lock_keeps_a_second_sweep_out_while_redis_is_up(database: Database, kv: KV) -> None:
    seed_county(database)
    runtime = Runtime(Config(database_url=database.url), database, kv)
    with kv.lock("sweep", ttl=60, wait=0):
        assert run_sweep(runtime, at(date(2026, 11, 24))) is None
    assert run_sweep(runtime, at(date(2026, 11, 24))) is not None


def test_nothing_is_pushed_to_the_inspector_by_the_sweep(database: Database) -> None:
    seeded = seed_county(database)
    issue_one(database, seeded)
    step(database, at(date(2026, 12, 7)))
    assert pushes(database, INSPECTOR_OPENID) == []
    with database.session() as session:
        assert session.scalars(select(OutboxMessage).where(OutboxMessage.openid == "nobody")).all() == []
