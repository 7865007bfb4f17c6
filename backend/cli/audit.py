"""`dudao audit export`: the audit log (all of it, or by date, actor and action) as xlsx or csv."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from backend.cli.sessions import config_session
from backend.config import Config
from backend.services import audit_log
from backend.services.audit import record
from backend.services.audit_log import AuditFilter
from messages import t


def _day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(t("visits.api.reason.date")) from None


@click.group("audit")
def audit() -> None:
    """The audit log (append-only): export it for a review."""


@audit.command("export")
@click.option("--since", callback=_day, help="First local day (YYYY-MM-DD), included.")
@click.option("--until", callback=_day, help="Last local day (YYYY-MM-DD), included.")
@click.option("--actor", default="", help="Only events whose actor contains this (e.g. office:admin).")
@click.option("--action", default="", help="Only events whose action contains this (e.g. login).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True, help="x.xlsx or x.csv")
@click.pass_obj
def export(config: Config, since: date | None, until: date | None, actor: str, action: str, output: Path) -> None:
    """Write the chosen events, oldest first, to OUTPUT (text cells stay text)."""
    suffix = output.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise click.ClickException(t("cli.audit.bad_format"))
    if since and until and since > until:
        raise click.ClickException(t("cli.audit.bad_range"))
    chosen = AuditFilter(
        since=since, until=until, actor=actor[: audit_log.MAX_TEXT], action=action[: audit_log.MAX_TEXT]
    )
    with config_session(config) as session:
        content, count = (audit_log.to_xlsx if suffix == ".xlsx" else audit_log.to_csv)(session, chosen)
        output.write_bytes(content)
        record(
            session, "cli", "audit.exported", "audit_event", None,
            since=str(since or ""), until=str(until or ""), actor=chosen.actor, action=chosen.action, count=count,
        )  # fmt: skip
    click.echo(t("cli.audit.exported", count=count, path=output))


COMMANDS = [audit]
