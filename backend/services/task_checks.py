"""Doing a task's check (检查): the one place answers are recorded, whether by chat or by the in-WeChat form.

A target (`TaskTarget`: one unit of a task, assigned to one team inspector) is checked item by item: an answer per
item (`TaskAnswer`, validated and scored by `backend.domain.checks`), photos where the item wants one, a location
check-in at the unit. The answers are the durable state: pausing costs nothing, and resuming starts at the first item
not yet answered. Finishing turns the check into a visit of the task's kind (`backend.domain.tasks.VISIT_KIND`) with
its scores on the target, and each failed item that requires it into a DRAFT rectification of the inspector's, which
they issue with one word (`确认整改`, the visits' draft flow). Use cases take a session and do not commit.

The team may cross zones: a check is the assigned inspector's whoever the unit's responsible inspector is, so the
visit is written here rather than by `visits.log_visit` (which records an inspector's own schools only).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.domain import checks as rules
from backend.domain import tasks as task_rules
from backend.domain import visit_text as vt
from backend.domain.calendar import SHANGHAI, local_date
from backend.domain.errors import DomainError
from backend.domain.kinds import CheckState, TaskState
from backend.domain.school_names import Kind, SchoolRef
from backend.services import media, notices, school_names, visits
from backend.services import rectifications as rect_service
from backend.services.audit import record
from backend.services.calendar import working_calendar
from backend.store.db import Database, session_now
from backend.store.models import (
    AuditEvent,
    ChecklistItem,
    Inspector,
    Task,
    TaskAnswer,
    TaskMember,
    TaskTarget,
    Unit,
    Visit,
)
from messages import t

SUBJECT = "task_target"
PHOTO_OWNER = "task_answer"
FORM_SUBJECT = "task_check"  # the form link's subject: task_check:<target id>
FORM_PATH = "/f/check"
REMIND_DAYS_BEFORE = (3, 1)  # working days before the window closes: one reminder each, to inspectors not done
MAX_PHOTOS_PER_ITEM = 9


class CheckError(DomainError, ValueError):
    """A check use case refused: `key` in messages/ with its fields."""


# --- reading ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemView:
    id: int
    position: int
    number: str
    section: str
    text: str
    answer_type: str
    options: tuple[str, ...]
    score: float
    photo_required: bool
    rectify_on_fail: bool

    @property
    def rule(self) -> rules.Item:
        return rules.Item(self.answer_type, self.score, [{"label": o} for o in self.options])


@dataclass(frozen=True)
class AnswerView:
    item_id: int
    value: str
    passed: bool | None
    score: float | None
    remark: str
    skipped: bool
    photos: int
    source: str


@dataclass(frozen=True)
class CheckView:
    """A target's check as the chat and the form show it."""

    target_id: int
    task_id: int
    task_name: str
    task_kind: str
    ends_on: date
    unit_id: int
    unit_name: str
    inspector_id: int
    state: str
    items: tuple[ItemView, ...]
    answers: dict[int, AnswerView] = field(default_factory=dict)
    checked_in: bool = False
    distance_m: float | None = None
    task_open: bool = True  # the task is still open (not closed or cancelled by the office)

    def item_at(self, position: int) -> ItemView | None:
        return next((i for i in self.items if i.position == position), None)

    def next_open(self, after: int = 0) -> ItemView | None:
        """The first item after position `after` with no answer (nor skip), else the first such item at all."""
        open_items = [i for i in self.items if i.id not in self.answers]
        return next((i for i in open_items if i.position > after), open_items[0] if open_items else None)

    def missing_photos(self) -> list[ItemView]:
        """Items answered that want a photo and have none."""
        return [
            i
            for i in self.items
            if i.photo_required
            and i.id in self.answers
            and not self.answers[i.id].skipped
            and not self.answers[i.id].photos
        ]

    @property
    def answered(self) -> int:
        return len(self.answers)


def _target(session: Session, target_id: int, inspector_id: int, *, for_update: bool = False) -> TaskTarget:
    query = select(TaskTarget).where(TaskTarget.id == target_id)
    if for_update:
        query = query.with_for_update()
    target = session.scalar(query)
    if target is None or target.inspector_id != inspector_id:  # another's check is answered as one that is not there
        raise CheckError("check.error.not_found")
    return target


def _open_task(session: Session, target: TaskTarget) -> Task:
    task = session.get(Task, target.task_id)
    if task is None or task.state != TaskState.OPEN.value:
        raise CheckError("check.error.task_closed")
    return task


