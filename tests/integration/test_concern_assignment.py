"""改派: the office or a zone leader puts another inspector in charge of a concern (service and office web)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.domain.errors import TransitionRefused
from backend.domain.kinds import ConcernState
from backend.services import concerns
from backend.store.db import Database
from backend.store.models import Assignment, AuditEvent, Concern, Inspector, OutboxMessage, Unit, WechatIdentity
from tests.integration.test_office_web import Seeded, make_app, seed_activity, sign_in

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
PHONE = "13912345678"


def _bind(s: Session, inspector_id: int) -> str:
    openid = f"openid-inspector-{inspector_id}"
    if s.scalar(select(WechatIdentity).where(WechatIdentity.openid == openid)) is None:
        s.add(WechatIdentity(openid=openid, role="inspector", inspector_id=inspector_id, bound_at=NOW))
    return openid


def _zone_inspectors(s: Session, zone_id: int) -> list[int]:
    """Active inspectors in charge of a school of the zone, by number."""
    return list(
        s.scalars(
            select(Inspector.id)
            .join(Assignment, Assignment.inspector_id == Inspector.id)
            .join(Unit, Unit.id == Assignment.unit_id)
            .where(Unit.zone_id == zone_id, Assignment.ends_on.is_(None), Inspector.active)
            .distinct()
            .order_by(Inspector.id)
        )
    )


def _inspector_of(s: Session, concern_id: int) -> int:
    concern = s.get(Concern, concern_id)
    assert concern is not None and concern.inspector_id is not None
    return concern.inspector_id


def _other_inspector(s: Session, concern_id: int, zone_id: int) -> int:
    current = s.get(Concern, concern_id).inspector_id
    return next(i for i in _zone_inspectors(s, zone_id) if i != current)


def _outbox_to(s: Session, openid: str) -> list[OutboxMessage]:
    return list(s.scalars(select(OutboxMessage).where(OutboxMessage.openid == openid).order_by(OutboxMessage.id)))


def _assigned_events(s: Session, concern_id: int) -> list[AuditEvent]:
    return list(
        s.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.subject_type == "concern",
                AuditEvent.subject_id == concern_id,
                AuditEvent.action == "concern.assigned",
            )
            .order_by(AuditEvent.id)
        )
    )


@pytest.fixture
def seeded(database: Database) -> Seeded:
    seeded = seed_activity(database)
    with database.sessions() as s:
        s.get(Concern, seeded.concern_a).reporter_phone = PHONE
        s.commit()
    return seeded


@pytest.fixture
def app(database: Database, seeded: Seeded, tmp_path: Path) -> Flask:
    return make_app(database, tmp_path)


# --- the use case ---------------------------------------------------------------------------------------


def test_assigning_changes_the_inspector_audits_from_and_to_and_tells_only_the_new_one(
    database: Database, seeded: Seeded
) -> None:
    with database.sessions() as s:
        before = _inspector_of(s, seeded.concern_a)
        after = _other_inspector(s, seeded.concern_a, seeded.zone_a.id)
        new_openid, old_openid = _bind(s, after), _bind(s, before)
        s.commit()
        shown = concerns.assign_concern(s, seeded.concern_a, after, actor="office:admin", now=NOW)
        s.commit()
        concern = s.get(Concern, seeded.concern_a)
        assert concern.inspector_id == after and concern.routed_to == "inspector"
        assert shown.inspector == s.get(Inspector, after).name
        [event] = _assigned_events(s, concern.id)
        assert event.actor == "office:admin" and event.detail == {"before": before, "after": after}
        [notice] = _outbox_to(s, new_openid)
        assert notice.notice == "concern_received" and notice.payload["fields"]["ticket_no"] == concern.ticket_no
        assert _outbox_to(s, old_openid) == []
        # the reporter stays protected: neither their openid nor their phone travels with the notice
        assert "openid-parent" not in str(notice.payload) and PHONE not in str(notice.payload)
        # the new inspector is now the person in charge and sees the concern with its phone in 留言
        assert concerns.detail_for_inspector(s, after, concern.ticket_no).phone == PHONE
        with pytest.raises(concerns.NotPermitted):
            concerns.detail_for_inspector(s, before, concern.ticket_no)


def test_the_same_assignment_twice_changes_nothing_but_back_and_forth_notifies_each_time(
    database: Database, seeded: Seeded
) -> None:
    with database.sessions() as s:
        first = _inspector_of(s, seeded.concern_a)
        second = _other_inspector(s, seeded.concern_a, seeded.zone_a.id)
        first_openid, second_openid = _bind(s, first), _bind(s, second)
        s.commit()
        concerns.assign_concern(s, seeded.concern_a, second, actor="office:admin", now=NOW)
        concerns.assign_concern(s, seeded.concern_a, second, actor="office:admin", now=NOW)  # a double click
        s.commit()
        assert len(_outbox_to(s, second_openid)) == 1 and len(_assigned_events(s, seeded.concern_a)) == 1
        concerns.assign_concern(s, seeded.concern_a, first, actor="office:admin", now=NOW + timedelta(minutes=1))
        s.commit()
        concerns.assign_concern(s, seeded.concern_a, second, actor="office:admin", now=NOW + timedelta(minutes=2))
        s.commit()
        assert len(_outbox_to(s, first_openid)) == 1
        assert len(_outbox_to(s, second_openid)) == 2
        assert [(e.detail["before"], e.detail["after"]) for e in _assigned_events(s, seeded.concern_a)] == [
            (first, second),
            (second, first),
            (first, second),
        ]


@pytest.mark.parametrize("state", [ConcernState.CLOSED, ConcernState.DUPLICATE])
def test_a_closed_or_duplicate_concern_cannot_be_assigned(
    database: Database, seeded: Seeded, state: ConcernState
) -> None:
    with database.sessions() as s:
        concern = s.get(Concern, seeded.concern_a)
        before = concern.inspector_id
        other = _other_inspector(s, seeded.concern_a, seeded.zone_a.id)
        concern.state = state.value
        s.commit()
        with pytest.raises(TransitionRefused):
            concerns.assign_concern(s, seeded.concern_a, other, actor="office:admin", now=NOW)
        s.rollback()
        assert s.get(Concern, seeded.concern_a).inspector_id == before
        assert _assigned_events(s, seeded.concern_a) == []


@pytest.mark.parametrize(
    "state", [ConcernState.ACKNOWLEDGED, ConcernState.VERIFYING, ConcernState.ANSWERED, ConcernState.REFERRED]
)
def test_open_and_answered_concerns_can_be_assigned(database: Database, seeded: Seeded, state: ConcernState) -> None:
    with database.sessions() as s:
        other = _other_inspector(s, seeded.concern_a, seeded.zone_a.id)
        s.get(Concern, seeded.concern_a).state = state.value
        s.commit()
        concerns.assign_concern(s, seeded.concern_a, other, actor="office:admin", now=NOW)
        s.commit()
        concern = s.get(Concern, seeded.concern_a)
        assert concern.inspector_id == other and concern.state == state.value


def test_only_an_active_inspector_of_the_authority_can_be_given_a_concern(database: Database, seeded: Seeded) -> None:
    with database.sessions() as s:
        other = _other_inspector(s, seeded.concern_a, seeded.zone_a.id)
        s.get(Inspector, other).active = False
        s.commit()
        with pytest.raises(concerns.NotFound):
            concerns.assign_concern(s, seeded.concern_a, other, actor="office:admin", now=NOW)
        with pytest.raises(concerns.NotFound):
            concerns.assign_concern(s, seeded.concern_a, 10**6, actor="office:admin", now=NOW)
        with pytest.raises(concerns.NotFound):
            concerns.assign_concern(s, 10**6, other, actor="office:admin", now=NOW)


def test_a_concern_assigned_before_it_was_routed_is_not_taken_back_by_the_sweep(
    database: Database, seeded: Seeded
) -> None:
    with database.sessions() as s:
        concern = s.get(Concern, seeded.concern_a)
        other = _other_inspector(s, seeded.concern_a, seeded.zone_a.id)
        concern.notified_at, concern.window_until = None, NOW + timedelta(minutes=5)
        s.commit()
        concerns.assign_concern(s, seeded.concern_a, other, actor="office:admin", now=NOW)
        s.commit()
        concerns.sweep(s, NOW + timedelta(minutes=30))
        s.commit()
        concern = s.get(Concern, seeded.concern_a)
        assert concern is not None and concern.inspector_id == other and concern.notified_at is not None
        assert not any(
            e.action == "concern.routed"
            for e in s.scalars(select(AuditEvent).where(AuditEvent.subject_id == concern.id))
            if e.subject_type == "concern"
        )


# --- the office web -------------------------------------------------------------------------------------


def test_the_office_assigns_a_concern_from_its_page(app: Flask, seeded: Seeded, database: Database) -> None:
    client = app.test_client()
    token = sign_in(client, "admin")
    with database.sessions() as s:
        other = _other_inspector(s, seeded.concern_a, seeded.zone_a.id)
        name = s.get(Inspector, other).name
    page = client.get(f"/office/concerns/{seeded.concern_a}").text
    assert 'id="assign-form"' in page and f'<option value="{other}"' in page
    done = client.post(
        f"/office/concerns/{seeded.concern_a}/assign",
        data={"inspector": str(other), "csrf_token": token},
        follow_redirects=True,
    )
    assert done.status_code == 200 and f"已改派给{name}" in done.text
    assert "改派督学" in done.text  # the history names the change
    assert "openid-parent" not in done.text and PHONE not in done.text
    again = client.post(
        f"/office/concerns/{seeded.concern_a}/assign",
        data={"inspector": str(other), "csrf_token": token},
        follow_redirects=True,
    )
    assert "无需改派" in again.text
    with database.sessions() as s:
        assert s.get(Concern, seeded.concern_a).inspector_id == other
        [event] = _assigned_events(s, seeded.concern_a)
        assert event.actor == "office:admin"


def test_an_assignment_posted_without_its_csrf_token_is_refused(app: Flask, seeded: Seeded, database: Database) -> None:
    client = app.test_client()
    sign_in(client, "admin")
    with database.sessions() as s:
        before = _inspector_of(s, seeded.concern_a)
        other = _other_inspector(s, seeded.concern_a, seeded.zone_a.id)
    refused = client.post(f"/office/concerns/{seeded.concern_a}/assign", data={"inspector": str(other)})
    assert refused.status_code == 400
    with database.sessions() as s:
        assert s.get(Concern, seeded.concern_a).inspector_id == before
        assert _assigned_events(s, seeded.concern_a) == []


def test_a_zone_leader_assigns_only_within_their_zone(app: Flask, seeded: Seeded, database: Database) -> None:
    client = app.test_client()
    token = sign_in(client, "leader")
    with database.sessions() as s:
        before = _inspector_of(s, seeded.concern_a)
        mine = set(_zone_inspectors(s, seeded.zone_a.id))
        theirs = next(i for i in _zone_inspectors(s, seeded.zone_b.id) if i not in mine)
        other = _other_inspector(s, seeded.concern_a, seeded.zone_a.id)
    page = client.get(f"/office/concerns/{seeded.concern_a}").text
    assert f'<option value="{other}"' in page and f'<option value="{theirs}"' not in page
    # another zone's inspector is not one they may choose
    outside = client.post(
        f"/office/concerns/{seeded.concern_a}/assign",
        data={"inspector": str(theirs), "csrf_token": token},
        follow_redirects=True,
    )
    assert "请从列表中选择" in outside.text
    # another zone's concern does not exist for them
    elsewhere = client.post(
        f"/office/concerns/{seeded.concern_b}/assign", data={"inspector": str(other), "csrf_token": token}
    )
    assert elsewhere.status_code == 404
    with database.sessions() as s:
        assert s.get(Concern, seeded.concern_a).inspector_id == before
        assert _assigned_events(s, seeded.concern_a) == [] and _assigned_events(s, seeded.concern_b) == []
    done = client.post(
        f"/office/concerns/{seeded.concern_a}/assign",
        data={"inspector": str(other), "csrf_token": token},
        follow_redirects=True,
    )
    assert "已改派给" in done.text
    with database.sessions() as s:
        assert s.get(Concern, seeded.concern_a).inspector_id == other
        assert _assigned_events(s, seeded.concern_a)[0].actor == "office:leader"


def test_a_closed_concern_offers_no_assignment_and_refuses_one(app: Flask, seeded: Seeded, database: Database) -> None:
    client = app.test_client()
    token = sign_in(client, "admin")
    with database.sessions() as s:
        other = _other_inspector(s, seeded.concern_a, seeded.zone_a.id)
        s.get(Concern, seeded.concern_a).state = ConcernState.CLOSED.value
        s.commit()
    assert 'id="assign-form"' not in client.get(f"/office/concerns/{seeded.concern_a}").text
    refused = client.post(
        f"/office/concerns/{seeded.concern_a}/assign",
        data={"inspector": str(other), "csrf_token": token},
        follow_redirects=True,
    )
    assert "不能再改派" in refused.text
    with database.sessions() as s:
        assert _assigned_events(s, seeded.concern_a) == []
