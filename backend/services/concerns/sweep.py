"""The sweep: concerns nobody categorised, reminders before the deadlines, escalation past them."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from backend.domain import concern as rules
from backend.domain.calendar import local_date
from backend.domain.kinds import ConcernState
from backend.services import notices
from backend.services.calendar import working_calendar
from backend.services.concerns.intake import route
from backend.services.concerns.views import audit_concern, day_label, excerpt, view
from backend.store.models import Concern
from messages import t

log = logging.getLogger(__name__)


def sweep(session: Session, now: datetime) -> dict[str, int]:
    """Route concerns whose window closed without a category, remind, escalate. Idempotent. Does not commit."""
    counts = {"routed": 0, "reminded": 0, "escalated": 0}
    waiting = session.scalars(
        select(Concern).where(
            Concern.notified_at.is_(None),
            Concern.state == ConcernState.RECEIVED.value,
            or_(Concern.window_until.is_(None), Concern.window_until <= now),
        )
    ).all()
    for concern in waiting:
        concern.window_until = None
        route(session, concern, now)
        counts["routed"] += 1
    calendar = working_calendar(session)
    today = local_date(now)
    open_now = session.scalars(
        select(Concern).where(Concern.state.in_([s.value for s in rules.OPEN_STATES]), Concern.notified_at.is_not(None))
    ).all()
    for concern in open_now:
        counts["reminded"] += _remind(session, concern, today, calendar, now)
        counts["escalated"] += _escalate(session, concern, today, calendar, now)
    return counts


def _remind(session: Session, concern: Concern, today: date, calendar: Any, now: datetime) -> int:
    """On the acknowledgement deadline day, and a working day before the answer deadline: one reminder each."""
    if concern.inspector_id is None or concern.escalation_level > rules.WITH_INSPECTOR:
        return 0
    kind, due = None, None
    if concern.state == ConcernState.RECEIVED.value and concern.ack_due_on == today:
        kind, due = "ack", concern.ack_due_on
    elif concern.answer_due_on is not None:
        remind_from = calendar.subtract_working_days(concern.answer_due_on, rules.REMIND_BEFORE_ANSWER_DUE)
        if remind_from <= today <= concern.answer_due_on:
            kind, due = "answer", concern.answer_due_on
    if kind is None or due is None:
        return 0
    shown = view(session, concern)
    added = notices.notify(
        session,
        notices.openids_of_inspector(session, concern.inspector_id),
        notice="concern_overdue",
        text=t(f"concern.remind.{kind}", ticket=concern.ticket_no, school=shown.school, due=day_label(due)),
        fields={
            "ticket_no": concern.ticket_no,
            "school": shown.school,
            "inspector": shown.inspector,
            "due_on": day_label(due),
        },
        dedupe_key=f"concern:{concern.id}:remind:{kind}:{due.isoformat()}",
        now=now,
    )
    if added:
        audit_concern(session, "system", "concern.reminded", concern, kind=kind, due_on=due.isoformat())
    return 1 if added else 0


def _escalate(session: Session, concern: Concern, today: date, calendar: Any, now: datetime) -> int:
    """Up the ladder once per rung: the zone leader when a deadline is missed, the office two working days on."""
    missed = rules.missed_deadline(concern.state, concern.ack_due_on, concern.answer_due_on, today)
    level = rules.due_escalation_level(missed, today, calendar)
    if missed is None or level <= concern.escalation_level:
        return 0
    shown = view(session, concern)
    done = 0
    for rung in range(concern.escalation_level + 1, level + 1):
        recipients: list[str] = []
        if rung == rules.WITH_ZONE_LEADER:
            leader = notices.zone_leader_of(session, concern.unit_id)
            if leader is not None and leader != concern.inspector_id:
                recipients = notices.openids_of_inspector(session, leader)
        if rung == rules.WITH_OFFICE or not recipients:
            recipients = notices.openids_of_office(session)
        what = t("concern.overdue.ack" if concern.state == ConcernState.RECEIVED.value else "concern.overdue.answer")
        notices.notify(
            session,
            recipients,
            notice="concern_overdue",
            text=t(
                f"concern.escalated.{rung}",
                ticket=concern.ticket_no,
                school=shown.school,
                inspector=shown.inspector or t("concern.no_inspector"),
                due=day_label(missed),
                what=what,
                category=shown.category_name,
                content=excerpt(shown.content, 200),
            ),
            fields={
                "ticket_no": concern.ticket_no,
                "school": shown.school,
                "inspector": shown.inspector or t("concern.no_inspector"),
                "due_on": day_label(missed),
            },
            dedupe_key=f"concern:{concern.id}:overdue:{rung}:{missed.isoformat()}",
            now=now,
        )
        audit_concern(session, "system", "concern.escalated", concern, level=rung, missed=missed.isoformat())
        done += 1
    concern.escalation_level = level
    return done
