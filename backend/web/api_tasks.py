"""`GET /api/v1/tasks` and `GET /api/v1/tasks/<id>/results`: supervision tasks, their progress, scores and
rectifications, for the office's other systems (token required). The same `task_results` the office web reads,
over the whole authority."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from backend.domain.kinds import CheckProgress, TaskKind
from backend.services.authority import current_authority
from backend.services.office import task_results
from backend.services.office_users import OfficeRole, Scope
from backend.web import openapi, runtime, today
from backend.web.api import require_token
from backend.web.args import BadArgument, int_arg, text_arg
from backend.web.errors import ApiError
from messages import t

bp = Blueprint("api_tasks", __name__, url_prefix="/api/v1")

MAX_PER_PAGE = 200
KINDS = [k.value for k in TaskKind]
PROGRESS = [p.value for p in CheckProgress]


def _office_scope(authority_id: int) -> Scope:
    """The whole authority, as a token reads it."""
    return Scope(0, "api", "api", OfficeRole.OFFICE, authority_id, None, None)


def summary_json(row: task_results.TaskSummary) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "kind": row.kind,
        "kind_label": t(f"task.kind.{row.kind}"),
        "state": row.state,
        "checklist": row.checklist,
        "starts_on": row.starts_on.isoformat(),
        "ends_on": row.ends_on.isoformat(),
        "leader": row.leader,
        "targets": row.total,
        "counts": {p.value: n for p, n in row.counts.items()},
    }


@bp.get("/tasks")
@require_token
def tasks() -> ResponseReturnValue:
    kind = text_arg("kind", max_length=24) or None
    if kind is not None and kind not in KINDS:
        raise BadArgument("kind", t("api.reason.kind", choices="、".join(KINDS)))
    page = int_arg("page", 1, 1, 1_000_000)
    per_page = int_arg("per_page", 50, 1, MAX_PER_PAGE)
    with runtime().db.session() as session:
        scope = _office_scope(current_authority(session).id)
        rows, total = task_results.task_summaries(session, scope, today(), kind=kind, page=page, per_page=per_page)
    return jsonify(items=[summary_json(r) for r in rows], total=total, page=page, per_page=per_page)


@bp.get("/tasks/<int:task_id>/results")
@require_token
def results(task_id: int) -> ResponseReturnValue:
    with runtime().db.session() as session:
        scope = _office_scope(current_authority(session).id)
        task = task_results.task_in_scope(session, scope, task_id)
        if task is None:
            raise ApiError(404)
        body = task_results.as_json(task_results.task_results(session, scope, task, today()))
    return jsonify(body)


# --- OpenAPI ---

_S = {"type": "string"}
_NS = {"type": ["string", "null"]}
_NUM = {"type": ["number", "null"]}
_INT = {"type": "integer"}
_DATE = {"type": "string", "format": "date"}
_COUNTS = {"type": "object", "properties": {p: _INT for p in PROGRESS}, "required": PROGRESS}

openapi.add_tag("tasks", t("openapi.tag.tasks"))
openapi.add_schema(
    "Task",
    {
        "type": "object",
        "required": ["id", "name", "kind", "state", "starts_on", "ends_on", "targets", "counts"],
        "properties": {
            "id": _INT,
            "name": _S,
            "kind": {"type": "string", "enum": KINDS},
            "kind_label": _S,
            "state": _S,
            "checklist": _S,
            "starts_on": _DATE,
            "ends_on": _DATE,
            "leader": _S,
            "targets": _INT,
            "counts": _COUNTS,
        },
    },
)
openapi.add_page_schema("Task")
openapi.add_schema(
    "TaskResults",
    {
        "type": "object",
        "required": ["task", "counts", "targets", "items", "rectifications"],
        "properties": {
            "task": {"type": "object"},
            "counts": _COUNTS,
            "max_score": {"type": "number"},
            "average_score": _NUM,
            "targets": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["unit", "status", "score"],
                    "properties": {
                        "unit": {"type": "object", "properties": {"code": _S, "name": _S, "zone": _S}},
                        "inspector": {"type": "object", "properties": {"number": _S, "name": _S}},
                        "status": {"type": "string", "enum": PROGRESS},
                        "score": _NUM,
                        "max_score": _NUM,
                        "rank": {"type": ["integer", "null"]},
                        "failed": _INT,
                        "answered": _INT,
                        "finished_at": _NS,
                        "rectifications": {"type": "array", "items": _S},
                    },
                },
            },
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "number": _S,
                        "section": _S,
                        "text": _S,
                        "max_score": {"type": "number"},
                        "answered": _INT,
                        "passed": _INT,
                        "failed": _INT,
                        "pass_rate": _NUM,
                        "average": _NUM,
                    },
                },
            },
            "rectifications": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "number": _S,
                        "unit": _S,
                        "item": _NS,
                        "problem": _S,
                        "state": _S,
                        "deadline": _DATE,
                    },
                },
            },
        },
    },
)
openapi.add_path(
    "/api/v1/tasks",
    "get",
    summary=t("openapi.tasks.list"),
    description=t("openapi.tasks.list.description"),
    tags=["tasks"],
    operation_id="listTasks",
    parameters=[
        openapi.query_param("kind", t("openapi.param.task_kind"), {"type": "string", "enum": KINDS}),
        openapi.query_param("page", t("openapi.param.page"), {"type": "integer", "minimum": 1, "default": 1}),
        openapi.query_param(
            "per_page", t("openapi.param.per_page"), {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}
        ),
    ],
    responses={
        "200": openapi.json_response(t("openapi.response.ok"), openapi.ref("TaskPage")),
        "400": openapi.error_response(t("openapi.response.bad_request")),
    },
    secured=True,
)
openapi.add_path(
    "/api/v1/tasks/{task_id}/results",
    "get",
    summary=t("openapi.tasks.results"),
    description=t("openapi.tasks.results.description"),
    tags=["tasks"],
    operation_id="getTaskResults",
    parameters=[openapi.path_param("task_id", t("openapi.param.task_id"), {"type": "integer", "minimum": 1})],
    responses={
        "200": openapi.json_response(t("openapi.response.ok"), openapi.ref("TaskResults")),
        "404": openapi.error_response(t("openapi.response.not_found")),
    },
    secured=True,
)
