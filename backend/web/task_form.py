"""The check form inside WeChat's browser (`/f/check?k=<signed link>`): the whole checklist on one phone page, photos
uploaded per item, a draft saved as often as wanted, and 提交 — through `backend.services.task_checks`, the very use
cases the chat calls, so both give the same record.

The link (`backend.services.form_links`, subject `task_check:<target id>`) says whom it was sent to; every request
checks that this WeChat user is still the inspector the check is assigned to. Photos are measured from their header
before anything else (`images.measure`: a bomb is never decoded), 8 MB each, 9 per item; posts come from our own
pages only (Origin / Referer).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, make_response, render_template, request
from sqlalchemy.orm import Session

from backend.domain.checks import AnswerRefused
from backend.domain.kinds import AnswerType, CheckState, Role
from backend.services import identity, images, task_checks
from backend.services.form_links import FormLink
from backend.services.task_desk import summary
from backend.web import form_pages, runtime
from messages import t

bp = Blueprint("task_form", __name__)
form_pages.register(bp)

MAX_PHOTO_BYTES = 8 * 1024 * 1024


@bp.context_processor
def _words() -> dict[str, Any]:
    return {"t": t}


def _headers(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"  # the signed link goes to no other site
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _inspector_of(session: Session, link: FormLink) -> int | None:
    """The inspector the link's openid is still bound to, or None (unbound, or no inspector any more)."""
    who = identity.who(session, identity.get_or_create(session, link.openid))
    return who.inspector_id if who.role == Role.INSPECTOR.value else None


@dataclass
class Entered:
    """What the form holds for one item, as posted (to show it again beside an error)."""

    value: str = ""
    remark: str = ""
    skipped: bool = False


def _page(
    check: task_checks.CheckView, *, entered: dict[int, Entered], errors: list[str], notice: str, status: int
) -> Response:
    shown = {
        i.id: entered.get(i.id)
        or Entered(
            value=_as_form_value(i, check.answers[i.id].value) if i.id in check.answers else "",
            remark=check.answers[i.id].remark if i.id in check.answers else "",
            skipped=bool(i.id in check.answers and check.answers[i.id].skipped),
        )
        for i in check.items
    }
    html = render_template(
        "public/check_form.html",
        check=check,
        shown=shown,
        errors=errors,
        notice=notice,
        token=form_pages.token(),
        kind=t(f"task.kind.{check.task_kind}"),
        ends=f"{check.ends_on.month}月{check.ends_on.day}日",
        answer_types=AnswerType,
        num=_num,
    )
    return _headers(make_response(html, status))


def _as_form_value(item: task_checks.ItemView, stored: str) -> str:
    """A stored answer as the form's control holds it (the radio buttons carry the numbers the chat shows)."""
    if item.answer_type == AnswerType.YES_NO.value:
        return {"是": "1", "否": "2"}.get(stored, "")
    if item.answer_type == AnswerType.CHOICE.value and stored in item.options:
        return str(item.options.index(stored) + 1)
    return stored


def _num(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _message(title: str, body: str, status: int) -> Response:
    return _headers(make_response(render_template("public/message.html", title=title, body=body), status))


@bp.get("/f/check")
def show() -> Response:
    link = form_pages.linked(task_checks.FORM_SUBJECT)
    target_id = link.subject_id(task_checks.FORM_SUBJECT)
    with runtime().db.session() as session:
        opened = _open_check(session, link, target_id)
        if isinstance(opened, Response):
            return opened
        check, _inspector_id = opened
        return _page(check, entered={}, errors=[], notice="", status=200)


def _open_check(session: Session, link: FormLink, target_id: int) -> Response | tuple[Any, int]:
    """The check this link opens and its inspector, or the page that says why it opens nothing."""
    inspector_id = _inspector_of(session, link)
    if inspector_id is None:
        return form_pages.refused_page("not_yours", 403)
    try:
        check = task_checks.view(session, target_id, inspector_id)
    except task_checks.CheckError:
        return form_pages.refused_page("not_yours", 403)
    if check.state == CheckState.DONE.value:
        return _message(t("check.form.done_title"), t("check.form.already_done"), 200)
    if not check.task_open:
        return _message(t("check.form.title"), t("check.error.task_closed"), 410)
    return check, inspector_id


@bp.post("/f/check")
def save() -> Response:
    link = form_pages.linked(task_checks.FORM_SUBJECT)
    target_id = link.subject_id(task_checks.FORM_SUBJECT)
    if not form_pages.same_origin():
        return form_pages.refused_page("tampered", 403)
    submit = request.form.get("action") == "submit"
    rt = runtime()
    with rt.db.session() as session:
        opened = _open_check(session, link, target_id)
        if isinstance(opened, Response):
            return opened
        check, inspector_id = opened
        entered, errors = _record(session, check, inspector_id, rt.config.media_dir)
        check = task_checks.view(session, target_id, inspector_id)
        if errors or not submit:
            saved = t("check.form.saved", answered=check.answered, items=len(check.items))
            return _page(
                check, entered=entered, errors=errors, notice="" if errors else saved, status=400 if errors else 200
            )
        try:
            done = task_checks.finish(session, target_id, inspector_id, source="form")
        except task_checks.CheckError as refused:
            return _page(check, entered=entered, errors=[refused.message], notice="", status=400)
        body = summary(done, check) + "\n\n" + t("check.form.done_body")
        html = render_template("public/check_done.html", title=t("check.form.done_title"), body=body)
        return _headers(make_response(html, 200))


def _record(
    session: Session, check: task_checks.CheckView, inspector_id: int, media_dir: Any
) -> tuple[dict[int, Entered], list[str]]:
    """Every item of the posted form through the check's use cases; what was entered, and the problems per item."""
    entered: dict[int, Entered] = {}
    errors: list[str] = []
    for item in check.items:
        got = Entered(
            value=request.form.get(f"a-{item.id}", "").strip(),
            remark=request.form.get(f"r-{item.id}", "").strip(),
            skipped=request.form.get(f"s-{item.id}") == "1",
        )
        entered[item.id] = got
        for upload in [f for f in request.files.getlist(f"p-{item.id}") if f and f.filename]:
            content = upload.read(MAX_PHOTO_BYTES + 1)
            try:
                if len(content) > MAX_PHOTO_BYTES:
                    raise images.BadImage("too_big")
                kind, _size = images.measure(content)  # the header only: a bomb is never decoded
                task_checks.attach_photo(
                    session,
                    check.target_id,
                    inspector_id,
                    item.id,
                    content=content,
                    content_type=kind,
                    media_dir=media_dir,
                    source="form",
                )
            except (images.BadImage, task_checks.CheckError) as bad:
                reason = bad.message if isinstance(bad, task_checks.CheckError) else t("check.form.photo_bad")
                errors.append(t("check.form.error_item", number=item.number, reason=reason))
        try:
            if got.skipped:
                task_checks.skip(session, check.target_id, inspector_id, item.id, source="form")
            elif got.value:
                task_checks.answer(
                    session, check.target_id, inspector_id, item.id, got.value, remark=got.remark, source="form"
                )
        except (AnswerRefused, task_checks.CheckError) as refused:
            errors.append(t("check.form.error_item", number=item.number, reason=refused.message))
    return entered, errors
