"""Issue 15's steps in headless Chromium against a server on loopback and PostgreSQL: the office fills the 约谈
record and its 报备, starts the 问责 fact-finding, fills the 问责 decision, approves it for /public; a visitor on a
phone reads it on /public (and nothing of the concern's reporter), and it is gone once withdrawn."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import select

from backend.store.db import Database
from backend.store.models import Escalation
from tests.e2e.browser import chromium_context, sign_in
from tests.e2e.conftest import serve_app
from tests.integration.test_office_web import PASSWORD, Seeded, make_app, seed_activity

pytestmark = pytest.mark.e2e


@pytest.fixture
def site(pg_database: Database, tmp_path: Path) -> Iterator[tuple[str, Seeded, Database]]:
    seeded = seed_activity(pg_database)
    with serve_app(make_app(pg_database, tmp_path)) as url:
        yield url, seeded, pg_database


def test_the_office_records_a_talk_and_an_accountability_in_the_browser_and_public_shows_it(
    site: tuple[str, Seeded, Database], tmp_path: Path
) -> None:
    url, seeded, db = site
    viewport = {"width": 1366, "height": 768}
    with chromium_context(tmp_path / "profile", viewport=viewport, accept_downloads=True) as context:
        page = context.new_page()
        sign_in(page, url, "admin", PASSWORD)
        page.goto(f"{url}/office/rectifications/{seeded.rect_a}")
        talk = f"#escalation-{seeded.talk_a}"
        page.fill(f"{talk} input[name=held_at]", "2026-11-20 15:00")
        page.fill(f"{talk} input[name=attendees]", "校长、分管副校长")
        page.fill(f"{talk} textarea[name=summary]", "围墙修复滞后，存在安全隐患")
        page.fill(f"{talk} textarea[name=commitments]", "两周内完成修复")
        page.click(f"{talk} button[value=confirm]")
        assert "已确认" in page.inner_text(".flash")
        filing = f"#filing-form-{seeded.talk_a}"
        page.select_option(f"{filing} select[name=to_kind]", "party_committee")
        page.fill(f"{filing} input[name=to_name]", "中共某某县城关镇委员会")
        page.select_option(f"{filing} select[name=how]", "system")
        page.click(f"{filing} button[type=submit]")
        assert "已记录报备" in page.inner_text(".flash")
        assert "中共某某县城关镇委员会" in page.inner_text(f"#filings-{seeded.talk_a}")
        page.click("#fact-finding-form button[type=submit]")
        assert "已启动调查核实" in page.inner_text(".flash")
        assert "还剩 60 天" in page.inner_text("#fact-finding")
        form = "#accountability-form"
        page.fill(f"{form} textarea[name=basic_facts]", "某某县城关镇第一小学，校长王建国")
        page.fill(f"{form} textarea[name=accountability_facts]", "围墙破损经督办、约谈后仍未整改")
        page.fill(f"{form} textarea[name=basis]", "《教育督导问责办法》第八条")
        page.fill(f"{form} textarea[name=measures]", "通报批评，责令书面检查")
        page.fill(f"{form} input[name=effective_at]", "2026-12-15")
        page.click(f"{form} button[type=submit]")
        assert "已保存问责决定" in page.inner_text(".flash")
        with db.sessions() as s:
            row = s.scalar(select(Escalation).where(Escalation.level == "accountability"))
            assert row is not None and row.state == "confirmed"
            row_id = row.id
        # the 问责决定（建议）书 issued with it, downloaded from its rung and read back
        with page.expect_download() as download_info:
            page.click(f"#rung-{row_id} a.doc-docx")
        paper = Document(str(download_info.value.path()))
        text = "\n".join(p.text for p in paper.paragraphs) + "".join(
            c.text for table in paper.tables for row in table.rows for c in row.cells
        )
        assert "通报批评，责令书面检查" in text and "《教育督导问责办法》第八条" in text
        pdf = page.request.get(url + page.get_attribute(f"#rung-{row_id} a.doc-pdf", "href"))
        assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
        publish = f"#publish-accountability-{row_id}"
        assert "通报批评，责令书面检查" in page.inner_text(publish)  # what will be shown, before approving
        page.click(f"{publish} button[value=approve]")
        assert "已批准" in page.inner_text(".flash")

        phone = context.new_page()
        phone.set_viewport_size({"width": 390, "height": 844})
        phone.goto(f"{url}/public/")
        shown = phone.inner_text("#public-steps")
        assert "问责结果" in shown and "通报批评，责令书面检查" in shown and "2026-12-15" in shown
        assert "校长王建国" not in shown and "openid-parent" not in phone.content()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # fits the phone: no sideways scroll
        phone.screenshot(path=str(tmp_path / "public-steps-phone.png"), full_page=True)

        page.goto(f"{url}/office/steps")
        page.click(f"#publish-accountability-{row_id} button[value=unpublish]")
        assert "已撤回公开" in page.inner_text(".flash")
        phone.reload()
        assert phone.locator("#public-steps").count() == 0
