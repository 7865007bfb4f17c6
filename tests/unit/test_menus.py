"""The account's menus as data: within WeChat's limits, every click a word the router routes like the typed one."""

from __future__ import annotations

import pytest

from backend.domain import menus
from backend.domain.kinds import Role
from backend.domain.menus import CLICKS, PUBLIC_MENU, ROLE_MENUS, Button, MenuOutOfLimits, menu_set, wechat_buttons
from bot.handlers import common, inspector, office, public, unit
from bot.router import Router

router = Router()
URL = "https://dudao.example.gov.cn"


def _leaves(buttons: list[dict[str, object]]) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for button in buttons:
        subs = button.get("sub_button")
        found.extend(subs if isinstance(subs, list) else [button])
    return found


def test_every_menu_keeps_within_wechats_limits() -> None:
    pushed = menu_set(URL)
    every = [pushed.default, *(buttons for _, buttons in pushed.by_role.values())]
    for buttons in every:
        assert 1 <= len(buttons) <= 3
        for top in buttons:
            assert len(str(top["name"]).encode()) <= 16
            assert len(top.get("sub_button") or []) <= 5
        for leaf in _leaves(buttons):
            assert len(str(leaf["name"]).encode()) <= 60
            assert leaf["type"] in ("click", "view")
            limit = 128 if leaf["type"] == "click" else 1024  # a key, a link
            assert 0 < len(str(leaf.get("key") or leaf.get("url")).encode()) <= limit
    assert set(pushed.by_role) == {Role.INSPECTOR.value, Role.UNIT.value, Role.OFFICE.value}
    assert all(len(tag.encode()) <= 30 for tag, _ in pushed.by_role.values())


def test_the_menus_carry_what_each_role_asked_for() -> None:
    pushed = menu_set(URL)
    names = {role: [str(b["name"]) for b in _leaves(buttons)] for role, (_, buttons) in pushed.by_role.items()}
    public_names = [str(b["name"]) for b in [*pushed.default, *_leaves(pushed.default)]]
    assert {"反映问题", "查询进度", "使用说明"} <= set(public_names)
    assert {"记录督导", "我的学校", "待办", "本月"} <= set(names["inspector"])
    assert {"整改事项", "签收", "帮助"} <= set(names["unit"])
    assert {"待处理", "帮助"} <= set(names["office"])
    links = [b["url"] for b in _leaves(pushed.default) if b["type"] == "view"]
    assert links == [f"{URL}/public"]


def test_the_version_changes_with_what_is_pushed() -> None:
    assert menu_set(URL).digest == menu_set(URL).digest
    assert menu_set(URL).digest != menu_set("https://other.example.gov.cn").digest


def test_a_menu_wechat_would_refuse_is_refused_here_first() -> None:
    with pytest.raises(MenuOutOfLimits):
        wechat_buttons((*PUBLIC_MENU, PUBLIC_MENU[1]), URL)  # four top buttons
    with pytest.raises(MenuOutOfLimits):
        wechat_buttons((Button("menu.public.how_to_report", key="public.help"),), URL)  # 18 bytes at the top
    six = tuple(Button("menu.inspector.todo", key="inspector.todo") for _ in range(6))
    with pytest.raises(MenuOutOfLimits):
        wechat_buttons((Button("menu.inspector.work", children=six),), URL)
    with pytest.raises(MenuOutOfLimits):
        wechat_buttons((Button("menu.unit.sign", key="no.such.key"),), URL)


# each key, for the role whose menu carries it, routes to the handler its word routes to
ROUTED = {
    ("public.how_to_report", "public"): public.how_to_report,
    ("public.progress", "public"): public.my_concerns,
    ("public.help", "public"): common.show_help,
    ("public.privacy", "public"): common.privacy_notice,
    ("inspector.record", "inspector"): inspector.start_dialogue,
    ("inspector.todo", "inspector"): inspector.todo,
    ("inspector.schools", "inspector"): inspector.my_schools,
    ("inspector.month", "inspector"): inspector.this_month,
    ("inspector.help", "inspector"): common.show_help,
    ("unit.items", "unit"): unit.list_open,
    ("unit.sign", "unit"): unit.sign,
    ("unit.help", "unit"): common.show_help,
    ("office.pending", "office"): office.pending,
    ("office.help", "office"): common.show_help,
}


@pytest.mark.parametrize(("key", "role"), sorted(ROUTED))
def test_a_click_routes_as_its_word(key: str, role: str) -> None:
    word = router.clicked(key, role)
    assert word is not None
    handler, _ = router.resolve("text", word, role, None)
    assert handler is ROUTED[(key, role)]


def test_every_key_on_a_menu_is_a_known_click_and_every_click_is_on_a_menu() -> None:
    on_menus = {
        leaf.key
        for buttons in (PUBLIC_MENU, *ROLE_MENUS.values())
        for top in buttons
        for leaf in (top.children or (top,))
        if leaf.key
    }
    assert on_menus == set(CLICKS)


def test_a_stale_or_foreign_key_stands_for_nothing() -> None:
    assert router.clicked("inspector.todo", "public") is None  # unbound since the menu was drawn
    assert router.clicked("unit.sign", "inspector") is None
    assert router.clicked("v0.gone", "inspector") is None
    assert router.clicked("", "public") is None
    assert menus.click("public.help", "office") is not None  # the default menu is everyone's until tagged
