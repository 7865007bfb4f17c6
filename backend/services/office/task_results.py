"""A supervision task as the office reads it: progress per target and per inspector (未开始, 进行中, 已完成, 逾期),
scores per target and per item, a comparison across targets and zones, and the rectifications each target produced.

Everything is read inside a `Scope` (a zone leader sees their zone's targets only) in a handful of aggregate
queries whatever the number of targets: the targets with their names and rectification counts, the items with
their answers' sums, the team, the rectifications. The office page, its xlsx, the printed report and the JSON API
all read this one `TaskResults`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Float, and_, case, cast, func, select
from sqlalchemy.orm import Session

from backend.domain import tasks as task_rules
from backend.domain.kinds import CheckProgress, CheckState, RectificationState
from backend.services.office.scoped import count_if
from backend.services.office_users import Scope
from backend.store.models import (
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

PROGRESS = tuple(CheckProgress)  # 未开始, 进行中, 已完成, 逾期: the page's columns in this order


@dataclass(frozen=True)
class TargetRow:
    target_id: int
    unit_id: int
    code: str
    name: str
    zone: str
    inspector_id: int
    inspector_number: str
    inspector_name: str
    status: CheckProgress
    score: float | None
    max_score: float | None
    failed: int
    answered: int
    finished_at: datetime | None
    visit_id: int | None
    rectifications: int
    rank: int | None = None  # by score rate among the finished targets, 1 the best; ties share a rank

    @property
    def rate(self) -> float | None:
        """The score as a share of the maximum (comparable across checklists' versions), once done."""
        if self.status is not CheckProgress.DONE or self.score is None or not self.max_score:
            return None
        return self.score / self.max_score


@dataclass(frozen=True)
class InspectorProgress:
    inspector_id: int
    number: str
    name: str
    leader: bool
    counts: dict[CheckProgress, int]

    @property
    def targets(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class ItemResult:
    item_id: int
    position: int
    number: str
    section: str
    text: str
    answer_type: str
    max_score: float
    rectify_on_fail: bool
    answered: int  # in finished checks
    passed: int
    failed: int
    average: float | None  # the average score of the item's answers with a score

    @property
    def pass_rate(self) -> float | None:
        judged = self.passed + self.failed
        return self.passed / judged if judged else None


@dataclass(frozen=True)
class ZoneResult:
    name: str
    targets: int
    done: int
    average_rate: float | None


@dataclass(frozen=True)
class RectificationRow:
    id: int
    number: str
    unit_id: int
    school: str
    item: str | None
    problem: str
    state: str
    deadline: date
    visit_id: int | None

    @property
    def draft(self) -> bool:
        return self.state == RectificationState.DRAFT.value


@dataclass(frozen=True)
class Member:
    inspector_id: int
    number: str
    name: str
    leader: bool


@dataclass
class TaskResults:
    task_id: int
    name: str
    kind: str
    state: str
    checklist: str
    checklist_version: int
    starts_on: date
    ends_on: date
    sample_seed: str
    sample_size: int | None
    today: date
    team: list[Member]
    targets: list[TargetRow]
    items: list[ItemResult]
    rectifications: list[RectificationRow]
    inspectors: list[InspectorProgress] = field(default_factory=list)
    zones: list[ZoneResult] = field(default_factory=list)
    counts: dict[CheckProgress, int] = field(default_factory=dict)
    _by_unit: dict[int, list[RectificationRow]] | None = field(default=None, repr=False)

    @property
    def total(self) -> int:
        return len(self.targets)

    @property
    def done(self) -> list[TargetRow]:
        return [row for row in self.targets if row.status is CheckProgress.DONE]

    @property
    def concealed(self) -> bool:
        return task_rules.is_concealed_kind(self.kind)

    @property
    def leader(self) -> Member | None:
        return next((m for m in self.team if m.leader), None)

    @property
    def max_score(self) -> float:
        return sum(item.max_score for item in self.items)

    @property
    def average_score(self) -> float | None:
        scored = [row.score for row in self.done if row.score is not None]
        return sum(scored) / len(scored) if scored else None

    @property
    def average_rate(self) -> float | None:
        rates = [row.rate for row in self.done if row.rate is not None]
        return sum(rates) / len(rates) if rates else None

    @property
    def failed_items(self) -> int:
        return sum(row.failed for row in self.done)

    @property
    def ranking(self) -> list[TargetRow]:
        """The finished targets, best score rate first."""
        return sorted((r for r in self.targets if r.rank is not None), key=lambda r: (r.rank, r.code))

    @property
    def weakest_items(self) -> list[ItemResult]:
        """The items with a pass rate, lowest first."""
        rated = [i for i in self.items if i.pass_rate is not None]
        return sorted(rated, key=lambda i: (i.pass_rate, i.position))

    def rectifications_of(self, unit_id: int) -> list[RectificationRow]:
        if self._by_unit is None:
            self._by_unit = defaultdict(list)
            for row in self.rectifications:
                self._by_unit[row.unit_id].append(row)
        return self._by_unit.get(unit_id, [])


def task_in_scope(session: Session, scope: Scope, task_id: int) -> Task | None:
    """The task, if it is the scope's authority's and (for a zone leader) has a target in the zone."""
    task = session.get(Task, task_id)
    if task is None or task.authority_id != scope.authority_id:
        return None
    if not scope.is_office:
        inside = session.scalar(
            select(TaskTarget.id).join(Unit, Unit.id == TaskTarget.unit_id).where(
                TaskTarget.task_id == task_id, scope.units()
            ).limit(1)
        )  # fmt: skip
        if inside is None:
            return None
    return task


def _target_rows(session: Session, scope: Scope, task: Task, today: date) -> list[TargetRow]:
    answered = (
        select(TaskAnswer.target_id, func.count(TaskAnswer.id).label("n"))
        .join(TaskTarget, TaskTarget.id == TaskAnswer.target_id)
        .where(TaskTarget.task_id == task.id, TaskAnswer.skipped.is_(False))
        .group_by(TaskAnswer.target_id)
        .subquery()
    )
    produced = (
        select(Rectification.visit_id, func.count(Rectification.id).label("n"))
        .join(TaskTarget, TaskTarget.visit_id == Rectification.visit_id)
        .where(TaskTarget.task_id == task.id)
        .group_by(Rectification.visit_id)
        .subquery()
    )
    rows = session.execute(
        select(
            TaskTarget.id, TaskTarget.unit_id, Unit.code, Unit.name, Zone.name, TaskTarget.inspector_id,
            Inspector.number, Inspector.name, TaskTarget.state, TaskTarget.score, TaskTarget.max_score,
            TaskTarget.failed_count, func.coalesce(answered.c.n, 0), TaskTarget.finished_at, TaskTarget.visit_id,
            func.coalesce(produced.c.n, 0),
        )
        .join(Unit, Unit.id == TaskTarget.unit_id)
        .outerjoin(Zone, Zone.id == Unit.zone_id)
        .join(Inspector, Inspector.id == TaskTarget.inspector_id)
        .outerjoin(answered, answered.c.target_id == TaskTarget.id)
        .outerjoin(produced, produced.c.visit_id == TaskTarget.visit_id)
        .where(TaskTarget.task_id == task.id, scope.units())
        .order_by(TaskTarget.position, TaskTarget.id)
    ).all()  # fmt: skip
    found = [
        TargetRow(
            tid, uid, code, name, zone or "", iid, number, person,
            task_rules.progress(state, task.ends_on, today), score, top, failed or 0, int(n or 0), finished, visit,
            int(rects or 0),
        )
        for tid, uid, code, name, zone, iid, number, person, state, score, top, failed, n, finished, visit, rects
        in rows
    ]  # fmt: skip
    return _ranked(found)


def _ranked(rows: list[TargetRow]) -> list[TargetRow]:
    """Competition ranking (1, 2, 2, 4) by score rate among the finished targets."""
    keys = {id(r): round(rate, 6) for r in rows if (rate := r.rate) is not None}
    first_at: dict[float, int] = {}
    for n, key in enumerate(sorted(keys.values(), reverse=True), start=1):
        first_at.setdefault(key, n)
    return [replace(r, rank=first_at[keys[id(r)]]) if id(r) in keys else r for r in rows]


def _item_results(session: Session, scope: Scope, task: Task) -> list[ItemResult]:
    """Each item of the task's checklist with the sums of its answers in the scope's finished checks (one query)."""
    done_answers = (
        select(TaskAnswer.item_id, TaskAnswer.passed, TaskAnswer.score, TaskAnswer.skipped)
        .join(TaskTarget, TaskTarget.id == TaskAnswer.target_id)
        .join(Unit, Unit.id == TaskTarget.unit_id)
        .where(TaskTarget.task_id == task.id, TaskTarget.state == CheckState.DONE.value, scope.units())
        .subquery()
    )
    counted = and_(done_answers.c.item_id.is_not(None), done_answers.c.skipped.is_(False))
    rows = session.execute(
        select(
            ChecklistItem.id, ChecklistItem.position, ChecklistItem.number, ChecklistItem.section, ChecklistItem.text,
            ChecklistItem.answer_type, ChecklistItem.score, ChecklistItem.rectify_on_fail,
            count_if(counted), count_if(done_answers.c.passed.is_(True)), count_if(done_answers.c.passed.is_(False)),
            func.avg(case((counted, cast(done_answers.c.score, Float)), else_=None)),
        )
        .outerjoin(done_answers, done_answers.c.item_id == ChecklistItem.id)
        .where(ChecklistItem.checklist_id == task.checklist_id)
        .group_by(ChecklistItem.id)
        .order_by(ChecklistItem.position)
    ).all()  # fmt: skip
    return [
        ItemResult(
            iid, position, number or str(position), section, text, kind, float(top or 0), bool(rectify),
            int(n or 0), int(ok or 0), int(bad or 0), float(avg) if avg is not None else None,
        )
        for iid, position, number, section, text, kind, top, rectify, n, ok, bad, avg in rows
    ]  # fmt: skip


def _team(session: Session, task: Task) -> list[Member]:
    rows = session.execute(
        select(TaskMember.inspector_id, Inspector.number, Inspector.name, TaskMember.leader)
        .join(Inspector, Inspector.id == TaskMember.inspector_id)
        .where(TaskMember.task_id == task.id)
        .order_by(TaskMember.leader.desc(), TaskMember.position, TaskMember.id)
    ).all()
    return [Member(iid, number, name, bool(leader)) for iid, number, name, leader in rows]


def _rectifications(session: Session, scope: Scope, task: Task) -> list[RectificationRow]:
    rows = session.execute(
        select(
            Rectification.id, Rectification.number, Rectification.unit_id, Unit.name, Rectification.item,
            Rectification.problem, Rectification.state, Rectification.deadline, Rectification.visit_id,
        )
        .join(TaskTarget, and_(TaskTarget.visit_id == Rectification.visit_id, TaskTarget.task_id == task.id))
        .join(Unit, Unit.id == Rectification.unit_id)
        .where(scope.units())
        .order_by(TaskTarget.position, Rectification.id)
    ).all()  # fmt: skip
    return [RectificationRow(*row) for row in rows]


def _per_inspector(team: list[Member], targets: list[TargetRow]) -> list[InspectorProgress]:
    counts: dict[int, Counter[CheckProgress]] = defaultdict(Counter)
    names: dict[int, tuple[str, str]] = {}
    for row in targets:
        counts[row.inspector_id][row.status] += 1
        names[row.inspector_id] = (row.inspector_number, row.inspector_name)
    leaders = {m.inspector_id for m in team if m.leader}
    order = [m.inspector_id for m in team if m.inspector_id in counts] + sorted(
        i for i in counts if i not in {m.inspector_id for m in team}
    )
    return [
        InspectorProgress(i, names[i][0], names[i][1], i in leaders, {p: counts[i][p] for p in PROGRESS}) for i in order
    ]


def _per_zone(targets: list[TargetRow]) -> list[ZoneResult]:
    grouped: dict[str, list[TargetRow]] = defaultdict(list)
    for row in targets:
        grouped[row.zone].append(row)
    found = []
    for name, rows in sorted(grouped.items()):
        rates = [r.rate for r in rows if r.rate is not None]
        found.append(
            ZoneResult(name, len(rows), sum(1 for r in rows if r.status is CheckProgress.DONE),
                       sum(rates) / len(rates) if rates else None)
        )  # fmt: skip
    return found


def task_results(session: Session, scope: Scope, task: Task, today: date) -> TaskResults:
    """The task's progress, scores and rectifications inside `scope`, as of `today` (逾期 counts from it)."""
    checklist = session.get(Checklist, task.checklist_id)
    targets = _target_rows(session, scope, task, today)
    team = _team(session, task)
    results = TaskResults(
        task_id=task.id,
        name=task.name,
        kind=task.kind,
        state=task.state,
        checklist=checklist.name if checklist else "",
        checklist_version=checklist.version if checklist else 0,
        starts_on=task.starts_on,
        ends_on=task.ends_on,
        sample_seed=task.sample_seed,
        sample_size=task.sample_size,
        today=today,
        team=team,
        targets=targets,
        items=_item_results(session, scope, task),
        rectifications=_rectifications(session, scope, task),
    )
    results.inspectors = _per_inspector(team, targets)
    results.zones = _per_zone(targets)
    tally = Counter(row.status for row in targets)
    results.counts = {p: tally[p] for p in PROGRESS}
    return results


@dataclass(frozen=True)
class TaskSummary:
    id: int
    name: str
    kind: str
    state: str
    checklist: str
    starts_on: date
    ends_on: date
    leader: str
    counts: dict[CheckProgress, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def task_summaries(
    session: Session, scope: Scope, today: date, *, kind: str | None = None, page: int = 1, per_page: int = 50
) -> tuple[list[TaskSummary], int]:
    """The tasks with a target in the scope, newest first, with their targets counted by progress (two queries
    and one for the leaders, whatever the page's size)."""
    in_scope = select(TaskTarget.task_id).join(Unit, Unit.id == TaskTarget.unit_id).where(scope.units())
    query = select(Task, Checklist.name).join(Checklist, Checklist.id == Task.checklist_id).where(
        Task.authority_id == scope.authority_id
    )  # fmt: skip
    if not scope.is_office:
        query = query.where(Task.id.in_(in_scope))
    if kind:
        query = query.where(Task.kind == kind)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(Task.starts_on.desc(), Task.id.desc()).limit(per_page).offset((max(page, 1) - 1) * per_page)
    ).all()
    ids = [task.id for task, _name in rows]
    states: dict[int, Counter[CheckProgress]] = defaultdict(Counter)
    ends = {task.id: task.ends_on for task, _name in rows}
    for task_id, state, n in session.execute(
        select(TaskTarget.task_id, TaskTarget.state, func.count(TaskTarget.id))
        .join(Unit, Unit.id == TaskTarget.unit_id)
        .where(TaskTarget.task_id.in_(ids), scope.units())
        .group_by(TaskTarget.task_id, TaskTarget.state)
    ).all():
        states[task_id][task_rules.progress(state, ends[task_id], today)] += int(n)
    leaders = dict(
        session.execute(
            select(TaskMember.task_id, Inspector.name)
            .join(Inspector, Inspector.id == TaskMember.inspector_id)
            .where(TaskMember.task_id.in_(ids), TaskMember.leader.is_(True))
        ).all()
    )
    return [
        TaskSummary(
            task.id, task.name, task.kind, task.state, name, task.starts_on, task.ends_on, leaders.get(task.id, ""),
            {p: states[task.id][p] for p in PROGRESS},
        )
        for task, name in rows
    ], total  # fmt: skip


def as_json(results: TaskResults) -> dict[str, Any]:
    """The results as the API gives them (`GET /api/v1/tasks/<id>/results`)."""
    return {
        "task": {
            "id": results.task_id,
            "name": results.name,
            "kind": results.kind,
            "state": results.state,
            "checklist": {"name": results.checklist, "version": results.checklist_version},
            "starts_on": results.starts_on.isoformat(),
            "ends_on": results.ends_on.isoformat(),
            "team": [{"number": m.number, "name": m.name, "leader": m.leader} for m in results.team],
        },
        "counts": {p.value: n for p, n in results.counts.items()},
        "max_score": results.max_score,
        "average_score": results.average_score,
        "targets": [
            {
                "unit": {"code": r.code, "name": r.name, "zone": r.zone},
                "inspector": {"number": r.inspector_number, "name": r.inspector_name},
                "status": r.status.value,
                "score": r.score,
                "max_score": r.max_score,
                "rank": r.rank,
                "failed": r.failed,
                "answered": r.answered,
                "finished_at": r.finished_at.isoformat() if r.finished_at else None,
                "rectifications": [x.number for x in results.rectifications_of(r.unit_id)],
            }
            for r in results.targets
        ],
        "items": [
            {
                "number": i.number,
                "section": i.section,
                "text": i.text,
                "max_score": i.max_score,
                "answered": i.answered,
                "passed": i.passed,
                "failed": i.failed,
                "pass_rate": i.pass_rate,
                "average": i.average,
            }
            for i in results.items
        ],
        "rectifications": [
            {
                "number": r.number,
                "unit": r.school,
                "item": r.item,
                "problem": r.problem,
                "state": r.state,
                "deadline": r.deadline.isoformat(),
            }
            for r in results.rectifications
        ],
    }


@dataclass(frozen=True)
class Finding:
    """A failed item in a finished check (the report's 发现的问题), with the inspector's remark and photos."""

    unit_id: int
    school: str
    item_number: str
    item: str
    remark: str
    media_ids: tuple[int, ...]


def findings(session: Session, scope: Scope, task_id: int, *, failed_only: bool = True) -> list[Finding]:
    """The answers of the scope's finished checks (failed ones, or every one with a photo), in the task's order."""
    condition = TaskAnswer.passed.is_(False) if failed_only else TaskAnswer.media_ids.is_not(None)
    rows = session.execute(
        select(
            TaskTarget.unit_id, Unit.name, ChecklistItem.number, ChecklistItem.position, ChecklistItem.text,
            TaskAnswer.remark, TaskAnswer.media_ids,
        )
        .join(TaskTarget, TaskTarget.id == TaskAnswer.target_id)
        .join(Unit, Unit.id == TaskTarget.unit_id)
        .join(ChecklistItem, ChecklistItem.id == TaskAnswer.item_id)
        .where(TaskTarget.task_id == task_id, TaskTarget.state == CheckState.DONE.value, condition, scope.units())
        .order_by(TaskTarget.position, ChecklistItem.position)
    ).all()  # fmt: skip
    found = [
        Finding(uid, school, number or str(position), text, remark or "", tuple(int(m) for m in (media or ())))
        for uid, school, number, position, text, remark, media in rows
    ]
    return found if failed_only else [f for f in found if f.media_ids]
