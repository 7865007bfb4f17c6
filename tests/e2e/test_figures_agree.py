"""Figures that agree: what the inspector's "本月" answers over the real webhook is what the dashboard shows for
them, in the same units (visits 次, schools 所); an emergency reported in WeChat is at the top of the dashboard at
once; the charts name no bar 无 and list exactly the authority's supervision items; response times are in days."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.domain.calendar import local_date
from backend.domain.kinds import Role
from backend.services import binding
from backend.services.authority import current_authority
from backend.store.models import Inspector, Unit, Visit
from tests.e2e.test_hostile_people import add_office_user, signed_in
from tests.e2e.test_visit_flow import say as say_to
from tests.e2e.test_visit_flow import seed
from tests.e2e.webhook_support import SECRET_KEY, Webhook

pytestmark = pytest.mark.e2e

WANG = "o-wang-figures"


def dashboard_row(page: str, number: str) -> dict[str, str]:
    row = re.search(rf'<tr data-inspector="{number}">(.*?)</tr>', page, re.S)
    assert row is not None, f"no dashboard row for {number}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    text = [re.sub(r"<[^>]+>", "", c).strip() for c in cells]
    return {"name": text[0], "schools": text[1], "month": text[2], "reached": text[3]}


def test_the_bots_month_is_the_dashboards_month_and_an_emergency_shows_at_once(hook: Webhook) -> None:
    seed(hook)  # 王建国 (DX001): 城关第一小学 and 城关镇第二小学; 李秀英 (DX002): 青禾县实验小学
    db = hook.runtime.db
    add_office_user(db)
    today = local_date(db.clock.now())
    with db.session() as session:
        code = binding.issue_code(session, role=Role.INSPECTOR, key="DX001", pepper=SECRET_KEY, actor="office:test")
    assert "王建国" in say_to(hook, WANG, f"绑定 {code.code}")

    # two visits through WeChat; one more of his, with a cross-zone team at a school that is not his
    assert "已记录" in say_to(hook, WANG, "今天在城关二小看了食堂，晨检记录齐全")
    assert "已记录" in say_to(hook, WANG, "今天在城关一小看了校门值守，护导到位")
    with db.session() as session:
        wang = session.scalars(select(Inspector).where(Inspector.number == "DX001")).one()
        lab = session.scalars(select(Unit).where(Unit.code == "3607010003")).one()
        session.add(
            Visit(
                authority_id=current_authority(session).id, inspector_id=wang.id, unit_id=lab.id,
                visited_on=today - timedelta(days=1) if today.day > 1 else today, items=["6"],
                observations="跨片区交叉督导：查看校园安全", source="web",
            )
        )  # fmt: skip
        session.commit()

    month = say_to(hook, WANG, "本月")
    said = re.search(r"本月已督导 (\d+) 次，到校 (\d+)/(\d+) 所", month)
    assert said is not None, month
    visits, reached, schools = (int(n) for n in said.groups())
    assert (visits, reached, schools) == (2, 2, 2)  # his own schools; the team visit elsewhere is not his 本月

    office = signed_in(hook.url)
    page = office.get(f"{hook.url}/office/dashboard", timeout=10).text
    row = dashboard_row(page, "DX001")
    assert row["schools"] == str(schools)
    assert row["month"].endswith(f"{visits} / {schools} 次")  # visits against the target (one a month each)
    assert row["reached"] == f"{reached} / {schools} 所"
    assert "本月督导（次）" in page and "本月到校（所）" in page  # the units are said

    # an emergency in WeChat is on the dashboard at once
    assert "督导室" in say_to(hook, WANG, "紧急 城关二小 教学楼楼梯护栏松动")
    page = office.get(f"{hook.url}/office/dashboard", timeout=10).text
    urgent = re.search(r'<section class="card urgent" id="urgent-visits".*?</section>', page, re.S)
    assert urgent is not None
    assert "城关镇第二小学" in urgent.group(0) and "王建国" in urgent.group(0) and "护栏松动" in urgent.group(0)

    # the charts: no bar 无, exactly the authority's items; answer times in days, as on /public
    found = re.search(r'id="chart-data"[^>]*>(.*?)</script>', page, re.S)
    assert found is not None
    data = json.loads(html.unescape(found.group(1)))
    for chart in data.values():
        assert "无" not in chart["labels"], chart
    with db.session() as session:
        items = [i["name"] for i in current_authority(session).supervision_items]
    assert data["concernItems"]["labels"][: len(items)] == items
    assert "小时" not in page
