"""Supervision tasks' rules without I/O: a check's progress, who may see a target, the sample, the default assignee.

The concealment rule is here once (`task_hidden_from_unit`): a 随机 or 暗访 target is not shown to its unit — no
push, page or export reaches it — until its check is done. `backend.services.notices` and every unit-facing
reader apply it through `backend.services.tasks`.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import date

from backend.domain.kinds import CheckProgress, CheckState, TaskKind, UnitKind, VisitKind

# the kinds whose targets are drawn by the system and kept from the units until their check is done
CONCEALED_KINDS = frozenset({TaskKind.RANDOM, TaskKind.UNANNOUNCED})
SAMPLED_KINDS = CONCEALED_KINDS
# the kinds that may target townships and departments as well as schools
ANY_UNIT_KINDS = frozenset({TaskKind.COMPREHENSIVE})

# a finished check is a visit of this kind
VISIT_KIND = {
    TaskKind.SPECIAL: VisitKind.SPECIAL,
    TaskKind.COMPREHENSIVE: VisitKind.COMPREHENSIVE,
    TaskKind.RANDOM: VisitKind.UNANNOUNCED,
    TaskKind.UNANNOUNCED: VisitKind.UNANNOUNCED,
    TaskKind.PRINCIPAL_TERM: VisitKind.COMPREHENSIVE,
    TaskKind.FOLLOW_UP: VisitKind.FOLLOW_UP,
}


def visit_kind(kind: str) -> VisitKind:
    return VISIT_KIND[TaskKind(kind)]


def is_concealed_kind(kind: str) -> bool:
    return TaskKind(kind) in CONCEALED_KINDS


def task_hidden_from_unit(kind: str, check_state: str) -> bool:
    """THE rule: whether a unit targeted by a task of `kind` must not learn of it (no push, page or export) while its
    check is in `check_state`. A 随机 or 暗访 target stays hidden until its check is done."""
    return TaskKind(kind) in CONCEALED_KINDS and check_state != CheckState.DONE.value


def progress(check_state: str, ends_on: date, today: date) -> CheckProgress:
    """未开始 / 进行中 / 已完成, or 逾期 once the window has closed (after `ends_on`) on a check not done."""
    if check_state == CheckState.DONE.value:
        return CheckProgress.DONE
    if today > ends_on:
        return CheckProgress.OVERDUE
    return CheckProgress(check_state)


def unit_allowed(task_kind: str, unit_kind: str) -> bool:
    """Schools for every kind; townships and departments for 综合督导 only."""
    try:
        school = UnitKind(unit_kind).is_school
    except ValueError:
        return False
    return school or TaskKind(task_kind) in ANY_UNIT_KINDS


def draw_sample(pool: Sequence[str], size: int, seed: str) -> list[str]:
    """`size` of the pool's keys (unit codes), drawn with `seed`: the same pool and seed draw the same sample, in
    the same order, whatever order the pool came in. The whole pool when it is not larger than `size`."""
    ordered = sorted(set(pool))
    if size >= len(ordered):
        return ordered
    return random.Random(f"dudao-sample:{seed}").sample(ordered, size)


def assign_targets(
    targets: Sequence[int], team: Sequence[int], responsible: Mapping[int, int | None]
) -> dict[int, int]:
    """Each target (unit id) to one team inspector: the unit's responsible inspector if they are on the team, else
    the team member with the fewest targets so far (ties in team order), so the rest is dealt round the team."""
    if not team:
        raise ValueError("empty team")
    load = dict.fromkeys(team, 0)
    chosen: dict[int, int] = {}
    for unit_id in targets:
        own = responsible.get(unit_id)
        if own is not None and own in load:
            chosen[unit_id] = own
            load[own] += 1
    for unit_id in targets:
        if unit_id in chosen:
            continue
        member = min(team, key=lambda m: (load[m], team.index(m)))
        chosen[unit_id] = member
        load[member] += 1
    return chosen
