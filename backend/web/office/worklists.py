"""Work lists: concerns, rectifications and visits, with filters, details, history and photos, and the actions.

Every detail is looked up inside the person's scope first (a zone leader gets 404 for another zone's item,
as if it did not exist); the actions then call the use cases of the concerns and rectification services with
`actor="office:<username>"`, one commit each.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from werkzeug.datastructures import MultiDict

from backend.domain.errors import TransitionRefused
from backend.domain.kinds import ConcernState, EscalationLevel, RectificationState
from backend.services import concerns as concern_service
from backend.services import documents as document_service
from backend.services import escalations as escalation_service
from backend.services import list_filters, undelivered
from backend.services import rectifications as rectification_service
from backend.services.media import media_of, path_of
from backend.services.office import details, figures, scoped
from backend.services.office import worklists as lists
from backend.store.models import Concern, Escalation, ExtensionRequest, Inspector, Media, Rectification, Visit, Zone
from backend.web import args as arguments
from backend.web import runtime, today
from backend.web.office.auth import authority, db, scope
from backend.web.office.blueprint import bp
from messages import t

PER_PAGE = 50
CONCERN_ACTIONS = ("acknowledge", "answer", "not_substantiated", "refer", "close")


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def filters_from(args: MultiDict[str, str]) -> list_filters.ListFilters:
    """The list filters in the query string; a zone leader's zone is forced by the scope whatever is asked."""
    return list_filters.ListFilters(
        state=args.get("state", ""),
        item=args.get("item", ""),
        zone_id=arguments.id_arg("zone", args) if scope().is_office else None,
        school=args.get("school", "").strip(),
        inspector=args.get("inspector", "").strip(),
        overdue=True if args.get("overdue") == "1" else None,
        level=arguments.optional_int("level", 0, 4, args),
        pending=args.get("pending", ""),
        since=arguments.date_arg("since", args),
        until=arguments.date_arg("until", args),
    )


def page_number() -> int:
    return arguments.int_arg("page", 1, 1, 1_000_000)


def _choices(session: Session) -> dict[str, Any]:
    return {"zones": lists.zones_in(session, scope()), "items": scoped.items_of(authority(session))}


# --- concerns -----------------------------------------------------------------------------------------


@bp.get("/concerns")
def concerns() -> ResponseReturnValue:
    filters = filters_from(request.args)
    with db() as s:
        page = lists.concern_list(s, scope(), filters, today=today(), page=page_number(), per_page=PER_PAGE)
        choices = _choices(s)
    item_names = {str(i["code"]): str(i["name"]) for i in choices["items"]}  # the authority's own list
    return render_template(
        "office/concerns.html",
        page=page,
        filters=filters,
        today=today(),
        states=list(ConcernState),
        item_names=item_names,
        **choices,
    )


def _concern_or_404(s: Session, concern_id: int) -> Concern:
    found = details.concern_in_scope(s, scope(), concern_id)
    if found is None:
        abort(404)
    return found


@bp.get("/concerns/<int:concern_id>")
def concern(concern_id: int) -> ResponseReturnValue:
    with db() as s:
        item = _concern_or_404(s, concern_id)
        shown = concern_service.view(s, item)
        zone = details.zone_name_of(s, item.unit_id)
        return render_template(
            "office/concern.html",
            item=item,
            shown=shown,
            zone=zone,
            photos=media_of(s, "concern", item.id),
            events=details.history_entries(s, "concern", item.id),
            today=today(),
            **_undelivered_of(s, "concern", item.id),
            assignable=[] if ConcernState(item.state) in concern_service.NOT_ASSIGNABLE else _assignable(s),
        )


def _undelivered_of(s: Session, subject_type: str, subject_id: int) -> dict[str, Any]:
    """A record's pushes that could not be delivered (all of them), and those still open (the 未送达 mark)."""
    found = undelivered.of_subject(s, subject_type, subject_id)
    return {"undelivered": found, "undelivered_open": [u for u in found if not u.resolved]}


def _assignable(s: Session) -> list[Inspector]:
    """Who a concern may be given to: the authority's active inspectors, or for a zone leader their zone's
    (those with a school in it, and the zone's leader)."""
    people: ColumnElement[bool] = Inspector.id.in_(scoped.inspector_ids_in(scope()))
    if not scope().is_office:
        people = or_(people, Inspector.id.in_(select(Zone.leader_inspector_id).where(Zone.id == scope().zone_id)))
    return list(
        s.scalars(
            select(Inspector)
            .where(people, Inspector.authority_id == scope().authority_id, Inspector.active.is_(True))
            .order_by(Inspector.number)
        )
    )


