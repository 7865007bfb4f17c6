"""The outbox: pushes written with the change that caused them, sent afterwards by the worker.

`enqueue` adds a row in the caller's transaction; a second enqueue with the same `dedupe_key` does nothing.
`send_due` claims a few due rows at a time (PostgreSQL: `FOR UPDATE SKIP LOCKED`), commits the claim as a
short lease (`claimed_until`, `claimed_by`) that a keeper thread renews while the worker is alive, sends each
row, and marks it at once in its own short transaction. A worker killed mid-send loses nothing: its lease is
not renewed, so within `LEASE` (10 s) another worker takes its handful of rows, and says so in its log.

A push given up for good (43004 unfollowed, 40003 bad openid, attempts exhausted…) is marked with its reason
and alerts the office once (`backend.services.undelivered`): what the office then does (retry, or mark it
delivered by phone or on paper) lives there too.

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
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from backend.domain.kinds import OutboxState
from backend.kv import KV
from backend.notify import (
    API_QUOTA_EXCEEDED,
    INVALID_OPENID,
    OUT_OF_RESPONSE_WINDOW,
    REQUIRE_SUBSCRIBE,
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
# a claim is a handful of rows for a few seconds, renewed every LEASE/3 while the worker lives: a crash holds back
# at most BATCH pushes for at most LEASE; a slow WeChat answer never lets a second worker take a row in flight
LEASE = timedelta(seconds=10)
BATCH = 5
ROUND_SECONDS = 30.0  # one round of the sender claims batch after batch for this long, then lets the other jobs run
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
    subject_type, subject_id = subject_of(dedupe_key)
    values = {
        "openid": openid,
        "kind": kind,
        "notice": notice,
        "payload": payload,
        "dedupe_key": dedupe_key,
        "subject_type": subject_type,
        "subject_id": subject_id,
    }
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id)
    )
    return session.execute(stmt).first() is not None


SUBJECT_PREFIXES = {"rect": "rectification", "concern": "concern", "visit": "visit", "task": "task"}


def subject_of(dedupe_key: str) -> tuple[str, int | None]:
    """The record a push is about, read from its dedupe key (`rect:12:issued:<openid>` → rectification 12)."""
    parts = dedupe_key.split(":")
    if len(parts) >= 2 and parts[0] in SUBJECT_PREFIXES and parts[1].isdigit():
        return SUBJECT_PREFIXES[parts[0]], int(parts[1])
    return "", None


def worker_id() -> str:
    """This process's name in leases and heartbeats: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


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


def claim_due(
    db: Database,
    *,
    now: datetime,
    batch: int = BATCH,
    lease: timedelta = LEASE,
    worker: str | None = None,
) -> list[Claimed]:
    """Take up to `batch` due rows for `lease` and commit the claim. Rows another worker holds are skipped.

    A row whose lease ran out (its worker died or hung) is taken like any other, and logged as reclaimed.
    """
    worker = worker or worker_id()
    free = or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now)
    due = (OutboxMessage.state == OutboxState.PENDING.value, OutboxMessage.next_attempt_at <= now, free)
    pick = (
        select(OutboxMessage.id, OutboxMessage.claimed_until, OutboxMessage.claimed_by)
        .where(*due)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(batch)
    )
    if db.is_postgres:
        pick = pick.with_for_update(skip_locked=True)
    with db.session() as session:
        candidates = session.execute(pick).all()
        if not candidates:
            return []
        # PostgreSQL: the rows are locked for us. SQLite serialises writers, and the UPDATE's WHERE re-checks a
        # row another worker took between our SELECT and this UPDATE: only what is still free comes back
        stmt = (
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([c.id for c in candidates]), *due)
            .values(claimed_until=now + lease, claimed_by=worker)
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
        rows = session.execute(stmt).all()
    claimed = [Claimed(*row) for row in rows]
    claimed.sort(key=lambda c: c.id)
    taken = {c.id for c in claimed}
    reclaimed = [c for c in candidates if c.id in taken and c.claimed_until is not None]
    if reclaimed:
        holders = ", ".join(sorted({c.claimed_by or "?" for c in reclaimed}))
        log.warning(
            "outbox: reclaimed %d message(s) whose lease ran out (held by %s): %s",
            len(reclaimed),
            holders,
            ", ".join(str(c.id) for c in reclaimed),
        )
    return claimed


