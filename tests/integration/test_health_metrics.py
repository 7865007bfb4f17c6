"""Issue 17, health and metrics: worker heartbeats, /healthz's workers and outbox blocks (503 when a worker is gone
or the backlog is old), and /metrics in the Prometheus text format, parsed with the Prometheus client's parser."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from backend.app import create_app
from backend.config import config_from_env
from backend.jobs import Job
from backend.jobs.worker import Worker
from backend.kv import MemoryKV
from backend.runtime import Runtime
from backend.services import workers
from backend.services.outbox import enqueue
from backend.store.db import Database
from backend.store.models import OutboxMessage, WorkerHeartbeat


def make_app(db: Database, tmp_path: Path, **env: str) -> Flask:
    config = config_from_env(
        {"DUDAO_INSTANCE_DIR": str(tmp_path / "instance"), **env},
        testing=True,
        database_url=db.url,
        secret_key="s3cret-of-the-test",
    )
    return create_app(runtime=Runtime(config=config, db=db, kv=MemoryKV()))


def health(app: Flask) -> tuple[int, dict[str, Any]]:
    response = app.test_client().get("/healthz")
    body = response.get_json()
    assert isinstance(body, dict)
    return response.status_code, body


def beat(db: Database, worker_id: str, *, host: str = "web1", ago: float = 0, started_ago: float = 600) -> None:
    now = db.clock.now()
    workers.beat(
        db,
        worker_id=worker_id,
        host=host,
        pid=4242,
        kind="worker",
        started_at=now - timedelta(seconds=started_ago),
        jobs={"sweep": {"at": now.isoformat(), "ok": True, "seconds": 0.42}},
        now=now - timedelta(seconds=ago),
    )


def runtime_of(db: Database, tmp_path: Path) -> Runtime:
    config = config_from_env({"DUDAO_INSTANCE_DIR": str(tmp_path / "i")}, database_url=db.url)
    return Runtime(config=config, db=db, kv=MemoryKV())


# --- heartbeats ---


def test_a_running_worker_beats_with_its_jobs_and_forgets_itself_when_stopped(
    database: Database, tmp_path: Path
) -> None:
    ran = threading.Event()
    loop = Worker(
        runtime_of(database, tmp_path),
        [Job("outbox", 0.05, lambda rt: ran.set())],
        tick_seconds=0.05,
        heartbeat_seconds=0.05,
    )
    thread = loop.start_thread()
    try:
        assert ran.wait(5)
        deadline = time.monotonic() + 5
        found: list[WorkerHeartbeat] = []
        while time.monotonic() < deadline:
            with database.session() as session:
                found = list(session.scalars(select(WorkerHeartbeat)))
            if found and "outbox" in found[0].jobs:
                break
            time.sleep(0.05)
        [row] = found
        assert row.worker_id == loop.worker_id and row.kind == "worker" and row.pid > 0 and row.host
        assert row.jobs["outbox"]["ok"] is True
    finally:
        loop.stop()
        thread.join(timeout=10)
    with database.session() as session:
        assert session.scalars(select(WorkerHeartbeat)).all() == []  # a clean stop: no longer expected


# --- /healthz ---


def test_healthz_lists_the_workers_and_the_outbox(database: Database, tmp_path: Path) -> None:
    beat(database, "web1:100:aaaaaa")
    status, body = health(make_app(database, tmp_path))
    assert status == 200, body
    [worker] = body["workers"]["list"]
    assert worker["id"] == "web1:100:aaaaaa" and worker["state"] == "alive" and worker["jobs"]["sweep"]["ok"]
    assert body["workers"]["alive"] == 1 and body["workers"]["ok"]
    assert body["outbox"] == {
        "ok": True,
        "sending": False,
        "pending": 0,
        "due": 0,
        "oldest_pending_age_seconds": 0.0,
        "backlog_limit_seconds": 300.0,
        "given_up_last_day": 0,
        "undelivered_open": 0,
        "message": "推送正常（待发 0 条）",
    }
    assert "calendar" in body


def test_a_worker_gone_silent_turns_healthz_503_until_a_new_one_starts_on_its_host(
    database: Database, tmp_path: Path
) -> None:
    app = make_app(database, tmp_path)
    beat(database, "web1:100:aaaaaa", ago=45, started_ago=3600)  # killed 45 s ago
    beat(database, "web1:200:bbbbbb", ago=1, started_ago=3000)  # the other worker, running since before
    status, body = health(app)
    assert status == 503 and body["status"] == "degraded"
    assert not body["workers"]["ok"] and body["workers"]["gone"] == 1
    assert "web1:100:aaaaaa" in body["workers"]["message"] and "没有心跳" in body["workers"]["message"]
    beat(database, "web1:300:cccccc", ago=0, started_ago=10)  # systemd restarted it
    status, body = health(app)
    assert status == 200, body
    assert [w["state"] for w in body["workers"]["list"]] == ["replaced", "alive", "alive"]


def test_fewer_workers_than_expected_is_a_503(database: Database, tmp_path: Path) -> None:
    app = make_app(database, tmp_path, DUDAO_WORKERS_EXPECTED="2")
    beat(database, "web1:100:aaaaaa")
    status, body = health(app)
    assert status == 503 and "只有 1 个，应有 2 个" in body["workers"]["message"]
    beat(database, "web2:100:dddddd", host="web2")
    assert health(app)[0] == 200
    assert health(make_app(database, tmp_path, DUDAO_WORKERS_EXPECTED="1"))[0] == 200


def test_an_old_backlog_turns_healthz_503_when_pushes_are_sent(database: Database, tmp_path: Path) -> None:
    with database.session() as session:
        for n in range(3):
            enqueue(session, openid=f"o_contact_{n}", kind="text", payload={"content": "x"}, dedupe_key=f"k{n}")
    with database.session() as session:
        first = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
        assert first is not None
        first.next_attempt_at = database.clock.now() - timedelta(minutes=10)  # nobody sent it for ten minutes
    sending = make_app(database, tmp_path, DUDAO_WECHAT_APPID="wx-test")
    status, body = health(sending)
    assert status == 503
    assert body["outbox"]["pending"] == 3 and body["outbox"]["due"] == 3
    assert body["outbox"]["oldest_pending_age_seconds"] >= 600
    assert "推送积压" in body["outbox"]["message"]
    assert health(make_app(database, tmp_path))[0] == 200  # no account: nothing is sent, by design
    assert health(make_app(database, tmp_path, DUDAO_WECHAT_APPID="wx", DUDAO_HEALTH_BACKLOG_SECONDS="900"))[0] == 200


# --- /metrics ---


def families(text: str) -> dict[str, Any]:
    return {family.name: family for family in text_string_to_metric_families(text)}


def test_metrics_are_the_prometheus_text_format_with_the_outbox_workers_and_the_webhook(
    database: Database, tmp_path: Path
) -> None:
    app = make_app(database, tmp_path)
    client = app.test_client()
    before = families(client.get("/metrics").text)
    with database.session() as session:
        enqueue(session, openid="o_contact_1", kind="text", payload={"content": "x"}, dedupe_key="k1")
    beat(database, "web1:100:aaaaaa")
    assert client.get("/wechat?signature=bad&timestamp=1&nonce=2&echostr=3").status_code == 403
    response = client.get("/metrics")
    assert response.status_code == 200 and response.content_type.startswith("text/plain; version=0.0.4")
    found = families(response.text)
    [pending] = [s for s in found["dudao_outbox_messages"].samples if s.labels == {"state": "pending"}]
    assert pending.value == 1
    assert found["dudao_outbox_due"].samples[0].value == 1
    assert found["dudao_workers_alive"].samples[0].value == 1
    [run] = found["dudao_job_last_run_duration_seconds"].samples
    assert run.labels == {"job": "sweep", "worker": "web1:100:aaaaaa"} and run.value == pytest.approx(0.42)
    assert found["dudao_job_last_run_timestamp_seconds"].samples[0].value > 1.7e9

    def count(fams: dict[str, Any], name: str, **labels: str) -> float:
        family = fams.get(name)
        if family is None:
            return 0.0
        return sum(s.value for s in family.samples if s.name.endswith("_total") and labels.items() <= s.labels.items())

    assert (
        count(found, "dudao_webhook_requests", status="403")
        == count(before, "dudao_webhook_requests", status="403") + 1
    )
    assert "dudao_webhook_seconds" in found and "dudao_webhook_late_replies" in found
    assert "dudao_outbox_sends" in found and "dudao_sweep_seconds" in found


def test_metrics_answer_only_loopback_or_the_token(database: Database, tmp_path: Path) -> None:
    app = make_app(database, tmp_path)
    client = app.test_client()
    assert client.get("/metrics").status_code == 200  # the test client's address is 127.0.0.1
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 404
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404  # relayed by nginx
    assert client.get("/metrics", headers={"X-Real-IP": "203.0.113.9"}).status_code == 404
    token_app = make_app(database, tmp_path, DUDAO_METRICS_TOKEN="scrape-token-of-the-county")
    outside = token_app.test_client()
    remote = {"REMOTE_ADDR": "203.0.113.9"}
    assert outside.get("/metrics", environ_base=remote).status_code == 404
    assert outside.get("/metrics", environ_base=remote, headers={"Authorization": "Bearer wrong"}).status_code == 404
    good = {"Authorization": "Bearer scrape-token-of-the-county"}
    assert outside.get("/metrics", environ_base=remote, headers=good).status_code == 200
