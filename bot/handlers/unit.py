"""Handlers for unit contacts (学校/单位联络人): sign notices, list open items, report, ask for more time.

`已整改 <no.>` opens a short dialogue: the contact sends text and photos, then `提交` (or `取消`). Photos are
staff evidence: kept with their metadata.
"""

from __future__ import annotations

from backend.services.identity import Who
from backend.services.rectification_desk import ItemView
from bot.handlers import Context
from bot.replies import Reply
from messages import t

REPORTING = "rect:report"


def help_text(who: Who) -> str:
    return t("bot.help.unit", unit=who.name) + "\n" + t("rect.bot.help.unit")


def fallback(ctx: Context) -> Reply:
    return Reply.text(help_text(ctx.who))


def _group(ctx: Context, name: str) -> str:
    """A matched group of the folded copy: for numbers and keywords (words to keep: `ctx.said`)."""
    if ctx.match is None:
        return ""
    return (ctx.match.groupdict().get(name) or "").strip()


def _line(item: ItemView) -> str:
    return t(
        "rect.bot.open_line",
        number=item.number,
        problem=item.problem,
        deadline=item.deadline.isoformat(),
        state=t(f"rect.state.{item.state}"),
        overdue=f"（{t('rect.overdue')}）" if item.overdue else "",
    )


def sign(ctx: Context) -> Reply:
    """`签收`, `签收 <no.>` or `签收 全部`."""
    number = _group(ctx, "number")
    everything = number in ("全部", "所有")
    signed = ctx.desk.rectifications.sign(None if everything else number or None, everything=everything)
    if signed.ambiguous:
        return Reply.text(t("rect.bot.which_to_sign", numbers="、".join(i.number for i in signed.ambiguous)))
    if not signed.items:
        return Reply.text(t("rect.bot.nothing_to_sign"))
    if len(signed.items) == 1:
        item = signed.items[0]
        return Reply.text(
            t("rect.bot.signed", number=item.number, problem=item.problem, deadline=item.deadline.isoformat())
        )
    numbers = "、".join(i.number for i in signed.items)
    return Reply.text(t("rect.bot.signed_many", count=len(signed.items), numbers=numbers))


def list_open(ctx: Context) -> Reply:
    """`整改`: the unit's open items, nearest deadline first."""
    items = ctx.desk.rectifications.open_items()
    if not items:
        return Reply.text(t("rect.bot.open_none"))
    lines = [t("rect.bot.open_header", count=len(items)), *(_line(i) for i in items)]
    return Reply.text("\n".join(lines))


def start_report(ctx: Context) -> Reply:
    """`已整改 <no.> [说明]`: begin collecting the report."""
    number, text = _group(ctx, "number"), ctx.said("text")
    item = ctx.desk.rectifications.can_report(number)
    ctx.conversation.begin(REPORTING, number=item.number, texts=[text] if text else [], media=[])
    if text:
        return Reply.text(t("rect.bot.report_text_kept"))
    return Reply.text(t("rect.bot.report_start", number=item.number, problem=item.problem))


def report_text(ctx: Context) -> Reply:
    data = ctx.conversation.data
    ctx.conversation.begin(REPORTING, **{**data, "texts": [*data.get("texts", []), ctx.typed]})
    return Reply.text(t("rect.bot.report_text_kept"))


def report_photo(ctx: Context) -> Reply:
    data = ctx.conversation.data
    media = [*data.get("media", []), ctx.inbound.get("MediaId")]
    ctx.conversation.begin(REPORTING, **{**data, "media": media})
    return Reply.text(t("rect.bot.report_photo_kept", count=len(media)))


def submit_report(ctx: Context) -> Reply:
    data = ctx.conversation.data
    texts, media = list(data.get("texts", [])), [m for m in data.get("media", []) if m]
    if not texts and not media:
        return Reply.text(t("rect.bot.report_empty"))
    try:  # a refusal (the router says why) ends the dialogue too
        item = ctx.desk.rectifications.submit_report(
            str(data.get("number", "")), text="\n".join(texts), media_ids=media
        )
    finally:
        ctx.conversation.end()
    return Reply.text(t("rect.bot.report_submitted", number=item.number))


def cancel_report(ctx: Context) -> Reply:
    ctx.conversation.end()
    return Reply.text(t("rect.bot.report_cancelled"))


def request_extension(ctx: Context) -> Reply:
    """`申请延期 <no.> <reason>`."""
    number, reason = _group(ctx, "number"), ctx.said("reason")
    if not reason:
        return Reply.text(t("rect.bot.extension_needs_reason", number=number))
    item = ctx.desk.rectifications.request_extension(number, reason)
    return Reply.text(t("rect.bot.extension_requested", number=item.number))
