"""Personal information as 个人信息保护法 asks: retention applied, a person's data exported or erased, their requests.

- `apply_retention`: the office's periods (`backend.domain.retention`) applied by the worker's housekeeping. A closed
  concern's reporter fields go after their period (openid → a keyed pseudonym, so that repeat reports still count as
  one person's; phone removed); its text and photos after theirs (the photo files deleted, the rows kept and marked,
  so the counts stay); visit photos likewise; audit events through `audit.purge_before` (never under 180 days);
  WeChat deliveries. The record and every statistic stay: nothing is deleted but personal fields and files.
- `export_person`: everything held about one person (WeChat identity, concerns with texts and answers, photos,
  deliveries and pushes, their requests) as a zip an office can hand over: an xlsx with every cell written as text
  and the photo files.
- `erase_person`: the same person's personal fields removed (their concerns kept without them), idempotent.
- Requests (`submit_request`, `close_request`): a person's ask reaches the office as a work item due in 15 working
  days (`REQUEST_WORKING_DAYS`, 个人信息保护法 第五十条: promptly; offices commit to a period).
Each writes its audit event. Nothing here hands one person's data to another: a request identified by a ticket and
its status secret reaches only that concern's reporter.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from backend.domain import retention
from backend.domain.calendar import local_date, local_now
from backend.domain.kinds import ConcernState, PrivacyRequestKind, PrivacyRequestState, Role
from backend.services import audit, deliveries, form_links
from backend.services.authority import DEFAULT_AUTHORITY_CODE, current_authority
from backend.services.calendar import working_calendar
from backend.services.concerns import valid_phone
from backend.services.tabular import append_row
from backend.store.db import session_now
from backend.store.models import (
    Authority,
    Concern,
    InboundDelivery,
    Media,
    OutboxMessage,
    PrivacyRequest,
    Unit,
    Visit,
    WechatIdentity,
)
from messages import CATALOG, t

PSEUDONYM_PREFIX = "p:"
REQUEST_WORKING_DAYS = 15
CONTACT_LENGTH = 100
MESSAGE_LENGTH = 1000
MAX_EXPORT_FILE = 20 * 1024 * 1024  # a stored file bigger than this is listed, not packed (ours are ≤ 8 MB)
ZIP_MIME = "application/zip"


def pseudonym(openid: str, pepper: str) -> str:
    """A keyed pseudonym of an openid: the same for the same person (repeat reports stay countable), not reversible
    without the instance's secret key, and never a valid openid (`p:` prefix)."""
    if openid.startswith(PSEUDONYM_PREFIX):
        return openid
    digest = hmac.new(pepper.encode(), f"reporter|{openid}".encode(), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:40]


# --- files ----------------------------------------------------------------------------------------------------


def erase_files(session: Session, rows: Iterable[Media], media_dir: Path, now: datetime) -> int:
    """Delete the files of these media rows (a file another kept row still shares stays) and mark the rows erased.
    Returns how many rows were marked."""
    marked = 0
    for row in rows:
        if row.erased_at is not None:
            continue
        path, row.path, row.erased_at, row.wechat_media_id = row.path, "", now, None
        row.next_fetch_at = None
        marked += 1
        session.flush()
        if path:
            shared = session.scalar(
                select(func.count(Media.id)).where(Media.path == path, Media.id != row.id, Media.erased_at.is_(None))
            )
            if not shared:
                (media_dir / path).unlink(missing_ok=True)
    return marked


def _media(session: Session, owner_type: str, owner_ids: Sequence[int]) -> list[Media]:
    if not owner_ids:
        return []
    return list(
        session.scalars(
            select(Media)
            .where(Media.owner_type == owner_type, Media.owner_id.in_(owner_ids), Media.erased_at.is_(None))
            .order_by(Media.id)
        )
    )


def _erase_reporter(concern: Concern, pepper: str, now: datetime) -> bool:
    if concern.personal_erased_at is not None and not concern.reporter_phone:
        return False
    if concern.reporter_openid:
        concern.reporter_openid = pseudonym(concern.reporter_openid, pepper)
    concern.reporter_phone = None
    concern.window_until = None
    concern.personal_erased_at = now
    return True


