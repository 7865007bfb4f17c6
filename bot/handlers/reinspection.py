"""Handlers for the inspector's side of rectification: 复查 and extension decisions.

`复查 <no.> 通过` or `复查 <no.> 不通过 <reason> [新期限]`; photos and a location sent right after are kept with
the re-inspection's follow-up visit. `同意延期 <no.> <date>` / `不同意延期 <no.> <reason>`.
"""

from __future__ import annotations

import re
from datetime import date

from backend.domain import dates
from bot.handlers import Context
from bot.replies import Reply
from messages import t

FOLLOW_UP = "rect:followup"

# parser vocabulary: the dates people type (2026-12-10, 2026/12/10, 2026年12月10日, 12月10日, 12-10)
_FULL = re.compile(r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?$")
_SHORT = re.compile(r"^(?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?$")
_TRAILING_DATE = re.compile(r"\s+(?P<date>(\d{4}[-/.年])?\d{1,2}[-/.月]\d{1,2}日?)$")


def parse_date(text: str, today: date) -> date | None:
    """A typed date, not before `today`; a date without a year is the next one to come."""
    text = text.strip()
    try:
        if found := _FULL.match(text):
            day = date(int(found["y"]), int(found["m"]), int(found["d"]))
        elif found := _SHORT.match(text):
            day = date(today.year, int(found["m"]), int(found["d"]))
            if day < today:
                day = day.replace(year=today.year + 1)
        else:
            return None
    except ValueError:
        return None
    return day if day >= today else None


def split_trailing_date(text: str) -> tuple[str, str]:
    """`"消防通道仍有杂物 2026-12-10"` → (`"消防通道仍有杂物"`, `"2026-12-10"`)."""
    found = _TRAILING_DATE.search(text)
    if not found:
        return text.strip(), ""
    return text[: found.start()].strip(), found["date"]


def _group(ctx: Context, name: str) -> str:
    """A matched group of the folded copy: for numbers, dates and keywords (words to keep: `ctx.said`)."""
    if ctx.match is None:
        return ""
    return (ctx.match.groupdict().get(name) or "").strip()


def passed(ctx: Context) -> Reply:
    """`复查 <no.> 通过 [说明]`."""
    done = ctx.desk.rectifications.reinspect(_group(ctx, "number"), passed=True, reason=ctx.said("note"))
    ctx.conversation.begin(FOLLOW_UP, number=done.item.number, visit_id=done.visit_id)
    return Reply.text(t("rect.bot.verified", number=done.item.number, unit=done.item.unit))


def failed(ctx: Context) -> Reply:
    """`复查 <no.> 不通过 <reason> [新期限]`."""
    number = _group(ctx, "number")
    folded, typed_date = split_trailing_date(_group(ctx, "reason"))
    reason = ctx.said("reason")[: len(folded)]  # the words as typed, without the date found on the folded copy
    desk = ctx.desk.rectifications
    if not reason:
        return Reply.text(t("rect.bot.reinspect_needs_reason", number=number))
    new_deadline = None
    if typed_date:
        new_deadline = parse_date(typed_date, desk.today())
        if new_deadline is None:
            return Reply.text(t("rect.bot.bad_date", text=typed_date))
    done = desk.reinspect(number, passed=False, reason=reason, new_deadline=new_deadline)
    ctx.conversation.begin(FOLLOW_UP, number=done.item.number, visit_id=done.visit_id)
    return Reply.text(
        t("rect.bot.reopened", number=done.item.number, unit=done.item.unit, deadline=done.item.deadline.isoformat())
    )


def followup_photo(ctx: Context) -> Reply:
    data = ctx.conversation.data
    ctx.desk.rectifications.followup_photo(int(data["visit_id"]), ctx.inbound.get("MediaId"))
    ctx.conversation.begin(FOLLOW_UP, **data)  # a few more minutes for the next photo
    return Reply.text(t("rect.bot.followup_photo", number=data.get("number", "")))


def followup_location(ctx: Context) -> Reply:
    data = ctx.conversation.data
    try:
        latitude, longitude = float(ctx.inbound.get("Location_X")), float(ctx.inbound.get("Location_Y"))
    except ValueError:
        return Reply.nothing()
    ctx.desk.rectifications.followup_location(int(data["visit_id"]), latitude, longitude)
    return Reply.text(t("rect.bot.followup_location", number=data.get("number", "")))


def grant_extension(ctx: Context) -> Reply:
    """`同意延期 <no.> <date or duration>`: 12月10日, 2026-12-10, 12.10, or 两周 / 10天 after the current deadline."""
    desk = ctx.desk.rectifications
    typed = _group(ctx, "date")
    current, cal = desk.deadline_of(_group(ctx, "number")), desk.calendar()  # no such item: the router says so
    new_deadline = dates.new_deadline(typed, today=desk.today(), current=current, cal=cal)
    if new_deadline is None:
        return Reply.text(t("rect.bot.bad_date", text=typed))
    item = desk.decide_extension(_group(ctx, "number"), grant=True, new_deadline=new_deadline)
    return Reply.text(
        t("rect.bot.extension_granted", number=item.number, unit=item.unit, deadline=item.deadline.isoformat())
    )


def refuse_extension(ctx: Context) -> Reply:
    """`不同意延期 <no.> <reason>`."""
    item = ctx.desk.rectifications.decide_extension(_group(ctx, "number"), grant=False, reason=ctx.said("reason"))
    return Reply.text(
        t("rect.bot.extension_refused", number=item.number, unit=item.unit, deadline=item.deadline.isoformat())
    )
