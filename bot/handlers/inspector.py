"""Handlers for responsible inspectors (责任督学): their schools and to-dos, and logging visits.

A visit is logged by one free message (read by `backend.domain.visit_text`, recorded at once, the summary
echoed back, `撤销` within 30 minutes) or by the guided dialogue `记录`. Questions (which school, which day)
keep the message in the conversation until answered; a dialogue may pause for two hours.
"""

from __future__ import annotations

from typing import Any

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


def help_text(who: Who) -> str:
    """What an inspector can do: visits (issue 5), then re-inspection and extensions (issue 6)."""
    return t("visits.help.inspector", name=who.name) + "\n" + t("rect.bot.help.inspector")


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
    return Reply.text(ctx.desk.visits.schools_text())


def todo(ctx: Context) -> Reply:
    return Reply.text(ctx.desk.visits.todo_text())


def this_month(ctx: Context) -> Reply:
    return Reply.text(ctx.desk.visits.month_text())


# --- one message --------------------------------------------------------------------------------------------


def fallback(ctx: Context) -> Reply:
    """Free text: a visit when it reads like one, else the inspector's help."""
    desk = ctx.desk.visits
    if not ctx.text or not desk.looks_like_visit(ctx.text):
        return Reply.text(help_text(ctx.who))
    return _safely(ctx, lambda: _answer(ctx, desk.log_text(ctx.inbound.content or ctx.text)))


def urgent(ctx: Context) -> Reply:
    """`紧急 …`: an urgent safety matter, recorded and reported to the office at once."""
    body = ctx.match.group("text") if ctx.match and ctx.match.group("text") else ""
    if not body:
        return Reply.text(t("visits.urgent.usage"))
    return _safely(ctx, lambda: _answer(ctx, ctx.desk.visits.log_text(body, urgent=True)))


def answer_question(ctx: Context) -> Reply:
    """The reply to "which school" or "which day"."""
    pending = ctx.conversation.data
    desk = ctx.desk.visits
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
    body = ctx.match.group("text") if ctx.match and ctx.match.group("text") else ""
    if not body.strip():
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
