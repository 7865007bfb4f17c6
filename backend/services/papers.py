"""The paper renderer: a `Paper` (a formal document's content) → DOCX bytes and PDF bytes, laid out like 公文.

Pure of the database: a paper is data (`Paper.to_data` / `Paper.from_data` give the JSON kept as a numbered
document's snapshot), and rendering it needs only python-docx, reportlab and the report's TrueType font
(`backend.services.report_pdf.register_font`). The layout follows GB/T 9704-2012 loosely: A4, margins 37/35/28/26
mm, the issuing office's name in red over a red rule (版头) with the document number, a centred title, the
addressee (主送), the body in 仿宋 三号 with first-level headings (一、) in 黑体, simple tables, the attachments
(附件), the signing office, the date, a place for the seal (盖章处) and 抄送.

DOCX is what offices edit (WPS, Word): every run names its East Asian font (`w:eastAsia`: 仿宋, 黑体, 宋体) with
Latin text in Times New Roman, and the font table gives each Chinese font its fallbacks (`w:altName`: FangSong,
SimHei, SimSun) so a machine without the GB2312 faces still shows them in the nearest one. The PDF is one font
(reportlab embeds TrueType only), sized and spaced the same.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from backend.domain.documents import DATE_STYLES, heading_number, paper_date
from messages import t

# the fonts of the DOCX, by role: (East Asian font, its fallback names for the font table)
BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
TITLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
FALLBACKS = {
    "仿宋": ("FangSong", "仿宋_GB2312", "02010609060101010101"),
    "黑体": ("SimHei", "", "02010609060101010101"),
    "宋体": ("SimSun", "", "02010600030101010101"),
}
RED = "C00000"
# sizes in points: 三号 16, 二号 22, 小初 36 (the red header, smaller for a long name), 小四 12 (tables), 四号 14
BODY_PT, TITLE_PT, HEADER_PT, TABLE_PT, SMALL_PT = 16.0, 22.0, 36.0, 12.0, 14.0
LINE_PT = 28.0  # a fixed line pitch close to the standard's 22 lines a page
MARGINS_MM = {"top": 37.0, "bottom": 35.0, "left": 28.0, "right": 26.0}
# characters XML 1.0 cannot hold (python-docx refuses them); typed text may carry them
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIME = "application/pdf"


@dataclass(frozen=True)
class Grid:
    """A simple table: a header row and rows of text; without headers it is a form (labels in the odd columns)."""

    rows: tuple[tuple[str, ...], ...]
    headers: tuple[str, ...] = ()
    widths: tuple[float, ...] = ()  # relative column widths; equal when empty


@dataclass(frozen=True)
class Picture:
    """A picture printed centred with its caption under it: `content` is a JPEG or PNG the caller has already
    measured and made small (`backend.services.images.thumbnail`); `width_mm` its printed width."""

    content: bytes
    caption: str = ""
    width_mm: float = 70.0


Block = str | Grid | Picture  # a paragraph (newlines break its lines), a table or a picture


@dataclass(frozen=True)
class Section:
    """A headed part of the body; the renderer numbers the headings 一、二、…"""

    heading: str
    body: tuple[Block, ...] = ()


@dataclass(frozen=True)
class Paper:
    office: str  # the issuing office (发文机关): 某某县人民政府教育督导室
    title: str  # 整改通知书
    issued_on: date
    number: str = ""  # 某督整〔2026〕12号
    addressee: str = ""  # 主送: 城关镇第二小学
    body: tuple[Block, ...] = ()  # before the sections
    sections: tuple[Section, ...] = ()
    closing: tuple[Block, ...] = ()  # after the sections (特此通知。)
    attachments: tuple[str, ...] = ()
    signature: str = ""  # the signing office; the issuing office when empty
    date_style: str = "arabic"  # "arabic": 2026年12月1日, "chinese": 二〇二六年十二月一日
    seal: bool = True  # a place for the seal over the signature and date
    copy_to: str = ""  # 抄送
    notes: tuple[str, ...] = field(default=())  # small print after the signature (联系人, 电话)

    def __post_init__(self) -> None:
        if self.date_style not in DATE_STYLES:
            raise ValueError(f"unknown date style: {self.date_style}")

    @property
    def signed_by(self) -> str:
        return self.signature or self.office

    @property
    def date_text(self) -> str:
        return paper_date(self.issued_on, self.date_style)

    def to_data(self) -> dict[str, Any]:
        """The paper as JSON data (the snapshot a numbered document keeps)."""
        return {
            "office": self.office,
            "title": self.title,
            "issued_on": self.issued_on.isoformat(),
            "number": self.number,
            "addressee": self.addressee,
            "body": [_block_data(b) for b in self.body],
            "sections": [{"heading": s.heading, "body": [_block_data(b) for b in s.body]} for s in self.sections],
            "closing": [_block_data(b) for b in self.closing],
            "attachments": list(self.attachments),
            "signature": self.signature,
            "date_style": self.date_style,
            "seal": self.seal,
            "copy_to": self.copy_to,
            "notes": list(self.notes),
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Paper:
        return cls(
            office=str(data["office"]),
            title=str(data["title"]),
            issued_on=date.fromisoformat(str(data["issued_on"])),
            number=str(data.get("number", "")),
            addressee=str(data.get("addressee", "")),
            body=blocks(data.get("body", ())),
            sections=tuple(Section(str(s["heading"]), blocks(s.get("body", ()))) for s in data.get("sections", ())),
            closing=blocks(data.get("closing", ())),
            attachments=tuple(str(a) for a in data.get("attachments", ())),
            signature=str(data.get("signature", "")),
            date_style=str(data.get("date_style", "arabic")),
            seal=bool(data.get("seal", True)),
            copy_to=str(data.get("copy_to", "")),
            notes=tuple(str(n) for n in data.get("notes", ())),
        )


@dataclass(frozen=True)
class Draft:
    """A paper's content before it is issued: the register gives it its office, number and date (`paper`)."""

    title: str
    addressee: str = ""
    body: tuple[Block, ...] = ()
    sections: tuple[Section, ...] = ()
    closing: tuple[Block, ...] = ()
    attachments: tuple[str, ...] = ()
    signature: str = ""
    copy_to: str = ""
    notes: tuple[str, ...] = ()
    seal: bool = True

    def paper(self, *, office: str, number: str, issued_on: date, date_style: str = "arabic") -> Paper:
        return Paper(
            office=office,
            title=self.title,
            issued_on=issued_on,
            number=number,
            addressee=self.addressee,
            body=self.body,
            sections=self.sections,
            closing=self.closing,
            attachments=self.attachments,
            signature=self.signature,
            date_style=date_style,
            seal=self.seal,
            copy_to=self.copy_to,
            notes=self.notes,
        )