class LeaseKeeper:
    """Renews the lease of the rows a worker still holds, every `lease / 3`, until `stop()` (a daemon thread).

    The renewal moves `claimed_until` on from the claim's moment by the time elapsed since: a worker that dies
    stops renewing, and its rows are free `lease` after its last renewal.
    """

    def __init__(self, db: Database, *, now: datetime, lease: timedelta, worker: str, ids: list[int]) -> None:
        self.db, self.now, self.lease, self.worker = db, now, lease, worker
        self.started = time.monotonic()
        self._ids = set(ids)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-lease", daemon=True)
        self._thread.start()

    def done(self, message_id: int) -> None:
        with self._lock:
            self._ids.discard(message_id)

    def _run(self) -> None:
        every = max(self.lease.total_seconds() / 3, 0.05)
        while not self._stop.wait(every):
            with self._lock:
                ids = list(self._ids)
            if not ids:
                continue
            until = self.now + timedelta(seconds=time.monotonic() - self.started) + self.lease
            try:
                with self.db.session() as session:
                    session.execute(
                        update(OutboxMessage)
                        .where(
                            OutboxMessage.id.in_(ids),
                            OutboxMessage.state == OutboxState.PENDING.value,
                            OutboxMessage.claimed_by == self.worker,
                        )
                        .values(claimed_until=until)
                        .execution_options(synchronize_session=False)
                    )
            except Exception:  # the database is away: the lease may lapse and another worker take over, no harm
                log.warning("outbox: could not renew the lease of %d message(s)", len(ids), exc_info=True)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def send_due(
    db: Database,
    notifier: Notifier,
    *,
    now: datetime | None = None,
    batch: int = BATCH,
    templates: Mapping[str, str] | None = None,
    lease: timedelta = LEASE,
    max_attempts: int = MAX_ATTEMPTS,
    kv: KV | None = None,
    on_push: PushListener | None = None,
    worker: str | None = None,
    round_seconds: float = ROUND_SECONDS,
) -> SendReport:
    """Send the due rows, `batch` at a time, for at most `round_seconds`; `templates` maps notice kinds to
    template ids (`Config.templates`); `kv` caches the menu tags' ids for `menu_tag` rows; `on_push` hears how each
    send ended (the worker logs one line per push)."""
    now = now or db.clock.now()
    templates = templates or {}
    worker = worker or worker_id()
    report = SendReport(on_push=on_push)
    started = time.monotonic()
    while True:
        at = now + timedelta(seconds=time.monotonic() - started)
        claimed = claim_due(db, now=at, batch=batch, lease=lease, worker=worker)
        report.claimed += len(claimed)
        if not claimed:
            break
        keeper = LeaseKeeper(db, now=at, lease=lease, worker=worker, ids=[c.id for c in claimed])
        try:
            go_on = _send_batch(
                db,
                notifier,
                claimed,
                keeper,
                now=at,
                templates=templates,
                max_attempts=max_attempts,
                report=report,
                kv=kv,
            )
        finally:
            keeper.stop()
        if not go_on or len(claimed) < batch or time.monotonic() - started >= round_seconds:
            break
    return report


def _send_batch(
    db: Database,
    notifier: Notifier,
    claimed: list[Claimed],
    keeper: LeaseKeeper,
    *,
    now: datetime,
    templates: Mapping[str, str],
    max_attempts: int,
    report: SendReport,
    kv: KV | None = None,
) -> bool:
    """Send one claimed batch; False when WeChat cannot be reached (the rest is released at once)."""
    for position, message in enumerate(claimed):
        keep_going = _send_one(
            db, notifier, message, now=now, templates=templates, max_attempts=max_attempts, report=report, kv=kv
        )
        keeper.done(message.id)
        if not keep_going:
            # WeChat is unreachable, refuses our token call, or the day's quota is spent: the rest would fail too
            report.released += _release(db, [m.id for m in claimed[position + 1 :]])
            return False
    return True


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
            report.finished(message, "sent")
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
        _give_up(db, message, now=now, error=f"{fell_back or ''} {exc}".strip(), code=code, reason="no_template")
        report.finished(message, "given_up", code)
        return True
    except NotifyError as exc:
        if exc.outcome is Outcome.GIVE_UP or message.attempts + 1 >= max_attempts:
            reason = reason_of(exc.code) if exc.outcome is Outcome.GIVE_UP else "exhausted"
            _give_up(db, message, now=now, error=str(exc), code=exc.code, reason=reason)
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
            _give_up(db, message, now=now, error=error, code=None, reason="exhausted")
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
                claimed_by="",
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
                claimed_by="",
                last_error=error,
                last_code=code,
            )
            .execution_options(synchronize_session=False)
        )


