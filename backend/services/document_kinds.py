"""The content of the chain's documents, written from their records, and the hooks that issue them.

整改通知书 from a rectification item when it is issued; 督办通知书, 约谈记录, 督导通报 and 问责决定（建议）书 from the
escalation row when the rung is taken (the record the office entered: `Escalation.record`). Each builder returns a
`papers.Draft`; `documents.issue` numbers it and keeps it. The 督导反馈意见书 is written by the evaluation (its
own builder, through `documents.issue(kind="feedback", …)`).

The words are in `messages/documents.py`; a record's fields the builder does not know (a later form may add some)
are printed too, under their `office.record.<field>` label, so nothing the office entered is left off the paper.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from backend.domain.documents import KIND_OF_LEVEL, DocumentKind, paper_date
from backend.domain.kinds import EscalationLevel
from backend.domain.rectification import ACCOUNTABILITY_FIELDS, CIRCULAR_FIELDS, TALK_FIELDS
from backend.services import documents
from backend.services.papers import Block, Draft, Section, form
from backend.services.rectifications import item_name
from backend.store.models import Document, Escalation, Inspector, Rectification, Unit, Visit
from messages import CATALOG, t

L = EscalationLevel
# what a record holds besides the office's words: never printed
_INTERNAL = frozenset(
    {
        "filed_with_unit_id",
        "published",
        "heavier_handling",
        "within_year",
        "deadline_missed",
        "old_deadline",
        "repeat",
        "repeat_source",
    }  # the repeat flag prints as its note (repeat_note), never as True/False
)


def _day(value: date | str | None) -> str:
    """A date as the paper writes it (2026年12月10日); text that is not a date stays as entered."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            return paper_date(date.fromisoformat(value))
        except ValueError:
            return value
    return paper_date(value)


class _Names:
    """The names a paper is addressed with: the unit, its superior (主管单位), the inspector."""

    def __init__(self, session: Session, item: Rectification) -> None:
        self.unit = session.get(Unit, item.unit_id)
        superior = session.get(Unit, self.unit.superior_unit_id) if self.unit and self.unit.superior_unit_id else None
        self.unit_name = self.unit.name if self.unit else ""
        self.superior = superior.name if superior else ""
        inspector = session.get(Inspector, item.inspector_id) if item.inspector_id else None
        self.inspector = inspector.name if inspector else ""
        self.phone = inspector.phone if inspector else ""
        self.item = item_name(session, item.authority_id, item.item)


def _notice_number(session: Session, item: Rectification) -> str:
    """The 整改通知书's number, or the item's own number when it was issued before the register."""
    issued = documents.existing(session, DocumentKind.RECTIFICATION_NOTICE, "rectification", item.id)
    return issued.number if issued else item.number


def _problem(item: Rectification) -> str:
    return item.problem + (t("rect.urgent") if item.urgent else "")


def _extra(record: dict[str, Any], known: tuple[str, ...]) -> list[Block]:
    """The record's other fields, as "label：value" lines."""
    lines: list[Block] = []
    for key, value in record.items():
        if key in known or key in _INTERNAL or not str(value).strip():
            continue
        lines.append(t("documents.field_line", label=CATALOG.get(f"office.record.{key}", key), value=value))
    return lines


def _others(record: dict[str, Any], known: tuple[str, ...]) -> list[Section]:
    """其他事项: the section of the record's fields the paper has no place of its own for, if any."""
    more = _extra(record, known)
    return [Section(t("documents.other"), tuple(more))] if more else []


def rectification_notice(session: Session, item: Rectification) -> Draft:
    """整改通知书: the problem found, the requirement and the deadline, to the unit (copied to its superior)."""
    names = _Names(session, item)
    visit = session.get(Visit, item.visit_id) if item.visit_id else None
    if visit is not None:
        kind = CATALOG.get(f"visits.kind.{visit.kind}", "")
        found = t("documents.rect.found_visit", date=_day(visit.visited_on), inspector=names.inspector, kind=kind)
    elif item.concern_id is not None:
        found = t("documents.rect.found_concern")
    else:
        found = t("documents.rect.found")
    facts = form(
        [
            (t("documents.field.item_number"), item.number),
            (t("documents.field.item"), names.item),
            (t("documents.field.deadline"), _day(item.deadline)),
            (t("documents.field.inspector"), names.inspector or t("documents.none")),
        ]
    )
    deadline = _day(item.deadline)
    return Draft(
        title=documents.kind_label(DocumentKind.RECTIFICATION_NOTICE),
        addressee=names.unit_name,
        body=(found + t("documents.rect.basis"),),
        sections=(
            Section(t("documents.rect.problems"), (facts, _problem(item))),
            Section(
                t("documents.rect.requirements"),
                (
                    item.requirement or t("documents.rect.requirement_default"),
                    t("documents.rect.report_by", deadline=deadline),
                    t("documents.rect.extension"),
                ),
            ),
        ),
        closing=(t("documents.notice_closing"),),
        copy_to=names.superior,
        notes=(t("documents.contact", name=names.inspector, phone=names.phone),) if names.inspector else (),
    )


def supervision_notice(session: Session, item: Rectification, row: Escalation) -> Draft:
    """督办通知书: the deadline missed, the new one, to the unit and its superior."""
    names = _Names(session, item)
    old = _day(row.record.get("old_deadline")) or t("documents.none")
    new = _day(row.new_deadline)
    steps = [t("documents.supervision.require", deadline=new)]
    if names.superior:
        steps.append(t("documents.supervision.superior", superior=names.superior))
    steps.append(t("documents.supervision.next"))
    return Draft(
        title=documents.kind_label(DocumentKind.SUPERVISION_NOTICE),
        addressee=names.unit_name,
        body=(t("documents.supervision.lead", notice=_notice_number(session, item), deadline=old, number=item.number),),
        sections=(
            Section(t("documents.supervision.matter"), (_problem(item), item.requirement or "")),
            Section(t("documents.supervision.requirements"), tuple(steps)),
        ),
        closing=(t("documents.notice_closing"),),
        copy_to=names.superior,
    )