def _items(session: Session, checklist_id: int) -> tuple[ItemView, ...]:
    rows = session.scalars(
        select(ChecklistItem).where(ChecklistItem.checklist_id == checklist_id).order_by(ChecklistItem.position)
    ).all()
    return tuple(
        ItemView(
            id=r.id,
            position=r.position,
            number=r.number or str(r.position),
            section=r.section,
            text=r.text,
            answer_type=r.answer_type,
            options=tuple(str(o.get("label", "")) for o in (r.options or [])),
            score=float(r.score or 0),
            photo_required=bool(r.photo_required),
            rectify_on_fail=bool(r.rectify_on_fail),
        )
        for r in rows
    )


def _rule(item: ChecklistItem) -> rules.Item:
    return rules.Item(
        item.answer_type, float(item.score or 0), list(item.options or []), item.min_value, item.max_value
    )


def view(session: Session, target_id: int, inspector_id: int) -> CheckView:
    """The check with its items and answers, in three queries."""
    target = _target(session, target_id, inspector_id)
    task = session.get(Task, target.task_id)
    unit = session.get(Unit, target.unit_id)
    assert task is not None and unit is not None
    answers = {
        a.item_id: AnswerView(
            a.item_id,
            a.value,
            a.passed,
            a.score,
            a.remark,
            a.skipped,
            len(a.media_ids or []),
            a.source,
        )
        for a in session.scalars(select(TaskAnswer).where(TaskAnswer.target_id == target.id))
    }
    return CheckView(
        target_id=target.id,
        task_id=task.id,
        task_name=task.name,
        task_kind=task.kind,
        ends_on=task.ends_on,
        unit_id=unit.id,
        unit_name=unit.name,
        inspector_id=target.inspector_id,
        state=target.state,
        items=_items(session, task.checklist_id),
        answers=answers,
        checked_in=target.checked_in_at is not None,
        distance_m=target.checkin_distance_m,
        task_open=task.state == TaskState.OPEN.value,
    )


@dataclass(frozen=True)
class MyTarget:
    """A check waiting for (or done by) the inspector, for `任务`."""

    number: int  # its place in the list the inspector reads
    target_id: int
    task_name: str
    task_kind: str
    unit_id: int
    unit_name: str
    short_name: str
    state: str
    progress: str
    ends_on: date
    answered: int
    items: int
    score: float | None


def my_targets(session: Session, inspector_id: int, today: date, *, include_done: bool = True) -> list[MyTarget]:
    """The inspector's checks in open tasks: not done first (soonest window end first), then the done ones."""
    from backend.services import tasks

    views = tasks.targets_for_inspector(session, inspector_id, today, include_done=include_done)
    shorts = dict(
        session.execute(select(Unit.id, Unit.short_name).where(Unit.id.in_([v.unit_id for v in views]))).all()
    )
    ordered = sorted(views, key=lambda v: (v.state == CheckState.DONE.value, v.ends_on, v.task_id, v.target_id))
    return [
        MyTarget(
            number=n,
            target_id=v.target_id,
            task_name=v.task_name,
            task_kind=v.task_kind,
            unit_id=v.unit_id,
            unit_name=v.unit_name,
            short_name=shorts.get(v.unit_id) or "",
            state=v.state,
            progress=v.progress.value,
            ends_on=v.ends_on,
            answered=v.answered,
            items=v.items,
            score=v.score,
        )
        for n, v in enumerate(ordered, start=1)
    ]


@dataclass(frozen=True)
class Found:
    """The target a school's name (as typed) points to, or the candidates to ask about."""

    target_id: int | None
    candidates: tuple[int, ...] = ()  # target ids
    said: str = ""


def find_target(session: Session, inspector_id: int, words: str, targets: Sequence[MyTarget]) -> Found:
    """The check `words` names among `targets` (not done): by list number, or by the school's name as inspectors
    type it (the authority's resolver with the inspector's aliases); candidates when unsure."""
    open_targets = [m for m in targets if m.state != CheckState.DONE.value] or list(targets)
    number = vt.to_int(words.strip().strip("。.号"))
    if number is not None:
        chosen = next((m for m in targets if m.number == number), None)
        return Found(chosen.target_id if chosen else None, said=words)
    names = school_names.resolver_for(session, inspector_id).resolver
    refs = [SchoolRef(m.unit_id, m.unit_name, m.short_name) for m in open_targets]
    unique = list({r.id: r for r in refs}.values())
    finding = names.find(words, unique)
    by_unit: dict[int, list[int]] = {}
    for m in open_targets:
        by_unit.setdefault(m.unit_id, []).append(m.target_id)
    if finding.school_id is not None and finding.kind is Kind.EXACT:
        ids = by_unit.get(finding.school_id, [])
        if len(ids) == 1:
            return Found(ids[0], said=finding.said)
        return Found(None, tuple(ids), finding.said)
    candidates = tuple(tid for unit_id in finding.candidates for tid in by_unit.get(unit_id, []))
    return Found(None, candidates, finding.said or words)


