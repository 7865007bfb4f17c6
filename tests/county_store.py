"""A generated county (tests/data/counties.py) written into a database: its units, inspectors and assignments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from backend.domain.kinds import Ownership, UnitKind
from backend.services.authority import current_authority
from backend.store.models import Assignment, Inspector, Unit
from tests.data.counties import County

KINDS = {
    "小学": UnitKind.PRIMARY,
    "教学点": UnitKind.PRIMARY,
    "初中": UnitKind.JUNIOR,
    "九年一贯制": UnitKind.NINE_YEAR,
    "高中": UnitKind.SENIOR,
    "幼儿园": UnitKind.KINDERGARTEN,
    "特教": UnitKind.SPECIAL,
}


@dataclass(frozen=True)
class Stored:
    """Database ids by the county's own ids and numbers."""

    units: dict[int, int]  # School.id -> Unit.id
    inspectors: dict[str, int]  # Inspector.number -> Inspector.id


def store_county(session: Session, county: County, *, with_nicknames: bool = True) -> Stored:
    """The county as the current authority's master data (flushed, not committed)."""
    authority = current_authority(session)
    authority.name = f"{county.name}人民政府教育督导委员会"
    units: dict[int, int] = {}
    for school in county.schools:
        unit = Unit(
            authority_id=authority.id,
            code=school.code,
            name=school.name,
            nicknames="、".join(school.nicknames) if with_nicknames else "",
            kind=KINDS[school.kind].value,
            ownership=(Ownership.PRIVATE if school.ownership == "民办" else Ownership.PUBLIC).value,
        )
        session.add(unit)
        session.flush()
        units[school.id] = unit.id
    inspectors: dict[str, int] = {}
    for n, person in enumerate(county.inspectors, start=1):
        inspector = Inspector(authority_id=authority.id, number=person.number, name=person.name, phone=f"138{n:08d}")
        session.add(inspector)
        session.flush()
        inspectors[person.number] = inspector.id
        for school_id in person.schools:
            session.add(Assignment(inspector_id=inspector.id, unit_id=units[school_id], starts_on=date(2024, 9, 1)))
    session.flush()
    return Stored(units, inspectors)
