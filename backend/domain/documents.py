"""Formal documents (公文): their kinds, their numbers and their dates, without I/O.

A numbered paper reads `<prefix>〔<year>〕<n>号` (某督整〔2026〕12号): numbered per authority, kind and year, the
year being the Asia/Shanghai year of the moment it is issued (New Year's Eve 16:00 UTC is already the next year in
China). The prefix is the office's own (`Authority.document_prefixes`, set on the settings page); a kind without
one takes `DEFAULT_PREFIXES`. Dates are written as offices write them: `2026年12月1日` (GB/T 9704-2012, Arabic
numerals) or `二〇二六年十二月一日` (the older style many offices keep).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class DocumentKind(StrEnum):
    RECTIFICATION_NOTICE = "rectification_notice"  # 整改通知书
    SUPERVISION_NOTICE = "supervision_notice"  # 督办通知书
    FEEDBACK = "feedback"  # 督导反馈意见书
    TALK = "talk"  # 约谈记录
    CIRCULAR = "circular"  # 督导通报
    ACCOUNTABILITY = "accountability"  # 问责决定(建议)书


KINDS = tuple(k.value for k in DocumentKind)

# the prefix of a kind the office has not set: 督整〔2026〕1号
DEFAULT_PREFIXES: dict[str, str] = {
    DocumentKind.RECTIFICATION_NOTICE: "督整",
    DocumentKind.SUPERVISION_NOTICE: "督办",
    DocumentKind.FEEDBACK: "督反馈",
    DocumentKind.TALK: "督约谈",
    DocumentKind.CIRCULAR: "督通",
    DocumentKind.ACCOUNTABILITY: "督问责",
}

# the escalation rung whose confirmation issues a kind (backend.domain.kinds.EscalationLevel values)
KIND_OF_LEVEL: dict[str, DocumentKind] = {
    "supervision_notice": DocumentKind.SUPERVISION_NOTICE,
    "talk": DocumentKind.TALK,
    "circular": DocumentKind.CIRCULAR,
    "accountability": DocumentKind.ACCOUNTABILITY,
}

DATE_STYLES = ("arabic", "chinese")
_DIGITS = "〇一二三四五六七八九"


def prefix_of(prefixes: dict[str, object] | None, kind: str) -> str:
    """The office's prefix for a kind, or the default one."""
    chosen = str((prefixes or {}).get(kind) or "").strip()
    return chosen or DEFAULT_PREFIXES[DocumentKind(kind)]


def document_number(prefix: str, year: int, n: int) -> str:
    """某督整〔2026〕12号."""
    return f"{prefix}〔{year}〕{n}号"


def chinese_small_number(n: int) -> str:
    """1..99 as written in a date or a heading: 一, 十, 十二, 二十, 三十一."""
    if not 0 < n < 100:
        raise ValueError(f"not a small number: {n}")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + ("" if ones == 0 else _DIGITS[ones])


def paper_date(day: date, style: str = "arabic") -> str:
    """2026年12月1日 (arabic) or 二〇二六年十二月一日 (chinese)."""
    if style == "chinese":
        year = "".join(_DIGITS[int(d)] for d in str(day.year))
        return f"{year}年{chinese_small_number(day.month)}月{chinese_small_number(day.day)}日"
    return f"{day.year}年{day.month}月{day.day}日"


def heading_number(n: int) -> str:
    """The n-th first-level heading's number: 一、 二、 … (GB/T 9704: 一、（一）1.（1）)."""
    return chinese_small_number(n) + "、"