# --- retention --------------------------------------------------------------------------------------------------


@dataclass
class RetentionApplied:
    reporters: int = 0
    contents: int = 0
    concern_photos: int = 0
    visit_photos: int = 0
    audit_events: int = 0
    deliveries: int = 0

    def total(self) -> int:
        return sum(vars(self).values())


def apply_retention(session: Session, media_dir: Path, pepper: str, now: datetime | None = None) -> RetentionApplied:
    """Apply the authority's periods once (the worker's housekeeping, hourly); idempotent. Does not commit."""
    now = now or session_now(session)
    authority = session.scalar(select(Authority).where(Authority.code == DEFAULT_AUTHORITY_CODE))
    days = retention.periods(authority.retention if authority is not None else None)  # never creates the authority
    done = RetentionApplied()

    closed = Concern.state == ConcernState.CLOSED.value
    cutoff = now - timedelta(days=days[retention.REPORTER])
    for concern in session.scalars(
        select(Concern).where(
            closed,
            Concern.closed_at < cutoff,
            or_(Concern.personal_erased_at.is_(None), Concern.reporter_phone.is_not(None)),
        )
    ):
        done.reporters += _erase_reporter(concern, pepper, now)

    cutoff = now - timedelta(days=days[retention.CONCERN_CONTENT])
    old = list(
        session.scalars(select(Concern).where(closed, Concern.closed_at < cutoff, Concern.content_erased_at.is_(None)))
    )
    for concern in old:
        concern.content, concern.content_erased_at = "", now
        done.contents += 1
    done.concern_photos = erase_files(session, _media(session, "concern", [c.id for c in old]), media_dir, now)

    cutoff = now - timedelta(days=days[retention.VISIT_PHOTOS])
    visit_ids = list(session.scalars(select(Visit.id).where(Visit.visited_on < local_date(cutoff)).order_by(Visit.id)))
    photos = [m for m in _media(session, "visit", visit_ids) if m.created_at < cutoff]
    done.visit_photos = erase_files(session, photos, media_dir, now)

    done.audit_events = audit.purge_before(session, now - timedelta(days=days[retention.AUDIT]))
    done.deliveries = deliveries.purge_before(session, now - timedelta(days=days[retention.DELIVERIES]))
    if done.total() - done.deliveries:
        audit.record(session, "system", "privacy.retention_applied", "authority", None, vars(done), now=now, days=days)
    return done


