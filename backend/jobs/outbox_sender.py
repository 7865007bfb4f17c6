"""The outbox sender job: every ~2 s, send the due outbox rows through the WeChat client.

The client is the runtime's notifier, built once per runtime (its HTTP session and token cache live as long
as the runtime), not per tick. Without an appid the job does nothing: the embedded demo may run with no account at all.
"""

from __future__ import annotations

import logging

from backend import metrics
from backend.jobs import Job
from backend.notify import Notifier
from backend.runtime import Runtime
from backend.services.outbox import PushResult, SendReport, send_due

log = logging.getLogger(__name__)
push_log = logging.getLogger("dudao.push")

EVERY_SECONDS = 2.0


def notifier_for(runtime: Runtime) -> Notifier:
    """The runtime's WeChat client (built once per runtime)."""
    return runtime.notifier


def send_outbox(runtime: Runtime) -> SendReport | None:
    """One round of the outbox sender."""
    if not runtime.config.wechat_appid:
        return None
    report = send_due(
        runtime.db, notifier_for(runtime), templates=runtime.config.templates, kv=runtime.kv, on_push=log_push
    )
    metrics.outbox_round(report.sent, report.fell_back, report.retried, report.given_up)
    if report.claimed:
        log.info(
            "outbox: %d sent (%d as template), %d to retry, %d given up",
            report.sent,
            report.fell_back,
            report.retried,
            report.given_up,
        )
    return report


def log_push(push: PushResult) -> None:
    """The one log line of one push: `push 42 template rectification_issued sent attempt 1` (`dudao.push`).

    Ids and kinds only: never the openid, the text or a phone number (the row's id finds them in the database).
    """
    level = logging.WARNING if push.result == "given_up" else logging.INFO
    code = f" errcode {push.code}" if push.code is not None else ""
    push_log.log(
        level, "push %d %s %s %s attempt %d%s", push.outbox_id, push.kind, push.notice, push.result, push.attempt, code
    )


JOB = Job(name="outbox", every_seconds=EVERY_SECONDS, run=send_outbox)
