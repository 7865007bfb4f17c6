"""Handlers every role shares: help, binding, following, scanning a board, menu clicks."""

from __future__ import annotations

from backend.domain.kinds import FORMER_INSPECTOR, Role
from backend.services.binding import Bound
from backend.services.identity import Who
from bot.handlers import Context, former_inspector, inspector, office, public, unit
from bot.replies import Reply
from messages import t

AWAITING_BIND_CODE = "bind:code"

_HELP = {
    Role.PUBLIC.value: public.help_text,
    Role.INSPECTOR.value: inspector.help_text,
    Role.UNIT.value: unit.help_text,
    Role.OFFICE.value: office.help_text,
    FORMER_INSPECTOR: former_inspector.help_text,
}

_BIND_ANSWER = {
    Bound.MALFORMED: "bot.bind.bad_format",
    Bound.INVALID: "bot.bind.invalid",
    Bound.USED: "bot.bind.used",
    Bound.EXPIRED: "bot.bind.expired",
    Bound.RATE_LIMITED: "bot.bind.rate_limited",
    Bound.UNAVAILABLE: "bot.bind.unavailable",
}


def help_text(who: Who) -> str:
    return _HELP.get(who.role, public.help_text)(who)


def show_help(ctx: Context) -> Reply:
    if ctx.who.role == FORMER_INSPECTOR:
        return former_inspector.fallback(ctx)
    if ctx.who.role == Role.INSPECTOR.value:  # the inspector's examples name one of their own schools
        return inspector.show_help(ctx)
    return Reply.text(help_text(ctx.who))


def silent(ctx: Context) -> Reply:
    """Events the user does not expect an answer to (a menu link opened, an unknown event)."""
    return Reply.nothing()


def ask_bind_code(ctx: Context) -> Reply:
    ctx.conversation.begin(AWAITING_BIND_CODE)
    return Reply.text(t("bot.bind.ask_code"))


def bind_with_code(ctx: Context) -> Reply:
    ctx.conversation.end()
    code = ctx.match.group("code") if ctx.match else ctx.text
    result = ctx.desk.bind(code)
    if result.outcome is Bound.BOUND:
        return Reply.text(t(f"bot.bind.bound.{result.role}", name=result.name))
    return Reply.text(t(_BIND_ANSWER[result.outcome]))


def unbind(ctx: Context) -> Reply:
    return Reply.text(t("bot.unbind.done" if ctx.desk.unbind() else "bot.unbind.not_bound"))


def school_card(ctx: Context, scene: str) -> Reply:
    """All a scanner needs in ONE passive reply: the school, its current inspector, how to raise a concern."""
    school = ctx.desk.scan(scene)
    if school is None:
        return Reply.text(t("bot.scan.unknown"))
    notice = t("privacy.bot.notice", url=ctx.desk.privacy_url())  # what happens to what they tell us
    if school.inspector is None:
        return Reply.text(f"{t('bot.scan.school_without_inspector', school=school.name)}\n\n{notice}")
    card = t("bot.scan.school", school=school.name, inspector=school.inspector.name, phone=school.inspector.phone)
    card = f"{card}\n\n{notice}"
    kept = public.kept_after_scan(ctx)  # a parent who wrote before scanning: their message, now for this school
    return Reply.text(f"{card}\n\n{kept.content}" if kept is not None and kept.content else card)


def privacy_notice(ctx: Context) -> Reply:
    """隐私 / 个人信息: the notice, with this user's signed link so that the request form there knows them."""
    return Reply.text(t("privacy.bot.request", url=ctx.desk.privacy_url(signed=True)))


def subscribed(ctx: Context) -> Reply:
    ctx.desk.set_following(True)
    scene = ctx.inbound.scene
    if scene:
        return school_card(ctx, scene)
    return Reply.text(t("bot.welcome", help=help_text(ctx.who)))


def scanned(ctx: Context) -> Reply:
    scene = ctx.inbound.scene
    return school_card(ctx, scene) if scene else show_help(ctx)


def unsubscribed(ctx: Context) -> Reply:
    ctx.desk.set_following(False)
    return Reply.nothing()


def voice_unrecognised(ctx: Context) -> Reply:
    return Reply.text(t("bot.voice.unrecognised"))
