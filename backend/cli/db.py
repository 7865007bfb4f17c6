"""`dudao db …`: the database schema."""

from __future__ import annotations

import click

from backend.config import Config
from backend.store.db import Database
from messages import t


@click.group()
def db() -> None:
    """The database: create it or bring it to the latest schema."""


@db.command()
@click.pass_obj
def upgrade(config: Config) -> None:
    """Create the tables or migrate them to the latest version (safe to run again)."""
    database = Database.for_config(config)
    database.upgrade()
    click.echo(t("cli.db.upgraded", url=database.engine.url.render_as_string(hide_password=True)))


COMMANDS = [db]
