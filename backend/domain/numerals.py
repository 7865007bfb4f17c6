"""Numbers as people type them: Arabic or Chinese numerals (`3`, `三`, `十二`, `两`)."""

from __future__ import annotations

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def to_int(text: str) -> int | None:
    """Arabic or Chinese numerals up to 99 (`三`, `十二`, `二十`, `两`)."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in _DIGITS and c != "十" for c in text):
        return None
    if "十" not in text:
        return _DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    value = (_DIGITS.get(tens, 0) if tens else 1) * 10 + (_DIGITS.get(ones, 0) if ones else 0)
    return value if (not tens or tens in _DIGITS) and (not ones or ones in _DIGITS) else None
