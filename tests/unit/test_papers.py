"""The paper renderer: a `Paper` as DOCX (read back with python-docx) and PDF (read back with pdftotext)."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from datetime import date
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Length

from backend.domain.documents import chinese_small_number, document_number, paper_date, prefix_of
from backend.services.papers import Grid, Paper, Section, file_name, form, to_docx, to_pdf
from tests.integration.test_school_report_pdf import flat, needs_pdftotext, pdf_text

OFFICE = "江西省安远县人民政府教育督导室"
SCHOOL = "安远县欣山镇第二小学"


def paper(**changes: object) -> Paper:
    base = Paper(
        office=OFFICE,
        title="整改通知书",
        issued_on=date(2026, 12, 1),
        number="安督整〔2026〕12号",
        addressee=SCHOOL,
        body=("2026年11月27日，责任督学李明到你校开展经常性督导，发现以下问题：",),
        sections=(
            Section(
                "存在问题",
                (
                    "校门口护栏破損，存在安全隐患；\n食堂留样记录不全。",  # a traditional character, as typed
                    Grid(headers=("序号", "问题", "整改期限"), rows=(("1", "护栏破損", "2026-12-10"),)),
                ),
            ),
            Section("整改要求", ("请于2026年12月10日前整改到位，并通过督导通提交整改报告。",)),
        ),
        closing=("特此通知。",),
        attachments=("整改报告模板", "督导现场照片"),
        copy_to="安远县教育科技体育局",
        notes=("联系人：李明 13907970001",),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_dates_are_written_as_offices_write_them() -> None:
    assert paper_date(date(2026, 12, 1)) == "2026年12月1日"
    assert paper_date(date(2026, 12, 1), "chinese") == "二〇二六年十二月一日"
    assert paper_date(date(2030, 10, 20), "chinese") == "二〇三〇年十月二十日"
    assert paper_date(date(2027, 1, 31), "chinese") == "二〇二七年一月三十一日"
    assert [chinese_small_number(n) for n in (1, 10, 11, 19, 20, 21, 99)] == [
        "一", "十", "十一", "十九", "二十", "二十一", "九十九",
    ]  # fmt: skip
    with pytest.raises(ValueError):
        Paper(office=OFFICE, title="x", issued_on=date(2026, 1, 1), date_style="roman")


def test_numbers_take_the_offices_prefix_or_the_default() -> None:
    assert document_number(prefix_of({"talk": "安督约"}, "talk"), 2026, 3) == "安督约〔2026〕3号"
    assert document_number(prefix_of({"talk": " "}, "rectification_notice"), 2027, 1) == "督整〔2027〕1号"


def test_a_paper_survives_its_snapshot() -> None:
    shown = paper()
    assert Paper.from_data(shown.to_data()) == shown
    assert file_name(shown, "docx") == "整改通知书（安督整〔2026〕12号）.docx"


def test_the_docx_reads_back_with_its_text_fonts_and_page() -> None:
    document = docx.Document(io.BytesIO(to_docx(paper())))
    texts = [p.text for p in document.paragraphs]
    assert texts[:4] == [OFFICE, "安督整〔2026〕12号", "整改通知书", SCHOOL + "："]
    assert "一、存在问题" in texts and "二、整改要求" in texts
    assert "校门口护栏破損，存在安全隐患；食堂留样记录不全。" in texts  # a line break inside, the text as typed
    assert "附件：1．整改报告模板" in texts and "\u3000\u3000\u30002．督导现场照片" in texts
    at = texts.index("（盖章处）")
    assert texts[at + 1 : at + 3] == [OFFICE, "2026年12月1日"]
    assert "抄送：安远县教育科技体育局" in texts and "联系人：李明 13907970001" in texts
    table = document.tables[0]
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["序号", "问题", "整改期限"],
        ["1", "护栏破損", "2026-12-10"],
    ]
    section = document.sections[0]
    sizes = (section.page_width, section.page_height, section.top_margin, section.left_margin)
    assert [round(Length(v or 0).mm) for v in sizes] == [210, 297, 37, 28]  # A4, 公文 margins (stored in twips)
    # every run names its Chinese font: the body in 仿宋, the headings in 黑体, the title in 宋体
    fonts = {}
    for p in document.paragraphs:
        for run in p.runs:
            if run.text:
                fonts[run.text] = run._element.rPr.rFonts.get(qn("w:eastAsia"))
    assert fonts["特此通知。"] == "仿宋" and fonts["一、存在问题"] == "黑体" and fonts["整改通知书"] == "宋体"
    assert None not in fonts.values()
    assert document.core_properties.author == OFFICE


def test_the_docx_gives_each_chinese_font_its_fallback() -> None:
    with zipfile.ZipFile(io.BytesIO(to_docx(paper()))) as archive:
        table = archive.read("word/fontTable.xml").decode()
        footer = archive.read("word/footer1.xml").decode()
    assert '<w:font w:name="仿宋"><w:altName w:val="FangSong"/>' in table
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in table
    assert '<w:altName w:val="SimHei"/>' in table
    assert '<w:instrText xml:space="preserve"> PAGE </w:instrText>' in footer  # — 1 — on every page


def test_the_older_date_style_and_no_seal() -> None:
    document = docx.Document(io.BytesIO(to_docx(paper(date_style="chinese", seal=False, attachments=("一份",)))))
    texts = [p.text for p in document.paragraphs]
    assert "二〇二六年十二月一日" in texts and "（盖章处）" not in texts
    assert "附件：一份" in texts


def test_text_that_xml_cannot_hold_is_dropped_not_refused() -> None:
    hostile = paper(addressee="城关\x00小学\x1b", body=("<b>不是标签</b> & 也不是实体 &amp;\x07",))
    texts = [p.text for p in docx.Document(io.BytesIO(to_docx(hostile))).paragraphs]
    assert "城关小学：" in texts and "<b>不是标签</b> & 也不是实体 &amp;" in texts
    assert to_pdf(hostile).startswith(b"%PDF")


def test_a_form_lays_pairs_out_in_rows() -> None:
    grid = form([("约谈时间", "2026年12月1日"), ("约谈地点", "县教育局"), ("约谈对象", "张校长")])
    assert grid.rows == (("约谈时间", "2026年12月1日", "约谈地点", "县教育局"), ("约谈对象", "张校长", "", ""))
    document = docx.Document(io.BytesIO(to_docx(paper(sections=(Section("基本情况", (grid,)),)))))
    assert document.tables[0].rows[1].cells[1].text == "张校长"


@needs_pdftotext
def test_the_pdf_prints_office_number_names_dates_and_the_seal(tmp_path: Path) -> None:
    text = flat(pdf_text(to_pdf(paper()), tmp_path))
    for wanted in (
        OFFICE,
        "安督整〔2026〕12号",
        "整改通知书",
        SCHOOL + "：",
        "一、存在问题",
        "护栏破損",
        "2026-12-10",
        "附件：1．整改报告模板",
        "2．督导现场照片",
        "（盖章处）",
        "2026年12月1日",
        "抄送：安远县教育科技体育局",
        "—1—",
    ):
        assert wanted in text, wanted
    assert "二〇二六年十二月一日" in flat(pdf_text(to_pdf(paper(date_style="chinese")), tmp_path))