def _block_data(block: Block) -> Any:
    if isinstance(block, Picture):
        return {
            "picture": base64.b64encode(block.content).decode(),
            "caption": block.caption,
            "width_mm": block.width_mm,
        }
    if isinstance(block, Grid):
        return {"headers": list(block.headers), "rows": [list(r) for r in block.rows], "widths": list(block.widths)}
    return block


def blocks(data: Iterable[Any]) -> tuple[Block, ...]:
    """Blocks from their JSON data (text, or a table's {"headers", "rows", "widths"})."""
    found: list[Block] = []
    for entry in data:
        if isinstance(entry, Mapping) and "picture" in entry:
            found.append(
                Picture(
                    content=base64.b64decode(str(entry["picture"])),
                    caption=str(entry.get("caption", "")),
                    width_mm=float(entry.get("width_mm", 70.0)),
                )
            )
        elif isinstance(entry, Mapping):
            found.append(
                Grid(
                    rows=tuple(tuple(str(c) for c in row) for row in entry.get("rows", ())),
                    headers=tuple(str(h) for h in entry.get("headers", ())),
                    widths=tuple(float(w) for w in entry.get("widths", ())),
                )
            )
        else:
            found.append(str(entry))
    return tuple(found)


def form(pairs: Sequence[tuple[str, str]], *, columns: int = 2) -> Grid:
    """A form of (label, value) pairs, `columns` pairs a row: 约谈时间 | 2026年12月1日 | 约谈地点 | 县教育局."""
    rows = []
    for start in range(0, len(pairs), columns):
        row: list[str] = []
        for label, value in pairs[start : start + columns]:
            row += [label, value]
        row += [""] * (2 * columns - len(row))
        rows.append(tuple(row))
    widths = (1.0, 2.0) * columns
    return Grid(rows=tuple(rows), widths=widths)


