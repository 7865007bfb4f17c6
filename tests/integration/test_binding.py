"""One-time bind codes: hashed, expiring, single use even under a race, rate limited, audited."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from backend.domain.kinds import Role
from backend.kv import KV, RedisKV
from backend.services import binding
from backend.services.authority import current_authority
from backend.services.binding import Bound
from backend.store.db import Database
from backend.store.models import Assignment, AuditEvent, BindCode, Inspector, Unit, WechatIdentity

PEPPER = "pepper"


@pytest.fixture
def people(database: Database) -> Database:
    with database.session() as session:
        authority = current_authority(session)
        unit = Unit(authority_id=authority.id, code="S1", name="实验小学", kind="primary")
        inspector = Inspector(authority_id=authority.id, number="D1", name="李督学", phone="139")
        session.add_all([unit, inspector])
        session.flush()
        session.add(Assignment(inspector_id=inspector.id, unit_id=unit.id, starts_on=date(2024, 9, 1)))
    return database


def issue(database: Database, role: Role = Role.INSPECTOR, key: str = "D1", **kwargs: object) -> str:
    with database.session() as session:
        return binding.issue_code(session, role=role, key=key, pepper=PEPPER, actor="office:test", **kwargs).code  # type: ignore[arg-type]


def bind(database: Database, kv: KV, openid: str, code: str) -> binding.BindResult:
    with database.session() as session:
        return binding.bind(session, kv, openid=openid, code=code, pepper=PEPPER)


def test_only_a_hash_of_the_code_is_kept(people: Database) -> None:
    code = issue(people)
    with people.session() as session:
        stored = session.scalars(select(BindCode)).one()
    assert code not in stored.code_hash
    assert stored.code_hash == binding.hash_code(code, PEPPER)
    assert stored.expires_at - people.clock.now() > timedelta(hours=23)


def test_binding_sets_the_role_and_writes_an_audit_event(people: Database, kv: KV) -> None:
    result = bind(people, kv, "o-1", issue(people))
    assert (result.outcome, result.role, result.name) == (Bound.BOUND, "inspector", "李督学")
    with people.session() as session:
        me = session.scalars(select(WechatIdentity).where(WechatIdentity.openid == "o-1")).one()
        assert me.role == "inspector" and me.inspector_id is not None and me.bound_at is not None
        assert session.scalars(select(AuditEvent.action).where(AuditEvent.action == "binding.bound")).all()


def test_unknown_people_get_no_code(people: Database) -> None:
    with pytest.raises(binding.UnknownPerson):
        issue(people, Role.UNIT, "no-such-school")


def test_a_code_is_single_use_even_when_two_people_race(people: Database, kv: KV) -> None:
    code = issue(people)
    outcomes: list[Bound] = []
    barrier = threading.Barrier(2)

    def attempt(openid: str) -> None:
        barrier.wait()
        outcomes.append(bind(people, kv, openid, code).outcome)

    threads = [threading.Thread(target=attempt, args=(f"o-{i}",)) for i in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(outcomes) == [Bound.BOUND, Bound.USED]


def test_expired_and_malformed_codes_are_refused(people: Database, kv: KV) -> None:
    stale = issue(people, now=people.clock.now() - timedelta(days=2))
    assert bind(people, kv, "o-1", stale).outcome is Bound.EXPIRED
    assert bind(people, kv, "o-1", "12a456").outcome is Bound.MALFORMED
    assert bind(people, kv, "o-1", "１２３４５ ６７８９０").outcome in (Bound.INVALID, Bound.BOUND)
    assert bind(people, kv, "o-1", "123456").outcome is Bound.MALFORMED  # six digits were the old, guessable codes


def test_attempts_are_limited_per_openid(people: Database, kv: KV) -> None:
    code = issue(people)
    wrong = "0000000000" if code != "0000000000" else "0000000001"
    for _ in range(binding.ATTEMPTS_PER_HOUR):
        assert bind(people, kv, "o-guess", wrong).outcome is Bound.INVALID
    assert bind(people, kv, "o-guess", code).outcome is Bound.RATE_LIMITED
    assert bind(people, kv, "o-other", code).outcome is Bound.BOUND


def test_without_the_store_binding_is_refused(people: Database) -> None:
    assert bind(people, RedisKV("redis://127.0.0.1:1/0"), "o-1", issue(people)).outcome is Bound.UNAVAILABLE


def test_unbind_revoke_and_list(people: Database, kv: KV) -> None:
    bind(people, kv, "o-1", issue(people))
    bind(people, kv, "o-2", issue(people, Role.UNIT, "S1"))
    with people.session() as session:
        listed = {(b.openid, b.role, b.name) for b in binding.list_bindings(session)}
    assert listed == {("o-1", "inspector", "李督学"), ("o-2", "unit", "实验小学")}
    with people.session() as session:
        assert binding.unbind(session, openid="o-1")
        assert not binding.unbind(session, openid="o-1")
        assert binding.revoke(session, openid="o-2", actor="office:admin")
        assert not binding.revoke(session, openid="o-404", actor="office:admin")
    with people.session() as session:
        assert binding.list_bindings(session) == []
        audit = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert audit[-2:] == ["binding.unbound", "binding.revoked"]


def test_an_office_user_binds_with_a_code_and_receives_office_alerts(database: Database, kv: KV) -> None:
    from backend.services import notices
    from backend.store.models import OfficeUser

    with database.session() as s:
        authority = current_authority(s)
        s.add(OfficeUser(authority_id=authority.id, username="wang", display_name="王主任", password_hash="x"))
        s.flush()
        issued = binding.issue_code(s, role=Role.OFFICE, key="wang", pepper=PEPPER, actor="cli")
    with database.session() as s:
        result = binding.bind(s, kv, openid="o-office", code=issued.code, pepper=PEPPER)
        assert result.outcome is Bound.BOUND and result.role == "office" and result.name == "王主任"
    with database.session() as s:
        assert notices.openids_of_office(s) == ["o-office"]
        assert [(b.role, b.name) for b in binding.list_bindings(s)] == [("office", "王主任")]
        with pytest.raises(binding.UnknownPerson):
            binding.issue_code(s, role=Role.OFFICE, key="nobody", pepper=PEPPER, actor="cli")
