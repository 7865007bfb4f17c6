"""`dudao checklist …`: the office's checklists (督导评估表) imported from and exported to xlsx/csv, and listed."""

from __future__ import annotations

from pathlib import Path

import click

from backend.config import Config
from backend.domain.calendar import local_now
from backend.domain.errors import DomainError
from backend.services import checklists
from backend.services.authority import current_authority
from backend.store.db import Database
from messages import t

ACTOR = "office:cli"


def _database(config: Config) -> Database:
    database = Database.for_config(config)
    database.upgrade()
    return database


@click.group("checklist")
def checklist_group() -> None:
    """Checklists (督导评估表) for supervision tasks: import, export, list."""


@checklist_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", required=True, help="The checklist's name; an existing name gets a new version.")
@click.pass_obj
def import_(config: Config, file: Path, name: str) -> None:
    """Import FILE (.xlsx or .csv; headers 序号, 检查内容, 类型, 分值, 不合格须整改, 需拍照, optionally 分类, 选项)."""
    if file.stat().st_size > checklists.MAX_FILE_BYTES:
        raise click.ClickException(t("checklist.error.file", reason=t("import.error.too_big")))
    database = _database(config)
    try:
        with database.session() as session:
            authority_id = current_authority(session).id
            try:
                made = checklists.import_checklist(
                    session, authority_id, file.read_bytes(), file.name, name=name, actor=ACTOR
                )
            except DomainError as refused:
                raise click.ClickException(refused.message) from None
            total = sum(i.score for i in made.items)
            sections = len({i.section for i in made.items if i.section})
            line = t(
                "checklist.imported",
                name=made.name,
                version=made.version,
                items=len(made.items),
                sections=sections,
                total=f"{total:g}",
            )
    finally:
        database.dispose()
    click.echo(line)


@checklist_group.command("export")
@click.argument("name")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--version", "version", type=click.IntRange(1, 100_000), default=None, help="Default: the latest.")
@click.pass_obj
def export(config: Config, name: str, file: Path, version: int | None) -> None:
    """Write the checklist NAME to FILE (.xlsx, or .csv), in the form the import reads back."""
    database = _database(config)
    try:
        with database.session() as session:
            try:
                found = checklists.find(session, current_authority(session).id, name, version)
            except DomainError as refused:
                raise click.ClickException(refused.message) from None
            items = checklists.export_file(session, found, file)
            line = t("checklist.exported", name=found.name, version=found.version, items=items, path=file)
    finally:
        database.dispose()
    click.echo(line)


@checklist_group.command("list")
@click.pass_obj
def list_(config: Config) -> None:
    """Every checklist and its versions, newest first."""
    database = _database(config)
    try:
        with database.session() as session:
            rows = checklists.list_checklists(session, current_authority(session).id)
    finally:
        database.dispose()
    if not rows:
        click.echo(t("checklist.none"))
    for row in rows:
        at = f"{local_now(row.created_at):%Y-%m-%d %H:%M}"
        click.echo(
            t("checklist.row", name=row.name, version=row.version, items=row.items, total=f"{row.total:g}", at=at)
        )


COMMANDS = [checklist_group]
