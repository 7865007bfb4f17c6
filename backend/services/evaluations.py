"""The yearly 督政 evaluation (issue 15): opened by the office for each 乡镇 or 县级部门, the unit told in WeChat with a
signed link to its 自评 form, reminded before and after the deadline (once each), scored by the office and its
experts with 实地核查 notes; the results (total, grade, ranking, the gaps per indicator); the 督导反馈意见书 whose
整改 items are rectifications running the existing chain; publication on /public when the office approves.

Use cases take a session and do not commit; each writes its `AuditEvent` and queues its pushes through
`notices.notify` (text in the 48 h window, template outside), keyed so that a retry never pushes twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.domain import evaluation as rules
from backend.domain.calendar import SHANGHAI, local_date
from backend.domain.documents import DocumentKind
from backend.domain.errors import DomainError
from backend.domain.kinds import EvaluationState, EvaluationTarget
from backend.services import documents, form_links, images, indicators, media, notices, papers
from backend.services import rectifications as rect
from backend.services.audit import record
from backend.services.calendar import working_calendar
from backend.store.db import Database, session_now
from backend.store.models import (
    Document,
    Evaluation,
    EvaluationEntry,
    EvaluationRectification,
    Indicator,
    IndicatorSystem,
    Media,
    Rectification,
    Unit,
)
from messages import t

S = EvaluationState
SUBJECT = "evaluation"
ATTACHMENT_OWNER = "evaluation_entry"
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024  # a scanned PDF or a phone photo
MAX_ATTACHMENTS = 6  # per indicator
MAX_NOTE = 2000
LINK_KIND = "evaluation"  # the subject of its form links: `evaluation:<id>`
FORM_PATH = "/f/evaluation"
LINK_DAYS_AFTER_DEADLINE = 30
REMIND_DAYS_BEFORE = 3  # working days before the deadline: one reminder; the day after it: one more


class EvaluationError(DomainError, ValueError):
    """An evaluation use case refused (`key` in messages/ with its fields)."""


@dataclass(frozen=True)
class Links:
    """What the signed link (`backend.services.form_links`) is built from: the deployment's secret and address."""

    secret: str
    public_url: str

    def form_url(self, evaluation: Evaluation, openid: str, now: datetime) -> str:
        # the link works until a month after the deadline (capped by form_links.MAX_LIFETIME); the form itself
        # refuses changes once the office has scored, and a contact no longer bound to the unit
        until = datetime.combine(evaluation.deadline + timedelta(days=LINK_DAYS_AFTER_DEADLINE), time(), SHANGHAI)
        return form_links.link(
            self.secret, self.public_url, FORM_PATH, openid=openid, subject=f"{LINK_KIND}:{evaluation.id}", now=now,
            until=until,
        )  # fmt: skip


# --- reading ---


def get(session: Session, evaluation_id: int) -> Evaluation:
    row = session.get(Evaluation, evaluation_id)
    if row is None:
        raise EvaluationError("eval.error.not_found")
    return row


def of_system(session: Session, system_id: int) -> list[Evaluation]:
    query = select(Evaluation).where(Evaluation.system_id == system_id).order_by(Evaluation.id)
    return list(session.scalars(query))


def entries_of(session: Session, evaluation_id: int) -> dict[int, EvaluationEntry]:
    """The evaluation's entries by indicator id."""
    rows = session.scalars(select(EvaluationEntry).where(EvaluationEntry.evaluation_id == evaluation_id))
    return {row.indicator_id: row for row in rows}


def attachments_of(session: Session, evaluation_id: int) -> dict[int, list[Media]]:
    """The attachments by indicator id."""
    entries = entries_of(session, evaluation_id)
    by_entry = media.media_of_many(session, ATTACHMENT_OWNER, [e.id for e in entries.values()])
    return {indicator_id: by_entry.get(entry.id, []) for indicator_id, entry in entries.items()}


