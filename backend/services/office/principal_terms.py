"""Principals' terms (校(园)长任期) ending soon, as the office plans the 任期结束综合督导: which schools, whose term,
and who is responsible for each school now (the default team of the 校长任期 task)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from backend.domain import staffing
from backend.domain.errors import DomainError
from backend.domain.kinds import TaskKind, TaskState
from backend.services import tasks
from backend.services.office.scoped import current_assignment, schools_of
from backend.services.office_users import Scope
from backend.store.models import Assignment, Inspector, Task, TaskTarget, Unit, Zone
from messages import t

HORIZON_DAYS = 183  # "the next six months", as staffing.term_ending_soon counts them


@dataclass(frozen=True)
class TermEnding:
    unit_id: int
    code: str
    name: str
    zone: str
    principal: str
    since: date | None
    ends_on: date
    inspector_id: int | None  # the school's current responsible inspector
    inspector_number: str
    inspector_name: str

    def days_left(self, today: date) -> int:
        return (self.ends_on - today).days


def terms_ending(
    session: Session, scope: Scope, today: date, *, days: int = HORIZON_DAYS, unit_ids: list[int] | None = None
) -> list[TermEnding]:
    """The schools in scope whose principal's term ends from today to `days` ahead, soonest first (one query)."""
    query = (
        select(
            Unit.id, Unit.code, Unit.name, Zone.name, Unit.principal_name, Unit.principal_since,
            Unit.principal_term_ends_on, Inspector.id, Inspector.number, Inspector.name,
        )
        .outerjoin(Zone, Zone.id == Unit.zone_id)
        .outerjoin(Assignment, current_assignment())
        .outerjoin(Inspector, Inspector.id == Assignment.inspector_id)
        .where(
            *schools_of(scope),
            Unit.principal_term_ends_on >= today,
            Unit.principal_term_ends_on <= today + timedelta(days=days),
        )
        .order_by(Unit.principal_term_ends_on, Unit.code)
    )  # fmt: skip
    if unit_ids is not None:
        query = query.where(Unit.id.in_(unit_ids))
    found = [
        TermEnding(uid, code, name, zone or "", principal, since, ends, iid, number or "", person or "")
        for uid, code, name, zone, principal, since, ends, iid, number, person in session.execute(query).all()
        if ends is not None
    ]
    return [row for row in found if staffing.term_ending_soon(row.ends_on, today, days)]


def default_team(rows: list[TermEnding]) -> list[int]:
    """The schools' responsible inspectors, each once, in the order of the schools (the first leads)."""
    team: list[int] = []
    for row in rows:
        if row.inspector_id is not None and row.inspector_id not in team:
            team.append(row.inspector_id)
    return team


def term_tasks_of(session: Session, unit_ids: list[int]) -> dict[int, tuple[int, str]]:
    """The 校长任期 task each unit is already a target of during its principal's term (task id, name), if any."""
    if not unit_ids:
        return {}
    rows = session.execute(
        select(TaskTarget.unit_id, Task.id, Task.name)
        .join(Task, Task.id == TaskTarget.task_id)
        .join(Unit, Unit.id == TaskTarget.unit_id)
        .where(
            TaskTarget.unit_id.in_(unit_ids),
            Task.kind == TaskKind.PRINCIPAL_TERM.value,
            Task.state != TaskState.CANCELLED.value,
            or_(Unit.principal_since.is_(None), Task.ends_on >= Unit.principal_since),
        )
        .order_by(Task.id)
    ).all()
    return {unit_id: (task_id, name) for unit_id, task_id, name in rows}


def create_term_task(
    session: Session, scope: Scope, today: date, *, unit_ids: list[int], checklist_id: int | None, actor: str
) -> Task:
    """One 校(园)长任期结束综合督导 for the chosen schools whose terms end within six months: the team is their
    responsible inspectors (the first school's leads), the window from today to the last term's end. Does not
    commit; refusals are `DomainError`s."""
    rows = terms_ending(session, scope, today, unit_ids=unit_ids) if unit_ids else []
    if not rows:
        raise DomainError("tasko.terms.error.none")
    if checklist_id is None:
        raise DomainError("tasko.new.error.checklist")
    team = default_team(rows)
    if not team:
        raise DomainError("tasko.terms.error.no_inspector")
    return tasks.create_task(
        session,
        scope.authority_id,
        name=t("tasko.terms.task_name", year=today.year),
        kind=TaskKind.PRINCIPAL_TERM.value,
        checklist_id=checklist_id,
        inspector_ids=team,
        leader_id=team[0],
        starts_on=today,
        ends_on=max(row.ends_on for row in rows),
        actor=actor,
        unit_ids=[row.unit_id for row in rows],
    )
