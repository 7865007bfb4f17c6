"""Checklists (督导评估表) as data: a row of the office's sheet read into an item, an item written back as cells, and
an answer judged (passed or not, and its score). Pure: the cells come in as trimmed text.

The sheet's columns: 分类 (optional: section rows `一、办园条件` do the same), 序号, 检查内容, 类型, 分值,
不合格须整改, 需拍照, and optionally 选项. 类型 is one of
- 是否: 是 means the requirement is met (the item is worded that way) and earns the 分值; 否 fails with 0;
- 评分: a score from 0 to the 分值 (`评分` alone, or `评分0-10` with the maximum in it); below 60% fails;
- 选项: the options in the 选项 column or after the type (`选项：符合/基本符合/不符合×`); an option marked `×`
  (or `（不合格）`) fails, and if none is marked the last one does; `优=10` gives an option its own score, else a
  passing option earns the 分值 and a failing one 0;
- 数字: a number, with an optional range that passes (`数字：≥1`, `数字：1-30`, `数字≤45`): outside it fails;
- 文字: a remark, neither passed nor failed, no score.
The vocabulary below is parser vocabulary, not replies (those live in `messages/tasks.py`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from backend.domain.kinds import AnswerType

MAX_ITEMS = 300
MAX_TEXT = 2000
MAX_SECTION = 200
MAX_NUMBER = 16
MAX_SCORE = 1000.0
SCORE_PASS_RATIO = 0.6  # a 评分 item below 60% of its 分值 fails (及格线)

# the columns as the office's sheet names them: canonical name -> accepted headers (compared without spaces)
COLUMNS: dict[str, tuple[str, ...]] = {
    "section": ("分类", "类别", "项目", "一级指标", "评估项目", "检查项目"),
    "number": ("序号", "编号"),
    "text": ("检查内容", "检查要点", "评估内容", "内容", "检查事项", "二级指标"),
    "type": ("类型", "答题类型", "评价方式", "题型"),
    "score": ("分值", "分数", "满分", "标准分"),
    "rectify": ("不合格须整改", "不合格需整改", "须整改", "需整改", "整改"),
    "photo": ("需拍照", "须拍照", "拍照", "需要拍照"),
    "options": ("选项",),
}
REQUIRED = ("text", "type", "score")
HEADERS = ("分类", "序号", "检查内容", "类型", "分值", "不合格须整改", "需拍照")  # as we write them

TYPE_WORDS: dict[str, AnswerType] = {
    "是否": AnswerType.YES_NO,
    "是/否": AnswerType.YES_NO,
    "判断": AnswerType.YES_NO,
    "评分": AnswerType.SCORE,
    "打分": AnswerType.SCORE,
    "分数": AnswerType.SCORE,
    "选项": AnswerType.CHOICE,
    "选择": AnswerType.CHOICE,
    "单选": AnswerType.CHOICE,
    "数字": AnswerType.NUMBER,
    "数值": AnswerType.NUMBER,
    "数量": AnswerType.NUMBER,
    "文字": AnswerType.TEXT,
    "文本": AnswerType.TEXT,
    "填写": AnswerType.TEXT,
    "备注": AnswerType.TEXT,
}
TYPE_NAMES = {
    AnswerType.YES_NO: "是否",
    AnswerType.SCORE: "评分",
    AnswerType.CHOICE: "选项",
    AnswerType.NUMBER: "数字",
    AnswerType.TEXT: "文字",
}
YES = frozenset({"是", "y", "yes", "1", "√", "✓", "✔", "对", "需要", "需", "须", "要", "有", "true", "符合", "合格"})
NO = frozenset({"否", "n", "no", "0", "×", "✗", "✘", "x", "不", "不需要", "无", "false", "不符合", "不合格", ""})
FAIL_MARKS = ("×", "✗", "✘", "(不合格)", "（不合格）", "*")
_SECTION_HEAD = re.compile(r"^[一二三四五六七八九十百]+\s*[、.．,，]?\s*")
_TOTALS = frozenset({"合计", "总分", "总计", "小计"})
_OPTION_SEP = re.compile(r"[/／|｜、；;]")
_RANGE = re.compile(r"^(?P<lo>-?\d+(?:\.\d+)?)\s*[-~～至到]\s*(?P<hi>-?\d+(?:\.\d+)?)$")
_BOUND = re.compile(r"^(?P<op>>=|<=|≥|≤|>|<|不少于|不低于|至少|不超过|不多于|不高于|至多)\s*(?P<n>-?\d+(?:\.\d+)?)")
_SCORE_IN_TYPE = re.compile(r"^(?:0\s*[-~～至到]\s*)?(?P<n>\d+(?:\.\d+)?)分?$")


class RowProblem(Exception):
    """A row that cannot be an item: `key` under `checklist.reason.` in messages, with its fields."""

    def __init__(self, key: str, **fields: object) -> None:
        super().__init__(key)
        self.key, self.fields = key, fields


@dataclass(frozen=True)
class Option:
    label: str
    passed: bool
    score: float | None = None  # its own score (`优=10`), else the item's 分值 when passing, 0 when failing

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"label": self.label, "passed": self.passed}
        if self.score is not None:
            data["score"] = self.score
        return data


@dataclass(frozen=True)
class ItemSpec:
    """An item as read from a row (the model `ChecklistItem` has the same fields)."""

    text: str
    answer_type: AnswerType
    score: float = 0.0
    number: str = ""
    section: str = ""
    rectify_on_fail: bool = False
    photo_required: bool = False
    options: tuple[Option, ...] = ()
    min_value: float | None = None
    max_value: float | None = None

    def options_data(self) -> list[dict[str, Any]]:
        return [o.as_dict() for o in self.options]


@dataclass
class Parsed:
    """A sheet read: its items, and the sections in order."""

    items: list[ItemSpec] = field(default_factory=list)

    @property
    def sections(self) -> list[str]:
        return list(dict.fromkeys(i.section for i in self.items if i.section))

    @property
    def total(self) -> float:
        return sum(i.score for i in self.items)


def fold(text: str) -> str:
    """Full-width as ASCII (NFKC), no spaces, lower case: how a header or a word is compared."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def header_map(cells: Sequence[str]) -> dict[str, int] | None:
    """The column of each known header in a row, or None if the row is no header (it lacks 检查内容)."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = re.sub(r"\*|\(.*?\)", "", fold(cell))  # `检查内容*`, `分值（满分）`
        for name, words in COLUMNS.items():
            if name not in found and key in {fold(w) for w in words}:
                found[name] = index
                break
    return found if "text" in found else None


def missing_headers(found: Mapping[str, int]) -> list[str]:
    return [COLUMNS[name][0] for name in REQUIRED if name not in found]


def section_of_row(cells: Mapping[str, str]) -> str | None:
    """The section a row opens (`一、办园条件`, or 序号 `一` with 检查内容 `办园条件`), if it is a section row."""
    if cells.get("type") or cells.get("score"):
        return None
    number, text = cells.get("number", ""), cells.get("text", "")
    if number and not text:
        return number
    if text and not number and _SECTION_HEAD.match(text):
        return text
    if number and _SECTION_HEAD.fullmatch(number):
        sep = "" if number.rstrip()[-1:] in "、.．,，" else "、"
        return f"{number.strip()}{sep}{text}"
    return None


def is_total_row(cells: Mapping[str, str]) -> bool:
    return fold(cells.get("text", "")) in _TOTALS or fold(cells.get("number", "")) in _TOTALS


def parse_flag(value: str, column: str) -> bool:
    key = fold(value)
    if key in YES:
        return True
    if key in NO:
        return False
    raise RowProblem("flag", column=column, value=value)


def parse_number(text: str) -> float:
    text = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    value = float(text)  # ValueError for what is not a number
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _split_type(value: str) -> tuple[AnswerType, str]:
    """The answer type and what follows it (`选项：符合/不符合` → CHOICE, `符合/不符合`)."""
    text = value.strip()  # the options stay as typed (full-width, traditional)
    for word in sorted(TYPE_WORDS, key=len, reverse=True):
        if text.startswith(word):
            rest = text[len(word) :].strip().removeprefix("题").lstrip(":：").strip()
            if rest[:1] in "(（" and rest[-1:] in ")）":
                rest = rest[1:-1].strip()
            return TYPE_WORDS[word], rest
    raise RowProblem("type", value=value)


def parse_options(text: str) -> tuple[Option, ...]:
    labels = [part.strip() for part in _OPTION_SEP.split(text) if part.strip()]
    options: list[Option] = []
    for label in labels:
        score: float | None = None
        if "=" in label or "＝" in label:
            label, _, score_text = label.replace("＝", "=").rpartition("=")
            try:
                score = parse_number(score_text)
            except ValueError:
                raise RowProblem("options") from None
            label = label.strip()
        failed = label.endswith(FAIL_MARKS)
        for mark in FAIL_MARKS:
            label = label.removesuffix(mark).strip()
        if not label:
            raise RowProblem("options")
        options.append(Option(label, not failed, score))
    if len(options) < 2:
        raise RowProblem("options")
    if all(o.passed for o in options):
        last = options[-1]
        options[-1] = Option(last.label, False, last.score)
    return tuple(options)


def parse_range(text: str) -> tuple[float | None, float | None]:
    text = unicodedata.normalize("NFKC", text).replace(" ", "")
    if not text:
        return None, None
    if match := _RANGE.match(text):
        lo, hi = float(match["lo"]), float(match["hi"])
        return (lo, hi) if lo <= hi else (hi, lo)
    if match := _BOUND.match(text):
        n = float(match["n"])
        op = match["op"]
        if op in (">=", "≥", "不少于", "不低于", "至少"):
            return n, None
        if op == ">":
            return math.nextafter(n, math.inf), None
        if op == "<":
            return None, math.nextafter(n, -math.inf)
        return None, n
    raise RowProblem("range", value=text)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control(text: str) -> bool:
    """NUL and the other control characters no typed text holds (PostgreSQL refuses NUL in text)."""
    return _CONTROL.search(text) is not None


def parse_item(cells: Mapping[str, str], section: str = "") -> ItemSpec:
    """An item from a row's cells (canonical column names, trimmed text); raises `RowProblem`."""
    if any(has_control(v) for v in (*cells.values(), section)):
        raise RowProblem("control")
    text = cells.get("text", "")
    if not text:
        raise RowProblem("no_text")
    if len(text) > MAX_TEXT:
        raise RowProblem("text_long", limit=MAX_TEXT)
    number = cells.get("number", "")
    if len(number) > MAX_NUMBER:
        raise RowProblem("number_long")
    if len(section) > MAX_SECTION:
        raise RowProblem("section_long")
    answer_type, rest = _split_type(cells.get("type", "") or "")
    score_text = cells.get("score", "")
    score = 0.0
    if score_text:
        try:
            score = parse_number(score_text.removesuffix("分"))
        except ValueError:
            raise RowProblem("score", value=score_text) from None
        if not 0 <= score <= MAX_SCORE:
            raise RowProblem("score_range", value=score_text)
    options: tuple[Option, ...] = ()
    low = high = None
    if answer_type is AnswerType.SCORE:
        if rest and (match := _SCORE_IN_TYPE.match(rest)) and not score_text:
            score = float(match["n"])
        if score <= 0:
            raise RowProblem("score_needed")
    elif answer_type is AnswerType.CHOICE:
        options = parse_options(cells.get("options", "") or rest)
    elif answer_type is AnswerType.NUMBER:
        low, high = parse_range(rest or cells.get("options", ""))
    return ItemSpec(
        text=text,
        answer_type=answer_type,
        score=score,
        number=number,
        section=section,
        rectify_on_fail=parse_flag(cells.get("rectify", ""), "不合格须整改"),
        photo_required=parse_flag(cells.get("photo", ""), "需拍照"),
        options=options,
        min_value=low,
        max_value=high,
    )