def in_progress(session: Session, inspector_id: int) -> list[int]:
    """The inspector's checks begun and not finished, in open tasks (what `继续` resumes)."""
    return list(
        session.scalars(
            select(TaskTarget.id)
            .join(Task, Task.id == TaskTarget.task_id)
            .where(
                TaskTarget.inspector_id == inspector_id,
                TaskTarget.state == CheckState.IN_PROGRESS.value,
                Task.state == TaskState.OPEN.value,
            )
            .order_by(TaskTarget.started_at.desc(), TaskTarget.id)
        )
    )


# --- doing ------------------------------------------------------------------------------------------------------


def _actor(inspector_id: int) -> str:
    return f"inspector:{inspector_id}"


def _begin(session: Session, target: TaskTarget, now: datetime, source: str) -> None:
    if target.state == CheckState.DONE.value:
        raise CheckError("check.error.done")
    if target.state == CheckState.NOT_STARTED.value:
        target.state, target.started_at = CheckState.IN_PROGRESS.value, now
        record(session, _actor(target.inspector_id), "task.check_started", SUBJECT, target.id, source=source)


def start(session: Session, target_id: int, inspector_id: int, *, source: str = "chat") -> CheckView:
    """Begin (or go on with) a check: 未开始 becomes 进行中."""
    target = _target(session, target_id, inspector_id, for_update=True)
    task = _open_task(session, target)
    today = local_date(session_now(session))
    if today < task.starts_on:
        raise CheckError("check.error.not_yet", starts=_day(task.starts_on))
    _begin(session, target, session_now(session), source)
    session.flush()
    return view(session, target_id, inspector_id)


def _answer_row(session: Session, target: TaskTarget, item_id: int) -> tuple[TaskAnswer | None, ChecklistItem]:
    task = _open_task(session, target)
    item = session.get(ChecklistItem, item_id)
    if item is None or item.checklist_id != task.checklist_id:
        raise CheckError("check.error.no_item")
    row = session.scalar(select(TaskAnswer).where(TaskAnswer.target_id == target.id, TaskAnswer.item_id == item_id))
    return row, item


def answer(
    session: Session,
    target_id: int,
    inspector_id: int,
    item_id: int,
    said: str,
    *,
    remark: str = "",
    source: str = "chat",
) -> AnswerView:
    """Record the answer `said` gives the item (replacing an earlier one); raises `AnswerRefused` with what fits."""
    now = session_now(session)
    target = _target(session, target_id, inspector_id, for_update=True)
    row, item = _answer_row(session, target, item_id)
    _begin(session, target, now, source)
    read = rules.read_answer(_rule(item), said)
    typed_remark = " ".join(filter(None, [read.remark, remark.strip()]))[: rules.MAX_VALUE_LENGTH]
    if row is None:
        row = TaskAnswer(target_id=target.id, item_id=item.id, media_ids=[])
        session.add(row)
    row.value, row.passed, row.score, row.remark = read.value, read.passed, read.score, typed_remark
    row.skipped, row.source, row.answered_by, row.answered_at = False, source, inspector_id, now
    session.flush()
    record(
        session,
        _actor(inspector_id),
        "task.item_answered",
        SUBJECT,
        target.id,
        item=item.position,
        value=read.value,
        passed=read.passed,
        source=source,
    )
    return AnswerView(item.id, row.value, row.passed, row.score, row.remark, False, len(row.media_ids or []), source)


def skip(session: Session, target_id: int, inspector_id: int, item_id: int, *, source: str = "chat") -> None:
    """跳过: the item is left out of the score (and of the maximum); it can be answered later."""
    now = session_now(session)
    target = _target(session, target_id, inspector_id, for_update=True)
    row, item = _answer_row(session, target, item_id)
    _begin(session, target, now, source)
    if row is None:
        row = TaskAnswer(target_id=target.id, item_id=item.id, media_ids=[])
        session.add(row)
    row.value, row.passed, row.score, row.remark, row.skipped = "", None, None, "", True
    row.source, row.answered_by, row.answered_at = source, inspector_id, now
    session.flush()
    record(session, _actor(inspector_id), "task.item_skipped", SUBJECT, target.id, item=item.position, source=source)


