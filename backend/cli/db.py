"""`dudao db …`: the database schema."""

from __future__ import annotations

import click

from backend.config import Config
from backend.store.db import Database, current_revision, head_revisions, known_revisions
from messages import t


@click.group()
def db() -> None:
    """The database: create it or bring it to the latest schema."""


@db.command()
@click.pass_obj
def upgrade(config: Config) -> None:
    """Create the tables or migrate them to the latest version (safe to run again)."""
    database = Database.for_config(config)
    try:
        database.upgrade()
    finally:
        database.dispose()
    click.echo(t("cli.db.upgraded", url=database.engine.url.render_as_string(hide_password=True)))


@db.command()
@click.pass_obj
def current(config: Config) -> None:
    """Show the database's migration revision and whether it is the latest (exit 1 if it is not)."""
    database = Database.for_config(config)
    try:
        revision = current_revision(database.engine)
    finally:
        database.dispose()
    heads = head_revisions()
    url = database.engine.url.render_as_string(hide_password=True)
    click.echo(t("cli.db.current", url=url, revision=revision or t("cli.db.current_empty")))
    if revision in heads:
        click.echo(t("cli.db.current_head", head=revision))
        return
    if revision is not None and revision not in known_revisions():
        click.echo(t("cli.db.current_unknown", revision=revision), err=True)
    else:
        click.echo(t("cli.db.current_behind", head=", ".join(heads)), err=True)
    raise SystemExit(1)


COMMANDS = [db]
