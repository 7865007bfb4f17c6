"""The steps of the ladder that were CLI-only or missing (issue 15): the 问责 fact-finding and decision, the 报备
of a 约谈 record, 移交 of a visit's finding or a concern, 表扬, and approving what /public shows.

Each action looks the record up inside the person's scope first (404 outside it), then calls one use case
(`escalations`, `referrals`, `commendations`, `publishing`) with `actor="office:<username>"`, one commit each;
a refusal is flashed in Chinese. The forms carry the CSRF token like every office form (`auth`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.domain import rectification as rectification_rules
from backend.domain import referral as referral_rules
from backend.domain.errors import DomainError
from backend.domain.kinds import (
    EscalationLevel,
    EscalationState,
    FilingHow,
    FilingTo,
    PublishedKind,
    ReferralSubject,
)
from backend.services import commendations, escalations, publishing, referrals
from backend.services.office import details, scoped
from backend.store.models import Concern, Escalation, Rectification, Referral, Unit, Visit
from backend.web import args as arguments
from backend.web import today
from backend.web.office.auth import authority, db, office_only, scope
from backend.web.office.blueprint import bp
from messages import t

ACCOUNTABILITY_FIELDS = rectification_rules.ACCOUNTABILITY_FIELDS


def _form(*names: str) -> dict[str, str]:
    return {name: request.form.get(name, "").strip() for name in names}


def _day(name: str) -> date | None:
    """A form's date, or None when empty; a malformed one is refused like a bad query argument."""
    return arguments.date_arg(name, request.form)


def _act(back: ResponseReturnValue, done: str, work: Any) -> ResponseReturnValue:
    """One use case in one transaction; a refusal (or a bad date) is flashed, success says `done`."""
    try:
        with db() as s:
            work(s)
    except arguments.BadArgument as exc:
        flash(exc.reason, "error")
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(t(done), "ok")
    return back


# --- what the record pages show ---------------------------------------------------------------------


@dataclass(frozen=True)
class FactFinding:
    started_on: date | None
    due_on: date | None
    overdue: bool
    days_left: int | None


def fact_finding_of(row: Escalation, today_: date) -> FactFinding:
    investigating = row.state == EscalationState.INVESTIGATING.value
    overdue = rectification_rules.fact_finding_overdue(
        investigating=investigating, due_on=row.fact_finding_due_on, today=today_
    )
    left = (row.fact_finding_due_on - today_).days if investigating and row.fact_finding_due_on else None
    return FactFinding(row.fact_finding_started_on, row.fact_finding_due_on, overdue, left)


def rectification_steps(s: Session, item: Rectification, escalation_rows: list[Escalation]) -> dict[str, Any]:
    """The rectification page's share: 报备 per 约谈, the 问责 row and its fact-finding, what /public would show."""
    talks = [e.id for e in escalation_rows if e.level == EscalationLevel.TALK.value]
    accountability = next((e for e in escalation_rows if e.level == EscalationLevel.ACCOUNTABILITY.value), None)
    entries = {
        e.id: publishing.entry_of(s, e.level, e)
        for e in escalation_rows
        if e.state == EscalationState.CONFIRMED.value and e.level in {k.value for k in PublishedKind}
    }
    return {
        "filings": escalations.filings_of(s, talks),
        "accountability": accountability,
        "fact_finding": fact_finding_of(accountability, today()) if accountability else None,
        "accountability_fields": ACCOUNTABILITY_FIELDS,
        "public_entries": entries,
        "filing_to": list(FilingTo),
        "filing_how": list(FilingHow),
    }


def referrals_of(s: Session, subject_type: str, subject_id: int) -> dict[str, Any]:
    """The visit or concern page's share: its referrals, each with its overdue-receipt flag."""
    found = referrals.of_subject(s, subject_type, subject_id)
    return {
        "referrals": [referrals.Listed(r, _receipt_overdue(r)) for r in found],
        "referral_subject": subject_type,
    }


def _receipt_overdue(row: Referral) -> bool:
    return referral_rules.receipt_overdue(state=row.state, due_on=row.receipt_due_on, today=today())


@dataclass(frozen=True)
class StepsDue:
    """The dashboard's line: fact-findings past their 60 days, referrals whose receipt is late."""

    fact_findings: int
    fact_findings_overdue: int
    receipts_overdue: int


