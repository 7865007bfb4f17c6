"""`dudao rectifications …`: the office's side of the rectification chain, until the office web exists.

List items; confirm (with its record) or decline a proposed 约谈 or 通报; grant or refuse extensions; record
问责; see the reminders and pushes the sweep sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.cli.sessions import config_session
from backend.config import Config
from backend.domain import rectification as rules
from backend.domain.calendar import local_date, local_now
from backend.domain.kinds import RectificationState
from backend.services import escalations
from backend.services import rectifications as rect
from backend.services.list_filters import RECTIFICATIONS, ListFilters, conditions
from backend.services.rectifications import RectificationError
from backend.store.db import session_now
from backend.store.models import OutboxMessage, Rectification, Unit
from messages import t

T = TypeVar("T")


def _act(config: Config, work: Callable[[Session], T]) -> T:
    """Run one office use case in its own transaction; a refusal becomes a readable error."""
    try:
        with config_session(config) as session:
            return work(session)
    except RectificationError as exc:
        raise click.ClickException(t("rect.cli.refused", error=exc.message)) from None


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else local_now(moment).strftime("%Y-%m-%d %H:%M")


def _actor(name: str) -> str:
    return f"office:{name}"


@click.group("rectifications")
def rectifications() -> None:
    """Rectification items (整改事项): list, escalations, extensions, accountability."""


@rectifications.command("list")
@click.option("--unit", "unit_code", default=None, help="Only this unit (its code).")
@click.option(
    "--state", type=click.Choice([s.value for s in RectificationState]), default=None, help="Only this state."
)
@click.option("--overdue", is_flag=True, help="Only the overdue ones.")
@click.option("--level", type=click.IntRange(0, 4), default=None, help="Only this escalation level (0-4).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True, help="At most this many.")
@click.pass_obj
def list_(
    config: Config, unit_code: str | None, state: str | None, overdue: bool, level: int | None, limit: int
) -> None:
    """List rectification items, the nearest deadline first."""
    with config_session(config) as session:
        today = local_date(session_now(session))
        filters = ListFilters(
            school_code=unit_code or "", state=state or "", level=level, overdue=True if overdue else None
        )
        query = (
            select(Rectification)
            .join(Unit, Unit.id == Rectification.unit_id)
            .where(*conditions(filters, RECTIFICATIONS, today))
            .order_by(Rectification.deadline, Rectification.id)
        )
        rows = list(session.scalars(query.limit(limit)))
        if not rows:
            click.echo(t("rect.cli.none"))
        for row in rows:
            late = rules.is_overdue(row.state, row.deadline, today)
            click.echo(
                t(
                    "rect.cli.row",
                    number=row.number,
                    unit=rect.unit_name(session, row.unit_id),
                    state=t(f"rect.state.{row.state}"),
                    overdue=f"（{t('rect.overdue')}）" if late else "",
                    deadline=row.deadline.isoformat(),
                    level=t(f"rect.level.{row.level}"),
                    problem=row.problem,
                )
            )


@rectifications.command("show")
@click.argument("number")
@click.pass_obj
def show(config: Config, number: str) -> None:
    """Show one item with its history, escalations and extension requests (JSON)."""
    from backend.web.api_rectifications import item_json

    def work(session: Session) -> dict[str, Any]:
        return item_json(session, rect.by_number(session, number), local_date(session_now(session)))

    click.echo(json.dumps(_act(config, work), ensure_ascii=False, indent=2))


@rectifications.command("issue")
@click.argument("number")
@click.option("--by", "by", default="office", show_default=True, help="Who issues it (for the audit log).")
@click.pass_obj
def issue(config: Config, number: str, by: str) -> None:
    """Issue a draft item: the 整改通知 goes to the unit's contacts."""

    def work(session: Session) -> str:
        return rect.issue_rectification(session, rect.by_number(session, number).id, actor=_actor(by)).number

    click.echo(t("rect.cli.row_issued", number=_act(config, work)))


@rectifications.command("escalations")
@click.pass_obj
def pending_escalations(config: Config) -> None:
    """The proposed 约谈 and 通报 waiting for the office."""
    with config_session(config) as session:
        rows = escalations.pending(session)
        if not rows:
            click.echo(t("rect.cli.escalations_none"))
        for row in rows:
            item = rect.get(session, row.rectification_id)
            click.echo(
                t(
                    "rect.cli.escalation_row",
                    id=row.id,
                    number=item.number,
                    unit=rect.unit_name(session, item.unit_id),
                    level=t(f"rect.level.{row.level}"),
                    state=t(f"rect.escalation_state.{row.state}"),
                    proposed_at=_when(row.proposed_at),
                )
            )


