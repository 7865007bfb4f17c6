"""Visits (工作记录): logged by an inspector, evidence attached, undone within a time limit, corrected by the office.

Use cases take a `Session` and do not commit (the bot's delivery, the web request or the CLI owns the
transaction); each change of state writes an `AuditEvent`. Every change to a recorded visit keeps the earlier
version in `Visit.history`. Findings with a deadline become draft rectification items through
`backend.services.rectifications` (the inspector confirms before they are issued).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from backend.domain.calendar import local_date
from backend.domain.errors import DomainError
from backend.domain.kinds import RectificationState, VisitKind
from backend.domain.visit_text import SchoolRef
from backend.services import media, notices, school_names
from backend.services import rectifications as rect_service
from backend.services.audit import record
from backend.services.authority import current_authority
from backend.services.list_filters import VISITS, ListFilters, conditions
from backend.services.rule_sql import concern_open, rectification_open
from backend.store.db import session_now
from backend.store.models import (
    Assignment,
    Concern,
    Inspector,
    Media,
    Rectification,
    Unit,
    Visit,
)
from messages import t

UNDO_WINDOW = timedelta(minutes=30)
FOLLOW_UP_WINDOW = timedelta(minutes=10)  # a message without a school this soon after a record adds to it
FAR_FROM_SCHOOL_M = 1000.0
SUBJECT = "visit"
VISIT_KINDS = tuple(k.value for k in VisitKind)


class VisitError(DomainError, ValueError):
    """A visit use case refused: `key` in messages/ with its `fields`; `message` is what the person reads."""


# --- the inspector's schools --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MySchool:
    number: int  # the place in 我的学校, which the inspector may type instead of the name
    unit_id: int
    name: str
    short_name: str
    last_visit: date | None
    open_concerns: int
    open_rectifications: int
    latitude: float | None = None
    longitude: float | None = None

    @property
    def ref(self) -> SchoolRef:
        return SchoolRef(self.unit_id, self.name, self.short_name, self.number)


def my_schools(session: Session, inspector_id: int) -> list[MySchool]:
    """The inspector's current schools, numbered by their code (a stable order), with what is open there."""
    units = session.scalars(
        select(Unit)
        .join(Assignment, and_(Assignment.unit_id == Unit.id, Assignment.ends_on.is_(None)))
        .where(Assignment.inspector_id == inspector_id, Unit.active.is_(True))
        .order_by(Unit.code)
    ).all()
    ids = [u.id for u in units]
    last = dict(
        session.execute(
            select(Visit.unit_id, func.max(Visit.visited_on))
            .where(Visit.unit_id.in_(ids), Visit.revoked_at.is_(None))
            .group_by(Visit.unit_id)
        ).all()
    )
    concerns = dict(
        session.execute(
            select(Concern.unit_id, func.count())
            .where(Concern.unit_id.in_(ids), concern_open())
            .group_by(Concern.unit_id)
        ).all()
    )
    rects = dict(
        session.execute(
            select(Rectification.unit_id, func.count())
            .where(Rectification.unit_id.in_(ids), rectification_open())
            .group_by(Rectification.unit_id)
        ).all()
    )
    return [
        MySchool(
            number=n,
            unit_id=u.id,
            name=u.name,
            short_name=u.short_name,
            last_visit=last.get(u.id),
            open_concerns=int(concerns.get(u.id, 0)),
            open_rectifications=int(rects.get(u.id, 0)),
            latitude=u.latitude,
            longitude=u.longitude,
        )
        for n, u in enumerate(units, start=1)
    ]


def someone_elses_school(session: Session, inspector_id: int, words: str) -> str | None:
    """The name of a school (not the inspector's) that `words` names, to say "that one is not yours"."""
    if not words:
        return None
    mine = {s.unit_id for s in my_schools(session, inspector_id)}
    inspector = session.get(Inspector, inspector_id)
    if inspector is None:
        return None
    names = school_names.authority_resolver(session, inspector.authority_id)
    found = names.find(words, [s for i, s in names.schools.items() if i not in mine])
    if found.school_id is None:
        return None
    unit = session.get(Unit, found.school_id)
    return unit.name if unit else None


# --- logging a visit ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FindingDraft:
    """One problem found, what the unit must do about it and by when: its own draft notice."""

    problem: str
    requirement: str
    deadline: date