def header_size(office: str) -> float:
    """The red header's size: 小初 (36 pt) at most, smaller for a long name so that it keeps to one line."""
    width_pt = (210 - MARGINS_MM["left"] - MARGINS_MM["right"]) / 25.4 * 72
    return round(min(HEADER_PT, width_pt * 0.94 / max(1, len(clean(office)))), 1)


def clean(text: str) -> str:
    """Text as a paper can hold it: characters XML refuses dropped, line ends made one kind."""
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _attachment_lines(paper: Paper) -> list[str]:
    """附件：1．… then the next ones under the first (padded with ideographic spaces), numbered when several."""
    if not paper.attachments:
        return []
    label = t("papers.attachments")
    if len(paper.attachments) == 1:
        return [label + clean(paper.attachments[0])]
    pad = "\u3000" * len(label)
    return [(label if n == 1 else pad) + f"{n}．" + clean(a) for n, a in enumerate(paper.attachments, start=1)]


def _widths(grid: Grid, total: float) -> list[float]:
    count = max(1, len(grid.headers), *(len(r) for r in grid.rows))
    weights = list(grid.widths[:count]) + [1.0] * (count - len(grid.widths[:count]))
    scale = total / sum(weights)
    return [w * scale for w in weights]


def _square(grid: Grid) -> list[list[str]]:
    """The grid's rows (headers first) padded to one width."""
    rows = ([list(grid.headers)] if grid.headers else []) + [list(r) for r in grid.rows]
    width = max((len(r) for r in rows), default=0)
    return [[clean(c) for c in r] + [""] * (width - len(r)) for r in rows]


# --- DOCX ---------------------------------------------------------------------------------------------------


def to_docx(paper: Paper) -> bytes:
    """The paper as a Word document (DOCX) that WPS and Word open and edit."""
    from docx import Document
    from docx.enum.section import WD_SECTION_START
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    document = Document()
    section = document.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    _docx_fonts(document)
    _docx_page_numbers(section)
    properties = document.core_properties
    properties.title = clean(f"{paper.title} {paper.number}".strip())
    properties.author = clean(paper.office)
    properties.comments = t("papers.generated")

    writer = _DocxWriter(document)
    header = header_size(paper.office)
    writer.line(paper.office, font=TITLE_FONT, size=header, bold=True, color=RED, align=WD_ALIGN_PARAGRAPH.CENTER)
    writer.line(paper.number, align=WD_ALIGN_PARAGRAPH.CENTER, rule=True, before=10)
    writer.line(paper.title, font=TITLE_FONT, size=TITLE_PT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, before=16)
    if paper.addressee:
        writer.line(paper.addressee + "：", before=14)
    writer.blocks(paper.body)
    for n, part in enumerate(paper.sections, start=1):
        writer.line(heading_number(n) + part.heading, font=HEADING_FONT, indent=True)
        writer.blocks(part.body)
    writer.blocks(paper.closing)
    lines = _attachment_lines(paper)
    for n, text in enumerate(lines):
        writer.line(text, indent=True, before=LINE_PT if n == 0 else 0)
    if paper.seal:
        writer.line(t("papers.seal"), size=SMALL_PT, color="808080", align=WD_ALIGN_PARAGRAPH.RIGHT, before=LINE_PT)
    writer.line(paper.signed_by, align=WD_ALIGN_PARAGRAPH.RIGHT, before=0 if paper.seal else LINE_PT * 2, right=2)
    writer.line(paper.date_text, align=WD_ALIGN_PARAGRAPH.RIGHT, right=2)
    for note in paper.notes:
        writer.line(note, size=SMALL_PT, before=6)
    if paper.copy_to:
        writer.line(t("papers.copy_to") + paper.copy_to, size=SMALL_PT, rule=True, top_rule=True, before=LINE_PT)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


