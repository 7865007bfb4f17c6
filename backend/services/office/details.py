"""One record of the office's pages with the names around it and its history; None when outside the scope
(the page answers 404, as if it did not exist).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from backend.domain.kinds import RectificationState
from backend.services.office.figures import OPEN_RECTIFICATION
from backend.services.office.periods import Period, utc_bounds
from backend.services.office.scoped import current_assignment, inspector_ids_in, live_visits
from backend.services.office_users import Scope
from backend.store.models import (
    Assignment,
    AuditEvent,
    Concern,
    Escalation,
    ExtensionRequest,
    Inspector,
    OfficeUser,
    Rectification,
    Unit,
    Visit,
    WechatIdentity,
    Zone,
)
from messages import CATALOG, t


def unit_in_scope(session: Session, scope: Scope, unit_id: int) -> Unit | None:
    return session.scalar(select(Unit).where(Unit.id == unit_id, scope.units()))


def school_by_code(session: Session, scope: Scope, code: str) -> Unit | None:
    return session.scalar(select(Unit).where(Unit.code == code, scope.units()))


def concern_in_scope(session: Session, scope: Scope, concern_id: int) -> Concern | None:
    return session.scalar(
        select(Concern).join(Unit, Unit.id == Concern.unit_id).where(Concern.id == concern_id, scope.units())
    )


def rectification_in_scope(session: Session, scope: Scope, rectification_id: int) -> Rectification | None:
    return session.scalar(
        select(Rectification)
        .join(Unit, Unit.id == Rectification.unit_id)
        .where(Rectification.id == rectification_id, scope.units())
    )


def inspector_in_scope(session: Session, scope: Scope, number: str) -> Inspector | None:
    return session.scalar(
        select(Inspector).where(Inspector.number == number, Inspector.id.in_(inspector_ids_in(scope)))
    )


def superior_name_of(session: Session, unit: Unit) -> str:
    """The unit's 主管单位, which 督办通知, 约谈 and 通报 are copied to."""
    if unit.superior_unit_id is None:
        return ""
    return session.scalar(select(Unit.name).where(Unit.id == unit.superior_unit_id)) or ""


def zone_name_of(session: Session, unit_id: int) -> str:
    return session.scalar(select(Zone.name).join(Unit, Unit.zone_id == Zone.id).where(Unit.id == unit_id)) or ""


@dataclass(frozen=True)
class Names:
    """The names around an item: its school, zone and inspector."""

    school: str
    school_code: str
    zone: str
    inspector: str
    inspector_number: str


def _names(session: Session, unit_id: int, inspector_id: int | None) -> Names:
    unit = session.get(Unit, unit_id)
    inspector = session.get(Inspector, inspector_id) if inspector_id else None
    return Names(
        unit.name if unit else "",
        unit.code if unit else "",
        zone_name_of(session, unit_id),
        inspector.name if inspector else "",
        inspector.number if inspector else "",
    )


def names_of_rectification(session: Session, item: Rectification) -> Names:
    return _names(session, item.unit_id, item.inspector_id)


def names_of_visit(session: Session, item: Visit) -> Names:
    return _names(session, item.unit_id, item.inspector_id)


def history(session: Session, subject_type: str, subject_id: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == subject_id)
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )


def assignment_history(session: Session, unit_id: int) -> list[tuple[Assignment, str, str]]:
    rows = session.execute(
        select(Assignment, Inspector.name, Inspector.number)
        .join(Inspector, Inspector.id == Assignment.inspector_id)
        .where(Assignment.unit_id == unit_id)
        .order_by(Assignment.starts_on.desc(), Assignment.id.desc())
    )
    return [(a, name, number) for a, name, number in rows]


def extensions_of(session: Session, rectification_id: int) -> list[ExtensionRequest]:
    return list(
        session.scalars(
            select(ExtensionRequest)
            .where(ExtensionRequest.rectification_id == rectification_id)
            .order_by(ExtensionRequest.requested_at)
        )
    )


def escalations_of(session: Session, rectification_id: int) -> list[Escalation]:
    return list(
        session.scalars(
            select(Escalation).where(Escalation.rectification_id == rectification_id).order_by(Escalation.proposed_at)
        )
    )


def names_by_id(session: Session, model: Any, ids: Sequence[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(model.id, model.name).where(model.id.in_(wanted))).all())


@dataclass
class SchoolReport:
    """A school over a period: what the 督导报告 holds."""

    unit: Unit
    zone: str
    inspector: str
    period: Period
    inspector_number: str = ""
    visits: list[Visit] = field(default_factory=list)
    rectifications: list[Rectification] = field(default_factory=list)
    concerns_by_state: dict[str, int] = field(default_factory=dict)


