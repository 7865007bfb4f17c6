"""`GET /healthz`: the state of the database and the key-value store."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from backend.web import runtime

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    rt = runtime()
    checks = {"database": rt.db.ping(), "kv": rt.kv.ping()}
    ok = all(checks.values())
    body = {
        "status": "ok" if ok else "degraded",
        "database": {"ok": checks["database"], "backend": rt.db.engine.dialect.name},
        "kv": {"ok": checks["kv"], "backend": "redis" if rt.config.redis_url else "embedded"},
    }
    return jsonify(body), 200 if ok else 503
