"""Public concerns (举报投诉 / 家长留言): intake, routing, the inspector's handling, deadlines, abuse limits.

A concern belongs to one school. From WeChat, what a user sends after scanning a board (text, photos, voice)
within `WINDOW` of their last message joins one concern; from the public page, one form is one concern. The
school's current inspector is told (else the zone leader, else the office); their answer goes back to the
reporter. The reporter's identity (openid, phone) never leaves this module except to the person in charge:
the `ConcernView` given to the school side would carry neither, and nothing here ever writes to a unit.

Use cases do not commit: the caller's transaction (the bot's delivery, the web request, the CLI command, the
sweep) holds the change, its `AuditEvent` and its outbox rows, and commits them together. Notices go through
`notices.notify` with dedupe keys.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.domain import concern as rules
from backend.domain.calendar import local_date, local_now
from backend.domain.kinds import ConcernState
from backend.kv import KV, KVUnavailable
from backend.services import identity as identities
from backend.services import media, notices
from backend.services.authority import current_authority, seed_items
from backend.services.calendar import working_calendar
from backend.store.db import session_now
from backend.store.models import Assignment, AuditEvent, Concern, Inspector, Unit, WechatIdentity, Zone
from messages import t

log = logging.getLogger(__name__)

WINDOW = timedelta(minutes=10)  # messages this close to the previous one join the same concern
WINDOW_CAP = timedelta(hours=1)  # ...but a concern stops taking additions an hour after it was opened
SCHOOL_VALID_FOR = timedelta(days=7)  # a scan makes the school the user's current one for a week
MAX_PHOTOS = 9
MIN_FIRST_TEXT = 5  # letters and digits: "你好" alone does not open a concern
MAX_CONTENT = 5000
PER_DAY = 5  # new concerns per reporter (openid, or IP address on the web) per day
DUPLICATE_WITHIN = timedelta(days=14)
OWNER = "concern"

# the parser's vocabulary for the seed items (codes of `backend.services.authority.seed_items`)
CATEGORY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "1": ("校务", "制度", "管理混乱", "公示", "家委会", "校长"),
    "2": ("招生", "收费", "乱收费", "择校", "学费", "资料费", "补课费", "入学", "学位", "转学"),
    "3": ("课程", "课堂", "上课", "体育课", "音乐课", "美术课", "课表", "教学"),
    "4": ("作业", "负担", "补课", "考试", "排名", "体育锻炼", "睡眠", "课间", "加课"),
    "5": ("师德", "体罚", "打学生", "辱骂", "骂学生", "有偿家教", "收礼", "老师态度"),
    "6": (
        "安全",
        "危险",
        "校车",
        "交通",
        "接送",
        "车辆",
        "消防",
        "打架",
        "霸凌",
        "欺凌",
        "围墙",
        "门卫",
        "溺水",
        "隐患",
    ),
    "7": ("食堂", "饭菜", "食品", "饮水", "宿舍", "卫生", "伙食", "厕所", "变质", "虫子"),
    "8": ("校风", "学风", "教风", "风气"),
}


class Intake(StrEnum):
    OPENED = "opened"
    APPENDED = "appended"
    NO_SCHOOL = "no_school"
    TOO_SHORT = "too_short"
    BLOCKED = "blocked"
    RATE_LIMITED = "rate_limited"
    TOO_MANY_PHOTOS = "too_many_photos"


class NotFound(LookupError):
    """No such ticket, or not one this person may see."""


class NotPermitted(PermissionError):
    """The inspector is not in charge of this concern."""


@dataclass(frozen=True)
class ConcernView:
    """A concern as the reporter or the person in charge sees it. `phone` is filled only for the person in charge."""

    ticket_no: str
    school: str
    category: str | None
    category_name: str
    state: str
    content: str
    photos: int
    received_at: datetime
    ack_due_on: date | None
    answer_due_on: date | None
    answer: str
    note: str
    duplicate_of: str | None
    escalation_level: int
    inspector: str
    phone: str | None = None


@dataclass(frozen=True)
class Received:
    """What became of a message sent to a concern."""

    outcome: Intake
    concern: ConcernView | None = None
    category_inferred: bool = False
    routed: bool = False


@dataclass(frozen=True)
class WebSubmitted:
    ticket_no: str
    secret: str
    duplicate_of: str | None


@dataclass(frozen=True)
class Photo:
    content: bytes
    content_type: str


# --- reading --------------------------------------------------------------------------------------------------


def categories(session: Session) -> list[tuple[str, str]]:
    """The authority's items as (code, name): the category menu."""
    items = current_authority(session).supervision_items or seed_items()
    return [(str(item["code"]), str(item["name"])) for item in items]


