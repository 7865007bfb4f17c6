"""The data a county really has, through the office web on a real database: the templates downloaded, filled in
and imported again (superiors, principals, appointment terms, training records), zones refused unless asked for,
a dashboard with no false alarms, the authority's settings, 停聘/解聘 and the 整改事项 list's first view."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from backend.domain.calendar import local_date
from backend.domain.kinds import RectificationState
from backend.services import office_users
from backend.services.authority import current_authority
from backend.services.importing import COLUMNS, ImportKind
from backend.services.office import figures
from backend.services.office_users import Scope
from backend.store.db import Database
from backend.store.models import (
    Assignment,
    AuditEvent,
    Authority,
    Inspector,
    Rectification,
    TrainingRecord,
    Unit,
    Zone,
)
from tests.data.counties import ANYUAN
from tests.data.county_files import bureau_code, bureau_name, county_files, county_rows, fill
from tests.integration.test_office_web import PASSWORD, csrf_of, make_app, sign_in


@pytest.fixture
def app(database: Database, tmp_path: Path) -> Flask:
    with database.sessions() as s:
        office_users.create_user(s, username="admin", password=PASSWORD, role=office_users.OfficeRole.OFFICE)
    return make_app(database, tmp_path)


def upload(client: FlaskClient, kind: ImportKind, data: bytes, *, new_zones: bool = False) -> str:
    token = csrf_of(client.get("/office/import").text)
    form = {"kind": kind.value, "csrf_token": token, "file": (io.BytesIO(data), f"{kind.value}.xlsx")}
    if new_zones:
        form["new_zones"] = "1"
    page = client.post("/office/import", data=form, content_type="multipart/form-data")
    assert page.status_code == 200
    return page.text


def import_county(client: FlaskClient, today: date) -> None:
    for kind, data in county_files(ANYUAN, today).items():
        text = upload(client, kind, data, new_zones=kind is ImportKind.SCHOOLS)
        assert "导入完成" in text and "没有导入任何数据" not in text, re.sub(r"<[^>]+>", " ", text)[-2000:]


def office_scope(database: Database) -> tuple[Scope, int]:
    with database.sessions() as s:
        authority = current_authority(s)
        scope = Scope(0, "admin", "督导室", office_users.OfficeRole.OFFICE, authority.id, None, None)
        return scope, authority.id


def dashboard_of(database: Database) -> figures.Dashboard:
    scope, authority_id = office_scope(database)
    with database.sessions() as s:
        authority = s.get(Authority, authority_id)
        assert authority is not None
        return figures.dashboard(s, scope, authority)


def test_a_county_imported_with_superiors_principals_and_training_shows_no_false_alarms(
    app: Flask, database: Database
) -> None:
    client = app.test_client()
    sign_in(client, "admin")
    today = local_date(database.clock.now())
    import_county(client, today)

    board = dashboard_of(database)
    cov = board.coverage
    schools = len(ANYUAN.schools)
    assert (cov.schools, cov.without_inspector, cov.inspectors) == (schools, 0, len(ANYUAN.inspectors))
    assert cov.overloaded == [] and cov.zones_over == [] and not cov.too_many_retirees
    # every inspector has 44 hours in the year (the course of two years ago is not counted): nobody is short
    assert cov.training_known and cov.training_missing == 0 and cov.training_short == []
    assert cov.training_average == pytest.approx(44.0)
    low, high = cov.full_time_needed
    assert cov.students > 10_000 and low <= cov.full_time <= high and not cov.full_time_short
    assert cov.terms_ended == []
    # the one principal whose term ends within months is a reminder, not an alarm
    assert [s.name for s in cov.principal_terms] == [ANYUAN.schools[0].name]

    page = client.get("/office/dashboard").text
    assert "全部已挂牌督导" in page and "培训学时不足" in page
    assert re.search(
        r'class="kpi ok"[^>]*>\s*<div class="kpi-title">培训学时不足</div>\s*<div class="kpi-value">0 人', page
    )
    assert "专职督学（每万名学生）" in page and f"应配 {low}–{high} 人" in page
    assert 'class="kpi bad"' not in page  # no coverage, retiree, staffing or overdue alarm

    with database.sessions() as s:
        units = {u.code: u for u in s.scalars(select(Unit))}
        bureau = units[bureau_code(ANYUAN)]
        assert bureau.name == bureau_name(ANYUAN) and bureau.code.startswith("0")  # the leading zero survived
        first = units[ANYUAN.schools[0].code]
        assert first.superior_unit_id == bureau.id and first.principal_name and first.principal_term_ends_on
        point = units[ANYUAN.school("安远县天心镇中心小学长河教学点").code]
        central = units[ANYUAN.school("安远县天心镇中心小学").code]
        assert point.superior_unit_id == central.id  # named by its official name in the file
        assert s.scalar(select(func.count(TrainingRecord.id))) == 4 * len(ANYUAN.inspectors)
        assert all(i.appointed_on and i.term_ends_on for i in s.scalars(select(Inspector)))

    school_page = client.get(f"/office/schools/{ANYUAN.schools[0].code}").text
    assert bureau_name(ANYUAN) in school_page and "任期" in school_page

    # importing every file again changes nothing
    for kind, data in county_files(ANYUAN, today).items():
        assert "更新 0 条" in upload(client, kind, data)


def test_before_any_training_is_imported_the_dashboard_says_so_instead_of_alarming(
    app: Flask, database: Database
) -> None:
    client = app.test_client()
    sign_in(client, "admin")
    today = local_date(database.clock.now())
    for kind, data in county_files(ANYUAN, today).items():
        if kind is not ImportKind.TRAINING:
            upload(client, kind, data, new_zones=True)
    cov = dashboard_of(database).coverage
    assert not cov.training_known and cov.training_short == []
    page = client.get("/office/dashboard").text
    assert "尚未导入培训记录" in page


def test_templates_download_as_xlsx_with_text_codes_and_round_trip(app: Flask, database: Database) -> None:
    client = app.test_client()
    sign_in(client, "admin")
    page = client.get("/office/import").text
    for kind in ImportKind:
        assert f"/office/import/template/{kind.value}.xlsx" in page
    response = client.get("/office/import/template/schools.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers[:2] == ["学校代码", "学校名称"] and "主管单位" in headers and "校长（园长）姓名" in headers
    example = [c.value for c in sheet[2]]
    assert example[1] == "安远县城关第二小学"  # an example row in realistic names
    assert sheet.column_dimensions["A"].number_format == "@" and sheet["A2"].number_format == "@"
    assert client.get("/office/import/template/nothing.xlsx").status_code == 404

    # the untouched template imports nothing; filled in (the example row kept) it imports the office's rows
    assert "没有数据行" in upload(client, ImportKind.SCHOOLS, response.data)
    sheet.append(["0360726001", "安远县城关第一小学", "小学", "公办", "", "", "", "1500", "城关督学责任区"])
    out = io.BytesIO()
    book.save(out)
    text = upload(client, ImportKind.SCHOOLS, out.getvalue(), new_zones=True)
    assert "新增 1 条" in text
    with database.sessions() as s:
        assert s.scalars(select(Unit.code)).all() == ["0360726001"]

    csv = client.get("/office/import/template/training.csv")
    assert csv.status_code == 200 and csv.data.decode("utf-8-sig").startswith("督学编号,姓名,培训名称,学时,培训日期")


def test_an_unknown_zone_is_refused_unless_new_zones_is_ticked(app: Flask, database: Database) -> None:
    client = app.test_client()
    sign_in(client, "admin")
    rows = county_rows(ANYUAN, local_date(database.clock.now()))[ImportKind.SCHOOLS]
    data = fill(ImportKind.SCHOOLS, rows)
    text = upload(client, ImportKind.SCHOOLS, data)
    assert "没有导入任何数据" in text
    assert "系统中没有名为「安远县第1督学责任区」的督学责任区" in text and "新建责任区" in text
    with database.sessions() as s:
        assert s.scalar(select(func.count(Unit.id))) == 0 and s.scalar(select(func.count(Zone.id))) == 0
    assert "新建督学责任区 5 个" in upload(client, ImportKind.SCHOOLS, data, new_zones=True)

    # once the zones exist, a slip in a zone's name is caught, with the zones there are
    rows[-1] = {**rows[-1], "zone": "安远县第l督学责任区"}
    text = upload(client, ImportKind.SCHOOLS, fill(ImportKind.SCHOOLS, rows))
    assert "「安远县第l督学责任区」" in text and "现有责任区为：安远县第1督学责任区" in text


def test_a_superior_that_cannot_be_found_is_named_in_the_problem(app: Flask, database: Database) -> None:
    client = app.test_client()
    sign_in(client, "admin")
    rows = [
        {"school_code": "3607260001", "school_name": "安远县城关第一小学", "stage": "小学", "ownership": "公办",
         "superior": "安远县教育局"},
        {"school_code": "3607260002", "school_name": "安远县城关第二小学", "stage": "小学", "ownership": "公办",
         "superior": "3607260002"},
        {"school_code": "3607260003", "school_name": "安远县欣山初级中学", "stage": "初中", "ownership": "公办",
         "superior": "安远县城关第二小学", "principal_since": "2024-09-01", "principal_term_ends_on": "2023-08-31"},
    ]  # fmt: skip
    text = upload(client, ImportKind.SCHOOLS, fill(ImportKind.SCHOOLS, rows))
    assert "第 3 行「主管单位」：找不到主管单位「安远县教育局」" in text
    assert "第 4 行「主管单位」：主管单位不能是本单位自己。" in text
    assert "第 5 行「任期届满」：届满日期应晚于起始日期（2024-09-01）。" in text


def test_training_rows_are_checked(app: Flask, database: Database) -> None:
    client = app.test_client()
    sign_in(client, "admin")
    today = local_date(database.clock.now())
    files = county_files(ANYUAN, today)
    upload(client, ImportKind.SCHOOLS, files[ImportKind.SCHOOLS], new_zones=True)
    upload(client, ImportKind.INSPECTORS, files[ImportKind.INSPECTORS])
    number = ANYUAN.inspectors[0].number
    rows = [
        {"inspector_number": number, "course": "校园安全培训", "training_hours": "0", "held_on": today},
        {"inspector_number": number, "course": "校园安全培训", "training_hours": "8", "held_on": today + timedelta(1)},
        {"inspector_number": "X-99", "course": "校园安全培训", "training_hours": "8", "held_on": today},
        {"inspector_number": number, "course": "师德培训", "training_hours": "8", "held_on": today},
        {"inspector_number": number, "course": "师德培训", "training_hours": "6", "held_on": today},
    ]
    text = upload(client, ImportKind.TRAINING, fill(ImportKind.TRAINING, rows))
    for expected in (
        "第 3 行「学时」：「0」不是有效的学时",
        "第 4 行「培训日期」：培训日期",
        "第 5 行「督学编号」：找不到督学编号「X-99」",
        "第 7 行「培训名称」：与第 6 行重复",
    ):
        assert expected in text
    assert COLUMNS[ImportKind.TRAINING][2].header == "培训名称"


def test_settings_are_checked_saved_audited_and_printed_on_the_boards(app: Flask, database: Database) -> None:
    client = app.test_client()
    token = sign_in(client, "admin")
    page = client.get("/office/settings")
    assert page.status_code == 200 and "公文编号前缀" in page.text
    good = {
        "csrf_token": token,
        "office_name": "安远县人民政府教育督导室",
        "hotline": "０７９７－３７２１２３４",
        "visits_per_month_target": "1",
        "visits_per_semester_floor": "4",
        "prefix_supervision_notice": "安督办",
        "prefix_talk": "安督约",
        "prefix_circular": "安督通",
        "prefix_rectification_notice": "安督整",
    }
    bad = {**good, "hotline": "请拨打", "visits_per_semester_floor": "1", "prefix_talk": "安督〔2026〕"}
    answer = client.post("/office/settings", data=bad)
    assert answer.status_code == 400
    assert "不像电话号码" in answer.text and "不能少于每学期 2 次" in answer.text and "不能用作前缀" in answer.text
    assert "Traceback" not in answer.text
    assert client.post("/office/settings", data={k: v for k, v in good.items() if k != "csrf_token"}).status_code == 400
    assert client.post("/office/settings", data=good).status_code == 302
    shown = client.get("/office/settings").text
    assert "编号示例：安督办〔" in shown
    with database.sessions() as s:
        authority = current_authority(s)
        assert (authority.office_name, authority.hotline) == ("安远县人民政府教育督导室", "0797-3721234")
        assert authority.visits_per_semester_floor == 4
        assert authority.document_prefixes == {
            "supervision_notice": "安督办",
            "talk": "安督约",
            "circular": "安督通",
            "rectification_notice": "安督整",
        }
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.action == "authority.settings_changed")).all()
        assert event.actor == "office:admin" and event.detail["after"]["hotline"] == "0797-3721234"

    # what every board prints in its footer comes from here
    from backend.services.boards import board_specs

    today = local_date(database.clock.now())
    for kind, data in county_files(ANYUAN, today).items():
        upload(client, kind, data, new_zones=True)
    with database.sessions() as s:
        unit = s.scalars(select(Unit).where(Unit.code == ANYUAN.schools[0].code)).one()
        from backend.web import runtime as web_runtime

        with app.app_context():
            config = web_runtime().config
        [spec] = board_specs(s, config, [unit], None).specs
        assert (spec.office_name, spec.hotline) == ("安远县人民政府教育督导室", "0797-3721234")


def test_a_dismissed_inspectors_schools_show_as_uncovered(app: Flask, database: Database) -> None:
    client = app.test_client()
    token = sign_in(client, "admin")
    today = local_date(database.clock.now())
    import_county(client, today)
    person = ANYUAN.inspectors[0]
    page = client.get(f"/office/inspectors/{person.number}").text
    assert "停聘或解聘" in page and "44" in page
    refused = client.post(f"/office/inspectors/{person.number}/end", data={"csrf_token": token, "kind": "dismissed"})
    assert refused.status_code == 302
    assert "请填写停聘或解聘的原因" in client.get(f"/office/inspectors/{person.number}").text
    done = client.post(
        f"/office/inspectors/{person.number}/end",
        data={"csrf_token": token, "kind": "dismissed", "reason": "年度考核不称职", "on": today.isoformat()},
    )
    assert done.status_code == 302
    page = client.get(f"/office/inspectors/{person.number}").text
    assert "解聘" in page and "年度考核不称职" in page and "恢复聘任" in page

    cov = dashboard_of(database).coverage
    assert cov.without_inspector == len(person.schools)
    assert {s.key for s in cov.without_inspector_list} == {ANYUAN.by_id[i].code for i in person.schools}
    assert cov.inspectors == len(ANYUAN.inspectors) - 1
    boards = client.get("/office/boards").text
    assert 'id="boards-uncovered"' in boards and ANYUAN.by_id[person.schools[0]].name in boards
    with database.sessions() as s:
        ended = s.scalars(select(Assignment).where(Assignment.ends_on == today)).all()
        assert len(ended) == len(person.schools)  # history kept, closed on the day
        assert s.scalar(select(AuditEvent.action).where(AuditEvent.action == "inspector.dismissed"))

    # assigning them again is refused in Chinese until they are reinstated
    rows = [{"inspector_number": person.number, "school_code": ANYUAN.by_id[person.schools[0]].code,
             "starts_on": today}]  # fmt: skip
    assert "已停聘或解聘" in upload(client, ImportKind.ASSIGNMENTS, fill(ImportKind.ASSIGNMENTS, rows))
    assert client.post(f"/office/inspectors/{person.number}/reinstate", data={"csrf_token": token}).status_code == 302
    assert "在聘" in client.get(f"/office/inspectors/{person.number}").text
    assert "新增 1 条" in upload(client, ImportKind.ASSIGNMENTS, fill(ImportKind.ASSIGNMENTS, rows))


def test_the_rectification_list_opens_on_open_items_overdue_first(app: Flask, database: Database) -> None:
    client = app.test_client()
    sign_in(client, "admin")
    today = local_date(database.clock.now())
    import_county(client, today)
    with database.sessions() as s:
        authority = current_authority(s)
        unit = s.scalars(select(Unit).where(Unit.code == ANYUAN.schools[1].code)).one()
        for number, deadline, state in (
            ("ZG-2026-000001", today + timedelta(days=2), RectificationState.ISSUED),
            ("ZG-2026-000002", today - timedelta(days=3), RectificationState.ACKNOWLEDGED),
            ("ZG-2026-000003", today - timedelta(days=9), RectificationState.CLOSED),
            ("ZG-2026-000004", today + timedelta(days=1), RectificationState.ACKNOWLEDGED),
        ):
            s.add(
                Rectification(
                    number=number, authority_id=authority.id, unit_id=unit.id, problem="围墙破损",
                    deadline=deadline, state=state.value,
                )
            )  # fmt: skip
        s.commit()
    page = client.get("/office/rectifications").text
    listed = re.findall(r"ZG-2026-00000\d", page)
    assert listed[:3] == ["ZG-2026-000002", "ZG-2026-000004", "ZG-2026-000001"]
    assert "ZG-2026-000003" not in listed  # closed: shown under 全部
    assert "ZG-2026-000003" in client.get("/office/rectifications?state=").text


def test_training_can_ride_on_a_sheet_of_the_inspectors_workbook(app: Flask, database: Database) -> None:
    """One workbook: the inspectors on the first sheet, their courses on a sheet called 培训记录, imported twice."""
    client = app.test_client()
    sign_in(client, "admin")
    rows = county_rows(ANYUAN, local_date(database.clock.now()))
    upload(client, ImportKind.SCHOOLS, fill(ImportKind.SCHOOLS, rows[ImportKind.SCHOOLS]), new_zones=True)
    book = load_workbook(io.BytesIO(fill(ImportKind.INSPECTORS, rows[ImportKind.INSPECTORS])))
    courses = book.create_sheet("培训记录", 1)
    keys = [column.key for column in COLUMNS[ImportKind.TRAINING]]
    courses.append([column.header for column in COLUMNS[ImportKind.TRAINING]])
    for row in rows[ImportKind.TRAINING]:
        courses.append([row.get(key, "") for key in keys])
    out = io.BytesIO()
    book.save(out)
    assert f"新增 {len(ANYUAN.inspectors)} 条" in upload(client, ImportKind.INSPECTORS, out.getvalue())
    assert f"新增 {len(rows[ImportKind.TRAINING])} 条" in upload(client, ImportKind.TRAINING, out.getvalue())
    assert dashboard_of(database).coverage.training_short == []
