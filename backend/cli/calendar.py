"""`dudao calendar …`: the working-day calendar (holidays and 调休) that deadlines count in."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from sqlalchemy import extract, select

from backend.clock import local_today
from backend.config import Config
from backend.domain.calendar import parse_schedule
from backend.domain.kinds import CalendarDayKind
from backend.services import calendar as calendar_service
from backend.store.db import Database
from backend.store.models import CalendarDay
from messages import t


@click.group()
def calendar() -> None:
    """The working-day calendar: official holidays and make-up working days (调休)."""


@calendar.command("show")
@click.argument("year", type=int, required=False)
@click.pass_obj
def show(config: Config, year: int | None) -> None:
    """List the holidays and make-up working days of YEAR (default: this year)."""
    db = Database.for_config(config)
    db.upgrade()
    year = year or local_today(db.clock).year
    with db.session() as s:
        rows = s.scalars(
            select(CalendarDay).where(extract("year", CalendarDay.day) == year).order_by(CalendarDay.day)
        ).all()
        if not rows:
            click.echo(t("calendar.cli.none", year=year))
        weekdays = t("calendar.weekdays")
        for row in rows:
            kind = t(f"calendar.kind.{row.kind}")
            click.echo(
                t("calendar.cli.row", day=row.day, weekday=weekdays[row.day.weekday()], kind=kind, name=row.name)
            )


@calendar.command("set")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.argument("kind", type=click.Choice([k.value for k in CalendarDayKind]))
@click.option("--name", default="", help="The holiday's name, e.g. 国庆节.")
@click.pass_obj
def set_(config: Config, day: datetime, kind: str, name: str) -> None:
    """Make DAY a holiday, a make-up working day (workday), or an ordinary day."""
    db = Database.for_config(config)
    db.upgrade()
    the_day = day.date()
    with db.session() as s:
        calendar_service.set_day(s, the_day, CalendarDayKind(kind), name, actor="cli")
    click.echo(t("calendar.cli.set", day=the_day, kind=t(f"calendar.kind.{kind}")))


@calendar.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@click.pass_obj
def load(config: Config, file: Path | None) -> None:
    """Load a year's schedule (the shipped official one when FILE is not given); days already set are kept.

    FILE has one line a holiday: year,name,first_day_off,last_day_off,make_up_days (separated by ;).
    """
    db = Database.for_config(config)
    db.upgrade()
    with db.session() as s:
        if file is None:
            count = calendar_service.load_official_calendar(s, actor="cli")
        else:
            try:
                exceptions = list(parse_schedule(file.read_text(encoding="utf-8-sig").splitlines()))
            except ValueError as exc:
                raise click.ClickException(t("calendar.cli.bad_file", error=exc)) from exc
            count = calendar_service.load_schedule(s, exceptions, actor="cli")
    click.echo(t("calendar.cli.loaded", count=count))


COMMANDS = [calendar]