def category_name(session: Session, code: str | None) -> str:
    if code is None:
        return t("concern.category.none")
    return dict(categories(session)).get(code, code)


def _photo_count(session: Session, concern_id: int) -> int:
    return sum(1 for m in media.media_of(session, OWNER, concern_id) if m.kind == "image")


def view(session: Session, concern: Concern, *, with_phone: bool = False) -> ConcernView:
    unit = session.get(Unit, concern.unit_id)
    inspector = session.get(Inspector, concern.inspector_id) if concern.inspector_id else None
    original = session.get(Concern, concern.duplicate_of_id) if concern.duplicate_of_id else None
    return ConcernView(
        ticket_no=concern.ticket_no,
        school=unit.name if unit else "",
        category=concern.category,
        category_name=category_name(session, concern.category),
        state=concern.state,
        content=concern.content,
        photos=_photo_count(session, concern.id),
        received_at=concern.created_at,
        ack_due_on=concern.ack_due_on,
        answer_due_on=concern.answer_due_on,
        answer=concern.answer,
        note=concern.note,
        duplicate_of=original.ticket_no if original else None,
        escalation_level=concern.escalation_level,
        inspector=inspector.name if inspector else "",
        phone=concern.reporter_phone if with_phone else None,
    )


def by_ticket(session: Session, ticket: str) -> Concern | None:
    return session.scalar(select(Concern).where(Concern.ticket_no == rules.normalise_ticket(ticket)))


def reporter_concerns(session: Session, openid: str, limit: int = 10) -> list[ConcernView]:
    """The reporter's own concerns, newest first (查询)."""
    rows = session.scalars(
        select(Concern).where(Concern.reporter_openid == openid).order_by(Concern.id.desc()).limit(limit)
    )
    return [view(session, c) for c in rows]


def _led_zones(session: Session, inspector_id: int) -> list[int]:
    return list(session.scalars(select(Zone.id).where(Zone.leader_inspector_id == inspector_id)))


def _in_charge(session: Session, concern: Concern, inspector_id: int) -> bool:
    """The school's inspector on the concern, or the zone leader once it reached them (no inspector, or late)."""
    if concern.inspector_id == inspector_id:
        return True
    if concern.escalation_level < rules.WITH_ZONE_LEADER and concern.routed_to != "zone_leader":
        return False
    zone_id = session.scalar(select(Unit.zone_id).where(Unit.id == concern.unit_id))
    return zone_id is not None and zone_id in _led_zones(session, inspector_id)


def inspector_concerns(session: Session, inspector_id: int, limit: int = 20) -> list[ConcernView]:
    """Concerns waiting for this inspector (留言): their schools', and their zone's that were escalated to them."""
    open_states = [s.value for s in rules.OPEN_STATES]
    zones = _led_zones(session, inspector_id)
    mine = Concern.inspector_id == inspector_id
    condition = mine
    if zones:
        escalated = or_(Concern.escalation_level >= rules.WITH_ZONE_LEADER, Concern.routed_to == "zone_leader")
        condition = or_(mine, and_(Unit.zone_id.in_(zones), escalated))
    rows = session.scalars(
        select(Concern)
        .join(Unit, Unit.id == Concern.unit_id)
        .where(condition, Concern.state.in_(open_states), Concern.notified_at.is_not(None))
        .order_by(Concern.answer_due_on, Concern.id)
        .limit(limit)
    )
    return [view(session, c, with_phone=True) for c in rows]


