"""Checklist rows read as offices type them, answers judged, samples drawn, targets dealt, the concealment rule."""

from __future__ import annotations

from datetime import date

import pytest

from backend.domain import checklists as rules
from backend.domain import tasks
from backend.domain.kinds import AnswerType, CheckProgress, CheckState, TaskKind, VisitKind


def item(**cells: str) -> rules.ItemSpec:
    return rules.parse_item({"score": "5", **cells})


@pytest.mark.parametrize(
    ("typed", "kind"),
    [("是否", AnswerType.YES_NO), ("是/否", AnswerType.YES_NO), ("评分", AnswerType.SCORE), ("数字", AnswerType.NUMBER),
     ("文字", AnswerType.TEXT), ("选项：符合/不符合", AnswerType.CHOICE), (" 是否题 ", AnswerType.YES_NO)],
)  # fmt: skip
def test_the_types_as_offices_write_them(typed: str, kind: AnswerType) -> None:
    assert item(text="校舍安全", type=typed).answer_type is kind


def test_an_unknown_type_names_the_value() -> None:
    with pytest.raises(rules.RowProblem) as problem:
        item(text="校舍安全", type="问答")
    assert problem.value.key == "type" and problem.value.fields == {"value": "问答"}


def test_options_keep_their_typed_labels_and_mark_the_failing_ones() -> None:
    spec = item(text="加工操作規範", type="选项：符合／基本符合=3／不符合×")
    assert [(o.label, o.passed, o.score) for o in spec.options] == [
        ("符合", True, None),
        ("基本符合", True, 3.0),
        ("不符合", False, None),
    ]
    assert spec.text == "加工操作規範"  # traditional characters kept as typed
    unmarked = item(text="x", type="选项", options="好、中、差")
    assert [o.passed for o in unmarked.options] == [True, True, False]  # none marked: the last fails
    with pytest.raises(rules.RowProblem):
        item(text="x", type="选项：只有一个")


@pytest.mark.parametrize(
    ("typed", "low", "high"),
    [("数字：≥125", 125.0, None), ("数字:≤35", None, 35.0), ("数字（1-30）", 1.0, 30.0), ("数字：不少于48", 48.0, None),
     ("数字", None, None), ("数字：30~1", 1.0, 30.0), ("数字：＞０", 0.0, None)],
)  # fmt: skip
def test_number_ranges(typed: str, low: float | None, high: float | None) -> None:
    spec = item(text="留样量", type=typed)
    if low == 0.0 and typed.endswith("０"):
        assert spec.min_value is not None and spec.min_value > 0 and spec.max_value is None
        return
    assert (spec.min_value, spec.max_value) == (low, high)


def test_score_items_need_a_maximum_which_the_type_may_carry() -> None:
    assert item(text="x", type="评分").score == 5.0
    assert rules.parse_item({"text": "x", "type": "评分0-10", "score": ""}).score == 10.0
    with pytest.raises(rules.RowProblem) as problem:
        rules.parse_item({"text": "x", "type": "评分", "score": "0"})
    assert problem.value.key == "score_needed"


@pytest.mark.parametrize(("score", "key"), [("五分", "score"), ("-1", "score_range"), ("1e9", "score_range")])
def test_bad_scores(score: str, key: str) -> None:
    with pytest.raises(rules.RowProblem) as problem:
        rules.parse_item({"text": "x", "type": "是否", "score": score})
    assert problem.value.key == key


def test_scores_in_full_width_and_with_a_unit() -> None:
    assert item(text="x", type="是否", score="５分").score == 5.0


@pytest.mark.parametrize(("typed", "flag"), [("是", True), ("√", True), ("Y", True), ("需要", True), ("", False),
                                             ("否", False), ("×", False), ("不需要", False)])  # fmt: skip
def test_flags(typed: str, flag: bool) -> None:
    assert item(text="x", type="是否", rectify=typed).rectify_on_fail is flag


def test_a_flag_that_is_neither_names_its_column() -> None:
    with pytest.raises(rules.RowProblem) as problem:
        item(text="x", type="是否", photo="看情况")
    assert problem.value.fields == {"column": "需拍照", "value": "看情况"}


def test_an_empty_text_and_a_long_one() -> None:
    with pytest.raises(rules.RowProblem) as problem:
        item(text="", type="是否")
    assert problem.value.key == "no_text"
    with pytest.raises(rules.RowProblem) as problem:
        item(text="长" * (rules.MAX_TEXT + 1), type="是否")
    assert problem.value.key == "text_long"


@pytest.mark.parametrize(
    ("cells", "section"),
    [({"number": "一、办园条件"}, "一、办园条件"), ({"number": "一", "text": "办园条件"}, "一、办园条件"),
     ({"text": "二、安全卫生"}, "二、安全卫生"), ({"number": "1", "text": "校舍", "type": "是否"}, None),
     ({"number": "三.", "text": "保育教育"}, "三.保育教育")],
)  # fmt: skip
def test_section_rows(cells: dict[str, str], section: str | None) -> None:
    assert rules.section_of_row(cells) == section


def test_headers_with_marks_and_aliases() -> None:
    found = rules.header_map(["序号", "检查内容*", "类型（是否/评分）", "分值", "须整改", "拍照", "备注"])
    assert found == {"number": 0, "text": 1, "type": 2, "score": 3, "rectify": 4, "photo": 5}
    assert rules.header_map(["开学工作专项督导检查表"]) is None
    assert rules.missing_headers({"text": 0}) == ["类型", "分值"]


