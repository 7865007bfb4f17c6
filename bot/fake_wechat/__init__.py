"""A fake WeChat API server with in-memory state, for tests, the demo and the simulator (`dudao fake-wechat`)."""

from bot.fake_wechat.app import DEFAULT_APPID, DEFAULT_SECRET, create_fake_app
from bot.fake_wechat.server import FakeWeChatControl, RunningFakeWeChat, start_fake_wechat
from bot.fake_wechat.state import FakeWeChat

__all__ = [
    "DEFAULT_APPID",
    "DEFAULT_SECRET",
    "FakeWeChat",
    "FakeWeChatControl",
    "RunningFakeWeChat",
    "create_fake_app",
    "start_fake_wechat",
]
