"""`GET /healthz`: the state of the database and the key-value store (503 when either is down), whether the
working-day calendar holds this year's (and, from November, next year's) official schedule, and WeChat's clock as
the webhook sees it (`wechat`: pushes refused by the replay window, the drift seen lately); those two are warnings,
not a 503."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from backend.services import calendar, wechat_clock
from backend.services.calendar import years_text
from backend.web import runtime, today
from messages import t

bp = Blueprint("health", __name__)


def _state(ok: bool) -> str:
    return t("health.ok" if ok else "health.down")


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    rt = runtime()
    database_ok, kv_ok = rt.db.ping(), rt.kv.ping()
    ok = database_ok and kv_ok
    body: dict[str, object] = {
        "status": "ok" if ok else "degraded",
        "message": t("health.ok" if ok else "health.degraded"),
        "database": {"ok": database_ok, "backend": rt.db.engine.dialect.name, "message": _state(database_ok)},
        "kv": {"ok": kv_ok, "backend": "redis" if rt.config.redis_url else "embedded", "message": _state(kv_ok)},
    }
    if database_ok:
        body["calendar"] = _calendar()
    if kv_ok:  # WeChat's clock as the webhook sees it: a warning, never a 503
        body["wechat"] = wechat_clock.report(rt.kv, rt.clock)
    return jsonify(body), 200 if ok else 503


def _calendar() -> dict[str, object]:
    with runtime().db.session() as session:
        missing = calendar.missing_schedules(session, today())
    if not missing:
        return {"ok": True, "missing_years": [], "message": t("health.ok")}
    return {"ok": False, "missing_years": missing, "message": t("calendar.missing.note", years=years_text(missing))}