@dataclass
class VisitDraft:
    """What the inspector told us, however they told it (one message or the dialogue)."""

    unit_id: int
    visited_on: date
    kind: str = VisitKind.ROUTINE.value
    items: list[str] = field(default_factory=list)
    observations: str = ""
    problems: list[str] = field(default_factory=list)
    requirement: str = ""
    deadline: date | None = None
    urgent: bool = False
    raw_text: str = ""
    source: str = "chat"
    photos: list[str] = field(default_factory=list)  # WeChat media ids
    location: tuple[float, float] | None = None  # latitude, longitude
    findings: list[FindingDraft] | None = None  # None: one finding of all problems, the requirement and deadline


@dataclass(frozen=True)
class Logged:
    visit: Visit
    drafts: list[Rectification]
    school: str


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def _actor(inspector_id: int) -> str:
    return f"inspector:{inspector_id}"


def _audit(session: Session, visit: Visit, actor: str, action: str, **detail: Any) -> None:
    record(session, actor, action, SUBJECT, visit.id, **detail)


def snapshot(visit: Visit) -> dict[str, Any]:
    """A visit's content as it stands, for its history."""
    return {
        "unit_id": visit.unit_id,
        "visited_on": visit.visited_on.isoformat(),
        "kind": visit.kind,
        "items": list(visit.items),
        "observations": visit.observations,
        "problems": visit.problems,
        "urgent": visit.urgent,
        "revoked_at": visit.revoked_at.isoformat() if visit.revoked_at else None,
    }


def log_visit(session: Session, *, inspector_id: int, draft: VisitDraft, now: datetime | None = None) -> Logged:
    """Record a visit at one of the inspector's schools, with its evidence and findings. Does not commit."""
    now = now or session_now(session)
    person = session.get(Inspector, inspector_id)
    if person is None or not person.active:  # 停聘 / 解聘: their schools are no longer theirs to record
        raise VisitError("staff.error.cannot_log")
    school = next((s for s in my_schools(session, inspector_id) if s.unit_id == draft.unit_id), None)
    if school is None:
        raise VisitError("visits.error.not_yours")
    if draft.visited_on > local_date(now):
        raise VisitError("visits.error.future_date")
    if draft.kind not in VISIT_KINDS:
        raise VisitError("visits.error.bad_kind")
    authority = current_authority(session)
    visit = Visit(
        authority_id=authority.id,
        inspector_id=inspector_id,
        unit_id=draft.unit_id,
        visited_on=draft.visited_on,
        kind=draft.kind,
        items=sorted(set(draft.items)),
        observations=draft.observations,
        problems="\n".join(draft.problems),
        raw_text=draft.raw_text,
        source=draft.source,
        urgent=draft.urgent,
        created_at=now,
        updated_at=now,
        history=[],
    )
    session.add(visit)
    session.flush()
    actor = _actor(inspector_id)
    _audit(session, visit, actor, "visit.logged", unit_id=visit.unit_id, visited_on=visit.visited_on.isoformat())
    for media_id in draft.photos:
        attach_photo(session, visit, media_id)
    if draft.location is not None:
        check_in(session, visit, *draft.location)
    findings = draft.findings
    if findings is None:
        findings = []
        if draft.problems and draft.deadline is not None:
            findings = [FindingDraft("；".join(draft.problems), draft.requirement, draft.deadline)]
    drafts = [
        rect_service.propose_rectification(
            session,
            authority_id=authority.id,
            unit_id=visit.unit_id,
            inspector_id=inspector_id,
            visit_id=visit.id,
            item=(visit.items[0] if len(visit.items) == 1 else None),
            problem=finding.problem,
            requirement=finding.requirement,
            deadline=finding.deadline,
            urgent=draft.urgent,
            actor=actor,
            now=now,
        )
        for finding in findings
    ]
    if draft.urgent:
        alert_office(session, visit, school_name=school.name, now=now)
    return Logged(visit, drafts, school.name)


