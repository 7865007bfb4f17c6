"""`dudao report monthly`: the office's xlsx of every inspector's 月报, and the start-of-month push by hand."""

from __future__ import annotations

from pathlib import Path

import click

from backend.clock import local_today
from backend.config import Config
from backend.domain.visit_targets import parse_month
from backend.services import monthly_report
from backend.store.db import Database
from messages import t


@click.group("report")
def report() -> None:
    """Reports for the office (月报)."""


@report.command("monthly")
@click.option("--month", "month_text", default=None, help="The month, YYYY-MM (default: last month).")
@click.option(
    "--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The .xlsx to write."
)
@click.pass_obj
def monthly(config: Config, month_text: str | None, out: Path) -> None:
    """Every inspector's monthly report (visits per school, items, problems, open rectifications) as xlsx."""
    try:
        month = parse_month(month_text) if month_text else None
    except ValueError:
        raise click.UsageError(t("visits.cli.bad_month")) from None
    db = Database.for_config(config)
    month = month or monthly_report.default_month(local_today(db.clock))
    try:
        with db.session() as session:
            inspectors, visits = monthly_report.export_xlsx(session, month, out)
    finally:
        db.dispose()
    click.echo(
        t(
            "visits.cli.exported",
            month=month_text or f"{month.start:%Y-%m}",
            inspectors=inspectors,
            visits=visits,
            path=out,
        )
    )


@report.command("push-monthly")
@click.pass_obj
def push_monthly(config: Config) -> None:
    """Queue last month's report for every bound inspector now (once per inspector and month)."""
    db = Database.for_config(config)
    try:
        with db.session() as session:
            count = monthly_report.push_monthly_reports(session, any_day=True)
    finally:
        db.dispose()
    click.echo(t("visits.cli.pushed", count=count))


COMMANDS = [report]
