"""`GET /api/v1/visits`: visit records for the office and other systems (token required)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from backend.services import visits as visit_service
from backend.services.concerns.views import categories
from backend.services.visits import VISIT_KINDS, VisitView
from backend.web import openapi, runtime
from backend.web.api import int_arg, require_token
from backend.web.errors import ApiError
from messages import t

bp = Blueprint("api_visits", __name__, url_prefix="/api/v1")
MAX_PER_PAGE = 200


def _date_arg(name: str) -> date | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(400, "api.error.bad_parameter", name=name, reason=t("visits.api.reason.date")) from None


def visit_json(view: VisitView, item_names: dict[str, str]) -> dict[str, Any]:
    """A visit as the API gives it; its items named from the authority's own list (`item_names`, code → name)."""
    return {
        "id": view.id,
        "school": {"code": view.school_code, "name": view.school},
        "inspector": {"number": view.inspector_number, "name": view.inspector},
        "visited_on": view.visited_on.isoformat(),
        "kind": view.kind,
        "kind_label": t(f"visits.kind.{view.kind}"),
        "items": view.items,
        "item_labels": [item_names.get(code, code) for code in view.items],
        "text": view.raw_text,
        "observations": view.observations,
        "problems": view.problems,
        "source": view.source,
        "urgent": view.urgent,
        "photos": view.photos,
        "checkin_distance_m": view.checkin_distance_m,
        "far_from_school": view.far_from_school,
        "revoked": view.revoked,
        "history": view.history,
        "rectifications": view.rectifications,
        "created_at": view.created_at.isoformat(),
    }


@bp.get("/visits")
@require_token
def list_visits() -> ResponseReturnValue:
    page = int_arg("page", 1, 1, 1_000_000)
    per_page = int_arg("per_page", 50, 1, MAX_PER_PAGE)
    with runtime().db.session() as session:
        views, total = visit_service.list_visits(
            session,
            school=request.args.get("school") or None,
            inspector=request.args.get("inspector") or None,
            date_from=_date_arg("from"),
            date_to=_date_arg("to"),
            include_revoked=request.args.get("include_revoked") in ("1", "true", "yes"),
            limit=per_page,
            offset=(page - 1) * per_page,
        )
        names = dict(categories(session))
        items = [visit_json(v, names) for v in views]
    return jsonify(items=items, total=total, page=page, per_page=per_page)


_STRING = {"type": "string"}
_DATE = {"type": "string", "format": "date"}
openapi.add_tag("visits", t("openapi.tag.visits"))
openapi.add_schema(
    "Visit",
    {
        "type": "object",
        "required": ["id", "school", "inspector", "visited_on", "kind", "items", "text", "problems", "photos"],
        "properties": {
            "id": {"type": "integer"},
            "school": {"type": "object", "properties": {"code": _STRING, "name": _STRING}},
            "inspector": {"type": "object", "properties": {"number": _STRING, "name": _STRING}},
            "visited_on": _DATE,
            "kind": {"type": "string", "enum": list(VISIT_KINDS)},
            "kind_label": _STRING,
            "items": {"type": "array", "items": _STRING},
            "item_labels": {"type": "array", "items": _STRING},
            "text": _STRING,
            "observations": _STRING,
            "problems": {"type": "array", "items": _STRING},
            "source": {"type": "string", "enum": ["chat", "dialogue", "web", "import"]},
            "urgent": {"type": "boolean"},
            "photos": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "kept": {"type": "boolean"},
                        "content_type": _STRING,
                        "size": {"type": "integer"},
                        "sha256": _STRING,
                    },
                },
            },
            "checkin_distance_m": {"type": ["number", "null"]},
            "far_from_school": {"type": "boolean"},
            "revoked": {"type": "boolean"},
            "history": {"type": "array", "items": {"type": "object"}},
            "rectifications": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"number": _STRING, "state": _STRING, "deadline": _DATE, "problem": _STRING},
                },
            },
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
)
openapi.add_page_schema("Visit")
openapi.add_path(
    "/api/v1/visits",
    "get",
    summary=t("openapi.visits.list"),
    description=t("openapi.visits.list.description"),
    tags=["visits"],
    operation_id="listVisits",
    parameters=[
        openapi.query_param("school", t("openapi.param.school_code"), _STRING),
        openapi.query_param("inspector", t("openapi.param.inspector_number"), _STRING),
        openapi.query_param("from", t("openapi.param.date_from"), _DATE),
        openapi.query_param("to", t("openapi.param.date_to"), _DATE),
        openapi.query_param("include_revoked", t("openapi.param.include_revoked"), {"type": "boolean"}),
        openapi.query_param("page", t("openapi.param.page"), {"type": "integer", "minimum": 1, "default": 1}),
        openapi.query_param(
            "per_page", t("openapi.param.per_page"), {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}
        ),
    ],
    responses={
        "200": openapi.json_response(t("openapi.response.ok"), openapi.ref("VisitPage")),
        "400": openapi.error_response(t("openapi.response.bad_request")),
    },
    secured=True,
)
