"""督政 rules without I/O (issue 15): an indicator system's rows checked, the grade of a total, the ranking.

A grade is read from the share of the full score a unit earned, against thresholds that are data (each indicator
system carries its own, `DEFAULT_GRADES` when it names none): 优秀 from 90%, 良好 from 80%, 合格 from 60%, else 不合格.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

EXCELLENT, GOOD, PASS, FAIL = "excellent", "good", "pass", "fail"
GRADES = (EXCELLENT, GOOD, PASS, FAIL)
# the share of the full score (percent) from which each grade holds
DEFAULT_GRADES: dict[str, float] = {EXCELLENT: 90.0, GOOD: 80.0, PASS: 60.0}
MAX_SCORE = 1000.0  # an indicator's 分值 is a few points; a typo such as 55555 is refused
MAX_TEXT = 2000  # 评分标准 and 佐证材料 are paragraphs, not books
MAX_NAME = 200


class IndicatorProblem(ValueError):
    """A row of an indicator system that cannot be kept: `key` in messages/ and its fields."""

    def __init__(self, key: str, **fields: object) -> None:
        super().__init__(key)
        self.key = key
        self.fields = fields


@dataclass(frozen=True)
class IndicatorRow:
    level1: str  # 一级指标
    level2: str  # 二级指标
    level3: str  # 三级指标 (may be empty when the system has two levels)
    max_score: float  # 分值
    rule: str  # 评分标准
    evidence: str  # 佐证材料

    @property
    def path(self) -> tuple[str, str, str]:
        return (self.level1, self.level2, self.level3)


def check_row(row: IndicatorRow) -> None:
    """Raise `IndicatorProblem` for a row an office would not mean."""
    if not row.level1 or not row.level2:
        raise IndicatorProblem("eval.problem.levels")
    if any(len(name) > MAX_NAME for name in row.path):
        raise IndicatorProblem("eval.problem.too_long")
    if len(row.rule) > MAX_TEXT or len(row.evidence) > MAX_TEXT:
        raise IndicatorProblem("eval.problem.too_long")
    if not 0 < row.max_score <= MAX_SCORE:
        raise IndicatorProblem("eval.problem.score", value=row.max_score)


def check_score(score: float, max_score: float) -> float:
    """A score given against an indicator: between 0 and its 分值, to one decimal."""
    if score != score or not 0 <= score <= max_score:  # NaN too
        raise IndicatorProblem("eval.problem.given_score", value=score, most=max_score)
    return round(score, 1)


def thresholds(stored: Mapping[str, object] | None) -> dict[str, float]:
    """The system's thresholds, the defaults for what it does not name; checked to fall 优秀 > 良好 > 合格."""
    merged = dict(DEFAULT_GRADES)
    for key in DEFAULT_GRADES:
        value = (stored or {}).get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            merged[key] = float(value)
    if not 0 <= merged[PASS] < merged[GOOD] < merged[EXCELLENT] <= 100:
        raise IndicatorProblem("eval.problem.grades")
    return merged


def grade(total: float, full: float, limits: Mapping[str, float]) -> str:
    if full <= 0:
        return FAIL
    share = total * 100.0 / full
    for name in (EXCELLENT, GOOD, PASS):
        if share + 1e-9 >= limits[name]:
            return name
    return FAIL


def ranks(totals: Sequence[float]) -> list[int]:
    """Competition ranking (1, 2, 2, 4) of the totals in the order given."""
    ordered = sorted(totals, reverse=True)
    return [ordered.index(total) + 1 for total in totals]