def detail_for_inspector(session: Session, inspector_id: int, ticket: str) -> ConcernView:
    concern = by_ticket(session, ticket)
    if concern is None:
        raise NotFound(ticket)
    if not _in_charge(session, concern, inspector_id):
        raise NotPermitted(ticket)
    return view(session, concern, with_phone=True)


def list_concerns(session: Session, *, state: str | None = None, limit: int = 100) -> list[ConcernView]:
    """The office's list, newest first (with the phone: the office is on the inspector's side)."""
    query = select(Concern).order_by(Concern.id.desc()).limit(limit)
    if state:
        query = query.where(Concern.state == state)
    return [view(session, c, with_phone=True) for c in session.scalars(query)]


# --- intake ---------------------------------------------------------------------------------------------------


def _audit(session: Session, actor: str, action: str, concern: Concern | None, **detail: Any) -> None:
    session.add(
        AuditEvent(
            actor=actor,
            action=action,
            subject_type="concern",
            subject_id=concern.id if concern else None,
            detail=detail,
        )
    )


def _reporter_actor(openid: str | None) -> str:
    # the audit trail keeps who did what, but only the office reads it: never shown to the school
    return f"wechat:{openid}" if openid else "public:web"


def _over_limit(session: Session, kv: KV, key: str, *, openid: str | None, now: datetime) -> bool:
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


def _next_ticket(session: Session, now: datetime) -> str:
    local = local_now(now)
    prefix = rules.ticket_no(local.year, local.month, 0)[:6]
    last = session.scalar(select(func.max(Concern.ticket_no)).where(Concern.ticket_no.like(prefix + "%")))
    match = rules.TICKET.match(last or "")
    return rules.ticket_no(local.year, local.month, int(match.group("seq")) + 1 if match else 1)


def current_inspector_id(session: Session, unit_id: int) -> int | None:
    return session.scalar(
        select(Assignment.inspector_id).where(Assignment.unit_id == unit_id, Assignment.ends_on.is_(None))
    )


def _open(
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
            ticket_no=_next_ticket(session, now),
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
        _audit(session, _reporter_actor(openid), "concern.received", concern, channel=channel, unit_id=unit.id)
        return concern
    raise RuntimeError("could not number a new concern")


def _find_duplicate(session: Session, concern: Concern, now: datetime) -> Concern | None:
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


def _settle(session: Session, concern: Concern, now: datetime) -> bool:
    """Once a concern's category is known: link it to a duplicate, or tell the person in charge. True if routed."""
    if concern.notified_at is not None or concern.state != ConcernState.RECEIVED.value:
        return False
    original = _find_duplicate(session, concern, now)
    if original is not None:
        concern.state = ConcernState.DUPLICATE.value
        concern.duplicate_of_id = original.id
        concern.window_until = None
        _audit(session, "system", "concern.duplicate", concern, duplicate_of=original.ticket_no)
        return False
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
        fields={
            "ticket_no": concern.ticket_no,
            "school": shown.school,
            "category": shown.category_name,
            "received_at": _when(concern.created_at),
        },
        dedupe_key=f"concern:{concern.id}:received",
        now=now,
    )
    _audit(session, "system", "concern.routed", concern, routed_to=routed_to, recipients=len(recipients))
    return routed_to