@bp.post("/concerns/<int:concern_id>/assign")
def concern_assign(concern_id: int) -> ResponseReturnValue:
    back = redirect(url_for("office.concern", concern_id=concern_id))
    chosen = _int(request.form.get("inspector"))
    try:
        with db() as s:
            item = _concern_or_404(s, concern_id)
            person = next((p for p in _assignable(s) if p.id == chosen), None)
            if person is None:  # not one of theirs: a zone leader cannot hand it outside the zone
                flash(t("office.concern.assign_unknown"), "error")
                return back
            if item.inspector_id == person.id:
                flash(t("office.concern.assign_same", name=person.name), "error")
                return back
            name = person.name
            concern_service.assign_concern(s, item.id, person.id, actor=scope().actor)
    except TransitionRefused:
        flash(t("office.concern.assign_not_now"), "error")
        return back
    flash(t("office.concern.done.assign", name=name), "ok")
    return back


@bp.post("/concerns/<int:concern_id>/act")
def concern_act(concern_id: int) -> ResponseReturnValue:
    action = request.form.get("action", "")
    text = request.form.get("text", "").strip()
    if action not in CONCERN_ACTIONS:
        abort(400)
    if action in ("answer", "not_substantiated", "refer") and not text:
        flash(t("office.concern.text_needed"), "error")
        return redirect(url_for("office.concern", concern_id=concern_id))
    actor = scope().actor
    try:
        with db() as s:
            ticket = _concern_or_404(s, concern_id).ticket_no
            if action == "acknowledge":
                concern_service.acknowledge(s, ticket, actor=actor)
            elif action == "answer":
                concern_service.answer(s, ticket, text, actor=actor)
            elif action == "not_substantiated":
                concern_service.not_substantiated(s, ticket, text, actor=actor)
            elif action == "refer":
                concern_service.refer(s, ticket, text, actor=actor)
            else:
                concern_service.close(s, ticket, actor=actor)
    except TransitionRefused:
        flash(t("office.concern.not_now"), "error")
    else:
        flash(t(f"office.concern.done.{action}"), "ok")
    return redirect(url_for("office.concern", concern_id=concern_id))


# --- rectifications -----------------------------------------------------------------------------------


@bp.get("/rectifications")
def rectifications() -> ResponseReturnValue:
    filters = filters_from(request.args)
    if "state" not in request.args:  # the list opens on what is still to do; 全部 (state=) shows everything
        filters = dataclasses.replace(filters, state="open")
    with db() as s:
        page = lists.rectification_list(s, scope(), filters, today=today(), page=page_number(), per_page=PER_PAGE)
        choices = _choices(s)
        marks = undelivered.open_marks(s, "rectification", [row[0].id for row in page.rows])
    return render_template(
        "office/rectifications.html",
        page=page,
        filters=filters,
        today=today(),
        states=list(RectificationState),
        levels=list(figures.LEVELS),
        undelivered=marks,
        **choices,
    )


def _rectification_or_404(s: Session, rectification_id: int) -> Rectification:
    found = details.rectification_in_scope(s, scope(), rectification_id)
    if found is None:
        abort(404)
    return found


@bp.get("/rectifications/<int:rectification_id>")
def rectification(rectification_id: int) -> ResponseReturnValue:
    with db() as s:
        item = _rectification_or_404(s, rectification_id)
        names = details.names_of_rectification(s, item)
        return render_template(
            "office/rectification.html",
            item=item,
            names=names,
            extensions=details.extensions_of(s, item.id),
            escalations=details.escalations_of(s, item.id),
            photos=media_of(s, "rectification", item.id),
            events=details.history_entries(s, "rectification", item.id),
            today=today(),
            **_undelivered_of(s, "rectification", item.id),
            item_name=rectification_service.item_name(s, item.authority_id, item.item),
            **_documents_of(s, item.id),
        )


def _documents_of(s: Session, rectification_id: int) -> dict[str, Any]:
    """The item's numbered papers (整改通知书 and those of its rungs), and those of each rung by its id."""
    papers = document_service.of_rectification(s, rectification_id)
    by_rung: dict[int, list[Any]] = {}
    for paper in papers:
        if paper.subject_type == "escalation" and paper.subject_id is not None:
            by_rung.setdefault(paper.subject_id, []).append(paper)
    return {"documents": papers, "documents_of_rung": by_rung}


def _back(rectification_id: int) -> ResponseReturnValue:
    return redirect(url_for("office.rectification", rectification_id=rectification_id))


def _refused(exc: rectification_service.RectificationError, rectification_id: int) -> ResponseReturnValue:
    flash(exc.message, "error")
    return _back(rectification_id)