def unit_label(session: Session, unit_id: int) -> str:
    unit = session.get(Unit, unit_id)
    return "" if unit is None else unit.name


def _fields(session: Session, evaluation: Evaluation, **extra: Any) -> dict[str, Any]:
    system = session.get(IndicatorSystem, evaluation.system_id)
    assert system is not None
    return {
        "unit": unit_label(session, evaluation.unit_id),
        "year": system.year,
        "title": t("eval.notice.title", year=system.year),
        "deadline": evaluation.deadline.isoformat(),
        **extra,
    }


def _audit(session: Session, evaluation: Evaluation, actor: str, action: str, now: datetime, **detail: Any) -> None:
    record(session, actor, f"evaluation.{action}", SUBJECT, evaluation.id, now=now, **detail)


# --- opening ---


def open_for_units(
    session: Session,
    system_id: int,
    *,
    deadline: date,
    actor: str,
    links: Links,
    unit_ids: Sequence[int] | None = None,
    now: datetime | None = None,
) -> list[Evaluation]:
    """Open the year's evaluation for every active unit of the system's kind (or those named): each gets its
    entries and a notice with its form's link. A unit already open is left as it is. Does not commit."""
    now = now or session_now(session)
    system = session.get(IndicatorSystem, system_id)
    if system is None:
        raise EvaluationError("eval.error.no_system")
    rows = indicators.indicators_of(session, system.id)
    if not rows:
        raise EvaluationError("eval.error.empty_system")
    if deadline < local_date(now):
        raise EvaluationError("eval.error.deadline_past", deadline=deadline.isoformat())
    query = select(Unit).where(
        Unit.authority_id == system.authority_id, Unit.kind == EvaluationTarget(system.target).value, Unit.active
    )
    if unit_ids is not None:
        query = query.where(Unit.id.in_(list(unit_ids)))
    units = list(session.scalars(query.order_by(Unit.code)))
    if unit_ids is not None and len(units) != len(set(unit_ids)):
        raise EvaluationError("eval.error.unit_kind", target=t(f"eval.target.{system.target}"))
    existing = {e.unit_id for e in of_system(session, system.id)}
    opened: list[Evaluation] = []
    for unit in units:
        if unit.id in existing:
            continue
        evaluation = Evaluation(
            authority_id=system.authority_id,
            system_id=system.id,
            unit_id=unit.id,
            state=S.OPEN.value,
            deadline=deadline,
            opened_at=now,
            opened_by=actor,
            created_at=now,
            updated_at=now,
        )
        session.add(evaluation)
        session.flush()
        for row in rows:
            session.add(EvaluationEntry(evaluation_id=evaluation.id, indicator_id=row.id))
        evaluation.form_urls = {
            openid: links.form_url(evaluation, openid, now) for openid in notices.openids_of_unit(session, unit.id)
        }
        pushes = _tell_unit(session, evaluation, kind="opened", now=now)
        _audit(session, evaluation, actor, "opened", now, unit_id=unit.id, deadline=deadline.isoformat(), pushes=pushes)
        opened.append(evaluation)
    session.flush()
    return opened


def _tell_unit(session: Session, evaluation: Evaluation, *, kind: str, now: datetime) -> int:
    """Each bound contact who was sent a link hears of the evaluation, with their own link (a contact bound
    later gets one when the office sends the links again: `resend_links`)."""
    links = evaluation.form_urls or {}
    sent = 0
    for openid in notices.openids_of_unit(session, evaluation.unit_id):
        url = links.get(openid)
        if not url:
            continue
        fields = _fields(session, evaluation, url=url)
        sent += notices.notify(
            session,
            [openid],
            notice="evaluation_opened" if kind == "opened" else "evaluation_due",
            text=t(f"eval.notice.{kind}", **fields),
            fields=fields,
            dedupe_key=f"eval:{evaluation.id}:{kind}:{evaluation.deadline.isoformat()}",
            url=url,
            now=now,
        )
    return sent


