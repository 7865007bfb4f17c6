"""Finding a real CJK font: fontconfig first (`fc-list :lang=zh-cn`), then well-known paths."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

# the Simplified Chinese faces, best first; Noto CJK is what scripts/system-deps.sh installs
PREFERRED_SANS = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei", "PingFang SC")
PREFERRED_SERIF = ("Noto Serif CJK SC", "Source Han Serif SC", "Source Han Serif CN")

KNOWN_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-{style}.ttc",  # Debian, Ubuntu
    "/usr/share/fonts/noto-cjk/NotoSansCJK-{style}.ttc",  # Arch
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-{style}.ttc",  # Fedora
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-{style}.ttc",
    "/System/Library/Fonts/PingFang.ttc",  # macOS
)


class FontNotFound(RuntimeError):
    """No font that can print Chinese is installed."""


@dataclass(frozen=True)
class Face:
    path: str
    index: int = 0


@dataclass(frozen=True)
class FontSet:
    """The faces a board uses: body text, bold text, and the title."""

    regular: Face
    bold: Face
    title: Face


@lru_cache(maxsize=256)
def font(face: Face, size_px: int) -> ImageFont.FreeTypeFont:
    """The face at a pixel size (cached per process: workers render many boards with the same few sizes)."""
    return ImageFont.truetype(face.path, max(1, size_px), index=face.index)


def fc_list(pattern: str, *elements: str) -> list[str]:
    """fontconfig's lines for the fonts matching `pattern` (`file: family:style=…:index=…`, the `elements` asked
    for); none where fontconfig is missing or fails."""
    if shutil.which("fc-list") is None:
        return []
    try:
        out = subprocess.run(
            ["fc-list", pattern, *elements],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return out.splitlines()


def _fc_list() -> list[tuple[Face, str, str]]:
    """(face, family, style) of every installed font that covers Simplified Chinese."""
    found = []
    for line in fc_list(":lang=zh-cn", "file", "index", "family", "style"):
        # /path/NotoSansCJK-Bold.ttc: Noto Sans CJK SC:style=Bold:index=2
        path, _, rest = line.partition(": ")
        fields = rest.split(":")
        families = fields[0].split(",")
        attrs = dict(f.split("=", 1) for f in fields[1:] if "=" in f)
        index = int(attrs.get("index", "0") or 0)
        for family in families:
            found.append((Face(path, index), family.strip(), attrs.get("style", "").split(",")[0]))
    return found


def _pick(candidates: list[tuple[Face, str, str]], families: tuple[str, ...], bold: bool) -> Face | None:
    for family in families:
        styles = [(face, style) for face, fam, style in candidates if fam == family]
        for face, style in styles:
            if ("Bold" in style) == bold and "Mono" not in family:
                return face
        if styles:
            return styles[0][0]
    return None


def _sc_face(path: Path) -> Face:
    """The Simplified Chinese face of a collection (a .ttc holds JP, KR, SC, TC, HK)."""
    for index in range(10):
        try:
            name = ImageFont.truetype(str(path), 12, index=index).getname()[0] or ""
        except OSError:
            break
        if name.endswith(" SC"):
            return Face(str(path), index)
    return Face(str(path), 0)


def _known_path(style: str) -> Face | None:
    for pattern in KNOWN_PATHS:
        path = Path(pattern.format(style=style))
        if path.exists():
            return _sc_face(path)
    return None


@lru_cache(maxsize=1)
def find_fonts() -> FontSet:
    """The best installed CJK faces; raises `FontNotFound` when none is installed."""
    candidates = _fc_list()
    regular = _pick(candidates, PREFERRED_SANS, bold=False) or _known_path("Regular")
    if regular is None:
        any_cjk = [face for face, family, _ in candidates if "Mono" not in family]
        regular = any_cjk[0] if any_cjk else None
    if regular is None:
        raise FontNotFound(
            "no font that covers Simplified Chinese was found (tried fc-list :lang=zh-cn and "
            + ", ".join(p.format(style="Regular") for p in KNOWN_PATHS)
            + "); install fonts-noto-cjk"
        )
    bold = _pick(candidates, PREFERRED_SANS, bold=True) or _known_path("Bold") or regular
    title = _pick(candidates, PREFERRED_SERIF, bold=True) or bold
    return FontSet(regular=regular, bold=bold, title=title)
