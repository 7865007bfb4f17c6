"""Supervision tasks (督导任务): creating one with its team and targets, and reading them back.

A task names a checklist version, a window (`starts_on`..`ends_on`), a team of inspectors with one 组长 and its
targets, each assigned to one team inspector. A 随机 or 暗访 task's targets are a sample the system draws from a
pool (a zone or every school) with a recorded seed; such a target is hidden from its unit until its check is done
(`backend.domain.tasks.task_hidden_from_unit`, applied here for the readers and by `notices.notify` for pushes).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from backend.domain import tasks as rules
from backend.domain.checklists import has_control
from backend.domain.errors import DomainError
from backend.domain.kinds import CheckProgress, CheckState, RectificationState, TaskKind, TaskState, UnitKind
from backend.domain.school_names import Kind as NameKind
from backend.services import audit, concealment, school_names, tabular
from backend.store.models import (
    Assignment,
    Checklist,
    ChecklistItem,
    Inspector,
    Rectification,
    Task,
    TaskAnswer,
    TaskMember,
    TaskTarget,
    Unit,
    Zone,
)

SCHOOL_KINDS = tuple(k.value for k in UnitKind if k.is_school)
MAX_NAME = 200
POOL_ALL = "all"
POOL_ZONE = "zone:"


@dataclass(frozen=True)
class Sample:
    """A draw of `size` units from `pool` ("all" or "zone:<name>") with `seed` (None: the system picks one)."""

    size: int
    pool: str = POOL_ALL
    seed: str | None = None


def new_seed() -> str:
    """A fresh seed for a sample (recorded on the task; never from the clock)."""
    return str(secrets.randbelow(10**12))


def pool_unit_codes(session: Session, authority_id: int, pool: str) -> list[str]:
    """The active schools of the pool: every school (`all`) or a zone's (`zone:<name>`)."""
    query = select(Unit.code).where(
        Unit.authority_id == authority_id, Unit.active.is_(True), Unit.kind.in_(SCHOOL_KINDS)
    )
    if has_control(pool):
        raise DomainError("task.error.no_zone", zone=pool.removeprefix(POOL_ZONE))
    if pool.startswith(POOL_ZONE):
        zone_id = session.scalar(
            select(Zone.id).where(Zone.authority_id == authority_id, Zone.name == pool[len(POOL_ZONE) :])
        )
        if zone_id is None:
            raise DomainError("task.error.no_zone", zone=pool[len(POOL_ZONE) :])
        query = query.where(Unit.zone_id == zone_id)
    elif pool != POOL_ALL:
        raise DomainError("task.error.no_zone", zone=pool)
    return list(session.scalars(query))


def draw(session: Session, authority_id: int, sample: Sample) -> tuple[list[int], str]:
    """The unit ids of the sample (in draw order) and the seed it was drawn with."""
    if sample.size < 1:
        raise DomainError("task.error.sample_size")
    if sample.seed is not None and not re.fullmatch(r"[0-9A-Za-z_-]{1,40}", sample.seed):
        raise DomainError("task.error.seed")
    seed = sample.seed or new_seed()
    codes = rules.draw_sample(pool_unit_codes(session, authority_id, sample.pool), sample.size, seed)
    if not codes:
        raise DomainError("task.error.no_targets")
    ids = {code: unit_id for code, unit_id in session.execute(select(Unit.code, Unit.id).where(Unit.code.in_(codes)))}
    return [ids[code] for code in codes], seed


