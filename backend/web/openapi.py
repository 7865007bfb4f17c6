"""The OpenAPI 3.1 document of `/api/v1`, kept as data that every API module extends when it is imported.

An API module describes each route next to it:

    openapi.add_schema("Visit", {...})
    openapi.add_path("/api/v1/visits/{id}", "get", summary=t("openapi.visits.get"), tags=["visits"],
                     parameters=[openapi.path_param("id", t("openapi.param.visit_id"), {"type": "integer"})],
                     responses={"200": openapi.json_response(t("openapi.response.ok"), openapi.ref("Visit"))},
                     secured=True)

`document()` assembles the whole; a test checks that every `/api/v1` route of the app is in it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from typing import Any

from messages import t

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1"
BEARER = "bearer"

Json = dict[str, Any]

# path -> method -> operation; schema name -> JSON schema. Filled at import time by the API modules.
_PATHS: dict[str, dict[str, Json]] = {}
_SCHEMAS: dict[str, Json] = {}
_TAGS: dict[str, str] = {}

_ERROR_SCHEMA: Json = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "message"],
            "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
        }
    },
}


def ref(schema_name: str) -> Json:
    return {"$ref": f"#/components/schemas/{schema_name}"}


def add_schema(name: str, schema: Mapping[str, Any]) -> None:
    _SCHEMAS[name] = dict(schema)


def add_page_schema(item_schema: str) -> str:
    """`<item>Page`: one page of a list (items, total, page, per_page); returns the page schema's name."""
    name = f"{item_schema}Page"
    add_schema(
        name,
        {
            "type": "object",
            "required": ["items", "total", "page", "per_page"],
            "properties": {
                "items": {"type": "array", "items": ref(item_schema)},
                "total": {"type": "integer"},
                "page": {"type": "integer"},
                "per_page": {"type": "integer"},
            },
        },
    )
    return name


def add_tag(name: str, description: str) -> None:
    _TAGS[name] = description


def query_param(name: str, description: str, schema: Mapping[str, Any], required: bool = False) -> Json:
    return {"name": name, "in": "query", "description": description, "required": required, "schema": dict(schema)}


def path_param(name: str, description: str, schema: Mapping[str, Any] | None = None) -> Json:
    return {
        "name": name,
        "in": "path",
        "description": description,
        "required": True,
        "schema": dict(schema or {"type": "string"}),
    }


def json_response(description: str, schema: Mapping[str, Any]) -> Json:
    return {"description": description, "content": {"application/json": {"schema": dict(schema)}}}


def error_response(description: str) -> Json:
    return json_response(description, ref("Error"))


def add_path(
    path: str,
    method: str,
    *,
    summary: str,
    responses: Mapping[str, Json],
    tags: Iterable[str] = (),
    description: str = "",
    parameters: Iterable[Json] = (),
    request_body: Json | None = None,
    secured: bool = False,
    operation_id: str | None = None,
) -> None:
    """Describe one operation; `path` in OpenAPI form (`/api/v1/schools/{code}`). A secured one answers 401 too."""
    operation: Json = {"summary": summary, "tags": list(tags), "responses": dict(responses)}
    if description:
        operation["description"] = description
    if operation_id:
        operation["operationId"] = operation_id
    params = list(parameters)
    if params:
        operation["parameters"] = params
    if request_body is not None:
        operation["requestBody"] = request_body
    if secured:
        operation["security"] = [{BEARER: []}]
        operation["responses"].setdefault("401", error_response(t("openapi.response.unauthorized")))
    _PATHS.setdefault(path, {})[method.lower()] = operation


def openapi_path(flask_rule: str) -> str:
    """`/api/v1/schools/<code>` or `<int:id>` -> `/api/v1/schools/{code}`, `{id}`."""
    return re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", flask_rule)


def document() -> Json:
    """The whole OpenAPI 3.1 document, as it stands after every API module has been imported."""
    schemas = {"Error": _ERROR_SCHEMA, **_SCHEMAS}
    return copy.deepcopy(
        {
            "openapi": OPENAPI_VERSION,
            "info": {"title": t("openapi.title"), "version": API_VERSION, "description": t("openapi.description")},
            "tags": [{"name": name, "description": text} for name, text in sorted(_TAGS.items())],
            "paths": {path: _PATHS[path] for path in sorted(_PATHS)},
            "components": {
                "schemas": schemas,
                "securitySchemes": {
                    BEARER: {"type": "http", "scheme": "bearer", "description": t("openapi.security.bearer")}
                },
            },
        }
    )
