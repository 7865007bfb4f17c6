"""The account's menus end to end: pushed to the fake WeChat API, a user's menu following their binding (tagged
through the outbox by the real client), and menu clicks over the real webhook (signed, safe mode) answered as
the words they stand for.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from backend.app import build_runtime
from backend.cli import main
from backend.config import Config
from backend.domain.kinds import OutboxState, Role
from backend.domain.menus import menu_set, tag_name
from backend.jobs.menus import keep_menus
from backend.services import binding
from backend.services.menus import push_menus
from backend.services.outbox import SendReport, send_due
from backend.store.models import OutboxMessage
from bot.fake_wechat import RunningFakeWeChat
from bot.wechat import WeChatClient
from messages import t
from tests.conftest import clock_env
from tests.e2e.webhook_support import SECRET_KEY, Webhook, seed_school

pytestmark = pytest.mark.e2e
pytest_plugins = ["tests.fake_wechat_fixture"]

TAGGING = "/cgi-bin/tags/members/batchtagging"
UNTAGGING = "/cgi-bin/tags/members/batchuntagging"
WANG = "o-wang-inspector"


class WorkerKilled(BaseException):
    """The process dies: nothing after this line of the worker runs."""


@pytest.fixture
def client(fake_wechat: RunningFakeWeChat, hook: Webhook) -> Iterator[WeChatClient]:
    found = WeChatClient(
        fake_wechat.appid,
        fake_wechat.secret,
        api_base=fake_wechat.base_url,
        kv=hook.runtime.kv,
        timeout=(1.0, 2.0),
        busy_backoff=0.01,
    )
    yield found
    found.close()


def names(buttons: list[dict[str, Any]] | None) -> list[str]:
    """Every button's name, top buttons and their sub buttons in order."""
    found = []
    for button in buttons or []:
        found.append(str(button["name"]))
        found.extend(str(sub["name"]) for sub in button.get("sub_button") or [])
    return found


def expected(role: str, public_url: str) -> list[str]:
    menus = menu_set(public_url)
    return names(menus.default if role == Role.PUBLIC.value else menus.by_role[role][1])


def say(hook: Webhook, openid: str, text: str) -> str:
    answer = hook.sender.send(hook.sender.text(openid, text))
    assert answer.status == 200
    return answer.content


def click(hook: Webhook, openid: str, key: str) -> str:
    answer = hook.sender.send(hook.sender.click(openid, key))
    assert answer.status == 200
    return answer.content


def bind(hook: Webhook, openid: str, role: Role, key: str) -> None:
    with hook.runtime.db.session() as session:
        code = binding.issue_code(session, role=role, key=key, pepper=SECRET_KEY, actor="office:test").code
    assert "绑定成功" in say(hook, openid, f"绑定 {code}")


def work(hook: Webhook, client: WeChatClient, after: timedelta = timedelta(0)) -> SendReport:
    """One round of the worker's outbox sender, with the real client against the fake WeChat."""
    return send_due(hook.runtime.db, client, now=hook.runtime.clock.now() + after, kv=hook.runtime.kv)


def tag_rows(hook: Webhook, openid: str) -> list[tuple[str, str, int]]:
    with hook.runtime.db.session() as session:
        rows = session.execute(
            select(OutboxMessage.payload, OutboxMessage.state, OutboxMessage.attempts)
            .where(OutboxMessage.openid == openid, OutboxMessage.kind == "menu_tag")
            .order_by(OutboxMessage.id)
        ).all()
    return [(str(payload["role"]), state, attempts) for payload, state, attempts in rows]


