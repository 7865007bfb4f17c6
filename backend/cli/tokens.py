"""`dudao api-token …`: bearer tokens for the JSON API."""

from __future__ import annotations

from datetime import datetime

import click

from backend.config import Config
from backend.domain.calendar import local_now
from backend.services import tokens
from backend.store.db import Database
from messages import t


def _when(moment: datetime | None) -> str:
    return t("cli.token.never_used") if moment is None else local_now(moment).strftime("%Y-%m-%d %H:%M")


@click.group("api-token")
def api_token() -> None:
    """Tokens for the JSON API (/api/v1): create, list, revoke."""


@api_token.command()
@click.argument("name")
@click.pass_obj
def create(config: Config, name: str) -> None:
    """Create the token NAME and print it once; only its hash is kept."""
    database = Database.for_config(config)
    try:
        with database.sessions() as session:
            token = tokens.create_token(session, name)
    except tokens.TokenNameTaken:
        raise click.ClickException(t("cli.token.exists", name=name)) from None
    finally:
        database.dispose()
    click.echo(t("cli.token.created", name=name, token=token))


@api_token.command("list")
@click.pass_obj
def list_(config: Config) -> None:
    """List the tokens, with when each was last used (never the tokens themselves)."""
    database = Database.for_config(config)
    try:
        with database.sessions() as session:
            found = tokens.list_tokens(session)
    finally:
        database.dispose()
    if not found:
        click.echo(t("cli.token.none"))
    for info in found:
        state = t("cli.token.state.active" if info.active else "cli.token.state.revoked")
        click.echo(
            t(
                "cli.token.row",
                name=info.name,
                state=state,
                created=_when(info.created_at),
                last_used=_when(info.last_used_at),
            )
        )


@api_token.command()
@click.argument("name")
@click.pass_obj
def revoke(config: Config, name: str) -> None:
    """Revoke the token NAME: requests carrying it are refused from now on."""
    database = Database.for_config(config)
    try:
        with database.sessions() as session:
            revoked = tokens.revoke_token(session, name)
    except tokens.TokenNotFound:
        raise click.ClickException(t("cli.token.not_found", name=name)) from None
    finally:
        database.dispose()
    click.echo(t("cli.token.revoked" if revoked else "cli.token.already_revoked", name=name))


COMMANDS: list[click.Command] = [api_token]
