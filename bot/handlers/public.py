"""Handlers for the public (parents and anyone who scans a board): a concern for the school they scanned.

After a scan, what the user writes, photographs or says becomes one concern for that school (messages close
together join it); the category is asked with a numbered menu, or guessed from the words and open to correction.
Without a current school, or for other kinds of message, the user gets the public help (which says to scan).
"""

from __future__ import annotations

from backend.domain.calendar import local_now
from backend.services.concerns import ConcernView, Intake, Received, reporter_state_key, valid_phone
from backend.services.identity import Who
from bot.handlers import Context
from bot.replies import Reply
from messages import t

CHOOSING_CATEGORY = "concern:category"  # a concern was just opened: a number picks (or corrects) its category
CONCERN_OPEN = "concern:open"  # the category is set; more messages still join the concern for a while
INTAKE_KINDS = ("text", "image", "voice")


def help_text(who: Who) -> str:
    return t("bot.help.public")


def _menu(ctx: Context) -> str:
    return "\n".join(t("concern.menu.row", code=code, name=name) for code, name in ctx.desk.concerns.categories())


def fallback(ctx: Context) -> Reply:
    """Anything a public user sends that no keyword claims: a concern, if they have a current school."""
    kind = ctx.inbound.msg_type
    if kind not in INTAKE_KINDS or ctx.who.last_scanned_unit_id is None:
        return Reply.text(help_text(ctx.who))
    # the words as the user wrote them (full-width punctuation kept); routing used the normalised text
    text = ctx.inbound.content.strip() if kind in ("text", "voice") else ""
    received = ctx.desk.concerns.receive(kind, text=text, media_id=ctx.inbound.get("MediaId"))
    return _answer_intake(ctx, received, kind)


def voice(ctx: Context) -> Reply:
    """A voice message WeChat could not recognise, while a concern is open: kept with it (else ask for text)."""
    if ctx.who.last_scanned_unit_id is None:
        return Reply.text(t("bot.voice.unrecognised"))
    received = ctx.desk.concerns.receive("voice", media_id=ctx.inbound.get("MediaId"))
    if received.outcome is Intake.APPENDED and received.concern is not None:
        return Reply.text(t("concern.reply.appended_voice", ticket=received.concern.ticket_no))
    if received.outcome is Intake.OPENED:
        return _answer_intake(ctx, received, "voice")
    if received.outcome in (Intake.BLOCKED, Intake.RATE_LIMITED):
        return _answer_intake(ctx, received, "voice")
    return Reply.text(t("bot.voice.unrecognised"))


def _answer_intake(ctx: Context, received: Received, kind: str) -> Reply:
    outcome, concern = received.outcome, received.concern
    if outcome is Intake.NO_SCHOOL:
        return Reply.text(help_text(ctx.who))
    if outcome is Intake.BLOCKED:
        return Reply.text(t("concern.reply.blocked", hotline=_hotline(ctx)))
    if outcome is Intake.RATE_LIMITED:
        return Reply.text(t("concern.reply.rate_limited"))
    if outcome is Intake.TOO_SHORT:
        return Reply.text(t("concern.reply.too_short", school=_school_name(ctx)))
    assert concern is not None
    if outcome is Intake.TOO_MANY_PHOTOS:
        return Reply.text(t("concern.reply.too_many_photos"))
    if outcome is Intake.APPENDED:
        if kind == "image":
            return Reply.text(t("concern.reply.appended_photo", ticket=concern.ticket_no, photos=concern.photos))
        if kind == "voice":
            return Reply.text(t("concern.reply.appended_voice", ticket=concern.ticket_no))
        return Reply.text(t("concern.reply.appended_text", ticket=concern.ticket_no))
    # a new concern
    ctx.conversation.begin(CHOOSING_CATEGORY, ticket=concern.ticket_no)
    if received.category_inferred:
        return Reply.text(
            t(
                "concern.reply.opened_inferred",
                school=concern.school,
                ticket=concern.ticket_no,
                category=concern.category_name,
                inspector=concern.inspector,
                menu=_menu(ctx),
            )
        )
    key = "concern.reply.opened_photo" if kind == "image" else "concern.reply.opened_ask_category"
    return Reply.text(t(key, school=concern.school, ticket=concern.ticket_no, menu=_menu(ctx)))


def _hotline(ctx: Context) -> str:
    return ctx.desk.concerns.hotline()


def _school_name(ctx: Context) -> str:
    return ctx.desk.concerns.current_school_name() or ""


def choose_category(ctx: Context) -> Reply:
    """A number while the category menu is open: the concern's category (or its correction)."""
    number = ctx.match.group("n").lstrip("0") if ctx.match else ctx.text
    codes = dict(ctx.desk.concerns.categories())
    if number not in codes:
        return Reply.text(t("concern.reply.category_bad", menu=_menu(ctx)))
    received = ctx.desk.concerns.choose_category(number)
    ctx.conversation.begin(CONCERN_OPEN)
    concern = received.concern
    if received.outcome is Intake.NO_SCHOOL or concern is None:
        return Reply.text(t("concern.reply.no_recent"))
    if received.routed:
        return Reply.text(
            t(
                "concern.reply.category_set",
                ticket=concern.ticket_no,
                category=concern.category_name,
                inspector=concern.inspector,
            )
        )
    return Reply.text(t("concern.reply.category_changed", ticket=concern.ticket_no, category=concern.category_name))


def give_phone(ctx: Context) -> Reply:
    """`电话 138…`: a number the inspector may call back on (never shown to the school)."""
    raw = ctx.match.group("phone") if ctx.match else ""
    phone = valid_phone(raw)
    if phone is None:
        return Reply.text(t("concern.reply.phone_bad"))
    concern = ctx.desk.concerns.give_phone(phone)
    if concern is None:
        return Reply.text(t("concern.reply.phone_no_concern"))
    return Reply.text(t("concern.reply.phone_saved", ticket=concern.ticket_no))


def my_concerns(ctx: Context) -> Reply:
    """`查询`: the user's concerns, their states and the answers."""
    found = ctx.desk.concerns.mine()
    if not found:
        return Reply.text(t("concern.mine.none"))
    return Reply.text(t("concern.mine.header", count=len(found)) + "".join(_row(c) for c in found))


def _row(concern: ConcernView) -> str:
    text = t(
        "concern.mine.row",
        ticket=concern.ticket_no,
        school=concern.school,
        category=concern.category_name,
        received=_local(concern),
        state=t(reporter_state_key(concern.state)),
    )
    if concern.answer:
        text += t("concern.mine.answer", answer=concern.answer)
    if concern.note and concern.state in ("referred", "not_substantiated"):
        text += t(f"concern.mine.note.{concern.state}", note=concern.note)
    return text


def _local(concern: ConcernView) -> str:
    return local_now(concern.received_at).strftime("%m-%d %H:%M")
