"""Binding a WeChat user to an inspector or a unit contact with a one-time code, and undoing it.

The office issues a ten-digit code (`dudao bind-code …`, shown as two groups of five, like a phone number);
the person sends `绑定 <code>` to the official account. Only an HMAC of the code is kept, codes expire and work
once, and attempts are limited in the key-value store: five an hour per openid, and `FAILURES_PER_HOUR` wrong
codes an hour across all openids (then nobody binds until the hour is over, and the office is told once).

Why that is enough: at most 50 wrong guesses an hour, 1,200 in a code's 24 hours, against 10**10 codes of which
a county has at most ~1,000 live at once: the chance that a day of guessing hits any live code is
1,200 x 1,000 / 10**10 = 1.2 x 10**-4, and the office hears of it in the first hour (docs/security.md).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.domain.calendar import local_now
from backend.domain.errors import DomainError
from backend.domain.kinds import Role
from backend.kv import KV, KVUnavailable
from backend.services import menus, notices
from backend.services.audit import record
from backend.services.identity import get_or_create
from backend.store.db import session_now
from backend.store.models import BindCode, Inspector, OfficeUser, Unit, WechatIdentity
from messages import t

log = logging.getLogger(__name__)

CODE_TTL = timedelta(hours=24)
ATTEMPTS_PER_HOUR = 5  # per openid
FAILURES_PER_HOUR = 50  # wrong codes across all openids: many accounts cannot share the guessing
CODE_DIGITS = 10
_CODE = re.compile(rf"^\d{{{CODE_DIGITS}}}$")


class UnknownPerson(DomainError, LookupError):
    """No inspector with that number, no unit with that code, or no office user of that name."""


class Bound(StrEnum):
    """How an attempt to bind ended."""

    BOUND = "bound"
    MALFORMED = "malformed"
    INVALID = "invalid"
    USED = "used"
    EXPIRED = "expired"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class BindResult:
    outcome: Bound
    role: str = ""
    name: str = ""


@dataclass(frozen=True)
class IssuedCode:
    code: str
    role: str
    name: str
    expires_at: datetime

    @property
    def grouped(self) -> str:
        """The code as it is read out and typed: `12345 67890`."""
        return f"{self.code[:5]} {self.code[5:]}"


@dataclass(frozen=True)
class Binding:
    openid: str
    role: str
    name: str
    bound_at: datetime | None


def hash_code(code: str, pepper: str) -> str:
    """What is stored for a code: an HMAC keyed by the deployment's secret, so a stolen table is not a code list."""
    return hmac.new(pepper.encode(), code.encode(), hashlib.sha256).hexdigest()


def normalise_code(text: str) -> str | None:
    """The digits of a code as people type it: full-width digits, spaces and dashes allowed."""
    digits = re.sub(r"[\s\-]+", "", unicodedata.normalize("NFKC", text))
    return digits if _CODE.match(digits) else None


def _person(session: Session, role: Role, key: str) -> tuple[int, str]:
    if role is Role.INSPECTOR:
        inspector = session.scalar(select(Inspector).where(Inspector.number == key))
        if inspector is None:
            raise UnknownPerson("cli.bind_code.no_inspector", number=key)
        return inspector.id, inspector.name
    if role is Role.UNIT:
        unit = session.scalar(select(Unit).where(Unit.code == key))
        if unit is None:
            raise UnknownPerson("cli.bind_code.no_unit", code=key)
        return unit.id, unit.name
    if role is Role.OFFICE:
        user = session.scalar(select(OfficeUser).where(OfficeUser.username == key, OfficeUser.active))
        if user is None:
            raise UnknownPerson("cli.bind_code.no_office_user", username=key)
        return user.id, user.display_name or user.username
    raise ValueError(f"no bind codes for role {role}")


def issue_code(
    session: Session,
    *,
    role: Role,
    key: str,
    pepper: str,
    actor: str,
    now: datetime | None = None,
    ttl: timedelta = CODE_TTL,
) -> IssuedCode:
    """A new one-time code for the inspector numbered `key`, the unit coded `key` or the office user named `key`.

    Does not commit.
    """
    person_id, name = _person(session, role, key)
    now = now or session_now(session)
    while True:  # a code's hash is unique over all codes ever issued; draw again on a collision
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        digest = hash_code(code, pepper)
        if session.scalar(select(BindCode.id).where(BindCode.code_hash == digest)) is None:
            break
    row = BindCode(
        code_hash=digest,
        role=role.value,
        inspector_id=person_id if role is Role.INSPECTOR else None,
        unit_id=person_id if role is Role.UNIT else None,
        office_user_id=person_id if role is Role.OFFICE else None,
        expires_at=now + ttl,
        created_at=now,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        "binding.code_issued",
        "bind_code",
        row.id,
        role=role.value,
        key=key,
        expires_at=row.expires_at.isoformat(),
    )
    return IssuedCode(code=code, role=role.value, name=name, expires_at=row.expires_at)


def _over_limit(kv: KV, openid: str) -> bool:
    return kv.incr(f"bind:attempts:{openid}", ttl=3600) > ATTEMPTS_PER_HOUR


def _failures_key(now: datetime) -> str:
    return f"bind:failures:{local_now(now).strftime('%Y%m%d%H')}"