class _DocxWriter:
    def __init__(self, document: Any) -> None:
        self.document = document

    def line(
        self,
        text: str,
        *,
        font: str = BODY_FONT,
        size: float = BODY_PT,
        bold: bool = False,
        color: str = "",
        align: Any = None,
        indent: bool = False,
        before: float = 0,
        right: int = 0,
        rule: bool = False,
        top_rule: bool = False,
    ) -> Any:
        from docx.shared import Pt

        paragraph = self.document.add_paragraph()
        fmt = paragraph.paragraph_format
        if align is not None:
            paragraph.alignment = align
        fmt.space_before, fmt.space_after = Pt(before), Pt(0)
        fmt.line_spacing = Pt(max(LINE_PT, size * 1.3))
        if indent:
            fmt.first_line_indent = Pt(size * 2)
        if right:
            fmt.right_indent = Pt(size * right)
        for n, part in enumerate(clean(text).split("\n")):
            run = paragraph.add_run()
            if n:
                run.add_break()
            run.text = part
            _docx_run(run, font=font, size=size, bold=bold, color=color)
        if rule or top_rule:
            _docx_rule(paragraph, bottom=rule, top=top_rule, color=RED if not top_rule else "000000")
        return paragraph

    def blocks(self, body: Iterable[Block]) -> None:
        for block in body:
            if isinstance(block, Picture):
                self.picture(block)
            elif isinstance(block, Grid):
                self.grid(block)
            else:
                self.line(block, indent=True)

    def picture(self, picture: Picture) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm

        self.document.add_picture(io.BytesIO(picture.content), width=Mm(picture.width_mm))
        self.document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        if picture.caption:
            self.line(picture.caption, size=SMALL_PT, align=WD_ALIGN_PARAGRAPH.CENTER)

    def grid(self, grid: Grid) -> None:
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.shared import Mm, Pt

        rows = _square(grid)
        if not rows:
            return
        table = self.document.add_table(rows=len(rows), cols=len(rows[0]))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        widths = _widths(grid, 210 - MARGINS_MM["left"] - MARGINS_MM["right"])
        for r, (row, table_row) in enumerate(zip(rows, table.rows, strict=True)):
            for c, (value, cell) in enumerate(zip(row, table_row.cells, strict=True)):  # table.cell(r, c) is O(cells)
                cell.width = Mm(widths[c])
                paragraph = cell.paragraphs[0]
                paragraph.paragraph_format.space_after = Pt(0)
                label = (grid.headers and r == 0) or (not grid.headers and c % 2 == 0)
                for n, part in enumerate(value.split("\n")):
                    run = paragraph.add_run()
                    if n:
                        run.add_break()
                    run.text = part
                    _docx_run(run, font=BODY_FONT, size=TABLE_PT, bold=bool(label))
        self.document.add_paragraph().paragraph_format.space_after = Pt(0)


def _docx_run(run: Any, *, font: str, size: float, bold: bool = False, color: str = "") -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = LATIN_FONT
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), font)
    fonts.set(qn("w:hint"), "eastAsia")


