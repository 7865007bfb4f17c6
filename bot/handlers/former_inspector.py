"""A bound inspector whose appointment has ended (停聘 / 解聘): every message gets the same kind explanation."""

from __future__ import annotations

from backend.services.identity import Who
from bot.handlers import Context
from bot.replies import Reply
from messages import t


def help_text(who: Who, hotline: str = "") -> str:
    kind = t(f"staff.kind.{who.ended_kind}") if who.ended_kind else t("staff.kind.ended")
    day = t("staff.bot.since", day=who.ended_on.isoformat()) if who.ended_on else ""
    contact = t("staff.bot.hotline", hotline=hotline) if hotline else t("staff.bot.no_hotline")
    return t("staff.bot.ended", name=who.name, since=day, kind=kind, contact=contact)


def fallback(ctx: Context) -> Reply:
    """Whatever they send (a visit, a photo, 待办, a question left open before the appointment ended)."""
    ctx.conversation.end()
    return Reply.text(help_text(ctx.who, ctx.desk.concerns.hotline()))
