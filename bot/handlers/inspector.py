"""Handlers for responsible inspectors (责任督学): their schools and to-dos, and logging visits.

A visit is logged by one free message (read by `backend.domain.visit_text`, recorded at once, the summary
echoed back, `撤销` within 30 minutes) or by the guided dialogue `记录`. Questions (which school, which day)
keep the message in the conversation until answered; a dialogue may pause for two hours.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Any

from backend.domain import visit_text as vt
from backend.services.identity import Who
from backend.services.visit_desk import Answer
from backend.services.visits import VisitError
from bot.handlers import Context
from bot.replies import Reply
from messages import t

DIALOGUE_TTL = 7200.0  # an inspector may pause a visit's dialogue for two hours
ASK_SCHOOL = "visit:ask:school"
ASK_DATE = "visit:ask:date"
DLG_SCHOOL = "visit:dlg:school"
DLG_KIND = "visit:dlg:kind"
DLG_ITEMS = "visit:dlg:items"
DLG_TEXT = "visit:dlg:text"
DLG_EVIDENCE = "visit:dlg:evidence"
QUESTIONS = (ASK_SCHOOL, ASK_DATE)
DIALOGUE = (DLG_SCHOOL, DLG_KIND, DLG_ITEMS, DLG_TEXT, DLG_EVIDENCE)


def help_text(who: Who, school: str = "") -> str:
    """What an inspector can do, short; its examples name one of the inspector's own schools."""
    example = school or t("visits.help.any_school")
    return "\n".join(
        [t("visits.help.inspector", name=who.name, school=example), t("rect.bot.help.inspector"), t("check.help")]
    )


def show_help(ctx: Context) -> Reply:
    return Reply.text(help_text(ctx.who, ctx.desk.visits.example_school()))


# the commands a slip may have meant (`我的学效`, `待 办`): parser vocabulary
COMMANDS = ("我的学校", "待办", "本月", "记录", "撤销", "确认整改", "帮助")
ASK_COMMAND = "visit:ask:command"
CORRECTION = vt.CORRECTING


def _begin(ctx: Context, state: str, **data: Any) -> None:
    ctx.conversation.ttl = DIALOGUE_TTL
    ctx.conversation.begin(state, **data)


def _answer(ctx: Context, answer: Answer) -> Reply:
    """Keep an open question in the conversation; a finished record ends it."""
    if answer.question == "school":
        _begin(ctx, ASK_SCHOOL, **{**answer.pending, "choices": list(answer.choices)})
    elif answer.question == "date":
        _begin(ctx, ASK_DATE, **answer.pending)
    else:
        ctx.conversation.end()
    return Reply.text(answer.text)


def _safely(ctx: Context, work: Any) -> Reply:
    try:
        result = work()
    except VisitError as exc:
        ctx.conversation.end()
        return Reply.text(exc.message)
    return result if isinstance(result, Reply) else Reply.text(str(result))


# --- lists ----------------------------------------------------------------------------------------------------


def my_schools(ctx: Context) -> Reply:
    ctx.desk.visits.showed_list()
    return Reply.text(ctx.desk.visits.schools_text())


def todo(ctx: Context) -> Reply:
    return Reply.text(ctx.desk.visits.todo_text())


def this_month(ctx: Context) -> Reply:
    return Reply.text(ctx.desk.visits.month_text())


# --- one message --------------------------------------------------------------------------------------------


def _slip(text: str) -> str | None:
    """The command a short message almost is (`我的学效`, `待 办`), or None."""
    bare = re.sub(r"\s+", "", text)
    if not bare or len(bare) > 6 or bare in COMMANDS:
        return None if bare not in COMMANDS or bare == text else bare
    best = max(COMMANDS, key=lambda c: SequenceMatcher(None, bare, c).ratio())
    ratio = SequenceMatcher(None, bare, best).ratio()
    return best if ratio >= 0.6 and len(bare) >= 2 else None