def alert_office(session: Session, visit: Visit, *, school_name: str, now: datetime) -> int:
    """An urgent safety matter: the office hears at once (a push and an event the office web shows)."""
    inspector = session.get(Inspector, visit.inspector_id)
    who = inspector.name if inspector else ""
    detail = (visit.problems or visit.observations or visit.raw_text)[:200]
    _audit(session, visit, _actor(visit.inspector_id), "visit.urgent", unit_id=visit.unit_id, detail=detail)
    at = now.astimezone(local_now_tz()).strftime("%Y-%m-%d %H:%M")
    return notices.notify(
        session,
        notices.openids_of_office(session),
        notice="office_alert",
        text=t("visits.urgent.office", school=school_name, inspector=who, detail=detail),
        fields={"subject": t("visits.urgent.subject", school=school_name), "detail": detail, "at": at},
        dedupe_key=f"visit:{visit.id}:urgent",
        now=now,
    )


def local_now_tz() -> Any:
    from backend.domain.calendar import SHANGHAI

    return SHANGHAI


def attach_photo(session: Session, visit: Visit, wechat_media_id: str) -> Media:
    """A photo from the visit: staff evidence, so its metadata (time, place) is kept for the office."""
    photo = media.attach(
        session,
        owner_type=SUBJECT,
        owner_id=visit.id,
        kind="image",
        wechat_media_id=wechat_media_id,
        strip_metadata=False,
    )
    _audit(session, visit, _actor(visit.inspector_id), "visit.photo_added", media_id=photo.id)
    return photo


def distance_to_unit(session: Session, unit_id: int, latitude: float, longitude: float) -> float | None:
    """Metres (to 0.1 m) from a check-in's place to the unit, or None where the unit has no coordinates."""
    unit = session.get(Unit, unit_id)
    if unit is None or unit.latitude is None or unit.longitude is None:
        return None
    return round(distance_m(latitude, longitude, unit.latitude, unit.longitude), 1)


def is_far(distance: float | None) -> bool:
    """A check-in farther than `FAR_FROM_SCHOOL_M` from the school: flagged on the visit, never refused."""
    return distance is not None and distance > FAR_FROM_SCHOOL_M


def check_in(session: Session, visit: Visit, latitude: float, longitude: float) -> float | None:
    """Where the inspector was: the distance to the school is kept; far away is flagged, never refused."""
    distance = distance_to_unit(session, visit.unit_id, latitude, longitude)
    visit.checkin_latitude, visit.checkin_longitude, visit.checkin_distance_m = latitude, longitude, distance
    visit.far_from_school = is_far(distance)
    _audit(
        session,
        visit,
        _actor(visit.inspector_id),
        "visit.checked_in",
        distance_m=distance,
        far_from_school=visit.far_from_school,
    )
    return distance


def recent_visit(session: Session, inspector_id: int, now: datetime | None = None) -> Visit | None:
    """The inspector's last record if it is still within the time limit for changes by chat."""
    now = now or session_now(session)
    visit = session.scalar(
        select(Visit)
        .where(Visit.inspector_id == inspector_id, Visit.revoked_at.is_(None))
        .order_by(Visit.created_at.desc(), Visit.id.desc())
        .limit(1)
    )
    if visit is None or now - visit.created_at > UNDO_WINDOW:
        return None
    return visit


