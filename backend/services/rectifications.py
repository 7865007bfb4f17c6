"""Rectification items (整改事项) through their lifecycle: proposed, issued, signed, reported, re-inspected, closed.

Use cases take a `Session` and do not commit (the caller owns the transaction); each change of state writes an
`AuditEvent` (who, when, why) and queues its pushes through `notices.notify` in the same transaction, keyed by
item, kind and deadline so a retried use case never pushes twice. The rules live in `backend.domain.rectification`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.domain import rectification as rules
from backend.domain.calendar import local_date
from backend.domain.errors import DomainError, TransitionRefused
from backend.domain.kinds import RectificationState, VisitKind
from backend.services import notices
from backend.services.audit import record
from backend.services.authority import current_authority
from backend.services.calendar import working_calendar
from backend.store.db import session_now
from backend.store.models import (
    AuditEvent,
    Authority,
    Escalation,
    ExtensionRequest,
    Inspector,
    Media,
    Rectification,
    Unit,
    Visit,
)
from messages import t

S = RectificationState
SUBJECT = "rectification"
NUMBER_PREFIX = "ZG"


class RectificationError(DomainError, ValueError):
    """A rectification use case refused: `key` in messages/ with its fields (`message` is what a person reads)."""


class NotFound(RectificationError):
    pass


# --- reading ---


def get(session: Session, rectification_id: int) -> Rectification:
    item = session.get(Rectification, rectification_id)
    if item is None:
        raise NotFound("rect.bot.not_found", number=f"#{rectification_id}")
    return item


def by_number(session: Session, number: str) -> Rectification:
    """The item with this number; the number may be typed without its prefix or leading zeros (`123`)."""
    wanted = number.strip().upper()
    item = session.scalar(select(Rectification).where(Rectification.number == wanted))
    if item is None and wanted.isdigit():
        item = session.get(Rectification, int(wanted))
    if item is None:
        raise NotFound("rect.bot.not_found", number=number)
    return item


def open_items_of_unit(session: Session, unit_id: int) -> list[Rectification]:
    """What `整改` lists: the unit's unfinished items, the nearest deadline first."""
    query = (
        select(Rectification)
        .where(Rectification.unit_id == unit_id, Rectification.state.in_([s.value for s in rules.OPEN]))
        .order_by(Rectification.deadline, Rectification.id)
    )
    return list(session.scalars(query))


def is_overdue(item: Rectification, now: datetime) -> bool:
    return rules.is_overdue(item.state, item.deadline, local_date(now))


