"""督政 in the office web (issue 15): indicator systems per year (import, export, example, copy, change a row with a
reason, grade thresholds), opening the year's evaluation, scoring each unit with 实地核查 notes (or filling in
its 自评 on its behalf), the results and ranking, the 反馈意见书 with its 整改 items, publication on /public.
Office admins only."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from backend.domain import evaluation as rules
from backend.domain.errors import DomainError
from backend.domain.kinds import EvaluationState, EvaluationTarget
from backend.services import evaluations, indicators, media
from backend.store.models import Document, Evaluation, EvaluationEntry, Indicator, IndicatorSystem, Media, Unit
from backend.web import args as arguments
from backend.web import runtime, today
from backend.web.office.auth import authority, db, office_only, scope
from backend.web.office.blueprint import bp
from backend.web.office.documents import RECORD_PAGES
from backend.web.office.downloads import attachment
from messages import t

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _evaluation_page(_session: Session, document: Document) -> str | None:
    return url_for("office.evaluation_unit", evaluation_id=document.subject_id) if document.subject_id else None


# the register links a 督导反馈意见书 to the evaluation it was issued for
RECORD_PAGES[evaluations.SUBJECT] = _evaluation_page
MAX_FEEDBACK_ITEMS = 10


def _links() -> evaluations.Links:
    config = runtime().config
    return evaluations.Links(secret=config.secret_key, public_url=config.public_url)


def _target(value: str) -> EvaluationTarget:
    try:
        return EvaluationTarget(value)
    except ValueError:
        raise arguments.BadArgument("target", t("eval.error.target", value=value[:20])) from None


def _system_or_404(session: Session, system_id: int) -> IndicatorSystem:
    system = session.get(IndicatorSystem, system_id)
    if system is None or system.authority_id != authority(session).id:
        abort(404)
    return system


@bp.get("/evaluation")
@office_only
def evaluation_home() -> ResponseReturnValue:
    year = arguments.year_arg("year", today().year)
    with db() as s:
        me = authority(s)
        systems = [x for x in indicators.systems_of(s, me.id) if x.year == year]
        years = sorted({x.year for x in indicators.systems_of(s, me.id)} | {year, today().year}, reverse=True)
        blocks = [
            {
                "system": system,
                "rows": len(indicators.indicators_of(s, system.id)),
                "full": indicators.full_score(s, system.id),
                "results": evaluations.results(s, system.id),
            }
            for system in systems
        ]
        return render_template(
            "office/evaluation.html",
            year=year,
            years=years,
            blocks=blocks,
            targets=list(EvaluationTarget),
            default_deadline=date(year, 12, 20) if date(year, 12, 20) > today() else None,
        )


@bp.post("/evaluation/import")
@office_only
def evaluation_import() -> ResponseReturnValue:
    year = _form_year()
    target = _target(request.form.get("target", ""))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(t("office.import.no_file"), "error")
        return redirect(url_for("office.evaluation_home", year=year))
    reason = request.form.get("reason", "")[:200]
    with db() as s:
        report = indicators.import_bytes(
            s, authority(s).id, upload.read(), upload.filename, year=year, target=target, actor=scope().actor,
            reason=reason,
        )  # fmt: skip
        full = indicators.full_score(s, report.system_id) if report.system_id else 0
    if report.ok:
        flash(t("eval.import.done", year=year, target=t(f"eval.target.{target.value}"), rows=report.rows, full=full),
              "ok")  # fmt: skip
    else:
        flash(t("eval.import.failed", n=len(report.problems)) + "；".join(report.problems[:20]), "error")
    return redirect(url_for("office.evaluation_home", year=year))


def _form_year() -> int:
    value = arguments.optional_int("year", arguments.FIRST_DAY.year, arguments.LAST_DAY.year, request.form)
    return value if value is not None else today().year


@bp.post("/evaluation/example")
@office_only
def evaluation_example() -> ResponseReturnValue:
    year = _form_year()
    target = _target(request.form.get("target", ""))
    with db() as s:
        report = indicators.load_example(s, authority(s).id, year=year, target=target, actor=scope().actor)
    flash(t("eval.import.done", year=year, target=t(f"eval.target.{target.value}"), rows=report.rows, full=100), "ok")
    return redirect(url_for("office.evaluation_home", year=year))


@bp.get("/evaluation/example/<target>.csv")
@office_only
def evaluation_example_file(target: str) -> ResponseReturnValue:
    kind = _target(target)
    return attachment(indicators.example_bytes(kind), indicators.EXAMPLES[kind], "text/csv")


@bp.get("/evaluation/systems/<int:system_id>")
@office_only
def evaluation_system(system_id: int) -> ResponseReturnValue:
    with db() as s:
        system = _system_or_404(s, system_id)
        return render_template(
            "office/evaluation_system.html",
            system=system,
            rows=indicators.indicators_of(s, system.id),
            full=indicators.full_score(s, system.id),
            changes=indicators.changes_of(s, system.id),
            grades=rules.thresholds(system.grades),
        )


@bp.get("/evaluation/systems/<int:system_id>.xlsx")
@office_only
def evaluation_export(system_id: int) -> ResponseReturnValue:
    with db() as s:
        system = _system_or_404(s, system_id)
        data = indicators.export_xlsx(s, system.id)
        name = f"{system.name}.xlsx"
    return attachment(data, name, XLSX)


@bp.post("/evaluation/systems/<int:system_id>/copy")
@office_only
def evaluation_copy(system_id: int) -> ResponseReturnValue:
    with db() as s:
        system = _system_or_404(s, system_id)
        year, target = system.year + 1, EvaluationTarget(system.target)
        try:
            indicators.copy_year(s, authority(s).id, year=year, target=target, actor=scope().actor)
        except DomainError as refused:
            flash(refused.message, "error")
            return redirect(url_for("office.evaluation_home", year=system.year))
    flash(t("eval.office.copied", year=year), "ok")
    return redirect(url_for("office.evaluation_home", year=year))


@bp.post("/evaluation/indicators/<int:indicator_id>")
@office_only
def evaluation_indicator(indicator_id: int) -> ResponseReturnValue:
    form = request.form
    with db() as s:
        row = s.get(Indicator, indicator_id)
        if row is None:
            abort(404)
        system = _system_or_404(s, row.system_id)
        try:
            indicators.change_indicator(
                s, row.id, actor=scope().actor, reason=form.get("reason", "")[: rules.MAX_TEXT],
                max_score=evaluations.parse_score(form.get("max_score", "")[:20]),
                rule=form.get("rule", "")[: rules.MAX_TEXT], evidence=form.get("evidence", "")[: rules.MAX_TEXT],
            )  # fmt: skip
        except DomainError as refused:
            s.rollback()
            flash(refused.message, "error")
        else:
            flash(t("eval.office.saved"), "ok")
        return redirect(url_for("office.evaluation_system", system_id=system.id))


@bp.post("/evaluation/systems/<int:system_id>/grades")
@office_only
def evaluation_grades(system_id: int) -> ResponseReturnValue:
    with db() as s:
        system = _system_or_404(s, system_id)
        try:
            grades = {k: evaluations.parse_score(request.form.get(k, "")[:20]) for k in rules.DEFAULT_GRADES}
            indicators.set_grades(s, system.id, {k: v for k, v in grades.items() if v is not None},
                                  actor=scope().actor, reason=request.form.get("reason", "")[:200])  # fmt: skip
        except DomainError as refused:
            s.rollback()
            flash(refused.message, "error")
        else:
            flash(t("eval.office.saved"), "ok")
        return redirect(url_for("office.evaluation_system", system_id=system.id))


@bp.post("/evaluation/systems/<int:system_id>/open")
@office_only
def evaluation_open(system_id: int) -> ResponseReturnValue:
    deadline = arguments.date_arg("deadline", request.form)
    with db() as s:
        system = _system_or_404(s, system_id)
        year = system.year
        if deadline is None:
            flash(t("eval.error.deadline_past", deadline="—"), "error")
            return redirect(url_for("office.evaluation_home", year=year))
        try:
            opened = evaluations.open_for_units(s, system.id, deadline=deadline, actor=scope().actor, links=_links())
        except DomainError as refused:
            s.rollback()
            flash(refused.message, "error")
            return redirect(url_for("office.evaluation_home", year=year))
    flash(t("eval.office.opened", n=len(opened)), "ok")
    return redirect(url_for("office.evaluation_home", year=year))


@bp.post("/evaluation/systems/<int:system_id>/publish")
@office_only
def evaluation_publish(system_id: int) -> ResponseReturnValue:
    publish = request.form.get("publish") == "1"
    with db() as s:
        system = _system_or_404(s, system_id)
        year = system.year
        evaluations.publish(s, system.id, publish=publish, actor=scope().actor)
    flash(t("eval.office.published" if publish else "eval.office.withdrawn"), "ok")
    return redirect(url_for("office.evaluation_home", year=year))


# --- one unit's evaluation ---


def _evaluation_or_404(session: Session, evaluation_id: int) -> Evaluation:
    row = session.get(Evaluation, evaluation_id)
    if row is None or row.authority_id != authority(session).id:
        abort(404)
    return row


@bp.get("/evaluation/<int:evaluation_id>")
@office_only
def evaluation_unit(evaluation_id: int) -> ResponseReturnValue:
    with db() as s:
        row = _evaluation_or_404(s, evaluation_id)
        system = _system_or_404(s, row.system_id)
        unit = s.get(Unit, row.unit_id)
        result = next((r for r in evaluations.results(s, system.id) if r.evaluation_id == row.id), None)
        return render_template(
            "office/evaluation_unit.html",
            evaluation=row,
            system=system,
            unit=unit,
            rows=indicators.indicators_of(s, system.id),
            entries=evaluations.entries_of(s, row.id),
            files=evaluations.attachments_of(s, row.id),
            result=result,
            rectifications=evaluations.rectifications_of(s, row.id),
            papers=[p for p in [evaluations.feedback_document(s, row)] if p is not None],
            states=EvaluationState,
            item_slots=2,
            default_item_deadline=None,
        )


def _answers(form: MultiDict[str, str], prefix: str, note_prefix: str, ids: list[int]) -> dict[int, evaluations.Answer]:
    answers: dict[int, evaluations.Answer] = {}
    for indicator_id in ids:
        raw = form.get(f"{prefix}{indicator_id}")
        if raw is None:
            continue
        answers[indicator_id] = evaluations.Answer(
            evaluations.parse_score(raw[:20]), form.get(f"{note_prefix}{indicator_id}", "")[: evaluations.MAX_NOTE]
        )
    return answers


@bp.post("/evaluation/<int:evaluation_id>/score")
@office_only
def evaluation_score(evaluation_id: int) -> ResponseReturnValue:
    finish = request.form.get("finish") == "1"
    with db() as s:
        row = _evaluation_or_404(s, evaluation_id)
        ids = [i.id for i in indicators.indicators_of(s, row.system_id)]
        try:
            scores = _answers(request.form, "score_", "check_", ids)
            evaluations.score(s, row.id, scores, field_note=request.form.get("field_note", "")[:evaluations.MAX_NOTE],
                              finish=finish, actor=scope().actor)  # fmt: skip
        except DomainError as refused:
            s.rollback()
            flash(refused.message, "error")
            return redirect(url_for("office.evaluation_unit", evaluation_id=evaluation_id))
        message = t("eval.office.finished", total=row.total, grade=t(f"eval.grade.{row.grade}")) if finish else None
    flash(message or t("eval.office.saved"), "ok")
    return redirect(url_for("office.evaluation_unit", evaluation_id=evaluation_id))


@bp.post("/evaluation/<int:evaluation_id>/links")
@office_only
def evaluation_links(evaluation_id: int) -> ResponseReturnValue:
    """Send the form's link to the unit's contacts bound since the evaluation was opened."""
    with db() as s:
        row = _evaluation_or_404(s, evaluation_id)
        sent = evaluations.resend_links(s, row.id, actor=scope().actor, links=_links())
    flash(t("eval.office.links_sent", n=sent), "ok")
    return redirect(url_for("office.evaluation_unit", evaluation_id=evaluation_id))


@bp.post("/evaluation/<int:evaluation_id>/self")
@office_only
def evaluation_self(evaluation_id: int) -> ResponseReturnValue:
    """The office fills in the 自评 on the unit's behalf (a unit without WeChat, a paper form)."""
    with db() as s:
        row = _evaluation_or_404(s, evaluation_id)
        ids = [i.id for i in indicators.indicators_of(s, row.system_id)]
        try:
            answers = _answers(request.form, "self_", "self_note_", ids)
            evaluations.save_self_evaluation(s, row.id, answers, submit=True, actor=scope().actor)
        except DomainError as refused:
            s.rollback()
            flash(refused.message, "error")
            return redirect(url_for("office.evaluation_unit", evaluation_id=evaluation_id))
    flash(t("eval.form.submitted"), "ok")
    return redirect(url_for("office.evaluation_unit", evaluation_id=evaluation_id))