def revoke_last(session: Session, inspector_id: int, now: datetime | None = None) -> Visit:
    """撤销: undo the latest record, once, within the time limit; its draft findings go with it. Does not commit.

    Only the latest record can be undone: a second 撤销 finds it undone already and leaves older records alone.
    """
    now = now or session_now(session)
    last = session.scalar(
        select(Visit)
        .where(Visit.inspector_id == inspector_id)
        .order_by(Visit.created_at.desc(), Visit.id.desc())
        .limit(1)
    )
    if last is None:
        raise VisitError("visits.undo.nothing")
    if last.revoked_at is not None:  # undone already: nothing older is undone in its place
        raise VisitError("visits.undo.nothing")
    if now - last.created_at > UNDO_WINDOW:
        raise VisitError("visits.undo.too_late", minutes=int(UNDO_WINDOW.total_seconds() // 60))
    last.history = [*last.history, snapshot(last)]
    last.revoked_at = now
    withdrawn = []
    for draft in session.scalars(
        select(Rectification).where(Rectification.visit_id == last.id, Rectification.state == RectificationState.DRAFT)
    ):
        # a draft never left the inspector: withdrawing it with the record leaves nothing behind for the unit
        withdrawn.append(draft.number)
        record(
            session,
            _actor(inspector_id),
            "rectification.withdrawn",
            "rectification",
            draft.id,
            number=draft.number,
            visit_id=last.id,
        )
        session.delete(draft)
    _audit(session, last, _actor(inspector_id), "visit.revoked", withdrawn=withdrawn)
    session.flush()
    return last


def follow_up_visit(session: Session, inspector_id: int, now: datetime) -> Visit | None:
    """The record a message without a school may add to: the inspector's latest, made moments ago."""
    visit = recent_visit(session, inspector_id, now)
    if visit is None or now - visit.created_at > FOLLOW_UP_WINDOW:
        return None
    return visit


def add_to_visit(
    session: Session,
    visit: Visit,
    *,
    observations: str,
    problems: Sequence[str],
    items: Sequence[str],
    raw_text: str,
    findings: Sequence[FindingDraft] = (),
    now: datetime,
) -> list[Rectification]:
    """A follow-up message (`看了食堂，很干净`) joins the record just made; its findings become drafts."""
    visit.history = [*visit.history, snapshot(visit)]
    visit.observations = "；".join(filter(None, [visit.observations, observations]))
    visit.problems = "\n".join(filter(None, [visit.problems, *problems]))
    visit.items = sorted(set(visit.items) | set(items))
    visit.raw_text = "\n".join(filter(None, [visit.raw_text, raw_text]))
    visit.updated_at = now
    actor = _actor(visit.inspector_id)
    _audit(session, visit, actor, "visit.added_to", items=list(items), problems=len(problems))
    drafts = [
        rect_service.propose_rectification(
            session,
            authority_id=visit.authority_id,
            unit_id=visit.unit_id,
            inspector_id=visit.inspector_id,
            visit_id=visit.id,
            item=(items[0] if len(items) == 1 else None),
            problem=finding.problem,
            requirement=finding.requirement,
            deadline=finding.deadline,
            urgent=visit.urgent,
            actor=actor,
            now=now,
        )
        for finding in findings
    ]
    session.flush()
    return drafts


def move_visit(
    session: Session, visit: Visit, *, unit_id: int | None = None, visited_on: date | None = None, now: datetime
) -> Visit:
    """不对，是…: the inspector corrects the school or the day of the record just made (its drafts follow)."""
    if unit_id is not None and not any(s.unit_id == unit_id for s in my_schools(session, visit.inspector_id)):
        raise VisitError("visits.error.not_yours")
    if visited_on is not None and visited_on > local_date(now):
        raise VisitError("visits.error.future_date")
    visit.history = [
        *visit.history,
        {**snapshot(visit), "changed_by": _actor(visit.inspector_id), "at": now.isoformat()},
    ]
    if unit_id is not None:
        visit.unit_id = unit_id
        for draft in session.scalars(
            select(Rectification).where(
                Rectification.visit_id == visit.id, Rectification.state == RectificationState.DRAFT
            )
        ):
            draft.unit_id = unit_id
    if visited_on is not None:
        visit.visited_on = visited_on
    visit.updated_at = now
    _audit(session, visit, _actor(visit.inspector_id), "visit.corrected", unit_id=visit.unit_id, by="inspector")
    session.flush()
    return visit


def move_draft(session: Session, draft: Rectification, unit_id: int) -> Rectification:
    """不对，是…: a draft notice not yet issued goes to the school the inspector meant."""
    if draft.state != RectificationState.DRAFT or draft.inspector_id is None:
        raise VisitError("visits.correct.nothing")
    if not any(s.unit_id == unit_id for s in my_schools(session, draft.inspector_id)):
        raise VisitError("visits.error.not_yours")
    before = draft.unit_id
    draft.unit_id = unit_id
    record(
        session,
        _actor(draft.inspector_id),
        "rectification.corrected",
        "rectification",
        draft.id,
        number=draft.number,
        unit_id=unit_id,
        was=before,
    )
    session.flush()
    return draft


def correct_visit(session: Session, visit_id: int, *, changes: dict[str, Any], actor: str, reason: str = "") -> Visit:
    """A correction by the office (after the chat's time limit): the earlier version stays in the history."""
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise VisitError("visits.error.not_found")
    allowed = {"visited_on", "kind", "items", "observations", "problems", "unit_id", "urgent", "revoked"}
    unknown = set(changes) - allowed
    if unknown:
        raise VisitError("visits.error.bad_change", fields="、".join(sorted(unknown)))
    before = snapshot(visit)
    if "visited_on" in changes:
        value = changes["visited_on"]
        visit.visited_on = value if isinstance(value, date) else date.fromisoformat(str(value))
    if "kind" in changes:
        if changes["kind"] not in VISIT_KINDS:
            raise VisitError("visits.error.bad_kind")
        visit.kind = str(changes["kind"])
    if "items" in changes:
        visit.items = sorted({str(i) for i in changes["items"]})
    for name in ("observations", "problems"):
        if name in changes:
            setattr(visit, name, str(changes[name]))
    if "unit_id" in changes:
        visit.unit_id = int(changes["unit_id"])
    if "urgent" in changes:
        visit.urgent = bool(changes["urgent"])
    now = session_now(session)
    if "revoked" in changes:
        visit.revoked_at = now if changes["revoked"] else None
    visit.history = [*visit.history, {**before, "changed_by": actor, "reason": reason, "at": now.isoformat()}]
    _audit(session, visit, actor, "visit.corrected", changes=sorted(changes), reason=reason)
    session.flush()
    return visit


# --- findings -----------------------------------------------------------------------------------------------


def propose_finding(
    session: Session,
    *,
    inspector_id: int,
    unit_id: int,
    problem: str,
    deadline: date,
    requirement: str = "",
    item: str | None = None,
    urgent: bool = False,
    visit_id: int | None = None,
    now: datetime | None = None,
) -> Rectification:
    """`整改 <school> <problem> <date>`: a draft rectification item for one of the inspector's schools."""
    if not any(s.unit_id == unit_id for s in my_schools(session, inspector_id)):
        raise VisitError("visits.error.not_yours")
    if visit_id is None:
        last = session.scalar(
            select(Visit.id)
            .where(Visit.inspector_id == inspector_id, Visit.unit_id == unit_id, Visit.revoked_at.is_(None))
            .order_by(Visit.visited_on.desc(), Visit.id.desc())
            .limit(1)
        )
        visit_id = last
    return rect_service.propose_rectification(
        session,
        authority_id=current_authority(session).id,
        unit_id=unit_id,
        inspector_id=inspector_id,
        visit_id=visit_id,
        item=item,
        problem=problem,
        requirement=requirement,
        deadline=deadline,
        urgent=urgent,
        actor=_actor(inspector_id),
        now=now,
    )


def open_items_at(session: Session, unit_id: int) -> list[Rectification]:
    """A school's rectification items not yet passed or closed (a question about the school is answered from them)."""
    done = (RectificationState.VERIFIED.value, RectificationState.CLOSED.value)
    return list(
        session.scalars(
            select(Rectification)
            .where(Rectification.unit_id == unit_id, Rectification.state.not_in(done))
            .order_by(Rectification.deadline, Rectification.id)
        )
    )


def pending_drafts(session: Session, inspector_id: int) -> list[Rectification]:
    return list(
        session.scalars(
            select(Rectification)
            .where(Rectification.inspector_id == inspector_id, Rectification.state == RectificationState.DRAFT)
            .order_by(Rectification.id)
        )
    )


def issue_drafts(
    session: Session, inspector_id: int, ids: Iterable[int] | None = None, now: datetime | None = None
) -> list[Rectification]:
    """确认整改: the inspector's drafts (all, or those chosen) are issued to their units."""
    drafts = pending_drafts(session, inspector_id)
    chosen = drafts if ids is None else [d for d in drafts if d.id in set(ids)]
    return [rect_service.issue_rectification(session, d.id, actor=_actor(inspector_id), now=now) for d in chosen]


# --- reading ------------------------------------------------------------------------------------------------


def visits_between(
    session: Session, inspector_id: int | None, start: date, end: date, unit_ids: Sequence[int] | None = None
) -> list[Visit]:
    query = select(Visit).where(Visit.revoked_at.is_(None), Visit.visited_on >= start, Visit.visited_on <= end)
    if inspector_id is not None:
        query = query.where(Visit.inspector_id == inspector_id)
    if unit_ids is not None:
        query = query.where(Visit.unit_id.in_(list(unit_ids)))
    return list(session.scalars(query.order_by(Visit.visited_on, Visit.id)))


@dataclass(frozen=True)
class VisitView:
    """A visit as the API and the office show it."""

    id: int
    school_code: str
    school: str
    inspector_number: str
    inspector: str
    visited_on: date
    kind: str
    items: list[str]
    observations: str
    problems: list[str]
    raw_text: str
    source: str
    urgent: bool
    photos: list[dict[str, Any]]
    checkin_distance_m: float | None
    far_from_school: bool
    revoked: bool
    history: list[Any]
    rectifications: list[dict[str, Any]]
    created_at: datetime


def list_visits(
    session: Session,
    *,
    school: str | None = None,
    inspector: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    include_revoked: bool = False,
    limit: int = 200,
    offset: int = 0,
) -> tuple[list[VisitView], int]:
    """Visits filtered by school code, inspector number and date range (inclusive), newest first; and the total."""
    query = (
        select(Visit, Unit, Inspector)
        .join(Unit, Unit.id == Visit.unit_id)
        .join(Inspector, Inspector.id == Visit.inspector_id)
    )
    filters = ListFilters(
        school_code=school or "", inspector=inspector or "", since=date_from, until=date_to, revoked=include_revoked
    )
    query = query.where(*conditions(filters, VISITS))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(Visit.visited_on.desc(), Visit.id.desc()).limit(limit).offset(offset)).all()
    ids = [visit.id for visit, _unit, _person in rows]
    media_by_visit = media.media_of_many(session, SUBJECT, ids)
    rects_by_visit: dict[int, list[Rectification]] = {}
    if ids:
        for r in session.scalars(
            select(Rectification).where(Rectification.visit_id.in_(ids)).order_by(Rectification.id)
        ):
            rects_by_visit.setdefault(r.visit_id or 0, []).append(r)
    views = []
    for visit, unit, person in rows:
        photos = [
            {"id": m.id, "kept": bool(m.path), "content_type": m.content_type, "size": m.size, "sha256": m.sha256}
            for m in media_by_visit.get(visit.id, [])
            if m.kind == "image"
        ]
        rects = [
            {"number": r.number, "state": r.state, "deadline": r.deadline.isoformat(), "problem": r.problem}
            for r in rects_by_visit.get(visit.id, [])
        ]
        views.append(
            VisitView(
                id=visit.id,
                school_code=unit.code,
                school=unit.name,
                inspector_number=person.number,
                inspector=person.name,
                visited_on=visit.visited_on,
                kind=visit.kind,
                items=list(visit.items),
                observations=visit.observations,
                problems=[p for p in visit.problems.split("\n") if p],
                raw_text=visit.raw_text,
                source=visit.source,
                urgent=visit.urgent,
                photos=photos,
                checkin_distance_m=visit.checkin_distance_m,
                far_from_school=visit.far_from_school,
                revoked=visit.revoked_at is not None,
                history=list(visit.history),
                rectifications=rects,
                created_at=visit.created_at,
            )
        )
    return views, int(total)


@dataclass(frozen=True)
class Todo:
    concerns: list[tuple[str, str, str]]  # ticket, school, state
    to_reinspect: list[tuple[str, str, date]]  # number, school, deadline
    drafts: list[tuple[str, str, date]]
    unvisited: list[str]  # schools not visited this month


def todo(session: Session, inspector_id: int, today: date) -> Todo:
    from backend.domain.visit_targets import month_of

    schools = my_schools(session, inspector_id)
    names = {s.unit_id: s.name for s in schools}
    ids = list(names)
    concerns = session.scalars(
        select(Concern).where(Concern.unit_id.in_(ids), concern_open()).order_by(Concern.created_at)
    ).all()
    submitted = session.scalars(
        select(Rectification)
        .where(Rectification.unit_id.in_(ids), Rectification.state == RectificationState.SUBMITTED)
        .order_by(Rectification.deadline)
    ).all()
    month = month_of(today)
    visited = {v.unit_id for v in visits_between(session, inspector_id, month.start, month.end)}
    return Todo(
        concerns=[(c.ticket_no, names[c.unit_id], c.state) for c in concerns],
        to_reinspect=[(r.number, names[r.unit_id], r.deadline) for r in submitted],
        drafts=[(r.number, names.get(r.unit_id, ""), r.deadline) for r in pending_drafts(session, inspector_id)],
        unvisited=[s.name for s in schools if s.unit_id not in visited],
    )
