"""Handlers for doing a task's check by chat (issue 14): `任务`, picking a school, one item at a time with numbered
answers, a photo where the item wants one, `跳过`, `返回`, `暂停` and `继续`, a location check-in, `完成`, `表单`.

The conversation keeps only where the inspector is (`CHECKING`: the target and the item's position; `PICKING`: the
list just shown); the answers are in the database, so a paused or lost conversation resumes at the first open item.
"""

from __future__ import annotations

from collections.abc import Callable

from backend.domain import visit_text as vt
from backend.services.task_checks import CheckError
from backend.services.task_desk import END, Step
from bot.handlers import Context
from bot.replies import Reply

CHECKING = "task:check"
PICKING = "task:pick"
STATES = (CHECKING, PICKING)
CHECK_TTL = 4 * 3600.0  # a check in chat may rest four hours; after that `继续` picks it up again


def _safely(ctx: Context, work: Callable[[], Step]) -> Reply:
    """A refusal (the task closed by the office, the check done elsewhere) ends the check in chat, in its words."""
    try:
        step = work()
    except CheckError as refused:
        ctx.conversation.end()
        return Reply.text(refused.message)
    return _reply(ctx, step)


def _reply(ctx: Context, step: Step) -> Reply:
    if step.target_id is not None:
        ctx.conversation.ttl = CHECK_TTL
        ctx.conversation.begin(CHECKING, target=step.target_id, at=step.position, photo=step.photo)
    elif step.choices:
        ctx.conversation.ttl = CHECK_TTL
        ctx.conversation.begin(PICKING, choices=list(step.choices))
    else:
        ctx.conversation.end()
    return Reply.text(step.text)


def _where(ctx: Context) -> tuple[int, int, bool]:
    data = ctx.conversation.data
    return int(data.get("target") or 0), int(data.get("at") or END), bool(data.get("photo"))


def my_tasks(ctx: Context) -> Reply:
    """`任务`: the inspector's checks with their progress."""
    return _safely(ctx, lambda: ctx.desk.tasks.list())


def start(ctx: Context) -> Reply:
    """`检查 <学校>`: start (or go on with) the check of that school."""
    return _safely(ctx, lambda: ctx.desk.tasks.pick(ctx.said("school")))


def pick(ctx: Context) -> Reply:
    """A number or a school's name after the list; a whole message (a visit told in one line) is taken as such."""
    if len(ctx.text) > 20 and vt.to_int(ctx.text) is None:
        from bot.handlers import inspector

        ctx.conversation.end()
        return inspector.fallback(ctx)
    return _safely(ctx, lambda: ctx.desk.tasks.pick(ctx.typed or ctx.text))


def resume(ctx: Context) -> Reply:
    """`继续`: the check begun and not finished (the one open in chat first)."""
    if ctx.conversation.state == CHECKING:
        target, at, _photo = _where(ctx)
        return _safely(ctx, lambda: ctx.desk.tasks.current(target, at))
    return _safely(ctx, lambda: ctx.desk.tasks.resume())


def answer(ctx: Context) -> Reply:
    """The answer to the item asked (a number, a word, a text; a remark may follow it)."""
    target, at, photo = _where(ctx)
    desk = ctx.desk.tasks
    if at == END:
        if vt.is_yes(ctx.text):
            return finish(ctx)
        return _safely(ctx, lambda: desk.current(target, at))
    if photo:
        return _safely(ctx, lambda: desk.still_needs_photo(target, at))
    return _safely(ctx, lambda: desk.answer(target, at, ctx.typed or ctx.text))


def skip(ctx: Context) -> Reply:
    target, at, _photo = _where(ctx)
    return _safely(ctx, lambda: ctx.desk.tasks.skip(target, at))


def back(ctx: Context) -> Reply:
    target, at, _photo = _where(ctx)
    return _safely(ctx, lambda: ctx.desk.tasks.back(target, at))


def pause(ctx: Context) -> Reply:
    target, _at, _photo = _where(ctx)
    return _safely(ctx, lambda: ctx.desk.tasks.pause(target))


def finish(ctx: Context) -> Reply:
    target, _at, _photo = _where(ctx)
    return _safely(ctx, lambda: ctx.desk.tasks.finish(target))


def form(ctx: Context) -> Reply:
    """`表单`: the signed link to the whole checklist in WeChat's browser."""
    target, at, photo = _where(ctx)
    step = ctx.desk.tasks.form_link(target)
    ctx.conversation.begin(CHECKING, target=target, at=at, photo=photo)
    return Reply.text(step.text)


def photo(ctx: Context) -> Reply:
    """A photo during a check belongs to the item asked (or the one just answered)."""
    target, at, _photo = _where(ctx)
    return _safely(ctx, lambda: ctx.desk.tasks.photo(target, at, ctx.inbound.get("MediaId")))


def location(ctx: Context) -> Reply:
    target, at, photo_wanted = _where(ctx)
    try:
        where = float(ctx.inbound.get("Location_X")), float(ctx.inbound.get("Location_Y"))
    except ValueError:
        return Reply.nothing()
    step = ctx.desk.tasks.check_in(target, at, *where)
    ctx.conversation.begin(CHECKING, target=target, at=at, photo=photo_wanted)
    return Reply.text(step.text)
