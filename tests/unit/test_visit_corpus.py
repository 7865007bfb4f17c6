"""The development corpus (tests/data/visit_messages.py: 500 messages on three counties with prefixed official
names) read as the inspector's chat reads it: no wrong record, every ambiguous message asked."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.understanding import ASKED, LEFT, WRONG, judge
from tests.data.visit_messages import CORPUS, CORPUS_COUNTIES, Message

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
    assert len(CORPUS) >= 400 and len(CORPUS_COUNTIES) >= 3
    assert {m.cls for m in CORPUS} >= CLASSES
    assert all(s.name.startswith(c.name) for c in CORPUS_COUNTIES for s in c.schools)  # official, prefixed


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
