"""Headless Chromium for page tests: Debian's browser, driven by Playwright through `executable_path` (never
`playwright install`), with the flags this closed network needs, and a fresh profile per launch."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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


@contextmanager
def chromium_context(profile: Path, **options: Any) -> Iterator[Any]:
    """A persistent context on a fresh profile folder, in Chinese, 30 s per step; `options` go to Playwright
    (viewport, downloads, …). Skips (or, with CI=true, fails) where the browser is missing."""
    require_chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=FLAGS, locale="zh-CN", **options
        )
        context.set_default_timeout(30_000)
        try:
            yield context
        finally:
            context.close()


PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}


@contextmanager
def phone_page() -> Iterator[Any]:
    """A page in a fresh browser the size of a 390 px phone (3x, touch), as a parent opens our links in WeChat.
    Skips (or, with CI=true, fails) where the browser is missing."""
    require_chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield browser.new_page(**PHONE)
        finally:
            browser.close()


def sign_in(page: Any, url: str, username: str, password: str) -> None:
    """Sign in to the office web and land on the dashboard."""
    page.goto(f"{url}/office/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/office/dashboard")
