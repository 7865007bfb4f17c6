"""Signed, expiring links to a form inside WeChat's browser (a task's check form, a unit's 自评 form).

The bot sends a link; the person opens it in WeChat's browser, where we cannot tell who they are (no OAuth here).
So the link itself says whom it was sent to and for what: a token `<payload>.<signature>` carried in the query
string (`?k=…`). The payload holds the openid it was sent to, the subject (what the form is about, e.g.
`task_check:12`) and the moment it expires; the signature is an HMAC-SHA256 of the payload under a key derived from
`DUDAO_SECRET_KEY`. Nothing is stored: a link lives until it expires, or until the page finds the openid no longer
entitled to the subject (unbound, another inspector's check): the page checks that on every request.

- Checked in constant time (`hmac.compare_digest`), before the payload is even decoded.
- A forged, altered or truncated token, or one for another kind of form: `LinkRefused("tampered")`, a 403 page;
  a genuine one past its time: `LinkRefused("expired")`, a 410 page (`backend.web.form_pages`).
- The token is in the query string, which no log keeps (the request log, gunicorn's and nginx's formats drop it);
  neither the secret nor a token is logged here, and `repr(FormLink)` shows no openid.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

VERSION = 1
PARAM = "k"  # the query parameter carrying the token
DEFAULT_LIFETIME = timedelta(days=7)
MAX_LIFETIME = timedelta(days=90)  # a link is a key: none opens a form for longer than a season
MAX_TOKEN = 1024  # characters; a longer one is refused before anything is computed
_TOKEN = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$")
_CONTEXT = b"dudao form link v1"


class LinkRefused(Exception):
    """A link that opens nothing: `reason` is `tampered` (403) or `expired` (410)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def status(self) -> int:
        return 410 if self.reason == "expired" else 403


@dataclass(frozen=True)
class FormLink:
    """What a verified link stands for."""

    openid: str = field(repr=False)
    subject: str
    expires_at: datetime

    def subject_id(self, prefix: str) -> int:
        """The number after `prefix:` in the subject (`task_check:12` → 12); refused as tampered otherwise."""
        head, _, rest = self.subject.partition(":")
        if head != prefix or not rest.isdigit() or len(rest) > 18:
            raise LinkRefused("tampered")
        return int(rest)


def _key(secret: str) -> bytes:
    # a key of its own, derived from the app's secret: a form link's signature is no session's or form token's
    return hmac.new(secret.encode(), _CONTEXT, hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, payload: str) -> str:
    return _b64(hmac.new(_key(secret), payload.encode("ascii"), hashlib.sha256).digest())


def sign(secret: str, *, openid: str, subject: str, expires_at: datetime) -> str:
    """A token for `openid` to open the form of `subject` until `expires_at` (aware)."""
    if not openid or not subject:
        raise ValueError("a form link needs an openid and a subject")
    expires = int(expires_at.astimezone(UTC).timestamp())
    payload = _b64(json.dumps([VERSION, openid, subject, expires], separators=(",", ":")).encode())
    return f"{payload}.{_signature(secret, payload)}"


def expiry(now: datetime, until: datetime | None = None, lifetime: timedelta = DEFAULT_LIFETIME) -> datetime:
    """When a link sent `now` should expire: at `until` (e.g. the end of the task's window) or after `lifetime`,
    never later than `MAX_LIFETIME` from now."""
    wanted = until if until is not None else now + lifetime
    return min(wanted, now + MAX_LIFETIME)


def verify(secret: str, token: str, *, now: datetime, prefix: str | None = None) -> FormLink:
    """What `token` stands for, or `LinkRefused`. With `prefix`, the subject must be of that kind of form."""
    if not token or len(token) > MAX_TOKEN or not _TOKEN.match(token):
        raise LinkRefused("tampered")
    payload, _, signature = token.partition(".")
    if not hmac.compare_digest(signature, _signature(secret, payload)):
        raise LinkRefused("tampered")
    try:
        version, openid, subject, expires = json.loads(_unb64(payload))
    except (ValueError, TypeError, binascii.Error) as exc:  # signed by us, so never; but never a 500 either
        raise LinkRefused("tampered") from exc
    if version != VERSION or not isinstance(openid, str) or not isinstance(subject, str):
        raise LinkRefused("tampered")
    if not isinstance(expires, int) or isinstance(expires, bool):
        raise LinkRefused("tampered")
    if prefix is not None and subject.partition(":")[0] != prefix:
        raise LinkRefused("tampered")
    expires_at = datetime.fromtimestamp(expires, tz=UTC)
    if now >= expires_at:
        raise LinkRefused("expired")
    return FormLink(openid, subject, expires_at)


def url(public_url: str, path: str, token: str) -> str:
    """The link as sent: `<DUDAO_PUBLIC_URL><path>?k=<token>`."""
    return f"{public_url.rstrip('/')}{path}?{PARAM}={quote(token, safe='._-')}"


def link(
    secret: str, public_url: str, path: str, *, openid: str, subject: str, now: datetime, until: datetime | None = None
) -> str:
    """Sign and build in one step: the URL `openid` may open until `until` (or the default lifetime)."""
    token = sign(secret, openid=openid, subject=subject, expires_at=expiry(now, until))
    return url(public_url, path, token)


__all__ = [
    "DEFAULT_LIFETIME",
    "MAX_LIFETIME",
    "PARAM",
    "FormLink",
    "LinkRefused",
    "expiry",
    "link",
    "sign",
    "url",
    "verify",
]