def history(session: Session, rectification_id: int) -> list[AuditEvent]:
    query = (
        select(AuditEvent)
        .where(AuditEvent.subject_type == SUBJECT, AuditEvent.subject_id == rectification_id)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return list(session.scalars(query))


# --- the notice's words ---


def unit_name(session: Session, unit_id: int | None) -> str:
    unit = session.get(Unit, unit_id) if unit_id is not None else None
    return "" if unit is None else (unit.short_name or unit.name)


def item_name(session: Session, authority_id: int, code: str | None) -> str:
    authority = session.get(Authority, authority_id)
    for entry in (authority.supervision_items if authority else []) or []:
        if str(entry.get("code")) == str(code):
            return str(entry.get("name", code))
    return t("rect.no_item") if not code else str(code)


def fields_of(session: Session, item: Rectification, **extra: Any) -> dict[str, Any]:
    """The values a rectification notice is written from (message text and template keywords)."""
    inspector = session.get(Inspector, item.inspector_id) if item.inspector_id else None
    return {
        "number": item.number,
        "unit": unit_name(session, item.unit_id),
        "item": item_name(session, item.authority_id, item.item),
        "problem": item.problem,
        "requirement": item.requirement or item.problem,
        "deadline": item.deadline.isoformat(),
        "inspector": "" if inspector is None else f"{inspector.name} {inspector.phone}".strip(),
        "urgent": t("rect.urgent") if item.urgent else "",
        **extra,
    }


def audit(
    session: Session, item: Rectification, *, actor: str, action: str, now: datetime, **detail: Any
) -> AuditEvent:
    return record(session, actor, action, SUBJECT, item.id, now=now, **detail)


def _step(item: Rectification, action: str) -> tuple[str, str]:
    try:
        target = rules.next_state(action, item.state)
    except TransitionRefused as exc:
        raise RectificationError("rect.error.state", state=t(f"rect.state.{exc.state}")) from exc
    before, item.state = item.state, target.value
    return before, target.value


def _push_unit(session: Session, item: Rectification, *, notice: str, text: str, key: str, now: datetime) -> int:
    fields = fields_of(session, item)
    return notices.notify(
        session,
        notices.openids_of_unit(session, item.unit_id),
        notice=notice,
        text=text,
        fields=fields,
        dedupe_key=key,
        now=now,
    )


def _push_inspector(session: Session, item: Rectification, *, notice: str, text: str, key: str, now: datetime) -> int:
    if item.inspector_id is None:
        openids = notices.openids_of_office(session)
    else:
        openids = notices.openids_of_inspector(session, item.inspector_id)
    return notices.notify(
        session, openids, notice=notice, text=text, fields=fields_of(session, item), dedupe_key=key, now=now
    )


# --- the lifecycle ---


def propose_rectification(
    session: Session,
    *,
    authority_id: int,
    unit_id: int,
    inspector_id: int | None,
    visit_id: int | None,
    item: str | None,
    problem: str,
    requirement: str,
    deadline: date,
    urgent: bool,
    actor: str,
    concern_id: int | None = None,
    now: datetime | None = None,
) -> Rectification:
    """A finding becomes a draft rectification item with its number (`ZG-2026-000123`). Does not commit."""
    now = now or session_now(session)
    row = Rectification(
        number=f"tmp-{uuid.uuid4().hex[:24]}",
        authority_id=authority_id,
        unit_id=unit_id,
        inspector_id=inspector_id,
        visit_id=visit_id,
        concern_id=concern_id,
        item=item,
        problem=problem.strip(),
        requirement=requirement.strip(),
        deadline=deadline,
        urgent=urgent,
        state=S.DRAFT.value,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    # the id makes the number unique without a counter to race on; the year makes it readable
    row.number = f"{NUMBER_PREFIX}-{local_date(now).year}-{row.id:06d}"
    audit(
        session,
        row,
        actor=actor,
        action="rectification.proposed",
        now=now,
        number=row.number,
        unit_id=unit_id,
        visit_id=visit_id,
        concern_id=concern_id,
        deadline=deadline.isoformat(),
        urgent=urgent,
    )
    session.flush()
    return row


def issue_rectification(
    session: Session, rectification_id: int, *, actor: str, now: datetime | None = None
) -> Rectification:
    """Draft → issued: the 整改通知 goes to the unit's bound contacts and its 整改通知书 into the register (发文登记).
    Does not commit."""
    now = now or session_now(session)
    row = get(session, rectification_id)
    before, after = _step(row, "issue")
    row.issued_at = now
    from backend.services import document_kinds

    document_kinds.issue_rectification_notice(session, row, actor=actor, now=now)  # the numbered paper, registered
    text = t("rect.notice.issued", **fields_of(session, row))
    queued = _push_unit(session, row, notice="rectification_issued", text=text, key=f"rect:{row.id}:issued", now=now)
    if not notices.openids_of_unit(session, row.unit_id):
        _alert_unreachable(session, row, now=now)
    audit(
        session,
        row,
        actor=actor,
        action="rectification.issued",
        now=now,
        **{"from": before, "to": after},
        deadline=row.deadline.isoformat(),
        pushes=queued,
    )
    session.flush()
    return row


def _alert_unreachable(session: Session, row: Rectification, *, now: datetime) -> None:
    """Nobody at the unit is bound to WeChat: the office must deliver the notice another way (and issue a code)."""
    fields = fields_of(session, row)
    notices.notify(
        session,
        notices.openids_of_office(session),
        notice="office_alert",
        text=t("rect.notice.unreachable", **fields),
        fields={
            "subject": t("rect.notice.unreachable_subject", number=row.number),
            "detail": fields["unit"],
            "at": local_stamp(now),
        },
        dedupe_key=f"rect:{row.id}:unreachable",
        now=now,
    )


def acknowledge(session: Session, rectification_id: int, *, actor: str, now: datetime | None = None) -> Rectification:
    """签收: the unit confirms it received the notice. Does not commit."""
    now = now or session_now(session)
    row = get(session, rectification_id)
    before, after = _step(row, "acknowledge")
    row.acknowledged_at = now
    audit(session, row, actor=actor, action="rectification.acknowledged", now=now, **{"from": before, "to": after})
    return row


def unsigned_of_unit(session: Session, unit_id: int) -> list[Rectification]:
    query = (
        select(Rectification)
        .where(Rectification.unit_id == unit_id, Rectification.state == S.ISSUED.value)
        .order_by(Rectification.id)
    )
    return list(session.scalars(query))


def submit_report(
    session: Session,
    rectification_id: int,
    *,
    text: str,
    media_ids: list[str] | None = None,
    actor: str,
    now: datetime | None = None,
) -> Rectification:
    """整改报告: the unit's account and photos (kept with their metadata: staff evidence). Does not commit."""
    now = now or session_now(session)
    row = get(session, rectification_id)
    if row.state == S.ISSUED.value:
        row.acknowledged_at = row.acknowledged_at or now  # reporting implies having received the notice
    before, after = _step(row, "submit")
    from backend.services import media

    for media_id in media_ids or []:
        media.attach(
            session, owner_type=SUBJECT, owner_id=row.id, kind="image", wechat_media_id=media_id, strip_metadata=False
        )
    row.submitted_at = now
    row.report_text = text.strip()
    # a report per round: reopened items report again, and the inspector hears of each
    rounds = _count(session, row.id, "rectification.submitted") + 1
    audit(
        session,
        row,
        actor=actor,
        action="rectification.submitted",
        now=now,
        **{"from": before, "to": after},
        report=row.report_text,
        photos=len(media_ids or []),
        round=rounds,
    )
    message = t(
        "rect.notice.submitted", **fields_of(session, row, report=row.report_text or "-", photos=len(media_ids or []))
    )
    notices.notify(
        session,
        _inspector_openids(session, row),
        notice="rectification_submitted",
        text=message,
        fields=fields_of(session, row, submitted_at=local_stamp(now)),
        dedupe_key=f"rect:{row.id}:submitted:{rounds}",
        now=now,
    )
    session.flush()
    return row


def _inspector_openids(session: Session, row: Rectification) -> list[str]:
    if row.inspector_id is not None:
        found = notices.openids_of_inspector(session, row.inspector_id)
        if found:
            return found
    return notices.openids_of_office(session)


def _count(session: Session, rectification_id: int, action: str) -> int:
    query = select(func.count(AuditEvent.id)).where(
        AuditEvent.subject_type == SUBJECT, AuditEvent.subject_id == rectification_id, AuditEvent.action == action
    )
    return int(session.scalar(query) or 0)


def local_stamp(now: datetime) -> str:
    from backend.domain.calendar import local_now

    return local_now(now).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class Reinspection:
    item: Rectification
    visit: Visit


def reinspect(
    session: Session,
    rectification_id: int,
    *,
    passed: bool,
    reason: str = "",
    new_deadline: date | None = None,
    inspector_id: int | None,
    actor: str,
    now: datetime | None = None,
) -> Reinspection:
    """复查: passed → verified and closed (销号); not passed → reopened with reasons and a new deadline.

    The re-inspection is recorded as a follow-up visit (回访/复查), to which photos and a location may be added.
    Does not commit.
    """
    now = now or session_now(session)
    row = get(session, rectification_id)
    today = local_date(now)
    if not passed:
        if not reason.strip():
            raise RectificationError("rect.bot.reinspect_needs_reason", number=row.number)
        if new_deadline is None:
            authority = session.get(Authority, row.authority_id) or current_authority(session)
            new_deadline = working_calendar(session).add_working_days(today, authority.supervision_notice_working_days)
        if new_deadline < today:
            raise RectificationError("rect.error.deadline_past")
    before, after = _step(row, "verify" if passed else "reopen")
    visit = Visit(
        authority_id=row.authority_id,
        inspector_id=inspector_id if inspector_id is not None else row.inspector_id,
        unit_id=row.unit_id,
        visited_on=today,
        kind=VisitKind.FOLLOW_UP.value,
        observations=reason.strip(),
        problems="" if passed else reason.strip(),
        raw_text=t("notice.result.passed") if passed else reason.strip(),
        source="chat",
        urgent=row.urgent,
    )
    if visit.inspector_id is None:
        raise RectificationError("rect.bot.not_yours", number=row.number)
    session.add(visit)
    session.flush()
    rounds = _count(session, row.id, "rectification.submitted")
    result_key = f"rect:{row.id}:reinspected:{rounds}"
    if passed:
        row.verified_at = now
        row.reinspection_note = reason.strip()
        audit(
            session,
            row,
            actor=actor,
            action="rectification.verified",
            now=now,
            **{"from": before, "to": after},
            visit_id=visit.id,
            note=reason.strip(),
        )
        # 复查合格即销号: the pass closes the item
        closed_from, closed_to = _step(row, "close")
        row.closed_at = now
        audit(
            session, row, actor=actor, action="rectification.closed", now=now, **{"from": closed_from, "to": closed_to}
        )
        text = t("rect.notice.verified", **fields_of(session, row))
        result = t("notice.result.passed")
    else:
        assert new_deadline is not None
        old_deadline = row.deadline
        row.deadline = new_deadline
        row.reinspection_note = reason.strip()
        audit(
            session,
            row,
            actor=actor,
            action="rectification.reopened",
            now=now,
            **{"from": before, "to": after},
            visit_id=visit.id,
            reason=reason.strip(),
            old_deadline=old_deadline.isoformat(),
            deadline=new_deadline.isoformat(),
        )
        text = t("rect.notice.reopened", **fields_of(session, row, reason=reason.strip()))
        result = t("notice.result.reopened")
    notices.notify(
        session,
        notices.openids_of_unit(session, row.unit_id),
        notice="reinspection_result",
        text=text,
        fields=fields_of(session, row, result=result, reinspected_at=local_stamp(now)),
        dedupe_key=result_key,
        now=now,
    )
    session.flush()
    return Reinspection(row, visit)


def attach_followup_photo(session: Session, visit_id: int, *, wechat_media_id: str) -> Media:
    """A photo taken at the re-inspection: staff evidence, metadata kept. Does not commit."""
    from backend.services import media

    return media.attach(
        session,
        owner_type="visit",
        owner_id=visit_id,
        kind="image",
        wechat_media_id=wechat_media_id,
        strip_metadata=False,
    )


def record_followup_location(session: Session, visit_id: int, *, latitude: float, longitude: float) -> None:
    visit = session.get(Visit, visit_id)
    if visit is not None:
        visit.checkin_latitude, visit.checkin_longitude = latitude, longitude


# --- extensions (申请延期) ---


def request_extension(
    session: Session, rectification_id: int, *, reason: str, actor: str, now: datetime | None = None
) -> ExtensionRequest:
    """The unit asks for more time; the inspector (or the office) decides. Does not commit."""
    now = now or session_now(session)
    row = get(session, rectification_id)
    if rules.S(row.state) not in rules.AWAITING_UNIT:
        raise RectificationError("rect.bot.cannot_extend", number=row.number, state=t(f"rect.state.{row.state}"))
    if not reason.strip():
        raise RectificationError("rect.bot.extension_needs_reason", number=row.number)
    if pending_extension(session, row.id) is not None:
        raise RectificationError("rect.bot.extension_pending", number=row.number)
    request = ExtensionRequest(rectification_id=row.id, reason=reason.strip(), requested_at=now)
    session.add(request)
    session.flush()
    audit(
        session,
        row,
        actor=actor,
        action="rectification.extension_requested",
        now=now,
        request_id=request.id,
        reason=request.reason,
        deadline=row.deadline.isoformat(),
    )
    text = t("rect.notice.extension_requested", **fields_of(session, row, reason=request.reason))
    notices.notify(
        session,
        _inspector_openids(session, row),
        notice="office_alert",
        text=text,
        fields={
            "subject": t("rect.notice.extension_requested_subject", number=row.number),
            "detail": request.reason,
            "at": local_stamp(now),
        },
        dedupe_key=f"rect:{row.id}:extension:{request.id}",
        now=now,
    )
    return request


def pending_extension(session: Session, rectification_id: int) -> ExtensionRequest | None:
    query = select(ExtensionRequest).where(
        ExtensionRequest.rectification_id == rectification_id, ExtensionRequest.decision.is_(None)
    )
    return session.scalars(query.order_by(ExtensionRequest.id)).first()


def pending_extensions(session: Session) -> list[ExtensionRequest]:
    query = select(ExtensionRequest).where(ExtensionRequest.decision.is_(None)).order_by(ExtensionRequest.id)
    return list(session.scalars(query))


def decide_extension(
    session: Session,
    request_id: int,
    *,
    grant: bool,
    new_deadline: date | None = None,
    reason: str = "",
    actor: str,
    now: datetime | None = None,
) -> ExtensionRequest:
    """同意延期 (with the new deadline) or 不同意延期 (with a reason). Does not commit."""
    now = now or session_now(session)
    request = session.get(ExtensionRequest, request_id)
    if request is None or request.decision is not None:
        raise RectificationError("rect.error.escalation_done")
    row = get(session, request.rectification_id)
    if grant:
        if new_deadline is None or new_deadline < local_date(now):
            raise RectificationError("rect.error.deadline_past")
        if rules.S(row.state) not in rules.AWAITING_UNIT:
            raise RectificationError("rect.bot.cannot_extend", number=row.number, state=t(f"rect.state.{row.state}"))
    request.decision = "granted" if grant else "refused"
    request.decided_at, request.decided_by = now, actor
    old_deadline = row.deadline
    if grant:
        assert new_deadline is not None
        request.new_deadline = row.deadline = new_deadline
        text = t("rect.notice.extension_granted", **fields_of(session, row))
    else:
        text = t("rect.notice.extension_refused", **fields_of(session, row, reason=reason.strip() or "-"))
    audit(
        session,
        row,
        actor=actor,
        action=f"rectification.extension_{request.decision}",
        now=now,
        request_id=request.id,
        reason=reason.strip(),
        old_deadline=old_deadline.isoformat(),
        deadline=row.deadline.isoformat(),
    )
    _push_unit(
        session,
        row,
        notice="rectification_due_soon",
        text=text,
        key=f"rect:{row.id}:extension:{request.id}:{request.decision}",
        now=now,
    )
    session.flush()
    return request


def escalations_of(session: Session, rectification_id: int) -> list[Escalation]:
    query = select(Escalation).where(Escalation.rectification_id == rectification_id).order_by(Escalation.id)
    return list(session.scalars(query))


def extensions_of(session: Session, rectification_id: int) -> list[ExtensionRequest]:
    query = select(ExtensionRequest).where(ExtensionRequest.rectification_id == rectification_id)
    return list(session.scalars(query.order_by(ExtensionRequest.id)))


__all__ = [
    "NotFound",
    "RectificationError",
    "Reinspection",
    "acknowledge",
    "by_number",
    "decide_extension",
    "history",
    "is_overdue",
    "issue_rectification",
    "open_items_of_unit",
    "pending_extension",
    "propose_rectification",
    "reinspect",
    "request_extension",
    "submit_report",
]
