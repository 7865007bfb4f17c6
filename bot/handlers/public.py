"""Handlers for the public (parents and anyone who scans a board): a concern for the school they scanned.

After a scan, what the user writes, photographs or says becomes one concern for that school (messages close
together join it); the category is asked with a numbered menu, or guessed from the words and open to correction.
Without a current school, or for other kinds of message, the user gets the public help (which says to scan).
"""

from __future__ import annotations

import re

from backend.domain.calendar import local_now
from backend.domain.school_names import Kind, SchoolFinding
from backend.services.concerns import ConcernView, Intake, Received, reporter_state_key, valid_phone
from backend.services.identity import Who
from bot.handlers import Context
from bot.replies import Reply
from messages import t

CHOOSING_CATEGORY = "concern:category"  # a concern was just opened: a number picks (or corrects) its category
CONCERN_OPEN = "concern:open"  # the category is set; more messages still join the concern for a while
ASKING_SCHOOL = "concern:school"  # wrote before scanning: which school? (the message waits in the conversation)
YES = frozenset(("是", "是的", "对", "对的", "嗯", "好", "好的", "可以", "没错"))
INTAKE_KINDS = ("text", "image", "voice")
MIN_CONCERN_LETTERS = 5  # fewer letters and no school named: a greeting, answered with the help
LONE_NUMBER = re.compile(r"^\d{1,2}$")


def help_text(who: Who) -> str:
    return t("bot.help.public")


def _menu(ctx: Context) -> str:
    return "\n".join(t("concern.menu.row", code=code, name=name) for code, name in ctx.desk.concerns.categories())


def fallback(ctx: Context) -> Reply:
    """Anything a public user sends that no keyword claims: a concern, if they have a current school."""
    kind = ctx.inbound.msg_type
    if kind not in INTAKE_KINDS:
        return Reply.text(help_text(ctx.who))
    # the words as the user wrote them (full-width punctuation kept); routing used the folded copy
    text = ctx.inbound.content.strip() if kind in ("text", "voice") else ""
    if kind == "text" and LONE_NUMBER.match(ctx.text) and ctx.conversation.state != ASKING_SCHOOL:
        # a number is never words of a concern: after the menu's state ran out it still picks the category
        if ctx.text.lstrip("0") in dict(ctx.desk.concerns.categories()):
            return choose_category(ctx)
        return Reply.text(help_text(ctx.who))
    if ctx.who.last_scanned_unit_id is not None:
        received = ctx.desk.concerns.receive(kind, text=text, media_id=ctx.inbound.get("MediaId"))
        if received.outcome is not Intake.NO_SCHOOL:
            return _answer_intake(ctx, received, kind)
    if not text:
        return Reply.text(help_text(ctx.who))
    return _before_scanning(ctx, text)


# --- a parent who writes before scanning: which school? ---------------------------------------------------


def _before_scanning(ctx: Context, text: str) -> Reply:
    """No current school: the school from the words, else a question; the message is kept as the concern."""
    finding = ctx.desk.concerns.find_school(text)
    if finding.kind is Kind.EXACT and finding.school_id is not None:
        return _open_for(ctx, finding.school_id, text)
    if finding.kind is Kind.NONE and sum(1 for c in text if c.isalnum()) < MIN_CONCERN_LETTERS:
        return Reply.text(help_text(ctx.who))  # "你好": the public help, which says how to reach an inspector
    return _ask_school(ctx, text, finding, first=True)


def _ask_school(ctx: Context, text: str, finding: SchoolFinding, *, first: bool) -> Reply:
    kept = t("concern.school.kept") if first else ""
    choices = list(finding.candidates[:5])
    confirm = choices[0] if finding.kind is Kind.FUZZY and choices else None
    ctx.conversation.begin(ASKING_SCHOOL, text=text, choices=choices, confirm=confirm)
    if confirm is not None:
        school = ctx.desk.concerns.school_name(confirm)
        return Reply.text(t("concern.school.confirm", said=finding.said, school=school) + kept)
    if finding.kind is Kind.AMBIGUOUS and choices:
        rows = "\n".join(
            t("concern.school.choice", number=n, name=ctx.desk.concerns.school_name(i))
            for n, i in enumerate(choices, start=1)
        )
        return Reply.text(t("concern.school.which", said=finding.said, choices=rows) + kept)
    if not first and finding.said:
        return Reply.text(t("concern.school.unknown", said=finding.said))
    return Reply.text(t("concern.school.ask") + kept)


def answer_school(ctx: Context) -> Reply:
    """The answer to "which school": "是", a number from the list, or the school's name."""
    data = ctx.conversation.data
    text, choices = str(data.get("text") or ""), [int(i) for i in data.get("choices") or []]
    reply = ctx.text.strip("。.！!")
    unit_id: int | None = None
    if data.get("confirm") and reply in YES:
        unit_id = int(data["confirm"])
    elif reply.isdigit() and 1 <= int(reply) <= len(choices):
        unit_id = choices[int(reply) - 1]
    else:
        finding = ctx.desk.concerns.find_school(reply)
        if finding.kind is not Kind.EXACT or finding.school_id is None:
            return _ask_school(ctx, text, finding, first=False)
        unit_id = finding.school_id
    ctx.conversation.end()
    return _open_for(ctx, unit_id, text)


def kept_after_scan(ctx: Context) -> Reply | None:
    """A scan while "which school" is open answers it: the kept message becomes the scanned school's concern."""
    if ctx.conversation.state != ASKING_SCHOOL:
        return None
    text = str(ctx.conversation.data.get("text") or "")
    ctx.conversation.end()
    if not text:
        return None
    return _answer_intake(ctx, ctx.desk.concerns.receive("text", text=text), "text")


def _open_for(ctx: Context, unit_id: int, text: str) -> Reply:
    """The school is known: the parent's first message becomes the concern, as if written after a scan."""
    ctx.desk.concerns.choose_school(unit_id)
    received = ctx.desk.concerns.receive("text", text=text)
    return _answer_intake(ctx, received, "text")


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
    number = (ctx.match.group("n") if ctx.match else ctx.text).lstrip("0")
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


def how_to_report(ctx: Context) -> Reply:
    """怎样反映: scanning the board, writing here, the board's web form; and 查询 for progress."""
    return Reply.text(t("menu.how_to_report"))
