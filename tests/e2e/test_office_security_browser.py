"""等保 basics in a real browser (headless Chromium, issue 16): an account made for a person changes its
password at the first sign-in (the rules refuse weak ones in Chinese), the last sign-in is shown, and every sign-in,
failed sign-in, sign-out and password change is in the audit log, which an office admin reads and downloads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from backend.services import office_users
from backend.store.db import Database
from backend.store.models import AuditEvent
from tests.e2e.browser import chromium_context, sign_in
from tests.e2e.conftest import serve_app
from tests.integration.test_office_web import PASSWORD, make_app, seed_activity

pytestmark = pytest.mark.e2e

FIRST = "Chengguan-2026"  # what the admin typed into `dudao user create`
OWN = "Qinghe-Duxue-2027"  # what 周敏 chooses


@pytest.fixture
def site(database: Database, tmp_path: Path) -> Iterator[str]:
    seed_activity(database)
    with database.sessions() as s:
        office_users.create_user(
            s, username="zhou", password=FIRST, role=office_users.OfficeRole.OFFICE, display_name="周敏",
            must_change_password=True,
        )  # fmt: skip
    with serve_app(make_app(database, tmp_path)) as url:
        yield url


def test_first_sign_in_changes_the_password_and_every_sign_in_is_audited(
    site: str, database: Database, tmp_path: Path
) -> None:
    url = site
    with chromium_context(tmp_path / "profile-zhou") as context:
        page = context.new_page()
        page.goto(f"{url}/office/login")
        page.fill("input[name=username]", "zhou")
        page.fill("input[name=password]", "Chengguan-2025")
        page.click("button[type=submit]")
        assert "用户名或密码不正确" in page.inner_text(".flash")

        page.fill("input[name=username]", "zhou")
        page.fill("input[name=password]", FIRST)
        page.click("button[type=submit]")
        page.wait_for_url(f"{url}/office/password")
        assert "请先设置您自己的密码" in page.inner_text("#must-change")
        assert "这是该账号的第一次登录" in page.inner_text("main")
        page.goto(f"{url}/office/concerns")
        assert page.url == f"{url}/office/password"  # nothing else until it is done

        def choose(new: str) -> str:
            page.fill("input[name=current]", FIRST)
            page.fill("input[name=new]", new)
            page.fill("input[name=repeat]", new)
            page.click("#password-form button[type=submit]")
            return page.inner_text("main")

        assert "至少 3 种" in choose("qinghe duxue office")
        assert "不能包含用户名" in choose("Zhou-Qinghe-2027")
        assert "太常见" in choose("Admin@123456")
        choose(OWN)
        page.wait_for_url(f"{url}/office/dashboard")
        assert "密码已修改" in page.inner_text("main")
        page.click("button:has-text('退出')")
        page.wait_for_url(f"{url}/office/login")

        sign_in(page, url, "zhou", OWN)
        shown = page.inner_text("main")
        assert "上次登录：" in shown and "来自 127.0.0.1" in shown

    with chromium_context(tmp_path / "profile-admin", accept_downloads=True) as context:
        page = context.new_page()
        sign_in(page, url, "admin", PASSWORD)
        page.click("nav >> text=审计日志")
        page.fill("input[name=actor]", "office:zhou")
        page.click("button:has-text('筛选')")
        listed = page.inner_text("#audit-events")
        for action in ("login_failed", "office_user.login", "password_changed", "logout"):
            assert action in listed
        assert FIRST not in listed and OWN not in listed and "Chengguan-2025" not in listed
        with page.expect_download() as download_info:
            page.click("#audit-xlsx")
        target = tmp_path / "audit.xlsx"
        download_info.value.save_as(target)
        assert "审计日志" in download_info.value.suggested_filename
        rows = [[c.value for c in row] for row in load_workbook(target).active.iter_rows(min_row=2)]
    assert [row[2] for row in rows] == [
        "office_user.login_failed",
        "office_user.login",
        "office_user.password_changed",
        "office_user.logout",
        "office_user.login",
    ]
    assert {row[1] for row in rows} == {"office:zhou"}
    with database.sessions() as s:
        downloads = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "office.download")))
    assert [d.detail["endpoint"] for d in downloads] == ["office.audit_xlsx"]
    assert downloads[0].actor == "office:admin" and downloads[0].detail["args"] == {"actor": "office:zhou"}
