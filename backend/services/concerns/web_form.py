"""The board page's concern form and the public status page (ticket and secret)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.domain import concern as rules
from backend.kv import KV
from backend.services import media
from backend.services.concerns.intake import letters, open_concern, over_limit, route, settle
from backend.services.concerns.views import (
    CATEGORY_KEYWORDS,
    MAX_PHOTOS,
    MIN_FIRST_TEXT,
    OWNER,
    ConcernView,
    NotFound,
    Photo,
    WebSubmitted,
    audit_concern,
    by_ticket,
    categories,
    reporter_view,
)
from backend.store.db import session_now
from backend.store.models import Concern, Unit

log = logging.getLogger(__name__)


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
    if letters(content) < MIN_FIRST_TEXT:
        raise WebRefused("too_short")
    if len(photos) > MAX_PHOTOS:
        raise WebRefused("too_many_photos")
    codes = dict(categories(session))
    category = category if category in codes else rules.infer_category(content, CATEGORY_KEYWORDS)
    if category is not None and category not in codes:
        category = None
    if over_limit(session, kv, f"web:{client_key}", openid=None, now=now):
        audit_concern(session, "system", "concern.rate_limited", None, channel="web")
        raise WebRefused("rate_limited")
    concern = open_concern(
        session, unit, channel="web", openid=None, content=content, phone=phone, category=category, now=now
    )
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
        settle(session, concern, now)
    return WebSubmitted(concern.ticket_no, secret)


def status_for_public(session: Session, *, ticket: str, secret: str, pepper: str) -> ConcernView:
    """The status page: the ticket and its secret, or NotFound (the same answer for a wrong secret)."""
    return reporter_view(session, concern_for_secret(session, ticket=ticket, secret=secret, pepper=pepper))


def concern_for_secret(session: Session, *, ticket: str, secret: str, pepper: str) -> Concern:
    """The concern whose ticket and status secret these are, or NotFound (the same for a wrong secret)."""
    concern = by_ticket(session, ticket)
    expected = concern.status_secret_hash if concern is not None else ""
    given = _secret_hash(pepper, rules.normalise_ticket(ticket), secret.strip())
    if concern is None or not expected or not hmac.compare_digest(expected, given):
        raise NotFound(ticket)
    return concern
