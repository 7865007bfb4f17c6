"""The 督政 pages outside the office web (issue 15): the unit's 自评 form inside WeChat's browser, reached by the
signed link of its notice (`/f/evaluation?k=…`, `backend.services.form_links`), and the results the office
approved for `/public/evaluations`.

The link names the contact it was sent to and this evaluation; every request checks that contact is still bound to
the unit, and a post must also come from our own page (Origin or Referer). Uploads are measured before anything
decodes them (`evaluations.attachment_kind`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, make_response, render_template, request
from werkzeug.datastructures import FileStorage

from backend.domain.errors import DomainError
from backend.domain.kinds import EvaluationState
from backend.services import evaluations, indicators
from backend.services.authority import current_authority
from backend.store.models import Evaluation, IndicatorSystem, Unit
from backend.web import form_pages, runtime
from backend.web.office.blueprint import WEB_DIR
from messages import t

bp = Blueprint("evaluation_pages", __name__, template_folder=str(WEB_DIR / "templates"))
form_pages.register(bp)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"  # the link's token goes to no other site
    return response


def _evaluation_id() -> int | None:
    """The evaluation the request's link opens, if its contact is still bound to the unit; raises LinkRefused."""
    link = form_pages.linked(evaluations.LINK_KIND)
    evaluation_id = link.subject_id(evaluations.LINK_KIND)
    with runtime().db.session() as session:
        evaluation = session.get(Evaluation, evaluation_id)
        if evaluation is None or not evaluations.entitled(session, evaluation, link.openid):
            return None
    return evaluation_id


def _page(evaluation_id: int, *, notes: list[str], errors: list[str], status: int = 200) -> Response:
    with runtime().db.session() as session:
        evaluation = evaluations.get(session, evaluation_id)
        system = session.get(IndicatorSystem, evaluation.system_id)
        unit = session.get(Unit, evaluation.unit_id)
        assert system is not None and unit is not None
        html = render_template(
            "public/evaluation_form.html",
            token=form_pages.token(),
            evaluation=evaluation,
            system=system,
            unit=unit,
            rows=indicators.indicators_of(session, system.id),
            entries=evaluations.entries_of(session, evaluation.id),
            files=evaluations.attachments_of(session, evaluation.id),
            editable=evaluation.state in (EvaluationState.OPEN.value, EvaluationState.SUBMITTED.value),
            notes=notes,
            errors=errors,
        )
    return _no_store(make_response(html, status))


def _not_yours() -> Response:
    return form_pages.refused_page("not_yours", 403)


@bp.get(evaluations.FORM_PATH)
def form() -> Response:
    evaluation_id = _evaluation_id()
    if evaluation_id is None:
        return _not_yours()
    return _page(evaluation_id, notes=[], errors=[])


def _same_origin() -> bool:
    claimed = request.headers.get("Origin") or request.headers.get("Referer")
    if not claimed or claimed == "null":
        return False
    return urlsplit(claimed).netloc in {request.host, urlsplit(runtime().config.public_url).netloc}


@bp.post(evaluations.FORM_PATH)
def submit() -> Response:
    evaluation_id = _evaluation_id()
    if evaluation_id is None or not _same_origin():
        return _not_yours()
    submit_now = request.form.get("submit") == "1"
    rt = runtime()
    errors: list[str] = []
    with rt.db.session() as session:
        evaluation = evaluations.get(session, evaluation_id)
        actor = f"unit:{evaluation.unit_id}"
        rows = indicators.indicators_of(session, evaluation.system_id)
        answers: dict[int, evaluations.Answer] = {}
        for row in rows:
            raw = request.form.get(f"score_{row.id}")
            if raw is None:
                continue
            try:
                score = evaluations.parse_score(raw[:20])
            except DomainError as bad:
                errors.append(bad.message)
                continue
            answers[row.id] = evaluations.Answer(score, request.form.get(f"note_{row.id}", "")[: evaluations.MAX_NOTE])
        try:
            evaluations.save_self_evaluation(session, evaluation.id, answers, submit=False, actor=actor)
            for row in rows:
                for upload in _uploads(f"files_{row.id}"):
                    try:
                        evaluations.add_attachment(
                            session, rt.config.media_dir, evaluation.id, row.id, content=upload, actor=actor
                        )
                    except DomainError as bad:
                        errors.append(f"{row.level3 or row.level2}：{bad.message}")
            if submit_now and not errors:
                evaluations.save_self_evaluation(session, evaluation.id, {}, submit=True, actor=actor)
        except DomainError as refused:
            errors.append(refused.message)
    if errors:
        return _page(evaluation_id, notes=[], errors=sorted(set(errors)), status=400)
    note = t("eval.form.submitted") if submit_now else t("eval.form.saved")
    return _page(evaluation_id, notes=[note], errors=[])


def _uploads(name: str) -> list[bytes]:
    """The files of one input, each read up to one byte past the limit (a bigger one is refused, not decoded)."""
    files: list[FileStorage] = [f for f in request.files.getlist(name) if f and f.filename]
    return [f.read(evaluations.MAX_ATTACHMENT_BYTES + 1) for f in files[: evaluations.MAX_ATTACHMENTS + 1]]


@bp.get("/public/evaluations")
def published() -> Response:
    with runtime().db.session() as session:
        authority = current_authority(session)
        found = evaluations.published_results(session, authority.id)
        html = render_template("public/evaluations.html", found=found, authority=authority)
    response = make_response(html)
    response.headers["Cache-Control"] = "no-cache"
    return response
