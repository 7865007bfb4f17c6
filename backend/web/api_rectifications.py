"""`GET /api/v1/rectifications`: rectification items with their history (token required).

Filters: `unit` (unit code), `state`, `overdue` (true/false, derived from the deadline as of now), `level`
(0 none … 4 问责); `page`, `per_page`. Each item carries its audit history, escalations and extension requests.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.domain import rectification as rules
from backend.domain.calendar import local_date
from backend.domain.kinds import RectificationState
from backend.services import rectifications as rect
from backend.services.list_filters import RECTIFICATIONS, ListFilters, conditions
from backend.services.office import details
from backend.store.models import Rectification, Unit
from backend.web import openapi, runtime
from backend.web.api import int_arg, require_token
from backend.web.errors import ApiError
from messages import t

bp = Blueprint("api_rectifications", __name__, url_prefix="/api/v1")

MAX_PER_PAGE = 200
STATES = [s.value for s in RectificationState]
_TRUE, _FALSE = ("1", "true", "yes"), ("0", "false", "no")


def _bool_arg(name: str) -> bool | None:
    raw = (request.args.get(name) or "").strip().lower()
    if not raw:
        return None
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ApiError(400, "api.error.bad_parameter", name=name, reason="true / false")


def item_json(session: Session, item: Rectification, today: Any) -> dict[str, Any]:
    unit = session.get(Unit, item.unit_id)
    names: dict[str, str] = {}

    def who(actor: str) -> str:
        if actor not in names:
            names[actor] = details.actor_label(session, actor, subject_type="rectification")
        return names[actor]

    return {
        "number": item.number,
        "unit": {"code": unit.code if unit else None, "name": unit.name if unit else None},
        "inspector_id": item.inspector_id,
        "visit_id": item.visit_id,
        "item": item.item,
        "problem": item.problem,
        "requirement": item.requirement,
        "deadline": item.deadline.isoformat(),
        "urgent": item.urgent,
        "state": item.state,
        "state_label": t(f"rect.state.{item.state}"),
        "overdue": rules.is_overdue(item.state, item.deadline, today),
        "level": item.level,
        "level_label": t(f"rect.level.{item.level}"),
        "issued_at": _iso(item.issued_at),
        "acknowledged_at": _iso(item.acknowledged_at),
        "submitted_at": _iso(item.submitted_at),
        "verified_at": _iso(item.verified_at),
        "closed_at": _iso(item.closed_at),
        "report_text": item.report_text,
        "reinspection_note": item.reinspection_note,
        "history": [
            {
                "at": _iso(e.at),
                "actor": who(e.actor),
                "action": e.action,
                "action_label": details.action_label(e.action),
                "detail": e.detail,
            }
            for e in rect.history(session, item.id)
        ],
        "escalations": [
            {
                "level": e.level,
                "state": e.state,
                "new_deadline": e.new_deadline.isoformat() if e.new_deadline else None,
                "proposed_at": _iso(e.proposed_at),
                "confirmed_at": _iso(e.confirmed_at),
                "confirmed_by": who(e.confirmed_by) if e.confirmed_by else "",
                "record": e.record,
            }
            for e in rect.escalations_of(session, item.id)
        ],
        "extensions": [
            {
                "reason": x.reason,
                "requested_at": _iso(x.requested_at),
                "decision": x.decision,
                "decided_at": _iso(x.decided_at),
                "new_deadline": x.new_deadline.isoformat() if x.new_deadline else None,
            }
            for x in rect.extensions_of(session, item.id)
        ],
    }


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


@bp.get("/rectifications")
@require_token
def rectifications() -> ResponseReturnValue:
    state = request.args.get("state") or None
    if state is not None and state not in STATES:
        raise ApiError(400, "api.error.bad_parameter", name="state", reason=" / ".join(STATES))
    level = request.args.get("level")
    level_value = int_arg("level", 0, 0, 4) if level not in (None, "") else None
    overdue = _bool_arg("overdue")
    page = int_arg("page", 1, 1, 1_000_000)
    per_page = int_arg("per_page", 50, 1, MAX_PER_PAGE)
    today = local_date(runtime().clock.now())
    with runtime().db.session() as session:
        unit_code = request.args.get("unit") or ""
        if unit_code and session.scalar(select(Unit.id).where(Unit.code == unit_code)) is None:
            raise ApiError(404)
        filters = ListFilters(school_code=unit_code, state=state or "", level=level_value, overdue=overdue)
        query = select(Rectification).join(Unit, Unit.id == Rectification.unit_id)
        query = query.where(*conditions(filters, RECTIFICATIONS, today))
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        query = query.order_by(Rectification.deadline, Rectification.id).offset((page - 1) * per_page).limit(per_page)
        items = [item_json(session, r, today) for r in session.scalars(query)]
    return jsonify(items=items, total=total, page=page, per_page=per_page)


# --- OpenAPI ---

_S = {"type": "string"}
_NS = {"type": ["string", "null"]}
_NI = {"type": ["integer", "null"]}
_OBJ = {"type": "object"}

openapi.add_tag("rectifications", t("openapi.tag.rectifications"))
openapi.add_schema(
    "Rectification",
    {
        "type": "object",
        "required": ["number", "unit", "problem", "deadline", "state", "overdue", "level", "history"],
        "properties": {
            "number": _S,
            "unit": {"type": "object", "properties": {"code": _NS, "name": _NS}},
            "inspector_id": _NI,
            "visit_id": _NI,
            "item": _NS,
            "problem": _S,
            "requirement": _S,
            "deadline": {"type": "string", "format": "date"},
            "urgent": {"type": "boolean"},
            "state": {"type": "string", "enum": STATES},
            "state_label": _S,
            "overdue": {"type": "boolean"},
            "level": {"type": "integer", "minimum": 0, "maximum": 4},
            "level_label": _S,
            "issued_at": _NS,
            "acknowledged_at": _NS,
            "submitted_at": _NS,
            "verified_at": _NS,
            "closed_at": _NS,
            "report_text": _S,
            "reinspection_note": _S,
            "history": {
                "type": "array",
                "description": "who did what, the actor by name (never a WeChat id), the action as key and in words",
                "items": {
                    "type": "object",
                    "properties": {"at": _S, "actor": _S, "action": _S, "action_label": _S, "detail": _OBJ},
                },
            },
            "escalations": {"type": "array", "items": _OBJ},
            "extensions": {"type": "array", "items": _OBJ},
        },
    },
)
openapi.add_page_schema("Rectification")
openapi.add_path(
    "/api/v1/rectifications",
    "get",
    summary=t("openapi.rectifications.list"),
    tags=["rectifications"],
    parameters=[
        openapi.query_param("unit", t("openapi.param.rect_unit"), _S),
        openapi.query_param("state", t("openapi.param.rect_state"), {"type": "string", "enum": STATES}),
        openapi.query_param("overdue", t("openapi.param.rect_overdue"), {"type": "boolean"}),
        openapi.query_param("level", t("openapi.param.rect_level"), {"type": "integer", "minimum": 0, "maximum": 4}),
        openapi.query_param("page", t("openapi.param.page"), {"type": "integer", "minimum": 1}),
        openapi.query_param("per_page", t("openapi.param.per_page"), {"type": "integer", "minimum": 1}),
    ],
    responses={
        "200": openapi.json_response(t("openapi.response.ok"), openapi.ref("RectificationPage")),
        "400": openapi.error_response(t("openapi.response.bad_request")),
        "404": openapi.error_response(t("openapi.response.not_found")),
    },
    secured=True,
)
