"""Benchmark: how well the bot understands inspectors, on the development corpus of tests/data/visit_messages.py
(written against the three generated counties of tests/data/counties.py).

Every corpus message is read as the inspector's chat reads it (the `紧急` command, corrections, plain yeses,
plans, questions, chit-chat, then the visit itself) against its county's schools with the county's prefixed
official names, and judged against its expected interpretation. Printed per class and overall: recorded right
without a question, asked, recorded wrong (a wrong school, day, problem count or draft deadline, or a record for
something that is no visit), and messages that were not visits rightly left unrecorded.

    .venv/bin/python bench/understanding.py [--wrong]

Goals: nothing recorded wrong; at least 95 % of unambiguous visit messages recorded without a question; every
ambiguous message asked.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.domain import visit_text as vt  # noqa: E402
from backend.domain.calendar import WorkingCalendar  # noqa: E402
from backend.domain.school_names import SchoolNames, SchoolRef  # noqa: E402
from tests.data.counties import COUNTIES  # noqa: E402
from tests.data.visit_messages import CORPUS, TODAY, Message  # noqa: E402

CAL = WorkingCalendar.official()
_URGENT_COMMAND = re.compile(r"^紧急[\s:：,，]*")  # the router's `紧急 …` route, which reads the rest as urgent

RIGHT, ASKED, WRONG, LEFT = "right", "asked", "wrong", "left alone"


@dataclass(frozen=True)
class Verdict:
    message: Message
    outcome: str  # record | ask | none, as the bot would act
    verdict: str  # RIGHT, ASKED, WRONG or LEFT
    why: str = ""


def _resolvers() -> dict[tuple[str, str], tuple[list[SchoolRef], SchoolNames]]:
    """Per inspector: their schools (numbered as in 我的学校) and their county's resolver over every school."""
    out = {}
    for county in COUNTIES:
        every = [SchoolRef(s.id, s.name, nicknames=s.nicknames) for s in county.schools]
        names = SchoolNames.build(every, county.authority_names)
        for inspector in county.inspectors:
            mine = [SchoolRef(i, county.by_id[i].name, number=n) for n, i in enumerate(inspector.schools, start=1)]
            out[(county.name, inspector.number)] = (mine, names)
    return out


RESOLVERS = _resolvers()


def interpret(message: Message) -> tuple[str, vt.VisitReading]:
    """What the inspector's chat would do with the message: record it, ask, or record nothing."""
    refs, names = RESOLVERS[(message.county, message.inspector)]
    text = message.text
    urgent = bool(_URGENT_COMMAND.match(vt.normalise(text)))
    if urgent:
        text = _URGENT_COMMAND.sub("", vt.normalise(text))
    reading = vt.read_visit(text, refs, TODAY, CAL, names=names, listed=False)
    if not urgent and (vt.is_yes(text) or reading.message != vt.VISIT):
        return "none", reading
    return ("record" if reading.complete else "ask"), reading


def judge(message: Message) -> Verdict:
    outcome, reading = interpret(message)
    if outcome == "none":
        if message.outcome == "none":
            return Verdict(message, outcome, LEFT)
        return Verdict(message, outcome, ASKED if message.outcome == "ask" else WRONG, "taken for no visit")
    if outcome == "ask":
        return Verdict(message, outcome, ASKED, ",".join(reading.unclear))
    # recorded: every part must be right
    if message.outcome == "none":
        return Verdict(message, outcome, WRONG, f"recorded a {reading.message} that is no visit")
    wrong = []
    if reading.school_id != message.school:
        wrong.append(f"school {reading.school_id} != {message.school}")
    if reading.visited_on != message.day:
        wrong.append(f"day {reading.visited_on} != {message.day}")
    if len(reading.problems) != message.problems:
        wrong.append(f"problems {reading.problems!r}, expected {message.problems}")
    deadlines = tuple(f.deadline.on for f in reading.findings if f.deadline is not None)
    if deadlines != message.deadlines:
        wrong.append(f"drafts {deadlines} != {message.deadlines}")
    if (reading.urgent or bool(_URGENT_COMMAND.match(vt.normalise(message.text)))) != message.urgent:
        wrong.append("urgency")
    if not message.items <= set(reading.items):
        wrong.append(f"items {reading.items} lack {sorted(message.items)}")
    if message.outcome == "ask":
        wrong.append("recorded without the question it needed")
    return Verdict(message, outcome, WRONG if wrong else RIGHT, "; ".join(wrong))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wrong", action="store_true", help="list every message recorded wrong or asked needlessly")
    args = parser.parse_args(argv)
    verdicts = [judge(m) for m in CORPUS]
    by_class: dict[str, Counter[str]] = defaultdict(Counter)
    for v in verdicts:
        by_class[v.message.cls][v.verdict] += 1
    total: Counter[str] = Counter(v.verdict for v in verdicts)
    print(f"{'class':<16}{'n':>5}{'right':>8}{'asked':>8}{'wrong':>8}{'left':>8}")
    for cls, counts in sorted(by_class.items()):
        n = sum(counts.values())
        print(f"{cls:<16}{n:>5}{counts[RIGHT]:>8}{counts[ASKED]:>8}{counts[WRONG]:>8}{counts[LEFT]:>8}")
    print(f"{'overall':<16}{len(verdicts):>5}{total[RIGHT]:>8}{total[ASKED]:>8}{total[WRONG]:>8}{total[LEFT]:>8}")
    plain = [v for v in verdicts if v.message.outcome == "record"]
    unasked = [v for v in verdicts if v.message.outcome == "ask" and v.verdict != ASKED]
    share = 100.0 * sum(v.verdict == RIGHT for v in plain) / max(1, len(plain))
    print(f"\nunambiguous visit messages recorded without a question: {share:.1f} % of {len(plain)} (goal >= 95 %)")
    print(f"recorded wrong: {total[WRONG]} (goal 0); ambiguous messages not asked: {len(unasked)} (goal 0)")
    if args.wrong:
        for v in verdicts:
            if v.verdict == WRONG or (v.message.outcome == "record" and v.verdict == ASKED):
                print(f"[{v.verdict}] {v.message.cls}: {v.message.text} — {v.why}")
    return 0 if total[WRONG] == 0 and not unasked and share >= 95.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