@bp.post("/rectifications/<int:rectification_id>/issue")
def rectification_issue(rectification_id: int) -> ResponseReturnValue:
    try:
        with db() as s:
            _rectification_or_404(s, rectification_id)
            rectification_service.issue_rectification(s, rectification_id, actor=scope().actor)
    except rectification_service.RectificationError as exc:
        return _refused(exc, rectification_id)
    flash(t("office.rect.done.issued"), "ok")
    return _back(rectification_id)


@bp.post("/rectifications/<int:rectification_id>/extension/<int:request_id>")
def rectification_extension(rectification_id: int, request_id: int) -> ResponseReturnValue:
    grant = request.form.get("decision") == "grant"
    new_deadline = _date(request.form.get("new_deadline"))
    if grant and new_deadline is None:
        flash(t("office.rect.deadline_needed"), "error")
        return _back(rectification_id)
    try:
        with db() as s:
            _rectification_or_404(s, rectification_id)
            asked = s.get(ExtensionRequest, request_id)
            if asked is None or asked.rectification_id != rectification_id:
                abort(404)
            rectification_service.decide_extension(
                s,
                request_id,
                grant=grant,
                new_deadline=new_deadline,
                reason=request.form.get("reason", ""),
                actor=scope().actor,
            )
    except rectification_service.RectificationError as exc:
        return _refused(exc, rectification_id)
    flash(t("office.rect.done.extension_granted" if grant else "office.rect.done.extension_refused"), "ok")
    return _back(rectification_id)


def _record(names: tuple[str, ...]) -> dict[str, str]:
    return {name: request.form.get(name, "").strip() for name in names}


@bp.post("/rectifications/<int:rectification_id>/escalation/<int:escalation_id>")
def rectification_escalation(rectification_id: int, escalation_id: int) -> ResponseReturnValue:
    decision = request.form.get("decision", "")
    actor = scope().actor
    try:
        with db() as s:
            _rectification_or_404(s, rectification_id)
            row = s.get(Escalation, escalation_id)
            if row is None or row.rectification_id != rectification_id:
                abort(404)
            if decision == "decline":
                escalation_service.decline(s, escalation_id, reason=request.form.get("reason", ""), actor=actor)
            elif row.level == EscalationLevel.TALK.value:
                record = _record(("held_at", "attendees", "summary", "commitments"))
                escalation_service.confirm_talk(
                    s, escalation_id, record=record, actor=actor, new_deadline=_date(request.form.get("new_deadline"))
                )
            elif row.level == EscalationLevel.CIRCULAR.value:
                escalation_service.confirm_circular(s, escalation_id, record=_record(("scope", "text")), actor=actor)
            else:
                abort(400)
    except rectification_service.RectificationError as exc:
        return _refused(exc, rectification_id)
    flash(t("office.rect.done.declined" if decision == "decline" else "office.rect.done.confirmed"), "ok")
    return _back(rectification_id)


# --- visits -------------------------------------------------------------------------------------------


@bp.get("/visits")
def visits() -> ResponseReturnValue:
    filters = filters_from(request.args)
    with db() as s:
        page = lists.visit_list(s, scope(), filters, page=page_number(), per_page=PER_PAGE)
        choices = _choices(s)
    return render_template("office/visits.html", page=page, filters=filters, **choices)


@bp.get("/visits/<int:visit_id>")
def visit(visit_id: int) -> ResponseReturnValue:
    with db() as s:
        item = s.get(Visit, visit_id)
        if item is None or details.unit_in_scope(s, scope(), item.unit_id) is None:
            abort(404)
        return render_template(
            "office/visit.html",
            item=item,
            names=details.names_of_visit(s, item),
            item_names=scoped.items_of(authority(s)),
            photos=media_of(s, "visit", item.id),
            events=details.history_entries(s, "visit", item.id),
        )


# --- photos: only to people who may see what they belong to ------------------------------------------

_OWNERS: dict[str, Any] = {"concern": Concern, "rectification": Rectification, "visit": Visit}


@bp.get("/media/<int:media_id>")
def media(media_id: int) -> ResponseReturnValue:
    media_dir = runtime().config.media_dir.resolve()
    with db() as s:
        row = s.get(Media, media_id)
        model = _OWNERS.get(row.owner_type) if row else None
        if row is None or model is None:
            abort(404)
        unit_id = s.scalar(select(model.unit_id).where(model.id == row.owner_id))
        if unit_id is None or details.unit_in_scope(s, scope(), unit_id) is None:
            abort(404)
        found = path_of(row, media_dir)
        content_type = row.content_type or "application/octet-stream"
    if found is None:
        abort(404)
    path = Path(found).resolve()
    if not path.is_relative_to(media_dir) or not path.is_file():
        abort(404)
    return send_file(path, mimetype=content_type, max_age=0)