def resend_links(session: Session, evaluation_id: int, *, actor: str, links: Links, now: datetime | None = None) -> int:
    """Links for the contacts bound since the evaluation was opened, and the notice to them. Does not commit."""
    now = now or session_now(session)
    evaluation = get(session, evaluation_id)
    known = dict(evaluation.form_urls or {})
    for openid in notices.openids_of_unit(session, evaluation.unit_id):
        known.setdefault(openid, links.form_url(evaluation, openid, now))
    evaluation.form_urls = known
    sent = _tell_unit(session, evaluation, kind="opened", now=now)
    _audit(session, evaluation, actor, "links_sent", now, pushes=sent)
    session.flush()
    return sent


def entitled(session: Session, evaluation: Evaluation, openid: str) -> bool:
    """Whether `openid` (the link's addressee) is still a bound contact of the evaluated unit."""
    return openid in notices.openids_of_unit(session, evaluation.unit_id)


def extend(
    session: Session, evaluation_id: int, *, deadline: date, actor: str, now: datetime | None = None
) -> Evaluation:
    now = now or session_now(session)
    row = get(session, evaluation_id)
    if deadline < local_date(now):
        raise EvaluationError("eval.error.deadline_past", deadline=deadline.isoformat())
    before, row.deadline = row.deadline, deadline
    _audit(session, row, actor, "extended", now, before=before.isoformat(), after=deadline.isoformat())
    session.flush()
    return row


# --- the 自评 ---


@dataclass(frozen=True)
class Answer:
    score: float | None
    note: str


def parse_score(text: str) -> float | None:
    """A score as typed in a form (`8`, `７.5`, blank); raises EvaluationError for anything else."""
    from backend.services.tabular import parse_float

    if not text.strip():
        return None
    try:
        return parse_float(text)
    except ValueError as exc:
        raise EvaluationError("eval.error.score_text", value=text[:20]) from exc


def _checked(answers: Mapping[int, Answer], rows: Mapping[int, Indicator]) -> dict[int, Answer]:
    checked: dict[int, Answer] = {}
    for indicator_id, answer in answers.items():
        row = rows.get(indicator_id)
        if row is None:
            raise EvaluationError("eval.error.no_indicator")
        score = None
        if answer.score is not None:
            try:
                score = rules.check_score(answer.score, row.max_score)
            except rules.IndicatorProblem as problem:
                raise EvaluationError(problem.key, **problem.fields, name=_name(row)) from problem
        checked[indicator_id] = Answer(score, answer.note.strip()[:MAX_NOTE])
    return checked


def _name(row: Indicator) -> str:
    return row.level3 or row.level2


def _indicator_rows(session: Session, evaluation: Evaluation) -> dict[int, Indicator]:
    return {row.id: row for row in indicators.indicators_of(session, evaluation.system_id)}


def save_self_evaluation(
    session: Session,
    evaluation_id: int,
    answers: Mapping[int, Answer],
    *,
    submit: bool,
    actor: str,
    now: datetime | None = None,
) -> Evaluation:
    """The unit's 自评 (or the office's on its behalf): scores and explanations, kept as a draft or submitted.
    Submitting again before the office scores replaces the answers; a complete 自评 is required. Does not commit."""
    now = now or session_now(session)
    evaluation = get(session, evaluation_id)
    if evaluation.state not in (S.OPEN.value, S.SUBMITTED.value):
        raise EvaluationError("eval.error.closed")
    rows = _indicator_rows(session, evaluation)
    checked = _checked(answers, rows)
    entries = entries_of(session, evaluation.id)
    for indicator_id, answer in checked.items():
        entry = entries[indicator_id]
        entry.self_score, entry.self_note = answer.score, answer.note
    if submit:
        missing = [_name(rows[i]) for i, e in entries.items() if i in rows and e.self_score is None]
        if missing:
            raise EvaluationError("eval.error.incomplete", n=len(missing), first=missing[0])
        first = evaluation.submitted_at is None
        evaluation.state, evaluation.submitted_at, evaluation.submitted_by = S.SUBMITTED.value, now, actor
        total = round(sum(e.self_score or 0 for i, e in entries.items() if i in rows), 1)
        _audit(session, evaluation, actor, "submitted" if first else "resubmitted", now, self_total=total)
        if first:
            notices.notify(
                session,
                notices.openids_of_office(session),
                notice="office_alert",
                text=t("eval.notice.submitted", **_fields(session, evaluation, total=total)),
                fields={
                    "subject": t("eval.notice.submitted_subject"),
                    "detail": unit_label(session, evaluation.unit_id),
                    "at": rect.local_stamp(now),
                },
                dedupe_key=f"eval:{evaluation.id}:submitted",
                now=now,
            )
    session.flush()
    return evaluation


