"""Intake: what a user sends after scanning a board joins one concern; routing it to the person in charge."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.domain import concern as rules
from backend.domain.calendar import local_date, local_now
from backend.domain.kinds import ConcernState
from backend.kv import KV, KVUnavailable
from backend.services import identity as identities
from backend.services import media, notices
from backend.services.authority import current_authority
from backend.services.calendar import working_calendar
from backend.services.concerns.views import (
    CATEGORY_KEYWORDS,
    DUPLICATE_WITHIN,
    MAX_CONTENT,
    MAX_PHOTOS,
    MIN_FIRST_TEXT,
    OWNER,
    PER_DAY,
    SCHOOL_VALID_FOR,
    WINDOW,
    WINDOW_CAP,
    ConcernView,
    Intake,
    Received,
    audit_concern,
    categories,
    current_inspector_id,
    day_label,
    excerpt,
    in_charge_openids,
    photo_count,
    received_fields,
    reporter_actor,
    reporter_view,
    view,
)
from backend.store.db import session_now
from backend.store.models import Concern, Unit, WechatIdentity
from messages import t

log = logging.getLogger(__name__)


def over_limit(session: Session, kv: KV, key: str, *, openid: str | None, now: datetime) -> bool:
    """Count one new concern against `key` for today; True when over `PER_DAY`."""
    today = local_date(now).isoformat()
    try:
        return kv.incr(f"concern:day:{key}:{today}", ttl=86400 * 2) > PER_DAY
    except KVUnavailable:
        if openid is None:
            return False  # without the store the web form is limited by the form token and the size limit only
        start = local_now(now).replace(hour=0, minute=0, second=0, microsecond=0)
        count = session.scalar(
            select(func.count(Concern.id)).where(Concern.reporter_openid == openid, Concern.created_at >= start)
        )
        return (count or 0) >= PER_DAY


def next_ticket(session: Session, now: datetime) -> str:
    local = local_now(now)
    prefix = rules.ticket_no(local.year, local.month, 0)[:6]
    last = session.scalar(select(func.max(Concern.ticket_no)).where(Concern.ticket_no.like(prefix + "%")))
    match = rules.TICKET.match(last or "")
    return rules.ticket_no(local.year, local.month, int(match.group("seq")) + 1 if match else 1)


def open_concern(
    session: Session,
    unit: Unit,
    *,
    channel: str,
    openid: str | None,
    content: str,
    phone: str | None,
    category: str | None,
    now: datetime,
) -> Concern:
    authority = current_authority(session)
    due = rules.deadlines(
        local_date(now),
        working_calendar(session),
        authority.concern_ack_working_days,
        authority.concern_answer_working_days,
    )
    for _attempt in range(5):
        concern = Concern(
            ticket_no=next_ticket(session, now),
            authority_id=unit.authority_id,
            unit_id=unit.id,
            inspector_id=current_inspector_id(session, unit.id),
            channel=channel,
            reporter_openid=openid,
            reporter_phone=phone,
            category=category,
            content=content[:MAX_CONTENT],
            ack_due_on=due.ack_due_on,
            answer_due_on=due.answer_due_on,
            window_until=now + WINDOW if channel == "wechat" else None,
            created_at=now,
        )
        try:
            with session.begin_nested():  # two concerns opened at once may pick the same number: take the next
                session.add(concern)
        except IntegrityError:
            continue
        audit_concern(session, reporter_actor(openid), "concern.received", concern, channel=channel, unit_id=unit.id)
        return concern
    raise RuntimeError("could not number a new concern")


def find_duplicate(session: Session, concern: Concern, now: datetime) -> Concern | None:
    """An earlier open concern about the same school and category saying much the same."""
    if concern.category is None or not concern.content.strip():
        return None
    candidates = session.scalars(
        select(Concern)
        .where(
            Concern.unit_id == concern.unit_id,
            Concern.category == concern.category,
            Concern.id != concern.id,
            Concern.duplicate_of_id.is_(None),
            Concern.created_at >= now - DUPLICATE_WITHIN,
            Concern.state.not_in([ConcernState.DUPLICATE.value, ConcernState.CLOSED.value]),
        )
        .order_by(Concern.id)
    )
    return next((c for c in candidates if rules.similar(c.content, concern.content)), None)


def settle(session: Session, concern: Concern, now: datetime) -> bool:
    """Once a concern's category is known: link it to a similar earlier one (for the person in charge only), and
    tell the person in charge. True if routed.

    A similar concern is routed and answered like any other: telling its sender that someone else reported the
    same would let a school's staff test from a private account what was reported about them (docs/security.md).
    """
    if concern.notified_at is not None or concern.state != ConcernState.RECEIVED.value:
        return False
    original = find_duplicate(session, concern, now)
    if original is not None:
        concern.duplicate_of_id = original.id
        audit_concern(session, "system", "concern.linked", concern, similar_to=original.ticket_no)
    route(session, concern, now)
    return True


def route(session: Session, concern: Concern, now: datetime) -> str:
    """Tell the school's inspector, or the zone leader when it has none, or the office. Does not commit."""
    unit = session.get(Unit, concern.unit_id)
    assert unit is not None
    concern.inspector_id = current_inspector_id(session, unit.id)
    recipients: list[str] = []
    routed_to = "inspector"
    if concern.inspector_id is not None:
        recipients = notices.openids_of_inspector(session, concern.inspector_id)
    if not recipients:
        routed_to = "zone_leader"
        leader = notices.zone_leader_of(session, unit.id)
        recipients = notices.openids_of_inspector(session, leader) if leader else []
    if not recipients:
        routed_to = "office"
        recipients = notices.openids_of_office(session)
    concern.routed_to, concern.notified_at = routed_to, now
    shown = view(session, concern, with_phone=True)
    notices.notify(
        session,
        recipients,
        notice="concern_received",
        text=notice_text(shown, to=routed_to),
        fields=received_fields(concern, shown),
        dedupe_key=f"concern:{concern.id}:received",
        now=now,
    )
    audit_concern(session, "system", "concern.routed", concern, routed_to=routed_to, recipients=len(recipients))
    return routed_to


