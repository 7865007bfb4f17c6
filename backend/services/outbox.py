"""The outbox: pushes written with the change that caused them, sent afterwards by the worker.

`enqueue` adds a row in the caller's transaction; a second enqueue with the same `dedupe_key` does nothing.
`send_due` claims due rows (PostgreSQL: `FOR UPDATE SKIP LOCKED`), commits the claim as a lease
(`claimed_until`), sends each row, and marks it at once in its own short transaction. A worker killed
mid-send loses nothing: when its lease runs out another worker takes the row.

Payloads by kind:
- `text` / `office_alert`: `{"content": str, "fields"?: {...}, "url"?: str}` (a customer-service text)
- `image`: `{"media_id": str, "fields"?: {...}, "url"?: str}`
- `template`: `{"fields": {...}, "url"?: str, "template_id"?: str}` (template id from config by `notice`)
- `menu_tag`: `{"role": str}`: the user's menu tag made to match their role (`backend/services/menus.py`); a row
  a newer `menu_tag` row for the same user supersedes is marked sent without a call
`fields` feed the notice kind's template field map (messages/templates.py): a text or image outside the
48 h window (45015, 45047) goes again as that template.

The residual duplicate window, honestly: a template message carries `client_msg_id` derived from the
dedupe_key, so a resend after a crash within 10 minutes is dropped by WeChat. A customer-service message
has no such key: if the worker dies (or the database is unreachable) after WeChat accepted it and before
the row is marked, the row is sent again when the lease expires. A timeout is the same case: WeChat may
have delivered the message we gave up waiting for. We keep that window to one HTTP answer plus one small
UPDATE (the mark is committed right after each send, never batched).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from backend.domain.kinds import OutboxState
from backend.kv import KV
from backend.notify import (
    API_QUOTA_EXCEEDED,
    AccountMenus,
    FallBack,
    GiveUp,
    Notifier,
    NotifyError,
    Outcome,
)
from backend.services.audit import record
from backend.store.db import Database
from backend.store.models import OutboxMessage
from messages.templates import TEMPLATE_FIELDS

log = logging.getLogger(__name__)

KINDS = ("text", "image", "template", "office_alert", "menu_tag")
LEASE = timedelta(seconds=120)
LEASE_MARGIN = 30.0  # seconds: stop starting sends this long before the lease ends (one call + its retries)
MAX_ATTEMPTS = 10
FIRST_BACKOFF = 30.0  # seconds, doubled per attempt
MAX_BACKOFF = 3600.0
QUOTA_BACKOFF = 3600.0  # 45009: the day's quota is spent; try again in an hour
CLIENT_MSG_ID_MAX = 64
# WeChat truncates template values by keyword type; we cut them ourselves so the cut is visible ("…")
KEYWORD_LIMITS = {"thing": 20, "character_string": 32, "phrase": 5, "name": 10, "car_number": 8}


class TemplateUnavailable(ValueError):
    """The notice kind has no template configured, or its fields do not fill the field map."""


# --- enqueue ---


def enqueue(
    session: Session,
    *,
    openid: str,
    kind: str,
    payload: dict[str, Any],
    dedupe_key: str,
    notice: str = "",
) -> bool:
    """Add a push to the outbox in the caller's transaction (no commit). False if `dedupe_key` is queued already."""
    if kind not in KINDS:
        raise ValueError(f"outbox kind must be one of {KINDS}, not {kind!r}")
    if not openid or not dedupe_key or len(dedupe_key) > 200:
        raise ValueError("an outbox message needs an openid and a dedupe_key of 1-200 characters")
    if kind == "template" and not (notice or payload.get("template_id")):
        raise ValueError("a template message needs a notice kind (or a template_id)")
    if session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)) is not None:
        return False
    # the unique constraint is the backstop for a concurrent enqueue; DO NOTHING keeps the caller's
    # transaction alive where a failed INSERT would abort it (PostgreSQL)
    values = {"openid": openid, "kind": kind, "notice": notice, "payload": payload, "dedupe_key": dedupe_key}
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id)
    )
    return session.execute(stmt).first() is not None


# --- sending ---