def add_attachment(
    session: Session,
    media_dir: Path,
    evaluation_id: int,
    indicator_id: int,
    *,
    content: bytes,
    actor: str,
    now: datetime | None = None,
) -> Media:
    """A photo or a PDF as evidence on one indicator: measured before anything decodes it (a picture from its
    header, a PDF by its signature and size). Does not commit."""
    now = now or session_now(session)
    evaluation = get(session, evaluation_id)
    if evaluation.state not in (S.OPEN.value, S.SUBMITTED.value):
        raise EvaluationError("eval.error.closed")
    entry = entries_of(session, evaluation.id).get(indicator_id)
    if entry is None:
        raise EvaluationError("eval.error.no_indicator")
    content_type, kind = attachment_kind(content)
    if kind == "image":
        try:
            content = media.without_metadata(content)  # measured first; EXIF and GPS dropped
        except images.BadImage as bad:
            raise EvaluationError("eval.error.file_type") from bad
    digest = hashlib.sha256(content).hexdigest()
    kept_already = media.media_of(session, ATTACHMENT_OWNER, entry.id)
    same = next((m for m in kept_already if m.sha256 == digest), None)
    if same is not None:
        return same  # the same file sent twice (a retried upload): kept once
    if len(kept_already) >= MAX_ATTACHMENTS:
        raise EvaluationError("eval.error.too_many_files", most=MAX_ATTACHMENTS)
    kept = media.keep_file(
        session,
        media_dir,
        owner_type=ATTACHMENT_OWNER,
        owner_id=entry.id,
        kind=kind,
        content=content,
        content_type=content_type,
        strip_metadata=False,
    )
    kept.exif_stripped = kind == "image"
    _audit(session, evaluation, actor, "attached", now, indicator=indicator_id, media=kept.id, size=len(content))
    return kept


