"""The dashboard and /public say the same thing about the same data: answer times in days, the same median; the
items chart is the authority's list; an inspector's row is what `visit_progress` (the bot's 本月) counts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from backend.demo.county import load_demo_county
from backend.domain.calendar import local_date
from backend.domain.concern import ticket_no
from backend.domain.kinds import ConcernState
from backend.services import visit_progress
from backend.services.authority import current_authority
from backend.services.office import figures, periods, publication
from backend.services.office_users import OfficeRole, Scope
from backend.store.db import Database
from backend.store.models import Assignment, Concern, Inspector, Unit, Visit
from tests.integration.test_office_web import make_app, seed_activity, sign_in


def test_answer_times_are_days_with_the_same_median_on_the_dashboard_and_public(database: Database) -> None:
    now = database.clock.now()
    today = local_date(now)
    with database.sessions() as s:
        load_demo_county(s)
        authority = current_authority(s)
        units = list(s.scalars(select(Unit.id).where(Unit.kind == "primary").limit(3)))
        for n, (unit_id, hours) in enumerate(zip(units, (6, 30, 80), strict=True)):
            created = now - timedelta(days=5)
            s.add(
                Concern(
                    ticket_no=ticket_no(today.year, today.month, 800 + n), authority_id=authority.id,
                    unit_id=unit_id, category=None if n == 2 else "7", content="家长反映", state=ConcernState.ANSWERED,
                    ack_due_on=today, answer_due_on=today, created_at=created,
                    answered_at=created + timedelta(hours=hours),
                )
            )  # fmt: skip
        s.commit()
        scope = Scope(0, "", "", OfficeRole.OFFICE, authority.id, None, None)
        board = figures.dashboard(s, scope, authority, today)
        public = publication.public_results(s, authority, periods.Period(periods.year_of(today).first, today))
    assert board.concerns.median_answer_days is not None
    assert round(board.concerns.median_answer_days, 3) == round(30 / 24, 3)
    assert public.total.median_response_days is not None
    assert round(public.total.median_response_days, 3) == round(board.concerns.median_answer_days, 3)
    # the items chart: the authority's eight, then what carries none of them
    names = [i["name"] for i in authority.supervision_items]
    assert [b.name for b in board.concerns.by_item] == [*names, "未分类"]
    assert [b.value for b in board.concerns.by_item if b.key == "7"] == [2]


def test_an_inspectors_dashboard_row_is_the_bots_month(database: Database) -> None:
    today = local_date(database.clock.now())
    with database.sessions() as s:
        load_demo_county(s)
        authority = current_authority(s)
        inspector = s.scalars(select(Inspector).order_by(Inspector.number)).first()
        assert inspector is not None
        own = list(
            s.scalars(
                select(Assignment.unit_id).where(Assignment.inspector_id == inspector.id, Assignment.ends_on.is_(None))
            )
        )
        other = s.scalars(select(Assignment.unit_id).where(Assignment.inspector_id != inspector.id)).first()
        for unit_id in [own[0], own[0], other]:
            s.add(
                Visit(
                    authority_id=authority.id, inspector_id=inspector.id, unit_id=unit_id, visited_on=today,
                    items=["1"], observations="查阅资料",
                )
            )  # fmt: skip
        s.commit()
        scope = Scope(0, "", "", OfficeRole.OFFICE, authority.id, None, None)
        row = next(
            r
            for r in figures.dashboard(s, scope, authority, today).visits.per_inspector
            if r.number == inspector.number
        )
        bot = visit_progress.progress_of(s, authority, inspector.id, today)
    assert (row.month, row.month_schools, row.schools) == (bot.month_visits, bot.month_done, bot.schools)
    assert row.month == 2 and row.month_schools == 1  # the visit at another's school is not counted as his month


def test_the_concern_list_names_items_from_the_authoritys_own_list(database: Database, tmp_path: Path) -> None:
    seed_activity(database)
    with database.sessions() as s:
        authority = current_authority(s)
        authority.supervision_items = [
            {"code": i["code"], "name": "食堂与饮食安全" if i["code"] == "7" else i["name"]}
            for i in authority.supervision_items
        ]
        s.commit()
    client = make_app(database, tmp_path).test_client()
    sign_in(client, "admin")
    page = client.get("/office/concerns").text
    assert "食堂与饮食安全" in page and "食堂、食品、饮水及宿舍卫生</td>" not in page
