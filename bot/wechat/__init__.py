"""The outbound side of the WeChat adapter: the API client (implements `backend.notify.Notifier`)."""

from bot.wechat.client import WeChatClient
from bot.wechat.token import SharedToken

__all__ = ["SharedToken", "WeChatClient"]
