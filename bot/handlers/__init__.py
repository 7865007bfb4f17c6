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
    text: str = ""  # a copy to understand: full-width forms folded character for character (bot.router.fold)
    match: re.Match[str] | None = None  # matched against `text`
    typed: str = ""  # what the user typed or said, trimmed like `text` and as long: what is stored

    def said(self, name: str) -> str:
        """The words a matched group stands for, as typed (`match` ran on the folded copy of the same length)."""
        if self.match is None or self.match.groupdict().get(name) is None:
            return ""
        start, end = self.match.span(name)
        return self.typed[start:end].strip()

    @property
    def who(self) -> Who:
        return self.desk.who


Handler = Callable[[Context], Reply]
