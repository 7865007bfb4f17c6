"""Accounts of the office web: office admins (the whole authority) and zone leaders (one zone).

Passwords are kept only as werkzeug hashes (scrypt). `Scope` is what a signed-in person may see and change;
every query and action of the office web takes one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from backend.services.audit import record
from backend.services.authority import current_authority
from backend.store.models import OfficeUser, Unit, Zone

MIN_PASSWORD_LENGTH = 10
# verifying against this keeps the time of a login for an unknown name the same as for a known one
_DUMMY_HASH = generate_password_hash("not-a-password-of-anyone", method="scrypt")


class OfficeRole(StrEnum):
    OFFICE = "office"  # 督导室: everything in the authority
    ZONE_LEADER = "zone_leader"  # 责任区组长: their zone only


class UserError(ValueError):
    """A request about accounts that cannot be met; `key` names the message for the person."""

    def __init__(self, key: str, **fields: object) -> None:
        super().__init__(key)
        self.key = key
        self.fields = fields


@dataclass(frozen=True)
class Scope:
    """What a signed-in person may see: the authority, and for a zone leader one zone."""

    user_id: int
    username: str
    display_name: str
    role: OfficeRole
    authority_id: int
    zone_id: int | None
    zone_name: str | None

    @property
    def is_office(self) -> bool:
        return self.role is OfficeRole.OFFICE

    @property
    def actor(self) -> str:
        """The audit log's name for this person."""
        return f"office:{self.username}"

    def units(self) -> ColumnElement[bool]:
        """The condition on `Unit` that keeps a query inside this scope."""
        if self.is_office:
            return Unit.authority_id == self.authority_id
        if self.zone_id is None:  # a zone leader without a zone sees nothing rather than everything
            return ~true()
        return (Unit.authority_id == self.authority_id) & (Unit.zone_id == self.zone_id)

    def covers_zone(self, zone_id: int | None) -> bool:
        return self.is_office or (zone_id is not None and zone_id == self.zone_id)


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError("office.user.password_short", length=MIN_PASSWORD_LENGTH)


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: OfficeRole,
    zone_name: str | None = None,
    display_name: str = "",
    actor: str = "office:cli",
) -> OfficeUser:
    """A new account; a zone leader needs an existing zone. Commits."""
    username = username.strip()
    if not username:
        raise UserError("office.user.name_missing")
    if session.scalar(select(OfficeUser.id).where(OfficeUser.username == username)) is not None:
        raise UserError("office.user.exists", username=username)
    check_password_rules(password)
    authority = current_authority(session)
    zone_id = None
    if role is OfficeRole.ZONE_LEADER:
        if not zone_name:
            raise UserError("office.user.zone_missing")
        zone_id = session.scalar(select(Zone.id).where(Zone.authority_id == authority.id, Zone.name == zone_name))
        if zone_id is None:
            raise UserError("office.user.no_zone", zone=zone_name)
    user = OfficeUser(
        authority_id=authority.id,
        username=username,
        display_name=display_name or username,
        password_hash=generate_password_hash(password, method="scrypt"),
        role=role.value,
        zone_id=zone_id,
    )
    session.add(user)
    session.flush()
    _audit(session, actor, "office_user.created", user, {"role": role.value, "zone": zone_name})
    session.commit()
    return user


def _audit(session: Session, actor: str, action: str, user: OfficeUser, detail: dict[str, object]) -> None:
    record(session, actor, action, "office_user", user.id, detail)


def _find(session: Session, username: str) -> OfficeUser:
    user = session.scalar(select(OfficeUser).where(OfficeUser.username == username))
    if user is None:
        raise UserError("office.user.not_found", username=username)
    return user


def set_active(session: Session, username: str, active: bool, actor: str = "office:cli") -> bool:
    """Disable (or enable again) an account; False when it already was. Commits."""
    user = _find(session, username)
    if user.active == active:
        return False
    user.active = active
    _audit(session, actor, "office_user.enabled" if active else "office_user.disabled", user, {})
    session.commit()
    return True


def reset_password(session: Session, username: str, password: str, actor: str = "office:cli") -> None:
    """Give an account a new password (the old sessions end: they carry the old hash's stamp). Commits."""
    check_password_rules(password)
    user = _find(session, username)
    user.password_hash = generate_password_hash(password, method="scrypt")
    _audit(session, actor, "office_user.password_reset", user, {})
    session.commit()


def authenticate(session: Session, username: str, password: str) -> OfficeUser | None:
    """The active account with this name and password, or None (same work either way)."""
    user = session.scalar(select(OfficeUser).where(OfficeUser.username == username.strip()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def password_stamp(user: OfficeUser) -> str:
    """A short fingerprint of the password hash, kept in the session: a new password ends older sessions."""
    return user.password_hash[-12:]


def scope_of(session: Session, user: OfficeUser) -> Scope:
    zone_name = session.scalar(select(Zone.name).where(Zone.id == user.zone_id)) if user.zone_id else None
    return Scope(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name or user.username,
        role=OfficeRole(user.role),
        authority_id=user.authority_id,
        zone_id=user.zone_id,
        zone_name=zone_name,
    )


def list_users(session: Session) -> list[OfficeUser]:
    return list(session.scalars(select(OfficeUser).order_by(OfficeUser.username)))
