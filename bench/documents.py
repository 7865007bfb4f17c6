"""Benchmark: issuing numbered documents and rendering them, each beside its floor.

Issuing: N 整改通知书 through `documents.issue`, one transaction each (the counter row's insert-if-missing and
`UPDATE … RETURNING`, the document row with its snapshot, the audit event), against the floor of N transactions
that each insert one audit event only. Rendering: a two-page 整改通知书 as DOCX and as PDF, against the floor of an
empty python-docx document saved and a reportlab page with one line. Database: a fresh SQLite file, or
`--database-url` (an EMPTY scratch PostgreSQL database: it is migrated and written to).

    .venv/bin/python bench/documents.py [--count 300] [--renders 30] [--database-url URL]
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from backend.domain.documents import DocumentKind
from backend.services import documents
from backend.services.audit import record
from backend.services.authority import current_authority
from backend.services.papers import Draft, Grid, Paper, Section, to_docx, to_pdf
from backend.store.db import Database

MOMENT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def paper() -> Paper:
    problem = "项问题：消防通道堆放杂物，需立即清理并建立巡查制度"
    rows = tuple((str(n), f"第{n}{problem}", "2026-12-10") for n in range(1, 16))
    return Paper(
        office="江西省安远县人民政府教育督导室",
        title="整改通知书",
        issued_on=date(2026, 12, 1),
        number="安督整〔2026〕128号",
        addressee="安远县欣山镇第二小学",
        body=("2026年11月27日，责任督学李明对你单位开展经常性督导，发现存在以下问题。" * 3,),
        sections=(
            Section("存在的问题", (Grid(headers=("序号", "问题", "整改期限"), rows=rows),)),
            Section("整改要求", ("请于2026年12月10日前整改到位。" * 4, "确有困难的，请提出延期申请。")),
        ),
        closing=("特此通知。",),
        attachments=("整改报告模板", "督导现场照片"),
        copy_to="安远县欣山镇人民政府",
    )


def timed(fn: object, repeat: int) -> float:
    assert callable(fn)
    started = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - started) / repeat * 1000


def bench_issue(db: Database, count: int) -> tuple[float, float]:
    with db.session() as session:
        authority_id = current_authority(session).id
    draft = Draft(title="整改通知书", addressee="安远县欣山镇第二小学", body=("请于期限内整改。",))

    def issue() -> None:
        with db.session() as session:
            documents.issue(
                session,
                kind=DocumentKind.RECTIFICATION_NOTICE,
                draft=draft,
                subject_type="bench",
                subject_id=None,
                authority_id=authority_id,
                actor="system",
                now=MOMENT,
            )

    def floor() -> None:
        with db.session() as session:
            record(session, "system", "bench.floor", "bench", None, now=MOMENT)

    return timed(issue, count), timed(floor, count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--renders", type=int, default=30)
    parser.add_argument("--database-url", default="")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        db = Database(options.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        db.upgrade()
        issue_ms, floor_ms = bench_issue(db, options.count)
        db.dispose()
    print(f"issue   {options.count} documents: {issue_ms:7.2f} ms each   floor (one audit row a transaction) "
          f"{floor_ms:7.2f} ms   x{issue_ms / floor_ms:.1f}")  # fmt: skip

    from docx import Document
    from reportlab.pdfgen.canvas import Canvas

    from backend.services.report_pdf import register_font

    shown = paper()
    to_pdf(shown)  # the font registered once, outside the timing

    def empty_docx() -> None:
        Document().save(io.BytesIO())

    def one_line_pdf() -> None:
        canvas = Canvas(io.BytesIO())
        canvas.setFont(register_font(), 16)
        canvas.drawString(100, 700, "整改通知书")
        canvas.save()

    docx_ms, docx_floor = timed(lambda: to_docx(shown), options.renders), timed(empty_docx, options.renders)
    pdf_ms, pdf_floor = timed(lambda: to_pdf(shown), options.renders), timed(one_line_pdf, options.renders)
    print(f"render  DOCX: {docx_ms:7.2f} ms   floor (empty document saved) {docx_floor:7.2f} ms   "
          f"x{docx_ms / docx_floor:.1f}")  # fmt: skip
    print(f"render  PDF:  {pdf_ms:7.2f} ms   floor (one line, same font)   {pdf_floor:7.2f} ms   "
          f"x{pdf_ms / pdf_floor:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
