"""`/office/checklists`: the office's checklists (督导评估表) — every version listed, a file imported (a name it
already has makes the next version), any version downloaded as xlsx or csv. For the office only."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from backend.domain.errors import DomainError
from backend.services import checklists
from backend.store.models import Checklist
from backend.web.office.auth import authority, db, office_only, scope
from backend.web.office.blueprint import bp
from backend.web.office.downloads import attachment
from messages import t

FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv"}


@bp.route("/checklists", methods=["GET", "POST"])
@office_only
def checklists_page() -> ResponseReturnValue:
    if request.method == "POST":
        upload = request.files.get("file")
        name = request.form.get("name", "")
        if upload is None or not upload.filename:
            flash(t("checklist.page.no_file"), "error")
            return redirect(url_for("office.checklists_page"))
        data = upload.read(checklists.MAX_FILE_BYTES + 1)
        if len(data) > checklists.MAX_FILE_BYTES:
            flash(t("checklist.page.too_big", limit=checklists.MAX_FILE_BYTES // (1024 * 1024)), "error")
            return redirect(url_for("office.checklists_page"))
        try:
            with db() as s:
                made = checklists.import_checklist(
                    s, authority(s).id, data, upload.filename, name=name, actor=scope().actor
                )
                line = t(
                    "checklist.imported",
                    name=made.name,
                    version=made.version,
                    items=len(made.items),
                    sections=len({i.section for i in made.items if i.section}),
                    total=f"{sum(i.score for i in made.items):g}",
                )
        except DomainError as refused:
            flash(refused.message, "error")
        else:
            flash(line, "ok")
        return redirect(url_for("office.checklists_page"))
    with db() as s:
        rows = checklists.list_checklists(s, authority(s).id)
    return render_template("office/checklists.html", rows=rows)


@bp.get("/checklists/<int:checklist_id>.<fmt>")
@office_only
def checklist_download(checklist_id: int, fmt: str) -> ResponseReturnValue:
    if fmt not in FORMATS:
        abort(404)
    with db() as s:
        found = s.get(Checklist, checklist_id)
        if found is None or found.authority_id != authority(s).id:
            abort(404)
        content = checklists.export_bytes(s, found, fmt)
        filename = f"{found.name}_第{found.version}版.{fmt}"
    return attachment(content, filename, FORMATS[fmt])