def attachment_kind(content: bytes) -> tuple[str, str]:
    """(content type, media kind) of an upload we keep; raises EvaluationError for anything else."""
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise EvaluationError("eval.error.file_too_big", mb=MAX_ATTACHMENT_BYTES // (1024 * 1024))
    if not content:
        raise EvaluationError("eval.error.file_type")
    if content.startswith(b"%PDF-"):
        return "application/pdf", "document"
    try:
        content_type, _size = images.measure(content)
    except images.BadImage as bad:
        key = "eval.error.image_too_big" if bad.reason == "too_big" else "eval.error.file_type"
        raise EvaluationError(key) from bad
    return content_type, "image"


# --- reminders (a sweep step) ---


def sweep_step(db: Database, now: datetime) -> dict[str, int]:
    """Open evaluations: one reminder some working days before the deadline, one the working day after it."""
    counts = {"reminded_due": 0, "reminded_overdue": 0}
    today = local_date(now)
    with db.session() as session:
        calendar = working_calendar(session)
        open_rows = session.scalars(select(Evaluation).where(Evaluation.state == S.OPEN.value)).all()
        for evaluation in open_rows:
            if today > evaluation.deadline and today >= calendar.add_working_days(evaluation.deadline, 1):
                counts["reminded_overdue"] += _tell_unit(session, evaluation, kind="overdue", now=now)
            elif today <= evaluation.deadline and today >= calendar.subtract_working_days(
                evaluation.deadline, REMIND_DAYS_BEFORE
            ):
                counts["reminded_due"] += _tell_unit(session, evaluation, kind="due", now=now)
        session.commit()
    return {k: v for k, v in counts.items() if v}


# --- the office's scores ---


def score(
    session: Session,
    evaluation_id: int,
    scores: Mapping[int, Answer],
    *,
    field_note: str | None = None,
    finish: bool,
    actor: str,
    now: datetime | None = None,
) -> Evaluation:
    """The office's (or an expert's) scores with 实地核查 notes; finishing needs every indicator scored and gives the
    total and grade. The office may score an evaluation whose 自评 never came. Does not commit."""
    now = now or session_now(session)
    evaluation = get(session, evaluation_id)
    if evaluation.state == S.FED_BACK.value:
        raise EvaluationError("eval.error.fed_back")
    rows = _indicator_rows(session, evaluation)
    checked = _checked(scores, rows)
    entries = entries_of(session, evaluation.id)
    for indicator_id, answer in checked.items():
        entry = entries[indicator_id]
        if (entry.score, entry.check_note) != (answer.score, answer.note):
            entry.score, entry.check_note, entry.scored_by = answer.score, answer.note, actor
    if field_note is not None:
        evaluation.field_note = field_note.strip()[:MAX_NOTE]
    if finish:
        missing = [_name(rows[i]) for i, e in entries.items() if i in rows and e.score is None]
        if missing:
            raise EvaluationError("eval.error.unscored", n=len(missing), first=missing[0])
        system = session.get(IndicatorSystem, evaluation.system_id)
        assert system is not None
        total = round(sum(e.score or 0 for i, e in entries.items() if i in rows), 1)
        full = round(sum(r.max_score for r in rows.values()), 1)
        evaluation.total, evaluation.grade = total, rules.grade(total, full, rules.thresholds(system.grades))
        evaluation.state, evaluation.scored_at, evaluation.scored_by = S.SCORED.value, now, actor
        _audit(session, evaluation, actor, "scored", now, total=total, grade=evaluation.grade)
    else:
        _audit(session, evaluation, actor, "score_saved", now, indicators=len(checked))
    session.flush()
    return evaluation


# --- results ---


@dataclass(frozen=True)
class Gap:
    indicator_id: int
    name: str
    level1: str
    max_score: float
    score: float

    @property
    def lost(self) -> float:
        return round(self.max_score - self.score, 1)


@dataclass(frozen=True)
class Result:
    evaluation_id: int
    unit_id: int
    unit: str
    state: str
    self_total: float | None
    total: float | None
    grade: str
    rank: int | None
    gaps: list[Gap] = field(default_factory=list)


def results(session: Session, system_id: int) -> list[Result]:
    """Each unit's result, the scored ones ranked by total (ties share a rank), then those still in progress."""
    rows = {r.id: r for r in indicators.indicators_of(session, system_id)}
    evaluations = of_system(session, system_id)
    entries = {e.id: entries_of(session, e.id) for e in evaluations}
    scored = [e for e in evaluations if e.total is not None and e.state in (S.SCORED.value, S.FED_BACK.value)]
    positions = dict(zip([e.id for e in scored], rules.ranks([e.total or 0.0 for e in scored]), strict=True))
    out: list[Result] = []
    for evaluation in evaluations:
        mine = entries[evaluation.id]
        self_scores = [mine[i].self_score for i in rows if i in mine]
        gaps = [
            Gap(i, _name(row), row.level1, row.max_score, mine[i].score or 0.0)
            for i, row in rows.items()
            if i in mine and mine[i].score is not None and (mine[i].score or 0.0) < row.max_score
        ]
        gaps.sort(key=lambda g: -g.lost)
        out.append(
            Result(
                evaluation_id=evaluation.id,
                unit_id=evaluation.unit_id,
                unit=unit_label(session, evaluation.unit_id),
                state=evaluation.state,
                self_total=_total(self_scores),
                total=evaluation.total if evaluation.id in positions else None,
                grade=evaluation.grade if evaluation.id in positions else "",
                rank=positions.get(evaluation.id),
                gaps=gaps,
            )
        )
    out.sort(key=lambda r: (r.rank is None, r.rank or 0, r.unit))
    return out


def _total(scores: Sequence[float | None]) -> float | None:
    given = [s for s in scores if s is not None]
    return round(sum(given), 1) if given else None


def results_of_year(session: Session, authority_id: int, year: int) -> list[tuple[IndicatorSystem, list[Result]]]:
    query = select(IndicatorSystem).where(IndicatorSystem.authority_id == authority_id, IndicatorSystem.year == year)
    return [(system, results(session, system.id)) for system in session.scalars(query.order_by(IndicatorSystem.target))]


# --- feedback: the 督导反馈意见书 and its 整改 items ---


@dataclass(frozen=True)
class FeedbackItem:
    problem: str
    requirement: str
    deadline: date
    indicator_id: int | None = None


def issue_feedback(
    session: Session,
    evaluation_id: int,
    *,
    opinion: str,
    items: Sequence[FeedbackItem],
    actor: str,
    now: datetime | None = None,
) -> list[Rectification]:
    """The 反馈意见书: the office's opinion and its 整改 items, each issued as a rectification to the unit (signed,
    reported, 复查, 督办/约谈/通报 as any other). Once per evaluation. Does not commit."""
    now = now or session_now(session)
    evaluation = get(session, evaluation_id)
    if evaluation.state == S.FED_BACK.value:
        raise EvaluationError("eval.error.fed_back")
    if evaluation.state != S.SCORED.value:
        raise EvaluationError("eval.error.not_scored")
    if not opinion.strip():
        raise EvaluationError("eval.error.opinion")
    rows = _indicator_rows(session, evaluation)
    today = local_date(now)
    for item in items:
        if not item.problem.strip():
            raise EvaluationError("eval.error.item_problem")
        if item.deadline <= today:
            raise EvaluationError("eval.error.deadline_past", deadline=item.deadline.isoformat())
        if item.indicator_id is not None and item.indicator_id not in rows:
            raise EvaluationError("eval.error.no_indicator")
    issued: list[Rectification] = []
    for item in items:
        row = rect.propose_rectification(
            session,
            authority_id=evaluation.authority_id,
            unit_id=evaluation.unit_id,
            inspector_id=None,
            visit_id=None,
            item=None,
            problem=item.problem[:MAX_NOTE],
            requirement=item.requirement[:MAX_NOTE],
            deadline=item.deadline,
            urgent=False,
            actor=actor,
            now=now,
        )
        rect.issue_rectification(session, row.id, actor=actor, now=now)
        session.add(EvaluationRectification(evaluation_id=evaluation.id, rectification_id=row.id,
                                            indicator_id=item.indicator_id))  # fmt: skip
        issued.append(row)
    evaluation.state, evaluation.fed_back_at = S.FED_BACK.value, now
    paper = documents.issue(
        session,
        kind=DocumentKind.FEEDBACK,
        draft=feedback_draft(session, evaluation, opinion.strip()[:MAX_NOTE], issued),
        subject_type=SUBJECT,
        subject_id=evaluation.id,
        unit_id=evaluation.unit_id,
        actor=actor,
        now=now,
    )
    evaluation.feedback = {
        "opinion": opinion.strip()[:MAX_NOTE],
        "by": actor,
        "rectifications": [r.id for r in issued],
        "document_id": paper.id,
        "document_number": paper.number,
    }
    _audit(session, evaluation, actor, "fed_back", now, rectifications=[r.number for r in issued], number=paper.number)
    session.flush()
    return issued


def feedback_draft(
    session: Session, evaluation: Evaluation, opinion: str, items: Sequence[Rectification]
) -> papers.Draft:
    """The 督导反馈意见书's content: the result, the points lost with the 实地核查 notes, the 整改 items."""
    system = session.get(IndicatorSystem, evaluation.system_id)
    assert system is not None
    mine = next((r for r in results(session, system.id) if r.evaluation_id == evaluation.id), None)
    ranked = [r for r in results(session, system.id) if r.rank is not None]
    entries = entries_of(session, evaluation.id)
    target = t(f"eval.target.{system.target}")
    summary = t(
        "eval.paper.summary",
        total=evaluation.total,
        full=indicators.full_score(session, system.id),
        grade=t(f"eval.grade.{evaluation.grade}"),
        n=len(ranked),
        target=target,
        rank=mine.rank if mine else "—",
    )
    gaps = tuple(
        (str(n), f"{g.level1} / {g.name}", f"{g.max_score:g}", f"{g.score:g}", entries[g.indicator_id].check_note)
        for n, g in enumerate(mine.gaps if mine else [], start=1)
    )
    item_rows = tuple(
        (str(n), r.number, r.problem, r.requirement or r.problem, r.deadline.isoformat())
        for n, r in enumerate(items, start=1)
    )
    sections = [papers.Section(t("eval.paper.overall"), (opinion, summary))]
    if evaluation.field_note:
        sections.append(papers.Section(t("eval.paper.field"), (evaluation.field_note,)))
    if gaps:
        headers = tuple(t(f"eval.paper.gap.{k}") for k in ("n", "indicator", "max", "score", "note"))
        sections.append(papers.Section(t("eval.paper.gaps"), (papers.Grid(rows=gaps, headers=headers),)))
    if item_rows:
        headers = tuple(t(f"eval.paper.item.{k}") for k in ("n", "number", "problem", "requirement", "deadline"))
        sections.append(
            papers.Section(
                t("eval.paper.items"), (papers.Grid(rows=item_rows, headers=headers), t("eval.paper.items_report"))
            )
        )
    return papers.Draft(
        title=documents.kind_label(DocumentKind.FEEDBACK),
        addressee=unit_label(session, evaluation.unit_id),
        body=(t("eval.paper.opening", year=system.year, target=target),),
        sections=tuple(sections),
        closing=(t("eval.paper.closing"),),
    )


def feedback_document(session: Session, evaluation: Evaluation) -> Document | None:
    found = documents.of_subject(session, SUBJECT, evaluation.id)
    return next((d for d in found if d.kind == DocumentKind.FEEDBACK.value), None)


def rectifications_of(session: Session, evaluation_id: int) -> list[Rectification]:
    query = (
        select(Rectification)
        .join(EvaluationRectification, EvaluationRectification.rectification_id == Rectification.id)
        .where(EvaluationRectification.evaluation_id == evaluation_id)
        .order_by(Rectification.id)
    )
    return list(session.scalars(query))


# --- publication ---


def publish(session: Session, system_id: int, *, publish: bool, actor: str, now: datetime | None = None) -> None:
    """The office approves (or withdraws) the year's results for /public. Does not commit."""
    now = now or session_now(session)
    system = session.get(IndicatorSystem, system_id)
    if system is None:
        raise EvaluationError("eval.error.no_system")
    system.published_at, system.published_by = (now, actor) if publish else (None, "")
    record(session, actor, "evaluation.published" if publish else "evaluation.withdrawn", "indicator_system",
           system.id, now=now)  # fmt: skip
    session.flush()


def published_results(session: Session, authority_id: int) -> list[tuple[IndicatorSystem, list[Result]]]:
    """What /public shows: the systems the office approved, newest year first, their scored units only."""
    query = select(IndicatorSystem).where(
        IndicatorSystem.authority_id == authority_id, IndicatorSystem.published_at.is_not(None)
    )
    out = []
    for system in session.scalars(query.order_by(IndicatorSystem.year.desc(), IndicatorSystem.target)):
        out.append((system, [r for r in results(session, system.id) if r.rank is not None]))
    return out
