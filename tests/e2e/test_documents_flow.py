"""A rectification issued by chat has its 整改通知书 in the register, end to end: an inspector binds and reports a
visit over the signed (safe-mode) webhook of a real server on loopback, confirms the draft (WeChat retries that
delivery: still one paper), and the office finds the notice at /office/documents — over HTTP and in headless
Chromium — and downloads it as DOCX (read back with python-docx) and PDF."""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pytest
import requests
from sqlalchemy import select

from backend.domain.kinds import Role
from backend.services import binding, office_users
from backend.services.authority import current_authority
from backend.store.models import Document, Rectification
from messages import t
from tests.e2e.browser import chromium_context, sign_in
from tests.e2e.webhook_support import SECRET_KEY, Webhook, seed_school

pytestmark = pytest.mark.e2e

OFFICE = "青禾县人民政府教育督导室"
PASSWORD = "A long enough password, 2026"  # the password rules: three kinds of character


def say(hook: Webhook, openid: str, text: str) -> str:
    answer = hook.sender.send(hook.sender.text(openid, text))
    assert answer.status == 200
    return answer.content


def office_session(url: str) -> requests.Session:
    web = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', web.get(f"{url}/office/login", timeout=10).text)
    assert token is not None
    signed_in = web.post(
        f"{url}/office/login",
        data={"username": "zhou", "password": PASSWORD, "csrf_token": token.group(1)},
        allow_redirects=False,
        timeout=10,
    )
    assert signed_in.status_code == 302
    return web


def test_a_rectification_issued_by_chat_is_in_the_register_and_downloads(hook: Webhook, tmp_path: Path) -> None:
    school = seed_school(hook.runtime.db)
    db = hook.runtime.db
    with db.session() as session:
        authority = current_authority(session)
        authority.office_name = OFFICE
        authority.document_prefixes = {"rectification_notice": "青督整"}
        office_users.create_user(
            session, username="zhou", password=PASSWORD, role=office_users.OfficeRole.OFFICE, display_name="周敏"
        )
        code = binding.issue_code(
            session, role=Role.INSPECTOR, key=school.inspector_number, pepper=SECRET_KEY, actor="office:test"
        ).code
    assert say(hook, "o-wang", f"绑定 {code}") == t("bot.bind.bound.inspector", name=school.inspector_name)
    summary = say(hook, "o-wang", "今天在城关一小，查看了食堂，消防通道堆放杂物，要求三天内清理")
    assert "确认整改" in summary

    confirm = hook.sender.text("o-wang", "确认整改")
    answer = hook.sender.send(confirm)
    assert "已发出整改通知" in answer.content
    assert hook.sender.send(confirm).status == 200  # WeChat retries the delivery
    assert say(hook, "o-wang", "确认整改") == t("visits.rect.none")  # and the inspector says it again
    with db.session() as session:
        item = session.scalars(select(Rectification)).one()
        [paper] = session.scalars(select(Document)).all()
        year = paper.year
        assert (paper.kind, paper.rectification_id, paper.issued_by) == (
            "rectification_notice",
            item.id,
            f"inspector:{item.inspector_id}",
        )
        number, doc_id, item_number = paper.number, paper.id, item.number
    assert number == f"青督整〔{year}〕1号"

    # the office's register, over HTTP
    web = office_session(hook.url)
    register = web.get(f"{hook.url}/office/documents", timeout=10)
    assert register.status_code == 200
    assert number in register.text and school.name in register.text and f"督学 {school.inspector_name}" in register.text
    word = web.get(f"{hook.url}/office/documents/{doc_id}.docx", timeout=10)
    assert word.status_code == 200
    texts = [p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs]
    assert texts[:3] == [OFFICE, number, "整改通知书"] and school.name + "：" in texts
    cells = [c.text for table in docx.Document(io.BytesIO(word.content)).tables for c in table._cells]
    assert item_number in cells and school.inspector_name in cells
    assert any("消防通道堆放杂物" in p for p in texts)
    pdf = web.get(f"{hook.url}/office/documents/{doc_id}.pdf", timeout=30)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # and in a real browser: the register's row, the record's page, the Word download
    with chromium_context(tmp_path / "profile", accept_downloads=True) as context:
        page = context.new_page()
        sign_in(page, hook.url, "zhou", PASSWORD)
        page.click("nav.sidenav >> text=发文登记")
        page.wait_for_url(f"{hook.url}/office/documents")
        row = page.inner_text(f"#document-{doc_id}")
        assert number in row and "整改通知书" in row and school.name in row
        page.select_option("select[name=kind]", "talk")
        page.click("#register-filters button[type=submit]")
        assert "没有符合条件的文书" in page.inner_text("#register")
        page.goto(f"{hook.url}/office/documents")
        page.click(f"#document-{doc_id} >> text=整改事项")
        assert number in page.inner_text("#documents")
        with page.expect_download() as download_info:
            page.click("#documents a.doc-docx")
        download = download_info.value
        assert download.suggested_filename == f"整改通知书（{number}）.docx"
        saved = tmp_path / "notice.docx"
        download.save_as(saved)
        assert number in [p.text for p in docx.Document(str(saved)).paragraphs]
