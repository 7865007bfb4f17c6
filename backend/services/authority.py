"""The authority (county) this deployment serves, created on first use with the eight supervision items."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.store.models import Authority
from messages import t

DEFAULT_AUTHORITY_CODE = "default"
ITEM_CODES = [str(n) for n in range(1, 9)]


def seed_items() -> list[dict[str, str]]:
    """The eight supervision items (八项督导事项): every authority's list starts from these."""
    return [{"code": code, "name": t(f"item.{code}")} for code in ITEM_CODES]


def current_authority(session: Session, code: str = DEFAULT_AUTHORITY_CODE, name: str = "") -> Authority:
    """The authority with `code`, created (with the seed items) if there is none yet. Does not commit."""
    authority = session.scalar(select(Authority).where(Authority.code == code))
    if authority is None:
        authority = Authority(code=code, name=name or t("authority.default_name"), supervision_items=seed_items())
        session.add(authority)
        session.flush()
    return authority
