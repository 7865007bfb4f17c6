"""Accounts of the office web: office admins (the whole authority) and zone leaders (one zone).

Passwords are kept only as werkzeug hashes (scrypt). `Scope` is what a signed-in person may see and change;
every query and action of the office web takes one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from backend.domain import passwords
from backend.services.audit import record
from backend.services.authority import current_authority
from backend.store.db import session_now
from backend.store.models import OfficeUser, Unit, Zone

MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH
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


def check_password_rules(password: str, username: str = "") -> None:
    """Refuse a password that breaks a rule of `backend.domain.passwords` (the message says which)."""
    key = passwords.problem(password, username)
    if key is not None:
        raise UserError(key, length=passwords.MIN_LENGTH, kinds=passwords.MIN_KINDS, most=passwords.MAX_LENGTH)


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: OfficeRole,
    zone_name: str | None = None,
    display_name: str = "",
    actor: str = "office:cli",
    must_change_password: bool = False,
) -> OfficeUser:
    """A new account; a zone leader needs an existing zone. `must_change_password`: the person changes the
    password at their first sign-in (the CLI sets it: whoever typed it is not the person). Commits."""
    username = username.strip()
    if not username:
        raise UserError("office.user.name_missing")
    if session.scalar(select(OfficeUser.id).where(OfficeUser.username == username)) is not None:
        raise UserError("office.user.exists", username=username)
    check_password_rules(password, username)
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
        must_change_password=must_change_password,
    )
    session.add(user)
    session.flush()
    detail: dict[str, object] = {"role": role.value, "zone": zone_name, "must_change_password": must_change_password}
    _audit(session, actor, "office_user.created", user, detail)
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


def reset_password(
    session: Session, username: str, password: str, actor: str = "office:cli", must_change_password: bool = False
) -> None:
    """Give an account a new password (the old sessions end: they carry the old hash's stamp); with
    `must_change_password` the person chooses their own at the next sign-in. Commits."""
    user = _find(session, username)
    check_password_rules(password, user.username)
    user.password_hash = generate_password_hash(password, method="scrypt")
    user.must_change_password = must_change_password
    user.password_changed_at = session_now(session)
    _audit(session, actor, "office_user.password_reset", user, {"must_change_password": must_change_password})
    session.commit()


def change_password(session: Session, user_id: int, current: str, new: str, ip: str = "") -> OfficeUser:
    """The person changes their own password: the current one is asked, the new one follows the rules and is
    not the current one. Ends the first-login obligation. Commits."""
    user = session.get(OfficeUser, user_id)
    if user is None or not user.active:
        raise UserError("office.user.not_found", username="")
    if not check_password_hash(user.password_hash, current):
        record(session, f"office:{user.username}", "office_user.password_change_failed", "office_user", user.id, ip=ip)
        session.commit()
        raise UserError("office.password.wrong_current")
    if new == current:
        raise UserError("office.password.same")
    check_password_rules(new, user.username)
    user.password_hash = generate_password_hash(new, method="scrypt")
    user.must_change_password = False
    user.password_changed_at = session_now(session)
    record(session, f"office:{user.username}", "office_user.password_changed", "office_user", user.id, ip=ip)
    session.commit()
    return user


@dataclass(frozen=True)
class LastLogin:
    """The sign-in before this one, shown to the person after they sign in (None: their first)."""

    at: datetime | None
    ip: str


def note_login(session: Session, user: OfficeUser, ip: str, password_days: int = 0) -> LastLogin:
    """Keep this sign-in as the account's last, the one before as its previous; returns the one before. A
    password older than `password_days` (when not 0) must now be changed."""
    now = session_now(session)
    if password_days and (user.password_changed_at or user.created_at) < now - timedelta(days=password_days):
        user.must_change_password = True
    before = LastLogin(user.last_login_at, user.last_login_ip)
    user.previous_login_at, user.previous_login_ip = user.last_login_at, user.last_login_ip
    user.last_login_at, user.last_login_ip = session_now(session), ip[:64]
    return before


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
