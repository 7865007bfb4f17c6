"""`dudao concerns …`: the office's handling of public concerns until the office web exists (it will reuse
`backend.services.concerns`): list, answer, close, mark a duplicate, and the block list."""

from __future__ import annotations

from collections.abc import Callable

import click
from sqlalchemy.orm import Session

from backend.config import Config
from backend.domain.calendar import local_now
from backend.domain.errors import TransitionRefused
from backend.domain.kinds import ConcernState
from backend.services import concerns
from backend.services.concerns import ConcernView
from backend.store.db import Database
from messages import t

ACTOR = "office:cli"


def _with_session(config: Config, work: Callable[[Session], object]) -> object:
    database = Database.for_config(config)
    try:
        with database.session() as session:
            return work(session)
    finally:
        database.dispose()


@click.group("concerns")
def concerns_group() -> None:
    """Public concerns (家长留言): list, answer, close, duplicates, the block list."""


@concerns_group.command("list")
@click.option("--state", type=click.Choice([s.value for s in ConcernState]), default=None, help="Only this state.")
@click.option("--limit", type=int, default=100, show_default=True, help="At most this many, newest first.")
@click.pass_obj
def list_(config: Config, state: str | None, limit: int) -> None:
    """List concerns, newest first (with the reporter's phone if given; never their WeChat id)."""
    found = _with_session(config, lambda s: concerns.list_concerns(s, state=state, limit=limit))
    assert isinstance(found, list)
    if not found:
        click.echo(t("concern.cli.none"))
    for c in found:
        click.echo(
            t(
                "concern.cli.row",
                ticket=c.ticket_no,
                state=t(f"concern.state.{c.state}"),
                school=c.school,
                category=c.category_name,
                received=local_now(c.received_at).strftime("%Y-%m-%d %H:%M"),
                answer_due=c.answer_due_on.isoformat() if c.answer_due_on else "",
                inspector=c.inspector or t("concern.no_inspector"),
                content=" ".join(c.content.split())[:60],
            )
        )


def _handle(config: Config, ticket: str, work: Callable[[Session], ConcernView]) -> None:
    try:
        done = _with_session(config, work)
    except concerns.NotFound:
        raise click.ClickException(t("concern.cli.not_found", ticket=ticket)) from None
    except TransitionRefused as exc:
        state = t(f"concern.state.{exc.state}")
        raise click.ClickException(t("concern.cli.illegal", ticket=ticket, state=state)) from None
    assert isinstance(done, ConcernView)
    click.echo(t("concern.cli.done", ticket=done.ticket_no, state=t(f"concern.state.{done.state}")))


@concerns_group.command()
@click.argument("ticket")
@click.argument("text")
@click.pass_obj
def answer(config: Config, ticket: str, text: str) -> None:
    """Answer TICKET with TEXT on the office's behalf; the reporter is told."""
    _handle(config, ticket, lambda s: concerns.answer(s, ticket, text, actor=ACTOR))


@concerns_group.command()
@click.argument("ticket")
@click.pass_obj
def close(config: Config, ticket: str) -> None:
    """Close TICKET (办结)."""
    _handle(config, ticket, lambda s: concerns.close(s, ticket, actor=ACTOR))


@concerns_group.command()
@click.argument("ticket")
@click.argument("original")
@click.pass_obj
def duplicate(config: Config, ticket: str, original: str) -> None:
    """Link TICKET to the earlier ORIGINAL about the same matter."""
    _handle(config, ticket, lambda s: concerns.mark_duplicate(s, ticket, original, actor=ACTOR))


def _set_blocked(config: Config, openid: str, blocked: bool) -> None:
    changed = _with_session(config, lambda s: concerns.set_blocked(s, openid, blocked, actor=ACTOR))
    if not changed:
        click.echo(t("concern.cli.unchanged", openid=openid))
    else:
        click.echo(t("concern.cli.blocked" if blocked else "concern.cli.unblocked", openid=openid))


@concerns_group.command()
@click.argument("openid")
@click.pass_obj
def block(config: Config, openid: str) -> None:
    """Put OPENID on the block list: its messages are answered politely, not recorded, not routed."""
    _set_blocked(config, openid, True)


@concerns_group.command()
@click.argument("openid")
@click.pass_obj
def unblock(config: Config, openid: str) -> None:
    """Take OPENID off the block list."""
    _set_blocked(config, openid, False)


@concerns_group.command()
@click.pass_obj
def blocked(config: Config) -> None:
    """List the blocked openids."""
    found = _with_session(config, concerns.blocked_openids)
    assert isinstance(found, list)
    click.echo("\n".join(found) if found else t("concern.cli.blocked_none"))


COMMANDS = [concerns_group]
