"""`dudao indicators …` and `dudao evaluations …`: the 督政 indicator systems and the yearly evaluation (issue 15)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from backend.config import Config
from backend.domain.errors import DomainError
from backend.domain.kinds import EvaluationTarget
from backend.services import evaluations, indicators
from backend.services.authority import current_authority
from backend.store.db import Database
from messages import t

ACTOR = "cli"
TARGET = click.option(
    "--for",
    "target",
    required=True,
    type=click.Choice([target.value for target in EvaluationTarget]),
    help="township (乡镇) or department (县级部门).",
)
YEAR = click.option("--year", required=True, type=click.IntRange(2000, 2099), help="The evaluation year.")


def _target_label(target: EvaluationTarget) -> str:
    return t(f"eval.target.{target.value}")


@click.group("indicators")
def indicators_group() -> None:
    """督政 indicator systems per year: import, export, copy into the next year."""


@indicators_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@YEAR
@TARGET
@click.option("--reason", default="", help="Why the system changes (kept in its change log).")
@click.pass_obj
def import_command(config: Config, file: Path, year: int, target: str, reason: str) -> None:
    """Import FILE (.xlsx or .csv: 一级指标, 二级指标, 三级指标, 分值, 评分标准, 佐证材料) as the year's system.

    All or nothing: a row with a problem is named and nothing is written (exit code 1). Importing over an existing
    year logs each indicator added, changed or removed."""
    kind = EvaluationTarget(target)
    database = Database.for_config(config)
    try:
        database.upgrade()
        with database.session() as session:
            authority = current_authority(session)
            report = indicators.import_bytes(
                session, authority.id, file.read_bytes(), file.name, year=year, target=kind, actor=ACTOR, reason=reason
            )
            full = indicators.full_score(session, report.system_id) if report.system_id else 0
    finally:
        database.dispose()
    if not report.ok:
        click.echo(t("eval.import.failed", n=len(report.problems)), err=True)
        for line in report.problems:
            click.echo(line, err=True)
        raise SystemExit(1)
    click.echo(t("eval.import.done", year=year, target=_target_label(kind), rows=report.rows, full=full))


@indicators_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@YEAR
@TARGET
@click.pass_obj
def export_command(config: Config, file: Path, year: int, target: str) -> None:
    """Write the year's system to FILE (.xlsx), with its change log on a second sheet."""
    kind = EvaluationTarget(target)
    database = Database.for_config(config)
    try:
        with database.session() as session:
            system = indicators.find_system(session, current_authority(session).id, year, kind)
            if system is None:
                raise click.ClickException(t("eval.cli.no_system", year=year, target=_target_label(kind)))
            file.write_bytes(indicators.export_xlsx(session, system.id))
    finally:
        database.dispose()
    click.echo(t("eval.cli.exported", path=file))


@indicators_group.command("copy-year")
@YEAR
@TARGET
@click.option("--reason", default="", help="Kept in the new system's change log.")
@click.pass_obj
def copy_command(config: Config, year: int, target: str, reason: str) -> None:
    """Start YEAR's system as a copy of the latest earlier one (rows and grade thresholds)."""
    kind = EvaluationTarget(target)
    database = Database.for_config(config)
    try:
        with database.session() as session:
            try:
                system = indicators.copy_year(
                    session, current_authority(session).id, year=year, target=kind, actor=ACTOR, reason=reason
                )
            except DomainError as refused:
                raise click.ClickException(refused.message) from refused
            rows = len(indicators.indicators_of(session, system.id))
            source = session.get(type(system), system.copied_from_id)
            source_year = source.year if source else ""
    finally:
        database.dispose()
    click.echo(t("eval.cli.copied", year=year, target=_target_label(kind), rows=rows, source=source_year))


@click.group("evaluations")
def evaluations_group() -> None:
    """The yearly 督政 evaluation of townships and departments."""


@evaluations_group.command("open")
@YEAR
@TARGET
@click.option("--deadline", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="The 自评 deadline.")
@click.pass_obj
def open_command(config: Config, year: int, target: str, deadline: object) -> None:
    """Open the year's evaluation for every active unit of the kind; their bound contacts are told in WeChat."""
    kind = EvaluationTarget(target)
    due: date = deadline.date()  # type: ignore[attr-defined]
    database = Database.for_config(config)
    links = evaluations.Links(secret=config.secret_key, public_url=config.public_url)
    try:
        with database.session() as session:
            system = indicators.find_system(session, current_authority(session).id, year, kind)
            if system is None:
                raise click.ClickException(t("eval.cli.no_system", year=year, target=_target_label(kind)))
            try:
                opened = evaluations.open_for_units(session, system.id, deadline=due, actor=ACTOR, links=links)
            except DomainError as refused:
                raise click.ClickException(refused.message) from refused
    finally:
        database.dispose()
    click.echo(t("eval.cli.opened", n=len(opened), year=year, deadline=due.isoformat()))


COMMANDS = [indicators_group, evaluations_group]