def steps_due(s: Session) -> StepsDue:
    rows = [
        e
        for e in escalations.fact_findings(s, scope().authority_id)
        if details.unit_in_scope(s, scope(), e.unit_id) is not None
    ]
    overdue = sum(1 for e in rows if fact_finding_of(e, today()).overdue)
    late = sum(
        1 for r in referrals.listed(s, scoped.owned(scope(), Referral), today=today(), open_only=True) if r.overdue
    )
    return StepsDue(len(rows), overdue, late)


# --- 问责: fact-finding and decision; 报备 of a 约谈 --------------------------------------------------------


def _rectification_or_404(s: Session, rectification_id: int) -> Rectification:
    found = details.rectification_in_scope(s, scope(), rectification_id)
    if found is None:
        abort(404)
    return found


def _to_rectification(rectification_id: int) -> ResponseReturnValue:
    return redirect(url_for("office.rectification", rectification_id=rectification_id) + "#steps")


@bp.post("/rectifications/<int:rectification_id>/fact-finding")
def rectification_fact_finding(rectification_id: int) -> ResponseReturnValue:
    def work(s: Session) -> None:
        _rectification_or_404(s, rectification_id)
        escalations.start_fact_finding(s, rectification_id, started_on=_day("started_on"), actor=scope().actor)

    return _act(_to_rectification(rectification_id), "steps.done.fact_finding", work)


@bp.post("/rectifications/<int:rectification_id>/accountability")
def rectification_accountability(rectification_id: int) -> ResponseReturnValue:
    def work(s: Session) -> None:
        _rectification_or_404(s, rectification_id)
        escalations.record_accountability(
            s,
            rectification_id,
            record=_form(*ACCOUNTABILITY_FIELDS),
            actor=scope().actor,
            repeat=request.form.get("repeat") == "1",
            repeat_reason=request.form.get("repeat_reason", ""),
        )

    return _act(_to_rectification(rectification_id), "steps.done.accountability", work)


@bp.post("/rectifications/<int:rectification_id>/escalation/<int:escalation_id>/filing")
def rectification_filing(rectification_id: int, escalation_id: int) -> ResponseReturnValue:
    def work(s: Session) -> None:
        _rectification_or_404(s, rectification_id)
        row = s.get(Escalation, escalation_id)
        if row is None or row.rectification_id != rectification_id:
            abort(404)
        filed_on = _day("filed_on")
        if filed_on is None:
            raise arguments.BadArgument("filed_on", t("steps.error.filed_on"))
        escalations.add_filing(
            s,
            escalation_id,
            to_kind=request.form.get("to_kind", ""),
            to_name=request.form.get("to_name", ""),
            filed_on=filed_on,
            how=request.form.get("how", ""),
            note=request.form.get("note", ""),
            actor=scope().actor,
        )

    return _act(_to_rectification(rectification_id), "steps.done.filing", work)


# --- 移交 ---------------------------------------------------------------------------------------------


def _subject_in_scope(s: Session, subject_type: str, subject_id: int) -> Visit | Concern:
    if subject_type == ReferralSubject.CONCERN.value:
        concern = details.concern_in_scope(s, scope(), subject_id)
        if concern is None:
            abort(404)
        return concern
    visit = s.get(Visit, subject_id)
    if visit is None or details.unit_in_scope(s, scope(), visit.unit_id) is None:
        abort(404)
    return visit


def _to_subject(subject_type: str, subject_id: int) -> ResponseReturnValue:
    if subject_type == ReferralSubject.CONCERN.value:
        return redirect(url_for("office.concern", concern_id=subject_id) + "#referrals")
    return redirect(url_for("office.visit", visit_id=subject_id) + "#referrals")


@bp.post("/<any(visit, concern):subject_type>s/<int:subject_id>/referrals")
def referral_new(subject_type: str, subject_id: int) -> ResponseReturnValue:
    def work(s: Session) -> None:
        _subject_in_scope(s, subject_type, subject_id)
        referrals.refer(
            s,
            subject_type,
            subject_id,
            department=request.form.get("department", ""),
            matter=request.form.get("matter", ""),
            referred_on=_day("referred_on"),
            actor=scope().actor,
        )

    return _act(_to_subject(subject_type, subject_id), "steps.done.referral", work)


def _referral_in_scope(s: Session, referral_id: int) -> Referral:
    row = s.get(Referral, referral_id)
    if row is None:
        abort(404)
    _subject_in_scope(s, row.subject_type, row.subject_id)
    return row