def school_report(session: Session, unit: Unit, period: Period) -> SchoolReport:
    zone = session.scalar(select(Zone.name).where(Zone.id == unit.zone_id)) if unit.zone_id else None
    inspector = session.execute(
        select(Inspector.name, Inspector.number)
        .join(Assignment, Assignment.inspector_id == Inspector.id)
        .where(current_assignment(unit.id))
    ).first()
    report = SchoolReport(unit, zone or "", inspector.name if inspector else "", period)
    report.inspector_number = inspector.number if inspector else ""
    report.visits = list(
        session.scalars(
            select(Visit)
            .where(Visit.unit_id == unit.id, live_visits(), period.contains(Visit.visited_on))
            .order_by(Visit.visited_on)
        )
    )
    start, end = utc_bounds(period)
    report.rectifications = list(
        session.scalars(
            select(Rectification)
            .where(
                Rectification.unit_id == unit.id,
                Rectification.state != RectificationState.DRAFT.value,
                or_(
                    and_(Rectification.created_at >= start, Rectification.created_at < end),
                    Rectification.state.in_(OPEN_RECTIFICATION),
                ),
            )
            .order_by(Rectification.deadline)
        )
    )
    report.concerns_by_state = dict(
        session.execute(
            select(Concern.state, func.count(Concern.id))
            .where(Concern.unit_id == unit.id, Concern.created_at >= start, Concern.created_at < end)
            .group_by(Concern.state)
        ).all()
    )
    return report


# --- history (办理记录) ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a record's history as the office reads it: when, what (in Chinese), and who, by name."""

    at: Any
    action: str  # the recorded key, e.g. "concern.received"
    label: str  # what was done, in words: "收到留言"
    actor: str  # who did it, in words; a reporter only as "反映人（已保密）"


def action_label(action: str) -> str:
    """What an audit event's action means, in words; never the key itself (an unknown key reads "其他操作").

    Escalation steps are named by level and step ("escalation.talk.proposed" → "提出约谈").
    """
    known = CATALOG.get(f"office.action.{action}")
    if known is not None:
        return known
    parts = action.split(".")
    if len(parts) == 3 and parts[0] == "escalation":
        level = CATALOG.get(f"rect.level.{parts[1]}")
        step = CATALOG.get(f"history.step.{parts[2]}")
        if level and step:
            return step.format(level=level)
    return t("history.action.other")


def actor_label(session: Session, actor: str, *, subject_type: str) -> str:
    """Who did it, in words: a name for inspectors, units and office staff; a reporter never by their WeChat id.

    On a concern every WeChat or web actor is its reporter ("反映人（已保密）"), whatever else their account is;
    anything not recognised is shown as "其他", never as recorded (it could carry an openid).
    """
    kind, _, rest = actor.partition(":")
    if kind in ("wechat", "public") and (subject_type == "concern" or kind == "public"):
        return t("office.actor.reporter")
    if kind == "wechat":
        return _wechat_name(session, rest)
    if kind == "inspector" and rest.isdigit():
        inspector = session.get(Inspector, int(rest))
        return t("office.actor.inspector", name=inspector.name) if inspector else t("office.actor.inspector_gone")
    if kind == "unit":  # unit:<id> or unit:<id>:<openid of its contact>
        unit_id = rest.partition(":")[0]
        unit = session.get(Unit, int(unit_id)) if unit_id.isdigit() else None
        return t("office.actor.unit", name=unit.name) if unit else t("history.actor.unit")
    if kind == "office" and rest and rest != "cli":
        user = session.scalar(select(OfficeUser).where(OfficeUser.username == rest))
        return (user.display_name or user.username) if user else t("office.actor.office")
    if kind == "cli" or actor == "office:cli":
        return t("office.actor.cli")
    if kind == "office":
        return t("office.actor.office")
    if kind == "system":
        return t("office.actor.system")
    return t("office.actor.other")


def _wechat_name(session: Session, openid: str) -> str:
    me = session.scalar(select(WechatIdentity).where(WechatIdentity.openid == openid))
    if me is not None and me.inspector_id is not None:
        inspector = session.get(Inspector, me.inspector_id)
        return t("office.actor.inspector", name=inspector.name) if inspector else t("office.actor.inspector_gone")
    if me is not None and me.unit_id is not None:
        unit = session.get(Unit, me.unit_id)
        return t("office.actor.unit", name=unit.name if unit else "")
    if me is not None and me.office_user_id is not None:
        user = session.get(OfficeUser, me.office_user_id)
        return (user.display_name or user.username) if user else t("office.actor.office")
    return t("office.actor.wechat_user")


def history_entries(session: Session, subject_type: str, subject_id: int) -> list[HistoryEntry]:
    """A record's history for the office's pages: Chinese actions and people's names, no WeChat ids."""
    labels: dict[str, str] = {}
    entries = []
    for event in history(session, subject_type, subject_id):
        if event.actor not in labels:
            labels[event.actor] = actor_label(session, event.actor, subject_type=subject_type)
        entries.append(HistoryEntry(event.at, event.action, action_label(event.action), labels[event.actor]))
    return entries