def fallback(ctx: Context) -> Reply:
    """Free text: a visit when it reads like one, a plain yes or a thank-you answered, a slip asked, else help."""
    desk = ctx.desk.visits
    typed = ctx.inbound.content or ctx.text
    if vt.is_yes(ctx.text):
        return yes(ctx)
    if ctx.conversation.state == ASK_COMMAND:
        ctx.conversation.end()
    if CORRECTION.match(ctx.text):
        return correct(ctx)
    command = _slip(ctx.text)
    if command is not None:
        _begin(ctx, ASK_COMMAND, command=command)
        return Reply.text(t("visits.slip", action=t(f"visits.slip.{command}")))
    if not ctx.text or not (desk.looks_like_visit(ctx.text) or vt.message_kind(ctx.text) in (vt.THANKS, vt.CHAT)):
        return Reply.text(help_text(ctx.who, desk.example_school()))
    return _safely(ctx, lambda: _answer(ctx, desk.log_text(typed)))


def yes(ctx: Context) -> Reply:
    """A plain yes (确认, 是, 好的, 对, 可以, 行, 嗯): answers the open question or confirms the open draft."""
    state, data = ctx.conversation.state, ctx.conversation.data
    desk = ctx.desk.visits
    if state == ASK_COMMAND:
        ctx.conversation.end()
        return run_command(ctx, str(data.get("command") or ""))
    if state == ASK_SCHOOL:
        return _safely(ctx, lambda: _answer(ctx, desk.answer_school(data, ctx.text)))
    if state == ASK_DATE:
        ctx.conversation.end()
    if desk.has_drafts():
        return _safely(ctx, lambda: desk.confirm_drafts(""))
    return Reply.text(t("visits.chat.yes"))


def run_command(ctx: Context, command: str) -> Reply:
    handlers = {
        "我的学校": my_schools,
        "待办": todo,
        "本月": this_month,
        "记录": start_dialogue,
        "撤销": undo,
        "确认整改": confirm_rectification,
        "帮助": show_help,
    }
    return handlers.get(command, show_help)(ctx)


def correct(ctx: Context) -> Reply:
    """`不对，是某某初中`: fixes the open question's message, else the record just made."""
    found = CORRECTION.match(ctx.text)
    rest = vt.normalise(ctx.text)[found.end() :] if found else ctx.text
    desk = ctx.desk.visits
    state, data = ctx.conversation.state, ctx.conversation.data
    if state in QUESTIONS and data.get("text"):
        school = desk.school_in(rest)
        if school is not None:
            return _safely(ctx, lambda: _answer(ctx, desk.resume(data, school_id=school)))
    ctx.conversation.end()
    return _safely(ctx, lambda: desk.correct_last(rest))


def urgent(ctx: Context) -> Reply:
    """`紧急 …`: an urgent safety matter, recorded and reported to the office at once."""
    body = ctx.said("text")  # as typed: it is what the record keeps
    if not body:
        return Reply.text(t("visits.urgent.usage"))
    return _safely(ctx, lambda: _answer(ctx, ctx.desk.visits.log_text(body, urgent=True)))


def answer_question(ctx: Context) -> Reply:
    """The reply to "which school" or "which day"; a whole new visit message is taken as new."""
    pending = ctx.conversation.data
    desk = ctx.desk.visits
    if ctx.conversation.state == ASK_COMMAND:
        ctx.conversation.end()
        return fallback(ctx)
    if vt.is_yes(ctx.text) or CORRECTION.match(ctx.text):
        return fallback(ctx)
    if vt.message_kind(ctx.text) != vt.VISIT or _slip(ctx.text) is not None:
        # a question, thanks, chit-chat, a plan or a mistyped command is no answer: the question is dropped and the
        # message answered for what it is (the open question never swallows it)
        ctx.conversation.end()
        return fallback(ctx)
    if desk.is_new_visit(ctx.text):
        ctx.conversation.end()
        return _safely(ctx, lambda: _answer(ctx, desk.log_text(ctx.inbound.content or ctx.text)))
    if ctx.conversation.state == ASK_SCHOOL:
        return _safely(ctx, lambda: _answer(ctx, desk.answer_school(pending, ctx.text)))
    return _safely(ctx, lambda: _answer(ctx, desk.answer_date(pending, ctx.text)))


def cancel(ctx: Context) -> Reply:
    ctx.conversation.end()
    return Reply.text(t("visits.cancelled"))


def undo(ctx: Context) -> Reply:
    ctx.conversation.end()
    return _safely(ctx, ctx.desk.visits.undo)


def forget_alias(ctx: Context) -> Reply:
    """`忘记 天心中心校`: a school's name the inspector taught is forgotten; `忘记` alone lists them."""
    phrase = ctx.match.group("text").strip() if ctx.match and ctx.match.group("text") else ""
    return _safely(ctx, lambda: ctx.desk.visits.forget_alias(phrase))


