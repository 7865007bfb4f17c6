"""`dudao user …`: accounts of the office web (office admins and zone leaders)."""

from __future__ import annotations

import click

from backend.config import Config
from backend.services import office_users
from backend.services.office_users import OfficeRole, UserError
from backend.store.db import Database
from messages import t


def _password(given: str | None) -> str:
    if given:
        return given
    return str(click.prompt(t("cli.user.password_prompt"), hide_input=True, confirmation_prompt=True))


def _run(config: Config, action: str, **kwargs: object) -> object:
    database = Database.for_config(config)
    try:
        with database.sessions() as session:
            return getattr(office_users, action)(session, **kwargs)
    except UserError as exc:
        raise click.ClickException(t(exc.key, **exc.fields)) from None
    finally:
        database.dispose()


@click.group("user")
def user() -> None:
    """Accounts of the office web (/office): create, list, disable, enable, reset a password."""


@user.command()
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice([r.value for r in OfficeRole]),
    required=True,
    help="office: everything in the authority; zone_leader: one zone (give --zone).",
)
@click.option("--zone", "zone_name", help="The zone (督学责任区) of a zone leader, by its name.")
@click.option("--name", "display_name", default="", help="The person's name as the pages show it.")
@click.option(
    "--password",
    envvar="DUDAO_NEW_PASSWORD",
    help="The first password (at least 10 characters, three of capitals, small letters, digits and symbols, not"
    " the username); asked for when not given (or set DUDAO_NEW_PASSWORD). The person changes it at first sign-in.",
)
@click.pass_obj
def create(
    config: Config, username: str, role: str, zone_name: str | None, display_name: str, password: str | None
) -> None:
    """Create the account USERNAME."""
    _run(
        config,
        "create_user",
        username=username,
        password=_password(password),
        role=OfficeRole(role),
        zone_name=zone_name,
        display_name=display_name,
        must_change_password=True,  # whoever typed it is not the person: they choose their own at first sign-in
    )
    click.echo(t("cli.user.created", username=username, role=t(f"office.role.{role}")))


@user.command("list")
@click.pass_obj
def list_(config: Config) -> None:
    """List the accounts with their role, zone and state."""
    database = Database.for_config(config)
    try:
        with database.sessions() as session:
            rows = [(u, office_users.scope_of(session, u).zone_name) for u in office_users.list_users(session)]
    finally:
        database.dispose()
    if not rows:
        click.echo(t("cli.user.none"))
    for account, zone in rows:
        state = t("office.user.state.active" if account.active else "office.user.state.disabled")
        click.echo(
            t("cli.user.row", username=account.username, role=t(f"office.role.{account.role}"), zone=zone or "-")
            + f"\t{state}"
        )


@user.command()
@click.argument("username")
@click.pass_obj
def disable(config: Config, username: str) -> None:
    """Disable USERNAME: they can no longer sign in, and their open sessions end."""
    changed = _run(config, "set_active", username=username, active=False)
    click.echo(t("cli.user.disabled" if changed else "cli.user.unchanged", username=username))


@user.command()
@click.argument("username")
@click.pass_obj
def enable(config: Config, username: str) -> None:
    """Enable USERNAME again."""
    changed = _run(config, "set_active", username=username, active=True)
    click.echo(t("cli.user.enabled" if changed else "cli.user.unchanged", username=username))


@user.command("reset-password")
@click.argument("username")
@click.option("--password", envvar="DUDAO_NEW_PASSWORD", help="The new password; asked for when not given.")
@click.pass_obj
def reset_password(config: Config, username: str, password: str | None) -> None:
    """Give USERNAME a new password (their open sessions end; they choose their own at the next sign-in)."""
    _run(config, "reset_password", username=username, password=_password(password), must_change_password=True)
    click.echo(t("cli.user.password_reset", username=username))


COMMANDS = [user]