def clear(session: Session, target_id: int, inspector_id: int, item_id: int) -> None:
    """The form left an item blank that had an answer: it is open again (its photos stay with the check)."""
    target = _target(session, target_id, inspector_id, for_update=True)
    row, _item = _answer_row(session, target, item_id)
    if row is not None and not row.media_ids:
        session.delete(row)
        session.flush()


def attach_photo(
    session: Session,
    target_id: int,
    inspector_id: int,
    item_id: int,
    *,
    wechat_media_id: str | None = None,
    content: bytes | None = None,
    content_type: str = "",
    media_dir: Path | None = None,
    source: str = "chat",
) -> int:
    """A photo for the item: a WeChat media id (fetched by the worker) or an upload already measured
    (`images.measure`) and kept at once. Staff evidence: metadata kept. Returns the item's photo count."""
    now = session_now(session)
    target = _target(session, target_id, inspector_id, for_update=True)
    row, item = _answer_row(session, target, item_id)
    _begin(session, target, now, source)
    if row is None:  # a photo before the answer: the item waits for it, still open
        row = TaskAnswer(target_id=target.id, item_id=item.id, media_ids=[], value="", skipped=False)
        row.source, row.answered_by, row.answered_at = source, inspector_id, now
        session.add(row)
        session.flush()
    if len(row.media_ids or []) >= MAX_PHOTOS_PER_ITEM:
        raise CheckError("check.error.too_many_photos", limit=MAX_PHOTOS_PER_ITEM)
    if wechat_media_id:
        kept = media.attach(
            session,
            owner_type=PHOTO_OWNER,
            owner_id=row.id,
            kind="image",
            wechat_media_id=wechat_media_id,
            strip_metadata=False,
        )
    elif content is not None and media_dir is not None:
        kept = media.keep_file(
            session,
            media_dir,
            owner_type=PHOTO_OWNER,
            owner_id=row.id,
            kind="image",
            content=content,
            content_type=content_type,
            strip_metadata=False,
        )
    else:
        raise CheckError("check.error.no_photo")
    row.media_ids = [*(row.media_ids or []), kept.id]
    session.flush()
    record(session, _actor(inspector_id), "task.photo_added", SUBJECT, target.id, item=item.position, media_id=kept.id)
    return len(row.media_ids)


def check_in(session: Session, target_id: int, inspector_id: int, latitude: float, longitude: float) -> float | None:
    """Where the inspector was: the distance to the unit is kept (far away is flagged on the visit, never refused)."""
    now = session_now(session)
    target = _target(session, target_id, inspector_id, for_update=True)
    _open_task(session, target)
    _begin(session, target, now, "chat")
    distance = visits.distance_to_unit(session, target.unit_id, latitude, longitude)
    target.checkin_latitude, target.checkin_longitude = latitude, longitude
    target.checkin_distance_m, target.checked_in_at = distance, now
    record(session, _actor(inspector_id), "task.checked_in", SUBJECT, target.id, distance_m=distance)
    session.flush()
    return distance


# --- finishing --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finished:
    target_id: int
    visit_id: int
    unit_name: str
    score: float
    max_score: float
    failed: tuple[str, ...]  # the failed items' texts
    skipped: int
    drafts: tuple[str, ...]  # the draft rectifications' numbers