@dataclass(frozen=True)
class Claimed:
    """A claimed row, as plain data: sending happens outside any transaction."""

    id: int
    dedupe_key: str
    openid: str
    kind: str
    notice: str
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class PushResult:
    """How one send of one row ended: `result` is `sent`, `sent_as_template`, `retry` or `given_up`."""

    outbox_id: int
    kind: str
    notice: str
    result: str
    attempt: int  # this send's number: 1 for the first
    code: int | None = None  # WeChat's errcode, if it answered one


PushListener = Callable[[PushResult], None]


@dataclass
class SendReport:
    claimed: int = 0
    sent: int = 0
    fell_back: int = 0
    retried: int = 0
    given_up: int = 0
    released: int = 0
    on_push: PushListener | None = field(default=None, repr=False, compare=False)

    def finished(self, message: Claimed, result: str, code: int | None = None) -> None:
        """Count one send's end, and tell the listener (the worker's push log line: `log_push`)."""
        if result in ("sent", "sent_as_template"):
            self.sent += 1
            self.fell_back += result == "sent_as_template"
        elif result == "retry":
            self.retried += 1
        else:
            self.given_up += 1
        if self.on_push is not None:
            self.on_push(PushResult(message.id, message.kind, message.notice, result, message.attempts + 1, code))


def claim_due(db: Database, *, now: datetime, batch: int = 50, lease: timedelta = LEASE) -> list[Claimed]:
    """Take up to `batch` due rows for `lease` and commit the claim. Rows another worker holds are skipped."""
    free = or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now)
    due = (OutboxMessage.state == OutboxState.PENDING.value, OutboxMessage.next_attempt_at <= now, free)
    pick = select(OutboxMessage.id).where(*due).order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(batch)
    if db.is_postgres:
        pick = pick.with_for_update(skip_locked=True)
    # one UPDATE ... WHERE id IN (SELECT ... [FOR UPDATE SKIP LOCKED]) RETURNING: the claim is atomic on
    # both databases (SQLite serialises writers; the outer WHERE re-checks a row another worker just took)
    stmt = (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(pick), *due)
        .values(claimed_until=now + lease)
        .returning(
            OutboxMessage.id,
            OutboxMessage.dedupe_key,
            OutboxMessage.openid,
            OutboxMessage.kind,
            OutboxMessage.notice,
            OutboxMessage.payload,
            OutboxMessage.attempts,
        )
        .execution_options(synchronize_session=False)
    )
    with db.session() as session:
        rows = session.execute(stmt).all()
    claimed = [Claimed(*row) for row in rows]
    claimed.sort(key=lambda c: c.id)
    return claimed


def send_due(
    db: Database,
    notifier: Notifier,
    *,
    now: datetime | None = None,
    batch: int = 50,
    templates: Mapping[str, str] | None = None,
    lease: timedelta = LEASE,
    max_attempts: int = MAX_ATTEMPTS,
    kv: KV | None = None,
    on_push: PushListener | None = None,
) -> SendReport:
    """Send the due rows once each; `templates` maps notice kinds to template ids (`Config.templates`); `kv`
    caches the menu tags' ids for `menu_tag` rows; `on_push` hears how each send ended (the worker logs one line
    per push)."""
    now = now or db.clock.now()
    templates = templates or {}
    report = SendReport(on_push=on_push)
    claimed = claim_due(db, now=now, batch=batch, lease=lease)
    report.claimed = len(claimed)
    stop_at = time.monotonic() + lease.total_seconds() - LEASE_MARGIN
    for position, message in enumerate(claimed):
        if time.monotonic() >= stop_at:
            # our lease is nearly over: leave the rest to the next round (or another worker), now
            report.released = _release(db, [m.id for m in claimed[position:]])
            log.warning("outbox: lease nearly over, released %d message(s)", report.released)
            break
        keep_going = _send_one(
            db, notifier, message, now=now, templates=templates, max_attempts=max_attempts, report=report, kv=kv
        )
        if not keep_going:
            # WeChat is unreachable, refuses our token call, or the day's quota is spent: the rest would fail too
            report.released = _release(db, [m.id for m in claimed[position + 1 :]])
            break
    return report


