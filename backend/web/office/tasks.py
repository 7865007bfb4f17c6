"""Supervision tasks in the office web: the list, the wizard (calling `services.tasks.create_task`), a task's page
(progress per target and per inspector, scores per target and per item, the comparison, the rectifications), its
xlsx and its printed report (PDF, DOCX), and the principals' terms ending with their one-step 校长任期 task.

Every task and target is read inside the person's scope (`task_results`): a zone leader sees the tasks with a target
in their zone and only those targets; creating tasks is for the office.
"""

from __future__ import annotations

import re
import time
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.domain.errors import DomainError
from backend.domain.kinds import CheckProgress, TaskKind
from backend.domain.tasks import SAMPLED_KINDS
from backend.services import task_exports, task_report
from backend.services import tasks as task_service
from backend.services.office import principal_terms, task_results
from backend.services.office import worklists as lists
from backend.store.models import Checklist, Inspector, Task, Unit, Zone
from backend.web import args as arguments
from backend.web import runtime, today
from backend.web.office.auth import authority, db, office_only, scope
from backend.web.office.blueprint import bp
from backend.web.office.downloads import attachment
from messages import t

PER_PAGE = 50
KINDS = [k.value for k in TaskKind]
TARGET_MODES = ("schools", "zone", "all", "sample")
MAX_SAMPLE = 10_000
# the wizard's fields as the form names them, for a refusal of a value out of its range
FIELDS = {
    "checklist": "tasko.new.checklist",
    "sample_size": "tasko.new.sample_size",
    "zone": "office.filter.zone",
    "starts_on": "tasko.new.from",
    "ends_on": "tasko.new.to",
    "leader": "tasko.new.leader",
    "inspector": "tasko.new.inspectors",
}


def _kind_arg() -> str | None:
    kind = arguments.text_arg("kind", max_length=24) or None
    if kind is not None and kind not in KINDS:
        raise arguments.BadArgument("kind", t("api.reason.kind", choices="、".join(KINDS)))
    return kind


@bp.get("/tasks")
def tasks() -> ResponseReturnValue:
    kind = _kind_arg()
    page_no = arguments.int_arg("page", 1, 1, 1_000_000)
    with db() as s:
        rows, total = task_results.task_summaries(s, scope(), today(), kind=kind, page=page_no, per_page=PER_PAGE)
    page = lists.Page(rows, total, page_no, PER_PAGE)
    return render_template("office/tasks.html", page=page, kinds=KINDS, kind=kind or "", progress=list(CheckProgress))


def _task_or_404(s: Session, task_id: int) -> Task:
    found = task_results.task_in_scope(s, scope(), task_id)
    if found is None:
        abort(404)
    return found


def charts(results: task_results.TaskResults) -> dict[str, Any]:
    """The task page's charts (drawn by office.js): pass rate per item, average score rate per zone."""
    items = [i for i in results.items if i.pass_rate is not None]
    zones = [z for z in results.zones if z.average_rate is not None]
    return {
        "items": {
            "type": "bar",
            "labels": [i.number for i in items],
            "values": [round((i.pass_rate or 0) * 100) for i in items],
            "percent": True,
            "label": t("tasko.col.pass_rate"),
        },
        "zones": {
            "type": "bar",
            "labels": [z.name or "—" for z in zones],
            "values": [round((z.average_rate or 0) * 100) for z in zones],
            "percent": True,
            "label": t("tasko.col.score_rate"),
        },
    }


@bp.get("/tasks/<int:task_id>")
def task(task_id: int) -> ResponseReturnValue:
    started = time.perf_counter()
    with db() as s:
        results = task_results.task_results(s, scope(), _task_or_404(s, task_id), today())
    return render_template(
        "office/task.html",
        results=results,
        chart_data=charts(results),
        progress=list(CheckProgress),
        took_ms=(time.perf_counter() - started) * 1000,
    )


