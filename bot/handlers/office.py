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


def pending(ctx: Context) -> Reply:
    """待处理: the county's open and late work in counts, with the office web's address."""
    found = ctx.desk.office_pending()
    if not found.allowed:
        return Reply.text(t("menu.stale"))
    return Reply.text(
        t(
            "menu.office.pending_summary",
            today=found.today,
            concerns=found.concerns,
            concerns_overdue=found.concerns_overdue,
            rectifications=found.rectifications,
            rectifications_overdue=found.rectifications_overdue,
            undelivered=found.undelivered,
            url=found.office_url,
        )
    )