def test_the_type_cell_reads_back_as_the_same_item() -> None:
    for typed in ("选项：符合/基本符合=3/不符合×", "数字：≥125", "数字：1-30", "数字：≤35", "是否", "评分", "文字"):
        spec = item(text="x", type=typed)
        cell = rules.type_cell(spec.answer_type, spec.options_data(), spec.min_value, spec.max_value)
        again = item(text="x", type=cell)
        assert again == spec, typed


# ---- judging ----


def test_yes_no_answers() -> None:
    spec = item(text="x", type="是否", score="4")
    assert rules.judge(spec, "是") == rules.Judged("是", True, 4.0)
    assert rules.judge(spec, "不符合") == rules.Judged("否", False, 0.0)
    assert rules.judge(spec, "√").passed is True
    with pytest.raises(ValueError):
        rules.judge(spec, "也许")
    with pytest.raises(ValueError):
        rules.judge(spec, "")


def test_score_answers_pass_from_sixty_percent() -> None:
    spec = item(text="x", type="评分", score="10")
    assert rules.judge(spec, "6") == rules.Judged("6", True, 6.0)
    assert rules.judge(spec, "5.5分").passed is False
    assert rules.judge(spec, "１０").score == 10.0
    for bad in ("11", "-1", "很好"):
        with pytest.raises(ValueError):
            rules.judge(spec, bad)


def test_choice_answers_by_label_or_number() -> None:
    spec = item(text="x", type="选项：符合/基本符合=3/不符合×", score="5")
    assert rules.judge(spec, "符合") == rules.Judged("符合", True, 5.0)
    assert rules.judge(spec, "2") == rules.Judged("基本符合", True, 3.0)
    assert rules.judge(spec, "3") == rules.Judged("不符合", False, 0.0)
    with pytest.raises(ValueError):
        rules.judge(spec, "4")


def test_number_answers_inside_and_outside_the_range() -> None:
    spec = item(text="留样量（克）", type="数字：≥125", score="4")
    assert rules.judge(spec, "150") == rules.Judged("150", True, 4.0)
    assert rules.judge(spec, "100").passed is False
    assert rules.judge(item(text="人数", type="数字"), "12") == rules.Judged("12", None, None)


def test_text_answers_are_kept_as_typed() -> None:
    assert rules.judge(item(text="其他", type="文字"), " 食堂後門未上鎖 ") == rules.Judged("食堂後門未上鎖", None, None)


# ---- tasks ----


def test_the_same_seed_draws_the_same_sample_whatever_the_pool_order() -> None:
    pool = [f"36070100{n:02d}" for n in range(40)]
    first = tasks.draw_sample(pool, 8, "42")
    assert len(set(first)) == 8 and set(first) <= set(pool)
    assert tasks.draw_sample(list(reversed(pool)), 8, "42") == first
    assert tasks.draw_sample(pool, 8, "43") != first
    assert tasks.draw_sample(pool, 80, "42") == sorted(pool)


def test_targets_go_to_their_own_inspector_else_round_the_team() -> None:
    chosen = tasks.assign_targets([1, 2, 3, 4, 5], [10, 20], {1: 10, 2: 99, 3: None, 4: 10})
    assert chosen[1] == 10 and chosen[4] == 10
    # 2, 3 and 5 go to the least loaded: 20, 20, then 10 and 20 tie at 2 → 10 (team order)
    assert [chosen[2], chosen[3], chosen[5]] == [20, 20, 10]
    with pytest.raises(ValueError):
        tasks.assign_targets([1], [], {})


@pytest.mark.parametrize("kind", list(TaskKind))
def test_only_random_and_unannounced_targets_are_hidden_and_only_until_done(kind: TaskKind) -> None:
    concealed = kind in (TaskKind.RANDOM, TaskKind.UNANNOUNCED)
    assert tasks.task_hidden_from_unit(kind, CheckState.NOT_STARTED) is concealed
    assert tasks.task_hidden_from_unit(kind, CheckState.IN_PROGRESS) is concealed
    assert tasks.task_hidden_from_unit(kind, CheckState.DONE) is False


def test_progress_is_overdue_after_the_window_only_when_not_done() -> None:
    ends = date(2026, 9, 15)
    assert tasks.progress("not_started", ends, date(2026, 9, 15)) is CheckProgress.NOT_STARTED
    assert tasks.progress("in_progress", ends, date(2026, 9, 16)) is CheckProgress.OVERDUE
    assert tasks.progress("done", ends, date(2026, 12, 31)) is CheckProgress.DONE


def test_a_finished_check_is_a_visit_of_the_tasks_kind() -> None:
    assert tasks.visit_kind("unannounced") is VisitKind.UNANNOUNCED
    assert tasks.visit_kind("principal_term") is VisitKind.COMPREHENSIVE
    assert tasks.visit_kind("follow_up") is VisitKind.FOLLOW_UP


def test_townships_only_for_comprehensive_tasks() -> None:
    assert tasks.unit_allowed("comprehensive", "township")
    assert not tasks.unit_allowed("special", "department")
    assert tasks.unit_allowed("unannounced", "kindergarten")
    assert not tasks.unit_allowed("special", "nonsense")
