"""`dudao` commands (filled in by the issue that builds them)."""

import click

COMMANDS: list[click.Command] = []
