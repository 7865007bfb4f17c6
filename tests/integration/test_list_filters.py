"""The one list-filter builder on real databases: an item filter means that item, not any code containing it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from backend.services.authority import current_authority
from backend.services.list_filters import VISITS, ListFilters, conditions
from backend.store.db import Database
from backend.store.models import Inspector, Unit, Visit


def test_the_item_filter_matches_the_item_and_not_a_longer_code(database: Database) -> None:
    with database.session() as s:
        authority = current_authority(s)
        unit = Unit(authority_id=authority.id, code="S1", name="某某县实验小学", kind="primary")
        inspector = Inspector(authority_id=authority.id, number="D1", name="李督学", phone="139")
        s.add_all([unit, inspector])
        s.flush()
        for items in (["7"], ["17", "3"], ["1", "13"], ["7_"], []):
            s.add(
                Visit(
                    authority_id=authority.id,
                    unit_id=unit.id,
                    inspector_id=inspector.id,
                    visited_on=date(2026, 11, 20),
                    items=items,
                )
            )
    with database.session() as s:

        def matching(code: str) -> list[list[str]]:
            query = select(Visit.items).where(*conditions(ListFilters(item=code), VISITS)).order_by(Visit.id)
            return [list(items) for items in s.scalars(query)]

        assert matching("7") == [["7"]]
        assert matching("1") == [["1", "13"]]
        assert matching("13") == [["1", "13"]]
        assert matching("_") == []  # LIKE's wildcards are the text typed, not wildcards
        assert matching("%") == []
