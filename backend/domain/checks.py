"""A checklist answered: what an answer is (as typed in chat or picked in the form), what it scores, whether it fails.

Chat and the in-WeChat form hand the same words to `read_answer` (the form's radio buttons carry the numbers the chat
shows), so both give the same record. Rules, per answer type (`backend.domain.kinds.AnswerType`):
- 是否: `1`/是/有/符合/合格 passes and scores the item's 分值; `2`/否/没有/不符合/不合格 fails and scores 0.
- 评分: a number from 0 to the 分值 (halves allowed); it fails below `PASS_RATIO` of the 分值.
- 选项: the option's number or its label; an option marks whether it passes (`passed`), and may carry a `score`
  (else the 分值 when it passes, 0 when not).
- 数字: any number; it passes inside the item's range (`min_value`..`max_value`, either side open) and then
  scores the 分值; without a range it is noted, neither passing nor failing.
- 文字: any text; neither passes nor fails, and counts for no score.
A skipped item counts for neither the total nor the maximum; the maximum is the sum of the 分值 of the items
answered with a score.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from backend.domain import checklists
from backend.domain.dates import to_int
from backend.domain.errors import DomainError
from backend.domain.kinds import AnswerType

PASS_RATIO = checklists.SCORE_PASS_RATIO  # a score below 60 % of the item's 分值 fails it (及格线)
RECTIFY_WITHIN_WORKING_DAYS = 10  # a failed item's draft notice: ten working days to fix it, unless changed
YES_WORDS = ("是", "有", "符合", "合格", "达标", "已落实", "对", "好", "y", "yes")
NO_WORDS = ("否", "没有", "无", "不符合", "不合格", "不达标", "未落实", "不是", "n", "no")
MAX_VALUE_LENGTH = 2000
_NUMBER = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:分|个|人|次|项|天|%|％)?(?:[\s,，、:：;；。]+(?P<rest>.*))?$", re.S)
_LEADING = re.compile(r"^\s*(?P<word>[^\s,，、:：;；。]+)(?:[\s,，、:：;；。]+(?P<rest>.*))?$", re.S)


class AnswerRefused(DomainError, ValueError):
    """An answer that does not fit its item: the key says what is expected, in Chinese."""


@dataclass(frozen=True)
class Item:
    """What the rules need of a checklist item."""

    answer_type: str
    score: float = 0.0
    options: Sequence[Mapping[str, Any]] = field(default_factory=tuple)
    min_value: float | None = None
    max_value: float | None = None


@dataclass(frozen=True)
class Answer:
    """An answer as stored: the value (the yes/no word, the score, the option's label, the number, the text), the
    remark typed after it, whether it passed (None: 文字) and what it scores (None: counts for no score)."""

    value: str
    passed: bool | None
    score: float | None
    remark: str = ""


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def option_labels(item: Item) -> list[str]:
    return [str(o.get("label", "")) for o in item.options]


def _number(text: str) -> tuple[float, str] | None:
    found = _NUMBER.match(text)
    if found:
        return float(found.group(1)), (found.group("rest") or "").strip()
    word = _LEADING.match(text)
    if word:
        value = to_int(word.group("word").rstrip("分"))
        if value is not None:
            return float(value), (word.group("rest") or "").strip()
    return None


def _clean(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def read_answer(item: Item, said: str) -> Answer:
    """The answer `said` gives `item` (a number, a word, a label, a text, with an optional remark after it): the
    chat's numbers and words made the value the checklist's own judge takes (`checklists.judge`), which scores it."""
    text = _fold(said)[:MAX_VALUE_LENGTH]
    kind = AnswerType(item.answer_type)
    if not text:
        raise AnswerRefused(f"check.answer.expected.{kind.value}", **_expected(item))
    if kind is AnswerType.TEXT:
        value, remark = said.strip()[:MAX_VALUE_LENGTH], ""
    elif kind is AnswerType.YES_NO:
        value, remark = _yes_no(item, text)
    elif kind is AnswerType.CHOICE:
        value, remark = _choice(item, text)
    else:
        number = _number(text)
        if number is None:
            raise AnswerRefused(f"check.answer.expected.{kind.value}", **_expected(item))
        value, remark = _clean(number[0]), number[1]
    try:
        judged = checklists.judge(item, value)
    except ValueError as exc:
        raise AnswerRefused(f"check.answer.expected.{kind.value}", **_expected(item)) from exc
    return Answer(judged.value, judged.passed, judged.score, remark)


def _yes_no(item: Item, text: str) -> tuple[str, str]:
    word = _LEADING.match(text)
    head, rest = (word.group("word"), (word.group("rest") or "").strip()) if word else (text, "")
    lowered = head.lower()
    if lowered in ("1", "一") or lowered in YES_WORDS:
        return "是", rest
    if lowered in ("2", "二") or lowered in NO_WORDS:
        return "否", rest
    # 不符合 written without a pause before the remark (不符合灭火器过期): the longest word it starts with
    for words, value in ((NO_WORDS, "否"), (YES_WORDS, "是")):
        for w in sorted(words, key=len, reverse=True):
            if len(w) >= 2 and lowered.startswith(w):
                return value, (text[len(w) :] + (" " + rest if rest else "")).strip(" ，,、:：")
    raise AnswerRefused("check.answer.expected.yes_no", **_expected(item))


def _choice(item: Item, text: str) -> tuple[str, str]:
    labels = option_labels(item)
    word = _LEADING.match(text)
    if word:
        number = to_int(word.group("word").rstrip("号."))
        if number is not None and 1 <= number <= len(labels):
            return labels[number - 1], (word.group("rest") or "").strip()
    for label in sorted(labels, key=len, reverse=True):
        if label and text.startswith(_fold(label)):
            return label, text[len(_fold(label)) :].strip(" ，,、:：")
    raise AnswerRefused("check.answer.expected.choice", **_expected(item))


def _expected(item: Item) -> dict[str, object]:
    return {
        "max": _clean(item.score),
        "options": "  ".join(f"{n} {label}" for n, label in enumerate(option_labels(item), start=1)),
    }


def counts_for_score(item: Item) -> bool:
    return AnswerType(item.answer_type) is not AnswerType.TEXT


@dataclass(frozen=True)
class Totals:
    score: float
    max_score: float
    failed: int
    answered: int
    skipped: int


def totals(answered: Iterable[tuple[Item, Answer | None]]) -> Totals:
    """The check's score out of its maximum, from the items with their answers (None: skipped)."""
    score = max_score = 0.0
    failed = done = skipped = 0
    for item, answer in answered:
        if answer is None:
            skipped += 1
            continue
        done += 1
        if answer.passed is False:
            failed += 1
        if answer.score is not None and counts_for_score(item):
            score += answer.score
            max_score += item.score
    return Totals(round(score, 2), round(max_score, 2), failed, done, skipped)
