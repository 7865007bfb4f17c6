"""`dudao boards …`: the public boards (责任督学公示牌), ready to print."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import click

from backend.app import build_runtime
from backend.config import Config
from backend.notify import NotifyError
from backend.services.boards import NoSuchSchool, NoSuchZone, board_specs, select_schools
from messages import t
from qr_boards.batch import render_pngs, write_pdf, write_pngs
from qr_boards.fonts import FontNotFound, find_fonts
from qr_boards.spec import PageSize


@click.group()
def boards() -> None:
    """The public boards posted at each school gate (责任督学公示牌)."""


@boards.command()
@click.option("--school", "school_code", metavar="CODE", help="One school, by its code.")
@click.option("--zone", "zone_name", metavar="NAME", help="Every school of one responsibility zone.")
@click.option("--all", "every_school", is_flag=True, help="Every school and kindergarten of the county.")
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder to write to."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["png", "pdf"]),
    default="png",
    show_default=True,
    help="png: one image per school; pdf: one file, a page per school.",
)
@click.option("--size", type=click.Choice(["a4", "a3"]), default="a4", show_default=True, help="Paper size (300 dpi).")
@click.option("--workers", type=click.IntRange(1), default=None, help="Processes to render with [default: all cores].")
@click.pass_obj
def render(
    config: Config,
    school_code: str | None,
    zone_name: str | None,
    every_school: bool,
    out_dir: Path,
    fmt: str,
    size: str,
    workers: int | None,
) -> None:
    """Render the boards of one school, one zone or the whole county, at print quality."""
    if sum((school_code is not None, zone_name is not None, every_school)) != 1:
        raise click.UsageError(t("cli.boards.pick_one"))
    try:
        fonts = find_fonts()
    except FontNotFound as exc:
        raise click.ClickException(t("cli.boards.no_font")) from exc
    runtime = build_runtime(config)
    try:
        # the runtime's WeChat client when an official account is configured: the boards carry its QR codes
        qr_maker = runtime.notifier if config.wechat_appid else None
        with runtime.db.session() as session:
            try:
                schools = select_schools(session, school_code=school_code, zone_name=zone_name)
            except NoSuchSchool as exc:
                raise click.ClickException(t("cli.boards.no_school", code=exc.args[0])) from exc
            except NoSuchZone as exc:
                raise click.ClickException(t("cli.boards.no_zone", name=exc.args[0])) from exc
            try:
                selected = board_specs(session, config, schools, qr_maker)
            except NotifyError as exc:
                raise click.ClickException(t("cli.boards.no_wechat_client", error=exc)) from exc
    finally:
        runtime.close()
    if selected.without_inspector:
        names = "、".join(f"{u.name}（{u.code}）" for u in selected.without_inspector)
        click.echo(t("cli.boards.no_inspector", count=len(selected.without_inspector), schools=names), err=True)
    specs = selected.specs
    if not specs:
        raise click.ClickException(t("cli.boards.none_selected"))

    page = PageSize.named(size)
    started = time.perf_counter()
    click.echo(t("cli.boards.rendering", count=len(specs), size=page.name, format=fmt.upper()), err=True)
    rendered = render_pngs(specs, page, fonts, workers=workers)
    done: Iterator[object]
    if fmt == "pdf":
        target = out_dir / _pdf_name(school_code, zone_name, page)
        done = write_pdf(rendered, target, page, title=t("board.title"))
    else:
        target = out_dir
        done = write_pngs(rendered, out_dir)
    with click.progressbar(length=len(specs), file=sys.stderr) as bar:
        for _ in done:
            bar.update(1)
    click.echo(t("cli.boards.done", count=len(specs), seconds=time.perf_counter() - started, path=target))


def _pdf_name(school_code: str | None, zone_name: str | None, page: PageSize) -> str:
    scope = f"school-{school_code}" if school_code else f"zone-{zone_name}" if zone_name else "all"
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in scope)
    return f"boards-{safe}-{page.name.lower()}.pdf"


COMMANDS = [boards]
