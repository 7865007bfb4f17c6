"""Pushes given up for good: the office is told once, the record is marked 未送达, and the office deals with it.

When the outbox gives a push up (43004 the recipient unfollowed, 40003 a bad openid, attempts exhausted…),
`on_given_up` runs in the same transaction: a 43004 marks the recipient as no longer following, and the office's
bound users get one alert through the outbox (keyed by the push and the office's retries, so a sweep or a second
worker can never queue it twice). An alert that cannot be delivered itself is never alerted about.

The office then either retries (`retry`: after the unit followed the account again) or records that it delivered
the notice by other means (`mark_delivered`: phone, paper, in person). Both write an audit event.
`outbox.given_up_messages` is the one reading of what is undelivered; `views` dresses it for people.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.domain.calendar import local_now
from backend.domain.errors import DomainError
from backend.domain.kinds import OutboxState, Role
from backend.services import notices, outbox
from backend.services.audit import record
from backend.store.db import session_now
from backend.store.models import (
    Concern,
    Inspector,
    OfficeUser,
    OutboxMessage,
    Rectification,
    Unit,
    Visit,
    WechatIdentity,
)
from messages import CATALOG, t

MEANS = ("phone", "paper", "in_person")
ALERT_PREFIX = "outbox:"


def is_alert(message: OutboxMessage) -> bool:
    """An alert to the office (or an alert about a push): never alerted about in turn."""
    return (
        message.notice == "office_alert"
        or message.kind == "office_alert"
        or message.dedupe_key.startswith(ALERT_PREFIX)
    )


def on_given_up(session: Session, message_id: int, *, now: datetime) -> int:
    """The outbox just gave `message_id` up (same transaction): mark the recipient, alert the office once."""
    message = session.get(OutboxMessage, message_id)
    if message is None:
        return 0
    if message.reason == "unfollowed":
        identity = _identity(session, message.openid)
        if identity is not None:
            identity.following = False  # WeChat says so; a new subscribe event sets it back
    if is_alert(message):
        return 0
    office = [o for o in notices.openids_of_office(session) if o != message.openid]
    view = describe(session, message)
    unit = _unit_name(session, view.unit_id) if view.unit_id else ""
    notice = CATALOG.get(f"notice.{message.notice}", "")
    short = CATALOG.get(f"undelivered.short.{message.reason}", t("undelivered.reason.unknown"))
    return notices.notify(
        session,
        office,
        notice="office_alert",
        text=t("undelivered.alert", about=view.about, to=view.to, reason=view.reason),
        fields={
            "subject": t("undelivered.alert_subject", unit=unit, notice=notice),
            "detail": short,
            "at": local_now(now).strftime("%Y-%m-%d %H:%M"),
        },
        dedupe_key=f"{ALERT_PREFIX}{message.id}:undelivered:{message.office_retries}",
        now=now,
    )


# --- what people see -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Undelivered:
    id: int
    about: str  # 整改通知（整改单 ZG-2026-000012，城关镇第二小学）
    to: str  # 城关镇第二小学联络人
    reason: str  # 对方已取消关注公众号…
    given_up_at: datetime | None
    resolved: str  # "" while open; 已电话通知（office:admin，2026-11-23 10:00）
    subject_type: str
    subject_id: int | None
    unit_id: int | None


def reason_text(message: OutboxMessage) -> str:
    key = f"undelivered.reason.{message.reason}"
    if key not in CATALOG:
        return t("undelivered.reason.unknown")
    return t(key, code=message.last_code if message.last_code is not None else "—")


def resolved_text(message: OutboxMessage) -> str:
    if not message.resolution:
        return ""
    means = t(f"undelivered.resolved.{message.resolution}")
    at = local_now(message.resolved_at).strftime("%Y-%m-%d %H:%M") if message.resolved_at else "—"
    return t("undelivered.resolved_by", means=means, by=message.resolved_by, at=at)


def _identity(session: Session, openid: str) -> WechatIdentity | None:
    return session.scalars(select(WechatIdentity).where(WechatIdentity.openid == openid)).first()


def _unit_name(session: Session, unit_id: int | None) -> str:
    unit = session.get(Unit, unit_id) if unit_id is not None else None
    return "" if unit is None else unit.name


def _recipient(session: Session, message: OutboxMessage) -> str:
    identity = _identity(session, message.openid)
    if identity is None:
        return t("undelivered.to.someone")
    if identity.role == Role.UNIT.value and identity.unit_id is not None:
        return t("undelivered.to.unit", unit=_unit_name(session, identity.unit_id))
    if identity.role == Role.INSPECTOR.value and identity.inspector_id is not None:
        person = session.get(Inspector, identity.inspector_id)
        return t("undelivered.to.inspector", name=person.name if person else "")
    if identity.role == Role.OFFICE.value:
        user = session.get(OfficeUser, identity.office_user_id) if identity.office_user_id else None
        return t("undelivered.to.office", name=(user.display_name or user.username) if user else "")
    return t("undelivered.to.reporter")  # the public: who reported what is never shown


def _about(session: Session, message: OutboxMessage) -> tuple[str, int | None]:
    notice = CATALOG.get(f"notice.{message.notice}", message.notice or message.kind)
    if message.subject_type == "rectification" and message.subject_id is not None:
        rect = session.get(Rectification, message.subject_id)
        if rect is not None:
            unit = _unit_name(session, rect.unit_id)
            return t("undelivered.about.rectification", notice=notice, number=rect.number, unit=unit), rect.unit_id
    if message.subject_type == "concern" and message.subject_id is not None:
        concern = session.get(Concern, message.subject_id)
        if concern is not None:
            unit = _unit_name(session, concern.unit_id)
            return t("undelivered.about.concern", notice=notice, ticket=concern.ticket_no, unit=unit), concern.unit_id
    if message.subject_type == "visit" and message.subject_id is not None:
        visit = session.get(Visit, message.subject_id)
        if visit is not None:
            unit = _unit_name(session, visit.unit_id)
            return (
                t("undelivered.about.visit", notice=notice, date=visit.visited_on.isoformat(), unit=unit),
                visit.unit_id,
            )
    return t("undelivered.about.other", notice=notice), None


def describe(session: Session, message: OutboxMessage) -> Undelivered:
    about, unit_id = _about(session, message)
    return Undelivered(
        id=message.id,
        about=about,
        to=_recipient(session, message),
        reason=reason_text(message),
        given_up_at=message.given_up_at,
        resolved=resolved_text(message),
        subject_type=message.subject_type,
        subject_id=message.subject_id,
        unit_id=unit_id,
    )


def views(session: Session, *, open_only: bool = True, limit: int = 50) -> list[Undelivered]:
    """The pushes given up (those the office has not dealt with, by default), newest first, dressed for people.
    An alert about one of them that could not reach the office either is left out (the push itself is listed)."""
    found = outbox.given_up_messages(session, limit, open_only=open_only)
    return [describe(session, m) for m in found if not m.dedupe_key.startswith(ALERT_PREFIX)]


def of_subject(session: Session, subject_type: str, subject_id: int) -> list[Undelivered]:
    """Every push about one record that was given up, dealt with or not (the record's page shows them all)."""
    return [describe(session, m) for m in outbox.given_up_messages(session, 100, subject=(subject_type, subject_id))]


def open_marks(session: Session, subject_type: str, ids: Iterable[int]) -> dict[int, str]:
    """For a list page: the records among `ids` with a push still undelivered, and the (first) reason."""
    wanted = list(ids)
    if not wanted:
        return {}
    rows = session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.state == OutboxState.GIVEN_UP.value,
            OutboxMessage.resolution == "",
            OutboxMessage.subject_type == subject_type,
            OutboxMessage.subject_id.in_(wanted),
        )
        .order_by(OutboxMessage.id)
    )
    marks: dict[int, str] = {}
    for row in rows:
        if row.subject_id is not None and not is_alert(row):
            marks.setdefault(row.subject_id, reason_text(row))
    return marks


