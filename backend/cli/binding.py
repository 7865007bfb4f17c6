"""`dudao bind-code …` and `dudao bindings …`: one-time codes that bind WeChat users, and the bindings made."""

from __future__ import annotations

from datetime import datetime

import click

from backend.config import Config
from backend.domain.calendar import local_now
from backend.domain.kinds import Role
from backend.services import binding
from backend.store.db import Database
from messages import t


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else local_now(moment).strftime("%Y-%m-%d %H:%M")


def _issue(config: Config, role: Role, key: str) -> None:
    database = Database.for_config(config)
    try:
        with database.session() as session:
            issued = binding.issue_code(session, role=role, key=key, pepper=config.secret_key, actor="office:cli")
    except binding.UnknownPerson as missing:
        raise click.ClickException(missing.message) from None
    finally:
        database.dispose()
    who = f"{t('bot.role.' + role.value)} {issued.name}"
    click.echo(t("cli.bind_code.issued", who=who, code=issued.grouped, expires=_when(issued.expires_at)))


@click.group("bind-code")
def bind_code() -> None:
    """Print a one-time six-digit code (valid 24 hours) that binds a WeChat user to a person."""


@bind_code.command()
@click.argument("number")
@click.pass_obj
def inspector(config: Config, number: str) -> None:
    """A code for the inspector with 督学编号 NUMBER."""
    _issue(config, Role.INSPECTOR, number)


@bind_code.command()
@click.argument("code")
@click.pass_obj
def unit(config: Config, code: str) -> None:
    """A code for the contact of the school or unit with 学校代码 CODE."""
    _issue(config, Role.UNIT, code)


@bind_code.command()
@click.argument("username")
@click.pass_obj
def office(config: Config, username: str) -> None:
    """A code for the office user USERNAME (made with `dudao user create`): their WeChat gets office alerts."""
    _issue(config, Role.OFFICE, username)


@click.group()
def bindings() -> None:
    """The WeChat users bound to inspectors, units or the office: list them, revoke one."""


@bindings.command("list")
@click.pass_obj
def list_(config: Config) -> None:
    """List every bound WeChat user with the person or unit behind it."""
    database = Database.for_config(config)
    try:
        with database.session() as session:
            found = binding.list_bindings(session)
    finally:
        database.dispose()
    if not found:
        click.echo(t("cli.bindings.none"))
    for row in found:
        role = t(f"bot.role.{row.role}")
        click.echo(t("cli.bindings.row", openid=row.openid, role=role, name=row.name, bound_at=_when(row.bound_at)))


@bindings.command()
@click.argument("openid")
@click.pass_obj
def revoke(config: Config, openid: str) -> None:
    """Drop the binding of OPENID: the user is public again."""
    database = Database.for_config(config)
    try:
        with database.session() as session:
            done = binding.revoke(session, openid=openid, actor="office:cli")
    finally:
        database.dispose()
    if not done:
        raise click.ClickException(t("cli.bindings.not_bound", openid=openid))
    click.echo(t("cli.bindings.revoked", openid=openid))


COMMANDS = [bind_code, bindings]
