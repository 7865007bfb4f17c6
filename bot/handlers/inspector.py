"""Handlers for responsible inspectors (责任督学). The visit and concern issues deepen these."""

from __future__ import annotations

from backend.services.identity import Who
from bot.handlers import Context
from bot.replies import Reply
from messages import t


def help_text(who: Who) -> str:
    return t("bot.help.inspector", name=who.name)


def fallback(ctx: Context) -> Reply:
    return Reply.text(help_text(ctx.who))
