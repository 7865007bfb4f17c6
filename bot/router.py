"""Routing as data: a table from (message kind, keyword, conversation state, role) to a handler.

The first route that matches wins; a message nothing matches gets its role's help (never silence), an event
nothing matches gets no answer. A voice message with WeChat's Recognition is routed as the text it carries; a
menu click (CLICK event) as the word its key stands for (`backend.domain.menus.CLICKS`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from backend.domain import menus
from backend.domain.errors import DomainError
from backend.domain.kinds import FORMER_INSPECTOR, Role
from bot.handlers import (
    Context,
    Handler,
    common,
    concern_replies,
    former_inspector,
    inspector,
    office,
    public,
    reinspection,
    tasks,
    unit,
)
from bot.replies import Reply
from messages import t

ANY = "*"


@dataclass(frozen=True)
class Route:
    kind: str  # `text`, `image`, … `event:subscribe`, …, or ANY
    handler: Handler
    pattern: re.Pattern[str] | None = None  # matched against the normalised text
    state: str | None = None  # the conversation state required; None: any state
    roles: frozenset[str] | None = None  # None: every role

    def match(self, kind: str, text: str, role: str, state: str | None) -> re.Match[str] | bool:
        if self.kind not in (ANY, kind):
            return False
        if self.state is not None and self.state != state:
            return False
        if self.roles is not None and role not in self.roles:
            return False
        if self.pattern is None:
            return True
        return self.pattern.match(text) or False


def keyword(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# issue 6: a rectification number as typed: ZG-2026-000123 (any case), or just its id
_NO = r"(?P<number>[A-Za-z]{2}-\d{4}-\d+|\d+)"
_UNIT, _INSPECTOR = frozenset({Role.UNIT.value}), frozenset({Role.INSPECTOR.value})
RECTIFICATION_ROUTES: tuple[Route, ...] = (
    Route("text", unit.submit_report, keyword(r"^提交$"), state=unit.REPORTING, roles=_UNIT),
    Route("text", unit.cancel_report, keyword(r"^取消$"), state=unit.REPORTING, roles=_UNIT),
    Route("image", unit.report_photo, state=unit.REPORTING, roles=_UNIT),
    Route("text", unit.sign, keyword(r"^签收(\s*(?P<number>\S+))?$"), roles=_UNIT),
    Route("text", unit.list_open, keyword(r"^(整改|整改事项|待办)$"), roles=_UNIT),
    Route("text", unit.start_report, keyword(rf"(?s)^已整改\s*{_NO}(\s+(?P<text>.+))?$"), roles=_UNIT),
    Route("text", unit.request_extension, keyword(rf"(?s)^申请延期\s*{_NO}(\s+(?P<reason>.+))?$"), roles=_UNIT),
    Route("text", unit.report_text, state=unit.REPORTING, roles=_UNIT),
    Route("text", reinspection.failed, keyword(rf"(?s)^复查\s*{_NO}\s*不通过(\s*(?P<reason>.*))?$"), roles=_INSPECTOR),
    Route("text", reinspection.passed, keyword(rf"(?s)^复查\s*{_NO}\s*通过(\s*(?P<note>.*))?$"), roles=_INSPECTOR),
    Route(
        "text",
        reinspection.refuse_extension,
        keyword(rf"(?s)^不同意延期\s*{_NO}(\s+(?P<reason>.+))?$"),
        roles=_INSPECTOR,
    ),
    Route("text", reinspection.grant_extension, keyword(rf"^同意延期\s*{_NO}\s+(?P<date>\S+)$"), roles=_INSPECTOR),
    Route("image", reinspection.followup_photo, state=reinspection.FOLLOW_UP, roles=_INSPECTOR),
    Route("location", reinspection.followup_location, state=reinspection.FOLLOW_UP, roles=_INSPECTOR),
)

# issue 4: public concerns — the reporter (public) sends, picks a category, leaves a phone, asks; the inspector
# (or the zone leader it was escalated to) lists, reads and handles them by ticket number
_PUBLIC, _INSPECTS = frozenset({Role.PUBLIC.value}), frozenset({Role.INSPECTOR.value})
_TICKET, _PHONE = concern_replies.TICKET, r"(?P<phone>[\d\s\-()（）]{7,20})"
CONCERN_ROUTES: tuple[Route, ...] = (
    Route("text", public.my_concerns, keyword(r"^(查询|我的留言|进度)$"), roles=_PUBLIC),
    Route("text", public.give_phone, keyword(rf"^(电话|手机|联系电话)[\s:：]*{_PHONE}$"), roles=_PUBLIC),
    # a lone number picks the category, and changes it again as often as the parent likes: never concern text
    Route("text", public.choose_category, keyword(r"^(?P<n>\d{1,2})$"), state=public.CHOOSING_CATEGORY, roles=_PUBLIC),
    Route("text", public.choose_category, keyword(r"^(?P<n>\d{1,2})$"), state=public.CONCERN_OPEN, roles=_PUBLIC),
    Route("text", public.answer_school, state=public.ASKING_SCHOOL, roles=_PUBLIC),
    Route("voice", public.voice, state=public.CHOOSING_CATEGORY, roles=_PUBLIC),
    Route("voice", public.voice, state=public.CONCERN_OPEN, roles=_PUBLIC),
    Route("text", concern_replies.waiting, keyword(r"^(留言|家长留言|待办留言)$"), roles=_INSPECTS),
    Route("text", concern_replies.detail, keyword(rf"^(留言|查看)\s*{_TICKET}$"), roles=_INSPECTS),
    Route("text", concern_replies.acknowledge, keyword(rf"^受理\s*{_TICKET}$"), roles=_INSPECTS),
    Route("text", concern_replies.verify, keyword(rf"^核实\s*{_TICKET}$"), roles=_INSPECTS),
    Route("text", concern_replies.answer, keyword(rf"(?s)^回复\s*{_TICKET}\s+(?P<text>\S.*)$"), roles=_INSPECTS),
    Route("text", concern_replies.answer_usage, keyword(r"^回复(\s.*)?$"), roles=_INSPECTS),
    Route(
        "text",
        concern_replies.not_substantiated,
        keyword(rf"(?s)^不属实\s*{_TICKET}\s+(?P<text>\S.*)$"),
        roles=_INSPECTS,
    ),
    Route("text", concern_replies.not_substantiated_usage, keyword(r"^不属实(\s.*)?$"), roles=_INSPECTS),
    Route("text", concern_replies.refer, keyword(rf"(?s)^转办\s*{_TICKET}\s+(?P<text>\S.*)$"), roles=_INSPECTS),
    Route("text", concern_replies.refer_usage, keyword(r"^转办(\s.*)?$"), roles=_INSPECTS),
    Route("text", concern_replies.close, keyword(rf"^办结\s*{_TICKET}$"), roles=_INSPECTS),
)

# issue 14: a task's check by chat — `任务` lists the inspector's checks, a number or `检查 <学校>` starts one, then one
# item at a time; these words answer in the check (before the visits' words), its answers, photos and location after
# the visits' whole-message commands (a `我的学校` mid-check is still understood)
_CHECKING = tasks.CHECKING
TASK_COMMANDS: tuple[Route, ...] = (
    Route("text", tasks.my_tasks, keyword(r"^(任务|我的任务|督导任务|任务列表)$"), roles=_INSPECTS),
    Route("text", tasks.start, keyword(r"^(检查|开始检查)\s+(?P<school>\S.{0,19})$"), roles=_INSPECTS),
    Route("text", tasks.start, keyword(r"^开始检查(?P<school>\S.{0,19})$"), roles=_INSPECTS),
    Route("text", tasks.resume, keyword(r"^(继续|继续检查|接着做)$"), roles=_INSPECTS),
    Route("text", tasks.skip, keyword(r"^(跳过|略过|下一项|下一题)$"), state=_CHECKING, roles=_INSPECTS),
    Route("text", tasks.back, keyword(r"^(返回|上一项|上一题|回到上一项)$"), state=_CHECKING, roles=_INSPECTS),
    Route("text", tasks.pause, keyword(r"^(暂停|先停|稍后再做|取消|退出)$"), state=_CHECKING, roles=_INSPECTS),
    Route("text", tasks.finish, keyword(r"^(完成|提交|完成检查)$"), state=_CHECKING, roles=_INSPECTS),
    Route("text", tasks.form, keyword(r"^(表单|填表|链接|表格)$"), state=_CHECKING, roles=_INSPECTS),
)
TASK_IN_CHECK: tuple[Route, ...] = (
    Route("text", tasks.answer, state=_CHECKING, roles=_INSPECTS),
    Route("image", tasks.photo, state=_CHECKING, roles=_INSPECTS),
    Route("location", tasks.location, state=_CHECKING, roles=_INSPECTS),
    Route("text", tasks.pick, state=tasks.PICKING, roles=_INSPECTS),
)

# issue 5: visits — an inspector logs a visit in one message or by the guided dialogue (记录), adds photos and a
# location, undoes it (撤销), turns findings into rectification drafts (整改, 确认整改), reports urgent matters (紧急)
_VISITING = frozenset({Role.INSPECTOR.value})
VISIT_ROUTES: tuple[Route, ...] = (
    *(
        Route("text", inspector.cancel, keyword(r"^(取消|退出)$"), state=s, roles=_VISITING)
        for s in (*inspector.QUESTIONS, *inspector.DIALOGUE)
    ),
    *(
        Route("text", inspector.finish_dialogue, keyword(r"^完成$"), state=s, roles=_VISITING)
        for s in inspector.DIALOGUE[3:]
    ),
    *(Route("image", inspector.dialogue_photo, state=s, roles=_VISITING) for s in inspector.DIALOGUE[3:]),
    *(Route("location", inspector.dialogue_location, state=s, roles=_VISITING) for s in inspector.DIALOGUE[3:]),
    # whole-message commands answer even while a question is open (the question stays open for the next message)
    Route("text", inspector.start_dialogue, keyword(r"^(记录|记录督导|督导记录)$"), roles=_VISITING),
    Route("text", inspector.my_schools, keyword(r"^(我的学校|学校|学校列表)$"), roles=_VISITING),
    Route("text", inspector.todo, keyword(r"^(待办|待办事项)$"), roles=_VISITING),
    Route("text", inspector.this_month, keyword(r"^(本月|本月进度|这个月)$"), roles=_VISITING),
    Route("text", inspector.undo, keyword(r"^(撤销|撤回)$"), roles=_VISITING),
    Route("text", inspector.forget_alias, keyword(r"^忘记(?:\s*(?P<text>.*))?$"), roles=_VISITING),
    Route("text", inspector.confirm_rectification, keyword(r"^确认整改\s*(?P<n>\d{1,2})?$"), roles=_VISITING),
    Route("text", inspector.discard_rectification, keyword(r"^(撤销整改|作废整改)$"), roles=_VISITING),
    *TASK_IN_CHECK,  # issue 14: what a check in chat takes, after the whole-message commands
    *(Route("text", inspector.answer_question, state=s, roles=_VISITING) for s in inspector.QUESTIONS),
    *(Route("text", inspector.dialogue_step, state=s, roles=_VISITING) for s in inspector.DIALOGUE),
    Route("text", inspector.rectify, keyword(r"(?s)^整改(?:\s*(?P<text>.*))?$"), roles=_VISITING),
    Route("text", inspector.urgent, keyword(r"(?s)^紧急[\s:：,，]*(?P<text>.*)$"), roles=_VISITING),
    Route("image", inspector.photo, roles=_VISITING),
    Route("location", inspector.location, roles=_VISITING),
)

# the vocabulary the bot understands (parser words, not replies)
ROUTES: tuple[Route, ...] = (
    Route("text", common.bind_with_code, keyword(r"^绑定\s*(?P<code>\S.*)$")),
    Route("text", common.ask_bind_code, keyword(r"^绑定$")),
    Route("text", common.unbind, keyword(r"^解绑$")),
    Route("text", common.show_help, keyword(r"^(帮助|help|菜单|\?)$")),
    # issue 12: words the menus stand for that no other part claims
    Route("text", public.how_to_report, keyword(r"^(怎样|怎么|如何)反映(问题)?$")),
    Route("text", office.pending, keyword(r"^(待处理|待办)$"), roles=frozenset({Role.OFFICE.value})),
    Route("text", common.bind_with_code, keyword(r"^(?P<code>[\d\s]+)$"), state=common.AWAITING_BIND_CODE),
    # issue 6: rectification — the unit contact signs and reports, the inspector re-inspects
    *RECTIFICATION_ROUTES,
    # issue 4: public concerns
    *CONCERN_ROUTES,
    # issue 14: tasks' checks (their answers, photos and location sit inside the visits' routes)
    *TASK_COMMANDS,
    # issue 5: visits
    *VISIT_ROUTES,
    Route("voice", common.voice_unrecognised),
    Route("event:subscribe", common.subscribed),
    Route("event:scan", common.scanned),
    Route("event:unsubscribe", common.unsubscribed),
    Route("event:view", common.silent),  # a menu link: the page opens, nothing to answer
    Route("event:location", common.silent),
)

FALLBACKS: Mapping[str, Handler] = {
    Role.PUBLIC.value: public.fallback,
    Role.INSPECTOR.value: inspector.fallback,
    Role.UNIT.value: unit.fallback,
    Role.OFFICE.value: office.fallback,
    FORMER_INSPECTOR: former_inspector.fallback,
}


def fold(text: str) -> str:
    """A copy to understand: each character by its NFKC form when that is one character (full-width letters,
    digits, punctuation and spaces as ASCII), so that the copy is as long as the text and a match on it marks the
    typed words too (`Context.said`). What is stored is always the text as typed."""
    folded = (unicodedata.normalize("NFKC", ch) for ch in text)
    return "".join(f if len(f) == 1 else ch for f, ch in zip(folded, text, strict=True))


class Router:
    def __init__(self, routes: Sequence[Route] = ROUTES, fallbacks: Mapping[str, Handler] = FALLBACKS) -> None:
        self.routes, self.fallbacks = tuple(routes), dict(fallbacks)

    @staticmethod
    def kind_and_text(kind: str, content: str) -> tuple[str, str]:
        """What to route on: a recognised voice message counts as its text."""
        kind, text, _ = Router.routed(kind, content)
        return kind, text

    @staticmethod
    def routed(kind: str, content: str) -> tuple[str, str, str]:
        """The kind to route on, the folded text and the typed text, trimmed alike (one as long as the other)."""
        typed = content.strip()
        text = fold(typed)
        if kind == "voice" and text:
            kind, text = "text", text.rstrip("。.！!？?")
        return kind, text, typed[: len(text)]

    def resolve(self, kind: str, text: str, role: str, state: str | None) -> tuple[Handler, re.Match[str] | None]:
        for route in self.routes:
            found = route.match(kind, text, role, state)
            if found is not False:
                return route.handler, found if isinstance(found, re.Match) else None
        if kind.startswith("event:"):
            return common.silent, None
        return self.fallbacks.get(role, public.fallback), None

    @staticmethod
    def clicked(key: str, role: str) -> str | None:
        """The word a menu button stands for (a click answers as the word does); None for a stale key."""
        found = menus.click(key, role)
        return found.word if found else None

    def dispatch(self, ctx: Context) -> Reply:
        kind, ctx.text, ctx.typed = self.routed(ctx.inbound.kind, ctx.inbound.content)
        if kind == "event:click":
            word = self.clicked(ctx.inbound.event_key, ctx.who.role)
            if word is None:  # a button of an older menu, or of a role the user no longer has
                return Reply.text(t("menu.stale"))
            kind, ctx.text = "text", word
            ctx.typed = word
        handler, ctx.match = self.resolve(kind, ctx.text, ctx.who.role, ctx.conversation.state)
        try:
            return handler(ctx)
        except DomainError as refused:  # a rule said no: its words, from messages/ (anything else is logged upstream)
            return Reply.text(refused.message)
