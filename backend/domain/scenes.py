"""The `scene_str` of our permanent QR codes (1-64 characters): what a scan means.

A school's board carries `s:<school code>`, or `s:<school code>:v<N>` for the N-th printing of its board. The
version only tells printings apart: every version resolves to the school, and so to its CURRENT inspector.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_SCENE = 64  # WeChat's limit for QR_LIMIT_STR_SCENE
_SCHOOL = re.compile(r"^s:(?P<code>[A-Za-z0-9_\-]{1,40})(?::v(?P<version>\d{1,6}))?$")


@dataclass(frozen=True)
class SchoolScene:
    code: str
    version: int | None = None


def school_scene(code: str, version: int | None = None) -> str:
    """The scene_str for a school's board."""
    scene = f"s:{code}" if version is None else f"s:{code}:v{version}"
    if parse_scene(scene) is None:
        raise ValueError(f"school code cannot be put in a QR scene: {code!r}")
    return scene


def parse_scene(scene: str) -> SchoolScene | None:
    """The school a scene points to, or None for a scene that is not a school's."""
    if len(scene) > MAX_SCENE:
        return None
    match = _SCHOOL.match(scene)
    if match is None:
        return None
    version = match.group("version")
    return SchoolScene(match.group("code"), int(version) if version else None)
