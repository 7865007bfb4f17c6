"""What a concern looks like to each side, the refusals, and the reading of concerns."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from backend.domain import concern as rules
from backend.domain.calendar import local_now
from backend.domain.errors import DomainError
from backend.services import media, notices
from backend.services.audit import record
from backend.services.authority import current_authority, seed_items
from backend.store.models import Assignment, Concern, Inspector, Unit, Zone
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


class NotFound(DomainError, LookupError):
    """No such ticket, or not one this person may see."""

    def __init__(self, ticket: str) -> None:
        super().__init__("concern.inspector.not_found", ticket=ticket)


class NotPermitted(DomainError, PermissionError):
    """The inspector is not in charge of this concern."""

    def __init__(self, ticket: str) -> None:
        super().__init__("concern.inspector.not_permitted", ticket=ticket)


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


def photo_count(session: Session, concern_id: int) -> int:
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
        photos=photo_count(session, concern.id),
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


def reporter_view(session: Session, concern: Concern) -> ConcernView:
    """A concern as its reporter sees it: never which other concern it resembles or was merged into."""
    return replace(view(session, concern), duplicate_of=None)


def reporter_state_key(state: str) -> str:
    """The message key of a state as the reporter reads it: a merge says nothing of the other concern."""
    return "concern.mine.state.duplicate" if state == "duplicate" else f"concern.state.{state}"


def by_ticket(session: Session, ticket: str) -> Concern | None:
    return session.scalar(select(Concern).where(Concern.ticket_no == rules.normalise_ticket(ticket)))


def reporter_concerns(session: Session, openid: str, limit: int = 10) -> list[ConcernView]:
    """The reporter's own concerns, newest first (查询)."""
    rows = session.scalars(
        select(Concern).where(Concern.reporter_openid == openid).order_by(Concern.id.desc()).limit(limit)
    )
    return [reporter_view(session, c) for c in rows]


def led_zones(session: Session, inspector_id: int) -> list[int]:
    return list(session.scalars(select(Zone.id).where(Zone.leader_inspector_id == inspector_id)))


def in_charge(session: Session, concern: Concern, inspector_id: int) -> bool:
    """The school's inspector on the concern, or the zone leader once it reached them (no inspector, or late)."""
    if concern.inspector_id == inspector_id:
        return True
    if concern.escalation_level < rules.WITH_ZONE_LEADER and concern.routed_to != "zone_leader":
        return False
    zone_id = session.scalar(select(Unit.zone_id).where(Unit.id == concern.unit_id))
    return zone_id is not None and zone_id in led_zones(session, inspector_id)


def inspector_concerns(session: Session, inspector_id: int, limit: int = 20) -> list[ConcernView]:
    """Concerns waiting for this inspector (留言): their schools', and their zone's that were escalated to them."""
    open_states = [s.value for s in rules.OPEN_STATES]
    zones = led_zones(session, inspector_id)
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
    if not in_charge(session, concern, inspector_id):
        raise NotPermitted(ticket)
    return view(session, concern, with_phone=True)


def list_concerns(session: Session, *, state: str | None = None, limit: int = 100) -> list[ConcernView]:
    """The office's list, newest first (with the phone: the office is on the inspector's side)."""
    query = select(Concern).order_by(Concern.id.desc()).limit(limit)
    if state:
        query = query.where(Concern.state == state)
    return [view(session, c, with_phone=True) for c in session.scalars(query)]


def audit_concern(session: Session, actor: str, action: str, concern: Concern | None, **detail: Any) -> None:
    record(session, actor, action, "concern", concern.id if concern else None, **detail)


def received_fields(concern: Concern, shown: ConcernView) -> dict[str, str]:
    """The fields of the `concern_received` template message."""
    return {
        "ticket_no": concern.ticket_no,
        "school": shown.school,
        "category": shown.category_name,
        "received_at": when(concern.created_at),
    }


def reporter_actor(openid: str | None) -> str:
    # the audit trail keeps who did what, but only the office reads it: never shown to the school
    return f"wechat:{openid}" if openid else "public:web"


def current_inspector_id(session: Session, unit_id: int) -> int | None:
    return session.scalar(
        select(Assignment.inspector_id).where(Assignment.unit_id == unit_id, Assignment.ends_on.is_(None))
    )


def excerpt(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def when(moment: datetime) -> str:
    return local_now(moment).strftime("%Y-%m-%d %H:%M")


def day_label(day: date | None) -> str:
    return f"{day.month}月{day.day}日" if day else ""


def in_charge_openids(session: Session, concern: Concern) -> list[str]:
    found: list[str] = []
    if concern.inspector_id is not None and concern.routed_to == "inspector":
        found = notices.openids_of_inspector(session, concern.inspector_id)
    if concern.routed_to == "zone_leader" or concern.escalation_level >= rules.WITH_ZONE_LEADER:
        leader = notices.zone_leader_of(session, concern.unit_id)
        found += notices.openids_of_inspector(session, leader) if leader else []
    if concern.routed_to == "office" or concern.escalation_level >= rules.WITH_OFFICE:
        found += notices.openids_of_office(session)
    return found
