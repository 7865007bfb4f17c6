"""Words as typed, and the copy that is understood.

What people type is kept as they typed it (full-width `，；：！？（）`, full-width digits, traditional characters,
emoji). Only a copy is folded to be understood: each character by its NFKC form (full-width letters, digits and
punctuation as ASCII) and, with `simplify`, by its simplified form, but only where that is one character, so the
copy is exactly as long as the text. A match on the copy therefore marks the typed words too: `Typed` keeps the
pair and cuts both at once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from opencc import OpenCC

_T2S = OpenCC("t2s")


@lru_cache(maxsize=8192)
def _fold_char(ch: str, simplify: bool) -> str:
    folded = unicodedata.normalize("NFKC", ch)
    if len(folded) != 1:
        return ch  # `…` -> `...`, `①` -> `1`: left as typed, to keep the copy as long as the text
    if simplify:
        simple = str(_T2S.convert(folded))
        return simple if len(simple) == 1 else folded
    return folded


def fold(text: str, *, simplify: bool = False) -> str:
    """The copy to understand, as long as `text` (see the module)."""
    return "".join(_fold_char(ch, simplify) for ch in text)


@dataclass(frozen=True)
class Typed:
    """A text as typed and its folded copy, of one length; cut on what the copy says, both are cut alike."""

    typed: str
    folded: str

    @classmethod
    def of(cls, text: str, *, simplify: bool = True) -> Typed:
        return cls(text, fold(text, simplify=simplify))

    def __bool__(self) -> bool:
        return bool(self.typed)

    def cut(self, start: int, end: int) -> Typed:
        return Typed(self.typed[:start] + self.typed[end:], self.folded[:start] + self.folded[end:])

    def part(self, start: int, end: int) -> Typed:
        return Typed(self.typed[start:end], self.folded[start:end])

    def without(self, said: str) -> Typed:
        """Every `said` (words in their folded form, spaces ignored as the readers ignore them) taken out."""
        said = "".join(said.split())
        out = self
        while said:
            kept = [i for i, ch in enumerate(out.folded) if not ch.isspace()]
            found = "".join(out.folded[i] for i in kept).find(said)
            if found < 0:
                break
            out = out.cut(kept[found], kept[found + len(said) - 1] + 1)
        return out

    def without_lead(self, pattern: re.Pattern[str]) -> Typed:
        """What `pattern`, matched at the start of the copy, says taken out."""
        found = pattern.match(self.folded)
        return self.cut(0, found.end()) if found else self

    def strip(self, chars: str | None = None) -> Typed:
        kept = self.folded.lstrip(chars)
        start = len(self.folded) - len(kept)
        end = start + len(kept.rstrip(chars))
        return self.part(start, end)

    def split(self, pattern: re.Pattern[str]) -> list[Typed]:
        """The pieces between what `pattern` finds in the copy, trimmed, empty ones left out."""
        pieces, start = [], 0
        for found in pattern.finditer(self.folded):
            if found.end() == found.start() and found.start() == start:
                continue  # a lookahead split at the very start of a piece
            pieces.append(self.part(start, found.start()))
            start = found.end()
        pieces.append(self.part(start, len(self.folded)))
        return [kept for kept in (p.strip() for p in pieces) if kept]
