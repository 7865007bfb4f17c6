"""Benchmark: importing a prefecture's master data (6,000 schools, 1,200 inspectors, 6,000 assignments).

Generates the files in a temporary folder, imports them into PostgreSQL (first import, then the idempotent
re-import of the same files), and compares with the floor: the same rows written by a bare `COPY` into the
same tables. The schema of the target database is dropped and recreated: never point it at a database
that holds anything you want.

    .venv/bin/python bench/import.py [--format xlsx|csv] [--database-url URL]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import text
from sqlalchemy.engine import make_url

from backend.clock import SystemClock
from backend.services import tabular
from backend.services.importing import COLUMNS, ImportKind, import_file
from backend.store.db import Database
from backend.store.models import Base

DEFAULT_URL = "postgresql://postgres@127.0.0.1/test_import_bench"
STAGES = ["幼儿园"] * 30 + ["小学"] * 40 + ["初中"] * 12 + ["九年一贯制"] * 8 + ["高中", "完全中学", "中职", "特教"] * 2
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚华建国红梅燕春"


def generate(schools: int, inspectors: int, counties: int, zones_per_county: int, seed: int = 7) -> dict[str, Any]:
    """Rows per kind, as typed in the files (Chinese headers' order)."""
    rng = random.Random(seed)

    def person() -> str:
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))

    school_rows = []
    for n in range(schools):
        county = n % counties + 1
        stage = rng.choice(STAGES)
        private = stage == "幼儿园" and rng.random() < 0.4
        zone = f"{county}县第{(n // counties) % zones_per_county + 1}责任区"
        phone = f"13{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}" if rng.random() < 0.6 else f"0571-8{n:07d}"
        school_rows.append(
            [
                f"33{county:02d}{n:06d}",
                f"{county}县第{n + 1}{stage if stage not in ('小学', '初中') else '学校'}",
                stage,
                "民办" if private else "公办",
                f"{county}县人民路{n + 1}号",
                f"{rng.uniform(118.0, 122.0):.6f}",
                f"{rng.uniform(28.0, 31.0):.6f}",
                str(rng.randint(50, 3000)),
                zone,
                person(),
                phone,
            ]
        )
    inspector_rows = []
    for n in range(inspectors):
        retired = rng.random() < 0.35
        inspector_rows.append(
            [
                f"D{n + 1:05d}",
                person(),
                f"139{n:08d}",
                "专职" if rng.random() < 0.2 else "兼职",
                "是" if retired else "否",
                f"20{rng.randint(15, 23)}-07-31" if retired else "",
                "",
            ]
        )
    assignment_rows = [[f"D{n % inspectors + 1:05d}", row[0], "2024-09-01"] for n, row in enumerate(school_rows)]
    return {
        ImportKind.SCHOOLS: school_rows,
        ImportKind.INSPECTORS: inspector_rows,
        ImportKind.ASSIGNMENTS: assignment_rows,
    }


def changed(data: dict[str, Any]) -> dict[str, Any]:
    """One row in ten changed: more students, a new phone, another inspector from the spring term."""
    schools = [list(row) for row in data[ImportKind.SCHOOLS]]
    inspectors = [list(row) for row in data[ImportKind.INSPECTORS]]
    assignments = [list(row) for row in data[ImportKind.ASSIGNMENTS]]
    for row in schools[::10]:
        row[7] = str(int(row[7]) + 1)
    for row in inspectors[::10]:
        row[2] = "137" + row[2][3:]
    for n, row in enumerate(assignments[::10]):
        row[0], row[2] = inspectors[(n * 7) % len(inspectors)][0], "2025-03-01"
    return {ImportKind.SCHOOLS: schools, ImportKind.INSPECTORS: inspectors, ImportKind.ASSIGNMENTS: assignments}


