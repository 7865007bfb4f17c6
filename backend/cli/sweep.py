"""`dudao sweep`: one deadline sweep now, or as of a given time (for operators and tests)."""

from __future__ import annotations

import json
from datetime import datetime

import click

from backend.app import build_runtime
from backend.config import Config
from backend.domain.calendar import SHANGHAI
from backend.jobs.sweep import run_sweep
from messages import t


@click.command()
@click.option(
    "--now",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"]),
    default=None,
    help="Sweep as of this Beijing time (e.g. '2026-11-23 09:00'); default: now.",
)
@click.pass_obj
def sweep(config: Config, as_of: datetime | None) -> None:
    """Run one deadline sweep: reminders, overdue items, escalations."""
    runtime = build_runtime(config)
    runtime.db.upgrade()
    now = as_of.replace(tzinfo=SHANGHAI) if as_of else None
    results = run_sweep(runtime, now)
    if results is None:
        raise click.ClickException(t("sweep.cli.locked"))
    click.echo(t("sweep.cli.done", results=json.dumps(results, ensure_ascii=False)))


COMMANDS = [sweep]
