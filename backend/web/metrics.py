"""`GET /metrics`: the Prometheus text format, the convention every monitoring stack reads.

Who may read it: a request bearing `Authorization: Bearer <DUDAO_METRICS_TOKEN>` (when the setting is set), or one
from this machine itself (loopback, and not relayed by a proxy: a request nginx forwards carries X-Forwarded-For
or X-Real-IP). Anyone else gets a 404, as if there were nothing here.

The process's own counters come from `backend.metrics` (added up over every process sharing
`PROMETHEUS_MULTIPROC_DIR`, when set); the rest is read from SQL at scrape time:

- `dudao_outbox_messages{state}`, `dudao_outbox_due`, `dudao_outbox_oldest_due_age_seconds`,
  `dudao_outbox_given_up_last_day`, `dudao_outbox_undelivered_open`;
- `dudao_worker_last_heartbeat_timestamp_seconds{worker,host,kind}`, `dudao_workers_alive`, `dudao_workers_gone`;
- `dudao_job_last_run_timestamp_seconds{job,worker}`, `dudao_job_last_run_duration_seconds{job,worker}`,
  `dudao_job_last_run_ok{job,worker}` (the sweep's duration is its job's).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Iterable
from datetime import datetime

from flask import Blueprint, Response, abort, request
from flask.typing import ResponseReturnValue
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from backend.runtime import Runtime
from backend.services import outbox, workers
from backend.web import runtime

bp = Blueprint("metrics", __name__)

PROXY_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded")
# the classic text format every scraper reads (our names are plain ASCII: the same bytes as format 1.0.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class SqlCollector(Collector):
    """The figures SQL holds, read when Prometheus scrapes."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def collect(self) -> Iterable[Metric]:
        now = self.rt.clock.now()
        with self.rt.db.session() as session:
            backlog = outbox.backlog(session, now)
            found = workers.states(session, now)
        messages = GaugeMetricFamily("dudao_outbox_messages", "Outbox rows by state", labels=["state"])
        for state in ("pending", "sent", "given_up"):
            messages.add_metric([state], backlog.by_state.get(state, 0))
        yield messages
        yield GaugeMetricFamily("dudao_outbox_due", "Pushes due now and not sent yet", value=backlog.due)
        yield GaugeMetricFamily(
            "dudao_outbox_oldest_due_age_seconds",
            "How long the oldest due push has waited since it became due",
            value=backlog.oldest_due_seconds,
        )
        yield GaugeMetricFamily(
            "dudao_outbox_given_up_last_day", "Pushes given up in the last 24 hours", value=backlog.given_up_last_day
        )
        yield GaugeMetricFamily(
            "dudao_outbox_undelivered_open",
            "Pushes given up that the office has not retried or delivered otherwise",
            value=backlog.undelivered_open,
        )
        beats = GaugeMetricFamily(
            "dudao_worker_last_heartbeat_timestamp_seconds",
            "Each worker's last heartbeat (Unix time)",
            labels=["worker", "host", "kind"],
        )
        last_run = GaugeMetricFamily(
            "dudao_job_last_run_timestamp_seconds", "When each job last started (Unix time)", labels=["job", "worker"]
        )
        duration = GaugeMetricFamily(
            "dudao_job_last_run_duration_seconds", "How long each job's last run took", labels=["job", "worker"]
        )
        job_ok = GaugeMetricFamily(
            "dudao_job_last_run_ok", "1 if each job's last run finished without an error", labels=["job", "worker"]
        )
        for w in found:
            beats.add_metric([w.worker_id, w.host, w.kind], w.beat_at.timestamp())
            for job, run in sorted(w.jobs.items()):
                try:
                    at = datetime.fromisoformat(str(run.get("at"))).timestamp()
                except ValueError:
                    continue
                last_run.add_metric([job, w.worker_id], at)
                duration.add_metric([job, w.worker_id], float(run.get("seconds") or 0))
                job_ok.add_metric([job, w.worker_id], 1.0 if run.get("ok") else 0.0)
        yield from (beats, last_run, duration, job_ok)
        yield GaugeMetricFamily(
            "dudao_workers_alive", "Workers with a recent heartbeat", value=sum(w.alive for w in found)
        )
        yield GaugeMetricFamily(
            "dudao_workers_gone", "Workers whose heartbeat stopped", value=sum(w.gone for w in found)
        )


def allowed() -> bool:
    token = runtime().config.metrics_token
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    if any(request.headers.get(h) for h in PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def process_counters() -> bytes:
    """This process's counters, or every process's (prometheus_client's multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


@bp.get("/metrics")
def metrics() -> ResponseReturnValue:
    if not allowed():
        abort(404)
    body = process_counters()
    if runtime().db.ping():
        sql = CollectorRegistry(auto_describe=False)
        sql.register(SqlCollector(runtime()))
        body += generate_latest(sql)
    return Response(body, content_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})
