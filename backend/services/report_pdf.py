"""The 督导报告 of one school as the office prints it (PDF): heading, school and inspector, period, visits, findings,
rectifications with their deadlines and state, public concerns, page numbers, the issuing office and date.

reportlab embeds TrueType outlines only, and the font must carry digits and Latin letters as well as Chinese:
Noto CJK (CFF outlines) cannot be embedded, and Droid Sans Fallback has no digits at all (a report printed in it
shows no date, count or number). WenQuanYi Micro Hei (Debian's fonts-wqy-microhei, installed by
scripts/system-deps.sh) has both; any other installed TrueType font covering both is taken too. With none, the
report is refused with a message saying which package to install, rather than printed with blanks.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from backend.domain import rectification as rectification_rules
from backend.domain.calendar import local_date
from backend.domain.errors import DomainError
from backend.services.office import details, periods, scoped
from backend.store.db import session_now
from backend.store.models import Authority, Unit
from messages import CATALOG, t
from qr_boards.fonts import fc_list

FONT_NAME = "DudaoReport"
# (path, subfont index), best first: WenQuanYi Micro Hei is what scripts/system-deps.sh installs
KNOWN_FONTS = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
)
# what every report prints: digits (dates, counts, numbers), Latin letters (codes), and Chinese
MUST_DRAW = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-:/（）督导报告学校"


@dataclass(frozen=True)
class ReportFont:
    path: str
    index: int


def _installed_truetype_chinese() -> list[tuple[str, int]]:
    """TrueType (not CFF) fonts fontconfig knows that cover Simplified Chinese."""
    found = []
    # /usr/share/fonts/truetype/wqy/wqy-microhei.ttc: :index=0
    for line in sorted(fc_list(":lang=zh-cn:fontformat=TrueType", "file", "index")):
        path, _, rest = line.partition(": ")
        index = re.search(r"index=(\d+)", rest)
        found.append((path.strip(), int(index.group(1)) if index else 0))
    return found


def _draws_everything(path: str, index: int) -> bool:
    from reportlab.pdfbase.ttfonts import TTFont

    try:
        face = TTFont("probe", path, subfontIndex=index).face
    except Exception:  # a font reportlab cannot read (CFF outlines, a broken file): not ours
        return False
    return all(ord(ch) in face.charToGlyph for ch in MUST_DRAW)


@lru_cache(maxsize=1)
def find_font() -> ReportFont | None:
    """The first installed TrueType font that draws Chinese, digits and Latin letters, or None."""
    for path, index in (*KNOWN_FONTS, *_installed_truetype_chinese()):
        if _draws_everything(path, index):
            return ReportFont(path, index)
    return None


def register_font() -> str:
    """The report font registered with reportlab (once per process), by its name; refused when none is installed."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return FONT_NAME
    found = find_font()
    if found is None:
        raise DomainError("report.error.no_font")
    pdfmetrics.registerFont(TTFont(FONT_NAME, found.path, subfontIndex=found.index))
    return FONT_NAME


def _label(prefix: str, value: object) -> str:
    return CATALOG.get(f"{prefix}.{value}", "" if value is None else str(value))


def chinese_date(day: date) -> str:
    """2026年11月23日, as an office dates its papers."""
    return t("report.date", year=day.year, month=day.month, day=day.day)


