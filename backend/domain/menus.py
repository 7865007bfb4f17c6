"""The account's menus (自定义菜单) as data: one public default menu, one conditional menu per bound role.

WeChat shows a conditional menu to the users carrying its `matchrule.tag_id` (user tags, 用户标签), the default
menu to everyone else. A CLICK button sends its `key` back as an event; `CLICKS` says which word of the bot's
vocabulary each key stands for, so the router answers a click exactly as it answers the word. A VIEW button
opens a page under the deployment's public URL. Labels are keys in `messages/menus.py`.

WeChat's limits (menu/create answers 40016-40019 otherwise): at most 3 top buttons and 5 sub buttons each; a top
button's name at most 16 bytes, a sub button's 60; a key at most 128 bytes, a URL 1024; a tag's name 30 bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from backend.domain.kinds import Role
from messages import t

MAX_TOP, MAX_SUB = 3, 5
TOP_NAME_BYTES, SUB_NAME_BYTES = 16, 60
KEY_BYTES, URL_BYTES, TAG_NAME_BYTES = 128, 1024, 30


@dataclass(frozen=True)
class Button:
    label: str  # a key in messages/menus.py
    key: str = ""  # a CLICK button: the key WeChat sends back (one of CLICKS)
    path: str = ""  # a VIEW button: the page under the public URL
    children: tuple[Button, ...] = ()


@dataclass(frozen=True)
class Click:
    """What a click key stands for: the word the user could have typed, and the roles whose menu carries it."""

    word: str
    roles: frozenset[str] | None = None  # None: any role (the public menu is everyone's until they are tagged)


_INSPECTOR, _UNIT, _OFFICE = (frozenset({r.value}) for r in (Role.INSPECTOR, Role.UNIT, Role.OFFICE))

CLICKS: Mapping[str, Click] = {
    "public.how_to_report": Click("怎样反映"),
    "public.progress": Click("查询"),
    "public.help": Click("帮助"),
    "public.privacy": Click("隐私"),
    "inspector.record": Click("记录", _INSPECTOR),
    "inspector.todo": Click("待办", _INSPECTOR),
    "inspector.schools": Click("我的学校", _INSPECTOR),
    "inspector.month": Click("本月", _INSPECTOR),
    "inspector.concerns": Click("留言", _INSPECTOR),
    "inspector.help": Click("帮助", _INSPECTOR),
    "unit.items": Click("整改事项", _UNIT),
    "unit.sign": Click("签收", _UNIT),
    "unit.help": Click("帮助", _UNIT),
    "office.pending": Click("待处理", _OFFICE),
    "office.help": Click("帮助", _OFFICE),
}

PUBLIC_MENU: tuple[Button, ...] = (
    Button(
        "menu.public.report",
        children=(
            Button("menu.public.how_to_report", key="public.how_to_report"),
            Button("menu.public.results", path="/public"),
            Button("menu.public.privacy", key="public.privacy"),
        ),
    ),
    Button("menu.public.progress", key="public.progress"),
    Button("menu.public.help", key="public.help"),
)

ROLE_MENUS: Mapping[str, tuple[Button, ...]] = {
    Role.INSPECTOR.value: (
        Button("menu.inspector.record", key="inspector.record"),
        Button(
            "menu.inspector.work",
            children=(
                Button("menu.inspector.todo", key="inspector.todo"),
                Button("menu.inspector.schools", key="inspector.schools"),
                Button("menu.inspector.month", key="inspector.month"),
                Button("menu.inspector.concerns", key="inspector.concerns"),
            ),
        ),
        Button("menu.inspector.help", key="inspector.help"),
    ),
    Role.UNIT.value: (
        Button("menu.unit.items", key="unit.items"),
        Button("menu.unit.sign", key="unit.sign"),
        Button("menu.unit.help", key="unit.help"),
    ),
    Role.OFFICE.value: (
        Button("menu.office.pending", key="office.pending"),
        Button("menu.office.web", path="/office/"),
        Button("menu.office.help", key="office.help"),
    ),
}

TAGGED_ROLES: tuple[str, ...] = tuple(ROLE_MENUS)


class MenuOutOfLimits(ValueError):
    """A menu WeChat would refuse (too many buttons, a name or key too long)."""


def tag_name(role: str) -> str:
    """The user tag whose members see `role`'s menu."""
    return t(f"menu.tag.{role}")


def click(key: str, role: str) -> Click | None:
    """What a clicked key stands for, for a user of `role`; None for a key no current menu of theirs carries."""
    found = CLICKS.get(key)
    if found is None or (found.roles is not None and role not in found.roles):
        return None
    return found


def _bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def wechat_buttons(buttons: tuple[Button, ...], public_url: str) -> list[dict[str, Any]]:
    """The `button` array of menu/create and menu/addconditional; refuses what WeChat would refuse."""
    if not 1 <= len(buttons) <= MAX_TOP:
        raise MenuOutOfLimits(f"{len(buttons)} top buttons (1 to {MAX_TOP})")
    return [_button(b, public_url, top=True) for b in buttons]


def _button(button: Button, public_url: str, *, top: bool) -> dict[str, Any]:
    name = t(button.label)
    limit = TOP_NAME_BYTES if top else SUB_NAME_BYTES
    if not name or _bytes(name) > limit:
        raise MenuOutOfLimits(f"button name {name!r} is {_bytes(name)} bytes (at most {limit})")
    if button.children:
        if not top or len(button.children) > MAX_SUB:
            raise MenuOutOfLimits(f"{button.label}: sub buttons only under a top button, at most {MAX_SUB}")
        return {"name": name, "sub_button": [_button(c, public_url, top=False) for c in button.children]}
    if button.key:
        if button.key not in CLICKS or _bytes(button.key) > KEY_BYTES:
            raise MenuOutOfLimits(f"button key {button.key!r} is unknown or too long")
        return {"type": "click", "name": name, "key": button.key}
    url = public_url.rstrip("/") + button.path
    if not button.path or _bytes(url) > URL_BYTES:
        raise MenuOutOfLimits(f"button {button.label}: a link of 1 to {URL_BYTES} bytes is needed")
    return {"type": "view", "name": name, "url": url}


@dataclass(frozen=True)
class MenuSet:
    """Everything pushed: the default menu and, per tagged role, its tag's name and its menu."""

    default: list[dict[str, Any]]
    by_role: dict[str, tuple[str, list[dict[str, Any]]]]

    @property
    def digest(self) -> str:
        """Changes whenever anything pushed would change (labels, links, tags): the menus' stored version."""
        blob = json.dumps([self.default, self.by_role], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def menu_set(public_url: str) -> MenuSet:
    """The menus for a deployment at `public_url`, checked against WeChat's limits."""
    by_role = {}
    for role, buttons in ROLE_MENUS.items():
        name = tag_name(role)
        if not name or _bytes(name) > TAG_NAME_BYTES:
            raise MenuOutOfLimits(f"tag name {name!r} is {_bytes(name)} bytes (at most {TAG_NAME_BYTES})")
        by_role[role] = (name, wechat_buttons(buttons, public_url))
    return MenuSet(wechat_buttons(PUBLIC_MENU, public_url), by_role)
