"""`dudao import …`: a county's schools, inspectors and assignments from .xlsx or .csv, and the templates."""

from __future__ import annotations

from pathlib import Path

import click

from backend.config import Config
from backend.services.importing import TEMPLATE_FORMATS, ImportKind, guide, import_file, template_bytes
from backend.store.db import Database
from messages import t

HELP = {
    ImportKind.SCHOOLS: (
        "Import schools and other supervised units (学校代码, 学校名称, 学段, 办学性质, …).\n\n"
        "Units are matched by 学校代码. A zone (督学责任区) the county does not have yet is refused unless "
        "--new-zones is given. 主管单位 names a unit (its code or official name) imported before or in the file: "
        "督办通知, 约谈 and 通报 are copied to its contacts."
    ),
    ImportKind.INSPECTORS: (
        "Import responsible inspectors (督学编号, 姓名, 手机号, 专兼职, …).\n\n"
        "Inspectors are matched by 督学编号. Photos (照片) are looked for next to FILE and copied to the media folder."
    ),
    ImportKind.TRAINING: (
        "Import inspectors' training records (督学编号, 培训名称, 学时, 培训日期): one row per course.\n\n"
        "Rows are matched by inspector, course and date; the dashboard's 40-hour check sums the last twelve months."
    ),
    ImportKind.ASSIGNMENTS: (
        "Import which inspector is responsible for which school (督学编号, 学校代码, 起始日期).\n\n"
        "A school whose inspector changes keeps its history: the current assignment ends on the new 起始日期."
    ),
}
ALL_OR_NOTHING = (
    "\n\nFILE is .xlsx or .csv (UTF-8 or GB18030). Every row is checked first: if any row has a problem, "
    "every problem is listed with its row and column and nothing is written (exit code 1). "
    "Importing the same file again changes nothing."
)


@click.group("import")
def import_group() -> None:
    """Import a county's master data from .xlsx or .csv files, and write empty templates."""


def _import_command(kind: ImportKind) -> click.Command:
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.pass_obj
    def command(config: Config, file: Path, new_zones: bool = False) -> None:
        database = Database.for_config(config)
        try:
            database.upgrade()
            with database.sessions() as session:
                report = import_file(session, kind, file, media_dir=config.media_dir, actor="cli", new_zones=new_zones)
        finally:
            database.dispose()
        if not report.ok:
            for line in report.summary():
                click.echo(line, err=True)
            raise SystemExit(1)
        for line in report.summary():
            click.echo(line)

    if kind is ImportKind.SCHOOLS:
        command = click.option(
            "--new-zones", is_flag=True, help="Create the zones (督学责任区) of the file that do not exist yet."
        )(command)
    return import_group.command(name=kind.value, help=HELP[kind] + ALL_OR_NOTHING)(command)


for _kind in ImportKind:
    _import_command(_kind)


@import_group.command()
@click.argument("kind", type=click.Choice([k.value for k in ImportKind]))
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write it (default: <KIND>-template.<format> in the current folder).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(TEMPLATE_FORMATS),
    help="xlsx (with a second sheet 说明 explaining each column) or csv (headers and the example row). "
    "Default: from --out, else xlsx.",
)
def template(kind: str, out: Path | None, fmt: str | None) -> None:
    """Write an import file for KIND (schools, inspectors, assignments, training) with its headers and an example row.

    The example row is skipped while it is left as it is: importing the untouched template imports nothing and is
    not an error.
    """
    what = ImportKind(kind)
    if fmt is None:
        suffix = out.suffix.lower().lstrip(".") if out else ""
        fmt = suffix if suffix in TEMPLATE_FORMATS else "xlsx"
    out = out or Path(f"{what.value}-template.{fmt}")
    out.write_bytes(template_bytes(what, fmt))
    click.echo(t("import.template.written", kind=what.label, path=out))
    if fmt == "csv":
        click.echo(t("import.template.csv_guide"))
        for column, rule in guide(what):
            click.echo(f"  {column.header}: {rule}")


COMMANDS: list[click.Command] = [import_group]