def notice_text(shown: ConcernView, *, to: str) -> str:
    """What the person in charge reads: the content and, only if given, the phone. Never who sent it."""
    phone = t("concern.notice.phone", phone=shown.phone) if shown.phone else t("concern.notice.no_phone")
    return t(
        f"concern.notice.received.{to}",
        ticket=shown.ticket_no,
        school=shown.school,
        category=shown.category_name,
        content=_excerpt(shown.content, 300) or t("concern.content.empty"),
        photos=shown.photos,
        phone=phone,
        ack_due=day_label(shown.ack_due_on),
        answer_due=day_label(shown.answer_due_on),
    )


def _excerpt(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _when(moment: datetime) -> str:
    return local_now(moment).strftime("%Y-%m-%d %H:%M")


def day_label(day: date | None) -> str:
    return f"{day.month}月{day.day}日" if day else ""


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


def _letters(text: str) -> int:
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
        _audit(session, "system", "concern.refused_blocked", None, identity_id=me.id)
        return Received(Intake.BLOCKED)
    concern = _window_concern(session, openid, now)
    if concern is not None:
        if kind == "image" and _photo_count(session, concern.id) >= MAX_PHOTOS:
            return Received(Intake.TOO_MANY_PHOTOS, view(session, concern))
        _add(session, concern, kind=kind, text=text, media_id=media_id)
        concern.window_until = min(now + WINDOW, concern.created_at + WINDOW_CAP)
        _audit(session, _reporter_actor(openid), "concern.appended", concern, kind=kind)
        return Received(Intake.APPENDED, view(session, concern))
    unit = _current_school(session, me, now)
    if unit is None:
        return Received(Intake.NO_SCHOOL)
    if kind == "text" and _letters(text) < MIN_FIRST_TEXT:
        return Received(Intake.TOO_SHORT)
    if _over_limit(session, kv, f"openid:{openid}", openid=openid, now=now):
        _audit(session, "system", "concern.rate_limited", None, identity_id=me.id)
        return Received(Intake.RATE_LIMITED)
    category = rules.infer_category(text, CATEGORY_KEYWORDS) if text else None
    if category is not None and category not in dict(categories(session)):
        category = None
    concern = _open(session, unit, channel="wechat", openid=openid, content="", phone=None, category=category, now=now)
    _add(session, concern, kind=kind, text=text, media_id=media_id)
    routed = _settle(session, concern, now) if category else False
    return Received(Intake.OPENED, view(session, concern), category_inferred=category is not None, routed=routed)


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
    _audit(session, _reporter_actor(openid), "concern.categorised", concern, before=before, after=number)
    routed = _settle(session, concern, now)
    return Received(Intake.APPENDED, view(session, concern), routed=routed)


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
    _audit(session, _reporter_actor(openid), "concern.phone_given", concern)
    if concern.notified_at is not None:
        shown = view(session, concern, with_phone=True)
        notices.notify(
            session,
            _in_charge_openids(session, concern),
            notice="concern_received",
            text=t("concern.notice.phone_added", ticket=concern.ticket_no, school=shown.school, phone=phone),
            fields={
                "ticket_no": concern.ticket_no,
                "school": shown.school,
                "category": shown.category_name,
                "received_at": _when(concern.created_at),
            },
            dedupe_key=f"concern:{concern.id}:phone:{hashlib.sha256(phone.encode()).hexdigest()[:8]}",
            now=now,
        )
    return view(session, concern)


def _in_charge_openids(session: Session, concern: Concern) -> list[str]:
    found: list[str] = []
    if concern.inspector_id is not None and concern.routed_to == "inspector":
        found = notices.openids_of_inspector(session, concern.inspector_id)
    if concern.routed_to == "zone_leader" or concern.escalation_level >= rules.WITH_ZONE_LEADER:
        leader = notices.zone_leader_of(session, concern.unit_id)
        found += notices.openids_of_inspector(session, leader) if leader else []
    if concern.routed_to == "office" or concern.escalation_level >= rules.WITH_OFFICE:
        found += notices.openids_of_office(session)
    return found


# --- the web form ---------------------------------------------------------------------------------------------


def school_for_page(session: Session, code: str) -> Unit | None:
    unit = session.scalar(select(Unit).where(Unit.code == code, Unit.active.is_(True)))
    return unit


class WebRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


SECRET_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # noqa: S105 - an alphabet, not a secret; no 0/O, 1/I/L: read off a phone and typed again


def _secret_hash(pepper: str, ticket: str, secret: str) -> str:
    return hmac.new(pepper.encode(), f"{ticket}:{secret.upper()}".encode(), hashlib.sha256).hexdigest()


def submit_from_web(
    session: Session,
    kv: KV,
    media_dir: Path,
    *,
    school_code: str,
    content: str,
    category: str | None,
    phone: str | None,
    photos: Sequence[Photo],
    client_key: str,
    pepper: str,
    now: datetime | None = None,
) -> WebSubmitted:
    """A concern sent through the public page. `client_key` identifies the sender for the rate limit only
    (e.g. a hash of the IP address); it is not stored. Does not commit."""
    now = now or session_now(session)
    unit = school_for_page(session, school_code)
    if unit is None:
        raise NotFound(school_code)
    if _letters(content) < MIN_FIRST_TEXT:
        raise WebRefused("too_short")
    if len(photos) > MAX_PHOTOS:
        raise WebRefused("too_many_photos")
    codes = dict(categories(session))
    category = category if category in codes else rules.infer_category(content, CATEGORY_KEYWORDS)
    if category is not None and category not in codes:
        category = None
    if _over_limit(session, kv, f"web:{client_key}", openid=None, now=now):
        _audit(session, "system", "concern.rate_limited", None, channel="web")
        raise WebRefused("rate_limited")
    concern = _open(session, unit, channel="web", openid=None, content=content, phone=phone, category=category, now=now)
    for photo in photos:
        media.keep_file(
            session,
            media_dir,
            owner_type=OWNER,
            owner_id=concern.id,
            kind="image",
            content=photo.content,
            content_type=photo.content_type,
            strip_metadata=True,
        )
    secret = "".join(secrets.choice(SECRET_ALPHABET) for _ in range(8))
    concern.status_secret_hash = _secret_hash(pepper, concern.ticket_no, secret)
    if category is None:
        route(session, concern, now)  # no second message will come to say which item it is
    else:
        _settle(session, concern, now)
    original = session.get(Concern, concern.duplicate_of_id) if concern.duplicate_of_id else None
    return WebSubmitted(concern.ticket_no, secret, original.ticket_no if original else None)


def status_for_public(session: Session, *, ticket: str, secret: str, pepper: str) -> ConcernView:
    """The status page: the ticket and its secret, or NotFound (the same answer for a wrong secret)."""
    concern = by_ticket(session, ticket)
    expected = concern.status_secret_hash if concern is not None else ""
    given = _secret_hash(pepper, rules.normalise_ticket(ticket), secret.strip())
    if concern is None or not expected or not hmac.compare_digest(expected, given):
        raise NotFound(ticket)
    return view(session, concern)


# --- handling: the inspector, the zone leader, the office -----------------------------------------------------


def _handle(
    session: Session,
    ticket: str,
    *,
    target: ConcernState,
    actor: str,
    inspector_id: int | None,
    text: str = "",
    now: datetime | None = None,
) -> ConcernView:
    now = now or session_now(session)
    concern = by_ticket(session, ticket)
    if concern is None:
        raise NotFound(ticket)
    if inspector_id is not None and not _in_charge(session, concern, inspector_id):
        raise NotPermitted(ticket)
    before = concern.state
    rules.check_move(before, target.value)
    concern.state = target.value
    concern.window_until = None
    if target is ConcernState.ACKNOWLEDGED or (concern.acknowledged_at is None and target is ConcernState.VERIFYING):
        concern.acknowledged_at = now
    if target is ConcernState.ANSWERED:
        concern.answer, concern.answered_at = text, now
    elif target in (ConcernState.REFERRED, ConcernState.NOT_SUBSTANTIATED):
        concern.note, concern.answered_at = text, now
    elif target is ConcernState.CLOSED:
        concern.closed_at = now
    _audit(session, actor, f"concern.{target.value}", concern, before=before, text=text)
    _tell_reporter(session, concern, target, now)
    return view(session, concern, with_phone=True)


def _tell_reporter(session: Session, concern: Concern, target: ConcernState, now: datetime) -> None:
    if not concern.reporter_openid or target is ConcernState.VERIFYING:
        return
    school = session.scalar(select(Unit.name).where(Unit.id == concern.unit_id)) or ""
    if target is ConcernState.ACKNOWLEDGED:
        notice, fields = "concern_acknowledged", {"acknowledged_at": _when(now)}
        text = t("concern.reporter.acknowledged", ticket=concern.ticket_no, school=school)
    elif target is ConcernState.CLOSED:
        return  # closing is bookkeeping; the reporter already has the answer
    else:
        notice, fields = "concern_answered", {"answered_at": _when(now)}
        body = concern.answer if target is ConcernState.ANSWERED else concern.note
        text = t(f"concern.reporter.{target.value}", ticket=concern.ticket_no, school=school, text=body)
    digest = hashlib.sha256(text.encode()).hexdigest()[:10]
    notices.notify(
        session,
        [concern.reporter_openid],
        notice=notice,
        text=text,
        fields={"ticket_no": concern.ticket_no, "school": school, **fields},
        dedupe_key=f"concern:{concern.id}:{target.value}:{digest}",
        now=now,
    )


def acknowledge(session: Session, ticket: str, *, actor: str, inspector_id: int | None = None) -> ConcernView:
    return _handle(session, ticket, target=ConcernState.ACKNOWLEDGED, actor=actor, inspector_id=inspector_id)


def start_verifying(session: Session, ticket: str, *, actor: str, inspector_id: int | None = None) -> ConcernView:
    return _handle(session, ticket, target=ConcernState.VERIFYING, actor=actor, inspector_id=inspector_id)


def answer(session: Session, ticket: str, text: str, *, actor: str, inspector_id: int | None = None) -> ConcernView:
    return _handle(session, ticket, target=ConcernState.ANSWERED, actor=actor, inspector_id=inspector_id, text=text)


def not_substantiated(
    session: Session, ticket: str, reason: str, *, actor: str, inspector_id: int | None = None
) -> ConcernView:
    target = ConcernState.NOT_SUBSTANTIATED
    return _handle(session, ticket, target=target, actor=actor, inspector_id=inspector_id, text=reason)


def refer(session: Session, ticket: str, to: str, *, actor: str, inspector_id: int | None = None) -> ConcernView:
    return _handle(session, ticket, target=ConcernState.REFERRED, actor=actor, inspector_id=inspector_id, text=to)


def close(session: Session, ticket: str, *, actor: str, inspector_id: int | None = None) -> ConcernView:
    return _handle(session, ticket, target=ConcernState.CLOSED, actor=actor, inspector_id=inspector_id)


def mark_duplicate(session: Session, ticket: str, of: str, *, actor: str) -> ConcernView:
    """The office links a concern to an earlier one by hand. Does not commit."""
    concern, original = by_ticket(session, ticket), by_ticket(session, of)
    if concern is None or original is None or concern.id == original.id:
        raise NotFound(ticket if concern is None else of)
    rules.check_move(concern.state, ConcernState.DUPLICATE.value)
    before = concern.state
    concern.state, concern.duplicate_of_id, concern.window_until = ConcernState.DUPLICATE.value, original.id, None
    _audit(session, actor, "concern.duplicate", concern, before=before, duplicate_of=original.ticket_no)
    return view(session, concern, with_phone=True)


# a closed concern is finished and a duplicate is handled through the one it joined: nothing there to assign
NOT_ASSIGNABLE: frozenset[ConcernState] = frozenset({ConcernState.CLOSED, ConcernState.DUPLICATE})


def assign_concern(
    session: Session, concern_id: int, inspector_id: int, *, actor: str, now: datetime | None = None
) -> ConcernView:
    """The office (or a zone leader) puts another inspector in charge (改派); the new one is told. Does not commit.

    Assigning the inspector already in charge changes nothing. The caller checks the person's scope (a zone
    leader acts on their zone only); here the inspector must be an active one of the concern's authority.
    """
    now = now or session_now(session)
    concern = session.get(Concern, concern_id)
    if concern is None:
        raise NotFound(str(concern_id))
    inspector = session.get(Inspector, inspector_id)
    if inspector is None or not inspector.active or inspector.authority_id != concern.authority_id:
        raise NotFound(f"inspector {inspector_id}")
    if ConcernState(concern.state) in NOT_ASSIGNABLE:
        raise rules.IllegalTransition(concern.state, "assigned")
    if concern.inspector_id == inspector_id:
        return view(session, concern, with_phone=True)
    before = concern.inspector_id
    # the how-many-th change of hands: A→B→A→B tells each new inspector, a repeated request tells nobody twice
    changes = session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.subject_type == "concern",
            AuditEvent.subject_id == concern.id,
            AuditEvent.action == "concern.assigned",
        )
    )
    concern.inspector_id = inspector_id
    # the inspector is told now: the sweep must not route it again to the school's own inspector
    concern.routed_to, concern.window_until = "inspector", None
    concern.notified_at = concern.notified_at or now
    _audit(session, actor, "concern.assigned", concern, before=before, after=inspector_id)
    shown = view(session, concern)  # no phone: the new inspector reads it in 留言 <ticket> as the person in charge
    notices.notify(
        session,
        notices.openids_of_inspector(session, inspector_id),
        notice="concern_received",
        text=t(
            "office.notice.concern_assigned",
            ticket=shown.ticket_no,
            school=shown.school,
            category=shown.category_name,
            content=_excerpt(shown.content, 300) or t("concern.content.empty"),
            photos=shown.photos,
            state=t(f"concern.state.{shown.state}"),
            ack_due=day_label(shown.ack_due_on),
            answer_due=day_label(shown.answer_due_on),
        ),
        fields={
            "ticket_no": concern.ticket_no,
            "school": shown.school,
            "category": shown.category_name,
            "received_at": _when(concern.created_at),
        },
        dedupe_key=f"concern:{concern.id}:assigned:{changes or 0}:{inspector_id}",
        now=now,
    )
    return view(session, concern, with_phone=True)


# --- the block list -------------------------------------------------------------------------------------------


def set_blocked(session: Session, openid: str, blocked: bool, *, actor: str) -> bool:
    """Put `openid` on the block list or take it off; False when nothing changed. Does not commit."""
    me = identities.get_or_create(session, openid)
    if me.blocked == blocked:
        return False
    me.blocked = blocked
    session.add(
        AuditEvent(
            actor=actor,
            action="concern.reporter_blocked" if blocked else "concern.reporter_unblocked",
            subject_type="wechat_identity",
            subject_id=me.id,
        )
    )
    return True


def blocked_openids(session: Session) -> list[str]:
    return list(
        session.scalars(select(WechatIdentity.openid).where(WechatIdentity.blocked).order_by(WechatIdentity.id))
    )


# --- the sweep: concerns nobody categorised, reminders, escalation --------------------------------------------


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
        _audit(session, "system", "concern.reminded", concern, kind=kind, due_on=due.isoformat())
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
                content=_excerpt(shown.content, 200),
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
        _audit(session, "system", "concern.escalated", concern, level=rung, missed=missed.isoformat())
        done += 1
    concern.escalation_level = level
    return done
