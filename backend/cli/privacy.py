"""`dudao privacy …`: a person's data handed over or erased on request (个人信息保护法), the retention policy run now.

dudao privacy export --openid oAbc… [--phone 138…] FILE.zip
dudao privacy erase --openid oAbc… [--phone 138…] [--yes]
dudao privacy retention
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from backend.cli.sessions import config_session
from backend.config import Config
from backend.services import privacy
from messages import t

F = TypeVar("F", bound=Callable[..., Any])


def _person(openid: str | None, phone: str | None) -> privacy.Person:
    try:
        return privacy.person_from(openid or "", phone or "")
    except privacy.RequestRefused as refused:
        raise click.UsageError(t(f"privacy.office.bad_{refused.reason}")) from None


def _who_options(command: F) -> F:
    command = click.option("--phone", default=None, help="The phone number the person left on concerns.")(command)
    return click.option("--openid", default=None, help="The person's WeChat openid.")(command)


@click.group("privacy")
def privacy_group() -> None:
    """Personal information: export or erase one person's data; apply the retention periods now."""


@privacy_group.command("export")
@_who_options
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--actor", default="cli", help="Who hands the data over (for the audit log).")
@click.pass_obj
def export(config: Config, openid: str | None, phone: str | None, file: Path, actor: str) -> None:
    """Everything held about one person, as a zip (xlsx + photos) to hand over."""
    person = _person(openid, phone)
    with config_session(config) as session:
        done = privacy.export_person(session, config.media_dir, person, actor=f"office:{actor}")
    file.write_bytes(done.data)
    click.echo(t("privacy.cli.exported", concerns=done.concerns, photos=done.photos, path=file))


@privacy_group.command("erase")
@_who_options
@click.option("--actor", default="cli", help="Who erases (for the audit log).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def erase(config: Config, openid: str | None, phone: str | None, actor: str, yes: bool) -> None:
    """Remove one person's personal fields; their concerns stay without them. Safe to run twice."""
    person = _person(openid, phone)
    if not yes:
        click.confirm(t("privacy.office.erase.confirm"), abort=True)
    with config_session(config) as session:
        done = privacy.erase_person(session, config.media_dir, config.secret_key, person, actor=f"office:{actor}")
    identity = t("privacy.cli.identity") if done.identity else ""
    if done.kept_identity_role:
        identity = t("privacy.cli.kept_identity", role=t(f"privacy.role.{done.kept_identity_role}"))
    click.echo(
        t(
            "privacy.cli.erased",
            concerns=done.concerns,
            photos=done.photos,
            deliveries=done.deliveries,
            pushes=done.pushes,
            identity=identity,
        )
    )


@privacy_group.command("retention")
@click.pass_obj
def retention(config: Config) -> None:
    """Apply the retention periods now (the worker does it every hour)."""
    with config_session(config) as session:
        done = privacy.apply_retention(session, config.media_dir, config.secret_key)
    click.echo(t("privacy.cli.retention", **vars(done)))


COMMANDS = [privacy_group]