# ---- writing back ------------------------------------------------------------------------------------------


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def type_cell(
    answer_type: str, options: Sequence[Mapping[str, Any]], min_value: float | None, max_value: float | None
) -> str:
    """The 类型 cell that reads back as the same item."""
    kind = AnswerType(answer_type)
    name = TYPE_NAMES[kind]
    if kind is AnswerType.CHOICE:
        parts = []
        for option in options:
            label = str(option["label"]) + ("" if option.get("passed") else "×")
            if option.get("score") is not None:
                label += f"={_number_text(float(option['score']))}"
            parts.append(label)
        return f"{name}：{'/'.join(parts)}"
    if kind is AnswerType.NUMBER and (min_value is not None or max_value is not None):
        if min_value is not None and max_value is not None:
            return f"{name}：{_number_text(min_value)}-{_number_text(max_value)}"
        if min_value is not None:
            return f"{name}：≥{_number_text(min_value)}"
        return f"{name}：≤{_number_text(max_value or 0.0)}"
    return name


def flag_cell(value: bool) -> str:
    return "是" if value else "否"


# ---- judging an answer -------------------------------------------------------------------------------------


class ItemLike(Protocol):
    """What judging needs of an item (a `ChecklistItem` row or an `ItemSpec`)."""

    @property
    def answer_type(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def min_value(self) -> float | None: ...
    @property
    def max_value(self) -> float | None: ...


@dataclass(frozen=True)
class Judged:
    value: str  # the answer as it is stored (是/否, the number, the option's label, the text)
    passed: bool | None  # None: neither (文字, a number without a range)
    score: float | None


def option_dicts(item: Any) -> list[dict[str, Any]]:
    options = item.options
    return [o.as_dict() if isinstance(o, Option) else dict(o) for o in options]


def judge(item: ItemLike, value: str) -> Judged:
    """The answer `value` to `item` judged; raises `ValueError` when it is no answer to it (a 评分 of 12 out of 10,
    `也许` to a 是否, an option not in the list). A choice may be given by its label or its number (1, 2, ...)."""
    kind = AnswerType(item.answer_type)
    text = unicodedata.normalize("NFKC", value).strip()
    full = float(item.score or 0.0)
    if kind is AnswerType.YES_NO:
        key = fold(text)
        if key in YES:
            return Judged("是", True, full)
        if key in NO and key:
            return Judged("否", False, 0.0)
        raise ValueError(value)
    if kind is AnswerType.SCORE:
        number = parse_number(text.removesuffix("分"))
        if not 0 <= number <= full:
            raise ValueError(value)
        return Judged(_number_text(number), number >= full * SCORE_PASS_RATIO, number)
    if kind is AnswerType.CHOICE:
        options = option_dicts(item)
        chosen = next((o for o in options if fold(str(o["label"])) == fold(text)), None)
        if chosen is None and text.isdigit() and 1 <= int(text) <= len(options):
            chosen = options[int(text) - 1]
        if chosen is None:
            raise ValueError(value)
        passed = bool(chosen.get("passed"))
        own = chosen.get("score")
        return Judged(str(chosen["label"]), passed, float(own) if own is not None else (full if passed else 0.0))
    if kind is AnswerType.NUMBER:
        number = parse_number(text)
        low, high = item.min_value, item.max_value
        if low is None and high is None:
            return Judged(_number_text(number), None, None)
        passed = (low is None or number >= low) and (high is None or number <= high)
        return Judged(_number_text(number), passed, full if passed else 0.0)
    if not text:
        raise ValueError(value)
    return Judged(value.strip(), None, None)
