"""Handling: the inspector, zone leader and office acknowledge, answer, refer, close or reassign; the block list."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.domain import concern as rules
from backend.domain.errors import TransitionRefused
from backend.domain.kinds import ConcernState
from backend.services import identity as identities
from backend.services import notices
from backend.services.audit import record
from backend.services.concerns.views import (
    ConcernView,
    NotFound,
    NotPermitted,
    audit_concern,
    by_ticket,
    day_label,
    excerpt,
    in_charge,
    received_fields,
    view,
    when,
)
from backend.store.db import session_now
from backend.store.models import AuditEvent, Concern, Inspector, Unit, WechatIdentity
from messages import t

log = logging.getLogger(__name__)


def _handle(
    session: Session,
    ticket: str,
    *,
    target: ConcernState,
    actor: str,
    inspector_id: int | None,
    text: str = "",
    now: datetime | None = None,
) -> ConcernView:
    now = now or session_now(session)
    concern = by_ticket(session, ticket)
    if concern is None:
        raise NotFound(ticket)
    if inspector_id is not None and not in_charge(session, concern, inspector_id):
        raise NotPermitted(ticket)
    before = concern.state
    rules.check_move(before, target.value)
    concern.state = target.value
    concern.window_until = None
    if target is ConcernState.ACKNOWLEDGED or (concern.acknowledged_at is None and target is ConcernState.VERIFYING):
        concern.acknowledged_at = now
    if target is ConcernState.ANSWERED:
        concern.answer, concern.answered_at = text, now
    elif target in (ConcernState.REFERRED, ConcernState.NOT_SUBSTANTIATED):
        concern.note, concern.answered_at = text, now
    elif target is ConcernState.CLOSED:
        concern.closed_at = now
    audit_concern(session, actor, f"concern.{target.value}", concern, before=before, text=text)
    _tell_reporter(session, concern, target, now)
    return view(session, concern, with_phone=True)


def _tell_reporter(session: Session, concern: Concern, target: ConcernState, now: datetime) -> None:
    if not concern.reporter_openid or concern.personal_erased_at is not None or target is ConcernState.VERIFYING:
        return
    school = session.scalar(select(Unit.name).where(Unit.id == concern.unit_id)) or ""
    if target is ConcernState.ACKNOWLEDGED:
        notice, fields = "concern_acknowledged", {"acknowledged_at": when(now)}
        text = t("concern.reporter.acknowledged", ticket=concern.ticket_no, school=school)
    elif target is ConcernState.CLOSED:
        return  # closing is bookkeeping; the reporter already has the answer
    else:
        notice, fields = "concern_answered", {"answered_at": when(now)}
        body = concern.answer if target is ConcernState.ANSWERED else concern.note
        text = t(f"concern.reporter.{target.value}", ticket=concern.ticket_no, school=school, text=body)
    digest = hashlib.sha256(text.encode()).hexdigest()[:10]
    notices.notify(
        session,
        [concern.reporter_openid],
        notice=notice,
        text=text,
        fields={"ticket_no": concern.ticket_no, "school": school, **fields},
        dedupe_key=f"concern:{concern.id}:{target.value}:{digest}",
        now=now,
    )


def acknowledge(session: Session, ticket: str, *, actor: str, inspector_id: int | None = None) -> ConcernView:
    return _handle(session, ticket, target=ConcernState.ACKNOWLEDGED, actor=actor, inspector_id=inspector_id)


def start_verifying(session: Session, ticket: str, *, actor: str, inspector_id: int | None = None) -> ConcernView:
    return _handle(session, ticket, target=ConcernState.VERIFYING, actor=actor, inspector_id=inspector_id)


def answer(session: Session, ticket: str, text: str, *, actor: str, inspector_id: int | None = None) -> ConcernView:
    return _handle(session, ticket, target=ConcernState.ANSWERED, actor=actor, inspector_id=inspector_id, text=text)


def not_substantiated(
    session: Session, ticket: str, reason: str, *, actor: str, inspector_id: int | None = None
) -> ConcernView:
    target = ConcernState.NOT_SUBSTANTIATED
    return _handle(session, ticket, target=target, actor=actor, inspector_id=inspector_id, text=reason)


def refer(session: Session, ticket: str, to: str, *, actor: str, inspector_id: int | None = None) -> ConcernView:
    return _handle(session, ticket, target=ConcernState.REFERRED, actor=actor, inspector_id=inspector_id, text=to)


def close(session: Session, ticket: str, *, actor: str, inspector_id: int | None = None) -> ConcernView:
    return _handle(session, ticket, target=ConcernState.CLOSED, actor=actor, inspector_id=inspector_id)


def mark_duplicate(session: Session, ticket: str, of: str, *, actor: str) -> ConcernView:
    """The office links a concern to an earlier one by hand. Does not commit."""
    concern, original = by_ticket(session, ticket), by_ticket(session, of)
    if concern is None or original is None or concern.id == original.id:
        raise NotFound(ticket if concern is None else of)
    rules.check_move(concern.state, ConcernState.DUPLICATE.value)
    before = concern.state
    concern.state, concern.duplicate_of_id, concern.window_until = ConcernState.DUPLICATE.value, original.id, None
    audit_concern(session, actor, "concern.duplicate", concern, before=before, duplicate_of=original.ticket_no)
    return view(session, concern, with_phone=True)


# a closed concern is finished and a duplicate is handled through the one it joined: nothing there to assign
NOT_ASSIGNABLE: frozenset[ConcernState] = frozenset({ConcernState.CLOSED, ConcernState.DUPLICATE})


def assign_concern(
    session: Session, concern_id: int, inspector_id: int, *, actor: str, now: datetime | None = None
) -> ConcernView:
    """The office (or a zone leader) puts another inspector in charge (改派); the new one is told. Does not commit.

    Assigning the inspector already in charge changes nothing. The caller checks the person's scope (a zone
    leader acts on their zone only); here the inspector must be an active one of the concern's authority.
    """
    now = now or session_now(session)
    concern = session.get(Concern, concern_id)
    if concern is None:
        raise NotFound(str(concern_id))
    inspector = session.get(Inspector, inspector_id)
    if inspector is None or not inspector.active or inspector.authority_id != concern.authority_id:
        raise NotFound(f"inspector {inspector_id}")
    if ConcernState(concern.state) in NOT_ASSIGNABLE:
        raise TransitionRefused("concern", "assigned", concern.state)
    if concern.inspector_id == inspector_id:
        return view(session, concern, with_phone=True)
    before = concern.inspector_id
    # the how-many-th change of hands: A→B→A→B tells each new inspector, a repeated request tells nobody twice
    changes = session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.subject_type == "concern",
            AuditEvent.subject_id == concern.id,
            AuditEvent.action == "concern.assigned",
        )
    )
    concern.inspector_id = inspector_id
    # the inspector is told now: the sweep must not route it again to the school's own inspector
    concern.routed_to, concern.window_until = "inspector", None
    concern.notified_at = concern.notified_at or now
    audit_concern(session, actor, "concern.assigned", concern, before=before, after=inspector_id)
    shown = view(session, concern)  # no phone: the new inspector reads it in 留言 <ticket> as the person in charge
    notices.notify(
        session,
        notices.openids_of_inspector(session, inspector_id),
        notice="concern_received",
        text=t(
            "office.notice.concern_assigned",
            ticket=shown.ticket_no,
            school=shown.school,
            category=shown.category_name,
            content=excerpt(shown.content, 300) or t("concern.content.empty"),
            photos=shown.photos,
            state=t(f"concern.state.{shown.state}"),
            ack_due=day_label(shown.ack_due_on),
            answer_due=day_label(shown.answer_due_on),
        ),
        fields=received_fields(concern, shown),
        dedupe_key=f"concern:{concern.id}:assigned:{changes or 0}:{inspector_id}",
        now=now,
    )
    return view(session, concern, with_phone=True)


# --- the block list -------------------------------------------------------------------------------------------


def set_blocked(session: Session, openid: str, blocked: bool, *, actor: str) -> bool:
    """Put `openid` on the block list or take it off; False when nothing changed. Does not commit."""
    me = identities.get_or_create(session, openid)
    if me.blocked == blocked:
        return False
    me.blocked = blocked
    record(
        session,
        actor,
        "concern.reporter_blocked" if blocked else "concern.reporter_unblocked",
        "wechat_identity",
        me.id,
    )
    return True


def blocked_openids(session: Session) -> list[str]:
    return list(
        session.scalars(select(WechatIdentity.openid).where(WechatIdentity.blocked).order_by(WechatIdentity.id))
    )
