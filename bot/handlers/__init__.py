"""Handlers per role. Each takes a `Context` and returns a `Reply`; the table in `bot/router.py` picks one."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from backend.services.bot_desk import Desk
from backend.services.identity import Who
from bot.conversation import Conversation
from bot.gate import Inbound
from bot.replies import Reply


@dataclass
class Context:
    """One inbound message with what a handler may use: the desk (use cases), the conversation, the match."""

    inbound: Inbound
    desk: Desk
    conversation: Conversation
    text: str = ""  # what the user typed or said, normalised (NFKC, trimmed)
    match: re.Match[str] | None = None

    @property
    def who(self) -> Who:
        return self.desk.who


Handler = Callable[[Context], Reply]