def _referral_step(referral_id: int, done: str, step: Any) -> ResponseReturnValue:
    with db() as s:
        row = _referral_in_scope(s, referral_id)
        back = _to_subject(row.subject_type, row.subject_id)
    if request.form.get("back") == "steps":
        back = redirect(url_for("office.steps") + "#referrals")
    return _act(back, done, step)


@bp.post("/referrals/<int:referral_id>/receipt")
def referral_receipt(referral_id: int) -> ResponseReturnValue:
    def work(s: Session) -> None:
        _referral_in_scope(s, referral_id)
        referrals.record_receipt(
            s, referral_id, received_on=_day("received_on"), note=request.form.get("note", ""), actor=scope().actor
        )

    return _referral_step(referral_id, "steps.done.receipt", work)


@bp.post("/referrals/<int:referral_id>/outcome")
def referral_outcome(referral_id: int) -> ResponseReturnValue:
    def work(s: Session) -> None:
        _referral_in_scope(s, referral_id)
        referrals.record_outcome(
            s,
            referral_id,
            outcome=request.form.get("outcome", ""),
            concluded_on=_day("concluded_on"),
            actor=scope().actor,
        )

    return _referral_step(referral_id, "steps.done.outcome", work)


# --- 督导程序: the lists; 表扬; publishing ---------------------------------------------------------------


@dataclass(frozen=True)
class Investigation:
    escalation: Escalation
    item: Rectification
    unit: str
    fact_finding: FactFinding


@bp.get("/steps")
def steps() -> ResponseReturnValue:
    with db() as s:
        auth = authority(s)
        investigations = []
        for row in escalations.fact_findings(s, auth.id):
            item = s.get(Rectification, row.rectification_id)
            if item is None or details.unit_in_scope(s, scope(), item.unit_id) is None:
                continue
            unit = s.get(Unit, item.unit_id)
            investigations.append(Investigation(row, item, unit.name if unit else "", fact_finding_of(row, today())))
        listed = referrals.listed(s, scoped.owned(scope(), Referral), today=today())
        unit_ids = {r.referral.unit_id for r in listed}
        units = {i: n for i, n in s.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids)))}
        shown = {
            "investigations": investigations,
            "referrals": listed,
            "referral_units": units,
            "commendations": commendations.listed(s, auth.id) if scope().is_office else [],
            "candidates": publishing.candidates(s, auth.id) if scope().is_office else None,
            "schools": s.query(Unit)
            .filter(Unit.authority_id == auth.id, Unit.active.is_(True))
            .order_by(Unit.code)
            .all()
            if scope().is_office
            else [],
        }
        return render_template("office/steps.html", today=today(), **shown)


def _units(s: Session, authority_id: int) -> list[Unit]:
    """The units a commendation may name: the authority's active schools, townships and departments."""
    query = select(Unit).where(Unit.authority_id == authority_id, Unit.active.is_(True)).order_by(Unit.code)
    return list(s.scalars(query))


@bp.post("/commendations")
@office_only
def commendation_new() -> ResponseReturnValue:
    def work(s: Session) -> None:
        commended_on = _day("commended_on")
        if commended_on is None:
            raise arguments.BadArgument("commended_on", t("steps.error.commended_on"))
        commendations.record_commendation(
            s,
            scope().authority_id,
            unit_id=arguments.id_arg("unit", request.form),
            person_name=request.form.get("person_name", ""),
            reason=request.form.get("reason", ""),
            commended_on=commended_on,
            document_number=request.form.get("document_number", ""),
            actor=scope().actor,
        )

    return _act(redirect(url_for("office.steps") + "#commendations"), "steps.done.commendation", work)


def _published_back(kind: str, record_id: int) -> ResponseReturnValue:
    if request.form.get("back") == "rectification":
        with db() as s:
            row = s.get(Escalation, record_id) if kind != PublishedKind.COMMENDATION.value else None
            if row is not None:
                return _to_rectification(row.rectification_id)
    return redirect(url_for("office.steps") + "#publishing")


@bp.post("/publish/<any(circular, accountability, commendation):kind>/<int:record_id>")
@office_only
def publish(kind: str, record_id: int) -> ResponseReturnValue:
    approve = request.form.get("decision", "approve") == "approve"

    def work(s: Session) -> None:
        step = publishing.approve if approve else publishing.unpublish
        step(s, kind, record_id, authority_id=scope().authority_id, actor=scope().actor)

    done = "steps.done.published" if approve else "steps.done.unpublished"
    return _act(_published_back(kind, record_id), done, work)
