"""A county's import files as its office fills them in: the templates of `dudao import template`, with rows.

`county_files(ANYUAN, today)` gives the schools (with the county's education bureau and township governments, each
school's 主管单位, principal and term, student counts and zones), the inspectors (full-time and part-time, retirees,
appointment terms), the assignments and a year of training records, each as xlsx bytes made from the real template
(its example row kept, as an office leaves it). The figures keep every rule of DOMAIN.md: about five schools an
inspector, zones under 20 schools, retirees under 40 %, at least 40 training hours in the year, 1-2 full-time
inspectors per 10,000 students, one principal's term ending within months.
"""

from __future__ import annotations

import io
import math
from datetime import date, timedelta
from typing import Any

from backend.domain import staffing
from backend.services.importing import COLUMNS, ImportKind, template_bytes
from tests.data.counties import County

STUDENTS = {"小学": 620, "初中": 940, "高中": 2400, "九年一贯制": 820, "幼儿园": 260, "教学点": 35, "特教": 110}
BUREAU_CODE_SUFFIX = "900"


def bureau_name(county: County) -> str:
    return f"{county.name}教育科技体育局" if county.name == "安远县" else f"{county.name}教育局"


def bureau_code(county: County) -> str:
    return "0" + county.code + BUREAU_CODE_SUFFIX  # a code starting with 0: kept as text, zeros and all


def zone_of(county: County, inspector_index: int) -> str:
    return f"{county.name}第{inspector_index // 3 + 1}督学责任区"


def superior_of(county: County, name: str, kind: str, town: str) -> str:
    """村小 and 教学点 under their township's 中心小学 (by official name); the rest under the bureau (by code)."""
    if kind in ("教学点",) or name.endswith("村小学"):
        central = next((s.name for s in county.schools if s.name == f"{county.name}{town}中心小学"), None)
        if central and central != name:
            return central
    return bureau_code(county)


def fill(kind: ImportKind, rows: list[dict[str, Any]]) -> bytes:
    """The real template of `kind` with `rows` (column key -> value) appended below its example row."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(template_bytes(kind, "xlsx")))
    sheet = book.worksheets[0]
    keys = [column.key for column in COLUMNS[kind]]
    for row in rows:
        sheet.append([row.get(key, "") for key in keys])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def county_rows(county: County, today: date) -> dict[ImportKind, list[dict[str, Any]]]:
    zone_by_school = {sid: zone_of(county, n) for n, i in enumerate(county.inspectors) for sid in i.schools}
    schools: list[dict[str, Any]] = [
        {"school_code": bureau_code(county), "school_name": bureau_name(county), "stage": "部门"},
    ]
    towns = sorted({s.township for s in county.schools if s.township})
    for n, town in enumerate(towns):
        schools.append(
            {"school_code": f"{county.code}{950 + n}", "school_name": f"{county.name}{town}人民政府", "stage": "乡镇",
             "superior": ""}
        )  # fmt: skip
    for n, school in enumerate(county.schools):
        ends = today + timedelta(days=60) if n == 0 else today + timedelta(days=400 + n)
        schools.append(
            {
                "school_code": school.code,
                "school_name": school.name,
                "stage": school.kind,
                "ownership": school.ownership,
                "student_count": STUDENTS[school.kind],
                "zone": zone_by_school[school.id],
                "superior": superior_of(county, school.name, school.kind, school.township),
                "principal_name": f"{'王李张刘陈杨黄赵'[n % 8]}{'志国秀建'[n % 4]}{'华明英军'[n % 3]}",
                "principal_since": today - timedelta(days=700),
                "principal_term_ends_on": ends,
                "nicknames": "、".join(school.nicknames),
            }
        )
    students = sum(row.get("student_count") or 0 for row in schools)
    full_time = staffing.full_time_range(students)[0]
    retirees = math.floor(len(county.inspectors) * 0.3)
    inspectors, assignments, training = [], [], []
    for n, person in enumerate(county.inspectors):
        inspectors.append(
            {
                "inspector_number": person.number,
                "inspector_name": person.name,
                "mobile": f"1390797{n:04d}",
                "employment": "专职" if n < full_time else "兼职",
                "retired": "是" if n >= len(county.inspectors) - retirees else "否",
                "retired_on": date(2025, 7, 31) if n >= len(county.inspectors) - retirees else "",
                "appointed_on": today - timedelta(days=400),
                "term_ends_on": today + timedelta(days=700),
            }
        )
        for school_id in person.schools:
            assignments.append(
                {"inspector_number": person.number, "school_code": county.by_id[school_id].code,
                 "starts_on": today - timedelta(days=300)}
            )  # fmt: skip
        for course, hours, days_ago in (
            ("赣州市责任督学能力提升培训", 16, 200),
            ("县级督学校园安全专项培训", 16, 120),
            ("教育督导条例专题学习", 12, 30),
            ("往年督学岗前培训", 24, 500),  # outside the year: not counted
        ):
            training.append(
                {"inspector_number": person.number, "inspector_name": person.name, "course": course,
                 "training_hours": hours, "held_on": today - timedelta(days=days_ago)}
            )  # fmt: skip
    return {
        ImportKind.SCHOOLS: schools,
        ImportKind.INSPECTORS: inspectors,
        ImportKind.ASSIGNMENTS: assignments,
        ImportKind.TRAINING: training,
    }


def county_files(county: County, today: date) -> dict[ImportKind, bytes]:
    """Each import file of `county` as the office would upload it, in the order to import them."""
    return {kind: fill(kind, rows) for kind, rows in county_rows(county, today).items()}
