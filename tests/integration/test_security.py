"""等保 basics of the office web on both stacks (issue 16 point 4): the first-login change, the last sign-in,
sessions timing out on the runtime's clock, the audit events of sign-in, sign-out, password change, downloads and
API reads, the append-only audit log (ORM guard and database triggers) and its export (web and CLI)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError

from backend.clock import SettableClock
from backend.services import audit_log
from backend.services.audit import record
from backend.services.tokens import create_token
from backend.store.audit_guard import AuditLogIsAppendOnly, purge_allowed
from backend.store.db import Database
from backend.store.models import AuditEvent, OfficeUser
from messages import t
from tests.conftest import clock_env
from tests.integration.test_office_web import PASSWORD, Seeded, csrf_of, sign_in

NEW_PASSWORD = "Qinghe-Duxue-2027"


def post_login(client: FlaskClient, username: str, password: str, address: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/office/login").text)
    return client.post(
        "/office/login",
        data={"username": username, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def actions(database: Database, actor: str | None = None) -> list[str]:
    with database.sessions() as s:
        query = select(AuditEvent.action).order_by(AuditEvent.id)
        if actor is not None:
            query = query.where(AuditEvent.actor == actor)
        return list(s.scalars(query))


# --- the first-login change and the last sign-in ----------------------------------------------------------------


def test_an_account_made_by_the_cli_must_change_its_password_before_anything_else(
    app: Flask, database: Database, clock: SettableClock
) -> None:
    from backend.cli import main

    env = {"DUDAO_DATABASE_URL": database.url, "DUDAO_NEW_PASSWORD": "Chengguan-2026", **clock_env(clock)}
    weak = CliRunner().invoke(
        main, ["user", "create", "zhou", "--role", "office"], env={**env, "DUDAO_NEW_PASSWORD": "zhou123456"}
    )
    assert weak.exit_code != 0 and "密码需要包含大写字母、小写字母、数字、符号中的至少 3 种" in weak.output
    made = CliRunner().invoke(main, ["user", "create", "zhou", "--role", "office", "--name", "周敏"], env=env)
    assert made.exit_code == 0, made.output

    client = app.test_client()
    landed = post_login(client, "zhou", "Chengguan-2026")
    assert landed.status_code == 302 and landed.headers["Location"].endswith("/office/password")
    for rule in app.url_map.iter_rules():  # every office page, as the anonymous test walks them
        if not rule.rule.startswith("/office") or rule.endpoint in ("office.login", "office.password"):
            continue
        if "GET" not in (rule.methods or ()):
            continue
        page = re.sub(r"<(?:int:)?(\w+)>", lambda m: "1" if "int:" in m.group(0) else "x", rule.rule)
        response = client.get(page)
        assert response.status_code == 302 and response.headers["Location"].endswith("/office/password"), page
    form = client.get("/office/password").text
    assert t("office.password.must_change") in form and "至少 10 个字符" in form
    token = csrf_of(form)
    assert client.post("/office/concerns/1/act", data={"action": "acknowledge", "csrf_token": token}).status_code == 403

    def change(current: str, new: str, repeat: str | None = None):  # type: ignore[no-untyped-def]
        data = {"current": current, "new": new, "repeat": new if repeat is None else repeat, "csrf_token": token}
        return client.post("/office/password", data=data)

    assert "当前密码不正确" in change("wrong-Current-1", NEW_PASSWORD).text
    assert "两次输入的新密码不一致" in change("Chengguan-2026", NEW_PASSWORD, "Qinghe-Duxue-2028").text
    assert "不能与当前密码相同" in change("Chengguan-2026", "Chengguan-2026").text
    assert "密码不能包含用户名" in change("Chengguan-2026", "Zhou-Qinghe-2027").text
    assert "太常见" in change("Chengguan-2026", "Admin@123456").text
    assert client.get("/office/dashboard").status_code == 302  # still not done
    done = change("Chengguan-2026", NEW_PASSWORD)
    assert done.status_code == 302 and done.headers["Location"].endswith("/office/dashboard")
    assert client.get("/office/dashboard").status_code == 200  # the same session goes on
    with database.sessions() as s:
        user = s.scalar(select(OfficeUser).where(OfficeUser.username == "zhou"))
        assert user is not None and not user.must_change_password and user.password_changed_at is not None
    assert actions(database, "office:zhou") == [
        "office_user.login",
        "office_user.password_change_failed",
        "office_user.password_changed",
    ]
    assert post_login(app.test_client(), "zhou", "Chengguan-2026").status_code == 401
    again = app.test_client()
    assert post_login(again, "zhou", NEW_PASSWORD).headers["Location"].endswith("/office/dashboard")

    reset = CliRunner().invoke(
        main, ["user", "reset-password", "zhou"], env={**env, "DUDAO_NEW_PASSWORD": "Reset-Qinghe-99"}
    )
    assert reset.exit_code == 0, reset.output
    after_reset = app.test_client()
    assert post_login(after_reset, "zhou", "Reset-Qinghe-99").headers["Location"].endswith("/office/password")


def test_the_last_sign_in_is_shown_after_signing_in(app: Flask, database: Database, clock: SettableClock) -> None:
    first = app.test_client()
    post_login(first, "admin", PASSWORD, "10.20.0.7")
    assert t("office.login.first") in first.get("/office/dashboard").text
    clock.advance(timedelta(days=1, hours=2))
    second = app.test_client()
    post_login(second, "admin", PASSWORD, "10.20.0.8")
    page = second.get("/office/dashboard").text
    assert "上次登录：" in page and "来自 10.20.0.7" in page
    with database.sessions() as s:
        user = s.scalar(select(OfficeUser).where(OfficeUser.username == "admin"))
        assert user is not None
        assert (user.last_login_ip, user.previous_login_ip) == ("10.20.0.8", "10.20.0.7")
        assert user.last_login_at is not None and user.previous_login_at is not None
        assert user.last_login_at - user.previous_login_at >= timedelta(days=1, hours=2)


# --- sessions time out ------------------------------------------------------------------------------------------


def test_a_session_ends_after_thirty_idle_minutes_with_a_chinese_reason(app: Flask, clock: SettableClock) -> None:
    client = app.test_client()
    sign_in(client, "admin")
    clock.advance(timedelta(minutes=29))
    assert client.get("/office/dashboard").status_code == 200  # 29 minutes: still on, and the idle time restarts
    clock.advance(timedelta(minutes=29))
    assert client.get("/office/dashboard").status_code == 200
    clock.advance(timedelta(minutes=31))
    ended = client.get("/office/dashboard")
    assert ended.status_code == 302 and "/office/login" in ended.headers["Location"]
    assert t("office.login.expired") in client.get(ended.headers["Location"]).text
    assert client.get("/office/dashboard").status_code == 302  # and it stays ended


def test_a_busy_session_still_ends_twelve_hours_after_its_sign_in(app: Flask, clock: SettableClock) -> None:
    client = app.test_client()
    sign_in(client, "admin")
    for _ in range(28):  # a request every 25 minutes: never idle, 11 h 40 min in all
        clock.advance(timedelta(minutes=25))
        assert client.get("/office/password").status_code == 200
    clock.advance(timedelta(minutes=25))  # 12 h 05 min after the sign-in
    ended = client.get("/office/password")
    assert ended.status_code == 302
    assert "登录已超过 12 小时" in client.get(ended.headers["Location"]).text


def test_the_timeouts_and_the_password_age_are_settings(
    database: Database, seeded: Seeded, tmp_path: Path, clock: SettableClock
) -> None:
    from backend.app import create_app
    from backend.config import config_from_env
    from backend.kv import MemoryKV
    from backend.runtime import Runtime

    env = {
        "DUDAO_OFFICE_IDLE_MINUTES": "5",
        "DUDAO_OFFICE_SESSION_HOURS": "8",
        "DUDAO_OFFICE_PASSWORD_DAYS": "90",
        "DUDAO_INSTANCE_DIR": str(tmp_path),
    }
    config = config_from_env(env, testing=True, database_url=database.url, secret_key="s3cret")
    assert (config.office_idle_minutes, config.office_session_hours, config.office_password_days) == (5, 8, 90)
    assert config_from_env({}).office_password_days == 0  # off unless the office sets it
    app = create_app(runtime=Runtime(config=config, db=database, kv=MemoryKV()))
    client = app.test_client()
    sign_in(client, "admin")
    clock.advance(timedelta(minutes=6))
    assert client.get("/office/dashboard").status_code == 302
    clock.advance(timedelta(days=89))
    assert post_login(app.test_client(), "admin", PASSWORD).headers["Location"].endswith("/office/dashboard")
    clock.advance(timedelta(days=2))  # 91 days after the password was set: it must be changed now
    assert post_login(app.test_client(), "admin", PASSWORD).headers["Location"].endswith("/office/password")


# --- audit events ------------------------------------------------------------------------------------------------


def test_sign_in_failure_sign_out_and_downloads_are_audit_events(app: Flask, database: Database) -> None:
    client = app.test_client()
    typed = '=HYPERLINK("http://x")管理员'
    assert post_login(client, typed, "Secret-Guess-1").status_code == 401
    assert post_login(client, "admin", "Secret-Guess-2").status_code == 401
    token = sign_in(client, "admin")
    assert client.get("/office/export/concerns.xlsx?state=open").status_code == 200
    assert client.post("/office/logout", data={"csrf_token": token}).status_code == 302
    with database.sessions() as s:
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    mine = [(e.actor, e.action) for e in events if e.action.startswith(("office_user.log", "office."))]
    assert mine == [
        (f"office:{typed}", "office_user.login_failed"),
        ("office:admin", "office_user.login_failed"),
        ("office:admin", "office_user.login"),
        ("office:admin", "office.download"),
        ("office:admin", "office_user.logout"),
    ]
    failed = next(e for e in events if e.action == "office_user.login_failed")
    assert failed.detail["username"] == typed and failed.detail["ip"] == "127.0.0.1"
    download = next(e for e in events if e.action == "office.download")
    assert download.detail["endpoint"] == "office.export_list" and download.detail["args"] == {"state": "open"}
    assert download.detail["filename"].endswith(".xlsx")
    everything = " ".join(str(e.detail) for e in events)
    assert "Secret-Guess" not in everything and PASSWORD not in everything  # never a password


def test_a_throttled_sign_in_is_an_audit_event_too(app: Flask, database: Database) -> None:
    client = app.test_client()
    codes = [post_login(client, "admin", f"Guess-{n}-abcdef").status_code for n in range(7)]
    assert codes == [401] * 5 + [429] * 2
    assert actions(database, "office:admin") == ["office_user.login_failed"] * 5 + ["office_user.login_throttled"] * 2


def test_every_read_of_the_api_by_a_token_is_an_audit_event(app: Flask, database: Database) -> None:
    with database.sessions() as s:
        secret = create_token(s, "区教育局数据平台")
        s.commit()
    client = app.test_client()
    answer = client.get("/api/v1/rectifications?overdue=true", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 200
    with database.sessions() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "api.export")).one()
    assert event.actor == "api:区教育局数据平台" and event.detail["path"] == "/api/v1/rectifications"
    assert event.detail["args"] == {"overdue": "true"}


# --- append-only ------------------------------------------------------------------------------------------------


def _one_event(database: Database) -> int:
    with database.sessions() as s:
        event = record(s, "office:admin", "office_user.login", "office_user", 1, ip="10.0.0.1")
        s.commit()
        return event.id


def test_the_application_cannot_change_or_delete_an_audit_event(database: Database) -> None:
    event_id = _one_event(database)
    with database.sessions() as s:
        event = s.get(AuditEvent, event_id)
        assert event is not None
        event.actor = "office:someone-else"
        with pytest.raises(AuditLogIsAppendOnly):
            s.commit()
    with database.sessions() as s:
        s.delete(s.get(AuditEvent, event_id))
        with pytest.raises(AuditLogIsAppendOnly):
            s.commit()
    with database.sessions() as s, pytest.raises(AuditLogIsAppendOnly):
        s.execute(update(AuditEvent).values(actor="x"))
    with database.sessions() as s, pytest.raises(AuditLogIsAppendOnly):
        s.execute(delete(AuditEvent))
    with database.sessions() as s:
        kept = s.get(AuditEvent, event_id)
        assert kept is not None and kept.actor == "office:admin"


def test_the_database_refuses_a_raw_update_and_a_raw_delete_unless_purging(database: Database) -> None:
    event_id = _one_event(database)
    with pytest.raises(DatabaseError, match="append-only"), database.engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET actor = 'x' WHERE id = :id"), {"id": event_id})
    if database.is_postgres:  # SQLite: deletes are refused by the application (above), not by a trigger
        with pytest.raises(DatabaseError, match="append-only"), database.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": event_id})
        with pytest.raises(DatabaseError, match="append-only"), database.engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_event"))
        with database.engine.begin() as conn:
            conn.execute(text("SET LOCAL dudao.audit_purge = 'on'"))
            with pytest.raises(DatabaseError, match="append-only"), conn.begin_nested():
                conn.execute(text("UPDATE audit_event SET actor = 'x' WHERE id = :id"), {"id": event_id})
        with pytest.raises(DatabaseError, match="append-only"), database.engine.begin() as conn:  # SET LOCAL ended
            conn.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": event_id})
    with database.sessions() as s:
        assert s.get(AuditEvent, event_id) is not None
    with database.sessions() as s, purge_allowed(s):  # the one way through: purging events past their retention
        s.execute(delete(AuditEvent).where(AuditEvent.id == event_id))
        s.commit()
    with database.sessions() as s:
        assert s.get(AuditEvent, event_id) is None


# --- the audit log page and its export --------------------------------------------------------------------------


def test_office_admins_filter_and_export_the_audit_log_with_text_cells(
    app: Flask, database: Database, clock: SettableClock
) -> None:
    hostile = "=cmd|' /C calc'!A0"
    post_login(app.test_client(), hostile, "Whatever-123")
    clock.advance(timedelta(days=2))
    client = app.test_client()
    sign_in(client, "admin")
    page = client.get("/office/audit?action=login_failed")
    assert page.status_code == 200 and "office_user.login_failed" in page.text and "office_user.login<" not in page.text
    assert "共 1 条" in page.text
    today = audit_log.local_minute(clock.now())[:10]
    book = client.get(f"/office/audit.xlsx?action=login&until={today}")
    assert book.status_code == 200 and "attachment" in book.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(book.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [row[2] for row in rows] == ["office_user.login_failed", "office_user.login"]
    hostile_cell = sheet.cell(row=2, column=2)
    assert hostile_cell.value == f"office:{hostile}" and hostile_cell.data_type == "s"
    assert sheet.cell(row=1, column=1).value == t("office.audit.col.at")
    table = client.get("/office/audit.csv?actor=cmd").data.decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(table)))
    assert len(parsed) == 2 and parsed[1][1] == f"office:{hostile}"  # "office:" first: not a formula
    assert client.get("/office/audit.csv?actor==cmd").status_code == 200
    assert "'=cmd" not in table
    assert "日期" in client.get("/office/audit?since=2026-13-01").text  # a bad date: 400, Chinese reason
    assert client.get("/office/audit?since=2026-13-01").status_code == 400
    assert client.get("/office/audit?since=2026-12-02&until=2026-12-01").status_code == 400
    assert client.get("/office/audit?actor=" + "x" * 101).status_code == 400
    leader = app.test_client()
    sign_in(leader, "leader")
    assert leader.get("/office/audit").status_code == 403
    assert leader.get("/office/audit.xlsx").status_code == 403
    assert "office.download" in actions(database, "office:admin")


def test_the_cli_exports_the_audit_log(
    database: Database, seeded: Seeded, tmp_path: Path, clock: SettableClock
) -> None:
    from backend.cli import main

    with database.sessions() as s:
        record(s, "office:=1+1", "office_user.login_failed", "office_user", ip="10.0.0.9")
        s.commit()
    env = {"DUDAO_DATABASE_URL": database.url, **clock_env(clock)}
    out = tmp_path / "audit.xlsx"
    done = CliRunner().invoke(main, ["audit", "export", "--action", "login_failed", "-o", str(out)], env=env)
    assert done.exit_code == 0, done.output
    assert "已导出 1 条审计记录" in done.output
    sheet = load_workbook(out).active
    assert sheet.cell(row=2, column=2).value == "office:=1+1" and sheet.cell(row=2, column=2).data_type == "s"
    as_csv = tmp_path / "audit.csv"
    assert CliRunner().invoke(main, ["audit", "export", "-o", str(as_csv)], env=env).exit_code == 0
    assert "office_user.created" in as_csv.read_text(encoding="utf-8-sig")
    wrong = CliRunner().invoke(main, ["audit", "export", "-o", str(tmp_path / "a.pdf")], env=env)
    assert wrong.exit_code != 0 and ".xlsx 或 .csv" in wrong.output
    backwards = CliRunner().invoke(
        main, ["audit", "export", "--since", "2026-12-02", "--until", "2026-12-01", "-o", str(out)], env=env
    )
    assert backwards.exit_code != 0 and "开始日期不能晚于结束日期" in backwards.output
    assert "audit.exported" in actions(database, "cli")