def test_binding_as_an_inspector_changes_the_menu_wechat_shows_and_unbinding_restores_it(
    hook: Webhook, fake_wechat: RunningFakeWeChat, client: WeChatClient
) -> None:
    school = seed_school(hook.runtime.db)
    url = hook.runtime.config.public_url
    pushed = push_menus(client, hook.runtime.kv, fake_wechat.appid, url)
    assert pushed.conditional == 3 and pushed.deleted == 0
    assert names(fake_wechat.menu_of(WANG)["button"]) == expected(Role.PUBLIC.value, url)
    assert names(client.try_match_menu(WANG)) == expected(Role.PUBLIC.value, url)

    bind(hook, WANG, Role.INSPECTOR, school.inspector_number)
    assert tag_rows(hook, WANG) == [(Role.INSPECTOR.value, OutboxState.PENDING.value, 0)]
    assert fake_wechat.menu_of(WANG)["tags"] == []  # nothing happens in WeChat before the worker's round
    assert work(hook, client).sent == 1
    seen = fake_wechat.menu_of(WANG)
    assert seen["tags"] == [tag_name(Role.INSPECTOR.value)]
    assert names(seen["button"]) == expected(Role.INSPECTOR.value, url)
    assert {"记录督导", "我的学校", "待办", "本月"} <= set(names(seen["button"]))
    assert names(client.try_match_menu(WANG)) == expected(Role.INSPECTOR.value, url)  # WeChat's own trymatch

    assert say(hook, WANG, "解绑") == t("bot.unbind.done")
    assert work(hook, client).sent == 1
    assert fake_wechat.menu_of(WANG)["tags"] == []
    assert names(fake_wechat.menu_of(WANG)["button"]) == expected(Role.PUBLIC.value, url)
    # each change made once: one tagging, one untagging, and nothing left to send
    assert work(hook, client, timedelta(hours=2)).claimed == 0
    assert len(fake_wechat.requests(TAGGING)) == 1 and len(fake_wechat.requests(UNTAGGING)) == 1
    assert [state for _, state, _ in tag_rows(hook, WANG)] == [OutboxState.SENT.value] * 2


def test_a_menu_click_answers_exactly_as_the_word_it_stands_for(hook: Webhook) -> None:
    school = seed_school(hook.runtime.db)
    assert click(hook, "o-parent-1", "public.help") == say(hook, "o-parent-1", "帮助") == t("bot.help.public")
    assert click(hook, "o-parent-1", "public.progress") == say(hook, "o-parent-1", "查询")
    assert click(hook, "o-parent-1", "public.how_to_report") == t("menu.how_to_report")
    assert say(hook, "o-parent-1", "怎样反映") == t("menu.how_to_report")

    bind(hook, WANG, Role.INSPECTOR, school.inspector_number)
    for key, word in [("inspector.todo", "待办"), ("inspector.schools", "我的学校"), ("inspector.month", "本月")]:
        clicked = click(hook, WANG, key)
        assert clicked == say(hook, WANG, word), key
        assert clicked and clicked != t("menu.stale")
    assert school.name in click(hook, WANG, "inspector.schools")

    bind(hook, "o-unit-contact", Role.UNIT, school.code)
    for key, word in [("unit.items", "整改事项"), ("unit.sign", "签收"), ("unit.help", "帮助")]:
        assert click(hook, "o-unit-contact", key) == say(hook, "o-unit-contact", word), key


def test_a_stale_or_foreign_button_gets_a_polite_answer_and_a_link_gets_none(hook: Webhook) -> None:
    school = seed_school(hook.runtime.db)
    bind(hook, WANG, Role.INSPECTOR, school.inspector_number)
    assert click(hook, WANG, "unit.sign") == t("menu.stale")  # another role's button
    assert click(hook, WANG, "v1.retired-button") == t("menu.stale")
    assert say(hook, WANG, "解绑") == t("bot.unbind.done")
    assert click(hook, WANG, "inspector.todo") == t("menu.stale")  # a menu drawn before the unbinding
    view = hook.sender.send(hook.sender.view(WANG, hook.runtime.config.public_url + "/public"))
    assert view.status == 200 and view.is_success


def test_a_failed_tagging_push_is_retried_and_never_made_twice(
    hook: Webhook, fake_wechat: RunningFakeWeChat, client: WeChatClient
) -> None:
    school = seed_school(hook.runtime.db)
    push_menus(client, hook.runtime.kv, fake_wechat.appid, hook.runtime.config.public_url)
    bind(hook, WANG, Role.INSPECTOR, school.inspector_number)
    fake_wechat.fail(TAGGING, errcode=-1, count=3)  # system busy, longer than the client's own two retries
    failed = work(hook, client)
    assert failed.retried == 1 and failed.sent == 0
    assert tag_rows(hook, WANG) == [(Role.INSPECTOR.value, OutboxState.PENDING.value, 1)]
    assert fake_wechat.menu_of(WANG)["tags"] == []
    assert work(hook, client).claimed == 0  # not due yet: backed off
    assert work(hook, client, timedelta(minutes=1)).sent == 1
    assert fake_wechat.menu_of(WANG)["tags"] == [tag_name(Role.INSPECTOR.value)]
    assert work(hook, client, timedelta(hours=2)).claimed == 0
    assert len(fake_wechat.requests(TAGGING)) == 4  # three refused, one accepted
    assert fake_wechat.stats()["tagged"] == 1