def _send_one(
    db: Database,
    notifier: Notifier,
    message: Claimed,
    *,
    now: datetime,
    templates: Mapping[str, str],
    max_attempts: int,
    report: SendReport,
    kv: KV | None = None,
) -> bool:
    """Send one claimed message and mark it; False when the next ones are bound to fail the same way."""
    fell_back: NotifyError | None = None
    if message.kind == "menu_tag":
        from backend.services.menus import superseded

        newer = superseded(db, message.id, message.openid)
        if newer is not None:
            _mark_sent(db, message, now=now, note=f"superseded by outbox message {newer}")
            report.sent += 1
            return True
    try:
        try:
            _deliver(notifier, message, templates, kv)
        except FallBack as exc:
            if message.kind == "template":
                raise GiveUp(str(exc), code=exc.code, path=exc.path) from exc
            fell_back = exc
            _deliver_template(notifier, message, templates)
    except TemplateUnavailable as exc:
        code = fell_back.code if fell_back else None
        _give_up(db, message, now=now, error=f"{fell_back or ''} {exc}".strip(), code=code)
        report.finished(message, "given_up", code)
        return True
    except NotifyError as exc:
        if exc.outcome is Outcome.GIVE_UP or message.attempts + 1 >= max_attempts:
            _give_up(db, message, now=now, error=str(exc), code=exc.code)
            report.finished(message, "given_up", exc.code)
        else:
            _retry_later(db, message, now=now, error=str(exc), code=exc.code)
            report.finished(message, "retry", exc.code)
        unreachable = exc.code in (None, API_QUOTA_EXCEEDED) or exc.path == "token"
        return not (exc.outcome is Outcome.RETRY and unreachable)
    except Exception as exc:
        # a bug or a broken payload: keep the row, count the attempt, give up when attempts run out
        log.exception("outbox: sending message %s failed unexpectedly", message.id)
        error = f"{type(exc).__name__}: {exc}"
        if message.attempts + 1 >= max_attempts:
            _give_up(db, message, now=now, error=error, code=None)
            report.finished(message, "given_up")
        else:
            _retry_later(db, message, now=now, error=error, code=None)
            report.finished(message, "retry")
        return True
    note = f"sent as template after {fell_back}" if fell_back else ""
    _mark_sent(db, message, now=now, note=note)
    report.finished(message, "sent_as_template" if fell_back else "sent")
    return True


def _deliver(notifier: Notifier, message: Claimed, templates: Mapping[str, str], kv: KV | None = None) -> None:
    payload = message.payload
    if message.kind == "menu_tag":
        from backend.services.menus import sync_user_tags

        if not isinstance(notifier, AccountMenus):
            raise GiveUp("this notifier has no menu and tag API")
        sync_user_tags(notifier, kv, str(getattr(notifier, "appid", "")), message.openid, str(payload["role"]))
    elif message.kind in ("text", "office_alert"):
        notifier.send_text(message.openid, str(payload["content"]))
    elif message.kind == "image":
        notifier.send_image(message.openid, str(payload["media_id"]))
    elif message.kind == "template":
        _deliver_template(notifier, message, templates)
    else:
        raise GiveUp(f"unknown outbox kind {message.kind!r}")


def _deliver_template(notifier: Notifier, message: Claimed, templates: Mapping[str, str]) -> None:
    payload = message.payload
    template_id = str(payload.get("template_id") or templates.get(message.notice, ""))
    if not template_id:
        raise TemplateUnavailable(
            f"no template configured for notice {message.notice!r} ({template_env(message.notice)})"
        )
    fields = {"content": payload.get("content", ""), **(payload.get("fields") or {})}
    data = template_data(message.notice, fields)
    notifier.send_template(
        message.openid,
        template_id,
        data,
        url=payload.get("url") or None,
        client_msg_id=client_msg_id(message.dedupe_key),
    )


def template_env(notice: str) -> str:
    """The environment variable that holds the template id of a notice kind."""
    return f"DUDAO_TEMPLATE_{notice.upper()}"