def reason_of(code: int | None) -> str:
    """Why WeChat will never take this push, as a key of `messages/undelivered.py` (`undelivered.reason.<key>`)."""
    return {
        REQUIRE_SUBSCRIBE: "unfollowed",
        INVALID_OPENID: "bad_openid",
        40013: "bad_openid",  # invalid appid: the openid is another account's
        OUT_OF_RESPONSE_WINDOW: "window",
    }.get(code or 0, "refused")


def _give_up(db: Database, message: Claimed, *, now: datetime, error: str, code: int | None, reason: str) -> None:
    log.warning(
        "outbox: giving up message %s (%s, %s) to %s: %s",
        message.id,
        message.kind,
        reason,
        mask_openid(message.openid),
        error,
    )
    with db.session() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(*_still_ours(message))
            .values(
                state=OutboxState.GIVEN_UP.value,
                attempts=OutboxMessage.attempts + 1,
                claimed_until=None,
                claimed_by="",
                last_error=error,
                last_code=code,
                reason=reason,
                given_up_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if not getattr(result, "rowcount", 1):
            return
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
            reason=reason,
            error=error,
        )
        from backend.services import undelivered  # it queues through this module

        undelivered.on_given_up(session, message.id, now=now)


def mask_openid(openid: str) -> str:
    """An openid as logs and operators see it: enough to tell two apart, not enough to message anyone."""
    if len(openid) <= 8:
        return "***"
    return f"{openid[:4]}…{openid[-4:]}"


def _release(db: Database, ids: list[int]) -> int:
    with db.session() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.state == OutboxState.PENDING.value)
            .values(claimed_until=None, claimed_by="")
            .execution_options(synchronize_session=False)
        )
    return int(getattr(result, "rowcount", 0))


# --- what the office sees ---


def given_up_messages(
    session: Session, limit: int = 50, *, open_only: bool = False, subject: tuple[str, int] | None = None
) -> list[OutboxMessage]:
    """The pushes that could not be delivered, newest first: all of them, or only those the office has not
    dealt with yet (`open_only`), optionally about one record (`subject=("rectification", 12)`). The dashboard,
    the record pages and `dudao outbox list` all read them here."""
    query = select(OutboxMessage).where(OutboxMessage.state == OutboxState.GIVEN_UP.value)
    if open_only:
        query = query.where(OutboxMessage.resolution == "")
    if subject is not None:
        query = query.where(OutboxMessage.subject_type == subject[0], OutboxMessage.subject_id == subject[1])
    return list(session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit)))


__all__ = [
    "BATCH",
    "KINDS",
    "LEASE",
    "Backlog",
    "Claimed",
    "LeaseKeeper",
    "SendReport",
    "TemplateUnavailable",
    "backlog",
    "backoff",
    "claim_due",
    "client_msg_id",
    "enqueue",
    "given_up_messages",
    "mask_openid",
    "reason_of",
    "send_due",
    "subject_of",
    "template_data",
    "template_env",
    "worker_id",
]


# --- the backlog, for /healthz, /metrics and `dudao outbox list` ---


@dataclass(frozen=True)
class Backlog:
    pending: int  # waiting to be sent (due now or later)
    due: int  # pending and due now
    oldest_due_seconds: float  # how long the oldest due push has waited since it became due (0: none)
    given_up_last_day: int
    undelivered_open: int  # given up, and the office has not dealt with it yet
    by_state: dict[str, int]


def backlog(session: Session, now: datetime) -> Backlog:
    by_state = {
        state: int(count)
        for state, count in session.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        ).all()
    }
    pending = OutboxMessage.state == OutboxState.PENDING.value
    due, oldest = session.execute(
        select(func.count(), func.min(OutboxMessage.next_attempt_at)).where(
            pending, OutboxMessage.next_attempt_at <= now
        )
    ).one()
    given_up = OutboxMessage.state == OutboxState.GIVEN_UP.value
    last_day = session.scalar(
        select(func.count()).where(given_up, OutboxMessage.given_up_at >= now - timedelta(days=1))
    )
    undelivered = session.scalar(select(func.count()).where(given_up, OutboxMessage.resolution == ""))
    if oldest is not None and oldest.tzinfo is None:  # in case MIN() came back as the stored value
        oldest = oldest.replace(tzinfo=UTC)
    return Backlog(
        pending=by_state.get(OutboxState.PENDING.value, 0),
        due=int(due or 0),
        oldest_due_seconds=max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0,
        given_up_last_day=int(last_day or 0),
        undelivered_open=int(undelivered or 0),
        by_state=by_state,
    )
