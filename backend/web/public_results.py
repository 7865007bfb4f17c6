"""`/public`: the results the authority chooses to publish (向社会公开), per zone and per school, no personal data;
and the 通报, 问责 results and 表扬 the office approved one by one (`backend.services.publishing`).

Also serves the stylesheets and scripts of the office web and the public pages (`/public/static/…`), so that
they are reachable before signing in.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from backend.services import publishing
from backend.services.authority import current_authority
from backend.services.office import periods, publication
from backend.services.office import worklists as lists
from backend.web import runtime, today
from backend.web.office.blueprint import WEB_DIR, label, percent, when
from messages import t

bp = Blueprint(
    "public_results",
    __name__,
    url_prefix="/public",
    template_folder=str(WEB_DIR / "templates"),
    static_folder=str(WEB_DIR / "static"),
    static_url_path="/static",
)
FIRST_YEAR = 2020
PER_PAGE = 50  # a prefecture has thousands of schools: one page of them at a time


def _page_of(rows: list[publication.PublicRow]) -> lists.Page:
    """The asked-for page of the school rows (`?page=`), the last one when asked beyond it."""
    try:
        asked = int(request.args.get("page", 1))
    except ValueError:
        asked = 1
    pages = max(1, -(-len(rows) // PER_PAGE))
    number = min(max(asked, 1), pages)
    start = (number - 1) * PER_PAGE
    return lists.Page(rows[start : start + PER_PAGE], len(rows), number, PER_PAGE)


def _year() -> int:
    this_year = today().year
    try:
        year = int(request.args.get("year", this_year))
    except ValueError:
        return this_year
    return year if FIRST_YEAR <= year <= this_year else this_year


@bp.get("/")
def results() -> ResponseReturnValue:
    year = _year()
    period = periods.Period(date(year, 1, 1), min(date(year, 12, 31), today()))
    zone = request.args.get("zone", "")
    with runtime().db.session() as session:
        authority = current_authority(session)
        chosen = publication.publication_of(authority)
        found = publication.public_results(session, authority, period) if chosen.enabled else None
        steps_published = publishing.published(session, authority.id, year=year)
        names = {"authority": authority.name, "office": authority.office_name, "hotline": authority.hotline}
    schools = [row for row in found.schools if not zone or row.zone == zone] if found else []
    page = _page_of(schools)
    response = render_template(
        "office/public.html",
        chosen=chosen,
        results=found,
        steps_published=steps_published,
        schools=page.rows,
        page=page,
        zone=zone,
        year=year,
        years=list(range(today().year, FIRST_YEAR - 1, -1)),
        names=names,
        t=t,
        percent=percent,
        when=when,
        label=label,
    )
    return response, 200, {"Cache-Control": "no-cache"}  # a change of what is published shows at once
