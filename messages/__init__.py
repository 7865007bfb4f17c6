"""Every word a person reads, as data: one catalog, Chinese first.

`t("key", **fields)` formats a message; keys are grouped by the part of the system that speaks them.
Pure: imports nothing from the project.
"""

from __future__ import annotations

from messages import (
    boards,
    bot,
    calendar,
    common,
    concerns,
    importing,
    office,
    public_page,
    rectifications,
    sim,
    sweep,
    templates,
    visits,
    web,
)

CATALOG: dict[str, str] = {}
for _part in (
    boards,
    bot,
    calendar,
    common,
    concerns,
    importing,
    office,
    public_page,
    rectifications,
    sim,
    sweep,
    templates,
    visits,
    web,
):
    for _key, _text in _part.MESSAGES.items():
        if _key in CATALOG:
            raise RuntimeError(f"message key defined twice: {_key}")
        CATALOG[_key] = _text


def t(key: str, /, **fields: object) -> str:
    """The message `key` with its fields filled in."""
    return CATALOG[key].format(**fields)
