"""The demo county's last three months: played through the use cases, back-dated, filling the office dashboard,
leaving nothing for the live sweep and no push to send; loading again changes nothing (both databases)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from backend.demo.activity import (
    DEMO_ADMIN,
    DEMO_LEADER,
    NotTheDemo,
    ensure_demo_accounts,
    load_demo_activity,
)
from backend.demo.county import load_demo_county
from backend.domain.calendar import SHANGHAI, local_date
from backend.domain.kinds import OutboxState, VisitKind
from backend.jobs import concern_sweep, rectification_sweep
from backend.services import office_users
from backend.services.authority import current_authority
from backend.services.office import figures
from backend.store.db import Database
from backend.store.models import (
    AuditEvent,
    Concern,
    Escalation,
    ExtensionRequest,
    OfficeUser,
    OutboxMessage,
    Rectification,
    Visit,
    WechatIdentity,
)

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=SHANGHAI)  # a Wednesday in the autumn semester
TABLES = (Visit, Concern, Rectification, Escalation, ExtensionRequest, AuditEvent, OutboxMessage, WechatIdentity)


def counts(database: Database) -> dict[str, int]:
    with database.sessions() as session:
        return {model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0 for model in TABLES}


def load(database: Database, tmp_path: Path, now: datetime = NOW) -> None:
    with database.sessions() as session:
        load_demo_county(session)
        ensure_demo_accounts(session)
        done = load_demo_activity(session, pepper="test-pepper", media_dir=tmp_path / "media", now=now)
        assert done.loaded and done.visits > 0


def admin_dashboard(database: Database) -> figures.Dashboard:
    with database.sessions() as session:
        user = office_users.authenticate(session, DEMO_ADMIN.username, DEMO_ADMIN.password)
        assert user is not None
        scope = office_users.scope_of(session, user)
        return figures.dashboard(session, scope, current_authority(session), local_date(NOW))


def test_the_history_goes_through_the_services_and_fills_the_dashboard(database: Database, tmp_path: Path) -> None:
    load(database, tmp_path)
    board = admin_dashboard(database)

    visits = board.visits
    assert 0 < visits.visits_month < visits.visits_semester
    assert 0 < visits.schools_visited_month < visits.schools  # some schools not visited yet this month
    active = [row for row in visits.per_inspector if row.semester > 0]
    assert len(active) >= 0.9 * len(visits.per_inspector) and min(r.month_ratio for r in visits.per_inspector) < 0.5

    states = board.concerns.by_state
    for state in ("received", "acknowledged", "answered", "closed", "not_substantiated", "duplicate"):
        assert states.get(state, 0) >= 1, (state, states)
    assert board.concerns.answer_overdue_open >= 1
    assert 0 < board.concerns.answered_on_time < board.concerns.answered  # one was answered late

    rects = board.rectifications
    assert rects.open >= 8 and rects.overdue >= 1 and rects.submitted >= 1
    assert rects.by_level[0] >= 1 and rects.by_level[1] >= 1 and rects.by_level[2] >= 1
    assert rects.escalations_proposed == 1 and rects.extensions_pending == 1
    assert 0 < rects.done_on_time_this_year < rects.done_this_year  # one was closed late

    now = NOW.astimezone(SHANGHAI)
    with database.sessions() as session:
        rect_states = set(session.scalars(select(Rectification.state).distinct()))
        assert {"issued", "acknowledged", "submitted", "reopened", "closed"} <= rect_states
        overdue = session.scalars(select(Concern).where(Concern.escalation_level == 1, Concern.state == "acknowledged"))
        assert any(c.answer_due_on is not None and c.answer_due_on < local_date(NOW) for c in overdue)
        assert session.scalar(select(func.count()).where(Visit.far_from_school)) in range(1, 20)

        # through the services: every record has the audit event its use case writes, dated with the record
        def actions(name: str) -> int:
            return session.scalar(select(func.count()).where(AuditEvent.action == name)) or 0

        logged = session.scalar(select(func.count()).where(Visit.kind != VisitKind.FOLLOW_UP.value))
        assert actions("visit.logged") == logged
        assert actions("concern.received") == session.scalar(select(func.count(Concern.id)))
        assert actions("rectification.issued") == session.scalar(select(func.count(Rectification.id)))
        assert actions("rectification.supervised") >= 2 and actions("escalation.talk.proposed") == 2
        assert actions("escalation.talk.confirmed") == 1 and actions("concern.escalated") >= 2
        pairs = session.execute(
            select(Visit.created_at, AuditEvent.at).join(
                AuditEvent, (AuditEvent.subject_id == Visit.id) & (AuditEvent.action == "visit.logged")
            )
        ).all()
        assert pairs and all(created == at for created, at in pairs)
        first, last = session.execute(
            select(func.min(AuditEvent.at), func.max(AuditEvent.at)).where(AuditEvent.actor != "system:demo")
        ).one()
        assert first < now - timedelta(days=60) and last <= now
        assert all(
            c.acknowledged_at is None or c.acknowledged_at >= c.created_at for c in session.scalars(select(Concern))
        )

        # no push of the history is left to send; what was queued is marked sent when it was queued
        assert session.scalar(select(func.count()).where(OutboxMessage.state == OutboxState.PENDING.value)) == 0
        sent = session.scalars(select(OutboxMessage)).all()
        assert sent and all(m.state == OutboxState.SENT.value and m.sent_at and m.sent_at <= now for m in sent)


def test_loading_again_and_the_live_sweep_change_nothing(database: Database, tmp_path: Path) -> None:
    load(database, tmp_path)
    before = counts(database)
    with database.sessions() as session:
        again = load_demo_activity(session, pepper="test-pepper", media_dir=tmp_path / "media", now=NOW)
        assert not again.loaded and ensure_demo_accounts(session) == 0
    assert counts(database) == before
    # the worker's first sweep after the demo starts: everything due was done by the history's own sweeps
    later = NOW + timedelta(minutes=3)
    rect = rectification_sweep.step(database, later)
    assert not {k: v for k, v in rect.items() if k != "candidates" and v}, rect
    assert concern_sweep.step(database, later) == {"routed": 0, "reminded": 0, "escalated": 0}
    assert counts(database) == before


def test_the_demo_accounts_sign_in_and_exist_once(database: Database) -> None:
    with database.sessions() as session:
        load_demo_county(session)
        assert ensure_demo_accounts(session) == 2
        assert ensure_demo_accounts(session) == 0
        assert session.scalar(select(func.count(OfficeUser.id))) == 2
        leader = office_users.authenticate(session, DEMO_LEADER.username, DEMO_LEADER.password)
        assert leader is not None
        scope = office_users.scope_of(session, leader)
        assert not scope.is_office and scope.zone_name == DEMO_LEADER.zone_name
        assert office_users.authenticate(session, DEMO_ADMIN.username, "wrong-password-1") is None
        admin = office_users.authenticate(session, DEMO_ADMIN.username, DEMO_ADMIN.password)
        assert admin is not None
        # the demo's printed passwords meet the rules, and its first sign-in lands on the dashboard (no forced change)
        for account, user in ((DEMO_ADMIN, admin), (DEMO_LEADER, leader)):
            office_users.check_password_rules(account.password, account.username)
            assert not user.must_change_password


def test_nothing_made_up_goes_into_a_county_that_is_not_the_demo(sqlite_database: Database, tmp_path: Path) -> None:
    with sqlite_database.sessions() as session:
        current_authority(session, name="某县人民政府教育督导委员会")
        with pytest.raises(NotTheDemo):
            ensure_demo_accounts(session)
        with pytest.raises(NotTheDemo):
            load_demo_activity(session, pepper="p", media_dir=tmp_path)
        assert session.scalar(select(func.count(OfficeUser.id))) == 0


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 2, 24, 8, 30, tzinfo=SHANGHAI),  # just after the Spring Festival and the winter holiday
        datetime(2026, 10, 9, 7, 0, tzinfo=SHANGHAI),  # the first working day after the National Day week
    ],
)
def test_the_history_holds_together_on_awkward_dates(sqlite_database: Database, tmp_path: Path, now: datetime) -> None:
    load(sqlite_database, tmp_path, now)
    before = counts(sqlite_database)
    rect = rectification_sweep.step(sqlite_database, now + timedelta(minutes=1))
    assert not {k: v for k, v in rect.items() if k != "candidates" and v}, rect
    assert concern_sweep.step(sqlite_database, now + timedelta(minutes=1))["escalated"] == 0
    assert counts(sqlite_database) == before
    with sqlite_database.sessions() as session:
        assert session.scalar(select(func.count()).where(Escalation.state == "proposed")) == 1
