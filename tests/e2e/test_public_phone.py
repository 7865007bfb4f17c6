"""`/public` on a 390 px phone (390x844, as an iPhone 12-15 shows it) in headless Chromium: nothing wider than the
screen (no sideways scrolling, no cut-off column), readable font sizes, and every table row a card of labelled
values. A long county (a school name of 40 characters, every metric and level published) is the test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from backend.store.db import Database
from backend.store.models import Authority, Unit
from tests.e2e.browser import phone_page
from tests.e2e.conftest import serve_app
from tests.e2e.test_office_browser import busy_county, shots
from tests.integration.test_office_web import make_app, seed_activity

pytestmark = pytest.mark.e2e

LONG_NAME = "青禾县白沙镇石桥村和平民族九年一贯制学校（第二校区）附属实验幼儿园及学前教育中心分园"
MIN_TEXT_PX = 13  # the smallest text on the page (notes); body text is larger
MIN_BODY_PX = 15

# every element's right edge, and the text sizes, measured in the page
MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const overflowing = [];
  const small = [];
  for (const el of document.querySelectorAll('body *')) {
    const head = el.closest('thead');
    if (head && head.getBoundingClientRect().width <= 1) continue;  // the table head, hidden on a phone
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    if (box.right > width + 0.5 || box.left < -0.5) overflowing.push(el.tagName + '.' + el.className + ' ' + box.right);
    const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (text && size < MIN_TEXT_PX) small.push(el.tagName + '.' + el.className + ' ' + size);
  }
  const wraps = [...document.querySelectorAll('.table-wrap')].map(w => w.scrollWidth - w.clientWidth);
  return {
    scroll: document.documentElement.scrollWidth - width,
    overflowing, small, wraps,
    body: parseFloat(getComputedStyle(document.querySelector('main td:not(.name)')).fontSize),
    labels: [...document.querySelectorAll('main td[data-label]')].slice(0, 8)
      .map(td => getComputedStyle(td, '::before').content),
  };
}""".replace("MIN_TEXT_PX", str(MIN_TEXT_PX))


@pytest.fixture
def site(sqlite_database: Database, tmp_path: Path) -> Iterator[str]:
    seed_activity(sqlite_database)
    busy_county(sqlite_database)
    with sqlite_database.sessions() as s:
        authority = s.scalars(select(Authority)).one()
        authority.publication = {
            "enabled": True,
            "metrics": ["visits", "rectified_on_time", "concern_response"],
            "levels": ["zone", "school"],
        }
        first = s.scalars(select(Unit).order_by(Unit.code)).first()
        assert first is not None
        first.name = LONG_NAME
        s.commit()
    with serve_app(make_app(sqlite_database, tmp_path)) as url:
        yield url


def test_public_reads_well_on_a_390px_phone(site: str, tmp_path: Path) -> None:
    with phone_page() as page:
        page.goto(f"{site}/public/")
        assert "结果公开" in page.inner_text("h1")
        assert LONG_NAME in page.inner_text("main")
        page.screenshot(path=str(shots(tmp_path) / "public-390.png"), full_page=True)
        found: dict[str, Any] = page.evaluate(MEASURE)
        assert found["scroll"] <= 0, "the page scrolls sideways"
        assert found["wraps"] and all(w <= 0 for w in found["wraps"]), "a table is wider than the screen"
        assert found["overflowing"] == []
        assert found["small"] == []
        assert found["body"] >= MIN_BODY_PX
        # each value is labelled in its card (the table head is hidden on a phone)
        assert found["labels"] and all(label not in ("none", "normal", '""') for label in found["labels"])

        # one zone at a time, as a parent would look for their school's
        page.select_option("select[name=zone]", index=1)
        page.click("form.filters button[type=submit]")
        again: dict[str, Any] = page.evaluate(MEASURE)
        assert again["scroll"] <= 0 and again["overflowing"] == [] and again["small"] == []
