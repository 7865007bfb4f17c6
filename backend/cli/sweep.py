"""`dudao sweep`: one deadline sweep now, or as of a given time (for operators and tests)."""

from __future__ import annotations

import json
from datetime import datetime

import click

from backend.app import build_runtime
from backend.clock import SettableClock
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
    # as of another moment: the whole runtime reads a clock set to it (audit events and pushes are dated by it too)
    clock = SettableClock(as_of.replace(tzinfo=SHANGHAI), ticking=True) if as_of else None
    runtime = build_runtime(config, clock)
    runtime.db.upgrade()
    results = run_sweep(runtime)
    if results is None:
        raise click.ClickException(t("sweep.cli.locked"))
    click.echo(t("sweep.cli.done", results=json.dumps(results, ensure_ascii=False)))


COMMANDS = [sweep]