def finish(session: Session, target_id: int, inspector_id: int, *, source: str = "chat") -> Finished:
    """完成: every item answered or skipped and every photo wanted there, the check becomes a visit of the task's
    kind with its scores; failed items that require it become draft rectifications (the inspector confirms)."""
    now = session_now(session)
    target = _target(session, target_id, inspector_id, for_update=True)
    if target.state == CheckState.DONE.value:
        raise CheckError("check.error.done")
    task = _open_task(session, target)
    current = view(session, target_id, inspector_id)
    open_items = [i for i in current.items if i.id not in current.answers or _waiting(current.answers[i.id])]
    if open_items:
        raise CheckError("check.error.open_items", items="、".join(i.number for i in open_items[:10]))
    missing = current.missing_photos()
    if missing:
        raise CheckError("check.error.photos_missing", items="、".join(i.number for i in missing[:10]))
    rows = {a.item_id: a for a in session.scalars(select(TaskAnswer).where(TaskAnswer.target_id == target.id))}
    items = {
        i.id: i for i in session.scalars(select(ChecklistItem).where(ChecklistItem.checklist_id == task.checklist_id))
    }
    scored = [
        (
            _rule(items[i.id]),
            None if rows[i.id].skipped else rules.Answer(rows[i.id].value, rows[i.id].passed, rows[i.id].score),
        )
        for i in current.items
    ]
    totals = rules.totals(scored)
    failed = [i for i in current.items if not rows[i.id].skipped and rows[i.id].passed is False]
    today = local_date(now)
    unit = session.get(Unit, target.unit_id)
    assert unit is not None
    kind_label = t(f"task.kind.{task.kind}")
    observations = t(
        "check.visit.observations",
        kind=kind_label,
        task=task.name,
        score=_num(totals.score),
        max=_num(totals.max_score),
        failed=totals.failed,
        skipped=totals.skipped,
    )
    problems = [_problem(i, rows[i.id]) for i in failed]
    item_text = "；".join(i.text for i in current.items)
    far = visits.is_far(target.checkin_distance_m)
    visit = Visit(
        authority_id=task.authority_id,
        inspector_id=inspector_id,
        unit_id=target.unit_id,
        visited_on=today,
        kind=task_rules.visit_kind(task.kind).value,
        items=sorted(vt.find_items(item_text)),
        observations=observations,
        problems="\n".join(problems),
        raw_text=observations,
        source="task",
        checkin_latitude=target.checkin_latitude,
        checkin_longitude=target.checkin_longitude,
        checkin_distance_m=target.checkin_distance_m,
        far_from_school=far,
        created_at=now,
        updated_at=now,
        history=[],
    )
    session.add(visit)
    session.flush()
    actor = _actor(inspector_id)
    record(session, actor, "visit.logged", "visit", visit.id, unit_id=visit.unit_id, task_id=task.id, source=source)
    deadline = working_calendar(session).add_working_days(today, rules.RECTIFY_WITHIN_WORKING_DAYS)
    drafts = []
    for item in failed:
        if not item.rectify_on_fail:
            continue
        codes = vt.find_items(item.text)
        drafts.append(
            rect_service.propose_rectification(
                session,
                authority_id=task.authority_id,
                unit_id=target.unit_id,
                inspector_id=inspector_id,
                visit_id=visit.id,
                item=codes[0] if len(codes) == 1 else None,
                problem=_problem(item, rows[item.id]),
                requirement=t("check.requirement"),
                deadline=deadline,
                urgent=False,
                actor=actor,
                now=now,
            )
        )
    target.state, target.finished_at, target.visit_id = CheckState.DONE.value, now, visit.id
    target.score, target.max_score, target.failed_count = totals.score, totals.max_score, totals.failed
    record(
        session,
        actor,
        "task.check_finished",
        SUBJECT,
        target.id,
        task_id=task.id,
        visit_id=visit.id,
        score=totals.score,
        max_score=totals.max_score,
        failed=totals.failed,
        drafts=[d.number for d in drafts],
        source=source,
    )
    session.flush()
    return Finished(
        target.id,
        visit.id,
        unit.name,
        totals.score,
        totals.max_score,
        tuple(i.text for i in failed),
        totals.skipped,
        tuple(d.number for d in drafts),
    )


def _waiting(answer: AnswerView) -> bool:
    """A row made by a photo sent before the answer: the item is still open."""
    return not answer.skipped and not answer.value


def _problem(item: ItemView, row: TaskAnswer) -> str:
    said = row.remark or row.value
    return t("check.problem", number=item.number, text=item.text, said=said)


