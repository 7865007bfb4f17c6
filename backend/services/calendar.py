"""The working-day calendar as the office keeps it: the official schedule loaded, local changes on top."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.domain.calendar import CalendarException, WorkingCalendar, local_date, local_now, official_schedule
from backend.domain.kinds import CalendarDayKind
from backend.services import notices
from backend.services.audit import record
from backend.store.db import Database
from backend.store.models import CalendarDay
from messages import t

REMIND_IN_MONTH = 12  # the State Council's schedule for next year is out by December


def load_official_calendar(session: Session, actor: str = "system") -> int:
    """Add the shipped official schedule; days already present (perhaps changed by the office) are kept.

    Returns how many days were added. Does not commit.
    """
    return load_schedule(session, official_schedule(), actor)


def load_schedule(session: Session, exceptions: list[CalendarException], actor: str) -> int:
    """Add the days of a schedule that the database does not hold yet. Does not commit."""
    known = set(session.scalars(select(CalendarDay.day)))
    new = [e for e in exceptions if e.day not in known]
    session.add_all(CalendarDay(day=e.day, kind=e.kind.value, name=e.name) for e in new)
    if new:
        detail = {"days": len(new), "first": new[0].day.isoformat(), "last": new[-1].day.isoformat()}
        record(session, actor, "calendar.loaded", "calendar", None, detail)
    session.flush()
    return len(new)


def set_day(session: Session, day: date, kind: CalendarDayKind | None, name: str = "", actor: str = "office") -> None:
    """Mark `day` as a holiday, a make-up working day or (kind None) an ordinary day. Does not commit.

    An ordinary day is kept as a row of its own, so that reloading the official schedule does not undo it.
    """
    kind = kind or CalendarDayKind.ORDINARY
    row = session.get(CalendarDay, day)
    before = None if row is None else row.kind
    if row is None:
        session.add(CalendarDay(day=day, kind=kind.value, name=name))
    else:
        row.kind, row.name = kind.value, name
    record(
        session,
        actor,
        "calendar.changed",
        "calendar",
        None,
        {"day": day.isoformat(), "from": before, "to": kind.value},
    )
    session.flush()


def working_calendar(session: Session) -> WorkingCalendar:
    """The calendar as the database holds it now."""
    return WorkingCalendar({row.day: row.kind for row in session.scalars(select(CalendarDay))})


def missing_schedules(session: Session, today: date) -> list[int]:
    """The years whose official schedule must still be loaded as of `today` (their deadlines count Mon-Fri)."""
    return working_calendar(session).missing_schedules(today)


def years_text(years: list[int]) -> str:
    return "、".join(str(year) for year in years)


def remind_missing_schedule(session: Session, now: datetime) -> int:
    """Each December, one WeChat alert to the office while a schedule is missing. Does not commit."""
    today = local_date(now)
    if today.month != REMIND_IN_MONTH:
        return 0
    missing = missing_schedules(session, today)
    if not missing:
        return 0
    years = years_text(missing)
    return notices.notify(
        session,
        notices.openids_of_office(session),
        notice="office_alert",
        text=t("calendar.missing.alert", years=years),
        fields={
            "subject": t("calendar.missing.subject", years=years),
            "detail": t("calendar.missing.detail"),
            "at": local_now(now).strftime("%Y-%m-%d %H:%M"),
        },
        dedupe_key=f"calendar:missing:{years}:december-{today.year}",
        now=now,
    )


def sweep_step(db: Database, now: datetime) -> dict[str, int]:
    """The sweep's step: the December alert about a missing holiday schedule."""
    with db.session() as session:
        return {"calendar_alerts": remind_missing_schedule(session, now)}