@rectifications.command("confirm-talk")
@click.argument("escalation_id", type=int)
@click.option("--held-at", required=True, help="When the 约谈 took place, e.g. '2026-12-02 09:30'.")
@click.option("--attendees", required=True, help="Who attended.")
@click.option("--summary", required=True, help="What was said.")
@click.option("--commitments", required=True, help="What the unit committed to.")
@click.option("--deadline", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="The new deadline.")
@click.option("--by", "by", default="office", show_default=True, help="Who records it.")
@click.pass_obj
def confirm_talk(
    config: Config,
    escalation_id: int,
    held_at: str,
    attendees: str,
    summary: str,
    commitments: str,
    deadline: datetime | None,
    by: str,
) -> None:
    """Confirm a proposed 约谈 and record it (filed with the unit's superior)."""
    record = {"held_at": held_at, "attendees": attendees, "summary": summary, "commitments": commitments}

    def work(session: Session) -> str:
        row = escalations.confirm_talk(
            session,
            escalation_id,
            record=record,
            actor=_actor(by),
            new_deadline=deadline.date() if deadline else None,
        )
        return rect.get(session, row.rectification_id).number

    number = _act(config, work)
    click.echo(t("rect.cli.confirmed", number=number, level=t("rect.level.talk")))


@rectifications.command("confirm-circular")
@click.argument("escalation_id", type=int)
@click.option("--text", "text", required=True, help="The circular's text (通报内容).")
@click.option("--scope", default="", help="Who it goes to (e.g. 全县教育系统).")
@click.option("--by", "by", default="office", show_default=True, help="Who confirms it.")
@click.pass_obj
def confirm_circular(config: Config, escalation_id: int, text: str, scope: str, by: str) -> None:
    """Confirm a proposed 通报: it is published."""

    def work(session: Session) -> str:
        row = escalations.confirm_circular(
            session, escalation_id, record={"text": text, "scope": scope}, actor=_actor(by)
        )
        return rect.get(session, row.rectification_id).number

    click.echo(t("rect.cli.confirmed", number=_act(config, work), level=t("rect.level.circular")))


@rectifications.command("decline")
@click.argument("escalation_id", type=int)
@click.option("--reason", required=True, help="Why the office does not take it up.")
@click.option("--by", "by", default="office", show_default=True, help="Who decides.")
@click.pass_obj
def decline(config: Config, escalation_id: int, reason: str, by: str) -> None:
    """Decline a proposed 约谈 or 通报."""

    def work(session: Session) -> tuple[str, str]:
        row = escalations.decline(session, escalation_id, reason=reason, actor=_actor(by))
        return rect.get(session, row.rectification_id).number, row.level

    number, level = _act(config, work)
    click.echo(t("rect.cli.declined", number=number, level=t(f"rect.level.{level}")))


@rectifications.command("accountability")
@click.argument("number")
@click.option("--basic-facts", required=True, help="基本情况.")
@click.option("--facts", required=True, help="问责事实.")
@click.option("--basis", required=True, help="问责依据.")
@click.option("--measures", required=True, help="问责方式.")
@click.option("--effective-at", required=True, help="生效时间, e.g. 2026-12-15.")
@click.option("--repeat", "repeat_reason", default="", help="再次问责: why, when the system holds no earlier one.")
@click.option("--by", "by", default="office", show_default=True, help="Who records it.")
@click.pass_obj
def accountability(
    config: Config,
    number: str,
    basic_facts: str,
    facts: str,
    basis: str,
    measures: str,
    effective_at: str,
    repeat_reason: str,
    by: str,
) -> None:
    """Record a 问责 decision (closing its fact-finding if one was started); warns when the unit was held
    accountable twice within a year."""
    record = {
        "basic_facts": basic_facts,
        "accountability_facts": facts,
        "basis": basis,
        "measures": measures,
        "effective_at": effective_at,
    }

    def work(session: Session) -> tuple[str, str, bool, int]:
        item = rect.by_number(session, number)
        done = escalations.record_accountability(
            session, item.id, record=record, actor=_actor(by), repeat=bool(repeat_reason), repeat_reason=repeat_reason
        )
        return item.number, rect.unit_name(session, item.unit_id), done.heavier, done.count_within_year

    found, unit, heavier, count = _act(config, work)
    note = t("rect.cli.heavier", count=count) if heavier else ""
    click.echo(t("rect.cli.accountability", number=found, unit=unit, heavier=note))