# --- one person -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """Whom a request or a command is about: a WeChat openid, a phone number left on concerns, or chosen concerns
    (a request identified by a ticket and its secret)."""

    openid: str | None = None
    phone: str | None = None
    concern_ids: tuple[int, ...] = ()

    def described(self) -> dict[str, Any]:
        """For the audit log: never the openid or phone itself (an erased person stays erased)."""
        return {"openid": bool(self.openid), "phone": bool(self.phone), "concerns": list(self.concern_ids)}


_OPENID = re.compile(r"^[A-Za-z0-9_-]{6,64}$")


def person_from(openid: str, phone: str) -> Person:
    """A person from an office's input: a well-formed openid and/or a valid phone (RequestRefused "openid"/"phone"),
    at least one of them ("openid")."""
    openid, phone = openid.strip(), phone.strip()
    if openid and not _OPENID.match(openid):
        raise RequestRefused("openid")
    checked = valid_phone(phone) if phone else None
    if phone and checked is None:
        raise RequestRefused("phone")
    if not openid and not checked:
        raise RequestRefused("openid")
    return Person(openid=openid or None, phone=checked)


def _concerns(session: Session, person: Person) -> list[Concern]:
    conditions: list[Any] = []
    if person.openid:
        conditions.append(Concern.reporter_openid == person.openid)
    if person.phone:
        conditions.append(Concern.reporter_phone == person.phone)
    if person.concern_ids:
        conditions.append(Concern.id.in_(person.concern_ids))
    if not conditions:
        return []
    return list(session.scalars(select(Concern).where(or_(*conditions)).order_by(Concern.id)))


def _local(moment: datetime | None) -> str:
    return local_now(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _label(prefix: str, value: object) -> str:
    return CATALOG.get(f"{prefix}.{value}", "" if value is None else str(value))


def _sheet(book: Workbook, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    sheet = book.create_sheet(title)
    append_row(sheet, headers)
    for row in rows:
        append_row(sheet, ["" if v is None else str(v) for v in row])  # every cell text, formulas shown not run


@dataclass
class Export:
    data: bytes
    concerns: int
    photos: int
    files_skipped: int = 0
    filename: str = "personal-data.zip"


def export_person(session: Session, media_dir: Path, person: Person, *, actor: str) -> Export:
    """Everything held about `person` as a zip (`个人信息.xlsx`, `说明.txt`, `photos/`); one audit event."""
    now = session_now(session)
    concerns = _concerns(session, person)
    identity = (
        session.scalar(select(WechatIdentity).where(WechatIdentity.openid == person.openid)) if person.openid else None
    )
    units = {u.id: u.name for u in session.scalars(select(Unit).where(Unit.id.in_({c.unit_id for c in concerns})))}
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    ident_rows: list[Sequence[Any]] = []
    if identity is not None:
        scanned = session.get(Unit, identity.last_scanned_unit_id) if identity.last_scanned_unit_id else None
        ident_rows = [
            (t("privacy.export.openid"), identity.openid),
            (t("privacy.export.role"), _label("privacy.role", identity.role)),
            (t("privacy.export.following"), t("privacy.export.yes" if identity.following else "privacy.export.no")),
            (t("privacy.export.first_seen"), _local(identity.created_at)),
            (t("privacy.export.last_message"), _local(identity.last_inbound_at)),
            (t("privacy.export.last_scan"), f"{scanned.name if scanned else ''} {_local(identity.last_scanned_at)}"),
            (t("privacy.export.bound_at"), _local(identity.bound_at)),
        ]
    if person.phone:
        ident_rows.append((t("privacy.export.phone"), person.phone))
    ident_rows.append((t("privacy.export.made_at"), _local(now)))
    _sheet(book, t("privacy.export.sheet.identity"), (t("privacy.export.item"), t("privacy.export.value")), ident_rows)
    _sheet(
        book,
        t("privacy.export.sheet.concerns"),
        [t(f"privacy.export.col.{c}") for c in ("ticket", "school", "channel", "received", "state", "content")]
        + [t(f"privacy.export.col.{c}") for c in ("phone", "answer", "note", "answered", "closed", "erased")],
        (
            (
                c.ticket_no,
                units.get(c.unit_id, ""),
                _label("privacy.channel", c.channel),
                _local(c.created_at),
                _label("concern.state", c.state),
                c.content if c.content_erased_at is None else t("privacy.export.content_erased"),
                c.reporter_phone or "",
                c.answer,
                c.note,
                _local(c.answered_at),
                _local(c.closed_at),
                _local(c.personal_erased_at),
            )
            for c in concerns
        ),
    )
    tickets = {c.id: c.ticket_no for c in concerns}
    photos = _media(session, "concern", list(tickets))
    packed: list[tuple[str, Path]] = []
    photo_rows: list[Sequence[Any]] = []
    skipped = 0
    for n, row in enumerate(photos, start=1):
        source = media_dir / row.path if row.path else None
        name = f"photos/{tickets[row.owner_id]}-{n}{Path(row.path).suffix if row.path else ''}"
        size = source.stat().st_size if source is not None and source.is_file() else None  # measured, not read
        if size is None or size > MAX_EXPORT_FILE:
            skipped += 1
            name = t("privacy.export.file_missing")
        else:
            packed.append((name, source))  # type: ignore[arg-type]
        photo_rows.append((tickets[row.owner_id], row.kind, name, size or 0, _local(row.created_at)))
    _sheet(
        book,
        t("privacy.export.sheet.photos"),
        [t(f"privacy.export.col.{c}") for c in ("ticket", "kind", "file", "size", "received")],
        photo_rows,
    )
    pushes: list[Sequence[Any]] = []
    if person.openid:
        for msg in session.scalars(
            select(OutboxMessage).where(OutboxMessage.openid == person.openid).order_by(OutboxMessage.id)
        ):
            pushes.append(
                (
                    t("privacy.export.push"),
                    _local(msg.created_at),
                    msg.kind,
                    msg.state,
                    str(msg.payload.get("content", "")),
                )
            )
        for got in session.scalars(
            select(InboundDelivery).where(InboundDelivery.openid == person.openid).order_by(InboundDelivery.id)
        ):
            pushes.append((t("privacy.export.inbound"), _local(got.received_at), got.msg_type, "", ""))
    _sheet(
        book,
        t("privacy.export.sheet.messages"),
        [t(f"privacy.export.col.{c}") for c in ("direction", "at", "kind", "state", "text")],
        pushes,
    )
    requests = _requests_of(session, person, [c.id for c in concerns])
    _sheet(
        book,
        t("privacy.export.sheet.requests"),
        [t(f"privacy.export.col.{c}") for c in ("received", "kind", "contact", "message", "state", "outcome")],
        (
            (
                _local(r.received_at),
                _label("privacy.kind", r.kind),
                r.contact,
                r.message,
                _label("privacy.state", r.state),
                r.outcome,
            )
            for r in requests
        ),
    )
    sheet_bytes = io.BytesIO()
    book.save(sheet_bytes)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("个人信息.xlsx", sheet_bytes.getvalue())
        archive.writestr("说明.txt", t("privacy.export.readme", made=_local(now), concerns=len(concerns)))
        for name, source in packed:
            archive.write(source, name)
    audit.record(
        session,
        actor,
        "privacy.exported",
        "person",
        None,
        person.described(),
        concerns=len(concerns),
        photos=len(packed),
    )
    stamp = local_now(now).strftime("%Y%m%d-%H%M")
    return Export(out.getvalue(), len(concerns), len(packed), skipped, f"personal-data-{stamp}.zip")


@dataclass
class Erased:
    concerns: int = 0
    photos: int = 0
    deliveries: int = 0
    pushes: int = 0
    identity: bool = False
    kept_identity_role: str = ""
    tickets: list[str] = field(default_factory=list)


def erase_person(session: Session, media_dir: Path, pepper: str, person: Person, *, actor: str) -> Erased:
    """Remove `person`'s personal fields: their concerns stay without openid (pseudonym), phone or photos; their
    WeChat deliveries and queued pushes go, the pushes sent keep only a pseudonym; a public user's identity row goes
    (a bound inspector's or school's is the office's master data and stays). Idempotent; one audit event."""
    now = session_now(session)
    done = Erased()
    concerns = _concerns(session, person)
    for concern in concerns:
        if _erase_reporter(concern, pepper, now):
            done.concerns += 1
            done.tickets.append(concern.ticket_no)
    done.photos = erase_files(session, _media(session, "concern", [c.id for c in concerns]), media_dir, now)
    if person.openid and not person.openid.startswith(PSEUDONYM_PREFIX):
        result = session.execute(delete(InboundDelivery).where(InboundDelivery.openid == person.openid))
        done.deliveries = int(getattr(result, "rowcount", 0) or 0)
        masked = pseudonym(person.openid, pepper)
        for msg in session.scalars(select(OutboxMessage).where(OutboxMessage.openid == person.openid)):
            if msg.state == "pending":
                session.delete(msg)
            else:
                msg.openid, msg.payload = masked, {"fields": {}, "erased": True}
                msg.dedupe_key = msg.dedupe_key.replace(person.openid, masked)[:200]
            done.pushes += 1
        identity = session.scalar(select(WechatIdentity).where(WechatIdentity.openid == person.openid))
        if identity is not None and identity.role == Role.PUBLIC.value:
            session.delete(identity)
            done.identity = True
        elif identity is not None:
            done.kept_identity_role = identity.role
    audit.record(
        session,
        actor,
        "privacy.erased",
        "person",
        None,
        person.described(),
        concerns=done.concerns,
        photos=done.photos,
        deliveries=done.deliveries,
        pushes=done.pushes,
        identity=done.identity,
        tickets=done.tickets,
    )
    return done


# --- the signed link from WeChat ----------------------------------------------------------------------------

LINK_PATH = "/privacy"
LINK_KIND = "privacy"
LINK_SUBJECT = f"{LINK_KIND}:0"  # the request form is about the link's own openid, not about a record
LINK_LIFETIME = timedelta(days=30)


def link_url(secret: str, public_url: str, openid: str, now: datetime) -> str:
    """`/privacy?k=…`, the project's signed form link (`backend.services.form_links`) naming this WeChat user to
    the request form for 30 days; it only lets its holder ask about that openid's own data."""
    return form_links.link(
        secret, public_url, LINK_PATH, openid=openid, subject=LINK_SUBJECT, now=now, until=now + LINK_LIFETIME
    )


def linked_openid(link: form_links.FormLink) -> str:
    """The openid a verified privacy link names (`LinkRefused("tampered")` for another subject)."""
    if link.subject_id(LINK_KIND) != 0:
        raise form_links.LinkRefused("tampered")
    return link.openid


# --- requests ---------------------------------------------------------------------------------------------------


class RequestRefused(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _requests_of(session: Session, person: Person, concern_ids: Sequence[int]) -> list[PrivacyRequest]:
    conditions: list[Any] = []
    if person.openid:
        conditions.append(PrivacyRequest.openid == person.openid)
    if concern_ids:
        conditions.append(PrivacyRequest.concern_id.in_(concern_ids))
    if not conditions:
        return []
    return list(session.scalars(select(PrivacyRequest).where(or_(*conditions)).order_by(PrivacyRequest.id)))


def submit_request(
    session: Session,
    *,
    kind: str,
    contact: str,
    message: str,
    openid: str | None = None,
    concern: Concern | None = None,
) -> PrivacyRequest:
    """A person's request, identified by their openid (a signed link from WeChat) or by a concern (its ticket and
    secret, checked by the caller); due in `REQUEST_WORKING_DAYS` working days. Does not commit."""
    if kind not in {k.value for k in PrivacyRequestKind}:
        raise RequestRefused("kind")
    contact, message = contact.strip(), message.strip()
    if len(contact) > CONTACT_LENGTH or len(message) > MESSAGE_LENGTH:
        raise RequestRefused("too_long")
    if openid is None and concern is None:
        raise RequestRefused("who")
    now = session_now(session)
    due = working_calendar(session).add_working_days(local_date(now), REQUEST_WORKING_DAYS)
    request = PrivacyRequest(
        authority_id=current_authority(session).id,
        kind=kind,
        openid=openid or (concern.reporter_openid if concern is not None else None),
        concern_id=concern.id if concern is not None else None,
        contact=contact,
        message=message,
        received_at=now,
        due_on=due,
    )
    session.add(request)
    session.flush()
    audit.record(session, "public:privacy", "privacy.requested", "privacy_request", request.id, kind=kind)
    return request


def person_of(request: PrivacyRequest) -> Person:
    """Whom the request is about: its openid, else only the concern it named (never the phone typed on it)."""
    return Person(openid=request.openid, concern_ids=(request.concern_id,) if request.concern_id else ())


def open_count(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count(PrivacyRequest.id)).where(PrivacyRequest.state == PrivacyRequestState.OPEN.value)
        )
        or 0
    )


def requests(session: Session, *, limit: int = 200) -> list[PrivacyRequest]:
    """The open requests first (the nearest deadline first), then the closed ones, newest first."""
    return list(
        session.scalars(
            select(PrivacyRequest)
            .order_by(
                (PrivacyRequest.state != PrivacyRequestState.OPEN.value),
                PrivacyRequest.due_on,
                PrivacyRequest.id.desc(),
            )
            .limit(limit)
        )
    )


def close_request(session: Session, request_id: int, outcome: str, *, actor: str) -> PrivacyRequest:
    request = session.get(PrivacyRequest, request_id)
    if request is None:
        raise RequestRefused("not_found")
    if request.state == PrivacyRequestState.CLOSED.value:
        return request
    request.state, request.closed_at, request.closed_by = PrivacyRequestState.CLOSED.value, session_now(session), actor
    request.outcome = outcome.strip()[:MESSAGE_LENGTH]
    # the outcome is the office's free text and may quote a phone number: the append-only log keeps its length only
    audit.record(
        session, actor, "privacy.request_closed", "privacy_request", request.id, outcome_chars=len(request.outcome)
    )
    return request
