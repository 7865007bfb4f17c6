"""`/privacy` on a 390 px phone in headless Chromium: nothing wider than the screen, readable text (the page's body;
the 12 px footer is every public page's), the office's periods and contact shown, and the request form usable (a
wrong ticket gets its Chinese answer in the page)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backend.services.authority import current_authority
from backend.store.db import Database
from messages import t
from tests.e2e.browser import phone_page
from tests.e2e.conftest import serve_app
from tests.integration.test_office_web import make_app

pytestmark = pytest.mark.e2e

OFFICE = "江西省赣州市安远县人民政府教育督导室"
MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const overflowing = [];
  const small = [];
  for (const el of document.querySelectorAll('main, main *')) {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    if (box.right > width + 0.5 || box.left < -0.5) overflowing.push(el.tagName + '.' + el.className);
    const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (text && parseFloat(getComputedStyle(el).fontSize) < 13) small.push(el.tagName + '.' + el.className);
  }
  return {scroll: document.documentElement.scrollWidth - width, overflowing, small};
}"""


@pytest.fixture
def site(sqlite_database: Database, tmp_path: Path) -> Iterator[str]:
    with sqlite_database.sessions() as s:
        authority = current_authority(s)
        authority.office_name, authority.hotline = OFFICE, "0797-3721234"
        s.commit()
    with serve_app(make_app(sqlite_database, tmp_path)) as url:
        yield url


def test_the_notice_reads_well_on_a_390px_phone(site: str) -> None:
    with phone_page() as page:
        page.goto(f"{site}/privacy")
        assert t("privacy.title") in page.inner_text("h1")
        main = page.inner_text("main")
        assert OFFICE in main and "0797-3721234" in main
        assert t("privacy.keep.row", kind=t("settings.retention.audit"), days=365) in main
        found: dict[str, Any] = page.evaluate(MEASURE)
        assert found["scroll"] <= 0 and found["overflowing"] == [] and found["small"] == []
        page.select_option("select[name=kind]", "erase")
        page.fill("input[name=ticket]", "T2611-0042")
        page.fill("input[name=secret]", "WRONGONE")
        page.fill("input[name=contact]", "13912345678")
        page.click("#request button[type=submit]")
        assert t("privacy.error.who") in page.inner_text("main")
        again: dict[str, Any] = page.evaluate(MEASURE)
        assert again["scroll"] <= 0 and again["overflowing"] == []
