"""A checklist answer as typed in chat or picked in the form: what it is, what it scores, whether it fails."""

from __future__ import annotations

import pytest

from backend.domain.checks import Answer, AnswerRefused, Item, read_answer, totals

YES_NO = Item("yes_no", 10)
SCORE = Item("score", 10)
CHOICE = Item(
    "choice",
    10,
    [
        {"label": "符合", "passed": True},
        {"label": "基本符合", "passed": True, "score": 6},
        {"label": "不符合", "passed": False},
    ],
)
NUMBER = Item("number", 5, min_value=0, max_value=0)


@pytest.mark.parametrize(
    ("item", "said", "expected"),
    [
        (YES_NO, "1", Answer("是", True, 10, "")),
        (YES_NO, "２　灭火器过期", Answer("否", False, 0, "灭火器过期")),
        (YES_NO, "不符合，留样不足", Answer("否", False, 0, "留样不足")),
        (YES_NO, "不合格灭火器过期", Answer("否", False, 0, "灭火器过期")),
        (YES_NO, "是", Answer("是", True, 10, "")),
        (SCORE, "8", Answer("8", True, 8, "")),
        (SCORE, "5.5分 记录不全", Answer("5.5", False, 5.5, "记录不全")),
        (SCORE, "六", Answer("6", True, 6, "")),
        (CHOICE, "2", Answer("基本符合", True, 6, "")),
        (CHOICE, "不符合 没有查验记录", Answer("不符合", False, 0, "没有查验记录")),
        (NUMBER, "0", Answer("0", True, 5, "")),
        (NUMBER, "3天", Answer("3", False, 0, "")),
        (Item("number", 0), "3", Answer("3", None, None, "")),
        (Item("text"), " 厨房整洁 ", Answer("厨房整洁", None, None)),
    ],
)
def test_an_answer_as_typed_is_read_and_scored(item: Item, said: str, expected: Answer) -> None:
    assert read_answer(item, said) == expected


@pytest.mark.parametrize(
    ("item", "said", "key"),
    [
        (YES_NO, "也许", "check.answer.expected.yes_no"),
        (SCORE, "12", "check.answer.expected.score"),
        (SCORE, "-1", "check.answer.expected.score"),
        (CHOICE, "4", "check.answer.expected.choice"),
        (NUMBER, "很多", "check.answer.expected.number"),
        (Item("text"), "  ", "check.answer.expected.text"),
    ],
)
def test_an_answer_that_does_not_fit_says_what_does(item: Item, said: str, key: str) -> None:
    with pytest.raises(AnswerRefused) as refused:
        read_answer(item, said)
    assert refused.value.key == key and "请" in refused.value.message


def test_skipped_and_text_items_count_for_neither_the_total_nor_the_maximum() -> None:
    result = totals(
        [
            (YES_NO, Answer("是", True, 10)),
            (YES_NO, Answer("否", False, 0)),
            (SCORE, None),
            (Item("text"), Answer("整洁", None, None)),
            (CHOICE, Answer("基本符合", True, 6)),
        ]
    )
    assert (result.score, result.max_score, result.failed, result.answered, result.skipped) == (16, 30, 1, 4, 1)
