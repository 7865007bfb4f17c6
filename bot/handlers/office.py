"""Handlers for office staff (督导室). The office web comes first; this is their help for now."""

from __future__ import annotations

from backend.services.identity import Who
from bot.handlers import Context
from bot.replies import Reply
from messages import t


def help_text(who: Who) -> str:
    return t("bot.help.office")


def fallback(ctx: Context) -> Reply:
    return Reply.text(help_text(ctx.who))
