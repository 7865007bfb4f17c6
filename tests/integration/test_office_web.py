"""The office web on a real database: sign-in, sessions, CSRF, zone scope, the actions, exports, /public."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from backend.app import create_app
from backend.clock import SettableClock
from backend.config import config_from_env
from backend.demo.county import load_demo_county
from backend.domain.calendar import local_date
from backend.domain.concern import ticket_no
from backend.domain.kinds import ConcernState, EscalationLevel, RectificationState
from backend.kv import MemoryKV
from backend.runtime import Runtime
from backend.services import escalations, office_users, rectifications
from backend.services.media import keep_file
from backend.store.db import Database
from backend.store.models import (
    Assignment,
    AuditEvent,
    Authority,
    Concern,
    Escalation,
    ExtensionRequest,
    Rectification,
    Unit,
    Visit,
    Zone,
)

PASSWORD = "Long-enough-2026"


@dataclass
class Seeded:
    zone_a: Zone
    zone_b: Zone
    concern_a: int
    concern_b: int
    rect_a: int
    rect_b: int
    extension_a: int
    talk_a: int
    school_a: str
    school_b: str
    ticket_a: str = ""
    ticket_b: str = ""


def _school_with_inspector(session: object, zone: Zone) -> tuple[Unit, int]:
    row = session.execute(  # type: ignore[attr-defined]
        select(Unit, Assignment.inspector_id)
        .join(Assignment, Assignment.unit_id == Unit.id)
        .where(Unit.zone_id == zone.id, Assignment.ends_on.is_(None))
        .order_by(Unit.code)
    ).first()
    return row[0], row[1]


def seed_activity(db: Database) -> Seeded:
    """The demo county, two accounts, and in two zones: a concern, a visit, a rectification awaiting the office."""
    today = local_date(db.clock.now())
    with db.sessions() as s:
        load_demo_county(s)
        zones = list(s.scalars(select(Zone).order_by(Zone.name)))
        zone_a, zone_b = zones[0], zones[1]
        office_users.create_user(s, username="admin", password=PASSWORD, role=office_users.OfficeRole.OFFICE)
        office_users.create_user(
            s, username="leader", password=PASSWORD, role=office_users.OfficeRole.ZONE_LEADER, zone_name=zone_a.name
        )
        authority = s.scalar(select(Authority))
        ids: dict[str, Any] = {}
        tickets: dict[str, str] = {}
        for tag, zone in (("a", zone_a), ("b", zone_b)):
            unit, inspector_id = _school_with_inspector(s, zone)
            ids[f"school_{tag}"] = unit.code
            concern = Concern(
                ticket_no=ticket_no(today.year, today.month, 900 + len(ids)),
                authority_id=authority.id,
                unit_id=unit.id,
                inspector_id=inspector_id,
                category="7",
                content=f"食堂饭菜偏咸（{tag}）",
                state=ConcernState.RECEIVED.value,
                ack_due_on=today - timedelta(days=1),
                answer_due_on=today + timedelta(days=3),
                reporter_openid=f"openid-parent-{tag}",
            )
            s.add(concern)
            s.add(
                Visit(
                    authority_id=authority.id,
                    inspector_id=inspector_id,
                    unit_id=unit.id,
                    visited_on=today,
                    items=["7"],
                    observations="查看食堂",
                )
            )
            rect = Rectification(
                number=f"ZG-{tag}",
                authority_id=authority.id,
                unit_id=unit.id,
                inspector_id=inspector_id,
                item="6",
                problem="围墙有破损",
                requirement="一周内修复",
                deadline=today - timedelta(days=2),
                state=RectificationState.ACKNOWLEDGED.value,
                issued_at=db.clock.now() - timedelta(days=10),
            )
            s.add(rect)
            s.flush()
            ids[f"concern_{tag}"], ids[f"rect_{tag}"] = concern.id, rect.id
            tickets[tag] = concern.ticket_no
        s.commit()
        extension = rectifications.request_extension(s, ids["rect_a"], reason="材料未到", actor="unit:1")
        overdue_item = s.get(Rectification, ids["rect_a"])
        assert overdue_item is not None
        talk = escalations.propose(s, overdue_item, EscalationLevel.TALK, now=db.clock.now())
        s.commit()
        return Seeded(
            zone_a, zone_b, ids["concern_a"], ids["concern_b"], ids["rect_a"], ids["rect_b"], extension.id, talk.id,
            ids["school_a"], ids["school_b"], tickets["a"], tickets["b"],
        )  # fmt: skip


def make_app(db: Database, tmp_path: Path, kv: object | None = None) -> Flask:
    config = config_from_env(
        {"DUDAO_INSTANCE_DIR": str(tmp_path / "instance")}, testing=True, database_url=db.url, secret_key="s3cret"
    )
    runtime = Runtime(config=config, db=db, kv=kv or MemoryKV())  # type: ignore[arg-type]
    return create_app(runtime=runtime)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD) -> str:
    token = csrf_of(client.get("/office/login").text)
    response = client.post("/office/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.text
    return csrf_of(client.get("/office/dashboard").text)


def test_anonymous_visitors_are_sent_to_the_login_page_from_every_office_page(app: Flask) -> None:
    client = app.test_client()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/office") or rule.endpoint == "office.login" or "GET" not in (rule.methods or ()):
            continue
        url = re.sub(r"<(?:int:)?(\w+)>", lambda m: "1" if "int:" in m.group(0) else "x", rule.rule)
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/office/login"), url
    assert client.post("/office/logout").status_code == 400  # no CSRF token, no session: refused before anything


def test_the_dashboard_shows_the_county_and_answers_with_charts_data(app: Flask, seeded: Seeded) -> None:
    client = app.test_client()
    sign_in(client, "admin")
    page = client.get("/office/dashboard")
    assert page.status_code == 200
    assert "全县督导工作总览" in page.text
    assert 'id="chart-data"' in page.text and "vendor/chart.umd.js" in page.text
    assert "1 项督办、约谈或通报等待确认" in page.text
    assert "1 项延期申请等待答复" in page.text
    with client.get("/public/static/vendor/chart.umd.js") as script:
        assert script.status_code == 200 and b"Chart" in script.data


def test_the_dashboard_says_when_next_years_holiday_schedule_must_be_loaded(
    app: Flask, seeded: Seeded, clock: SettableClock
) -> None:
    client = app.test_client()
    clock.set(datetime(2026, 10, 20, 2, 0, tzinfo=UTC))  # October: 2026's schedule is loaded, 2027's not asked yet
    sign_in(client, "admin")
    assert 'id="calendar-missing"' not in client.get("/office/dashboard").text
    clock.set(datetime(2026, 12, 1, 1, 0, tzinfo=UTC))  # December: 2027's is not shipped
    sign_in(client, "admin")  # six weeks later the old session has long timed out
    page = client.get("/office/dashboard").text
    assert 'id="calendar-missing"' in page and "尚未载入 2027 年的法定节假日和调休安排" in page


def test_a_form_posted_without_its_csrf_token_is_refused(app: Flask, seeded: Seeded, database: Database) -> None:
    client = app.test_client()
    sign_in(client, "admin")
    response = client.post(f"/office/concerns/{seeded.concern_a}/act", data={"action": "acknowledge"})
    assert response.status_code == 400
    assert "页面已过期或来源不明" in response.text
    forged = client.post(
        f"/office/concerns/{seeded.concern_a}/act", data={"action": "acknowledge", "csrf_token": "forged"}
    )
    assert forged.status_code == 400
    with database.sessions() as s:
        assert s.get(Concern, seeded.concern_a).state == ConcernState.RECEIVED.value


def test_login_is_rate_limited_per_username_and_address(app: Flask) -> None:
    client = app.test_client()
    token = csrf_of(client.get("/office/login").text)
    codes = [
        client.post("/office/login", data={"username": "admin", "password": "wrong", "csrf_token": token}).status_code
        for _ in range(6)
    ]
    assert codes == [401] * 5 + [429]
    right = client.post("/office/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token})
    assert right.status_code == 429  # even the right password waits out the window
    other = app.test_client()
    sign_in(other, "leader")  # another name is not affected


def test_sessions_end_after_eight_idle_hours_and_when_the_account_is_disabled(app: Flask, database: Database) -> None:
    client = app.test_client()
    sign_in(client, "admin")
    with client.session_transaction() as session:
        session["seen"] = session["seen"] - 8 * 3600 - 1
    response = client.get("/office/dashboard")
    assert response.status_code == 302 and "/office/login" in response.headers["Location"]

    sign_in(client, "admin")
    with database.sessions() as s:
        office_users.set_active(s, "admin", False)
    assert client.get("/office/dashboard").status_code == 302
    token = csrf_of(client.get("/office/login").text)
    refused = client.post("/office/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token})
    assert refused.status_code == 401


def test_a_new_password_ends_older_sessions(app: Flask, database: Database) -> None:
    client = app.test_client()
    sign_in(client, "admin")
    with database.sessions() as s:
        office_users.reset_password(s, "admin", "Another-pass-2027")
    assert client.get("/office/dashboard").status_code == 302


def test_a_zone_leader_sees_and_changes_only_their_zone(app: Flask, seeded: Seeded, database: Database) -> None:
    client = app.test_client()
    token = sign_in(client, "leader")
    assert seeded.zone_a.name in client.get("/office/dashboard").text
    concerns = client.get("/office/concerns").text
    assert seeded.ticket_a in concerns and seeded.ticket_b not in concerns
    assert client.get(f"/office/concerns/{seeded.concern_b}").status_code == 404
    assert client.get(f"/office/rectifications/{seeded.rect_b}").status_code == 404
    assert client.get(f"/office/schools/{seeded.school_b}").status_code == 404
    # asking for the other zone in the filter does not widen the scope
    assert seeded.ticket_b not in client.get(f"/office/concerns?zone={seeded.zone_b.id}").text
    acted = client.post(f"/office/concerns/{seeded.concern_b}/act", data={"action": "acknowledge", "csrf_token": token})
    assert acted.status_code == 404
    exported = client.get("/office/export/concerns.xlsx")
    sheet = load_workbook(io.BytesIO(exported.data)).active
    tickets = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert tickets == [seeded.ticket_a]
    assert client.get("/office/tokens").status_code == 403
    assert client.get(f"/office/boards/zone/{seeded.zone_b.id}.pdf").status_code == 404
    with database.sessions() as s:
        assert s.get(Concern, seeded.concern_b).state == ConcernState.RECEIVED.value
    # and in their own zone they act
    ok = client.post(f"/office/concerns/{seeded.concern_a}/act", data={"action": "acknowledge", "csrf_token": token})
    assert ok.status_code == 302
    with database.sessions() as s:
        assert s.get(Concern, seeded.concern_a).state == ConcernState.ACKNOWLEDGED.value


def test_the_office_answers_a_concern_and_the_audit_log_names_the_person(
    app: Flask, seeded: Seeded, database: Database
) -> None:
    client = app.test_client()
    token = sign_in(client, "admin")
    response = client.post(
        f"/office/concerns/{seeded.concern_a}/act",
        data={"action": "answer", "text": "已与学校核实，食堂已调整菜谱。", "csrf_token": token},
        follow_redirects=True,
    )
    assert "已答复" in response.text
    with database.sessions() as s:
        concern = s.get(Concern, seeded.concern_a)
        assert concern is not None
        assert concern.state == ConcernState.ANSWERED.value
        assert concern.answer == "已与学校核实，食堂已调整菜谱。"
        actors = s.scalars(
            select(AuditEvent.actor).where(AuditEvent.subject_type == "concern", AuditEvent.subject_id == concern.id)
        ).all()
        assert "office:admin" in actors
    assert "openid-parent" not in client.get(f"/office/concerns/{seeded.concern_a}").text


def test_the_office_grants_an_extension_and_confirms_a_talk_with_its_record(
    app: Flask, seeded: Seeded, database: Database
) -> None:
    client = app.test_client()
    token = sign_in(client, "admin")
    new_deadline = local_date(database.clock.now()) + timedelta(days=14)
    granted = client.post(
        f"/office/rectifications/{seeded.rect_a}/extension/{seeded.extension_a}",
        data={"decision": "grant", "new_deadline": new_deadline.isoformat(), "csrf_token": token},
    )
    assert granted.status_code == 302
    record = {
        "held_at": "2026-11-20 15:00",
        "attendees": "校长、分管副校长",
        "summary": "围墙修复滞后",
        "commitments": "两周内完成",
    }
    confirmed = client.post(
        f"/office/rectifications/{seeded.rect_a}/escalation/{seeded.talk_a}",
        data={"decision": "confirm", "csrf_token": token, **record},
        follow_redirects=True,
    )
    assert "已确认并存档" in confirmed.text
    with database.sessions() as s:
        item = s.get(Rectification, seeded.rect_a)
        assert s.get(ExtensionRequest, seeded.extension_a).decision == "granted"
        talk = s.get(Escalation, seeded.talk_a)
        assert talk.state == "confirmed" and talk.confirmed_by == "office:admin"
        assert talk.record["attendees"] == "校长、分管副校长"
        assert item.level >= 2


def test_an_incomplete_talk_record_is_refused_with_a_reason(app: Flask, seeded: Seeded, database: Database) -> None:
    client = app.test_client()
    token = sign_in(client, "admin")
    response = client.post(
        f"/office/rectifications/{seeded.rect_a}/escalation/{seeded.talk_a}",
        data={"decision": "confirm", "csrf_token": token, "held_at": "明天"},
        follow_redirects=True,
    )
    assert 'class="flash error"' in response.text
    with database.sessions() as s:
        assert s.get(Escalation, seeded.talk_a).state == "proposed"


def test_every_list_exports_to_xlsx_with_its_filters(app: Flask, seeded: Seeded) -> None:
    client = app.test_client()
    sign_in(client, "admin")
    for kind, header in (
        ("concerns", "编号"),
        ("rectifications", "整改事项编号"),
        ("visits", "督导日期"),
        ("schools", "学校代码"),
        ("inspectors", "督学编号"),
    ):
        response = client.get(f"/office/export/{kind}.xlsx")
        assert response.status_code == 200
        assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
        sheet = load_workbook(io.BytesIO(response.data)).active
        assert sheet.cell(1, 1).value == header
        assert sheet.max_row >= 2, kind
    overdue = load_workbook(io.BytesIO(client.get("/office/export/rectifications.xlsx?overdue=1").data)).active
    assert sorted(str(r[0]) for r in overdue.iter_rows(min_row=2, values_only=True)) == ["ZG-a", "ZG-b"]
    annual = load_workbook(io.BytesIO(client.get("/office/export/annual.xlsx").data))
    assert annual.sheetnames == ["总体情况", "各责任区", "各学校", "责任督学", "表扬"]


def test_a_school_report_is_a_pdf(app: Flask, seeded: Seeded) -> None:
    client = app.test_client()
    sign_in(client, "admin")
    response = client.get(f"/office/export/report.pdf?school={seeded.school_a}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


def test_changing_a_schools_inspector_says_the_board_must_be_rendered_again(
    app: Flask, seeded: Seeded, database: Database
) -> None:
    client = app.test_client()
    token = sign_in(client, "admin")
    with database.sessions() as s:
        unit = s.scalar(select(Unit).where(Unit.code == seeded.school_a))
        assert unit is not None
        current = s.scalar(
            select(Assignment.inspector_id).where(Assignment.unit_id == unit.id, Assignment.ends_on.is_(None))
        )
        other = s.scalar(
            select(Assignment.inspector_id).where(Assignment.ends_on.is_(None), Assignment.inspector_id != current)
        )
        from backend.store.models import Inspector

        number = s.get(Inspector, other).number
    response = client.post(
        f"/office/schools/{seeded.school_a}/inspector",
        data={"inspector": number, "csrf_token": token},
        follow_redirects=True,
    )
    assert "请重新制作并张贴该校的公示牌" in response.text
    with database.sessions() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "assignment.changed")).all()[-1]
        assert event.actor == "office:admin"


def test_the_office_edits_a_schools_nicknames_on_its_page(app: Flask, seeded: Seeded, database: Database) -> None:
    client = app.test_client()
    token = sign_in(client, "admin")
    page = client.get(f"/office/schools/{seeded.school_a}")
    assert 'id="nicknames-form"' in page.text and "学校简称" in page.text
    response = client.post(
        f"/office/schools/{seeded.school_a}/nicknames",
        data={"nicknames": "城关二小 、 二小", "csrf_token": token},
        follow_redirects=True,
    )
    assert "已保存学校简称" in response.text and "城关二小、二小" in response.text
    with database.sessions() as s:
        assert s.scalar(select(Unit.nicknames).where(Unit.code == seeded.school_a)) == "城关二小、二小"
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "unit.nicknames")).one()
        assert event.actor == "office:admin"
    again = client.post(
        f"/office/schools/{seeded.school_a}/nicknames",
        data={"nicknames": "城关二小、二小", "csrf_token": token},
        follow_redirects=True,
    )
    assert "学校简称没有变化" in again.text
    leader = app.test_client()
    leader_token = sign_in(leader, "leader")
    leader_page = leader.get(f"/office/schools/{seeded.school_a}")
    assert leader_page.status_code == 200 and 'id="nicknames-form"' not in leader_page.text
    refused = leader.post(
        f"/office/schools/{seeded.school_a}/nicknames", data={"nicknames": "别名", "csrf_token": leader_token}
    )
    assert refused.status_code == 403


def test_photos_are_served_only_to_people_who_may_see_them(
    app: Flask, seeded: Seeded, database: Database, tmp_path: Path
) -> None:
    media_dir = tmp_path / "instance" / "media"
    with database.sessions() as s:
        photo = keep_file(
            s, media_dir, owner_type="concern", owner_id=seeded.concern_b, kind="image",
            content=b"\x89PNG fake", content_type="image/png", strip_metadata=False,
        )  # fmt: skip
        s.commit()
        media_id = photo.id
    anonymous = app.test_client()
    assert anonymous.get(f"/office/media/{media_id}").status_code == 302
    leader = app.test_client()
    sign_in(leader, "leader")
    assert leader.get(f"/office/media/{media_id}").status_code == 404
    admin = app.test_client()
    sign_in(admin, "admin")
    with admin.get(f"/office/media/{media_id}") as served:
        assert served.status_code == 200 and served.data == b"\x89PNG fake"


def test_public_results_are_published_only_when_chosen_and_hold_no_personal_data(
    app: Flask, seeded: Seeded, database: Database
) -> None:
    with database.sessions() as s:  # the demo county publishes; an authority that has not chosen to does not
        s.scalars(select(Authority)).one().publication = {}
        s.commit()
    visitor = app.test_client()
    assert "尚未公开" in visitor.get("/public/").text
    admin = app.test_client()
    token = sign_in(admin, "admin")
    admin.post(
        "/office/publication",
        data={"csrf_token": token, "enabled": "1", "metric_visits": "1", "metric_concern_response": "1",
              "level_zone": "1", "level_school": "1"},
    )  # fmt: skip
    with database.sessions() as s:
        s.get(Concern, seeded.concern_a).answered_at = database.clock.now()
        names = [row for row in s.execute(select(Unit.name).where(Unit.code == seeded.school_a)).scalars()]
        s.commit()
        from backend.store.models import Inspector

        people = s.scalars(select(Inspector)).all()
    page = visitor.get("/public/")
    assert page.status_code == 200
    assert seeded.zone_a.name in page.text and names[0] in page.text
    assert "督导次数" in page.text and "按期完成 / 完成整改" not in page.text
    for person in people:
        assert person.phone not in page.text
        assert person.name not in page.text or person.name in names[0]


def test_the_cli_creates_accounts_with_hashed_passwords(database: Database, seeded: Seeded) -> None:
    from click.testing import CliRunner

    from backend.cli import main
    from backend.store.models import OfficeUser

    env = {"DUDAO_DATABASE_URL": database.url, "DUDAO_NEW_PASSWORD": PASSWORD}
    result = CliRunner().invoke(
        main, ["user", "create", "lin", "--role", "zone_leader", "--zone", seeded.zone_b.name], env=env
    )
    assert result.exit_code == 0, result.output
    assert "已创建账号「lin」（责任区组长）" in result.output
    bad = CliRunner().invoke(main, ["user", "create", "wu", "--role", "zone_leader", "--zone", "无此区"], env=env)
    assert bad.exit_code != 0 and "无此区" in bad.output
    with database.sessions() as s:
        user = s.scalar(select(OfficeUser).where(OfficeUser.username == "lin"))
        assert user.zone_id == seeded.zone_b.id
        assert user.password_hash.startswith("scrypt:") and PASSWORD not in user.password_hash
    listed = CliRunner().invoke(main, ["user", "list"], env=env)
    assert "lin" in listed.output and seeded.zone_b.name in listed.output
    assert CliRunner().invoke(main, ["user", "disable", "lin"], env=env).exit_code == 0


def test_the_dashboard_counts_only_what_the_scope_holds(database: Database, seeded: Seeded) -> None:
    from backend.services.office import figures

    with database.sessions() as s:
        admin_user, leader_user = (office_users.authenticate(s, name, PASSWORD) for name in ("admin", "leader"))
        authority = s.scalar(select(Authority))
        assert admin_user is not None and leader_user is not None and authority is not None
        admin, leader = office_users.scope_of(s, admin_user), office_users.scope_of(s, leader_user)
        today = local_date(database.clock.now())
        everything = figures.dashboard(s, admin, authority, today)
        mine = figures.dashboard(s, leader, authority, today)
    assert everything.concerns.open == 2 and mine.concerns.open == 1
    assert everything.rectifications.overdue == 2 and mine.rectifications.overdue == 1
    assert everything.visits.visits_month == 2 and mine.visits.visits_month == 1
    assert mine.coverage.schools < everything.coverage.schools
    assert [z.name for z in mine.coverage.zones] == [seeded.zone_a.name]
    assert everything.concerns.ack_late_open == 2
    assert everything.rectifications.escalations_proposed == 1 and mine.rectifications.extensions_pending == 1
    assert isinstance(today, date)