def test_a_worker_dying_after_the_tagging_does_not_tag_again(
    hook: Webhook, fake_wechat: RunningFakeWeChat, client: WeChatClient
) -> None:
    school = seed_school(hook.runtime.db)
    bind(hook, WANG, Role.INSPECTOR, school.inspector_number)

    class DiesAfterTagging(WeChatClient):
        def tag_users(self, tag_id: int, openids: list[str]) -> None:
            super().tag_users(tag_id, openids)
            raise WorkerKilled

    dying = DiesAfterTagging(fake_wechat.appid, fake_wechat.secret, api_base=fake_wechat.base_url, kv=None)
    with pytest.raises(WorkerKilled):
        send_due(hook.runtime.db, dying, now=hook.runtime.clock.now(), kv=hook.runtime.kv)
    dying.close()
    assert fake_wechat.menu_of(WANG)["tags"] == [tag_name(Role.INSPECTOR.value)]  # WeChat had done it
    # the lease runs out; the next worker finds the tag in place (tags/getidlist) and only marks the row
    assert work(hook, client, timedelta(minutes=3)).sent == 1
    assert len(fake_wechat.requests(TAGGING)) == 1
    assert work(hook, client, timedelta(hours=2)).claimed == 0


def test_an_older_tagging_retried_after_a_newer_one_changes_nothing(
    hook: Webhook, fake_wechat: RunningFakeWeChat, client: WeChatClient
) -> None:
    school = seed_school(hook.runtime.db)
    bind(hook, WANG, Role.INSPECTOR, school.inspector_number)
    fake_wechat.fail(TAGGING, errcode=-1, count=3)
    assert work(hook, client).retried == 1
    assert say(hook, WANG, "解绑") == t("bot.unbind.done")  # a newer row: he is public again
    assert work(hook, client).sent == 1  # the untagging (nothing to untag) goes first
    assert work(hook, client, timedelta(minutes=1)).sent == 1  # the old row: superseded, no call
    assert fake_wechat.menu_of(WANG)["tags"] == []
    assert len(fake_wechat.requests(TAGGING)) == 3  # only the three refused tries


