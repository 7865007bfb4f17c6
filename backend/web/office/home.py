"""The dashboard: coverage, visits, concerns and rectifications, as figures and as charts."""

from __future__ import annotations

import time
from typing import Any

from flask import redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from backend.domain import staffing
from backend.domain.kinds import ConcernState
from backend.services import calendar, privacy, undelivered
from backend.services.office import figures
from backend.web.office import steps as office_steps
from backend.web.office.auth import authority, db, scope
from backend.web.office.blueprint import bp, label
from messages import t


@bp.get("/")
def index() -> ResponseReturnValue:
    return redirect(url_for("office.dashboard"))


def charts(board: figures.Dashboard) -> dict[str, Any]:
    """The data of the dashboard's charts; `office.js` draws them with Chart.js."""
    cov, vis, con, rec = board.coverage, board.visits, board.concerns, board.rectifications
    states = [s.value for s in ConcernState]
    return {
        "zones": {
            "type": "bar",
            "labels": [z.name for z in cov.zones],
            "values": [z.value for z in cov.zones],
            "limit": staffing.SCHOOLS_PER_ZONE,
            "limitLabel": t("office.dash.chart.zone_limit", limit=staffing.SCHOOLS_PER_ZONE),
            "label": t("office.dash.chart.schools"),
        },
        "visits": {
            "type": "bar",
            "labels": [z.name for z in vis.per_zone],
            "values": [round(z.value * 100) for z in vis.per_zone],
            "limit": 100,
            "percent": True,
            "label": t("office.dash.chart.visited_share"),
        },
        "concernStates": {
            "type": "doughnut",
            "labels": [label("concern.state", s) for s in states if con.by_state.get(s)],
            "values": [con.by_state[s] for s in states if con.by_state.get(s)],
        },
        "concernItems": {
            "type": "hbar",
            "labels": [item.name for item in con.by_item],
            "values": [item.value for item in con.by_item],
            "label": t("office.dash.chart.concerns"),
        },
        "levels": {
            "type": "bar",
            "labels": [t(f"figures.level.{level}") for level in figures.LEVELS],
            "values": [rec.by_level.get(level, 0) for level in figures.LEVELS],
            "label": t("office.dash.chart.open_rectifications"),
        },
    }


@bp.get("/dashboard")
def dashboard() -> ResponseReturnValue:
    started = time.perf_counter()
    with db() as s:
        auth = authority(s)
        board = figures.dashboard(s, scope(), auth)
        targets = {"per_month": auth.visits_per_month_target, "floor": auth.visits_per_semester_floor}
        missing_schedules = calendar.missing_schedules(s, board.today)
        open_undelivered = undelivered.views(s) if scope().is_office else []
        privacy_open = privacy.open_count(s) if scope().is_office else 0
        due_steps = office_steps.steps_due(s)
    took = (time.perf_counter() - started) * 1000
    return render_template(
        "office/dashboard.html",
        board=board,
        chart_data=charts(board),
        targets=targets,
        rules=staffing,
        took_ms=took,
        missing_schedules=missing_schedules,
        urgent_days=figures.URGENT_DAYS,
        undelivered=open_undelivered,
        privacy_open=privacy_open,
        steps_due=due_steps,
    )
