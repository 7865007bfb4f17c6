"""`/metrics` under gunicorn with several worker processes (prometheus_client's multiprocess mode): the webhook
requests answered by every process are added up, and the text parses with the Prometheus client's parser."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import dudao, dudao_env, free_port

pytestmark = pytest.mark.e2e

REQUESTS = 30


def gunicorn_executable() -> str:
    found = Path(sys.executable).parent / "gunicorn"
    return str(found) if found.exists() else (shutil.which("gunicorn") or "gunicorn")


def test_metrics_add_up_every_gunicorn_worker(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "DUDAO_WECHAT_TOKEN": "token-of-the-test"}
    migrated = dudao(["db", "upgrade"], instance, env=env)
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    server = subprocess.Popen(
        [gunicorn_executable(), "--workers", "3", "--bind", f"127.0.0.1:{port}", "backend.wsgi:app"],
        cwd=instance,
        env=dudao_env(instance, env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(f"{base}/healthz", timeout=15)
                break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)
        for n in range(REQUESTS):  # bad signatures: 403, each counted by whichever process answered
            response = requests.get(f"{base}/wechat?signature=bad&timestamp={n}&nonce=x&echostr=y", timeout=30)
            assert response.status_code == 403
        scraped = requests.get(f"{base}/metrics", timeout=30)
        assert scraped.status_code == 200
        assert requests.get(f"{base}/metrics", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=5).status_code == 404
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    families = {f.name: f for f in text_string_to_metric_families(scraped.text)}
    total = sum(
        s.value
        for s in families["dudao_webhook_requests"].samples
        if s.name == "dudao_webhook_requests_total" and s.labels.get("status") == "403"
    )
    assert total == REQUESTS, output
    [count] = [s for s in families["dudao_webhook_seconds"].samples if s.name == "dudao_webhook_seconds_count"]
    assert count.value == REQUESTS
    assert len(list(metrics_dir.glob("*.db"))) >= 2  # more than one process wrote its counts
    assert "dudao_outbox_messages" in families and "dudao_workers_alive" in families
