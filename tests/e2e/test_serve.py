"""The real `dudao` on loopback: `demo` (twice: idempotent), `serve` with a token, `worker`, and the WSGI entry."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import dudao, dudao_env, free_port, run_dudao_server, wait_until_healthy

pytestmark = pytest.mark.e2e

COUNTED: tuple[str, ...] = ("zone", "unit", "inspector", "assignment", "calendar_day", "audit_event", "authority")
# the demo's office accounts and its last three months of activity (backend/demo/activity.py)
COUNTED += ("office_user", "visit", "concern", "rectification", "escalation", "extension_request", "outbox_message")


def table_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in COUNTED}


def test_demo_comes_up_with_the_county_and_a_second_run_changes_nothing(instance_dir: Path) -> None:
    with run_dudao_server(["demo"], instance_dir) as first:
        health = requests.get(f"{first.url}/healthz", timeout=5).json()
        assert health["status"] == "ok" and health["database"]["backend"] == "sqlite"
        body = requests.get(f"{first.url}/api/v1/schools", params={"per_page": 500}, timeout=5).json()
        assert 140 <= body["total"] <= 160 and len(body["items"]) == body["total"]
        assert all(school["inspector"] for school in body["items"])  # full coverage
        zones = {school["zone"] for school in body["items"]}
        assert len(zones) == 9
        one = requests.get(f"{first.url}/api/v1/schools", params={"q": "小太阳"}, timeout=5).json()
        assert one["items"][0]["ownership_label"] == "民办"
        assert requests.get(f"{first.url}/api/v1/openapi.json", timeout=5).json()["openapi"].startswith("3.1")
        assert f"{first.url}/api/v1/schools" in first.text  # it says what to open
        assert f"{first.url}/office" in first.text and "demo-office-2026" in first.text
    assert first.process.returncode == 0, first.text
    assert "督导通已停止" in first.text
    database = instance_dir / "demo.sqlite3"
    after_first = table_counts(database)
    assert after_first["zone"] == 9 and after_first["inspector"] == 30
    assert after_first["office_user"] == 2 and after_first["visit"] > 100 and after_first["concern"] > 10

    with run_dudao_server(["demo"], instance_dir) as second:
        again = requests.get(f"{second.url}/api/v1/schools", params={"per_page": 1}, timeout=5).json()
        assert again["total"] == body["total"]
    assert table_counts(database) == after_first
    print(f"\ndudao demo healthy after {first.started_in:.2f} s (fresh) and {second.started_in:.2f} s (again)")
    assert first.started_in < 20 and second.started_in < 20


def test_serve_answers_over_http_and_tokens_made_by_the_cli_work(instance_dir: Path) -> None:
    env = {"DUDAO_DATABASE_URL": f"sqlite:///{instance_dir / 'county.sqlite3'}"}
    assert dudao(["db", "upgrade"], instance_dir, env).returncode == 0
    created = dudao(["api-token", "create", "数据平台"], instance_dir, env)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    with run_dudao_server(["serve"], instance_dir, env) as server:
        assert requests.get(f"{server.url}/api/v1/schools", timeout=5).json()["total"] == 0
        assert requests.get(f"{server.url}/api/v1/inspectors", timeout=5).status_code == 401
        authorised = {"Authorization": f"Bearer {token}"}
        assert requests.get(f"{server.url}/api/v1/inspectors", headers=authorised, timeout=5).status_code == 200
        assert dudao(["api-token", "revoke", "数据平台"], instance_dir, env).returncode == 0
        refused = requests.get(f"{server.url}/api/v1/inspectors", headers=authorised, timeout=5)
        unknown = requests.get(f"{server.url}/api/v1/inspectors", headers={"Authorization": "Bearer x"}, timeout=5)
        # revoked: refused, with the very answer an unknown token gets (it says nothing of past tokens)
        assert refused.status_code == 401 and refused.json() == unknown.json() and unknown.status_code == 401
        assert "后台任务在本进程中一并运行" in server.text
    assert server.process.returncode == 0 and "督导通已停止" in server.text


def test_serve_with_redis_down_reports_degraded_health(instance_dir: Path) -> None:
    env = {
        "DUDAO_DATABASE_URL": f"sqlite:///{instance_dir / 'county.sqlite3'}",
        "DUDAO_REDIS_URL": "redis://127.0.0.1:1",
    }
    assert dudao(["db", "upgrade"], instance_dir, env).returncode == 0
    with run_dudao_server(["serve", "--no-worker"], instance_dir, env, require_healthy=False) as server:
        response = requests.get(f"{server.url}/healthz", timeout=5)
        assert response.status_code == 503
        assert response.json()["kv"]["ok"] is False and response.json()["database"]["ok"] is True
        assert "后台任务在本进程中一并运行" not in server.text
        # the public API does not need the key-value store
        assert requests.get(f"{server.url}/api/v1/schools", timeout=5).status_code == 200


def test_worker_once_runs_every_job_and_exits(instance_dir: Path) -> None:
    env = {"DUDAO_DATABASE_URL": f"sqlite:///{instance_dir / 'county.sqlite3'}"}
    assert dudao(["db", "upgrade"], instance_dir, env).returncode == 0
    once = dudao(["worker", "--once"], instance_dir, env)
    assert once.returncode == 0, once.stdout + once.stderr
    assert "后台任务已各运行一次" in once.stdout and "0 个出错" in once.stdout


def test_gunicorn_serves_the_wsgi_entry_point(instance_dir: Path) -> None:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    if not gunicorn.exists() and not shutil.which("gunicorn"):
        pytest.skip("gunicorn is not installed")
    env = {"DUDAO_DATABASE_URL": f"sqlite:///{instance_dir / 'county.sqlite3'}"}
    assert dudao(["db", "upgrade"], instance_dir, env).returncode == 0
    port = free_port()
    output: list[str] = []
    process = subprocess.Popen(
        [str(gunicorn), "--workers", "2", "--bind", f"127.0.0.1:{port}", "backend.wsgi:app"],
        cwd=instance_dir,
        env=dudao_env(instance_dir, env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}", process, output, timeout=30)
        answer = requests.get(f"http://127.0.0.1:{port}/api/v1/schools", timeout=5)
        assert answer.json()["total"] == 0
        assert answer.headers["Server"] == "gunicorn"  # one Server header, and no version in it
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_importing_the_wsgi_module_opens_no_connection(instance_dir: Path) -> None:
    env = dudao_env(
        instance_dir,
        {"DUDAO_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/nothing", "DUDAO_REDIS_URL": "redis://127.0.0.1:1"},
    )
    script = (
        "import time; t = time.monotonic(); import backend.wsgi as w; "
        "print(round(time.monotonic() - t, 2)); print(w.app.test_client().get('/healthz').status_code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=instance_dir, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "503"  # built fine with both stores down; the first request notices
