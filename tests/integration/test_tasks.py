"""Tasks: creation with team, targets and default assignees; the inspector's list; 随机/暗访 samples drawn with a
recorded seed; the concealment rule in pushes and unit-facing readers. Both stacks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.cli import main
from backend.clock import SettableClock
from backend.domain.errors import DomainError
from backend.domain.kinds import CheckProgress, CheckState, RectificationState, Role, TaskKind
from backend.services import checklists, notices, tasks
from backend.store.db import Database
from backend.store.models import (
    AuditEvent,
    Checklist,
    ChecklistItem,
    Inspector,
    OutboxMessage,
    Rectification,
    TaskTarget,
    Unit,
    Zone,
)
from tests.builders import County
from tests.conftest import clock_env


def _checklist(session: Session, authority_id: int, name: str = "开学工作专项督导") -> Checklist:
    checklist = Checklist(authority_id=authority_id, name=name, version=1, created_by="office:test")
    checklist.items = [
        ChecklistItem(
            position=1, number="1", section="一、安全工作", text="校舍安全排查", answer_type="yes_no", score=5
        ),
        ChecklistItem(position=2, number="2", section="一、安全工作", text="消防器材", answer_type="yes_no", score=5),
    ]
    session.add(checklist)
    session.flush()
    return checklist


@dataclass
class Setup:
    county: County
    authority_id: int
    wang: Inspector
    li: Inspector
    zhao: Inspector
    units: list[Unit]
    township: Unit
    north: Zone


def _county(session: Session, schools: int = 12) -> Setup:
    """Two zones of schools (north: wang's, south: li's), a third inspector without schools, a township."""
    county = County(session)
    north = county.zone("城关督学责任区")
    south = county.zone("南部督学责任区")
    wang = county.inspector("DX001", "王建国", "13800000001")
    li = county.inspector("DX002", "李秀英", "13800000002")
    zhao = county.inspector("DX003", "赵德明", "13800000003")
    units = []
    for n in range(schools):
        zone = north if n % 2 == 0 else south
        unit = county.school(f"36070100{n:02d}", f"安远县城关第{n + 1}小学", zone=zone)
        units.append(unit)
        county.assign(wang if zone is north else li, unit)
    township = county.unit("3607019901", "安远县欣山镇人民政府", "township")
    return Setup(county, county.authority.id, wang, li, zhao, units, township, north)


def test_a_special_task_assigns_each_school_to_its_own_inspector_when_on_the_team(database: Database) -> None:
    with database.session() as session:
        c = _county(session)
        units = c.units
        wang, zhao = c.wang, c.zhao
        checklist = _checklist(session, c.authority_id)
        task = tasks.create_task(
            session,
            c.authority_id,
            name="2026年秋季开学工作专项督导",
            kind=TaskKind.SPECIAL,
            checklist_id=checklist.id,
            unit_ids=[u.id for u in units[:6]],
            inspector_ids=[zhao.id, wang.id],
            leader_id=wang.id,
            starts_on=date(2026, 9, 1),
            ends_on=date(2026, 9, 15),
            actor="office:test",
        )
        session.commit()
        by_unit = {t.unit_id: t.inspector_id for t in task.targets}
        # the north schools (even) are wang's own; the south ones (li not on the team) go to zhao first, the
        # least loaded
        assert [by_unit[u.id] for u in units[:6:2]] == [wang.id] * 3
        assert [by_unit[u.id] for u in units[1:6:2]] == [zhao.id] * 3
        assert [m.inspector_id for m in task.members if m.leader] == [wang.id]
        mine = tasks.targets_for_inspector(session, wang.id, date(2026, 9, 2))
        assert [v.unit_code for v in mine] == [units[0].code, units[2].code, units[4].code]
        assert {v.progress for v in mine} == {CheckProgress.NOT_STARTED}
        assert mine[0].items == 2 and mine[0].answered == 0
        # after the window a check not done is 逾期
        late = tasks.targets_for_inspector(session, wang.id, date(2026, 9, 16))
        assert {v.progress for v in late} == {CheckProgress.OVERDUE}
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "task.created"))
        assert event is not None and event.subject_id == task.id and event.detail["targets"] == 6


def test_only_a_comprehensive_task_targets_a_township(database: Database) -> None:
    with database.session() as session:
        c = _county(session)
        checklist = _checklist(session, c.authority_id)
        common: dict[str, Any] = {
            "checklist_id": checklist.id,
            "unit_ids": [c.township.id],
            "inspector_ids": [c.wang.id],
            "starts_on": date(2026, 10, 8),
            "ends_on": date(2026, 10, 30),
            "actor": "office:test",
        }
        with pytest.raises(DomainError) as refused:
            tasks.create_task(session, c.authority_id, name="食堂专项", kind="special", **common)
        assert "欣山镇" in refused.value.message and "综合督导" in refused.value.message
        task = tasks.create_task(session, c.authority_id, name="乡镇综合督导", kind="comprehensive", **common)
        assert [t.unit_id for t in task.targets] == [c.township.id]


def test_a_sample_redraws_the_same_schools_from_its_seed(database: Database) -> None:
    with database.session() as session:
        c = _county(session, schools=20)
        checklist = _checklist(session, c.authority_id)

        def make(seed: str | None, pool: str = "all") -> list[int]:
            task = tasks.create_task(
                session,
                c.authority_id,
                name="随机督导",
                kind=TaskKind.RANDOM,
                checklist_id=checklist.id,
                inspector_ids=[c.wang.id, c.li.id],
                starts_on=date(2026, 11, 2),
                ends_on=date(2026, 11, 20),
                actor="office:test",
                sample=tasks.Sample(size=5, pool=pool, seed=seed),
            )
            assert task.sample_size == 5 and task.sample_pool == pool and task.sample_seed
            return [t.unit_id for t in task.targets]

        first = make("20261102")
        assert len(set(first)) == 5
        assert make("20261102") == first
        assert make("20261103") != first  # another seed, another sample (fixed: these two differ)
        drawn = session.scalars(select(Checklist)).all()
        assert drawn
        zone_only = make(None, "zone:城关督学责任区")
        north_ids = {u.id for u in c.units if u.zone_id == c.north.id}
        assert set(zone_only) <= north_ids
        with pytest.raises(DomainError):
            tasks.create_task(
                session,
                c.authority_id,
                name="暗访",
                kind=TaskKind.UNANNOUNCED,
                checklist_id=checklist.id,
                unit_ids=[c.units[0].id],
                inspector_ids=[c.wang.id],
                starts_on=date(2026, 11, 2),
                ends_on=date(2026, 11, 20),
                actor="office:test",
            )


def test_no_push_about_an_unannounced_task_reaches_its_targets_before_their_check_is_done(database: Database) -> None:
    with database.session() as session:
        c = _county(session, schools=6)
        county = c.county
        checklist = _checklist(session, c.authority_id)
        task = tasks.create_task(
            session,
            c.authority_id,
            name="食堂食品安全暗访",
            kind=TaskKind.UNANNOUNCED,
            checklist_id=checklist.id,
            inspector_ids=[c.wang.id],
            starts_on=date(2026, 11, 2),
            ends_on=date(2026, 11, 20),
            actor="office:test",
            sample=tasks.Sample(size=6, seed="7"),
        )
        target = task.targets[0]
        county.contact("o-school", Role.UNIT, unit_id=target.unit_id)
        county.contact("o-wang", Role.INSPECTOR, inspector_id=c.wang.id)
        session.flush()
        assert tasks.hidden_unit_ids(session, task.id) == {u.id for u in c.units}
        queued = notices.notify(
            session,
            ["o-school", "o-wang"],
            notice="task_assigned",
            text="有新的督导任务",
            fields={},
            dedupe_key=f"task:{task.id}:assigned",
        )
        assert queued == 1
        assert session.scalars(select(OutboxMessage.openid)).all() == ["o-wang"]
        withheld = session.scalar(select(AuditEvent).where(AuditEvent.action == "task.notice_withheld"))
        assert withheld is not None and withheld.detail["recipients"] == 1
        assert tasks.tasks_visible_to_unit(session, target.unit_id) == []
        # the check done, the unit may hear of it
        target.state = CheckState.DONE.value
        session.flush()
        queued = notices.notify(
            session, ["o-school"], notice="task_done", text="督导已完成", fields={}, dedupe_key=f"task:{task.id}:done"
        )
        assert queued == 1
        assert [t.id for t in tasks.tasks_visible_to_unit(session, target.unit_id)] == [task.id]
        # an explicit task id works as the key does
        assert tasks.target_hidden_from_unit(session, task.targets[1].id)
        assert (
            notices.notify(
                session,
                ["o-school", "o-other"],
                notice="x",
                text="x",
                fields={},
                dedupe_key="other:1",
                task_id=task.id,
            )
            == 2
        )


def test_a_follow_up_task_targets_the_units_of_closed_rectifications(database: Database) -> None:
    with database.session() as session:
        c = _county(session, schools=3)
        units = c.units
        checklist = _checklist(session, c.authority_id)
        closed = Rectification(
            number="ZG2026-001",
            authority_id=c.authority_id,
            unit_id=units[1].id,
            problem="晨检记录缺失",
            deadline=date(2026, 10, 1),
            state=RectificationState.CLOSED.value,
        )
        still_open = Rectification(
            number="ZG2026-002",
            authority_id=c.authority_id,
            unit_id=units[2].id,
            problem="消防通道堵塞",
            deadline=date(2026, 12, 1),
            state=RectificationState.ISSUED.value,
        )
        session.add_all([closed, still_open])
        session.flush()
        common: dict[str, Any] = {
            "name": "回访复查",
            "kind": TaskKind.FOLLOW_UP,
            "checklist_id": checklist.id,
            "inspector_ids": [c.li.id],
            "starts_on": date(2026, 11, 2),
            "ends_on": date(2026, 11, 20),
            "actor": "office:test",
        }
        task = tasks.create_task(session, c.authority_id, rectification_ids=[closed.id], **common)
        assert [(t.unit_id, t.rectification_id) for t in task.targets] == [(units[1].id, closed.id)]
        with pytest.raises(DomainError) as refused:
            tasks.create_task(session, c.authority_id, rectification_ids=[still_open.id], **common)
        assert "ZG2026-002" in refused.value.message
        assert session.scalars(select(TaskTarget)).all()


def test_dudao_task_create_list_show(database: Database, clock: SettableClock, tmp_path: Path) -> None:
    with database.session() as session:
        c = _county(session, schools=8)
        checklists.load_examples(session, c.authority_id, actor="system:test")
        codes = [u.code for u in c.units]

    def run(*args: str) -> Result:
        env = {"DUDAO_DATABASE_URL": database.url, **clock_env(clock)}
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    # schools by code, by full name and as people write them (traditional 關, the county dropped)
    made = run(
        "task", "create", "--name", "2026年秋季开学工作专项督导", "--kind", "专项", "--checklist", "开学工作专项督导",
        "--schools", f"{codes[0]}，安远县城关第2小学、城關第3小学", "--inspectors", "DX003,DX001", "--leader", "DX001",
        "--from", "2026-09-01", "--to", "2026年9月15日",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "已创建任务 #1「2026年秋季开学工作专项督导」（专项督导）：3个对象，2名督学，组长王建国" in made.output
    assert "2026-09-01 至 2026-09-15。" in made.output
    drawn = run(
        "task", "create", "--name", "食堂暗访", "--kind", "暗访", "--checklist", "食堂食品安全", "--sample", "3",
        "--zone", "城关督学责任区", "--seed", "20261102", "--inspectors", "DX002", "--from", "2026-11-02",
        "--to", "2026-12-20",
    )  # fmt: skip
    assert drawn.exit_code == 0, drawn.output
    assert "抽样：从责任区“城关督学责任区”抽取3个，种子 20261102" in drawn.output
    with database.sessions() as session:
        task = tasks.get_task(session, c.authority_id, 2)
        sample = [t.unit.code for t in task.targets]
        assert set(sample) <= set(codes[::2]) and len(sample) == 3
        assert task.sample_seed == "20261102" and task.checklist.version == 1
        redrawn = tasks.draw(session, c.authority_id, tasks.Sample(3, "zone:城关督学责任区", "20261102"))
        assert redrawn == ([t.unit_id for t in task.targets], "20261102")  # the same seed, the same schools
    listed = run("task", "list")  # on the pinned day (2026-11-23) the 开学 task is past its window
    assert "对象3 已完成0 逾期3 评估表：开学工作专项督导" in listed.output
    assert "#2 食堂暗访（暗访）2026-11-02~2026-12-20 对象3 已完成0 逾期0 评估表：食堂食品安全 第1版" in listed.output
    shown = run("task", "show", "1")
    assert "任务组：赵德明、王建国（组长）" in shown.output
    assert f"· {codes[0]} 安远县城关第1小学 — 王建国 — 逾期 0/16" in shown.output
    assert f"· {codes[1]} 安远县城关第2小学 — 赵德明 — 逾期 0/16" in shown.output  # li not on the team
    for args, refusal in (
        (["--kind", "随机", "--schools", codes[0]], "随机督导和暗访的对象由系统抽取"),
        (["--kind", "专项", "--schools", "城关第99小学"], "第1个学校“城关第99小学”找不到"),
        (["--kind", "专项", "--all", "--from", "2026-09-31"], "日期“2026-09-31”看不懂"),
        (["--kind", "检查", "--all"], "任务类型“检查”不认识"),
        (["--kind", "专项", "--zone", "没有的区"], "没有名为“没有的区”的责任区"),
        (["--kind", "专项", "--all", "--inspectors", "DX404"], "没有编号为 DX404 的督学"),
        (["--kind", "专项", "--all", "--to", "2026-08-01"], "结束日期 2026-08-01 早于开始日期 2026-09-01"),
    ):
        options = {"--name": "x", "--checklist": "开学工作专项督导", "--inspectors": "DX001", "--from": "2026-09-01",
                   "--to": "2026-09-30"}  # fmt: skip
        extra = dict(zip(args[::2], args[1::2], strict=False)) if "--all" not in args else {}
        if "--all" in args:
            rest = [a for a in args if a != "--all"]
            extra = dict(zip(rest[::2], rest[1::2], strict=True))
        options.update(extra)
        flat = [x for pair in options.items() for x in pair] + (["--all"] if "--all" in args else [])
        refused = run("task", "create", *flat)
        assert refused.exit_code != 0 and refusal in refused.output, (args, refused.output)
        assert "Traceback" not in refused.output
    both = run("task", "create", "--name", "x", "--kind", "专项", "--checklist", "开学工作专项督导", "--all",
               "--schools", codes[0], "--inspectors", "DX001", "--from", "2026-09-01", "--to", "2026-9-30")  # fmt: skip
    assert both.exit_code == 2 and "请只用一种方式选对象" in both.output
    missing = run("task", "show", "99")
    assert missing.exit_code == 1 and "没有编号为 99 的任务" in missing.output
    with database.sessions() as session:
        assert len(tasks.list_tasks(session, c.authority_id, date(2026, 9, 16))) == 2
        events = session.scalars(select(AuditEvent.action).where(AuditEvent.action == "task.created")).all()
        assert len(events) == 2


def test_hostile_task_input_is_refused_in_chinese(database: Database) -> None:
    with database.session() as session:
        c = _county(session, schools=3)
        checklist = _checklist(session, c.authority_id)
        common: dict[str, Any] = {
            "kind": TaskKind.SPECIAL,
            "checklist_id": checklist.id,
            "unit_ids": [c.units[0].id],
            "inspector_ids": [c.wang.id],
            "starts_on": date(2026, 11, 2),
            "ends_on": date(2026, 11, 20),
            "actor": "office:test",
        }
        for name, words in (("", "请填写任务名称"), ("督" * 201, "任务名称太长"), ("暗访\x00", "控制字符")):
            with pytest.raises(DomainError) as refused:
                tasks.create_task(session, c.authority_id, name=name, **common)
            assert words in refused.value.message
        with pytest.raises(DomainError) as refused:
            tasks.create_task(session, c.authority_id, name="x", **{**common, "inspector_ids": []})
        assert "至少指定一名督学" in refused.value.message
        with pytest.raises(DomainError) as refused:
            tasks.create_task(session, c.authority_id, name="x", **{**common, "leader_id": c.li.id})
        assert "组长必须是任务组的督学之一" in refused.value.message
        c.zhao.active = False
        with pytest.raises(DomainError) as refused:
            tasks.create_task(session, c.authority_id, name="x", **{**common, "inspector_ids": [c.zhao.id]})
        assert "赵德明督学已停聘或解聘" in refused.value.message
        sampled = {**common, "kind": TaskKind.RANDOM, "unit_ids": []}
        for sample, words in (
            (tasks.Sample(3, "all", "1; DROP TABLE task"), "抽样种子"),
            (tasks.Sample(0, "all"), "抽取数量至少为 1"),
            (tasks.Sample(2, "zone:北\x00区"), "没有名为"),
        ):
            with pytest.raises(DomainError) as refused:
                tasks.create_task(session, c.authority_id, name="x", sample=sample, **sampled)
            assert words in refused.value.message
        with pytest.raises(DomainError):
            tasks.rectification_ids(session, c.authority_id, ["ZG\x00"])
        assert session.scalars(select(TaskTarget)).all() == []