def _docx_rule(paragraph: Any, *, bottom: bool, top: bool, color: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:pBdr")
    for side, wanted in (("top", top), ("bottom", bottom)):
        if wanted:
            edge = OxmlElement(f"w:{side}")
            edge.set(qn("w:val"), "single")
            edge.set(qn("w:sz"), "12" if color == RED else "6")
            edge.set(qn("w:space"), "4")
            edge.set(qn("w:color"), color)
            borders.append(edge)
    properties = paragraph._p.get_or_add_pPr()
    properties.append(borders)


def _docx_fonts(document: Any) -> None:
    """The default run font (仿宋 for Chinese, Times New Roman for Latin) and the Chinese fonts' fallbacks."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml.ns import qn
    from docx.shared import Pt
    from lxml import etree

    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    # word/fontTable.xml is a plain part of python-docx's template (its bytes, no element tree): edited as XML
    part = next(rel.target_part for rel in document.part.rels.values() if rel.reltype == RT.FONT_TABLE)
    root = etree.fromstring(part.blob)

    def entry(name: str, **values: str) -> None:
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in values.items():
            etree.SubElement(font, qn(f"w:{tag}")).set(qn("w:val"), value)

    for name, (alt, gb_name, panose) in FALLBACKS.items():
        entry(name, altName=alt, panose1=panose, charset="86", family="modern")
        if gb_name:  # 仿宋_GB2312, as WPS names it, falls back to 仿宋
            entry(gb_name, altName=name, charset="86", family="modern")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _docx_page_numbers(section: Any) -> None:
    """— 1 — centred at the foot of every page (a PAGE field)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, after = t("papers.page", n="\0").split("\0")
    run = paragraph.add_run(before)
    _docx_run(run, font=BODY_FONT, size=SMALL_PT)
    run = paragraph.add_run()
    _docx_run(run, font=BODY_FONT, size=SMALL_PT)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            shown = OxmlElement("w:t")
            shown.text = text
            run._r.append(shown)
    run = paragraph.add_run(after)
    _docx_run(run, font=BODY_FONT, size=SMALL_PT)


# --- PDF ----------------------------------------------------------------------------------------------------


def to_pdf(paper: Paper) -> bytes:
    """The paper as a PDF in the report's TrueType font; refused (`report.error.no_font`) without one."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import HRFlowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from backend.services.report_pdf import register_font

    font = register_font()
    red = colors.HexColor("#" + RED)
    body = ParagraphStyle("body", fontName=font, fontSize=BODY_PT, leading=LINE_PT, wordWrap="CJK",
                          firstLineIndent=BODY_PT * 2)  # fmt: skip
    flush = ParagraphStyle("flush", parent=body, firstLineIndent=0)
    size = header_size(paper.office)
    header = ParagraphStyle("header", parent=flush, fontSize=size, leading=size * 1.3, alignment=1,
                            textColor=red)  # fmt: skip
    centred = ParagraphStyle("centred", parent=flush, alignment=1)
    title = ParagraphStyle("title", parent=centred, fontSize=TITLE_PT, leading=TITLE_PT * 1.5, spaceBefore=16,
                           spaceAfter=8)  # fmt: skip
    right = ParagraphStyle("right", parent=flush, alignment=2, rightIndent=BODY_PT * 2)
    small = ParagraphStyle("small", parent=flush, fontSize=SMALL_PT, leading=SMALL_PT * 1.6)
    seal = ParagraphStyle("seal", parent=small, alignment=2, textColor=colors.HexColor("#808080"),
                          rightIndent=BODY_PT * 2)  # fmt: skip
    cell = ParagraphStyle("cell", parent=flush, fontSize=TABLE_PT, leading=TABLE_PT * 1.5)
    width = A4[0] - (MARGINS_MM["left"] + MARGINS_MM["right"]) * mm

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        escaped = clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return Paragraph(escaped.replace("\n", "<br/>"), style)

    def grid(g: Grid) -> Table | None:
        rows = _square(g)
        if not rows:
            return None
        table = Table([[p(c, cell) for c in r] for r in rows], colWidths=_widths(g, width), repeatRows=1 if g.headers
                      else 0)  # fmt: skip
        style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
        if g.headers:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")))
        table.setStyle(TableStyle(style))
        return table

    def picture(pic: Picture) -> list[Any]:
        from reportlab.lib.utils import ImageReader
        from reportlab.platypus import Image

        pixels_wide, pixels_high = ImageReader(io.BytesIO(pic.content)).getSize()
        wide = min(pic.width_mm * mm, width)
        shown = Image(io.BytesIO(pic.content), width=wide, height=wide * pixels_high / max(pixels_wide, 1))
        caption = [p(pic.caption, ParagraphStyle("caption", parent=small, alignment=1))] if pic.caption else []
        return [KeepTogether([Spacer(1, 2 * mm), shown, *caption, Spacer(1, 2 * mm)])]

    def add(story: list[Any], body_blocks: Iterable[Block]) -> None:
        for block in body_blocks:
            if isinstance(block, Picture):
                story += picture(block)
            elif isinstance(block, Grid):
                made = grid(block)
                if made is not None:
                    story += [Spacer(1, 2 * mm), made, Spacer(1, 3 * mm)]
            else:
                story.append(p(block))

    story: list[Any] = [p(paper.office, header), Spacer(1, 4 * mm)]
    if paper.number:
        story.append(p(paper.number, centred))
    story += [HRFlowable(width="100%", thickness=1.5, color=red, spaceBefore=2, spaceAfter=4), p(paper.title, title)]
    if paper.addressee:
        story.append(p(paper.addressee + "：", flush))
    add(story, paper.body)
    for n, part in enumerate(paper.sections, start=1):
        story.append(p(heading_number(n) + part.heading))
        add(story, part.body)
    add(story, paper.closing)
    lines = _attachment_lines(paper)
    if lines:  # reportlab drops leading spaces: the later lines are indented by the style instead
        pad = len(t("papers.attachments"))
        under = ParagraphStyle("under", parent=body, firstLineIndent=BODY_PT * (2 + pad))
        story.append(Spacer(1, LINE_PT))
        story += [p(line.lstrip("\u3000"), body if n == 0 else under) for n, line in enumerate(lines)]
    signed = [Spacer(1, LINE_PT if paper.seal else LINE_PT * 2)]
    if paper.seal:
        signed.append(p(t("papers.seal"), seal))
    signed += [p(paper.signed_by, right), p(paper.date_text, right)]
    story.append(KeepTogether(signed))
    story += [p(note, small) for note in paper.notes]
    if paper.copy_to:
        story += [
            Spacer(1, LINE_PT),
            HRFlowable(width="100%", thickness=0.5, color=colors.black, spaceAfter=2),
            p(t("papers.copy_to") + paper.copy_to, small),
            HRFlowable(width="100%", thickness=0.5, color=colors.black, spaceBefore=2),
        ]

    def footer(canvas: Any, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, SMALL_PT)
        canvas.drawCentredString(A4[0] / 2, 18 * mm, t("papers.page", n=canvas.getPageNumber()))
        canvas.restoreState()

    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGINS_MM["left"] * mm,
        rightMargin=MARGINS_MM["right"] * mm,
        topMargin=MARGINS_MM["top"] * mm,
        bottomMargin=MARGINS_MM["bottom"] * mm,
        title=clean(f"{paper.title} {paper.number}".strip()),
        author=clean(paper.office),
        subject=t("papers.generated"),
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def file_name(paper: Paper, extension: str) -> str:
    """整改通知书（某督整〔2026〕12号）.docx"""
    label = f"{paper.title}（{paper.number}）" if paper.number else paper.title
    return re.sub(r'[\\/:*?"<>|\s]+', "_", clean(label)) + "." + extension


__all__ = [
    "DOCX_MIME",
    "PDF_MIME",
    "Block",
    "Draft",
    "Grid",
    "Paper",
    "Picture",
    "Section",
    "blocks",
    "clean",
    "file_name",
    "form",
    "to_docx",
    "to_pdf",
]
