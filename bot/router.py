"""Routing as data: a table from (message kind, keyword, conversation state, role) to a handler.

The first route that matches wins; a message nothing matches gets its role's help (never silence), an event
nothing matches gets no answer. A voice message with WeChat's Recognition is routed as the text it carries.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from backend.domain.kinds import Role
from bot.handlers import Context, Handler, common, inspector, office, public, unit
from bot.replies import Reply

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


# the vocabulary the bot understands (parser words, not replies)
ROUTES: tuple[Route, ...] = (
    Route("text", common.bind_with_code, keyword(r"^绑定\s*(?P<code>\S.*)$")),
    Route("text", common.ask_bind_code, keyword(r"^绑定$")),
    Route("text", common.unbind, keyword(r"^解绑$")),
    Route("text", common.show_help, keyword(r"^(帮助|help|菜单|\?)$")),
    Route("text", common.bind_with_code, keyword(r"^(?P<code>[\d\s]+)$"), state=common.AWAITING_BIND_CODE),
    Route("voice", common.voice_unrecognised),
    Route("event:subscribe", common.subscribed),
    Route("event:scan", common.scanned),
    Route("event:unsubscribe", common.unsubscribed),
    Route("event:click", common.show_help),
    Route("event:view", common.silent),
    Route("event:location", common.silent),
)

FALLBACKS: Mapping[str, Handler] = {
    Role.PUBLIC.value: public.fallback,
    Role.INSPECTOR.value: inspector.fallback,
    Role.UNIT.value: unit.fallback,
    Role.OFFICE.value: office.fallback,
}


def normalise(text: str) -> str:
    """Full-width letters, digits and spaces as ASCII (NFKC), trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


class Router:
    def __init__(self, routes: Sequence[Route] = ROUTES, fallbacks: Mapping[str, Handler] = FALLBACKS) -> None:
        self.routes, self.fallbacks = tuple(routes), dict(fallbacks)

    @staticmethod
    def kind_and_text(kind: str, content: str) -> tuple[str, str]:
        """What to route on: a recognised voice message counts as its text."""
        text = normalise(content)
        if kind == "voice" and text:
            return "text", text.rstrip("。.！!？?")
        return kind, text

    def resolve(self, kind: str, text: str, role: str, state: str | None) -> tuple[Handler, re.Match[str] | None]:
        for route in self.routes:
            found = route.match(kind, text, role, state)
            if found is not False:
                return route.handler, found if isinstance(found, re.Match) else None
        if kind.startswith("event:"):
            return common.silent, None
        return self.fallbacks.get(role, public.fallback), None

    def dispatch(self, ctx: Context) -> Reply:
        kind, ctx.text = self.kind_and_text(ctx.inbound.kind, ctx.inbound.content)
        handler, ctx.match = self.resolve(kind, ctx.text, ctx.who.role, ctx.conversation.state)
        return handler(ctx)
