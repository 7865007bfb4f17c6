"""A built wheel is a whole installation: docs/operations.md installs dudao with a plain `pip install` (of the
repository or of a wheel built from it), not the demo's editable venv, so the wheel must carry every template,
static file, migration and data file — and run from them alone.

The wheel is built from a copy of the working tree, installed into a folder of its own (`pip install --target`,
its dependencies taken from the running venv), and run from there: the migrations upgrade a database, the office
sign-in page and its stylesheet are served, the official holiday schedule is read.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import E2E_SECRET_KEY, free_port
from tests.e2e.deploy_support import REPO, start, wait_for_http

pytestmark = pytest.mark.e2e

PACKAGES = ("backend", "bot", "messages", "qr_boards")


def tracked_files() -> list[str]:
    """The project's files as git sees them (committed or not, ignored ones left out)."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True, text=True, check=False
    )
    if listed.returncode != 0:
        pytest.skip(f"not a git checkout: {listed.stderr.strip()}")
    return [name for name in listed.stdout.splitlines() if (REPO / name).is_file()]


def build_wheel(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    source.mkdir()
    files = tracked_files()
    with tarfile.open(tmp_path / "source.tar", "w") as archive:
        for name in files:
            archive.add(REPO / name, arcname=name)
    with tarfile.open(tmp_path / "source.tar") as archive:
        archive.extractall(source, filter="data")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "dist"), str(source)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    [wheel] = (tmp_path / "dist").glob("dudao-*.whl")
    return wheel


def test_a_wheel_carries_every_file_of_the_packages_and_runs_from_them(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    inside = set(zipfile.ZipFile(wheel).namelist())
    package_files = [name for name in tracked_files() if name.split("/", 1)[0] in PACKAGES]
    missing = [name for name in package_files if name not in inside]
    assert missing == [], f"not in the wheel (pyproject.toml [tool.setuptools.package-data]): {missing}"
    assert "backend/store/migrations/versions/0001_initial_schema.py" in inside

    site = tmp_path / "site"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr

    run = tmp_path / "run"
    run.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUDAO_")}
    env.update(
        PYTHONPATH=str(site),  # before the venv's own editable checkout
        PYTHONUNBUFFERED="1",
        DUDAO_INSTANCE_DIR=str(run / "instance"),
        DUDAO_SECRET_KEY=E2E_SECRET_KEY,
    )
    dudao = [sys.executable, "-c", "import sys; from backend.cli import main; sys.argv[0] = 'dudao'; main()"]

    def python(code: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=run, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    # the code that runs is the wheel's, not the checkout's
    for package in PACKAGES:
        assert python(f"import {package}; print({package}.__file__)").startswith(str(site))
    assert "2026" in python(
        "from backend.domain.calendar import official_schedule as s; print({d.day.year for d in s()})"
    )
    assert python("from backend.domain.passwords import common_passwords as c; print('woaini1314' in c())") == "True"

    upgraded = subprocess.run([*dudao, "db", "upgrade"], cwd=run, env=env, capture_output=True, text=True, check=False)
    assert upgraded.returncode == 0, upgraded.stderr
    current = subprocess.run([*dudao, "db", "current"], cwd=run, env=env, capture_output=True, text=True, check=False)
    assert current.returncode == 0 and "已是最新版本" in current.stdout, current.stdout + current.stderr

    port = free_port()
    server = start("dudao serve (wheel)", [*dudao, "serve", "--no-worker", "--port", str(port)], run, env)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_http(f"{url}/healthz", server)
        page = requests.get(f"{url}/office/login", timeout=10)
        assert page.status_code == 200 and "督导通" in page.text
        css = [line for line in page.text.splitlines() if "stylesheet" in line]
        assert css, page.text
        href = css[0].split('href="', 1)[1].split('"', 1)[0]
        assert requests.get(url + href, timeout=10).status_code == 200
    finally:
        server.stop()
