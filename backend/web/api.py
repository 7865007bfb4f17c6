"""The JSON API under `/api/v1`: public school data, token-protected office data, and its OpenAPI document.

Other API modules reuse `require_token` and describe their routes through `backend.web.openapi`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue

from backend.services import schools as school_service
from backend.services.audit import record
from backend.services.schools import SCHOOL_KINDS, InspectorDetail, SchoolSummary
from backend.services.tokens import check_token
from backend.web import openapi, runtime
from backend.web.args import int_arg
from backend.web.errors import ApiError
from messages import t

bp = Blueprint("api", __name__, url_prefix="/api/v1")

P = ParamSpec("P")
R = TypeVar("R")

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="dudao"'}


def _presented_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def require_token(view: Callable[P, R]) -> Callable[P, R]:
    """Let the request through only with `Authorization: Bearer <token>` of a token that is not revoked.

    The token's name is left in `flask.g.api_token` for the view (and its audit events).
    """

    @functools.wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        token = _presented_token()
        if token is None:
            raise ApiError(401, headers=_CHALLENGE)
        with runtime().db.session() as session:
            check = check_token(session, token)
            if check.valid:  # every read of the API's lists by a token is kept (issue 16: exports are audited)
                query = {key: value[:200] for key, value in list(request.args.items())[:20]}
                record(
                    session, f"api:{check.name}", "api.export", "api", None,
                    path=request.path[:300], args=query, ip=request.remote_addr or "",
                )  # fmt: skip
        if not check.valid:  # a revoked token gets the answer an unknown one gets: it says nothing of the past
            raise ApiError(401, headers=_CHALLENGE)
        g.api_token = check.name
        return view(*args, **kwargs)

    return guarded


# --- schools (public) ---------------------------------------------------------------------------------


def school_json(school: SchoolSummary) -> dict[str, Any]:
    inspector = school.inspector
    return {
        "code": school.code,
        "name": school.name,
        "kind": school.kind,
        "kind_label": t(f"unit_kind.{school.kind}"),
        "ownership": school.ownership,
        "ownership_label": t(f"ownership.{school.ownership}"),
        "address": school.address,
        "zone": school.zone,
        "inspector": None if inspector is None else {"name": inspector.name, "phone": inspector.phone},
    }


@bp.get("/schools")
def schools() -> ResponseReturnValue:
    kind = request.args.get("kind") or None
    if kind is not None and kind not in SCHOOL_KINDS:
        reason = t("api.reason.kind", choices="、".join(SCHOOL_KINDS))
        raise ApiError(400, "api.error.bad_parameter", name="kind", reason=reason)
    page = int_arg("page", 1, 1, 1_000_000)
    per_page = int_arg("per_page", 50, 1, school_service.MAX_PER_PAGE)
    with runtime().db.session() as session:
        result = school_service.list_schools(
            session,
            zone=request.args.get("zone") or None,
            kind=kind,
            q=request.args.get("q") or None,
            page=page,
            per_page=per_page,
        )
    return jsonify(
        items=[school_json(s) for s in result.items], total=result.total, page=result.page, per_page=result.per_page
    )


@bp.get("/schools/<code>")
def school(code: str) -> ResponseReturnValue:
    with runtime().db.session() as session:
        try:
            found = school_service.get_school(session, code)
        except school_service.NotFound:
            raise ApiError(404) from None
    return jsonify(school_json(found))


# --- inspectors (token) -------------------------------------------------------------------------------


def inspector_json(inspector: InspectorDetail) -> dict[str, Any]:
    return {
        "number": inspector.number,
        "name": inspector.name,
        "phone": inspector.phone,
        "employment": inspector.employment,
        "employment_label": t(f"employment.{inspector.employment}"),
        "retired": inspector.retired,
        "retired_on": inspector.retired_on.isoformat() if inspector.retired_on else None,
        "training_hours": inspector.training_hours,
        "active": inspector.active,
        "zone": inspector.zone,
        "schools": [{"code": s.code, "name": s.name} for s in inspector.schools],
    }


@bp.get("/inspectors")
@require_token
def inspectors() -> ResponseReturnValue:
    with runtime().db.session() as session:
        found = school_service.list_inspectors(session)
    return jsonify(items=[inspector_json(i) for i in found], total=len(found))


@bp.get("/openapi.json")
def openapi_document() -> ResponseReturnValue:
    return jsonify(openapi.document())


# --- the OpenAPI description of the routes above ------------------------------------------------------

_STRING = {"type": "string"}
_NULLABLE_STRING = {"type": ["string", "null"]}

openapi.add_tag("schools", t("openapi.tag.schools"))
openapi.add_tag("inspectors", t("openapi.tag.inspectors"))
openapi.add_tag("meta", t("openapi.tag.meta"))
openapi.add_schema(
    "School",
    {
        "type": "object",
        "required": ["code", "name", "kind", "kind_label", "ownership", "ownership_label", "zone", "inspector"],
        "properties": {
            "code": _STRING,
            "name": _STRING,
            "kind": {"type": "string", "enum": list(SCHOOL_KINDS)},
            "kind_label": _STRING,
            "ownership": {"type": "string", "enum": ["public", "private"]},
            "ownership_label": _STRING,
            "address": _STRING,
            "zone": _NULLABLE_STRING,
            "inspector": {
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "required": ["name", "phone"],
                        "properties": {"name": _STRING, "phone": _STRING},
                    },
                ]
            },
        },
    },
)
openapi.add_page_schema("School")
openapi.add_schema(
    "Inspector",
    {
        "type": "object",
        "required": ["number", "name", "phone", "employment", "retired", "training_hours", "schools"],
        "properties": {
            "number": _STRING,
            "name": _STRING,
            "phone": _STRING,
            "employment": {"type": "string", "enum": ["full_time", "part_time"]},
            "employment_label": _STRING,
            "retired": {"type": "boolean"},
            "retired_on": {"type": ["string", "null"], "format": "date"},
            "training_hours": {"type": "number"},
            "active": {"type": "boolean"},
            "zone": _NULLABLE_STRING,
            "schools": {
                "type": "array",
                "items": {"type": "object", "properties": {"code": _STRING, "name": _STRING}},
            },
        },
    },
)
openapi.add_schema(
    "InspectorList",
    {
        "type": "object",
        "required": ["items", "total"],
        "properties": {"items": {"type": "array", "items": openapi.ref("Inspector")}, "total": {"type": "integer"}},
    },
)
openapi.add_path(
    "/api/v1/schools",
    "get",
    summary=t("openapi.schools.list"),
    description=t("openapi.schools.list.description"),
    tags=["schools"],
    operation_id="listSchools",
    parameters=[
        openapi.query_param("zone", t("openapi.param.zone"), _STRING),
        openapi.query_param("kind", t("openapi.param.kind"), {"type": "string", "enum": list(SCHOOL_KINDS)}),
        openapi.query_param("q", t("openapi.param.q"), _STRING),
        openapi.query_param("page", t("openapi.param.page"), {"type": "integer", "minimum": 1, "default": 1}),
        openapi.query_param(
            "per_page",
            t("openapi.param.per_page"),
            {"type": "integer", "minimum": 1, "maximum": school_service.MAX_PER_PAGE, "default": 50},
        ),
    ],
    responses={
        "200": openapi.json_response(t("openapi.response.ok"), openapi.ref("SchoolPage")),
        "400": openapi.error_response(t("openapi.response.bad_request")),
    },
)
openapi.add_path(
    "/api/v1/schools/{code}",
    "get",
    summary=t("openapi.schools.get"),
    tags=["schools"],
    operation_id="getSchool",
    parameters=[openapi.path_param("code", t("openapi.param.code"))],
    responses={
        "200": openapi.json_response(t("openapi.response.ok"), openapi.ref("School")),
        "404": openapi.error_response(t("openapi.response.not_found")),
    },
)
openapi.add_path(
    "/api/v1/inspectors",
    "get",
    summary=t("openapi.inspectors.list"),
    description=t("openapi.inspectors.list.description"),
    tags=["inspectors"],
    operation_id="listInspectors",
    responses={"200": openapi.json_response(t("openapi.response.ok"), openapi.ref("InspectorList"))},
    secured=True,
)
openapi.add_path(
    "/api/v1/openapi.json",
    "get",
    summary=t("openapi.openapi"),
    tags=["meta"],
    operation_id="openapiDocument",
    responses={"200": openapi.json_response(t("openapi.response.ok"), {"type": "object"})},
)