def create_task(
    session: Session,
    authority_id: int,
    *,
    name: str,
    kind: str,
    checklist_id: int,
    inspector_ids: Sequence[int],
    starts_on: date,
    ends_on: date,
    actor: str,
    unit_ids: Sequence[int] = (),
    leader_id: int | None = None,
    sample: Sample | None = None,
    rectification_ids: Sequence[int] = (),
    assignees: dict[int, int] | None = None,
    note: str = "",
) -> Task:
    """A new open task (does not commit). Targets: `unit_ids`, or a `sample` drawn by the system (required for 随机
    and 暗访, which take no hand-picked list), or for 回访复查 the units of closed `rectification_ids`.
    `assignees` (unit id -> team inspector id) overrides the default assignment; `leader_id` defaults to the first
    inspector. Raises `DomainError` with the reason in Chinese."""
    name = name.strip()
    if not name:
        raise DomainError("task.error.no_name")
    if len(name) > MAX_NAME:
        raise DomainError("task.error.name_long")
    if has_control(name) or has_control(note):
        raise DomainError("task.error.name_control")
    try:
        task_kind = TaskKind(kind)
    except ValueError:
        raise DomainError("task.error.kind", kind=kind) from None
    if ends_on < starts_on:
        raise DomainError("task.error.window", starts=starts_on.isoformat(), ends=ends_on.isoformat())
    checklist = session.get(Checklist, checklist_id)
    if checklist is None or checklist.authority_id != authority_id:
        raise DomainError("checklist.error.unknown", name=str(checklist_id))
    team = list(dict.fromkeys(inspector_ids))
    if not team:
        raise DomainError("task.error.no_team")
    inspectors = {
        i.id: i
        for i in session.scalars(
            select(Inspector).where(Inspector.id.in_(team), Inspector.authority_id == authority_id)
        )
    }
    for inspector_id in team:
        inspector = inspectors.get(inspector_id)
        if inspector is None:
            raise DomainError("task.error.no_inspector", number=str(inspector_id))
        if not inspector.active:
            raise DomainError("task.error.inactive_inspector", name=inspector.name)
    leader = leader_id if leader_id is not None else team[0]
    if leader not in inspectors:
        raise DomainError("task.error.leader_not_on_team")

    seed, pool, size = "", "", None
    revisits: dict[int, int] = {}
    if task_kind in rules.SAMPLED_KINDS and sample is None:
        raise DomainError("task.error.sample_required", kind=task_kind.value)
    if sample is not None:
        if unit_ids:
            raise DomainError("task.error.sample_and_list")
        drawn, seed = draw(session, authority_id, sample)
        targets = drawn
        pool, size = sample.pool, sample.size
    elif rectification_ids:
        if task_kind is not TaskKind.FOLLOW_UP:
            raise DomainError("task.error.rectifications_follow_up")
        targets, revisits = _revisited_units(session, authority_id, rectification_ids)
        targets = list(dict.fromkeys([*unit_ids, *targets]))
    else:
        targets = list(dict.fromkeys(unit_ids))
    if not targets:
        raise DomainError("task.error.no_targets")
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(targets)))}
    for unit_id in targets:
        unit = units.get(unit_id)
        if unit is None or unit.authority_id != authority_id:
            raise DomainError("task.error.no_unit", unit=str(unit_id))
        if not rules.unit_allowed(task_kind.value, unit.kind):
            raise DomainError("task.error.unit_kind", unit=unit.name)

    chosen = rules.assign_targets(targets, team, responsible_inspectors(session, targets))
    for unit_id, inspector_id in (assignees or {}).items():
        if unit_id in chosen:
            if inspector_id not in inspectors:
                raise DomainError("task.error.assignee_not_on_team")
            chosen[unit_id] = inspector_id

    task = Task(
        authority_id=authority_id,
        name=name,
        kind=task_kind.value,
        checklist_id=checklist.id,
        starts_on=starts_on,
        ends_on=ends_on,
        state=TaskState.OPEN.value,
        note=note,
        sample_seed=seed,
        sample_size=size,
        sample_pool=pool,
        created_by=actor,
    )
    task.members = [
        TaskMember(inspector_id=inspector_id, position=n, leader=inspector_id == leader)
        for n, inspector_id in enumerate(team)
    ]
    task.targets = [
        TaskTarget(
            unit_id=unit_id,
            inspector_id=chosen[unit_id],
            position=n,
            rectification_id=revisits.get(unit_id),
        )
        for n, unit_id in enumerate(targets)
    ]
    session.add(task)
    session.flush()
    audit.record(
        session,
        actor,
        "task.created",
        "task",
        task.id,
        name=name,
        kind=task_kind.value,
        checklist=checklist.name,
        checklist_version=checklist.version,
        starts_on=starts_on.isoformat(),
        ends_on=ends_on.isoformat(),
        team=team,
        leader=leader,
        targets=len(targets),
        sample_seed=seed,
        sample_size=size,
        sample_pool=pool,
    )
    return task


def responsible_inspectors(session: Session, unit_ids: Iterable[int]) -> dict[int, int | None]:
    """Each unit's current responsible inspector (責任督学), where it has one."""
    rows = session.execute(
        select(Assignment.unit_id, Assignment.inspector_id).where(
            Assignment.unit_id.in_(list(unit_ids)), Assignment.ends_on.is_(None)
        )
    )
    return {unit_id: inspector_id for unit_id, inspector_id in rows}


def _revisited_units(
    session: Session, authority_id: int, rectification_ids: Sequence[int]
) -> tuple[list[int], dict[int, int]]:
    rows = session.scalars(select(Rectification).where(Rectification.id.in_(list(rectification_ids)))).all()
    found = {r.id: r for r in rows}
    units: list[int] = []
    revisits: dict[int, int] = {}
    for rect_id in rectification_ids:
        rect = found.get(rect_id)
        if rect is None or rect.authority_id != authority_id:
            raise DomainError("task.error.no_rectification", number=str(rect_id))
        if rect.state not in (RectificationState.CLOSED.value, RectificationState.VERIFIED.value):
            raise DomainError("task.error.rectification_open", number=rect.number)
        units.append(rect.unit_id)
        revisits.setdefault(rect.unit_id, rect.id)
    return list(dict.fromkeys(units)), revisits