def write_file(folder: Path, kind: ImportKind, rows: list[list[str]], fmt: str, tag: str = "first") -> Path:
    header = [column.header for column in COLUMNS[kind]]
    path = folder / f"{kind.value}-{tag}.{fmt}"
    if fmt == "csv":
        with path.open("w", encoding="gb18030", newline="") as out:  # the encoding a Chinese Excel saves
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(rows)
        return path
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def reset_schema(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    db.upgrade()


def truncate(db: Database) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def timed_import(db: Database, kind: ImportKind, path: Path, media: Path) -> tuple[float, str]:
    started = time.perf_counter()
    with db.sessions() as session:
        report = import_file(session, kind, path, media_dir=media, actor="bench", new_zones=True)
    elapsed = time.perf_counter() - started
    if not report.ok:
        sys.exit("\n".join(report.summary()[:20]))
    return elapsed, f"+{report.created} ~{report.updated} ={report.unchanged}"


def copy_floor(db: Database, data: dict[str, Any]) -> dict[ImportKind, float]:
    """The same rows, already parsed, written by COPY: what no importer can beat."""
    truncate(db)
    now = SystemClock().now().replace(tzinfo=None)
    stages = {"幼儿园": "kindergarten", "小学": "primary", "初中": "junior", "九年一贯制": "nine_year"}
    stages |= {"高中": "senior", "完全中学": "complete_secondary", "中职": "vocational", "特教": "special"}
    timings: dict[ImportKind, float] = {}
    raw = db.engine.raw_connection()
    try:
        conn: Any = raw.driver_connection
        with conn.cursor() as cur:
            cur.execute("INSERT INTO authority (code, name, office_name, hotline, supervision_items, "
                        "visits_per_month_target, visits_per_semester_floor, concern_ack_working_days, "
                        "concern_answer_working_days, supervision_notice_working_days, quiet_hours, created_at, "
                        "updated_at) VALUES ('default', 'x', '', '', '[]', 1, 2, 1, 5, 5, '', %s, %s) RETURNING id",
                        (now, now))  # fmt: skip
            authority_id = cur.fetchone()[0]
        conn.commit()

        started = time.perf_counter()
        with conn.cursor() as cur:
            zones = sorted({row[8] for row in data[ImportKind.SCHOOLS]})
            with cur.copy("COPY zone (authority_id, name, created_at, updated_at) FROM STDIN") as copy:
                for name in zones:
                    copy.write_row((authority_id, name, now, now))
            cur.execute("SELECT name, id FROM zone")
            zone_ids = dict(cur.fetchall())
            columns = (
                "authority_id, code, name, short_name, kind, ownership, address, longitude, latitude, "
                "student_count, zone_id, contact_name, contact_phone, active, created_at, updated_at"
            )
            with cur.copy(f"COPY unit ({columns}) FROM STDIN") as copy:
                for r in data[ImportKind.SCHOOLS]:
                    copy.write_row(
                        (authority_id, r[0], r[1], "", stages[r[2]], "private" if r[3] == "民办" else "public", r[4],
                         float(r[5]), float(r[6]), int(r[7]), zone_ids[r[8]], r[9], r[10], True, now, now)
                    )  # fmt: skip
        conn.commit()
        timings[ImportKind.SCHOOLS] = time.perf_counter() - started

        started = time.perf_counter()
        with conn.cursor() as cur:
            columns = (
                "authority_id, number, name, phone, photo, employment, retired, retired_on, training_hours, "
                "active, created_at, updated_at"
            )
            with cur.copy(f"COPY inspector ({columns}) FROM STDIN") as copy:
                for r in data[ImportKind.INSPECTORS]:
                    copy.write_row(
                        (authority_id, r[0], r[1], r[2], "", "full_time" if r[3] == "专职" else "part_time",
                         r[4] == "是", date.fromisoformat(r[5]) if r[5] else None, 0.0, True, now, now)
                    )  # fmt: skip
        conn.commit()
        timings[ImportKind.INSPECTORS] = time.perf_counter() - started

        started = time.perf_counter()
        with conn.cursor() as cur:
            cur.execute("SELECT number, id FROM inspector")
            inspector_ids = dict(cur.fetchall())
            cur.execute("SELECT code, id FROM unit")
            unit_ids = dict(cur.fetchall())
            with cur.copy("COPY assignment (inspector_id, unit_id, starts_on, created_at) FROM STDIN") as copy:
                for r in data[ImportKind.ASSIGNMENTS]:
                    copy.write_row((inspector_ids[r[0]], unit_ids[r[1]], date.fromisoformat(r[2]), now))
        conn.commit()
        timings[ImportKind.ASSIGNMENTS] = time.perf_counter() - started
    finally:
        raw.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help=f"PostgreSQL to use (default {DEFAULT_URL})")
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    parser.add_argument("--schools", type=int, default=6000)
    parser.add_argument("--inspectors", type=int, default=1200)
    parser.add_argument("--counties", type=int, default=10)
    parser.add_argument("--zones-per-county", type=int, default=30)
    args = parser.parse_args()

    url = make_url(args.database_url)
    if url.get_backend_name() != "postgresql":
        sys.exit("this benchmark measures PostgreSQL: give a postgresql:// URL")
    if url.database in ("test", "postgres"):
        sys.exit(f"refusing to drop the schema of the shared database {url.database!r}")

    db = Database(args.database_url)
    reset_schema(db)
    data = generate(args.schools, args.inspectors, args.counties, args.zones_per_county)
    with db.engine.connect() as conn:
        version = conn.execute(text("SHOW server_version")).scalar()
    zones = len({row[8] for row in data[ImportKind.SCHOOLS]})
    print(f"dudao import benchmark: PostgreSQL {version} ({url.render_as_string(hide_password=True)}), "
          f"{args.format} files, {zones} zones in {args.counties} counties")  # fmt: skip
    results: dict[ImportKind, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = {kind: write_file(folder, kind, rows, args.format) for kind, rows in data.items()}
        for kind, path in paths.items():
            started = time.perf_counter()
            tabular.read_rows(path.read_bytes(), path.name)
            results[kind] = {"rows": len(data[kind]), "read": time.perf_counter() - started}
        for kind, path in paths.items():  # in order: assignments need the schools and inspectors
            results[kind]["first"], results[kind]["first_counts"] = timed_import(db, kind, path, folder / "media")
        for kind, path in paths.items():
            results[kind]["again"], results[kind]["again_counts"] = timed_import(db, kind, path, folder / "media")
        edits = changed(data)
        for kind, rows in edits.items():
            path = write_file(folder, kind, rows, args.format, "changed")
            results[kind]["changed"], results[kind]["changed_counts"] = timed_import(db, kind, path, folder / "media")
    floor = copy_floor(db, data)
    db.dispose()

    print(
        f"{'kind':<12}{'rows':>6}  {'read file':>10}  {'first import':>26}  {'re-import (same file)':>26}  "
        f"{'re-import, 1 row in 10 changed':>30}  {'COPY floor':>22}"
    )
    for kind, r in results.items():
        rows = r["rows"]

        def rate(seconds: float, rows: int = rows) -> str:
            return f"{seconds:6.2f} s {rows / seconds:8.0f} rows/s"

        print(f"{kind.value:<12}{rows:>6}  {r['read']:8.2f} s  {rate(r['first']):>26}  {rate(r['again']):>26}  "
              f"{rate(r['changed']):>30}  {rate(floor[kind]):>22}")  # fmt: skip
        print(f"{'':<12}{'':>6}  {'':>10}  {r['first_counts']:>26}  {r['again_counts']:>26}  "
              f"{r['changed_counts']:>30}")  # fmt: skip
    total = sum(r["rows"] for r in results.values())
    first = sum(r["first"] for r in results.values())
    again = sum(r["again"] for r in results.values())
    edited = sum(r["changed"] for r in results.values())
    print(f"{'all':<12}{total:>6}  {sum(r['read'] for r in results.values()):8.2f} s  {total / first:>17.0f} rows/s"
          f"  {total / again:>19.0f} rows/s  {total / edited:>23.0f} rows/s"
          f"  {total / sum(floor.values()):>15.0f} rows/s")  # fmt: skip
    print("counts: +created ~updated =unchanged (an assignment that changes hands counts as updated: the old one "
          "is closed and a new one opened)")  # fmt: skip
    print("peer: the COPY floor writes the same rows, already parsed and validated, with psycopg's COPY; "
          "the importer also reads the file, checks every cell, loads the existing rows and diffs them.")  # fmt: skip


if __name__ == "__main__":
    main()