def talk_record(session: Session, item: Rectification, row: Escalation) -> Draft:
    """约谈记录: who was talked to, when, by whom, what was said and promised; filed with the superior."""
    names = _Names(session, item)
    record = row.record
    facts = form(
        [
            (t("documents.field.talked_to"), names.unit_name),
            (t("office.record.held_at"), str(record.get("held_at", ""))),
            (t("office.record.attendees"), str(record.get("attendees", ""))),
            (t("documents.field.item_number"), item.number),
        ],
        columns=1,
    )
    missed = _day(record.get("deadline_missed")) or t("documents.none")
    follow = [t("documents.talk.follow", deadline=_day(row.new_deadline))]
    if names.superior:
        follow.append(t("documents.talk.filed", superior=names.superior))
    sections = [
        Section(
            t("documents.talk.reason"), (t("documents.talk.reason_text", problem=_problem(item), deadline=missed),)
        ),
        Section(t("office.record.summary"), (str(record.get("summary", "")),)),
        Section(t("office.record.commitments"), (str(record.get("commitments", "")),)),
        Section(t("documents.talk.after"), tuple(follow)),
    ]
    sections += _others(record, TALK_FIELDS)
    return Draft(
        title=documents.kind_label(DocumentKind.TALK),
        body=(facts,),
        sections=tuple(sections),
        copy_to=names.superior,
    )


def circular(session: Session, item: Rectification, row: Escalation) -> Draft:
    """督导通报: what the unit failed to do after 督办 and 约谈, the office's words, to the scope it names."""
    names = _Names(session, item)
    record = row.record
    body: list[Block] = [
        t("documents.circular.facts", unit=names.unit_name, item=names.item, problem=_problem(item),
          notice=_notice_number(session, item))
    ]  # fmt: skip
    sections = []
    text = str(record.get("text", "")).strip()
    if text:
        sections.append(Section(t("documents.circular.content"), (text,)))
    sections.append(
        Section(t("documents.circular.requirements"), (t("documents.circular.unit", unit=names.unit_name),
                                                       t("documents.circular.all")))
    )  # fmt: skip
    sections += _others(record, CIRCULAR_FIELDS)
    return Draft(
        title=documents.kind_label(DocumentKind.CIRCULAR),
        addressee=str(record.get("scope", "")).strip() or t("documents.circular.scope_default"),
        body=tuple(body),
        sections=tuple(sections),
        closing=(t("documents.circular.closing"),),
        copy_to=names.superior,
    )


def accountability(session: Session, item: Rectification, row: Escalation) -> Draft:
    """问责决定（建议）书: the five fields of the 2021 rules, and the heavier handling of a second one in a year."""
    names = _Names(session, item)
    record = row.record
    sections = [
        Section(t(f"documents.accountability.{field}"), (_day(str(record.get(field, ""))) if field == "effective_at"
                                                         else str(record.get(field, "")),))
        for field in ACCOUNTABILITY_FIELDS
    ]  # fmt: skip
    if record.get("heavier_handling"):
        sections.append(
            Section(t("documents.accountability.heavier_title"),
                    (t("documents.accountability.heavier", n=record.get("within_year", 2)),))
        )  # fmt: skip
    sections += _others(record, ACCOUNTABILITY_FIELDS)
    return Draft(
        title=documents.kind_label(DocumentKind.ACCOUNTABILITY),
        addressee=names.unit_name,
        body=(t("documents.accountability.lead", unit=names.unit_name, number=item.number),),
        sections=tuple(sections),
        closing=(t("documents.accountability.closing"),),
        copy_to=names.superior,
    )


BUILDERS = {
    L.SUPERVISION_NOTICE: supervision_notice,
    L.TALK: talk_record,
    L.CIRCULAR: circular,
    L.ACCOUNTABILITY: accountability,
}


def _issue(
    session: Session,
    item: Rectification,
    kind: str,
    draft: Draft,
    subject: tuple[str, int],
    *,
    actor: str,
    now: datetime,
) -> Document:
    """A paper of the item's chain, addressed to its unit, in the register."""
    return documents.issue(
        session,
        kind=kind,
        draft=draft,
        subject_type=subject[0],
        subject_id=subject[1],
        rectification_id=item.id,
        authority_id=item.authority_id,
        unit_id=item.unit_id,
        actor=actor,
        now=now,
    )


def issue_rectification_notice(session: Session, item: Rectification, *, actor: str, now: datetime) -> Document:
    """The 整改通知书 of an item being issued, in the register. Does not commit."""
    draft = rectification_notice(session, item)
    return _issue(session, item, DocumentKind.RECTIFICATION_NOTICE, draft, ("rectification", item.id), actor=actor,
                  now=now)  # fmt: skip


def issue_for_escalation(
    session: Session, item: Rectification, row: Escalation, *, actor: str, now: datetime
) -> Document:
    """The document of a rung taken (督办通知书, 约谈记录, 督导通报, 问责决定（建议）书). Does not commit."""
    level = L(row.level)
    session.flush()  # the row's id names the document's record
    draft = BUILDERS[level](session, item, row)
    return _issue(session, item, KIND_OF_LEVEL[level.value], draft, ("escalation", row.id), actor=actor, now=now)