# ---- reading -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetView:
    """A target as the inspector's list and the office's progress show it."""

    target_id: int
    task_id: int
    task_name: str
    task_kind: str
    unit_id: int
    unit_code: str
    unit_name: str
    inspector_id: int
    state: str
    progress: CheckProgress
    starts_on: date
    ends_on: date
    answered: int
    items: int
    score: float | None


def _target_views(session: Session, condition: ColumnElement[bool], today: date) -> list[TargetView]:
    # counted per row from the indexes (task_answer.target_id, checklist_item.checklist_id): the cost follows the
    # targets read, not every answer ever given
    answered = (
        select(func.count(TaskAnswer.id)).where(TaskAnswer.target_id == TaskTarget.id).correlate(TaskTarget)
    ).scalar_subquery()
    items = (
        select(func.count(ChecklistItem.id)).where(ChecklistItem.checklist_id == Task.checklist_id).correlate(Task)
    ).scalar_subquery()
    rows = session.execute(
        select(
            TaskTarget.id,
            Task.id,
            Task.name,
            Task.kind,
            Unit.id,
            Unit.code,
            Unit.name,
            TaskTarget.inspector_id,
            TaskTarget.state,
            Task.starts_on,
            Task.ends_on,
            answered,
            items,
            TaskTarget.score,
        )
        .join(Task, Task.id == TaskTarget.task_id)
        .join(Unit, Unit.id == TaskTarget.unit_id)
        .where(condition)
        .order_by(Task.ends_on, Task.id, TaskTarget.position)
    ).all()
    return [
        TargetView(
            target_id=r[0],
            task_id=r[1],
            task_name=r[2],
            task_kind=r[3],
            unit_id=r[4],
            unit_code=r[5],
            unit_name=r[6],
            inspector_id=r[7],
            state=r[8],
            progress=rules.progress(r[8], r[10], today),
            starts_on=r[9],
            ends_on=r[10],
            answered=int(r[11]),
            items=int(r[12]),
            score=r[13],
        )
        for r in rows
    ]


def targets_for_inspector(
    session: Session, inspector_id: int, today: date, *, include_done: bool = True
) -> list[TargetView]:
    """The targets of open tasks assigned to the inspector, soonest window end first."""
    condition = and_(TaskTarget.inspector_id == inspector_id, Task.state == TaskState.OPEN.value)
    if not include_done:
        condition = and_(condition, TaskTarget.state != CheckState.DONE.value)
    return _target_views(session, condition, today)


def targets_of_task(session: Session, task_id: int, today: date) -> list[TargetView]:
    """Every target of the task with its progress, in the task's order."""
    return _target_views(session, TaskTarget.task_id == task_id, today)


# ---- concealment (the rule: backend.domain.tasks.task_hidden_from_unit; as SQL: backend.services.concealment) --

hidden_unit_ids = concealment.hidden_unit_ids


def target_hidden_from_unit(session: Session, target_id: int) -> bool:
    row = session.execute(
        select(Task.kind, TaskTarget.state).join(Task, Task.id == TaskTarget.task_id).where(TaskTarget.id == target_id)
    ).first()
    return row is not None and rules.task_hidden_from_unit(row[0], row[1])


def tasks_visible_to_unit(session: Session, unit_id: int) -> list[Task]:
    """The tasks a unit may be told of (its page, its exports): every task targeting it but hidden ones."""
    return list(
        session.scalars(
            select(Task)
            .join(TaskTarget, TaskTarget.task_id == Task.id)
            .where(TaskTarget.unit_id == unit_id, concealment.visible_to_unit_condition())
            .order_by(Task.starts_on, Task.id)
        )
    )


# ---- what the office types: units, inspectors, days ----------------------------------------------------------

_LIST_SEP = re.compile(r"[,，、;；\s]+")


def split_list(text: str) -> list[str]:
    """`A,B，C、D` as its parts."""
    return [part for part in _LIST_SEP.split(text.strip()) if part]


def parse_day(text: str) -> date:
    """A day as the office writes it (2026-09-01, 2026/9/1, 2026年9月1日, 20260901); raises `DomainError`."""
    try:
        return tabular.parse_date(text)
    except ValueError:
        raise DomainError("task.error.date", text=text) from None


