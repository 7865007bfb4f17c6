"""`GET /healthz`: the state of the database and the key-value store (503 when either is down), the workers and the
outbox (503 when a worker is gone or a due push has waited too long), and whether the working-day calendar holds
this year's (and, from November, next year's) official schedule (a warning, not a 503).

- `workers`: each worker loop's last heartbeat (`dudao worker` processes and the thread of `dudao serve`). A worker
  whose last beat is older than `backend.services.workers.GONE_AFTER` is gone (503) until a worker started later
  on the same host replaces it; fewer live workers than expected (`DUDAO_WORKERS_EXPECTED`, at least one when
  this process runs the worker thread) is a 503 too.
- `outbox`: pending pushes, how long the oldest due one has waited (503 beyond `DUDAO_HEALTH_BACKLOG_SECONDS`,
  300 by default), pushes given up in the last day and those the office has not dealt with yet (a warning).
- `wechat`: WeChat's clock as the webhook sees it (pushes refused by the replay window, the drift seen lately): a
  warning, never a 503.
"""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from backend.services import calendar, outbox, wechat_clock, workers
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
        "database": {"ok": database_ok, "backend": rt.db.engine.dialect.name, "message": _state(database_ok)},
        "kv": {"ok": kv_ok, "backend": "redis" if rt.config.redis_url else "embedded", "message": _state(kv_ok)},
    }
    if database_ok:
        body["calendar"] = _calendar()
        found_workers, found_outbox = _workers(), _outbox()
        body["workers"], body["outbox"] = found_workers, found_outbox
        ok = ok and bool(found_workers["ok"]) and bool(found_outbox["ok"])
    if kv_ok:  # WeChat's clock as the webhook sees it: a warning, never a 503
        body["wechat"] = wechat_clock.report(rt.kv, rt.clock)
    body = {"status": "ok" if ok else "degraded", "message": t("health.ok" if ok else "health.degraded"), **body}
    return jsonify(body), 200 if ok else 503


def expected_workers() -> int:
    config = runtime().config
    return max(config.workers_expected, 1 if config.run_worker else 0)


def _workers() -> dict[str, object]:
    now = runtime().clock.now()
    with runtime().db.session() as session:
        found = workers.states(session, now)
    alive = sum(w.alive for w in found)
    gone = [w for w in found if w.gone]
    expected = expected_workers()
    problems = []
    if gone:
        problems.append(
            t(
                "health.workers.gone",
                ids="、".join(w.worker_id for w in gone),
                seconds=int(workers.GONE_AFTER.total_seconds()),
            )
        )
    if alive < expected:
        problems.append(
            t("health.workers.none") if alive == 0 else t("health.workers.too_few", alive=alive, expected=expected)
        )
    ok = not problems
    if ok:
        message = t("health.workers.ok", alive=alive) if alive or expected else t("health.workers.not_expected")
    else:
        message = "；".join(problems)
    return {
        "ok": ok,
        "expected": expected,
        "alive": alive,
        "gone": len(gone),
        "message": message,
        "list": [
            {
                "id": w.worker_id,
                "host": w.host,
                "pid": w.pid,
                "kind": w.kind,
                "started_at": w.started_at.isoformat(),
                "last_beat": w.beat_at.isoformat(),
                "age_seconds": round(w.age_seconds, 1),
                "state": "alive" if w.alive else ("replaced" if w.replaced else "gone"),
                "jobs": w.jobs,
            }
            for w in found
        ],
    }


def _outbox() -> dict[str, object]:
    now = runtime().clock.now()
    limit = runtime().config.health_backlog_seconds
    with runtime().db.session() as session:
        found = outbox.backlog(session, now)
    sending = bool(runtime().config.wechat_appid)  # without an account nothing is sent, by design (a bare install)
    ok = found.oldest_due_seconds <= limit or not sending
    if not ok:
        message = t("health.outbox.old", seconds=int(found.oldest_due_seconds), limit=int(limit))
    elif found.undelivered_open:
        message = t("health.outbox.undelivered", count=found.undelivered_open)
    else:
        message = t("health.outbox.ok", pending=found.pending)
    return {
        "ok": ok,
        "sending": sending,
        "pending": found.pending,
        "due": found.due,
        "oldest_pending_age_seconds": round(found.oldest_due_seconds, 1),
        "backlog_limit_seconds": limit,
        "given_up_last_day": found.given_up_last_day,
        "undelivered_open": found.undelivered_open,
        "message": message,
    }


def _calendar() -> dict[str, object]:
    with runtime().db.session() as session:
        missing = calendar.missing_schedules(session, today())
    if not missing:
        return {"ok": True, "missing_years": [], "message": t("health.ok")}
    return {"ok": False, "missing_years": missing, "message": t("calendar.missing.note", years=years_text(missing))}