def school_report_pdf(session: Session, authority: Authority, unit: Unit, period: periods.Period) -> bytes:
    """督导报告: the school, its inspector, the visits, the findings and rectifications, concerns, over `period`."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = register_font()
    report = details.school_report(session, unit, period)
    today = local_date(session_now(session))
    items = {i["code"]: i["name"] for i in scoped.items_of(authority)}
    office = authority.office_name or authority.name
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK", firstLineIndent=0)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=13)
    issuer = ParagraphStyle("issuer", parent=body, fontSize=12, leading=18, alignment=1)
    title = ParagraphStyle("title", parent=body, fontSize=20, leading=30, alignment=1, spaceAfter=2)
    heading = ParagraphStyle("heading", parent=body, fontSize=13, leading=20, spaceBefore=10, spaceAfter=4)
    right = ParagraphStyle("right", parent=body, alignment=2)

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")
        return Paragraph(escaped, style)

    def table(headers: list[str] | None, rows: list[list[str]], widths: list[float], *, header: bool = True) -> Table:
        data = ([[p(h, small) for h in headers]] if headers else []) + [[p(str(c), small) for c in r] for r in rows]
        grid = Table(data, colWidths=[w * mm for w in widths], repeatRows=1 if headers else 0)
        style = [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#6b7280")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        if headers:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e5e7eb")))
        else:  # a form: the labels in the first and third columns shaded
            style += [
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f3f4f6")),
                ("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#f3f4f6")),
            ]
        grid.setStyle(TableStyle(style))
        return grid

    findings = [v for v in report.visits if v.problems.strip()]
    overdue = [r for r in report.rectifications if rectification_rules.is_overdue(r.state, r.deadline, today)]
    done = [r for r in report.rectifications if r.state in ("verified", "closed")]
    concerns = sum(report.concerns_by_state.values())
    span = t("report.span", first=chinese_date(period.first), last=chinese_date(period.last))
    inspector = report.inspector or t("report.none")
    if report.inspector_number:
        inspector += t("report.inspector_number", number=report.inspector_number)

    story: list[Any] = [
        p(office, issuer),
        p(t("report.title"), title),
        p(t("report.subtitle", school=unit.name), issuer),
        Spacer(1, 5 * mm),
        table(
            None,
            [
                [t("report.field.school"), unit.name, t("report.field.code"), unit.code],
                [t("report.field.zone"), report.zone or t("report.none"), t("report.field.inspector"), inspector],
                [t("report.field.period"), span, t("report.field.issued"), chinese_date(today)],
            ],
            [24, 61, 24, 61],
        ),
        Spacer(1, 4 * mm),
        p(
            t(
                "report.summary",
                span=span,
                visits=len(report.visits),
                findings=len(findings),
                rectifications=len(report.rectifications),
                done=len(done),
                overdue=len(overdue),
                concerns=concerns,
            )
        ),
        p(t("report.section.visits", n=len(report.visits)), heading),
    ]
    if report.visits:
        story.append(
            table(
                [t("report.col.no"), t("report.col.date"), t("report.col.kind"), t("report.col.items"),
                 t("report.col.seen")],
                [
                    [
                        str(n),
                        v.visited_on.isoformat(),
                        _label("visits.kind", v.kind) + (t("report.urgent") if v.urgent else ""),
                        "、".join(items.get(c, c) for c in v.items) or t("report.none"),
                        v.observations or t("report.none"),
                    ]
                    for n, v in enumerate(report.visits, start=1)
                ],
                [12, 22, 28, 38, 70],
            )
        )  # fmt: skip
    else:
        story.append(p(t("report.no_visits")))
    story.append(p(t("report.section.findings", n=len(findings)), heading))
    if findings:
        for n, v in enumerate(findings, start=1):
            story.append(p(t("report.finding", n=n, date=v.visited_on.isoformat(), text=v.problems.strip())))
    else:
        story.append(p(t("report.no_findings")))
    story.append(p(t("report.section.rectifications", n=len(report.rectifications)), heading))
    if report.rectifications:

        def state(r: Any) -> str:
            words = _label("rect.state", r.state)
            if r.level:
                words += t("report.level", level=_label("rect.level", r.level))
            if r in overdue:
                words += t("report.overdue")
            return words

        story.append(
            table(
                [t("report.col.number"), t("report.col.problem"), t("report.col.requirement"),
                 t("report.col.deadline"), t("report.col.state")],
                [
                    [r.number, r.problem, r.requirement or t("report.none"), r.deadline.isoformat(), state(r)]
                    for r in report.rectifications
                ],
                [30, 44, 40, 22, 34],
            )
        )  # fmt: skip
    else:
        story.append(p(t("report.no_rectifications")))
    story.append(p(t("report.section.concerns"), heading))
    if concerns:
        parts = "、".join(
            t("report.concern_part", state=_label("concern.state", s), n=n)
            for s, n in sorted(report.concerns_by_state.items())
        )
        story.append(p(t("report.concern_counts", total=concerns, parts=parts)))
    else:
        story.append(p(t("report.no_concerns")))
    story.append(
        KeepTogether(
            [Spacer(1, 14 * mm), p(office, right), p(chinese_date(today), right), Spacer(1, 6 * mm),
             p(t("report.generated"), small)]
        )
    )  # fmt: skip

    footer_left = t("report.footer", school=unit.name, code=unit.code)

    class NumberedCanvas(Canvas):
        """Draws "第 n 页 共 m 页" once the page count is known (pages are kept until the document is done)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for number, page in enumerate(self._pages, start=1):
                self.__dict__.update(page)
                self.setFont(font, 9)
                self.setFillColor(colors.HexColor("#4b5563"))
                self.drawString(20 * mm, 10 * mm, footer_left)
                self.drawRightString(A4[0] - 20 * mm, 10 * mm, t("report.page", n=number, total=len(self._pages)))
                super().showPage()
            super().save()

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
        title=t("report.title") + " " + unit.name,
        author=office,
    )
    doc.build(story, canvasmaker=NumberedCanvas)
    return out.getvalue()
