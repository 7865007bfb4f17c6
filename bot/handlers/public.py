"""Handlers for the public (parents and anyone who scans a board). The public-concern issue deepens these."""

from __future__ import annotations

from backend.services.identity import Who
from bot.handlers import Context
from bot.replies import Reply
from messages import t


def help_text(who: Who) -> str:
    return t("bot.help.public")


def fallback(ctx: Context) -> Reply:
    return Reply.text(help_text(ctx.who))