def _num(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _day(day: date) -> str:
    return f"{day.month}月{day.day}日"


# --- the form link ----------------------------------------------------------------------------------------------


def form_url(session: Session, *, secret: str, public_url: str, openid: str, target_id: int) -> str:
    """The signed link to the check's form, for the inspector's openid, until the end of the task's last day."""
    from backend.services import form_links

    target = session.get(TaskTarget, target_id)
    task = session.get(Task, target.task_id) if target else None
    now = session_now(session)
    until = None
    if task is not None:
        until = datetime.combine(
            working_calendar(session).add_working_days(task.ends_on, 0), time(23, 59), tzinfo=SHANGHAI
        )
        until = max(until, now)
    return form_links.link(
        secret, public_url, FORM_PATH, openid=openid, subject=f"{FORM_SUBJECT}:{target_id}", now=now, until=until
    )


# --- notices: a new task, and reminders before the window closes ------------------------------------------------


def _inspector_fields(task: Task, inspector: Inspector, count: int, **extra: object) -> dict[str, object]:
    return {
        "task": task.name,
        "kind": t(f"task.kind.{task.kind}"),
        "inspector": inspector.name,
        "count": count,
        "starts": task.starts_on.isoformat(),
        "ends": task.ends_on.isoformat(),
        **extra,
    }


def announce(session: Session, task_id: int, *, now: datetime | None = None) -> int:
    """Tell each team inspector of the task (text inside WeChat's 48 h window, template outside); once each."""
    now = now or session_now(session)
    task = session.get(Task, task_id)
    if task is None or task.state != TaskState.OPEN.value:
        return 0
    counts = dict(
        session.execute(
            select(TaskTarget.inspector_id, func.count())
            .where(TaskTarget.task_id == task.id)
            .group_by(TaskTarget.inspector_id)
        ).all()
    )
    queued = 0
    for member in session.scalars(
        select(TaskMember).where(TaskMember.task_id == task.id).order_by(TaskMember.position)
    ):
        inspector = session.get(Inspector, member.inspector_id)
        if inspector is None:
            continue
        count = int(counts.get(member.inspector_id, 0))
        fields = _inspector_fields(task, inspector, count)
        key = "check.notice.assigned_leader" if member.leader else "check.notice.assigned"
        queued += notices.notify(
            session,
            notices.openids_of_inspector(session, inspector.id),
            notice="task_assigned",
            text=t(key, **fields),
            fields=fields,
            dedupe_key=f"task:{task.id}:assigned:{inspector.id}",
            now=now,
            task_id=task.id,
        )
    record(session, "system", "task.announced", "task", task.id, pushes=queued)
    return queued


def sweep_step(db: Database, now: datetime) -> dict[str, int]:
    """The sweep's step: new tasks announced to their teams (whoever created them: the CLI, the office web), and a
    reminder 3 and 1 working days before the window closes to each inspector with checks not done. Once each: an
    announced task has its audit event, a reminder's dedupe key carries its day count."""
    counts = {"announced": 0, "reminded": 0}
    today = local_date(now)
    with db.session() as session:
        calendar = working_calendar(session)
        open_tasks = list(
            session.scalars(select(Task).where(Task.state == TaskState.OPEN.value, Task.ends_on >= today))
        )
        if not open_tasks:
            return {}
        announced = set(
            session.scalars(
                select(AuditEvent.subject_id).where(
                    AuditEvent.action == "task.announced",
                    AuditEvent.subject_type == "task",
                    AuditEvent.subject_id.in_([x.id for x in open_tasks]),
                )
            )
        )
        for task in open_tasks:
            if task.id not in announced:
                counts["announced"] += announce(session, task.id, now=now)
            if today < task.starts_on:
                continue
            left = calendar.working_days_between(today, task.ends_on)
            due = next((n for n in sorted(REMIND_DAYS_BEFORE) if left <= n), None)
            if due is not None:
                counts["reminded"] += _remind(session, task, due, now)
    return {k: v for k, v in counts.items() if v}


def _remind(session: Session, task: Task, days_left: int, now: datetime) -> int:
    waiting = dict(
        session.execute(
            select(TaskTarget.inspector_id, func.count())
            .where(TaskTarget.task_id == task.id, TaskTarget.state != CheckState.DONE.value)
            .group_by(TaskTarget.inspector_id)
        ).all()
    )
    queued = 0
    for inspector_id, count in waiting.items():
        inspector = session.get(Inspector, inspector_id)
        if inspector is None:
            continue
        fields = _inspector_fields(task, inspector, int(count), days=days_left)
        queued += notices.notify(
            session,
            notices.openids_of_inspector(session, inspector_id),
            notice="task_due_soon",
            text=t("check.notice.due_soon", **fields),
            fields=fields,
            dedupe_key=f"task:{task.id}:remind:{days_left}:{inspector_id}",
            now=now,
            task_id=task.id,
        )
    return queued


__all__ = [
    "FORM_PATH",
    "FORM_SUBJECT",
    "AnswerView",
    "CheckError",
    "CheckView",
    "Finished",
    "ItemView",
    "MyTarget",
    "announce",
    "answer",
    "attach_photo",
    "check_in",
    "clear",
    "find_target",
    "finish",
    "form_url",
    "in_progress",
    "my_targets",
    "skip",
    "start",
    "sweep_step",
    "view",
]