@bp.get("/tasks/<int:task_id>.xlsx")
def task_xlsx(task_id: int) -> ResponseReturnValue:
    with db() as s:
        results = task_results.task_results(s, scope(), _task_or_404(s, task_id), today())
    content = task_exports.task_xlsx(results)
    return attachment(
        content, t("tasko.xlsx.file", name=results.name, date=today().isoformat()), task_exports.XLSX_MIME
    )


@bp.get("/tasks/<int:task_id>/report.<fmt>")
def task_report_file(task_id: int, fmt: str) -> ResponseReturnValue:
    if fmt not in task_report.FORMATS:
        abort(404)
    with db() as s:
        results = task_results.task_results(s, scope(), _task_or_404(s, task_id), today())
        try:
            content, mimetype = task_report.render(s, scope(), authority(s), results, runtime().config.media_dir, fmt)
        except DomainError as refused:
            flash(refused.message, "error")
            return redirect(url_for("office.task", task_id=task_id))
    return attachment(content, t("tasko.report.file", name=results.name, ext=fmt), mimetype)


# --- the wizard -----------------------------------------------------------------------------------------------


def latest_checklists(s: Session, authority_id: int) -> list[Checklist]:
    """The newest version of each of the authority's checklists, by name."""
    newest: dict[str, Checklist] = {}
    for found in s.scalars(
        select(Checklist).where(Checklist.authority_id == authority_id).order_by(Checklist.name, Checklist.version)
    ):
        newest[found.name] = found
    return list(newest.values())


def _wizard_choices(s: Session) -> dict[str, Any]:
    auth = authority(s)
    people = s.execute(
        select(Inspector.id, Inspector.number, Inspector.name)
        .where(Inspector.authority_id == auth.id, Inspector.active.is_(True))
        .order_by(Inspector.number)
    ).all()
    return {
        "kinds": KINDS,
        "checklists": latest_checklists(s, auth.id),
        "zones": lists.zones_in(s, scope()),
        "inspectors": people,
        "modes": TARGET_MODES,
    }


_SEPARATORS = re.compile(r"[\s,，、;；]+")


def _school_ids(s: Session, text: str) -> list[int]:
    """The units named by their codes in `text` (in the order given); unknown codes refused by name."""
    codes = [c for c in _SEPARATORS.split(text.strip()) if c][:MAX_SAMPLE]
    found = dict(
        s.execute(
            select(Unit.code, Unit.id).where(Unit.code.in_(codes), Unit.authority_id == scope().authority_id)
        ).all()
    )
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise DomainError("tasko.new.error.school_unknown", codes="、".join(unknown[:10]))
    return list(dict.fromkeys(found[c] for c in codes))


def _zone_name(s: Session, zone_id: int | None) -> str:
    zone = s.get(Zone, zone_id) if zone_id else None
    if zone is None or zone.authority_id != scope().authority_id:
        raise DomainError("tasko.new.error.targets")
    return zone.name


