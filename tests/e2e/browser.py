"""Headless Chromium for page tests: Debian's browser, driven by Playwright through `executable_path` (never
`playwright install`), with the flags this closed network needs, and a fresh profile per launch."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import IN_CI

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    """Skip where the browser is missing (`make system-deps` installs it); with CI=true that is a failure."""
    if Path(CHROMIUM).exists():
        return
    if IN_CI:
        pytest.fail("chromium is required when CI=true (scripts/system-deps.sh installs it)", pytrace=False)
    pytest.skip("chromium is not installed (make system-deps)")
