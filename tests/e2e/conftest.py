"""Helpers to run a real server on loopback: an app in a thread, or the real `dudao` CLI as a subprocess.

- `serve_app(app)`: `create_app(...)` under werkzeug's threaded `make_server` on 127.0.0.1, port 0.
- `run_dudao_server([...], instance_dir)`: `dudao serve|demo ... --port <free>` as a subprocess, waited for
  until `/healthz` answers 200; its output is collected in `DudaoServer.output`.
- `dudao([...], instance_dir)`: a one-shot `dudao` command (e.g. `db upgrade`, `api-token create`).
Every subprocess runs in its own instance folder and working directory, so no `.env` or database leaks in.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import clock_env, running_test_clock
from tests.e2e.webhook_support import STACKS, Stack, Webhook, open_stack, running_webhook

E2E_SECRET_KEY = "e2e-secret-key-of-the-test-run"  # a test's own: `dudao serve` refuses the built-in one

# the variables a subprocess must not inherit from the developer's shell or CI
_PRIVATE_ENV = (
    "DUDAO_DATABASE_URL",
    "DUDAO_REDIS_URL",
    "DUDAO_INSTANCE_DIR",
    "DUDAO_WECHAT_API_BASE",
    "DUDAO_CLOCK_OFFSET",
)


@contextmanager
def serve_app(app: Flask, host: str = "127.0.0.1") -> Iterator[str]:
    """`app` served on `host` and a free port in a daemon thread; yields the base URL."""
    server = make_server(host, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def dudao_executable() -> str:
    """The `dudao` script of the interpreter running the tests (the project's venv)."""
    beside = Path(sys.executable).parent / "dudao"
    found = str(beside) if beside.exists() else shutil.which("dudao")
    if not found:
        pytest.fail("the dudao command is not installed (pip install -e .)", pytrace=False)
    return found


def dudao_env(instance_dir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a `dudao` subprocess: its own instance folder, and the running test's clock."""
    env = {k: v for k, v in os.environ.items() if k not in _PRIVATE_ENV}
    env.update(DUDAO_INSTANCE_DIR=str(instance_dir), PYTHONUNBUFFERED="1")
    env.setdefault("DUDAO_SECRET_KEY", E2E_SECRET_KEY)  # `dudao serve` refuses the built-in development secret
    pinned = running_test_clock()
    if pinned is not None:
        env.update(clock_env(pinned))
    env.update(extra or {})
    return env


def dudao(
    args: list[str], instance_dir: Path, env: Mapping[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run one `dudao` command to its end; output and errors are captured as text."""
    instance_dir.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [dudao_executable(), *args],
        cwd=instance_dir,
        env=dudao_env(instance_dir, env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@dataclass
class DudaoServer:
    url: str
    process: subprocess.Popen[str]
    started_in: float  # seconds from the start of the process to the first healthy /healthz
    output: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.output)

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM, as a service manager would send it; the exit code."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def wait_until_healthy(
    url: str, process: subprocess.Popen[str], output: list[str], timeout: float, require_healthy: bool = True
) -> requests.Response:
    """Poll `/healthz` until the app answers it: 200, or (`require_healthy=False`) any JSON answer, e.g. 503."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            time.sleep(0.2)  # let the reader thread collect the last lines
            pytest.fail(f"dudao exited with {process.returncode}:\n{''.join(output)}", pytrace=False)
        try:
            response = requests.get(f"{url}/healthz", timeout=5)
            answered = response.headers.get("Content-Type", "").startswith("application/json")
            if response.status_code == 200 or (answered and not require_healthy):
                return response
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    pytest.fail(f"dudao did not become healthy within {timeout} s:\n{''.join(output)}", pytrace=False)


@contextmanager
def run_dudao_server(
    args: list[str],
    instance_dir: Path,
    env: Mapping[str, str] | None = None,
    host: str = "127.0.0.1",
    timeout: float = 60,
    require_healthy: bool = True,
) -> Iterator[DudaoServer]:
    """`dudao <args> --host <host> --port <free port>` as a subprocess, yielded once /healthz answers 200.

    With `require_healthy=False`, once the app answers /healthz at all (a store may be down on purpose).
    """
    instance_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    started = time.monotonic()
    process = subprocess.Popen(
        [dudao_executable(), *args, "--host", host, "--port", str(port)],
        cwd=instance_dir,
        env=dudao_env(instance_dir, env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    stdout = process.stdout
    assert stdout is not None

    def collect() -> None:
        for line in stdout:
            output.append(line)

    reader = threading.Thread(target=collect, name="dudao-output", daemon=True)
    reader.start()
    server = DudaoServer(f"http://{host}:{port}", process, 0.0, output)
    try:
        wait_until_healthy(server.url, process, output, timeout, require_healthy)
        server.started_in = time.monotonic() - started
        yield server
    finally:
        server.stop()
        reader.join(timeout=5)
        stdout.close()


@pytest.fixture
def instance_dir(tmp_path: Path) -> Path:
    """An empty instance folder for a `dudao` subprocess."""
    path = tmp_path / "instance"
    path.mkdir()
    return path


# --- the stacks the webhook tests run on (SQLite + in-process store, PostgreSQL + Redis) -------------------


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest) -> Iterator[Stack]:
    """A database and key-value store, once per stack; a test module may narrow it by defining its own."""
    yield from open_stack(request)


@pytest.fixture
def hook(stack: Stack) -> Iterator[Webhook]:
    """The webhook served on loopback in safe mode over `stack`, with a pusher that plays WeChat."""
    with running_webhook(stack.db, stack.kv, safe=True) as running:
        yield running
