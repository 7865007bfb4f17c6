"""API tokens: created once and shown once, kept only as a SHA-256 hash, revoked by name."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.services.audit import record
from backend.store.db import session_now
from backend.store.models import ApiToken

TOKEN_PREFIX = "dudao_"  # noqa: S105 - a marker that makes leaked tokens easy to grep for, not a secret
# last_used_at is a hint for the office, not an access log: write it at most this often per token
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenNameTaken(ValueError):
    """A token with this name exists already (revoked ones included: names stay unique)."""


class TokenNotFound(LookupError):
    """No token has this name."""


@dataclass(frozen=True)
class TokenInfo:
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, name: str, actor: str = "office:cli") -> str:
    """A new random token named `name`; the plain token is returned once and never stored. Commits."""
    if session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
        raise TokenNameTaken(name)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name, token_hash=hash_token(token))
    session.add(row)
    session.flush()
    record(session, actor, "api_token.created", "api_token", row.id)
    session.commit()
    return token


def list_tokens(session: Session) -> list[TokenInfo]:
    rows = session.scalars(select(ApiToken).order_by(ApiToken.created_at, ApiToken.id))
    return [TokenInfo(r.name, r.created_at, r.last_used_at, r.revoked_at) for r in rows]


def revoke_token(session: Session, name: str, actor: str = "office:cli") -> bool:
    """Revoke the token `name`; False if it was revoked already. Commits."""
    row = session.scalar(select(ApiToken).where(ApiToken.name == name))
    if row is None:
        raise TokenNotFound(name)
    if row.revoked_at is not None:
        return False
    row.revoked_at = session_now(session)
    record(session, actor, "api_token.revoked", "api_token", row.id)
    session.commit()
    return True


@dataclass(frozen=True)
class TokenCheck:
    """The outcome of presenting a token: its name when it is valid, or why it is not."""

    name: str | None
    revoked: bool = False

    @property
    def valid(self) -> bool:
        return self.name is not None and not self.revoked


def check_token(session: Session, token: str) -> TokenCheck:
    """Look a presented token up by its hash; a valid one gets `last_used_at` refreshed. Commits only then.

    The lookup is by hash, so the time it takes says nothing about how much of a guess was right; the final
    comparison is constant-time all the same.
    """
    digest = hash_token(token)
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return TokenCheck(None)
    if row.revoked_at is not None:
        return TokenCheck(row.name, revoked=True)
    now = session_now(session)
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        # a conditional UPDATE, so that concurrent requests do not each write the row
        stale = now - LAST_USED_RESOLUTION
        session.execute(
            update(ApiToken)
            .where(ApiToken.id == row.id)
            .where((ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at <= stale))
            .values(last_used_at=now)
        )
        session.commit()
    return TokenCheck(row.name)