def template_data(notice: str, fields: Mapping[str, Any]) -> dict[str, str]:
    """The template keywords of `notice` filled from `fields`, each cut to its keyword type's length."""
    field_map = TEMPLATE_FIELDS.get(notice)
    if field_map is None:
        raise TemplateUnavailable(f"no field map for notice {notice!r} in messages/templates.py")
    data = {}
    for keyword, pattern in field_map.items():
        try:
            value = pattern.format(**fields)
        except KeyError as exc:
            raise TemplateUnavailable(f"notice {notice!r} needs the field {exc.args[0]!r}") from exc
        data[keyword] = _fit(keyword, value)
    return data


def _fit(keyword: str, value: str) -> str:
    kind = keyword.rstrip("0123456789")
    limit = KEYWORD_LIMITS.get(kind)
    if limit is None or len(value) <= limit:
        return value
    return value[: limit - 1] + "…"


def client_msg_id(dedupe_key: str) -> str:
    """The template message's `client_msg_id`: the dedupe_key itself, or a digest of a long one (stable)."""
    if len(dedupe_key) <= CLIENT_MSG_ID_MAX:
        return dedupe_key
    return hashlib.sha256(dedupe_key.encode("utf-8")).hexdigest()


def backoff(attempts: int, code: int | None = None) -> timedelta:
    """How long to wait before attempt `attempts + 1`."""
    if code == API_QUOTA_EXCEEDED:
        return timedelta(seconds=QUOTA_BACKOFF)
    return timedelta(seconds=min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF))


# --- marking (each its own short transaction, right after the send) ---


def _still_ours(message: Claimed) -> tuple[Any, ...]:
    # a row another worker already finished (after our lease ran out) is left as it is
    return (OutboxMessage.id == message.id, OutboxMessage.state == OutboxState.PENDING.value)


def _mark_sent(db: Database, message: Claimed, *, now: datetime, note: str) -> None:
    with db.session() as session:
        session.execute(
            update(OutboxMessage)
            .where(*_still_ours(message))
            .values(
                state=OutboxState.SENT.value,
                sent_at=now,
                claimed_until=None,
                attempts=OutboxMessage.attempts + 1,
                last_error=note,
            )
            .execution_options(synchronize_session=False)
        )


def _retry_later(db: Database, message: Claimed, *, now: datetime, error: str, code: int | None) -> None:
    attempts = message.attempts + 1
    with db.session() as session:
        session.execute(
            update(OutboxMessage)
            .where(*_still_ours(message))
            .values(
                attempts=OutboxMessage.attempts + 1,
                next_attempt_at=now + backoff(attempts, code),
                claimed_until=None,
                last_error=error,
            )
            .execution_options(synchronize_session=False)
        )


def _give_up(db: Database, message: Claimed, *, now: datetime, error: str, code: int | None) -> None:
    with db.session() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(*_still_ours(message))
            .values(
                state=OutboxState.GIVEN_UP.value,
                attempts=OutboxMessage.attempts + 1,
                claimed_until=None,
                last_error=error,
            )
            .execution_options(synchronize_session=False)
        )
        if not getattr(result, "rowcount", 1):
            return
        # the office alert: the office web lists these events
        record(
            session,
            "system",
            "outbox.given_up",
            "outbox_message",
            message.id,
            now=now,
            openid=message.openid,
            kind=message.kind,
            notice=message.notice,
            dedupe_key=message.dedupe_key,
            attempts=message.attempts + 1,
            code=code,
            error=error,
        )


def _release(db: Database, ids: list[int]) -> int:
    with db.session() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.state == OutboxState.PENDING.value)
            .values(claimed_until=None)
            .execution_options(synchronize_session=False)
        )
    return int(getattr(result, "rowcount", 0))


# --- what the office sees ---


def given_up_messages(session: Session, limit: int = 50) -> list[OutboxMessage]:
    """The pushes that could not be delivered, newest first."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.state == OutboxState.GIVEN_UP.value)
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


__all__ = [
    "KINDS",
    "Claimed",
    "SendReport",
    "TemplateUnavailable",
    "backoff",
    "claim_due",
    "client_msg_id",
    "enqueue",
    "given_up_messages",
    "send_due",
    "template_data",
    "template_env",
]
