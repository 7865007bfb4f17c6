"""What the authority publishes on /public: counts and durations per school and per zone, no personal data."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from backend.services.office.figures import DONE_RECTIFICATION
from backend.services.office.periods import Period, days_between, local_day, utc_bounds
from backend.services.office.scoped import SCHOOL_KINDS, live_visits
from backend.store.models import (
    Authority,
    Concern,
    Rectification,
    Unit,
    Visit,
    Zone,
)

METRICS = ("visits", "rectified_on_time", "concern_response")
LEVELS_PUBLISHED = ("zone", "school")


@dataclass(frozen=True)
class Publication:
    """What the authority has chosen to publish on /public."""

    enabled: bool
    metrics: tuple[str, ...]
    levels: tuple[str, ...]


def publication_of(authority: Authority) -> Publication:
    raw = authority.publication or {}
    return Publication(
        enabled=bool(raw.get("enabled")),
        metrics=tuple(m for m in METRICS if m in raw.get("metrics", METRICS)),
        levels=tuple(level for level in LEVELS_PUBLISHED if level in raw.get("levels", LEVELS_PUBLISHED)),
    )


@dataclass
class PublicRow:
    name: str
    zone: str
    schools: int
    visits: int
    rectified: int
    rectified_on_time: int
    median_response_days: float | None

    @property
    def on_time_share(self) -> float | None:
        return self.rectified_on_time / self.rectified if self.rectified else None


@dataclass
class PublicResults:
    period: Period
    zones: list[PublicRow]
    schools: list[PublicRow]
    total: PublicRow


def _durations_by(session: Session, authority: Authority, period: Period, key: Any) -> dict[Any, list[float]]:
    start, end = utc_bounds(period)
    rows = session.execute(
        select(key, days_between(session, Concern.answered_at, Concern.created_at))
        .join(Unit, Unit.id == Concern.unit_id)
        .where(Concern.authority_id == authority.id, Concern.answered_at.is_not(None))
        .where(Concern.created_at >= start, Concern.created_at < end)
    )
    found: dict[Any, list[float]] = {}
    for group, days in rows:
        found.setdefault(group, []).append(float(days))
    return found


def public_results(session: Session, authority: Authority, period: Period) -> PublicResults:
    """Per school and per zone: visits made, rectifications completed on time, median days to answer a concern."""
    schools = session.execute(
        select(Unit.id, Unit.name, Zone.name)
        .outerjoin(Zone, Zone.id == Unit.zone_id)
        .where(Unit.authority_id == authority.id, Unit.kind.in_(SCHOOL_KINDS), Unit.active.is_(True))
        .order_by(Zone.name, Unit.code)
    ).all()
    visit_counts = dict(
        session.execute(
            select(Visit.unit_id, func.count(Visit.id))
            .where(Visit.authority_id == authority.id, live_visits(), period.contains(Visit.visited_on))
            .group_by(Visit.unit_id)
        ).all()
    )
    start, end = utc_bounds(period)
    done_day = local_day(session, func.coalesce(Rectification.submitted_at, Rectification.verified_at))
    done = {
        unit_id: (n, on_time or 0)
        for unit_id, n, on_time in session.execute(
            select(
                Rectification.unit_id,
                func.count(Rectification.id),
                func.sum(case((done_day <= Rectification.deadline, 1), else_=0)),
            )
            .where(
                Rectification.authority_id == authority.id,
                Rectification.state.in_(DONE_RECTIFICATION),
                Rectification.verified_at >= start,
                Rectification.verified_at < end,
            )
            .group_by(Rectification.unit_id)
        )
    }
    per_unit = _durations_by(session, authority, period, Concern.unit_id)
    zone_of = {unit_id: zone or "" for unit_id, _n, zone in schools}
    rows: list[PublicRow] = []
    zones: dict[str, PublicRow] = {}
    zone_days: dict[str, list[float]] = {}
    total = PublicRow("", "", 0, 0, 0, 0, None)
    all_days: list[float] = []
    for unit_id, name, zone in schools:
        n, on_time = done.get(unit_id, (0, 0))
        days = per_unit.get(unit_id, [])
        row = PublicRow(
            name, zone or "", 1, visit_counts.get(unit_id, 0), n, on_time, statistics.median(days) if days else None
        )
        rows.append(row)
        bucket = zones.setdefault(zone_of[unit_id], PublicRow(zone_of[unit_id], zone_of[unit_id], 0, 0, 0, 0, None))
        for target in (bucket, total):
            target.schools += 1
            target.visits += row.visits
            target.rectified += n
            target.rectified_on_time += on_time
        zone_days.setdefault(zone_of[unit_id], []).extend(days)
        all_days.extend(days)
    for name, bucket in zones.items():
        days = zone_days.get(name, [])
        bucket.median_response_days = statistics.median(days) if days else None
    total.median_response_days = statistics.median(all_days) if all_days else None
    return PublicResults(period, sorted(zones.values(), key=lambda z: z.name), rows, total)
