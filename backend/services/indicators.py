"""督政 indicator systems (issue 15): per year and target (乡镇 or 县级部门), imported from and exported to Excel,
copied into the next year, changed one row at a time; every change is kept in `indicator_change` (who, when, why).

Reading goes through `backend.services.tabular` (the zip-bomb check, the cell parsers), writing through its
`append_row` (a cell that looks like a formula stays text). Use cases take a session and do not commit.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.domain import evaluation as rules
from backend.domain.errors import DomainError
from backend.domain.kinds import EvaluationTarget
from backend.services import tabular
from backend.services.audit import record
from backend.store.db import session_now
from backend.store.models import Indicator, IndicatorChange, IndicatorSystem
from messages import t

SUBJECT = "indicator_system"
HEADERS = ("一级指标", "二级指标", "三级指标", "分值", "评分标准", "佐证材料")
# what offices also write in the header row for the same column
HEADER_ALIASES = {
    "一级": "一级指标",
    "二级": "二级指标",
    "三级": "三级指标",
    "分数": "分值",
    "权重": "分值",
    "标准分": "分值",
    "评分细则": "评分标准",
    "评分办法": "评分标准",
    "佐证资料": "佐证材料",
    "佐证": "佐证材料",
    "备注": "",
}
SHEET_NAMES = ("指标体系", "评价指标")
MAX_ROWS = 500
EXAMPLES = {
    EvaluationTarget.TOWNSHIP: "indicators_township.csv",
    EvaluationTarget.DEPARTMENT: "indicators_department.csv",
}


class IndicatorError(DomainError, ValueError):
    """An indicator use case refused (`key` in messages/ with its fields)."""


@dataclass
class ImportReport:
    system_id: int | None = None
    rows: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def target_of(value: str) -> EvaluationTarget:
    wanted = value.strip().lower()
    for target in EvaluationTarget:
        if wanted in (target.value, t(f"eval.target.{target.value}")):
            return target
    raise IndicatorError("eval.error.target", value=value)


def find_system(session: Session, authority_id: int, year: int, target: EvaluationTarget) -> IndicatorSystem | None:
    return session.scalar(
        select(IndicatorSystem).where(
            IndicatorSystem.authority_id == authority_id,
            IndicatorSystem.year == year,
            IndicatorSystem.target == target.value,
        )
    )


def systems_of(session: Session, authority_id: int) -> list[IndicatorSystem]:
    query = select(IndicatorSystem).where(IndicatorSystem.authority_id == authority_id)
    return list(session.scalars(query.order_by(IndicatorSystem.year.desc(), IndicatorSystem.target)))


def indicators_of(session: Session, system_id: int, *, active_only: bool = True) -> list[Indicator]:
    query = select(Indicator).where(Indicator.system_id == system_id)
    if active_only:
        query = query.where(Indicator.active.is_(True))
    return list(session.scalars(query.order_by(Indicator.position, Indicator.id)))


def changes_of(session: Session, system_id: int) -> list[IndicatorChange]:
    query = select(IndicatorChange).where(IndicatorChange.system_id == system_id)
    return list(session.scalars(query.order_by(IndicatorChange.at, IndicatorChange.id)))


def full_score(session: Session, system_id: int) -> float:
    return round(sum(i.max_score for i in indicators_of(session, system_id)), 1)


def _as_dict(row: Indicator) -> dict[str, Any]:
    return {
        "level1": row.level1,
        "level2": row.level2,
        "level3": row.level3,
        "max_score": row.max_score,
        "rule": row.rule,
        "evidence": row.evidence,
    }


def _log(
    session: Session,
    system: IndicatorSystem,
    *,
    actor: str,
    action: str,
    reason: str,
    now: datetime,
    indicator_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    session.add(
        IndicatorChange(
            system_id=system.id,
            indicator_id=indicator_id,
            at=now,
            actor=actor,
            action=action,
            reason=reason.strip()[: rules.MAX_TEXT],
            before=before or {},
            after=after or {},
        )
    )
    record(session, actor, f"indicators.{action}", SUBJECT, system.id, now=now, reason=reason, indicator=indicator_id)


# --- reading a sheet ---


def _columns(header: tuple[Any, ...]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = tabular.normalize(tabular.clean(cell)).replace(" ", "")
        name = HEADER_ALIASES.get(name, name)
        if name in HEADERS and name not in found:
            found[name] = index
    return found


def parse_rows(data: bytes, filename: str) -> tuple[list[rules.IndicatorRow], list[str]]:
    """The rows of an indicator sheet and the problems found, each naming its row; a blank level repeats the one
    above it (merged cells as offices draw them)."""
    try:
        table = tabular.read_rows(data, filename, SHEET_NAMES)
    except tabular.TableError as exc:
        return [], [t(f"eval.import.{exc.reason}")]
    if not table:
        return [], [t("eval.import.empty")]
    columns = _columns(table[0].cells)
    missing = [name for name in (*HEADERS[:2], "分值") if name not in columns]
    if missing:
        return [], [t("eval.import.headers", missing="、".join(missing), expected="、".join(HEADERS))]
    if len(table) - 1 > MAX_ROWS:
        return [], [t("eval.import.too_many", most=MAX_ROWS)]

    def cell(row: tabular.TableRow, name: str) -> Any:
        index = columns.get(name)
        return row.cells[index] if index is not None and index < len(row.cells) else None

    parsed: list[rules.IndicatorRow] = []
    problems: list[str] = []
    above = ("", "")
    for row in table[1:]:
        level1 = tabular.clean(cell(row, "一级指标")) or above[0]
        level2 = tabular.clean(cell(row, "二级指标")) or (above[1] if level1 == above[0] else "")
        above = (level1, level2)
        try:
            score = tabular.parse_float(cell(row, "分值"))
        except ValueError:
            problems.append(t("eval.import.row", row=row.number, problem=t("eval.problem.score_unreadable")))
            continue
        item = rules.IndicatorRow(
            level1=level1,
            level2=level2,
            level3=tabular.clean(cell(row, "三级指标")),
            max_score=round(score, 1),
            rule=tabular.clean(cell(row, "评分标准")),
            evidence=tabular.clean(cell(row, "佐证材料")),
        )
        try:
            rules.check_row(item)
        except rules.IndicatorProblem as problem:
            problems.append(t("eval.import.row", row=row.number, problem=t(problem.key, **problem.fields)))
            continue
        if any(p.path == item.path for p in parsed):
            problems.append(t("eval.import.row", row=row.number, problem=t("eval.problem.duplicate")))
            continue
        parsed.append(item)
    if not parsed and not problems:
        problems.append(t("eval.import.empty"))
    return parsed, problems


def import_bytes(
    session: Session,
    authority_id: int,
    data: bytes,
    filename: str,
    *,
    year: int,
    target: EvaluationTarget,
    actor: str,
    reason: str = "",
    now: datetime | None = None,
) -> ImportReport:
    """The sheet becomes the year's system (all or nothing): a new system, or the rows of an existing one
    replaced, each difference logged. Does not commit."""
    now = now or session_now(session)
    rows, problems = parse_rows(data, filename)
    report = ImportReport(rows=len(rows), problems=problems)
    if problems:
        return report
    system = find_system(session, authority_id, year, target)
    if system is None:
        system = _new_system(session, authority_id, year, target, now=now)
        _log(session, system, actor=actor, action="imported", reason=reason or filename, now=now)
        for position, row in enumerate(rows, start=1):
            session.add(_indicator(system.id, position, row))
    else:
        _replace(session, system, rows, actor=actor, reason=reason or filename, now=now)
    session.flush()
    report.system_id = system.id
    return report


def _new_system(
    session: Session, authority_id: int, year: int, target: EvaluationTarget, *, now: datetime, **extra: Any
) -> IndicatorSystem:
    system = IndicatorSystem(
        authority_id=authority_id,
        year=year,
        target=target.value,
        name=t("eval.system.name", year=year, target=t(f"eval.target.{target.value}")),
        created_at=now,
        updated_at=now,
        **extra,
    )
    session.add(system)
    session.flush()
    return system


def _indicator(system_id: int, position: int, row: rules.IndicatorRow) -> Indicator:
    return Indicator(
        system_id=system_id,
        position=position,
        level1=row.level1,
        level2=row.level2,
        level3=row.level3,
        max_score=row.max_score,
        rule=row.rule,
        evidence=row.evidence,
    )


def _replace(
    session: Session, system: IndicatorSystem, rows: list[rules.IndicatorRow], *, actor: str, reason: str, now: datetime
) -> None:
    current = {(i.level1, i.level2, i.level3): i for i in indicators_of(session, system.id)}
    for position, row in enumerate(rows, start=1):
        existing = current.pop(row.path, None)
        if existing is None:
            added = _indicator(system.id, position, row)
            session.add(added)
            session.flush()
            _log(session, system, actor=actor, action="added", reason=reason, now=now, indicator_id=added.id,
                 after=_as_dict(added))  # fmt: skip
            continue
        before = _as_dict(existing)
        existing.position, existing.max_score = position, row.max_score
        existing.rule, existing.evidence = row.rule, row.evidence
        if _as_dict(existing) != before:
            _log(session, system, actor=actor, action="changed", reason=reason, now=now, indicator_id=existing.id,
                 before=before, after=_as_dict(existing))  # fmt: skip
    for gone in current.values():
        gone.active = False
        _log(session, system, actor=actor, action="removed", reason=reason, now=now, indicator_id=gone.id,
             before=_as_dict(gone))  # fmt: skip


def change_indicator(
    session: Session,
    indicator_id: int,
    *,
    actor: str,
    reason: str,
    max_score: float | None = None,
    rule: str | None = None,
    evidence: str | None = None,
    now: datetime | None = None,
) -> Indicator:
    """One row changed by the office, with the reason it gives (required). Does not commit."""
    now = now or session_now(session)
    if not reason.strip():
        raise IndicatorError("eval.error.reason")
    row = session.get(Indicator, indicator_id)
    if row is None or not row.active:
        raise IndicatorError("eval.error.no_indicator")
    before = _as_dict(row)
    candidate = rules.IndicatorRow(
        row.level1,
        row.level2,
        row.level3,
        row.max_score if max_score is None else round(max_score, 1),
        row.rule if rule is None else rule.strip(),
        row.evidence if evidence is None else evidence.strip(),
    )
    try:
        rules.check_row(candidate)
    except rules.IndicatorProblem as problem:
        raise IndicatorError(problem.key, **problem.fields) from problem
    row.max_score, row.rule, row.evidence = candidate.max_score, candidate.rule, candidate.evidence
    system = session.get(IndicatorSystem, row.system_id)
    assert system is not None
    if _as_dict(row) != before:
        _log(session, system, actor=actor, action="changed", reason=reason, now=now, indicator_id=row.id,
             before=before, after=_as_dict(row))  # fmt: skip
    session.flush()
    return row


def copy_year(
    session: Session,
    authority_id: int,
    *,
    year: int,
    target: EvaluationTarget,
    actor: str,
    reason: str = "",
    now: datetime | None = None,
) -> IndicatorSystem:
    """The year's system as a copy of the latest earlier one (rows and grade thresholds). Does not commit."""
    now = now or session_now(session)
    if find_system(session, authority_id, year, target) is not None:
        raise IndicatorError("eval.error.year_exists", year=year)
    source = session.scalar(
        select(IndicatorSystem)
        .where(
            IndicatorSystem.authority_id == authority_id,
            IndicatorSystem.target == target.value,
            IndicatorSystem.year < year,
        )
        .order_by(IndicatorSystem.year.desc())
        .limit(1)
    )
    if source is None:
        raise IndicatorError("eval.error.nothing_to_copy", year=year)
    system = _new_system(
        session, authority_id, year, target, now=now, copied_from_id=source.id, grades=dict(source.grades or {})
    )
    for row in indicators_of(session, source.id):
        copy = Indicator(system_id=system.id, **{**_as_dict(row), "position": row.position})
        session.add(copy)
    _log(session, system, actor=actor, action="copied", reason=reason or t("eval.system.copied", year=source.year),
         now=now, before={"year": source.year, "system_id": source.id})  # fmt: skip
    session.flush()
    return system


