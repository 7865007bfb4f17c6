"""Every step the services record reads as Chinese on the office's pages, never as its key."""

from __future__ import annotations

import re
from pathlib import Path

from backend.domain.kinds import EscalationLevel
from backend.services.office.details import action_label

ROOT = Path(__file__).resolve().parents[2]
SHOWN = ("concern", "rectification", "visit", "unit", "board_code", "assignment")  # the subjects with a 办理记录


def recorded_actions() -> set[str]:
    """The action keys written in the services' source for the records the office pages show."""
    found: set[str] = set()
    pattern = re.compile(r'"((?:{})\.[a-z_]+)"'.format("|".join(SHOWN)))
    for path in (ROOT / "backend").rglob("*.py"):
        if path.match("domain/menus.py"):  # menu click keys (unit.items …), not recorded steps
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if "record(" in line or "audit" in line or "action" in line or line.strip().startswith('"'):
                found.update(pattern.findall(line))
    return {a for a in found if not a.startswith(("concern.error", "concern.notice", "concern.overdue"))}


def test_every_recorded_step_has_a_chinese_name() -> None:
    unnamed = {a for a in recorded_actions() if action_label(a) == "其他操作"}
    # keys that are message keys of other kinds, not audit actions
    unnamed -= {"concern.no_inspector", "concern.state"}
    assert unnamed == set()


def test_escalation_steps_are_named_by_level() -> None:
    assert action_label("escalation.talk.proposed") == "提出约谈"
    assert action_label("escalation.circular.declined") == "不予通报"
    for level in EscalationLevel:
        for step in ("proposed", "confirmed", "declined"):
            label = action_label(f"escalation.{level.value}.{step}")
            assert label != "其他操作" and "." not in label


def test_an_unknown_step_is_never_shown_as_recorded() -> None:
    assert action_label("concern.something_new") == "其他操作"
    assert action_label("wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M") == "其他操作"
