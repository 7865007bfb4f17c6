"""`GET /healthz`: the state of the database and the key-value store; 503 when either is down."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from backend.web import runtime
from messages import t

bp = Blueprint("health", __name__)


def _state(ok: bool) -> str:
    return t("health.ok" if ok else "health.down")


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    rt = runtime()
    database_ok, kv_ok = rt.db.ping(), rt.kv.ping()
    ok = database_ok and kv_ok
    body = {
        "status": "ok" if ok else "degraded",
        "message": t("health.ok" if ok else "health.degraded"),
        "database": {"ok": database_ok, "backend": rt.db.engine.dialect.name, "message": _state(database_ok)},
        "kv": {"ok": kv_ok, "backend": "redis" if rt.config.redis_url else "embedded", "message": _state(kv_ok)},
    }
    return jsonify(body), 200 if ok else 503
