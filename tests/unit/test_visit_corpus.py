"""The development corpus (tests/data/visit_messages.py: some 1,400 messages on the three generated counties of
tests/data/counties.py, official names with prefixes) read as the inspector's chat reads it: no wrong record,
every ambiguous message asked."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.understanding import ASKED, LEFT, WRONG, judge
from tests.data.counties import COUNTIES
from tests.data.visit_messages import CORPUS, Message

CLASSES = {
    "voice",
    "homophone",
    "traditional",
    "emoji",
    "glued",
    "question",
    "plan",
    "chit-chat",
    "correction",
    "vague date",
    "deadline",
    "negation",
    "emergency",
}


def test_the_corpus_covers_every_class_on_three_counties() -> None:
    assert len(CORPUS) >= 400 and len({m.county for m in CORPUS}) >= 3
    assert {m.cls for m in CORPUS} >= CLASSES
    by_id = {s.id: s for c in COUNTIES for s in c.schools}
    named = {m.school for m in CORPUS if m.school}
    assert all(by_id[i].name.startswith(c.authority_names) for c in COUNTIES for i in named if i in c.by_id)


@pytest.mark.parametrize("message", CORPUS, ids=[f"{m.county}:{m.text[:20]}" for m in CORPUS])
def test_no_message_is_recorded_wrong_and_every_ambiguous_one_is_asked(message: Message) -> None:
    verdict = judge(message)
    assert verdict.verdict != WRONG, verdict.why
    if message.outcome == "ask":
        assert verdict.verdict == ASKED, verdict
    if message.outcome == "none":
        assert verdict.verdict == LEFT, verdict


def test_nearly_every_unambiguous_visit_is_recorded_without_a_question() -> None:
    plain = [judge(m).verdict for m in CORPUS if m.outcome == "record"]
    assert Counter(plain)["right"] >= 0.95 * len(plain)
