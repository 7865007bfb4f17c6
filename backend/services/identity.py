"""WeChat users as the system knows them: who they are (role), when they last wrote, what they last scanned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.domain.kinds import Role
from backend.domain.scenes import parse_scene
from backend.services.schools import ResponsibleInspector
from backend.store.models import Assignment, AuditEvent, Inspector, Unit, WechatIdentity
from backend.store.types import utcnow


@dataclass(frozen=True)
class Who:
    """A WeChat user's role and the person or unit behind it, as the bot sees them."""

    openid: str
    role: str
    name: str = ""  # the inspector's name, or the unit's name for a unit contact
    inspector_id: int | None = None
    unit_id: int | None = None
    last_scanned_unit_id: int | None = None

    @property
    def is_bound(self) -> bool:
        return self.role != Role.PUBLIC.value


@dataclass(frozen=True)
class ScannedSchool:
    """What a scan of a board tells the scanner: the school and its current responsible inspector."""

    code: str
    name: str
    inspector: ResponsibleInspector | None


def get_or_create(session: Session, openid: str) -> WechatIdentity:
    """The identity of `openid`, created as a public user on first contact. Does not commit."""
    identity = session.scalar(select(WechatIdentity).where(WechatIdentity.openid == openid))
    if identity is not None:
        return identity
    try:
        # a savepoint, because two first messages of one user may race to create the row
        with session.begin_nested():
            identity = WechatIdentity(openid=openid, role=Role.PUBLIC.value)
            session.add(identity)
    except IntegrityError:
        identity = session.scalars(select(WechatIdentity).where(WechatIdentity.openid == openid)).one()
    return identity


def find(session: Session, openid: str) -> WechatIdentity | None:
    return session.scalar(select(WechatIdentity).where(WechatIdentity.openid == openid))


def who(session: Session, identity: WechatIdentity) -> Who:
    """Resolve the role: a binding to a person or unit that no longer exists or is inactive counts as public."""
    name = ""
    role = identity.role
    if role == Role.INSPECTOR.value:
        inspector = session.get(Inspector, identity.inspector_id) if identity.inspector_id else None
        if inspector is None or not inspector.active:
            role = Role.PUBLIC.value
        else:
            name = inspector.name
    elif role == Role.UNIT.value:
        unit = session.get(Unit, identity.unit_id) if identity.unit_id else None
        if unit is None or not unit.active:
            role = Role.PUBLIC.value
        else:
            name = unit.name
    return Who(
        openid=identity.openid,
        role=role,
        name=name,
        inspector_id=identity.inspector_id if role == Role.INSPECTOR.value else None,
        unit_id=identity.unit_id if role == Role.UNIT.value else None,
        last_scanned_unit_id=identity.last_scanned_unit_id,
    )


def record_inbound(identity: WechatIdentity, at: datetime | None = None) -> None:
    """The user wrote to us: WeChat's 48-hour customer-service window starts again. Does not commit."""
    identity.last_inbound_at = at or utcnow()


def set_following(session: Session, identity: WechatIdentity, following: bool) -> None:
    """A follow or unfollow event. Does not commit."""
    if identity.following == following:
        return
    identity.following = following
    session.add(
        AuditEvent(
            actor=f"wechat:{identity.openid}",
            action="wechat.followed" if following else "wechat.unfollowed",
            subject_type="wechat_identity",
            subject_id=identity.id,
        )
    )


def record_scan(session: Session, identity: WechatIdentity, scene: str) -> ScannedSchool | None:
    """A scan of a school's board: remember the school; None when the scene is not a known school's.

    Any printing (version) of the board resolves to the school and so to its current inspector. Does not commit.
    """
    parsed = parse_scene(scene)
    if parsed is None:
        return None
    row = session.execute(
        select(Unit.id, Unit.name, Inspector.name, Inspector.phone)
        .outerjoin(Assignment, and_(Assignment.unit_id == Unit.id, Assignment.ends_on.is_(None)))
        .outerjoin(Inspector, Inspector.id == Assignment.inspector_id)
        .where(Unit.code == parsed.code, Unit.active.is_(True))
    ).first()
    if row is None:
        return None
    unit_id, name, inspector_name, inspector_phone = row
    identity.last_scanned_unit_id = unit_id
    identity.last_scanned_at = utcnow()
    inspector = None if inspector_name is None else ResponsibleInspector(inspector_name, inspector_phone or "")
    return ScannedSchool(code=parsed.code, name=name, inspector=inspector)