def _wrong_code(session: Session, kv: KV, openid: str, now: datetime) -> BindResult:
    """A code that matches none: counted across all openids; the office hears once when the cap is reached."""
    try:
        failures = kv.incr(_failures_key(now), ttl=2 * 3600)
    except KVUnavailable:
        return BindResult(Bound.INVALID)
    if failures == FAILURES_PER_HOUR:
        log.warning("%d wrong bind codes this hour across openids: binding is paused until the hour ends", failures)
        record(session, "system", "binding.guessing_stopped", "bind_code", None, failures=failures, last_openid=openid)
        at = local_now(now).strftime("%Y-%m-%d %H:%M")
        notices.notify(
            session,
            notices.openids_of_office(session),
            notice="office_alert",
            text=t("bot.bind.guessing_alert", failures=failures, at=at),
            fields={"subject": t("bot.bind.guessing_subject"), "detail": t("bot.bind.guessing_detail"), "at": at},
            dedupe_key=_failures_key(now),
            now=now,
        )
    return BindResult(Bound.INVALID)


def bind(session: Session, kv: KV, *, openid: str, code: str, pepper: str, now: datetime | None = None) -> BindResult:
    """Spend `code` to bind `openid`. Every attempt counts against the hourly limit per openid, every wrong code
    against the hourly cap across openids. Does not commit."""
    now = now or session_now(session)
    try:
        if _over_limit(kv, openid) or int(kv.get(_failures_key(now)) or 0) >= FAILURES_PER_HOUR:
            return BindResult(Bound.RATE_LIMITED)
    except KVUnavailable:
        return BindResult(Bound.UNAVAILABLE)  # without the limit, codes could be guessed: refuse for now
    digits = normalise_code(code)
    if digits is None:
        return BindResult(Bound.MALFORMED)
    row = session.scalar(select(BindCode).where(BindCode.code_hash == hash_code(digits, pepper)))
    if row is None:
        return _wrong_code(session, kv, openid, now)
    if row.used_at is not None:
        return BindResult(Bound.USED)
    if row.expires_at <= now:
        return BindResult(Bound.EXPIRED)
    # single use even when two people send the same code at the same moment
    spent = session.execute(
        update(BindCode)
        .where(BindCode.id == row.id, BindCode.used_at.is_(None))
        .values(used_at=now, used_by_openid=openid)
        .execution_options(synchronize_session=False)
    )
    if getattr(spent, "rowcount", 0) != 1:
        return BindResult(Bound.USED)
    session.refresh(row)
    identity = get_or_create(session, openid)
    before = {"role": identity.role, "inspector_id": identity.inspector_id, "unit_id": identity.unit_id}
    identity.role = row.role
    identity.inspector_id = row.inspector_id
    identity.unit_id = row.unit_id
    identity.office_user_id = row.office_user_id
    identity.bound_at = now
    role = Role(row.role)
    _, name = _person_by_id(session, role, row.inspector_id or row.unit_id or row.office_user_id or 0)
    event = record(
        session,
        f"wechat:{openid}",
        "binding.bound",
        "wechat_identity",
        identity.id,
        bind_code_id=row.id,
        role=row.role,
        before=before,
    )
    session.flush()
    menus.queue_tag_sync(session, openid=openid, role=row.role, cause=f"audit{event.id}")  # their menu follows
    return BindResult(Bound.BOUND, role=row.role, name=name)


def _person_by_id(session: Session, role: Role, person_id: int) -> tuple[int, str]:
    if role is Role.INSPECTOR:
        inspector = session.get(Inspector, person_id)
        return person_id, inspector.name if inspector else ""
    if role is Role.OFFICE:
        user = session.get(OfficeUser, person_id)
        return person_id, (user.display_name or user.username) if user else ""
    unit = session.get(Unit, person_id)
    return person_id, unit.name if unit else ""


def _clear(session: Session, identity: WechatIdentity, *, actor: str, action: str) -> None:
    before = {"role": identity.role, "inspector_id": identity.inspector_id, "unit_id": identity.unit_id}
    identity.role = Role.PUBLIC.value
    identity.inspector_id = identity.unit_id = identity.office_user_id = None
    identity.bound_at = None
    event = record(session, actor, action, "wechat_identity", identity.id, before)
    session.flush()
    menus.queue_tag_sync(session, openid=identity.openid, role=Role.PUBLIC.value, cause=f"audit{event.id}")


def unbind(session: Session, *, openid: str) -> bool:
    """The user asks to drop their binding; False when there was none. Does not commit."""
    identity = session.scalar(select(WechatIdentity).where(WechatIdentity.openid == openid))
    if identity is None or identity.role == Role.PUBLIC.value:
        return False
    _clear(session, identity, actor=f"wechat:{openid}", action="binding.unbound")
    return True


def revoke(session: Session, *, openid: str, actor: str) -> bool:
    """The office drops a binding; False when there was none. Does not commit."""
    identity = session.scalar(select(WechatIdentity).where(WechatIdentity.openid == openid))
    if identity is None or identity.role == Role.PUBLIC.value:
        return False
    _clear(session, identity, actor=actor, action="binding.revoked")
    return True


def list_bindings(session: Session) -> list[Binding]:
    """Every WeChat user bound to an inspector, a unit or the office, with the name behind the binding."""
    rows = session.execute(
        select(WechatIdentity, Inspector.name, Unit.name, OfficeUser.display_name)
        .outerjoin(Inspector, Inspector.id == WechatIdentity.inspector_id)
        .outerjoin(Unit, Unit.id == WechatIdentity.unit_id)
        .outerjoin(OfficeUser, OfficeUser.id == WechatIdentity.office_user_id)
        .where(WechatIdentity.role != Role.PUBLIC.value)
        .order_by(WechatIdentity.role, WechatIdentity.bound_at)
    )
    return [
        Binding(identity.openid, identity.role, inspector_name or unit_name or office_name or "", identity.bound_at)
        for identity, inspector_name, unit_name, office_name in rows
    ]
