"""The state groups come from the domain: 我的学校, the 月报 and the dashboard count the same items as open."""

from __future__ import annotations

from backend.domain.visit_targets import month_of
from backend.services import monthly_report, office_users, visits
from backend.services.office import figures
from backend.store.db import Database
from backend.store.models import Inspector
from tests.integration.test_rectification_lifecycle import MONDAY, issue_one, propose_one, seed_county


def test_a_draft_is_not_an_open_rectification_in_my_schools_the_monthly_report_or_the_dashboard(
    database: Database,
) -> None:
    seeded = seed_county(database)
    issue_one(database, seeded)
    with database.session() as session:
        # proposed, never issued: a draft the unit has not seen
        propose_one(session, seeded, item="7", problem="食堂留样记录不全", requirement="补齐留样记录")
    with database.session() as session:
        (school,) = visits.my_schools(session, seeded.inspector_id)
        inspector = session.get(Inspector, seeded.inspector_id)
        assert inspector is not None
        report = monthly_report.inspector_month(session, inspector, month_of(MONDAY.date()))
        scope = office_users.Scope(
            0, "admin", "督导室", office_users.OfficeRole.OFFICE, seeded.authority_id, None, None
        )
        board = figures.rectifications(session, scope, MONDAY.date())
    assert school.open_rectifications == 1
    assert report.open_rectifications == 1
    assert board.open == 1 and board.drafts == 1
