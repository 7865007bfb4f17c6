"""The inspector's side of public concerns, by chat: list, read, acknowledge, verify, answer, refer, close.

`留言` lists what waits; `留言 T2611-0042` shows one (with the reporter's phone only if they left one);
`受理`, `核实`, `回复 <编号> <答复>`, `不属实 <编号> <核实情况>`, `转办 <编号> <承办单位>`, `办结 <编号>`.
A zone leader may act on their zone's concerns once those were escalated to them.
"""

from __future__ import annotations

from collections.abc import Callable

from backend.domain.calendar import local_now
from backend.domain.errors import TransitionRefused
from backend.services.concerns import ConcernView, NotFound, NotPermitted
from bot.handlers import Context
from bot.replies import Reply
from messages import t

TICKET = r"(?P<ticket>T\d{4}-?\d{4,6})"


def _day(view: ConcernView, which: str) -> str:
    day = view.ack_due_on if which == "ack" else view.answer_due_on
    return day.strftime("%m-%d") if day else ""


def waiting(ctx: Context) -> Reply:
    """`留言`: the concerns waiting for this inspector, earliest deadline first."""
    found = ctx.desk.concerns.waiting()
    if not found:
        return Reply.text(t("concern.inspector.none"))
    rows = "".join(
        t(
            "concern.inspector.row",
            ticket=c.ticket_no,
            school=c.school,
            category=c.category_name,
            state=t(f"concern.state.{c.state}"),
            answer_due=_day(c, "answer"),
            content=_short(c.content or t("concern.content.empty"), 40),
        )
        for c in found
    )
    return Reply.text(t("concern.inspector.header", count=len(found)) + rows + t("concern.inspector.footer"))


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _ticket(ctx: Context) -> str:
    return ctx.match.group("ticket") if ctx.match else ""


def _guarded(ctx: Context, action: str, work: Callable[[], ConcernView]) -> Reply | ConcernView:
    ticket = _ticket(ctx)
    try:
        return work()
    except (NotFound, NotPermitted):
        # a ticket outside one's duty is answered as one that does not exist: the reply tells nothing of the
        # concerns of other schools (not even that a ticket number is taken)
        return Reply.text(t("concern.inspector.not_found", ticket=ticket))
    except TransitionRefused as exc:
        state = t(f"concern.state.{exc.state}")
        return Reply.text(
            t("concern.inspector.illegal", ticket=ticket, state=state, action=t(f"concern.action.{action}"))
        )


def detail(ctx: Context) -> Reply:
    """`留言 <编号>`: everything the inspector may know of one concern."""
    found = _guarded(ctx, "answered", lambda: ctx.desk.concerns.detail(_ticket(ctx)))
    if isinstance(found, Reply):
        return found
    phone = t("concern.notice.phone", phone=found.phone) if found.phone else t("concern.notice.no_phone")
    answer = t("concern.inspector.detail.answer", answer=found.answer) if found.answer else ""
    similar = t("concern.notice.similar", original=found.duplicate_of) if found.duplicate_of else ""
    return Reply.text(
        similar
        + t(
            "concern.inspector.detail",
            ticket=found.ticket_no,
            state=t(f"concern.state.{found.state}"),
            school=found.school,
            category=found.category_name,
            received=local_now(found.received_at).strftime("%Y-%m-%d %H:%M"),
            ack_due=_day(found, "ack"),
            answer_due=_day(found, "answer"),
            content=found.content or t("concern.content.empty"),
            photos=found.photos,
            phone=phone,
            answer=answer,
        )
    )


def _act(ctx: Context, action: str, work: Callable[[], ConcernView]) -> Reply:
    done = _guarded(ctx, action, work)
    if isinstance(done, Reply):
        return done
    return Reply.text(
        t(f"concern.inspector.{action}", ticket=done.ticket_no, answer_due=_day(done, "answer"), note=done.note)
    )


def acknowledge(ctx: Context) -> Reply:
    return _act(ctx, "acknowledged", lambda: ctx.desk.concerns.acknowledge(_ticket(ctx)))


def verify(ctx: Context) -> Reply:
    return _act(ctx, "verifying", lambda: ctx.desk.concerns.verify(_ticket(ctx)))


def _text(ctx: Context) -> str:
    """What follows the command and the ticket, exactly as written (full-width punctuation and all)."""
    return ctx.said("text")


def answer(ctx: Context) -> Reply:
    return _act(ctx, "answered", lambda: ctx.desk.concerns.answer(_ticket(ctx), _text(ctx)))


def not_substantiated(ctx: Context) -> Reply:
    return _act(ctx, "not_substantiated", lambda: ctx.desk.concerns.not_substantiated(_ticket(ctx), _text(ctx)))


def refer(ctx: Context) -> Reply:
    return _act(ctx, "referred", lambda: ctx.desk.concerns.refer(_ticket(ctx), _text(ctx)))


def close(ctx: Context) -> Reply:
    return _act(ctx, "closed", lambda: ctx.desk.concerns.close(_ticket(ctx)))


def usage(key: str) -> Callable[[Context], Reply]:
    def explain(ctx: Context) -> Reply:
        return Reply.text(t(key))

    return explain


answer_usage = usage("concern.inspector.usage.answer")
not_substantiated_usage = usage("concern.inspector.usage.not_substantiated")
refer_usage = usage("concern.inspector.usage.refer")