def resolve_units(session: Session, authority_id: int, texts: Sequence[str]) -> list[int]:
    """Each text a unit: its code, its full name, or a school name the authority's resolver is sure of (安远一中,
    城關二小); raises `DomainError` naming the one it cannot place."""
    rows = session.execute(
        select(Unit.id, Unit.code, Unit.name).where(Unit.authority_id == authority_id, Unit.active.is_(True))
    ).all()
    by_code = {code: unit_id for unit_id, code, _ in rows}
    by_name = {name: unit_id for unit_id, _, name in rows}
    names = None
    found: list[int] = []
    for n, text in enumerate(texts, start=1):
        key = tabular.digits_text(text)
        unit_id = by_code.get(key) or by_name.get(text.strip())
        if unit_id is None:
            if names is None:
                names = school_names.authority_resolver(session, authority_id)
            finding = names.find(text)
            if finding.school_id is not None and finding.kind is NameKind.EXACT:
                unit_id = finding.school_id
            elif finding.candidates or finding.school_id is not None:
                ids = finding.candidates or ((finding.school_id,) if finding.school_id is not None else ())
                candidates = "、".join(names.schools[i].name for i in ids if i in names.schools)
                raise DomainError("task.error.ambiguous_school", n=n, text=text, candidates=candidates)
            else:
                raise DomainError("task.error.unknown_school", n=n, text=text)
        found.append(unit_id)
    return list(dict.fromkeys(found))


def zone_unit_ids(session: Session, authority_id: int, pool: str) -> list[int]:
    """The active schools of `all` or `zone:<name>`, by code."""
    codes = sorted(pool_unit_codes(session, authority_id, pool))
    ids = {code: unit_id for code, unit_id in session.execute(select(Unit.code, Unit.id).where(Unit.code.in_(codes)))}
    return [ids[code] for code in codes]


def resolve_inspectors(session: Session, authority_id: int, numbers: Sequence[str]) -> list[int]:
    """Inspector ids by 督学编号 (or, failing that, by exact name), in the order given; raises `DomainError`."""
    rows = session.execute(
        select(Inspector.id, Inspector.number, Inspector.name).where(Inspector.authority_id == authority_id)
    ).all()
    by_number = {tabular.normalize(number).upper(): i for i, number, _ in rows}
    by_name: dict[str, list[int]] = {}
    for i, _, name in rows:
        by_name.setdefault(name, []).append(i)
    found = []
    for text in numbers:
        inspector_id = by_number.get(tabular.normalize(text).upper())
        if inspector_id is None and len(by_name.get(text.strip(), [])) == 1:
            inspector_id = by_name[text.strip()][0]
        if inspector_id is None:
            raise DomainError("task.error.no_inspector", number=text)
        found.append(inspector_id)
    return list(dict.fromkeys(found))


def rectification_ids(session: Session, authority_id: int, numbers: Sequence[str]) -> list[int]:
    ids = []
    for number in numbers:
        if has_control(number):
            raise DomainError("task.error.no_rectification", number=repr(number))
        rect_id = session.scalar(
            select(Rectification.id).where(Rectification.authority_id == authority_id, Rectification.number == number)
        )
        if rect_id is None:
            raise DomainError("task.error.no_rectification", number=number)
        ids.append(rect_id)
    return ids


# ---- the office's lists ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskSummary:
    id: int
    name: str
    kind: str
    state: str
    starts_on: date
    ends_on: date
    checklist: str
    checklist_version: int
    targets: int
    done: int
    overdue: int


def list_tasks(session: Session, authority_id: int, today: date) -> list[TaskSummary]:
    """Every task of the authority, newest window first, with its counts."""
    done = func.sum(case((TaskTarget.state == CheckState.DONE.value, 1), else_=0))
    rows = session.execute(
        select(
            Task.id,
            Task.name,
            Task.kind,
            Task.state,
            Task.starts_on,
            Task.ends_on,
            Checklist.name,
            Checklist.version,
            func.count(TaskTarget.id),
            func.coalesce(done, 0),
        )
        .join(Checklist, Checklist.id == Task.checklist_id)
        .outerjoin(TaskTarget, TaskTarget.task_id == Task.id)
        .where(Task.authority_id == authority_id)
        .group_by(Task.id, Checklist.id)
        .order_by(Task.starts_on.desc(), Task.id.desc())
    ).all()
    out = []
    for id_, name, kind, state, starts, ends, checklist, version, targets, done_n in rows:
        overdue = int(targets) - int(done_n) if today > ends else 0
        out.append(
            TaskSummary(id_, name, kind, state, starts, ends, checklist, version, int(targets), int(done_n), overdue)
        )
    return out


def get_task(session: Session, authority_id: int, task_id: int) -> Task:
    task = session.get(Task, task_id)
    if task is None or task.authority_id != authority_id:
        raise DomainError("task.error.unknown", id=task_id)
    return task
