"""What the processes count for `/metrics` (Prometheus): the webhook's requests, latency and late replies, the
outbox sender's results, the sweep's duration.

Counted in the process that does the work. Under gunicorn (several worker processes) and next to `dudao worker`,
set `PROMETHEUS_MULTIPROC_DIR` to one empty directory for all of them (wiped at each start): prometheus_client's
multiprocess mode then adds every process's counts up at scrape time. Without it, `/metrics` shows the counts of
the process that answers, which is all of them under `dudao serve`. What lives in SQL (the outbox's backlog, the
workers' heartbeats, each job's last run) is read at scrape time by `backend/web/metrics.py`, right from any host.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

WECHAT_BUDGET_SECONDS = 5.0  # WeChat drops the connection after 5 s and retries

WEBHOOK_REQUESTS = Counter(
    "dudao_webhook_requests", "Requests to /wechat, by method and HTTP status", ["method", "status"]
)
WEBHOOK_SECONDS = Histogram(
    "dudao_webhook_seconds",
    "Time to answer a /wechat request",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 4.5, 5.0, 7.5, 10.0),
)
WEBHOOK_LATE = Counter("dudao_webhook_late_replies", "Replies to /wechat later than WeChat's 5 s budget")
OUTBOX_SENDS = Counter(
    "dudao_outbox_sends",
    "Outbox pushes handled by the senders: sent, fell_back (of those sent, as a template), retried, given_up",
    ["result"],
)
SWEEP_SECONDS = Histogram(
    "dudao_sweep_seconds", "Duration of one deadline sweep", buckets=(0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
)
RESULTS = ("sent", "fell_back", "retried", "given_up")


def webhook_answered(method: str, status: int, seconds: float) -> None:
    WEBHOOK_REQUESTS.labels(method=method, status=str(status)).inc()
    WEBHOOK_SECONDS.observe(seconds)
    if seconds > WECHAT_BUDGET_SECONDS:
        WEBHOOK_LATE.inc()


def outbox_round(sent: int, fell_back: int, retried: int, given_up: int) -> None:
    for result, count in zip(RESULTS, (sent, fell_back, retried, given_up), strict=True):
        if count:
            OUTBOX_SENDS.labels(result=result).inc(count)
