"""The monthly report (月报): each inspector's month (visits per school, items, problems, open rectifications),
the office's xlsx of every inspector's report, and the start-of-month push (a sweep step, once per inspector
and month: the outbox key carries both).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.domain.calendar import local_date
from backend.domain.visit_targets import Period, Progress, month_of, previous_month
from backend.services import media, notices, visit_progress
from backend.services.authority import current_authority
from backend.services.rule_sql import rectification_open
from backend.services.tabular import append_row
from backend.services.visits import my_schools, visits_between
from backend.store.db import Database, session_now
from backend.store.models import Inspector, Rectification, Unit, Visit
from messages import t

PUSH_DAYS = 7  # the report of last month goes out during the first week of the month, once


def month_progress(session: Session, inspector_id: int, today: date) -> tuple[Progress, dict[int, str]]:
    """Where the inspector stands this month and semester (`visit_progress`, as the dashboard counts it); and the
    names of their schools by id."""
    progress = visit_progress.progress_of(session, current_authority(session), inspector_id, today)
    return progress, {s.unit_id: s.short_name or s.name for s in my_schools(session, inspector_id)}


@dataclass(frozen=True)
class InspectorMonth:
    inspector_id: int
    number: str
    name: str
    month: Period
    schools: int
    visits: list[Visit]
    per_school: dict[str, int]  # school name -> visits
    items: list[str]  # item codes touched, most frequent first
    problems: int
    open_rectifications: int

    @property
    def schools_visited(self) -> int:
        return sum(1 for count in self.per_school.values() if count)


def inspector_month(session: Session, inspector: Inspector, month: Period) -> InspectorMonth:
    schools = my_schools(session, inspector.id)
    visits = visits_between(session, inspector.id, month.start, month.end)
    names = {s.unit_id: s.name for s in schools}
    for visit in visits:  # a school handed over during the month still counts in the month it was visited
        if visit.unit_id not in names:
            unit = session.get(Unit, visit.unit_id)
            names[visit.unit_id] = unit.name if unit else str(visit.unit_id)
    per_school = {names[s.unit_id]: 0 for s in schools}
    for visit in visits:
        per_school[names[visit.unit_id]] = per_school.get(names[visit.unit_id], 0) + 1
    items = Counter(code for visit in visits for code in visit.items)
    open_rects = session.scalar(
        select(func.count())
        .select_from(Rectification)
        .where(Rectification.inspector_id == inspector.id, rectification_open())
    )
    return InspectorMonth(
        inspector_id=inspector.id,
        number=inspector.number,
        name=inspector.name,
        month=month,
        schools=len(schools),
        visits=visits,
        per_school=per_school,
        items=[code for code, _ in items.most_common()],
        problems=sum(len([p for p in v.problems.split("\n") if p]) for v in visits),
        open_rectifications=int(open_rects or 0),
    )


def month_label(month: Period) -> str:
    return t("visits.report.month", year=month.start.year, month=month.start.month)


def item_names(session: Session, codes: list[str]) -> str:
    names = {str(i.get("code")): str(i.get("name")) for i in current_authority(session).supervision_items}
    return "、".join(names.get(c, c) for c in codes) or t("visits.summary.none")


def report_text(session: Session, report: InspectorMonth) -> str:
    rows = "".join(t("visits.report.row", school=name, count=count) for name, count in report.per_school.items())
    return t(
        "visits.report.push",
        inspector=report.name,
        month=month_label(report.month),
        visits=len(report.visits),
        done=report.schools_visited,
        schools=report.schools,
        rows=rows,
        items=item_names(session, report.items),
        problems=report.problems,
        open=report.open_rectifications,
    )


def push_monthly_reports(session: Session, now: datetime | None = None, *, any_day: bool = False) -> int:
    """Last month's report to every bound inspector, during the first week of the month. Idempotent."""
    now = now or session_now(session)
    today = local_date(now)
    if today.day > PUSH_DAYS and not any_day:
        return 0
    month = previous_month(today)
    queued = 0
    for inspector in session.scalars(select(Inspector).where(Inspector.active.is_(True)).order_by(Inspector.id)):
        openids = notices.openids_of_inspector(session, inspector.id)
        if not openids:
            continue
        report = inspector_month(session, inspector, month)
        progress_text = t(
            "visits.report.progress", visits=len(report.visits), done=report.schools_visited, schools=report.schools
        )
        queued += notices.notify(
            session,
            openids,
            notice="visit_reminder",
            text=report_text(session, report),
            fields={"inspector": inspector.name, "month": month_label(month), "progress": progress_text},
            dedupe_key=f"visits:monthly:{inspector.id}:{month.start:%Y-%m}",
            now=now,
        )
    return queued


def sweep_step(db: Database, now: datetime) -> dict[str, int]:
    """The sweep's step: the start-of-month report."""
    with db.session() as session:
        return {"monthly_reports": push_monthly_reports(session, now)}


def export_xlsx(session: Session, month: Period, path: Path) -> tuple[int, int]:
    """Every inspector's 月报 for the office: a summary sheet and every visit. Returns (inspectors, visits)."""
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = t("visits.report.sheet_summary")
    columns = (
        "inspector_number",
        "inspector",
        "schools",
        "visits",
        "schools_visited",
        "items",
        "problems",
        "open_rects",
    )
    append_row(summary, [t(f"visits.report.col.{c}") for c in columns])
    detail = book.create_sheet(t("visits.report.sheet_visits"))
    detail_columns = (
        "date", "inspector", "school", "kind", "items", "observations", "problem_text", "photos", "distance", "far",
    )  # fmt: skip
    append_row(detail, [t(f"visits.report.col.{c}") for c in detail_columns])
    inspectors = session.scalars(select(Inspector).where(Inspector.active.is_(True)).order_by(Inspector.number)).all()
    visit_count = 0
    for inspector in inspectors:
        report = inspector_month(session, inspector, month)
        append_row(
            summary,
            [
                inspector.number,
                inspector.name,
                report.schools,
                len(report.visits),
                report.schools_visited,
                item_names(session, report.items),
                report.problems,
                report.open_rectifications,
            ],
        )
        for visit in report.visits:
            unit = session.get(Unit, visit.unit_id)
            append_row(
                detail,
                [
                    visit.visited_on.isoformat(),
                    inspector.name,
                    unit.name if unit else "",
                    t(f"visits.kind.{visit.kind}"),
                    item_names(session, list(visit.items)),
                    visit.observations,
                    visit.problems,
                    len(media.media_of(session, "visit", visit.id)),
                    visit.checkin_distance_m,
                    t("visits.report.yes") if visit.far_from_school else "",
                ],
            )
            visit_count += 1
    for sheet in (summary, detail):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return len(inspectors), visit_count


def default_month(today: date) -> Period:
    """The month an export means by default: the last complete one."""
    return month_of(today.replace(day=1) - timedelta(days=1))
