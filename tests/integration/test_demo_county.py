"""The demo county: realistic, the same every time, and loading it twice changes nothing (both databases)."""

from __future__ import annotations

import re
from collections import Counter

from sqlalchemy import func, select

from backend.demo.county import AUTHORITY_NAME, HOTLINE, OFFICE_NAME, build_demo_county, load_demo_county
from backend.domain.kinds import UnitKind
from backend.store.db import Database
from backend.store.models import (
    Assignment,
    AuditEvent,
    Authority,
    CalendarDay,
    Inspector,
    Unit,
    Zone,
)

SCHOOL_KINDS = [k.value for k in UnitKind if k.is_school]
TABLES = (Authority, Zone, Unit, Inspector, Assignment, CalendarDay, AuditEvent)


def counts(database: Database) -> dict[str, int]:
    with database.sessions() as session:
        return {model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0 for model in TABLES}


def test_the_county_is_the_same_every_time() -> None:
    first, second = build_demo_county(), build_demo_county()
    assert first.units == second.units
    assert first.inspectors == second.inspectors
    assert first.assignments == second.assignments
    assert build_demo_county(seed=1).units != first.units


def test_the_county_looks_like_a_county() -> None:
    county = build_demo_county()
    schools = county.schools
    assert len(county.zones) == 9 and len(set(county.zones)) == 9
    assert 140 <= len(schools) <= 160
    per_zone = Counter(s.zone for s in schools)
    assert set(per_zone) == set(county.zones) and max(per_zone.values()) <= 20
    names = {s.short_name for s in schools}
    for expected in ("第一中学", "职业中专", "特殊教育学校", "育才实验学校", "小太阳幼儿园", "城关镇第二小学"):
        assert expected in names
    assert {s.kind for s in schools} >= {"kindergarten", "primary", "junior", "senior", "vocational", "special"}
    assert sum(s.ownership == "private" for s in schools) >= 8
    assert all(re.fullmatch(r"[23]199\d{6}", s.code) for s in schools)
    assert len({u.code for u in county.units}) == len(county.units)
    assert all(s.student_count and s.student_count > 0 and s.address and s.latitude for s in schools)
    kinds = Counter(u.kind for u in county.units)
    assert kinds["township"] == 8 and kinds["department"] >= 5
    # nobody real is called: every phone in the reserved-looking range, none twice
    phones = [u.contact_phone for u in county.units] + [i.phone for i in county.inspectors]
    assert all(re.fullmatch(r"1380000\d{4}", p) for p in phones) and len(set(phones)) == len(phones)


def test_every_school_has_an_inspector_at_about_one_for_five() -> None:
    county = build_demo_county()
    assert 28 <= len(county.inspectors) <= 32
    assert set(county.assignments) == {s.code for s in county.schools}
    load = Counter(county.assignments.values())
    assert set(load) == {i.number for i in county.inspectors}
    assert 4 <= len(county.schools) / len(county.inspectors) <= 6 and max(load.values()) <= 7
    zone_of = {i.number: i.zone for i in county.inspectors}
    assert all(zone_of[county.assignments[s.code]] == s.zone for s in county.schools)  # inspectors work their zone
    full_time = [i for i in county.inspectors if i.employment == "full_time"]
    retired = [i for i in county.inspectors if i.retired]
    assert len(full_time) >= 9 and 8 <= len(retired) <= 16 and all(i.retired_on for i in retired)
    assert any(i.training_hours < 40 for i in county.inspectors)  # something for the dashboard to flag


def test_loading_fills_the_database(database: Database) -> None:
    with database.sessions() as session:
        loaded = load_demo_county(session)
    assert loaded.changed and loaded.zones == 9
    with database.sessions() as session:
        authority = session.scalars(select(Authority)).one()
        assert (authority.name, authority.office_name, authority.hotline) == (AUTHORITY_NAME, OFFICE_NAME, HOTLINE)
        assert len(authority.supervision_items) == 8
        schools = session.scalar(select(func.count(Unit.id)).where(Unit.kind.in_(SCHOOL_KINDS)))
        assert schools == loaded.schools
        unassigned = session.scalar(
            select(func.count(Unit.id))
            .where(Unit.kind.in_(SCHOOL_KINDS))
            .where(~Unit.id.in_(select(Assignment.unit_id).where(Assignment.ends_on.is_(None))))
        )
        assert unassigned == 0
        assert session.scalar(select(func.count(Zone.id)).where(Zone.leader_inspector_id.is_not(None))) == 9
        days = session.scalar(select(func.count()).select_from(CalendarDay)) or 0
        assert days > 0  # the official calendar came too
        assert session.scalars(select(AuditEvent.action).where(AuditEvent.actor == "system:demo")).all()


def test_loading_again_changes_nothing(database: Database) -> None:
    with database.sessions() as session:
        load_demo_county(session)
    before = counts(database)
    with database.sessions() as session:
        again = load_demo_county(session)
    assert not again.changed, (again.created, again.updated)
    assert counts(database) == before


def test_loading_again_puts_back_what_was_changed(database: Database) -> None:
    with database.sessions() as session:
        load_demo_county(session)
    with database.sessions() as session:
        unit = session.scalars(select(Unit).where(Unit.code == "2199010001")).one()
        name = unit.name
        unit.name = "改过的名字"
        assignment = session.scalars(select(Assignment).where(Assignment.ends_on.is_(None))).first()
        assert assignment is not None
        session.delete(assignment)
        session.commit()
    with database.sessions() as session:
        again = load_demo_county(session)
        assert again.updated["unit"] == 1 and again.created["assignment"] == 1
        assert session.scalars(select(Unit.name).where(Unit.code == "2199010001")).one() == name


def test_every_demo_school_reports_to_the_education_bureau(database: Database) -> None:
    with database.sessions() as s:
        load_demo_county(s)
        bureau = s.scalars(select(Unit.id).where(Unit.name == "青禾县教育局")).one()
        superiors = Counter(s.scalars(select(Unit.superior_unit_id).where(Unit.kind.in_(SCHOOL_KINDS))))
        assert superiors == {bureau: len(build_demo_county().schools)}
