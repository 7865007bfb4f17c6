"""A supervision task's results as an xlsx: the targets (progress, score, rank), the inspectors, the items (pass
rates, average scores) and the rectifications, one sheet each, every text cell written as text."""

from __future__ import annotations

from openpyxl import Workbook

from backend.services.exports import XLSX_MIME, save_book, table_sheet
from backend.services.office.task_results import PROGRESS, TaskResults
from messages import CATALOG, t

__all__ = ["XLSX_MIME", "task_xlsx"]


def _score(value: float | None) -> float | str:
    return "" if value is None else round(value, 2)


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.0f}%"


def task_xlsx(results: TaskResults) -> bytes:
    col = lambda *names: [t(f"tasko.col.{n}") for n in names]  # noqa: E731
    status = lambda p: t(f"task.progress.{p.value}")  # noqa: E731
    book = Workbook()
    targets = book.active
    assert targets is not None
    targets.title = t("tasko.xlsx.sheet.targets")
    headers = [t("office.col.code"), t("office.col.school"), t("office.col.zone"), t("office.col.inspector")]
    headers += col("status", "score", "max", "score_rate", "rank", "failed", "rectifications", "finished_at")
    table_sheet(
        targets,
        headers,
        (
            [
                r.code, r.name, r.zone, r.inspector_name, status(r.status), _score(r.score), _score(r.max_score),
                _rate(r.rate), r.rank or "", r.failed if r.rate is not None else "",
                "、".join(x.number for x in results.rectifications_of(r.unit_id)),
                r.finished_at.isoformat(timespec="minutes") if r.finished_at else "",
            ]
            for r in results.targets
        ),
    )  # fmt: skip
    people = book.create_sheet(t("tasko.xlsx.sheet.inspectors"))
    table_sheet(
        people,
        [
            t("office.col.inspector_number"),
            t("office.col.inspector"),
            t("tasko.col.leader"),
            *(status(p) for p in PROGRESS),
        ],
        (
            [i.number, i.name, t("office.yes") if i.leader else "", *(i.counts[p] for p in PROGRESS)]
            for i in results.inspectors
        ),
    )  # fmt: skip
    items = book.create_sheet(t("tasko.xlsx.sheet.items"))
    table_sheet(
        items,
        col("item_no", "section", "item", "max", "answered", "passed", "failed", "pass_rate", "average"),
        (
            [i.number, i.section, i.text, i.max_score, i.answered, i.passed, i.failed, _rate(i.pass_rate),
             _score(i.average)]
            for i in results.items
        ),
    )  # fmt: skip
    rects = book.create_sheet(t("tasko.xlsx.sheet.rectifications"))
    table_sheet(
        rects,
        [t("office.col.number"), t("office.col.school"), t("office.col.problem"), t("office.col.state"),
         t("office.col.deadline")],
        (
            [r.number, r.school, r.problem, CATALOG.get(f"rect.state.{r.state}", r.state), r.deadline.isoformat()]
            for r in results.rectifications
        ),
    )  # fmt: skip
    return save_book(book)
