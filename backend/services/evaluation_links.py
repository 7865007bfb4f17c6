"""The signed link that opens a unit's 自评 form inside WeChat's browser (`/e/<token>`).

A minimal stand-in with the shape of tasks-chat's `backend/services/form_links.py` (issue 14) so the two can be
swapped: `make(secret, purpose, subject_id, expires_at)` and `read(secret, purpose, token, now)`. The token is
`<subject id>.<expiry, unix seconds>.<HMAC-SHA256>`; the purpose is inside the HMAC, so a link made for one form
never opens another. Pure: no database.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

PURPOSE = "evaluation"


def _signature(secret: str, purpose: str, subject_id: int, expires: int) -> str:
    message = f"{purpose}|{subject_id}|{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def make(secret: str, purpose: str, subject_id: int, expires_at: datetime) -> str:
    expires = int(expires_at.timestamp())
    return f"{subject_id}.{expires}.{_signature(secret, purpose, subject_id, expires)}"


def read(secret: str, purpose: str, token: str, now: datetime) -> int | None:
    """The subject id of a genuine, unexpired token; None for anything else (never raises)."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or len(parts[0]) > 10:
        return None
    subject_id, expires = int(parts[0]), int(parts[1])
    if not hmac.compare_digest(parts[2], _signature(secret, purpose, subject_id, expires)):
        return None
    if datetime.fromtimestamp(expires, UTC) < now:
        return None
    return subject_id
