"""Every word a person reads, as data: one catalog, Chinese first.

`t("key", **fields)` formats a message; keys are grouped by the part of the system that speaks them, one
module each (`messages/<part>.py` with a `MESSAGES` dict), all gathered here. Pure: imports nothing from the
project.
"""

from __future__ import annotations

import importlib
import pkgutil


def _gather() -> dict[str, str]:
    catalog: dict[str, str] = {}
    for part in sorted(info.name for info in pkgutil.iter_modules(__path__)):
        for key, text in importlib.import_module(f"{__name__}.{part}").MESSAGES.items():
            if key in catalog:
                raise RuntimeError(f"message key defined twice: {key}")
            catalog[key] = text
    return catalog


CATALOG: dict[str, str] = _gather()


def t(key: str, /, **fields: object) -> str:
    """The message `key` with its fields filled in."""
    return CATALOG[key].format(**fields)
