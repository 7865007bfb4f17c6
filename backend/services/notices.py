"""Who hears about what, and how a notice becomes outbox rows.

Every push goes through `notify`, in the caller's transaction: a customer-service text while the recipient's
48 h window is open (with the template fields, should WeChat refuse it), else the notice's template message
straight away. Each recipient's row is keyed `<dedupe_key>:<openid>`, so a notice is queued once per person
however often the use case or a sweep runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.domain.kinds import Role
from backend.services import audit, concealment, outbox
from backend.store.db import session_now
from backend.store.models import Unit, WechatIdentity, Zone

WINDOW = timedelta(hours=48)


def openids_of_inspector(session: Session, inspector_id: int) -> list[str]:
    return _bound(session, WechatIdentity.inspector_id == inspector_id, Role.INSPECTOR)


def openids_of_unit(session: Session, unit_id: int) -> list[str]:
    return _bound(session, WechatIdentity.unit_id == unit_id, Role.UNIT)


def openids_of_office(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(WechatIdentity.openid).where(WechatIdentity.role == Role.OFFICE.value, WechatIdentity.following)
        )
    )


def zone_leader_of(session: Session, unit_id: int) -> int | None:
    """The inspector who leads the zone of `unit_id`, if the zone has one."""
    return session.scalar(
        select(Zone.leader_inspector_id).join(Unit, Unit.zone_id == Zone.id).where(Unit.id == unit_id)
    )


def _bound(session: Session, condition: Any, role: Role) -> list[str]:
    return list(
        session.scalars(
            select(WechatIdentity.openid).where(condition, WechatIdentity.role == role.value, WechatIdentity.following)
        )
    )


def window_open(session: Session, openid: str, now: datetime | None = None) -> bool:
    """Whether WeChat would still take a customer-service message to `openid` (48 h since their last message)."""
    last = session.scalar(select(WechatIdentity.last_inbound_at).where(WechatIdentity.openid == openid))
    return last is not None and (now or session_now(session)) - last < WINDOW


def notify(
    session: Session,
    openids: Iterable[str],
    *,
    notice: str,
    text: str,
    fields: Mapping[str, Any],
    dedupe_key: str,
    url: str | None = None,
    now: datetime | None = None,
    task_id: int | None = None,
) -> int:
    """Queue `notice` for each recipient (does not commit); returns how many rows were new.

    A push about a task (`task_id`, or a dedupe key `task:<id>:…`) never reaches the unit of a target hidden from
    it (a 随机 or 暗访 target whose check is not done: `backend.domain.tasks.task_hidden_from_unit`): that
    recipient is skipped, and the skip is in the audit log."""
    recipients = list(dict.fromkeys(openids))
    about = task_id if task_id is not None else concealment.task_of_key(dedupe_key)
    if about is not None:
        withheld = concealment.unit_openids_hidden_from(session, about, recipients)
        if withheld:
            recipients = [o for o in recipients if o not in withheld]
            audit.record(
                session, "system", "task.notice_withheld", "task", about, notice=notice, recipients=len(withheld)
            )
    added = 0
    for openid in recipients:
        key = f"{dedupe_key}:{openid}"
        payload: dict[str, Any] = {"fields": dict(fields)}
        if url:
            payload["url"] = url
        if window_open(session, openid, now):
            kind = "text"
            payload["content"] = text
        else:
            kind = "template"
        if outbox.enqueue(session, openid=openid, kind=kind, payload=payload, dedupe_key=key, notice=notice):
            added += 1
    return added
