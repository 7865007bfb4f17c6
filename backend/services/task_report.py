"""A supervision task's 督导报告, ready to print: overview, scores, the items, the problems found, the
rectifications and photos (thumbnails, each measured from its header before it is decoded).

The report is content (`task_paper`: a `papers.Paper`), rendered by the project's one paper renderer
(`backend.services.papers`) to DOCX or PDF; nothing here lays out a page.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.domain.kinds import CheckProgress
from backend.services import images, papers
from backend.services.media import path_of
from backend.services.office.task_results import Finding, TaskResults, findings
from backend.services.office_users import Scope
from backend.store.models import Authority, Media
from messages import CATALOG, t

FORMATS = {"pdf": papers.PDF_MIME, "docx": papers.DOCX_MIME}
MAX_PHOTOS = 24  # a printed report shows a selection, not the archive
THUMB_SIDE = 800
PHOTO_WIDTH_MM = 75.0


def _number(value: float | None) -> str:
    return t("tasko.report.none") if value is None else f"{value:g}" if value == int(value) else f"{value:.1f}"


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _photos(session: Session, rows: list[Finding], media_dir: Path) -> list[papers.Picture]:
    """Thumbnails of the photos of the findings (and of other answers with photos), the first MAX_PHOTOS."""
    wanted = [(row, media_id) for row in rows for media_id in row.media_ids][:MAX_PHOTOS]
    kept = {
        m.id: m
        for m in session.scalars(select(Media).where(Media.id.in_([m for _r, m in wanted]), Media.kind == "image"))
    }
    pictures = []
    root = media_dir.resolve()
    for row, media_id in wanted:
        media = kept.get(media_id)
        found = path_of(media, media_dir) if media is not None else None
        if found is None:
            continue
        path = Path(found).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            continue
        try:
            content = images.thumbnail(path.read_bytes(), THUMB_SIDE)
        except images.BadImage:
            continue
        caption = t("tasko.report.photo_caption", school=row.school, item=f"{row.item_number} {row.item}")
        pictures.append(papers.Picture(content=content, caption=caption, width_mm=PHOTO_WIDTH_MM))
    return pictures


def task_paper(
    session: Session, scope: Scope, authority: Authority, results: TaskResults, media_dir: Path
) -> papers.Paper:
    """The report's content as a paper."""
    office = authority.office_name or authority.name
    kind = CATALOG.get(f"task.kind.{results.kind}", results.kind)
    leader = results.leader
    members = [m.name for m in results.team if not m.leader]
    team = t("tasko.report.team", leader=leader.name if leader else t("tasko.report.none"),
             members="、".join(members) or t("tasko.report.none"))  # fmt: skip
    window = t("tasko.window", first=results.starts_on.isoformat(), last=results.ends_on.isoformat())
    counts = results.counts
    overview = t(
        "tasko.report.overview",
        office=office,
        first=results.starts_on.isoformat(),
        last=results.ends_on.isoformat(),
        team=team,
        targets=results.total,
        kind=kind,
        checklist=results.checklist,
        today=results.today.isoformat(),
        done=counts[CheckProgress.DONE],
        in_progress=counts[CheckProgress.IN_PROGRESS],
        not_started=counts[CheckProgress.NOT_STARTED],
        overdue=counts[CheckProgress.OVERDUE],
        average=_number(results.average_score),
        max=_number(results.max_score),
        failed=results.failed_items,
        rectifications=len(results.rectifications),
    )
    facts = papers.form(
        [
            (t("tasko.col.name"), results.name),
            (t("tasko.col.kind"), kind),
            (t("tasko.col.checklist"), results.checklist),
            (t("tasko.col.window"), window),
            (t("tasko.col.leader"), leader.name if leader else t("tasko.report.none")),
            (t("tasko.col.team"), "、".join(m.name for m in results.team)),
        ]
    )
    ranking = results.ranking
    scores: list[papers.Block] = (
        [
            papers.Grid(
                headers=(
                    t("tasko.col.rank"),
                    t("office.col.school"),
                    t("office.col.zone"),
                    t("office.col.inspector"),
                    t("tasko.col.score"),
                    t("tasko.col.score_rate"),
                    t("tasko.col.failed"),
                ),
                rows=tuple(
                    (
                        str(r.rank),
                        r.name,
                        r.zone,
                        r.inspector_name,
                        f"{_number(r.score)}/{_number(r.max_score)}",
                        _rate(r.rate),
                        str(r.failed),
                    )
                    for r in ranking
                ),
                widths=(0.7, 3.0, 1.6, 1.2, 1.2, 1.0, 1.0),
            )
        ]
        if ranking
        else [t("tasko.page.no_scores")]
    )
    items = papers.Grid(
        headers=(
            t("tasko.col.item_no"),
            t("tasko.col.item"),
            t("tasko.col.max"),
            t("tasko.col.pass_rate"),
            t("tasko.col.average"),
        ),
        rows=tuple(
            (i.number, i.text, _number(i.max_score), _rate(i.pass_rate), _number(i.average)) for i in results.items
        ),
        widths=(0.7, 5.0, 0.8, 1.0, 1.0),
    )
    failed = findings(session, scope, results.task_id)
    problems: list[papers.Block] = [
        t(
            "tasko.report.problem",
            n=n,
            school=f.school,
            item=f"{f.item_number} {f.item}",
            note=f"（{f.remark}）" if f.remark else "",
        )
        for n, f in enumerate(failed, start=1)
    ] or [t("tasko.report.no_problems")]
    rects: list[papers.Block] = (
        [
            papers.Grid(
                headers=(
                    t("office.col.number"),
                    t("office.col.school"),
                    t("office.col.problem"),
                    t("office.col.deadline"),
                    t("office.col.state"),
                ),
                rows=tuple(
                    (
                        r.number,
                        r.school,
                        r.problem,
                        r.deadline.isoformat(),
                        CATALOG.get(f"rect.state.{r.state}", r.state),
                    )
                    for r in results.rectifications
                ),
                widths=(1.8, 2.2, 3.4, 1.3, 1.0),
            )
        ]
        if results.rectifications
        else [t("tasko.page.no_rectifications")]
    )
    pictured = findings(session, scope, results.task_id, failed_only=False)
    with_photos = [f for f in pictured if f in failed] + [f for f in pictured if f not in failed]
    photos: list[papers.Block] = list(_photos(session, with_photos, media_dir)) or [t("tasko.report.no_photos")]
    return papers.Paper(
        office=office,
        title=t("tasko.report.title"),
        issued_on=results.today,
        body=(t("tasko.report.subtitle", name=results.name),),
        sections=(
            papers.Section(t("tasko.report.section.overview"), (overview, facts)),
            papers.Section(t("tasko.report.section.scores"), tuple(scores)),
            papers.Section(t("tasko.report.section.items"), (items,)),
            papers.Section(t("tasko.report.section.problems"), tuple(problems)),
            papers.Section(t("tasko.report.section.rectifications"), tuple(rects)),
            papers.Section(t("tasko.report.section.photos"), tuple(photos)),
        ),
        notes=(t("tasko.report.generated"),),
        seal=False,
    )


def render(
    session: Session, scope: Scope, authority: Authority, results: TaskResults, media_dir: Path, fmt: str
) -> tuple[bytes, str]:
    """The report as `fmt` ("pdf" or "docx") and its content type; a PDF without a font is a `DomainError`."""
    paper = task_paper(session, scope, authority, results, media_dir)
    content = papers.to_pdf(paper) if fmt == "pdf" else papers.to_docx(paper)
    return content, FORMATS[fmt]