def notice_text(shown: ConcernView, *, to: str) -> str:
    """What the person in charge reads: the content and, only if given, the phone. Never who sent it."""
    phone = t("concern.notice.phone", phone=shown.phone) if shown.phone else t("concern.notice.no_phone")
    similar = t("concern.notice.similar", original=shown.duplicate_of) if shown.duplicate_of else ""
    return similar + t(
        f"concern.notice.received.{to}",
        ticket=shown.ticket_no,
        school=shown.school,
        category=shown.category_name,
        content=excerpt(shown.content, 300) or t("concern.content.empty"),
        photos=shown.photos,
        phone=phone,
        ack_due=day_label(shown.ack_due_on),
        answer_due=day_label(shown.answer_due_on),
    )


def _window_concern(session: Session, openid: str, now: datetime) -> Concern | None:
    return session.scalar(
        select(Concern)
        .where(Concern.reporter_openid == openid, Concern.window_until.is_not(None), Concern.window_until > now)
        .order_by(Concern.id.desc())
    )


def _current_school(session: Session, me: WechatIdentity, now: datetime) -> Unit | None:
    if me.last_scanned_unit_id is None or me.last_scanned_at is None or now - me.last_scanned_at > SCHOOL_VALID_FOR:
        return None
    unit = session.get(Unit, me.last_scanned_unit_id)
    return unit if unit is not None and unit.active else None


def current_school_name(session: Session, openid: str, now: datetime | None = None) -> str | None:
    me = identities.find(session, openid)
    unit = _current_school(session, me, now or session_now(session)) if me is not None else None
    return unit.name if unit is not None else None


def letters(text: str) -> int:
    return sum(1 for ch in text if ch.isalnum())