@rectifications.command("fact-finding")
@click.argument("number")
@click.option("--started", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="The day it began.")
@click.option("--by", "by", default="office", show_default=True, help="Who starts it.")
@click.pass_obj
def fact_finding(config: Config, number: str, started: datetime | None, by: str) -> None:
    """Start the 问责 fact-finding (调查核实) of an item: to be done within 60 days."""

    def work(session: Session) -> tuple[str, str]:
        item = rect.by_number(session, number)
        row = escalations.start_fact_finding(
            session, item.id, started_on=started.date() if started else None, actor=_actor(by)
        )
        return item.number, row.fact_finding_due_on.isoformat() if row.fact_finding_due_on else ""

    found, due = _act(config, work)
    click.echo(t("steps.cli.fact_finding", number=found, due=due))


@rectifications.command("extensions")
@click.pass_obj
def extensions(config: Config) -> None:
    """Extension requests waiting for a decision."""
    with config_session(config) as session:
        rows = rect.pending_extensions(session)
        if not rows:
            click.echo(t("rect.cli.extensions_none"))
        for row in rows:
            item = rect.get(session, row.rectification_id)
            click.echo(
                t(
                    "rect.cli.extension_row",
                    id=row.id,
                    number=item.number,
                    unit=rect.unit_name(session, item.unit_id),
                    reason=row.reason,
                    requested_at=_when(row.requested_at),
                )
            )


def _pending_request_id(session: Session, number: str) -> int:
    item = rect.by_number(session, number)
    request = rect.pending_extension(session, item.id)
    if request is None:
        raise RectificationError("rect.bot.no_extension", number=item.number)
    return request.id


@rectifications.command("grant")
@click.argument("number")
@click.option("--deadline", type=click.DateTime(formats=["%Y-%m-%d"]), required=True, help="The new deadline.")
@click.option("--by", "by", default="office", show_default=True, help="Who decides.")
@click.pass_obj
def grant(config: Config, number: str, deadline: datetime, by: str) -> None:
    """Grant the pending extension request of an item."""
    new_deadline: date = deadline.date()

    def work(session: Session) -> None:
        rect.decide_extension(
            session, _pending_request_id(session, number), grant=True, new_deadline=new_deadline, actor=_actor(by)
        )

    _act(config, work)
    click.echo(t("rect.cli.extension_granted", number=number, deadline=new_deadline.isoformat()))


@rectifications.command("refuse")
@click.argument("number")
@click.option("--reason", required=True, help="Why not.")
@click.option("--by", "by", default="office", show_default=True, help="Who decides.")
@click.pass_obj
def refuse(config: Config, number: str, reason: str, by: str) -> None:
    """Refuse the pending extension request of an item."""

    def work(session: Session) -> None:
        rect.decide_extension(
            session, _pending_request_id(session, number), grant=False, reason=reason, actor=_actor(by)
        )

    _act(config, work)
    click.echo(t("rect.cli.extension_refused", number=number))


@rectifications.command("reminders")
@click.option("--number", default=None, help="Only this item.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True, help="At most this many.")
@click.pass_obj
def reminders(config: Config, number: str | None, limit: int) -> None:
    """The pushes of the rectification chain (reminders, notices, 督办), newest first, with their state."""
    with config_session(config) as session:
        prefix = "rect:%"
        if number:
            prefix = f"rect:{rect.by_number(session, number).id}:%"
        rows = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.dedupe_key.like(prefix))
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        ).all()
        if not rows:
            click.echo(t("rect.cli.reminders_none"))
        for row in rows:
            _rect, item_id, kind, *_rest = row.dedupe_key.split(":")
            item = session.get(Rectification, int(item_id))
            click.echo(
                t(
                    "rect.cli.reminder_row",
                    created_at=_when(row.created_at),
                    number=item.number if item else item_id,
                    kind=kind,
                    openid=row.openid,
                    state=row.state,
                )
            )


COMMANDS = [rectifications]
