"""Inspectors' training (学时): the courses they attended, and the hours the 40-hour rule counts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.domain import staffing
from backend.store.models import Inspector, TrainingRecord


@dataclass(frozen=True)
class Hours:
    """An inspector's hours in the rule's year; `recorded` is False when nothing at all is known about them."""

    hours: float
    recorded: bool


def hours_by_inspector(session: Session, inspector_ids: Iterable[int], today: date) -> dict[int, Hours]:
    """The hours of the rolling year per inspector: the sum of their training records, or (for an inspector with no
    record at all) the hours entered on them by hand before records existed."""
    ids = list(inspector_ids)
    if not ids:
        return {}
    start, end = staffing.training_year(today)
    in_year = func.sum(func.coalesce(TrainingRecord.hours, 0.0)).filter(
        TrainingRecord.held_on >= start, TrainingRecord.held_on <= end
    )
    rows = session.execute(
        select(Inspector.id, Inspector.training_hours, func.count(TrainingRecord.id), in_year)
        .outerjoin(TrainingRecord, TrainingRecord.inspector_id == Inspector.id)
        .where(Inspector.id.in_(ids))
        .group_by(Inspector.id, Inspector.training_hours)
    ).all()
    found: dict[int, Hours] = {}
    for inspector_id, entered, records, hours in rows:
        if records:
            found[inspector_id] = Hours(float(hours or 0.0), True)
        else:
            found[inspector_id] = Hours(float(entered or 0.0), bool(entered))
    return found


@dataclass(frozen=True)
class Course:
    course: str
    hours: float
    held_on: date
    counted: bool  # inside the rule's year


def courses_of(session: Session, inspector_id: int, today: date) -> list[Course]:
    start, end = staffing.training_year(today)
    rows = session.execute(
        select(TrainingRecord.course, TrainingRecord.hours, TrainingRecord.held_on)
        .where(TrainingRecord.inspector_id == inspector_id)
        .order_by(TrainingRecord.held_on.desc(), TrainingRecord.course)
    ).all()
    return [Course(course, hours, held_on, start <= held_on <= end) for course, hours, held_on in rows]
