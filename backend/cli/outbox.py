"""`dudao outbox list|show|retry`: the pushes as an operator sees them.

Openids are masked (`o6_b…x3Yk`) and no message text is printed: an operator needs the state, the kind, the record
a push is about, its attempts and WeChat's last answer, not what it said or to whom exactly.
"""

from __future__ import annotations

from datetime import datetime

import click
from sqlalchemy import select

from backend.cli.sessions import config_session
from backend.config import Config
from backend.domain.calendar import local_now
from backend.domain.errors import DomainError
from backend.domain.kinds import OutboxState
from backend.services import outbox, undelivered
from backend.services.audit import record
from backend.store.db import session_now
from backend.store.models import OutboxMessage
from messages import t

STATES = (*(s.value for s in OutboxState), "undelivered")
MAX_ID = 2**31 - 1


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else local_now(moment).strftime("%Y-%m-%d %H:%M:%S")


def _message_id(ctx: click.Context, param: click.Parameter, value: str) -> int:
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_ID:
        raise click.BadParameter(t("outbox.cli.bad_id", value=value))
    return int(value)


def _subject(m: OutboxMessage) -> str:
    return f"{m.subject_type}:{m.subject_id}" if m.subject_type else "-"


def _state(m: OutboxMessage) -> str:
    text = t(f"outbox.cli.state.{m.state}")
    if m.state == OutboxState.GIVEN_UP.value and m.resolution:
        text += f"/{t('undelivered.resolved.' + m.resolution)}"
    return text


@click.group("outbox")
def outbox_group() -> None:
    """The outbox: the pushes waiting, sent and given up (openids masked, no message text)."""


@outbox_group.command("list")
@click.option("--state", type=click.Choice(STATES), help="Only this state (undelivered: given up, not dealt with).")
@click.option("--kind", type=click.Choice(outbox.KINDS), help="Only this kind of push.")
@click.option("--notice", default="", help="Only this notice kind (e.g. rectification_issued).")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@click.pass_obj
def list_command(config: Config, state: str | None, kind: str | None, notice: str, limit: int) -> None:
    """List pushes, newest first."""
    query = select(OutboxMessage)
    if state == "undelivered":
        query = query.where(OutboxMessage.state == OutboxState.GIVEN_UP.value, OutboxMessage.resolution == "")
    elif state:
        query = query.where(OutboxMessage.state == state)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    if notice:
        query = query.where(OutboxMessage.notice == notice)
    with config_session(config) as session:
        rows = list(session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit)))
        backlog = outbox.backlog(session, session_now(session))
        if not rows:
            click.echo(t("outbox.cli.none"))
        for m in rows:
            click.echo(
                "\t".join(
                    [
                        str(m.id),
                        _state(m),
                        m.kind,
                        m.notice or "-",
                        outbox.mask_openid(m.openid),
                        _subject(m),
                        f"attempts={m.attempts}",
                        _when(m.created_at),
                        (m.reason and undelivered.reason_text(m)) or (m.last_error[:60] if m.last_error else ""),
                    ]
                )
            )
    click.echo(t("outbox.cli.summary", count=len(rows)))
    click.echo(
        f"pending={backlog.pending} due={backlog.due} oldest_due_seconds={backlog.oldest_due_seconds:.0f} "
        f"given_up_last_day={backlog.given_up_last_day} undelivered_open={backlog.undelivered_open}"
    )


@outbox_group.command("show")
@click.argument("message_id", callback=_message_id)
@click.pass_obj
def show_command(config: Config, message_id: int) -> None:
    """One push: its state, attempts, lease and WeChat's last answer."""
    with config_session(config) as session:
        m = session.get(OutboxMessage, message_id)
        if m is None:
            raise click.ClickException(t("outbox.cli.not_found", id=message_id))
        view = undelivered.describe(session, m)
        lines = {
            "id": str(m.id),
            "state": _state(m),
            "kind": m.kind,
            "notice": m.notice or "-",
            "to": f"{outbox.mask_openid(m.openid)} ({view.to})",
            "about": f"{_subject(m)} {view.about}",
            "dedupe_key": m.dedupe_key.replace(m.openid, outbox.mask_openid(m.openid)),
            "attempts": str(m.attempts),
            "created_at": _when(m.created_at),
            "next_attempt_at": _when(m.next_attempt_at),
            "claimed_until": f"{_when(m.claimed_until)} {m.claimed_by}".strip(),
            "sent_at": _when(m.sent_at),
            "last_code": "-" if m.last_code is None else str(m.last_code),
            "last_error": m.last_error or "-",
        }
        if m.state == OutboxState.GIVEN_UP.value:
            lines["given_up_at"] = _when(m.given_up_at)
            lines["reason"] = view.reason
            lines["resolved"] = view.resolved or "-"
    for key, value in lines.items():
        click.echo(f"{key}: {value}")


@outbox_group.command("retry")
@click.argument("message_id", callback=_message_id)
@click.option("--as", "actor", default="operator", show_default=True, help="Who retries it (for the audit log).")
@click.pass_obj
def retry_command(config: Config, message_id: int, actor: str) -> None:
    """Send a push again now: a given-up one (after the recipient followed again), or a pending one at once."""
    with config_session(config) as session:
        m = session.get(OutboxMessage, message_id)
        if m is None:
            raise click.ClickException(t("outbox.cli.not_found", id=message_id))
        try:
            if m.state == OutboxState.PENDING.value:
                m.next_attempt_at = session_now(session)
                record(session, f"cli:{actor}", "outbox.retried", "outbox_message", m.id, attempts=m.attempts)
            else:
                undelivered.retry(session, message_id, actor=f"cli:{actor}")
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
    click.echo(t("outbox.cli.retried", id=message_id))


COMMANDS: list[click.Command] = [outbox_group]
