"""Binding over the webhook: a code from the office (CLI or service), `绑定 <code>` in WeChat, and `解绑`."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from backend.cli import main
from backend.domain.kinds import Role
from backend.services import binding
from backend.services.identity import Who
from backend.store.models import AuditEvent, WechatIdentity
from bot.handlers import inspector, unit
from messages import t
from tests.e2e.webhook_support import SECRET_KEY, Webhook, seed_school

pytestmark = pytest.mark.e2e


def say(hook: Webhook, openid: str, text: str) -> str:
    answer = hook.sender.send(hook.sender.text(openid, text))
    assert answer.status == 200
    return answer.content


def role_of(hook: Webhook, openid: str) -> str | None:
    with hook.runtime.db.session() as session:
        return session.scalar(select(WechatIdentity.role).where(WechatIdentity.openid == openid))


def issue(hook: Webhook, role: Role, key: str, **kwargs: object) -> str:
    with hook.runtime.db.session() as session:
        issued = binding.issue_code(session, role=role, key=key, pepper=SECRET_KEY, actor="office:test", **kwargs)  # type: ignore[arg-type]
    return issued.code


def actions(hook: Webhook) -> list[str]:
    with hook.runtime.db.session() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def inspector_help(name: str) -> str:
    return inspector.help_text(Who("o-wang", Role.INSPECTOR.value, name))


def test_a_code_printed_by_the_cli_binds_an_inspector_over_wechat(
    hook: Webhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    school = seed_school(hook.runtime.db)
    monkeypatch.setenv("DUDAO_DATABASE_URL", hook.runtime.db.url)
    monkeypatch.setenv("DUDAO_SECRET_KEY", SECRET_KEY)
    printed = CliRunner().invoke(main, ["bind-code", "inspector", school.inspector_number])
    assert printed.exit_code == 0, printed.output
    found = re.search(r"绑定 (\d{5} \d{5})", printed.output)  # ten digits, in two groups
    assert found is not None
    assert say(hook, "o-wang", "帮助") == t("bot.help.public")
    assert say(hook, "o-wang", f"绑定 {found.group(1)}") == t("bot.bind.bound.inspector", name=school.inspector_name)
    assert role_of(hook, "o-wang") == Role.INSPECTOR.value
    assert say(hook, "o-wang", "帮助") == inspector.help_text(
        Who("o-wang", Role.INSPECTOR.value, school.inspector_name),
        school.name,  # examples name his own school
    )
    # the office sees the binding and can revoke it
    listed = CliRunner().invoke(main, ["bindings", "list"])
    assert "o-wang" in listed.output and school.inspector_name in listed.output
    revoked = CliRunner().invoke(main, ["bindings", "revoke", "o-wang"])
    assert revoked.exit_code == 0, revoked.output
    assert role_of(hook, "o-wang") == Role.PUBLIC.value
    assert CliRunner().invoke(main, ["bindings", "revoke", "o-wang"]).exit_code != 0
    assert CliRunner().invoke(main, ["bind-code", "inspector", "nobody"]).exit_code != 0
    assert actions(hook) == ["binding.code_issued", "binding.bound", "binding.revoked"]


def test_unit_binding_accepts_full_width_digits_and_spaces_then_unbinds(hook: Webhook) -> None:
    school = seed_school(hook.runtime.db)
    code = issue(hook, Role.UNIT, school.code)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    spaced = f"{full_width[:3]}\u3000{full_width[3:]}"
    assert say(hook, "o-head", f"绑定{spaced}") == t("bot.bind.bound.unit", name=school.name)
    assert role_of(hook, "o-head") == Role.UNIT.value
    assert say(hook, "o-head", "帮助") == unit.help_text(Who("o-head", Role.UNIT.value, school.name))
    assert say(hook, "o-head", "解绑") == t("bot.unbind.done")
    assert role_of(hook, "o-head") == Role.PUBLIC.value
    assert say(hook, "o-head", "解绑") == t("bot.unbind.not_bound")
    assert actions(hook) == ["binding.code_issued", "binding.bound", "binding.unbound"]


def test_binding_in_two_steps_keeps_the_conversation(hook: Webhook) -> None:
    school = seed_school(hook.runtime.db)
    code = issue(hook, Role.INSPECTOR, school.inspector_number)
    assert say(hook, "o-wang", "绑定") == t("bot.bind.ask_code")
    assert say(hook, "o-wang", code) == t("bot.bind.bound.inspector", name=school.inspector_name)
    # outside the dialogue, six digits are just text
    assert say(hook, "o-wang", "123456") == inspector.help_text(
        Who("o-wang", Role.INSPECTOR.value, school.inspector_name),
        school.name,  # examples name his own school
    )


def test_a_code_works_once_and_not_after_it_expires(hook: Webhook) -> None:
    school = seed_school(hook.runtime.db)
    code = issue(hook, Role.INSPECTOR, school.inspector_number)
    assert say(hook, "o-first", f"绑定 {code}") == t("bot.bind.bound.inspector", name=school.inspector_name)
    assert say(hook, "o-second", f"绑定 {code}") == t("bot.bind.used")
    assert role_of(hook, "o-second") == Role.PUBLIC.value
    stale = issue(hook, Role.INSPECTOR, school.inspector_number, now=hook.runtime.clock.now() - timedelta(hours=25))
    assert say(hook, "o-third", f"绑定 {stale}") == t("bot.bind.expired")
    assert say(hook, "o-third", "绑定 12345") == t("bot.bind.bad_format")
    assert role_of(hook, "o-third") == Role.PUBLIC.value


def test_guessing_codes_is_rate_limited_per_openid(hook: Webhook) -> None:
    school = seed_school(hook.runtime.db)
    code = issue(hook, Role.INSPECTOR, school.inspector_number)
    digits = binding.CODE_DIGITS
    wrong = f"{(int(code) + 1) % 10**digits:0{digits}d}"
    for _ in range(binding.ATTEMPTS_PER_HOUR):
        assert say(hook, "o-guesser", f"绑定 {wrong}") == t("bot.bind.invalid")
    # the right code no longer helps this openid within the hour
    assert say(hook, "o-guesser", f"绑定 {code}") == t("bot.bind.rate_limited")
    assert role_of(hook, "o-guesser") == Role.PUBLIC.value
    # another user is not affected, and the code is still good
    assert say(hook, "o-wang", f"绑定 {code}") == t("bot.bind.bound.inspector", name=school.inspector_name)