@bp.post("/evaluation/<int:evaluation_id>/feedback")
@office_only
def evaluation_feedback(evaluation_id: int) -> ResponseReturnValue:
    form = request.form
    items: list[evaluations.FeedbackItem] = []
    for n in range(1, MAX_FEEDBACK_ITEMS + 1):
        problem = form.get(f"problem_{n}", "").strip()
        if not problem:
            continue
        deadline = arguments.date_arg(f"deadline_{n}", form)
        if deadline is None:
            raise arguments.BadArgument(f"deadline_{n}", t("visits.api.reason.date"))
        indicator_id = arguments.id_arg(f"indicator_{n}", form)
        items.append(evaluations.FeedbackItem(problem[:2000], form.get(f"requirement_{n}", "")[:2000], deadline,
                                              indicator_id))  # fmt: skip
    with db() as s:
        row = _evaluation_or_404(s, evaluation_id)
        try:
            issued = evaluations.issue_feedback(s, row.id, opinion=form.get("opinion", "")[:2000], items=items,
                                                actor=scope().actor)  # fmt: skip
        except DomainError as refused:
            s.rollback()
            flash(refused.message, "error")
            return redirect(url_for("office.evaluation_unit", evaluation_id=evaluation_id))
    flash(t("eval.office.issued", n=len(issued)), "ok")
    return redirect(url_for("office.evaluation_unit", evaluation_id=evaluation_id))


@bp.get("/evaluation/files/<int:media_id>")
@office_only
def evaluation_file(media_id: int) -> ResponseReturnValue:
    with db() as s:
        kept = s.get(Media, media_id)
        if kept is None or kept.owner_type != evaluations.ATTACHMENT_OWNER:
            abort(404)
        entry = s.get(EvaluationEntry, kept.owner_id)
        if entry is None:
            abort(404)
        _evaluation_or_404(s, entry.evaluation_id)
        path = media.path_of(kept, runtime().config.media_dir)
        content_type = kept.content_type
    if path is None:
        abort(404)
    response = send_file(path, mimetype=content_type or "application/octet-stream", as_attachment=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