def _create_from_form(s: Session, form: Any) -> Task:
    """The task the wizard's form asks for (refusals as `DomainError`); does not commit."""
    name = form.get("name", "").strip()[:200]
    kind = form.get("kind", "")
    if not name:
        raise DomainError("tasko.new.error.name")
    if kind not in KINDS:
        raise DomainError("tasko.new.error.kind")
    checklist_id = arguments.id_arg("checklist", form)
    if checklist_id is None:
        raise DomainError("tasko.new.error.checklist")
    starts_on, ends_on = arguments.date_arg("starts_on", form), arguments.date_arg("ends_on", form)
    if starts_on is None or ends_on is None or ends_on < starts_on:
        raise DomainError("tasko.new.error.dates")
    team = [i for i in (arguments.id_arg("inspector", {"inspector": v}) for v in form.getlist("inspector")) if i]
    leader = arguments.id_arg("leader", form)
    if not team or leader is None or leader not in team:
        raise DomainError("tasko.new.error.team")
    mode = form.get("targets", "")
    auth_id = scope().authority_id
    unit_ids: list[int] = []
    sample = None
    if TaskKind(kind) in SAMPLED_KINDS or mode == "sample":
        size = arguments.optional_int("sample_size", 1, MAX_SAMPLE, form)
        if size is None:
            raise DomainError("tasko.new.error.sample", n=MAX_SAMPLE)
        zone_id = arguments.id_arg("zone", form)
        pool = f"{task_service.POOL_ZONE}{_zone_name(s, zone_id)}" if zone_id else task_service.POOL_ALL
        sample = task_service.Sample(size=size, pool=pool)
    elif mode == "schools":
        unit_ids = _school_ids(s, form.get("schools", ""))
    elif mode == "zone":
        pool = f"{task_service.POOL_ZONE}{_zone_name(s, arguments.id_arg('zone', form))}"
        unit_ids = _school_ids(s, " ".join(task_service.pool_unit_codes(s, auth_id, pool)))
    elif mode == "all":
        unit_ids = _school_ids(s, " ".join(task_service.pool_unit_codes(s, auth_id, task_service.POOL_ALL)))
    else:
        raise DomainError("tasko.new.error.targets")
    return task_service.create_task(
        s, auth_id, name=name, kind=kind, checklist_id=checklist_id, inspector_ids=team, starts_on=starts_on,
        ends_on=ends_on, actor=scope().actor, unit_ids=unit_ids, leader_id=leader, sample=sample,
    )  # fmt: skip


@bp.route("/tasks/new", methods=["GET", "POST"])
@office_only
def task_new() -> ResponseReturnValue:
    if request.method == "POST":
        try:
            with db() as s:
                created = _create_from_form(s, request.form)
                s.commit()
                task_id, name = created.id, created.name
                targets, team = len(created.targets), len(created.members)
        except DomainError as refused:
            flash(refused.message, "error")
        except arguments.BadArgument as bad:
            flash(
                t("tasko.new.error.field", field=t(FIELDS.get(bad.argument, "tasko.new.title")), reason=bad.reason),
                "error",
            )
        else:
            flash(t("tasko.new.created", name=name, targets=targets, team=team), "ok")
            return redirect(url_for("office.task", task_id=task_id))
    with db() as s:
        choices = _wizard_choices(s)
    day = today()
    return render_template("office/task_new.html", form=request.form, today=day, **choices), (
        400 if request.method == "POST" else 200
    )


# --- principals' terms --------------------------------------------------------------------------------------------


@bp.get("/terms")
def terms() -> ResponseReturnValue:
    day = today()
    with db() as s:
        rows = principal_terms.terms_ending(s, scope(), day)
        reviewed = principal_terms.term_tasks_of(s, [r.unit_id for r in rows])
        checklists = latest_checklists(s, scope().authority_id) if scope().is_office else []
    return render_template("office/terms.html", rows=rows, reviewed=reviewed, checklists=checklists, today=day)


@bp.post("/terms/task")
@office_only
def terms_task() -> ResponseReturnValue:
    """The 校长任期结束综合督导 for the chosen schools in one step: team = their responsible inspectors."""
    day = today()
    chosen = [i for i in (arguments.id_arg("unit", {"unit": v}) for v in request.form.getlist("unit")) if i]
    checklist_id = arguments.id_arg("checklist", request.form)
    try:
        with db() as s:
            created = principal_terms.create_term_task(
                s, scope(), day, unit_ids=chosen, checklist_id=checklist_id, actor=scope().actor
            )
            s.commit()
            task_id, name, targets, team = created.id, created.name, len(created.targets), len(created.members)
    except DomainError as refused:
        flash(refused.message, "error")
        return redirect(url_for("office.terms"))
    flash(t("tasko.new.created", name=name, targets=targets, team=team), "ok")
    return redirect(url_for("office.task", task_id=task_id))
