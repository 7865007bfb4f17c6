"""WeChat users as the system knows them: who they are (role), when they last wrote, what they last scanned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, select
from sqlalchemy.orm import Session

from backend.domain.kinds import FORMER_INSPECTOR, Role
from backend.domain.scenes import parse_scene
from backend.services.audit import record
from backend.services.deliveries import insert_for
from backend.services.schools import ResponsibleInspector
from backend.store.db import session_now
from backend.store.models import Assignment, Inspector, Unit, WechatIdentity


@dataclass(frozen=True)
class Who:
    """A WeChat user's role and the person or unit behind it, as the bot sees them."""

    openid: str
    role: str
    name: str = ""  # the inspector's name, or the unit's name for a unit contact
    inspector_id: int | None = None
    unit_id: int | None = None
    last_scanned_unit_id: int | None = None
    # a former inspector's appointment: 停聘 or 解聘 (EndOfAppointment) and from when
    ended_kind: str = ""
    ended_on: date | None = None

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
    identity = find(session, openid)
    if identity is not None:
        return identity
    # two first messages of one user may race to create the row: DO NOTHING, then read the winner's
    created = _upsert(session, openid, touched_at=None)
    return created if created is not None else session.scalars(_FIND, {"openid": openid}).one()


def arrive(session: Session, openid: str, *, wrote: bool) -> WechatIdentity:
    """The user of an incoming delivery, created as public on first contact; a message (`wrote`) also restarts
    WeChat's 48-hour window. One statement for a message (an upsert returning the row). Does not commit."""
    if not wrote:
        return get_or_create(session, openid)
    touched = _upsert(session, openid, touched_at=session_now(session))
    assert touched is not None  # DO UPDATE always returns the row
    return touched


_identities = cast(Table, WechatIdentity.__table__)
_FIND = select(WechatIdentity).where(WechatIdentity.openid == bindparam("openid"))
_upserts: dict[tuple[str, bool], Any] = {}  # (dialect, touch): built once, reused with new values


def _upsert(session: Session, openid: str, *, touched_at: datetime | None) -> WechatIdentity | None:
    """Insert a public user; on conflict touch `last_inbound_at` (given `touched_at`) or do nothing (None)."""
    dialect, touch = session.get_bind().dialect.name, touched_at is not None
    stmt = _upserts.get((dialect, touch))
    if stmt is None:
        insert = insert_for(session)(_identities)
        if touch:
            refresh = {"last_inbound_at": insert.excluded.last_inbound_at, "updated_at": insert.excluded.updated_at}
            insert = insert.on_conflict_do_update(index_elements=["openid"], set_=refresh)
        else:
            insert = insert.on_conflict_do_nothing(index_elements=["openid"])
        stmt = _upserts[(dialect, touch)] = select(WechatIdentity).from_statement(insert.returning(*_identities.c))
    now = touched_at or session_now(session)
    values = {"openid": openid, "role": Role.PUBLIC.value, "last_inbound_at": touched_at, "updated_at": now}
    rows = session.scalars(stmt, values, execution_options={"populate_existing": True})
    return cast(WechatIdentity | None, rows.one_or_none())


def find(session: Session, openid: str) -> WechatIdentity | None:
    return session.scalars(_FIND, {"openid": openid}).first()


def who(session: Session, identity: WechatIdentity) -> Who:
    """Resolve the role: a binding to a person or unit that no longer exists or is inactive counts as public."""
    name = ""
    role = identity.role
    ended_kind, ended_on = "", None
    if role == Role.INSPECTOR.value:
        inspector = session.get(Inspector, identity.inspector_id) if identity.inspector_id else None
        if inspector is None:
            role = Role.PUBLIC.value
        elif not inspector.active:  # 停聘 / 解聘: told so kindly, never taken for a parent
            role, name = FORMER_INSPECTOR, inspector.name
            ended_kind, ended_on = inspector.ended_kind, inspector.ended_on
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
        ended_kind=ended_kind,
        ended_on=ended_on,
    )


def set_following(session: Session, identity: WechatIdentity, following: bool) -> None:
    """A follow or unfollow event. Does not commit."""
    if identity.following == following:
        return
    identity.following = following
    record(
        session,
        f"wechat:{identity.openid}",
        "wechat.followed" if following else "wechat.unfollowed",
        "wechat_identity",
        identity.id,
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
    identity.last_scanned_at = session_now(session)
    inspector = None if inspector_name is None else ResponsibleInspector(inspector_name, inspector_phone or "")
    return ScannedSchool(code=parsed.code, name=name, inspector=inspector)