# --- findings -------------------------------------------------------------------------------------------------


def rectify(ctx: Context) -> Reply:
    body = ctx.said("text")  # as typed: it becomes the notice's problem
    if not body:
        return Reply.text(t("visits.rect.usage"))
    return _safely(ctx, lambda: ctx.desk.visits.propose(body))


def confirm_rectification(ctx: Context) -> Reply:
    choice = ctx.match.group("n") if ctx.match and ctx.match.group("n") else ""
    return _safely(ctx, lambda: ctx.desk.visits.confirm_drafts(choice))


def discard_rectification(ctx: Context) -> Reply:
    return _safely(ctx, ctx.desk.visits.discard_drafts)


# --- evidence outside a dialogue ------------------------------------------------------------------------------


def photo(ctx: Context) -> Reply:
    return _safely(ctx, lambda: ctx.desk.visits.add_photo(ctx.inbound.get("MediaId")))


def _where(ctx: Context) -> tuple[float, float] | None:
    try:
        return float(ctx.inbound.get("Location_X")), float(ctx.inbound.get("Location_Y"))
    except ValueError:
        return None


def location(ctx: Context) -> Reply:
    where = _where(ctx)
    if where is None:
        return Reply.nothing()
    return _safely(ctx, lambda: ctx.desk.visits.add_location(*where))


# --- the guided dialogue (记录) ---------------------------------------------------------------------------------


def start_dialogue(ctx: Context) -> Reply:
    desk = ctx.desk.visits
    if not desk.schools():
        return Reply.text(t("visits.schools.none"))
    _begin(ctx, DLG_SCHOOL)
    return Reply.text(t("visits.dialogue.school", choices=desk.school_choices()))


def dialogue_step(ctx: Context) -> Reply:
    """One answer in the dialogue: school, kind, items, text; then evidence until 完成."""
    state, data = ctx.conversation.state, ctx.conversation.data
    desk = ctx.desk.visits
    if state == DLG_SCHOOL:
        school_id = desk.dialogue_school(ctx.text)
        if school_id is None:
            return Reply.text(t("visits.ask.bad_number"))
        _begin(ctx, DLG_KIND, **data, school_id=school_id)
        return Reply.text(t("visits.dialogue.kind"))
    if state == DLG_KIND:
        kind = desk.dialogue_kind(ctx.text)
        if kind is None:
            return Reply.text(t("visits.dialogue.bad_kind"))
        _begin(ctx, DLG_ITEMS, **data, kind=kind)
        return Reply.text(t("visits.dialogue.items", choices=desk.item_choices()))
    if state == DLG_ITEMS:
        items = desk.dialogue_items(ctx.text)
        if items is None:
            return Reply.text(t("visits.dialogue.bad_items", count=len(desk.item_choices().splitlines())))
        _begin(ctx, DLG_TEXT, **data, items=items)
        return Reply.text(t("visits.dialogue.text"))
    if state == DLG_TEXT:
        _begin(ctx, DLG_EVIDENCE, **data, text=ctx.inbound.content or ctx.text)
        return Reply.text(t("visits.dialogue.evidence"))
    # evidence: more words join the text
    text = "，".join(filter(None, [str(data.get("text") or ""), ctx.inbound.content or ctx.text]))
    _begin(ctx, DLG_EVIDENCE, **{**data, "text": text})
    return Reply.text(t("visits.dialogue.text_added"))


def dialogue_photo(ctx: Context) -> Reply:
    data = ctx.conversation.data
    photos = [*data.get("photos", []), ctx.inbound.get("MediaId")]
    _begin(ctx, ctx.conversation.state or DLG_EVIDENCE, **{**data, "photos": photos})
    return Reply.text(t("visits.dialogue.photo_added", count=len(photos)))


def dialogue_location(ctx: Context) -> Reply:
    where = _where(ctx)
    if where is None:
        return Reply.nothing()
    data = ctx.conversation.data
    _begin(ctx, ctx.conversation.state or DLG_EVIDENCE, **{**data, "location": list(where)})
    return Reply.text(t("visits.dialogue.location_added"))


def finish_dialogue(ctx: Context) -> Reply:
    data = ctx.conversation.data
    if "school_id" not in data:
        return Reply.text(t("visits.ask.bad_number"))
    return _safely(ctx, lambda: _answer(ctx, ctx.desk.visits.dialogue_finish(data)))
