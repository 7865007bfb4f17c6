"""`dudao inspectors …`: ending an inspector's appointment (停聘, 解聘) and reinstating one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

import click
from sqlalchemy.orm import Session

from backend.config import Config
from backend.domain.errors import DomainError
from backend.domain.kinds import EndOfAppointment
from backend.services import staff
from backend.services.authority import current_authority
from backend.store.db import Database
from messages import t

ACTOR = "office:cli"
T = TypeVar("T")


def _run(config: Config, work: Callable[[Session, int], T]) -> T:
    database = Database.for_config(config)
    try:
        database.upgrade()
        with database.sessions() as session:
            authority_id = current_authority(session).id
            try:
                return work(session, authority_id)
            except DomainError as refused:
                raise click.ClickException(refused.message) from None
    finally:
        database.dispose()


@click.group("inspectors")
def inspectors_group() -> None:
    """Responsible inspectors' appointments: 停聘 (suspend), 解聘 (dismiss), reinstate."""


def _end_command(kind: EndOfAppointment, name: str, summary: str) -> click.Command:
    @click.argument("number")
    @click.option("--reason", required=True, help="Why (kept in the inspector's history).")
    @click.option(
        "--on",
        "on",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="From this day (YYYY-MM-DD; default today, never a future day).",
    )
    @click.pass_obj
    def command(config: Config, number: str, reason: str, on: object) -> None:
        day = on.date() if hasattr(on, "date") else None
        assert day is None or isinstance(day, date)
        ended = _run(
            config,
            lambda s, authority_id: staff.end_appointment(
                s, authority_id, number, kind, reason=reason, actor=ACTOR, on=day
            ),
        )
        click.echo(
            t("staff.done", name=ended.name, kind=t(f"staff.kind.{kind.value}"), day=ended.on.isoformat(),
              schools=len(ended.schools))
        )  # fmt: skip
        for line in _left_over(ended):
            click.echo(line)

    doc = (
        f"{summary} the inspector NUMBER (督学编号).\n\n"
        "Their current schools lose their responsible inspector from that day (history kept) and show as "
        "uncovered on the dashboard and the boards list until another is assigned; their WeChat binding stays, "
        "and the bot tells them they can no longer record visits."
    )
    return inspectors_group.command(name=name, help=doc)(command)


def _left_over(ended: staff.Ended) -> list[str]:
    lines = []
    if ended.schools:
        lines.append(t("staff.done.schools", names="、".join(ended.schools)))
    if ended.zones_led:
        lines.append(t("staff.done.zones", names="、".join(ended.zones_led)))
    if ended.open_concerns or ended.open_rectifications:
        lines.append(t("staff.done.open_work", concerns=ended.open_concerns, items=ended.open_rectifications))
    return lines


_end_command(EndOfAppointment.SUSPENDED, "suspend", "停聘 (suspend)")
_end_command(EndOfAppointment.DISMISSED, "dismiss", "解聘 (dismiss)")


@inspectors_group.command("reinstate")
@click.argument("number")
@click.pass_obj
def reinstate(config: Config, number: str) -> None:
    """恢复聘任: NUMBER serves again; assign their schools again (import assignments or the school's page)."""
    name = _run(config, lambda s, authority_id: staff.reinstate(s, authority_id, number, actor=ACTOR))
    click.echo(t("staff.reinstated", name=name))


COMMANDS: list[click.Command] = [inspectors_group]
