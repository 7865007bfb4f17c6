"""The concealment rule as the store reads it: which units must not yet hear of a 随机 or 暗访 task.

`backend.domain.tasks.task_hidden_from_unit` is the rule; this module applies it to rows, for `notices.notify`
(a push about a task never reaches a hidden target's unit) and for the unit-facing readers in `tasks`. It imports
only the models, so `notices` and `tasks` may both lean on it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from backend.domain import tasks as rules
from backend.domain.kinds import CheckState, Role
from backend.store.models import Task, TaskTarget, WechatIdentity

CONCEALED = tuple(sorted(k.value for k in rules.CONCEALED_KINDS))


def hidden_target_condition() -> ColumnElement[bool]:
    """SQL true for a target its unit must not see (`task_hidden_from_unit` as SQL); the query joins `Task`."""
    return and_(Task.kind.in_(CONCEALED), TaskTarget.state != CheckState.DONE.value)


def visible_to_unit_condition() -> ColumnElement[bool]:
    """SQL true for a target its unit may see; the query joins `Task`."""
    return or_(Task.kind.not_in(CONCEALED), TaskTarget.state == CheckState.DONE.value)


def hidden_unit_ids(session: Session, task_id: int) -> set[int]:
    """The units of the task that must not hear of it yet."""
    rows = session.execute(
        select(TaskTarget.unit_id, TaskTarget.state, Task.kind)
        .join(Task, Task.id == TaskTarget.task_id)
        .where(TaskTarget.task_id == task_id)
    )
    return {unit_id for unit_id, state, kind in rows if rules.task_hidden_from_unit(kind, state)}


def unit_openids_hidden_from(session: Session, task_id: int, openids: Sequence[str]) -> set[str]:
    """Those of `openids` that are bound to a unit the task is hidden from."""
    hidden = hidden_unit_ids(session, task_id)
    if not hidden or not openids:
        return set()
    return set(
        session.scalars(
            select(WechatIdentity.openid).where(
                WechatIdentity.openid.in_(list(openids)),
                WechatIdentity.role == Role.UNIT.value,
                WechatIdentity.unit_id.in_(hidden),
            )
        )
    )


def task_of_key(dedupe_key: str) -> int | None:
    """The task a push is about, from its dedupe key (`task:<id>:…`)."""
    parts = dedupe_key.split(":")
    if len(parts) >= 2 and parts[0] == "task" and parts[1].isdigit():
        return int(parts[1])
    return None