def set_grades(
    session: Session, system_id: int, grades: dict[str, float], *, actor: str, reason: str, now: datetime | None = None
) -> IndicatorSystem:
    now = now or session_now(session)
    system = session.get(IndicatorSystem, system_id)
    if system is None:
        raise IndicatorError("eval.error.no_system")
    try:
        checked = rules.thresholds(grades)
    except rules.IndicatorProblem as problem:
        raise IndicatorError(problem.key) from problem
    before = rules.thresholds(system.grades)
    system.grades = checked
    _log(session, system, actor=actor, action="grades", reason=reason, now=now, before=before, after=checked)
    session.flush()
    return system


# --- writing a sheet ---


def export_xlsx(session: Session, system_id: int) -> bytes:
    """The system as the sheet it is imported from, and its change log on a second sheet."""
    system = session.get(IndicatorSystem, system_id)
    if system is None:
        raise IndicatorError("eval.error.no_system")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET_NAMES[0]
    tabular.append_row(sheet, HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in indicators_of(session, system.id):
        tabular.append_row(sheet, [row.level1, row.level2, row.level3, row.max_score, row.rule, row.evidence])
    for letter, width in zip("ABCDEF", (14, 22, 30, 8, 50, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    log = book.create_sheet(t("eval.export.log_sheet"))
    tabular.append_row(log, [t("eval.export.log.at"), t("eval.export.log.actor"), t("eval.export.log.action"),
                             t("eval.export.log.indicator"), t("eval.export.log.reason")])  # fmt: skip
    names = {i.id: " / ".join(p for p in (i.level1, i.level2, i.level3) if p)
             for i in indicators_of(session, system.id, active_only=False)}  # fmt: skip
    for change in changes_of(session, system.id):
        tabular.append_row(
            log,
            [
                change.at.strftime("%Y-%m-%d %H:%M"),
                change.actor,
                t(f"eval.change.{change.action}"),
                names.get(change.indicator_id or 0, ""),
                change.reason,
            ],
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def example_bytes(target: EvaluationTarget) -> bytes:
    """The shipped example system for the target (a csv written from the national 督政 documents' headings)."""
    return (resources.files("backend.domain") / "data" / EXAMPLES[target]).read_bytes()


def load_example(
    session: Session, authority_id: int, *, year: int, target: EvaluationTarget, actor: str
) -> ImportReport:
    return import_bytes(
        session,
        authority_id,
        example_bytes(target),
        EXAMPLES[target],
        year=year,
        target=target,
        actor=actor,
        reason=t("eval.system.example"),
    )
