"""A 专项 task of the demo county as the office reads it: a 10-item checklist, 20 schools in two zones, 3
inspectors with a 组长, and checks in every state — finished ones with scores, failed items, rectifications and a
photo, some under way, some not begun — written as the check service writes its rows."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from backend.domain.calendar import local_date
from backend.domain.kinds import TaskKind
from backend.services import task_checks, tasks
from backend.store.db import Database
from backend.store.models import (
    Assignment,
    Authority,
    Checklist,
    ChecklistItem,
    TaskAnswer,
    TaskTarget,
    Unit,
    Zone,
)

ITEMS = [
    ("一、安全管理", "校舍安全隐患排查台账齐全", "yes_no", 10, True),  # the one item with a photo required
    ("一、安全管理", "消防器材在有效期内、通道畅通", "yes_no", 10, True),
    ("一、安全管理", "门卫值守和来访登记", "score", 10, False),
    ("二、食堂与饮水", "食堂持证经营、从业人员健康证", "yes_no", 10, True),
    ("二、食堂与饮水", "食品留样48小时", "yes_no", 10, True),
    ("二、食堂与饮水", "饮水设备定期消毒", "score", 10, False),
    ("三、教学秩序", "按课程方案开齐开足课程", "score", 10, False),
    ("三、教学秩序", "作业总量控制和公示", "yes_no", 10, False),
    ("四、开学准备", "教材教辅按时到位", "yes_no", 10, False),
    ("四、开学准备", "控辍保学台账", "score", 10, False),
]
DONE, UNDER_WAY = 8, 4  # of the 20 targets: finished checks, checks under way (the rest not begun)


def png_photo(colour: tuple[int, int, int] = (180, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "PNG")
    return out.getvalue()


@dataclass
class TaskSeed:
    task_id: int
    checklist_id: int
    zone_a: str
    zone_b: str
    codes: list[str]  # every target's unit code, in the task's order
    scores: dict[str, float] = field(default_factory=dict)  # unit code -> score of the finished checks
    rectifications: dict[str, list[str]] = field(default_factory=dict)  # unit code -> numbers
    photo_id: int = 0

    @property
    def done_codes(self) -> list[str]:
        return self.codes[:DONE]


def _answers(n: int) -> list[tuple[bool | None, float]]:
    """The answers of the n-th finished check: a few failed items, the rest passed (score items partly)."""
    found: list[tuple[bool | None, float]] = []
    for position, (_section, _text, kind, top, _rectify) in enumerate(ITEMS, start=1):
        failed = (position + n) % 5 == 0 or (n == 0 and position == 1)
        if kind == "yes_no":
            found.append((not failed, 0.0 if failed else float(top)))
        else:
            got = float(top - (n + position) % 4)
            found.append((got >= top * 0.6, got))
    return found


def seed_task(db: Database, media_dir: Path) -> TaskSeed:
    """The task on top of `tests.integration.test_office_web.seed_activity` (the demo county and its accounts)."""
    now = db.clock.now()
    today = local_date(now)
    with db.sessions() as s:
        authority_id = s.scalar(select(Authority.id))
        assert authority_id is not None
        checklist = Checklist(authority_id=authority_id, name="2026年秋季开学工作专项督导评估表", version=1)
        checklist.items = [
            ChecklistItem(
                position=n,
                number=str(n),
                section=section,
                text=text,
                answer_type=kind,
                score=top,
                rectify_on_fail=rectify,
                photo_required=n == 1,
            )
            for n, (section, text, kind, top, rectify) in enumerate(ITEMS, start=1)
        ]
        s.add(checklist)
        s.flush()
        zones = list(s.scalars(select(Zone).order_by(Zone.name)))[:2]
        units: list[Unit] = []
        for zone in zones:
            units += list(
                s.scalars(
                    select(Unit)
                    .join(Assignment, Assignment.unit_id == Unit.id)
                    .where(Unit.zone_id == zone.id, Assignment.ends_on.is_(None))
                    .order_by(Unit.code)
                    .limit(10)
                )
            )
        team = list(
            dict.fromkeys(
                s.scalars(
                    select(Assignment.inspector_id)
                    .where(Assignment.unit_id.in_([u.id for u in units]), Assignment.ends_on.is_(None))
                    .order_by(Assignment.inspector_id)
                )
            )
        )[:3]
        task = tasks.create_task(
            s, authority_id, name="2026年秋季开学工作专项督导", kind=TaskKind.SPECIAL.value,
            checklist_id=checklist.id, inspector_ids=team, leader_id=team[0], starts_on=today - timedelta(days=10),
            ends_on=today + timedelta(days=10), actor="office:admin", unit_ids=[u.id for u in units],
        )  # fmt: skip
        s.flush()
        seed = TaskSeed(task.id, checklist.id, zones[0].name, zones[1].name, [u.code for u in units])
        items = list(checklist.items)
        targets = list(s.scalars(select(TaskTarget).where(TaskTarget.task_id == task.id).order_by(TaskTarget.position)))
        codes = {u.id: u.code for u in units}
        for n, target in enumerate(targets[: DONE + UNDER_WAY]):
            done = n < DONE
            answers = _answers(n) if done else _answers(n)[:3]
            who = target.inspector_id
            task_checks.start(s, target.id, who)
            for item, (passed, score) in zip(items, answers, strict=False):
                said = ("是" if passed else "否") if item.answer_type == "yes_no" else f"{score:g}"
                remark = "" if passed else f"{item.text}不到位"
                task_checks.answer(s, target.id, who, item.id, said, remark=remark)
                if item.photo_required and done:
                    task_checks.attach_photo(
                        s, target.id, who, item.id, content=png_photo((40 * n % 255, 90, 160)),
                        content_type="image/png", media_dir=media_dir,
                    )  # fmt: skip
            if not done:
                continue
            finished = task_checks.finish(s, target.id, who)
            seed.scores[codes[target.unit_id]] = finished.score
            seed.rectifications[codes[target.unit_id]] = list(finished.drafts)
            if n == 0:
                first = select(TaskAnswer.media_ids).where(
                    TaskAnswer.target_id == target.id, TaskAnswer.item_id == items[0].id
                )
                seed.photo_id = int(s.scalars(first).one()[0])
        s.commit()
    return seed
