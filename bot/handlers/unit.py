"""Handlers for unit contacts (学校/单位联络人). The rectification issue deepens these."""

from __future__ import annotations

from backend.services.identity import Who
from bot.handlers import Context
from bot.replies import Reply
from messages import t


def help_text(who: Who) -> str:
    return t("bot.help.unit", unit=who.name)


def fallback(ctx: Context) -> Reply:
    return Reply.text(help_text(ctx.who))
