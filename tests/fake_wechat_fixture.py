"""Fixtures for the fake WeChat API server, reusable by any test module.

Use it from a test module with `pytest_plugins = ["tests.fake_wechat_fixture"]` (and do not import this
module: pytest must load it first to rewrite its asserts), or from tests/conftest.py for every test.
`fake_wechat` is a `RunningFakeWeChat`: `.base_url`, `.appid`, `.secret`, and the controls
`.interact(openid)`, `.sent(openid)`, `.stats()`, `.fail(path, errcode=..., delay=...)`, `.invalidate_token()`,
`.seed_media(...)`, `.advance_clock(s)`. Point a `Config` at it with `fake_wechat.configure(config)`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.fake_wechat import RunningFakeWeChat, start_fake_wechat


@pytest.fixture(scope="session")
def fake_wechat_server() -> Iterator[RunningFakeWeChat]:
    """One fake WeChat on a free loopback port for the whole session (reset per test by `fake_wechat`)."""
    server = start_fake_wechat()
    yield server
    server.stop()


@pytest.fixture
def fake_wechat(fake_wechat_server: RunningFakeWeChat) -> RunningFakeWeChat:
    """The session's fake WeChat, reset to empty for this test."""
    fake_wechat_server.reset()
    return fake_wechat_server
