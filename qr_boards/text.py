"""Chinese line breaking and fitting text into a box.

Breaks may fall between any two CJK characters, but not inside a Latin word or number, not before closing
punctuation (，。、）…) and not after opening punctuation (（《「…): the usual kinsoku rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PIL import ImageFont

from qr_boards.fonts import Face, font

NO_LINE_START = set("，。、；：？！）》」』】〕〉”’…—·,.;:?!)]}%")
NO_LINE_END = set("（《「『【〔〈“‘([{")
_LATIN = re.compile(r"[A-Za-z0-9@#&+\-_/.]+")


MAX_GROUP = 12  # a bracketed group this short is kept on one line when it can be: （第二校区）


def tokens(text: str, groups: bool = False) -> list[str]:
    """Unbreakable pieces: a Latin word or number, or one CJK character, with punctuation glued on; with
    `groups`, a short bracketed group is one piece."""
    pieces = _pieces(text)
    if not groups:
        return pieces
    merged: list[str] = []
    open_at: int | None = None
    for piece in pieces:
        merged.append(piece)
        if piece[0] in "（(":
            open_at = len(merged) - 1
        if open_at is not None and piece[-1] in "）)":
            group = "".join(merged[open_at:])
            if len(group) <= MAX_GROUP:
                merged[open_at:] = [group]
            open_at = None
    return merged


def _pieces(text: str) -> list[str]:
    pieces: list[str] = []
    i = 0
    while i < len(text):
        match = _LATIN.match(text, i)
        piece = match.group(0) if match else text[i]
        i += len(piece)
        if pieces and (piece[0] in NO_LINE_START or pieces[-1][-1] in NO_LINE_END):
            pieces[-1] += piece
        else:
            pieces.append(piece)
    return pieces


def wrap(text: str, face: ImageFont.FreeTypeFont, width: float, groups: bool = False) -> list[str]:
    """Greedy lines no wider than `width` (a single token wider than that gets a line of its own)."""
    lines: list[str] = []
    line = ""
    for piece in tokens(text, groups):
        candidate = line + piece
        if line and face.getlength(candidate.rstrip()) > width:
            lines.append(line.rstrip())
            line = piece.lstrip()
        else:
            line = candidate
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def balanced_wrap(text: str, face: ImageFont.FreeTypeFont, width: float, groups: bool = False) -> list[str]:
    """As few lines as `wrap`, but with the breaks moved so the lines are of even length (titles look better)."""
    lines = wrap(text, face, width, groups)
    if len(lines) < 2:
        return lines
    low, high = 1.0, width
    best = lines
    while high - low > 1:
        mid = (low + high) / 2
        trial = wrap(text, face, mid, groups)
        if len(trial) <= len(lines) and all(face.getlength(x) <= mid for x in trial):
            best, high = trial, mid
        else:
            low = mid
    return best


@dataclass(frozen=True)
class Fitted:
    """Text fitted into a box: the font size in pixels, its lines, and the line pitch."""

    size: int
    lines: tuple[str, ...]
    line_height: int

    @property
    def height(self) -> int:
        """From the top of the first line's box to the bottom of the last one's (1.2 em each)."""
        return self.line_height * (len(self.lines) - 1) + round(self.size * LINE_BOX)


SHRINK_BEFORE_WRAP = 0.8
LINE_BOX = 1.2  # a line's box, in em: the CJK em square plus 0.1 em above and below


def line_height(size: int, leading: float) -> int:
    return round(size * leading)


def fit(
    text: str,
    face: Face,
    width: float,
    height: float,
    max_size: int,
    min_size: int,
    max_lines: int = 1,
    leading: float = 1.35,
    balanced: bool = True,
) -> Fitted:
    """The largest size (at most `max_size`) at which `text` fits the box in the fewest lines.

    Tries one line from `max_size` down to 80 % of it, then two lines, and so on; the last of `max_lines` lines
    may shrink to `min_size`. If nothing fits, keeps shrinking below `min_size` with as many lines as needed,
    so the result always fits.
    """
    step = max(1, max_size // 40)
    for n_lines in range(1, max_lines + 1):
        # a little smaller on fewer lines is better than another line; much smaller is not
        floor = min_size if n_lines == max_lines else max(min_size, round(max_size * SHRINK_BEFORE_WRAP))
        for size in range(max_size, floor - 1, -step):
            fitted = _try(text, face, size, width, height, leading, balanced, n_lines)
            if fitted is not None:
                return fitted
    for size in range(min_size, 0, -1):
        fitted = _try(text, face, size, width, height, leading, balanced, None)
        if fitted is not None:
            return fitted
    return Fitted(1, (text,), 1)


def _try(
    text: str, face: Face, size: int, width: float, height: float, leading: float, balanced: bool, n_lines: int | None
) -> Fitted | None:
    """`text` at `size` if it fits the box (in at most `n_lines` lines, when given)."""
    f = font(face, size)
    pitch = line_height(size, leading)
    # cheap rejections first: too long for n lines, or n lines too tall
    if n_lines is not None and (
        f.getlength(text) > width * n_lines or pitch * (n_lines - 1) + size * LINE_BOX > height
    ):
        return None
    # bracketed groups whole if that fits, else broken like the rest
    for groups in (True, False):
        lines = wrap(text, f, width, groups)
        if n_lines is not None and len(lines) > n_lines:
            continue
        if balanced:
            lines = balanced_wrap(text, f, width, groups)
        fitted = Fitted(size, tuple(lines), pitch)
        if fitted.height <= height and all(f.getlength(line) <= width for line in lines):
            return fitted
    return None