def receive(
    session: Session,
    kv: KV,
    *,
    openid: str,
    kind: str,
    text: str = "",
    media_id: str = "",
    now: datetime | None = None,
) -> Received:
    """A public user's message after a scan: it opens a concern, or joins the one still open. Does not commit."""
    now = now or session_now(session)
    me = identities.get_or_create(session, openid)
    if me.blocked:
        # nothing is recorded or routed (see docs/concerns.md); the office sees that the block is working
        audit_concern(session, "system", "concern.refused_blocked", None, identity_id=me.id)
        return Received(Intake.BLOCKED)
    concern = _window_concern(session, openid, now)
    if concern is not None:
        if kind == "image" and photo_count(session, concern.id) >= MAX_PHOTOS:
            return Received(Intake.TOO_MANY_PHOTOS, reporter_view(session, concern))
        _add(session, concern, kind=kind, text=text, media_id=media_id)
        concern.window_until = min(now + WINDOW, concern.created_at + WINDOW_CAP)
        audit_concern(session, reporter_actor(openid), "concern.appended", concern, kind=kind)
        return Received(Intake.APPENDED, reporter_view(session, concern))
    unit = _current_school(session, me, now)
    if unit is None:
        return Received(Intake.NO_SCHOOL)
    if kind == "text" and letters(text) < MIN_FIRST_TEXT:
        return Received(Intake.TOO_SHORT)
    if over_limit(session, kv, f"openid:{openid}", openid=openid, now=now):
        audit_concern(session, "system", "concern.rate_limited", None, identity_id=me.id)
        return Received(Intake.RATE_LIMITED)
    category = rules.infer_category(text, CATEGORY_KEYWORDS) if text else None
    if category is not None and category not in dict(categories(session)):
        category = None
    concern = open_concern(
        session, unit, channel="wechat", openid=openid, content="", phone=None, category=category, now=now
    )
    _add(session, concern, kind=kind, text=text, media_id=media_id)
    routed = settle(session, concern, now) if category else False
    shown = reporter_view(session, concern)
    return Received(Intake.OPENED, shown, category_inferred=category is not None, routed=routed)


def _add(session: Session, concern: Concern, *, kind: str, text: str, media_id: str) -> None:
    if text:
        concern.content = (concern.content + "\n" + text if concern.content else text)[:MAX_CONTENT]
    if media_id and kind in ("image", "voice"):
        media.attach(
            session, owner_type=OWNER, owner_id=concern.id, kind=kind, wechat_media_id=media_id, strip_metadata=True
        )


def _latest_own(session: Session, openid: str, now: datetime) -> Concern | None:
    """The reporter's newest concern that may still be completed (category, phone): under an hour old."""
    return session.scalar(
        select(Concern)
        .where(Concern.reporter_openid == openid, Concern.created_at >= now - WINDOW_CAP)
        .order_by(Concern.id.desc())
    )


def choose_category(session: Session, *, openid: str, number: str, now: datetime | None = None) -> Received:
    """The reporter picked (or corrected) the category by its number. Does not commit."""
    now = now or session_now(session)
    concern = _latest_own(session, openid, now)
    codes = dict(categories(session))
    if concern is None:
        return Received(Intake.NO_SCHOOL)
    if number not in codes:
        raise ValueError(number)
    before = concern.category
    concern.category = number
    audit_concern(session, reporter_actor(openid), "concern.categorised", concern, before=before, after=number)
    routed = settle(session, concern, now)
    return Received(Intake.APPENDED, reporter_view(session, concern), routed=routed)


PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{7,8})$")


def valid_phone(raw: str) -> str | None:
    phone = re.sub(r"[\s\-()（）]", "", raw)
    if PHONE.match(phone):
        return phone
    return None


def set_phone(session: Session, *, openid: str, phone: str, now: datetime | None = None) -> ConcernView | None:
    """The reporter left a phone number on their newest open concern; the person in charge hears it. Does not commit."""
    now = now or session_now(session)
    concern = session.scalar(
        select(Concern)
        .where(Concern.reporter_openid == openid, Concern.state.in_([s.value for s in rules.OPEN_STATES]))
        .order_by(Concern.id.desc())
    )
    if concern is None:
        return None
    concern.reporter_phone = phone
    audit_concern(session, reporter_actor(openid), "concern.phone_given", concern)
    if concern.notified_at is not None:
        shown = view(session, concern, with_phone=True)
        notices.notify(
            session,
            in_charge_openids(session, concern),
            notice="concern_received",
            text=t("concern.notice.phone_added", ticket=concern.ticket_no, school=shown.school, phone=phone),
            fields=received_fields(concern, shown),
            dedupe_key=f"concern:{concern.id}:phone:{hashlib.sha256(phone.encode()).hexdigest()[:8]}",
            now=now,
        )
    return reporter_view(session, concern)