def test_dudao_wechat_menu_pushes_the_menus_and_replaces_them_when_run_again(
    hook: Webhook, fake_wechat: RunningFakeWeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    school = seed_school(hook.runtime.db)
    bind(hook, WANG, Role.INSPECTOR, school.inspector_number)
    env = {
        "DUDAO_DATABASE_URL": hook.runtime.db.url,
        "DUDAO_WECHAT_APPID": fake_wechat.appid,
        "DUDAO_WECHAT_SECRET": fake_wechat.secret,
        "DUDAO_WECHAT_API_BASE": fake_wechat.base_url,
        "DUDAO_PUBLIC_URL": "https://dudao.example.gov.cn",
        **clock_env(hook.runtime.clock),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    shown = CliRunner().invoke(main, ["wechat", "menu", "--show"])
    assert shown.exit_code == 0, shown.output
    assert "记录督导" in shown.output and "https://dudao.example.gov.cn/public" in shown.output
    assert fake_wechat.stats()["menus_created"] == 0  # --show pushes nothing

    first = CliRunner().invoke(main, ["wechat", "menu"])
    assert first.exit_code == 0, first.output
    assert "个性化菜单 3 个" in first.output and "已绑定用户 1 人" in first.output
    state = fake_wechat.state
    assert names(state.menu) == expected(Role.PUBLIC.value, "https://dudao.example.gov.cn")
    assert len(state.conditional_menus) == 3
    assert {str(m["matchrule"]["tag_id"]) for m in state.conditional_menus} == {str(i) for i in state.tags}

    again = CliRunner().invoke(main, ["wechat", "menu"])
    assert again.exit_code == 0, again.output
    assert "删除旧的 3 个" in again.output
    assert len(state.conditional_menus) == 3 and len(state.tags) == 3  # replaced, not added to
    # the bound inspector queued once per version, tagged by the next outbox round
    assert [role for role, _, _ in tag_rows(hook, WANG)] == [Role.INSPECTOR.value, Role.INSPECTOR.value]


def test_the_cli_says_so_in_chinese_when_wechat_refuses(
    hook: Webhook, fake_wechat: RunningFakeWeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DUDAO_DATABASE_URL", hook.runtime.db.url)
    monkeypatch.setenv("DUDAO_WECHAT_APPID", fake_wechat.appid)
    monkeypatch.setenv("DUDAO_WECHAT_SECRET", fake_wechat.secret)
    monkeypatch.setenv("DUDAO_WECHAT_API_BASE", fake_wechat.base_url)
    fake_wechat.fail("/cgi-bin/menu/create", errcode=40018)
    refused = CliRunner().invoke(main, ["wechat", "menu"])
    assert refused.exit_code != 0
    assert "菜单推送失败" in refused.output and "40018" in refused.output
    assert "Traceback" not in refused.output


def test_the_worker_pushes_the_menus_once_per_version(hook: Webhook, fake_wechat: RunningFakeWeChat) -> None:
    config = fake_wechat.configure(Config(database_url=hook.runtime.db.url, secret_key=SECRET_KEY, testing=True))
    runtime = build_runtime(config)
    try:
        first = keep_menus(runtime)
        assert first is not None and first.conditional == 3
        assert keep_menus(runtime) is None  # the stored version is the current one
        assert fake_wechat.stats()["menus_created"] == 1
        off = build_runtime(config.with_(wechat_menus=False))
        try:
            assert keep_menus(off) is None
        finally:
            off.close()
    finally:
        runtime.close()


def test_an_unverified_account_keeps_the_default_menu_and_is_told_why(
    hook: Webhook, fake_wechat: RunningFakeWeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DUDAO_DATABASE_URL", hook.runtime.db.url)
    monkeypatch.setenv("DUDAO_WECHAT_APPID", fake_wechat.appid)
    monkeypatch.setenv("DUDAO_WECHAT_SECRET", fake_wechat.secret)
    monkeypatch.setenv("DUDAO_WECHAT_API_BASE", fake_wechat.base_url)
    fake_wechat.fail("/cgi-bin/tags/get", errcode=48001)  # api unauthorized
    pushed = CliRunner().invoke(main, ["wechat", "menu"])
    assert pushed.exit_code == 0, pushed.output
    assert t("menu.cli.default_only") in pushed.output
    assert fake_wechat.state.menu is not None and fake_wechat.state.conditional_menus == []


def test_the_terminal_chat_shows_the_menu_and_clicks_its_buttons(
    hook: Webhook, fake_wechat: RunningFakeWeChat, client: WeChatClient
) -> None:
    from bot.simulator.chat import ChatRepl
    from bot.simulator.core import Simulator

    school = seed_school(hook.runtime.db)
    push_menus(client, hook.runtime.kv, fake_wechat.appid, hook.runtime.config.public_url)
    bind(hook, WANG, Role.INSPECTOR, school.inspector_number)
    work(hook, client)
    said: list[str] = []
    repl = ChatRepl(Simulator(hook.sender_with(), fake_wechat), WANG, out=said.append)
    repl.run(["/menu", "/click 我的学校", "/click 没有这个按钮", "/quit"])
    menu = ["[记录督导]", "[我的工作]：待办 / 我的学校 / 本月 / 家长留言", "[帮助]"]
    start = said.index(menu[0])
    assert said[start : start + 3] == menu
    assert t("sim.chat.reply", text=say(hook, WANG, "我的学校")) in said
    assert t("sim.chat.usage.click") in said


def test_binding_to_another_role_moves_the_user_to_that_roles_menu(
    hook: Webhook, fake_wechat: RunningFakeWeChat, client: WeChatClient
) -> None:
    school = seed_school(hook.runtime.db)
    url = hook.runtime.config.public_url
    push_menus(client, hook.runtime.kv, fake_wechat.appid, url)
    bind(hook, WANG, Role.INSPECTOR, school.inspector_number)
    work(hook, client)
    bind(hook, WANG, Role.UNIT, school.code)  # the same phone now speaks for the school
    work(hook, client)
    seen = fake_wechat.menu_of(WANG)
    assert seen["tags"] == [tag_name(Role.UNIT.value)]  # the inspector's tag is gone, not kept beside it
    assert names(seen["button"]) == expected(Role.UNIT.value, url)


def test_an_account_without_tags_sends_its_tag_rows_without_alerting_anyone(
    hook: Webhook, fake_wechat: RunningFakeWeChat, client: WeChatClient
) -> None:
    school = seed_school(hook.runtime.db)
    bind(hook, WANG, Role.INSPECTOR, school.inspector_number)
    fake_wechat.fail("/cgi-bin/tags/get", errcode=48001)
    report = work(hook, client)
    assert report.sent == 1 and report.given_up == 0
    assert tag_rows(hook, WANG) == [(Role.INSPECTOR.value, OutboxState.SENT.value, 1)]
