"""`dudao task …`: supervision tasks (督导任务) created, listed and shown from the command line."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click
from sqlalchemy.orm import Session

from backend.clock import local_today
from backend.config import Config
from backend.domain.errors import DomainError
from backend.domain.kinds import TaskKind
from backend.services import checklists, tasks
from backend.services.authority import current_authority
from backend.store.db import Database
from messages import t

ACTOR = "office:cli"
T = TypeVar("T")
# what the office types for --kind: the Chinese words and the stored values
KIND_WORDS = {
    "专项": TaskKind.SPECIAL,
    "专项督导": TaskKind.SPECIAL,
    "综合": TaskKind.COMPREHENSIVE,
    "综合督导": TaskKind.COMPREHENSIVE,
    "随机": TaskKind.RANDOM,
    "随机督导": TaskKind.RANDOM,
    "暗访": TaskKind.UNANNOUNCED,
    "校长任期": TaskKind.PRINCIPAL_TERM,
    "园长任期": TaskKind.PRINCIPAL_TERM,
    "任期": TaskKind.PRINCIPAL_TERM,
    "回访复查": TaskKind.FOLLOW_UP,
    "回访": TaskKind.FOLLOW_UP,
    "复查": TaskKind.FOLLOW_UP,
    **{k.value: k for k in TaskKind},
}


def parse_kind(text: str) -> TaskKind:
    kind = KIND_WORDS.get(text.strip())
    if kind is None:
        raise DomainError("task.error.kind", kind=text)
    return kind


def _run(config: Config, work: Callable[[Session, int, Database], T]) -> T:
    database = Database.for_config(config)
    try:
        database.upgrade()
        with database.session() as session:
            try:
                return work(session, current_authority(session).id, database)
            except DomainError as refused:
                raise click.ClickException(refused.message) from None
    finally:
        database.dispose()


@click.group("task")
def task_group() -> None:
    """Supervision tasks (督导任务): 专项, 综合, 随机, 暗访, 校长任期, 回访复查."""


@task_group.command("create")
@click.option("--name", required=True, help="The task's name, e.g. 2026年秋季开学工作专项督导.")
@click.option("--kind", "kind_text", required=True, help="专项 | 综合 | 随机 | 暗访 | 校长任期 | 回访复查.")
@click.option("--checklist", "checklist_name", required=True, help="The checklist's name (its latest version).")
@click.option("--checklist-version", type=click.IntRange(1, 100_000), default=None, help="An earlier version.")
@click.option("--schools", default=None, help="Units by code or name, separated by commas.")
@click.option("--zone", default=None, help="Every school of this zone (with --sample: the pool).")
@click.option("--all", "all_schools", is_flag=True, help="Every school (with --sample: the pool).")
@click.option("--sample", type=click.IntRange(1, 100_000), default=None, help="Draw N schools (随机, 暗访).")
@click.option("--seed", default=None, help="Redraw a sample with this seed (default: a new one, printed).")
@click.option("--rectifications", default=None, help="回访复查: the closed rectifications' numbers.")
@click.option("--inspectors", required=True, help="The team: 督学编号, separated by commas.")
@click.option("--leader", default=None, help="The 组长's number (default: the first inspector).")
@click.option("--from", "from_text", required=True, help="The window's first day (2026-09-01, 2026年9月1日).")
@click.option("--to", "to_text", required=True, help="The window's last day.")
@click.pass_obj
def create(
    config: Config,
    name: str,
    kind_text: str,
    checklist_name: str,
    checklist_version: int | None,
    schools: str | None,
    zone: str | None,
    all_schools: bool,
    sample: int | None,
    seed: str | None,
    rectifications: str | None,
    inspectors: str,
    leader: str | None,
    from_text: str,
    to_text: str,
) -> None:
    """Create a task for a team of inspectors; each target goes to one of them (its own responsible inspector
    when on the team). 随机 and 暗访 take --sample N (from --zone or every school); the schools drawn are never
    told before their check is done."""
    chosen = sum(bool(x) for x in (schools, zone and sample is None, all_schools and sample is None, sample))
    if chosen != 1 and not rectifications:
        raise click.UsageError(t("task.error.targets_choice"))

    def work(session: Session, authority_id: int, database: Database) -> list[str]:
        kind = parse_kind(kind_text)
        checklist = checklists.find(session, authority_id, checklist_name, checklist_version)
        team = tasks.resolve_inspectors(session, authority_id, tasks.split_list(inspectors))
        leader_id = tasks.resolve_inspectors(session, authority_id, [leader])[0] if leader else None
        pool = f"{tasks.POOL_ZONE}{zone}" if zone else tasks.POOL_ALL
        unit_ids: list[int] = []
        if schools:
            unit_ids = tasks.resolve_units(session, authority_id, tasks.split_list(schools))
        elif sample is None and (zone or all_schools):
            unit_ids = tasks.zone_unit_ids(session, authority_id, pool)
        rect_ids = (
            tasks.rectification_ids(session, authority_id, tasks.split_list(rectifications)) if rectifications else []
        )
        task = tasks.create_task(
            session,
            authority_id,
            name=name,
            kind=kind.value,
            checklist_id=checklist.id,
            unit_ids=unit_ids,
            inspector_ids=team,
            leader_id=leader_id,
            starts_on=tasks.parse_day(from_text),
            ends_on=tasks.parse_day(to_text),
            actor=ACTOR,
            sample=tasks.Sample(sample, pool, seed) if sample else None,
            rectification_ids=rect_ids,
        )
        leader_name = next(m.inspector.name for m in task.members if m.leader)
        lines = [
            t(
                "task.cli.created",
                id=task.id,
                name=task.name,
                kind=t(f"task.kind.{task.kind}"),
                targets=len(task.targets),
                team=len(task.members),
                leader=leader_name,
                starts=task.starts_on.isoformat(),
                ends=task.ends_on.isoformat(),
            )
        ]
        if task.sample_seed:
            lines.append(t("task.cli.sample", pool=_pool_label(task.sample_pool), size=task.sample_size,
                           seed=task.sample_seed))  # fmt: skip
        return lines

    for line in _run(config, work):
        click.echo(line)


def _pool_label(pool: str) -> str:
    if pool.startswith(tasks.POOL_ZONE):
        return t("task.cli.pool_zone", zone=pool[len(tasks.POOL_ZONE) :])
    return t("task.cli.pool_all")


@task_group.command("list")
@click.pass_obj
def list_(config: Config) -> None:
    """Every task with its targets done and overdue."""

    def work(session: Session, authority_id: int, database: Database) -> list[str]:
        rows = tasks.list_tasks(session, authority_id, local_today(database.clock))
        return [
            t(
                "task.cli.row",
                id=r.id,
                name=r.name,
                kind=t(f"task.kind.{r.kind}"),
                starts=r.starts_on.isoformat(),
                ends=r.ends_on.isoformat(),
                targets=r.targets,
                done=r.done,
                overdue=r.overdue,
                checklist=r.checklist,
                version=r.checklist_version,
            )
            for r in rows
        ] or [t("task.cli.none")]

    for line in _run(config, work):
        click.echo(line)


@task_group.command("show")
@click.argument("task_id", type=click.IntRange(1, 2**31 - 1))
@click.pass_obj
def show(config: Config, task_id: int) -> None:
    """A task: its checklist, team (组长 marked) and every target with its inspector and progress."""

    def work(session: Session, authority_id: int, database: Database) -> list[str]:
        task = tasks.get_task(session, authority_id, task_id)
        names = {m.inspector_id: m.inspector.name for m in task.members}
        lines = [
            t(
                "task.cli.show_head",
                id=task.id,
                name=task.name,
                kind=t(f"task.kind.{task.kind}"),
                state=t(f"task.state.{task.state}"),
                starts=task.starts_on.isoformat(),
                ends=task.ends_on.isoformat(),
                checklist=task.checklist.name,
                version=task.checklist.version,
                by=task.created_by,
            ),
            t(
                "task.cli.show_team",
                team="、".join(
                    m.inspector.name + (t("task.cli.leader_mark") if m.leader else "") for m in task.members
                ),
            ),
        ]
        if task.sample_seed:
            lines.append(t("task.cli.sample", pool=_pool_label(task.sample_pool), size=task.sample_size,
                           seed=task.sample_seed))  # fmt: skip
        for view in tasks.targets_of_task(session, task.id, local_today(database.clock)):
            score = f" {view.score:g}" if view.score is not None else ""
            lines.append(
                t(
                    "task.cli.show_target",
                    code=view.unit_code,
                    unit=view.unit_name,
                    inspector=names.get(view.inspector_id, "?"),
                    progress=t(f"task.progress.{view.progress.value}"),
                    answered=view.answered,
                    items=view.items,
                    score=score,
                )
            )
        return lines

    for line in _run(config, work):
        click.echo(line)


COMMANDS = [task_group]