# --- what the office does --------------------------------------------------------------------------------


def _open_one(session: Session, message_id: int) -> OutboxMessage:
    message = session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None or message.state != OutboxState.GIVEN_UP.value or message.resolution:
        raise DomainError("undelivered.refused.not_given_up")
    return message


def retry(session: Session, message_id: int, *, actor: str, now: datetime | None = None) -> OutboxMessage:
    """Queue a given-up push again, at once, with a fresh count of attempts. Does not commit."""
    now = now or session_now(session)
    message = _open_one(session, message_id)
    record(
        session,
        actor,
        "outbox.retried",
        "outbox_message",
        message.id,
        now=now,
        subject_type=message.subject_type,
        subject_id=message.subject_id,
        reason=message.reason,
        attempts=message.attempts,
    )
    message.state = OutboxState.PENDING.value
    message.attempts = 0
    message.next_attempt_at = now
    message.claimed_until = None
    message.claimed_by = ""
    message.given_up_at = None
    message.reason = ""
    message.office_retries += 1
    identity = _identity(session, message.openid)
    if identity is not None and not identity.following:
        identity.following = True  # the office says they follow again; WeChat will tell if not (43004 again)
    return message


def mark_delivered(
    session: Session, message_id: int, means: str, *, actor: str, now: datetime | None = None
) -> OutboxMessage:
    """The office delivered it by phone, on paper or in person: the record's 未送达 mark goes. Does not commit."""
    if means not in MEANS:
        raise DomainError("undelivered.refused.means")
    now = now or session_now(session)
    message = _open_one(session, message_id)
    message.resolution = means
    message.resolved_at = now
    message.resolved_by = actor
    record(
        session,
        actor,
        "outbox.delivered_otherwise",
        "outbox_message",
        message.id,
        now=now,
        means=means,
        subject_type=message.subject_type,
        subject_id=message.subject_id,
        reason=message.reason,
    )
    return message


__all__ = [
    "MEANS",
    "Undelivered",
    "describe",
    "is_alert",
    "mark_delivered",
    "of_subject",
    "on_given_up",
    "open_marks",
    "reason_text",
    "retry",
    "views",
]
