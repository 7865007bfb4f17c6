"""The rectification chain end to end: signed WeChat requests to a real server on loopback, the real database,
the sweep as of chosen moments, and the outbox sender pushing through the real client to the fake WeChat API.

One notice is issued, reminded, signed, reminded again, reported (text and a photo), re-inspected, reopened,
re-reported and closed; another goes overdue and climbs the ladder (督办 → 约谈 recorded by the office through
the CLI → 通报 published). Every push is counted at the fake API: each arrives exactly once.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, time

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from backend.app import wire_notifier
from backend.cli import main
from backend.config import Config
from backend.domain.calendar import SHANGHAI, local_date
from backend.jobs import rectification_sweep
from backend.runtime import Runtime
from backend.services import rectifications as rect
from backend.services.calendar import working_calendar
from backend.store.models import Escalation, Media, OutboxMessage, Rectification
from bot.fake_wechat import RunningFakeWeChat
from tests.conftest import clock_env
from tests.e2e.webhook_support import Webhook, deliver_all
from tests.integration.test_rectification_lifecycle import (
    INSPECTOR_OPENID,
    OFFICE_OPENID,
    SUPERIOR_OPENID,
    UNIT_OPENID,
    Seeded,
    seed_county,
)

pytestmark = pytest.mark.e2e
pytest_plugins = ["tests.fake_wechat_fixture"]

TEMPLATES = {
    notice: f"tpl-{notice}"
    for notice in (
        "rectification_issued",
        "rectification_due_soon",
        "rectification_submitted",
        "reinspection_result",
        "supervision_notice",
        "office_alert",
    )
}


class Chain:
    """The pieces of one run: the webhook, the worker's runtime (pointed at the fake), the sweep's clock."""

    def __init__(self, hook: Webhook, fake: RunningFakeWeChat, seeded: Seeded) -> None:
        self.hook, self.fake, self.seeded = hook, fake, seeded
        config = fake.configure(Config(database_url=hook.runtime.db.url, templates=TEMPLATES))
        self.worker = wire_notifier(Runtime(config=config, db=hook.runtime.db, kv=hook.runtime.kv))

    def say(self, openid: str, text: str) -> str:
        answer = self.hook.sender.send(self.hook.sender.text(openid, text))
        assert answer.status == 200
        return answer.content

    def photo(self, openid: str, media_id: str) -> str:
        answer = self.hook.sender.send(self.hook.sender.image(openid, media_id=media_id))
        assert answer.status == 200
        return answer.content

    def sweep(self, moment: datetime) -> dict[str, int]:
        # this step only: the other issues' steps (visit reminders, concerns) push to the inspector too
        return rectification_sweep.step(self.worker.db, moment)

    def deliver(self) -> int:
        return deliver_all(self.worker, TEMPLATES)

    def arrived(self, openid: str) -> list[dict[str, object]]:
        return self.fake.sent(openid)

    def item(self, number: str) -> Rectification:
        with self.hook.runtime.db.session() as session:
            found = rect.by_number(session, number)
            session.expunge(found)
            return found


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=SHANGHAI)


def issue(chain: Chain, *, deadline: date, problem: str) -> str:
    with chain.hook.runtime.db.session() as session:
        row = rect.propose_rectification(
            session,
            authority_id=chain.seeded.authority_id,
            unit_id=chain.seeded.unit_id,
            inspector_id=chain.seeded.inspector_id,
            visit_id=None,
            item="6",
            problem=problem,
            requirement="限期整改到位",
            deadline=deadline,
            urgent=False,
            actor=f"inspector:{chain.seeded.inspector_id}",
        )
        rect.issue_rectification(session, row.id, actor=f"inspector:{chain.seeded.inspector_id}")
        return row.number


def test_a_notice_runs_its_course_and_another_climbs_the_ladder(hook: Webhook, fake_wechat: RunningFakeWeChat) -> None:
    seeded = seed_county(hook.runtime.db)
    chain = Chain(hook, fake_wechat, seeded)
    with hook.runtime.db.session() as session:
        calendar = working_calendar(session)
    today = local_date(hook.runtime.clock.now())
    start = calendar.add_working_days(today, 0)  # today, or the next working day
    deadline = calendar.add_working_days(start, 6)

    number = issue(chain, deadline=deadline, problem="消防通道堆放杂物")
    assert chain.deliver() == 1
    [notice] = chain.arrived(UNIT_OPENID)
    assert notice["type"] == "template" and "ZG-" in str(notice["body"])

    # not signed after a working day: reminded (the unit has not written: a template)
    assert chain.sweep(at(calendar.add_working_days(start, 1)))["reminded_not_signed"] == 1
    assert chain.deliver() == 1

    # the unit signs by chat
    answer = chain.say(UNIT_OPENID, "签收")
    assert number in answer
    assert chain.item(number).state == "acknowledged"
    fake_wechat.interact(UNIT_OPENID)  # the unit wrote: WeChat's window is open at the fake too

    # three working days before the deadline: reminded again (days after the unit last wrote: a template)
    assert chain.sweep(at(calendar.subtract_working_days(deadline, 3)))["reminded_due_in_3"] == 1
    assert chain.sweep(at(calendar.subtract_working_days(deadline, 3), 15)).get("reminded_due_in_3") is None
    assert chain.deliver() == 1
    reminder = chain.arrived(UNIT_OPENID)[-1]
    assert reminder["type"] == "template" and reminder["body"]["template_id"] == "tpl-rectification_due_soon"  # type: ignore[index]

    # the unit lists its items and reports with text and a photo
    assert number in chain.say(UNIT_OPENID, "整改")
    media_id = fake_wechat.seed_media(b"\xff\xd8\xff\xe0 not really a jpeg", "image/jpeg", "fix.jpg")
    chain.say(UNIT_OPENID, f"已整改 {number}")
    chain.say(UNIT_OPENID, "杂物已清理")
    assert "1" in chain.photo(UNIT_OPENID, media_id)
    assert number in chain.say(UNIT_OPENID, "提交")
    assert chain.item(number).state == "submitted"
    with hook.runtime.db.session() as session:
        [photo] = session.scalars(select(Media).where(Media.owner_type == "rectification")).all()
        assert photo.wechat_media_id == media_id and photo.strip_metadata is False
    assert chain.deliver() == 1
    assert len(chain.arrived(INSPECTOR_OPENID)) == 1  # the inspector hears of the report

    # 复查 not passed, with a reason and a new deadline; the unit hears of it
    new_deadline = calendar.add_working_days(deadline, 3)
    answer = chain.say(INSPECTOR_OPENID, f"复查 {number} 不通过 楼梯间仍有杂物 {new_deadline.isoformat()}")
    assert new_deadline.isoformat() in answer
    reopened = chain.item(number)
    assert reopened.state == "reopened" and reopened.deadline == new_deadline
    assert chain.deliver() == 1
    assert chain.arrived(UNIT_OPENID)[-1]["type"] == "text"  # the unit wrote today: a customer-service text

    # reported again, in one line, then passed: closed
    chain.say(UNIT_OPENID, f"已整改 {number} 楼梯间也已清理干净")
    chain.say(UNIT_OPENID, "提交")
    answer = chain.say(INSPECTOR_OPENID, f"复查 {number} 通过")
    assert number in answer and chain.item(number).state == "closed"
    assert chain.deliver() == 2  # the second report to the inspector, the result to the unit

    # a second notice goes overdue and climbs the ladder
    late_deadline = calendar.add_working_days(start, 2)
    late = issue(chain, deadline=late_deadline, problem="食堂留样记录不全")
    chain.say(UNIT_OPENID, f"签收 {late}")
    overdue_day = calendar.add_working_days(late_deadline, 1)
    assert chain.sweep(at(overdue_day))["escalated_supervision_notice"] == 1
    supervised = chain.item(late)
    assert supervised.level == 1 and supervised.deadline > late_deadline
    assert chain.sweep(at(calendar.add_working_days(supervised.deadline, 1)))["escalated_talk"] == 1

    # the office confirms and records the 约谈 through the CLI
    runner = CliRunner()
    env = {"DUDAO_DATABASE_URL": hook.runtime.db.url, **clock_env(hook.runtime.clock)}
    listed = runner.invoke(main, ["rectifications", "escalations"], env=env)
    assert listed.exit_code == 0, listed.output
    talk_id = re.search(r"#(\d+)", listed.output)
    assert talk_id and late in listed.output
    talk_deadline = calendar.add_working_days(supervised.deadline, 4)
    confirmed = runner.invoke(
        main,
        [
            "rectifications",
            "confirm-talk",
            talk_id.group(1),
            "--held-at",
            "上午九点",
            "--attendees",
            "校长；督导室主任",
            "--summary",
            "逾期原因和整改措施",
            "--commitments",
            "三日内整改",
            "--deadline",
            talk_deadline.isoformat(),
        ],
        env=env,
    )
    assert confirmed.exit_code == 0, confirmed.output
    assert chain.item(late).level == 2
    assert chain.sweep(at(calendar.add_working_days(talk_deadline, 1)))["escalated_circular"] == 1
    with hook.runtime.db.session() as session:
        circular = session.scalars(select(Escalation).where(Escalation.level == "circular")).one()
    published = runner.invoke(
        main, ["rectifications", "confirm-circular", str(circular.id), "--text", "予以通报批评"], env=env
    )
    assert published.exit_code == 0, published.output
    assert chain.item(late).level == 3
    chain.deliver()

    # every push arrived exactly once: one message at the fake per outbox row, nothing left behind
    with hook.runtime.db.session() as session:
        rows = session.scalars(select(OutboxMessage)).all()
        assert {r.state for r in rows} == {"sent"}
        queued = Counter(r.openid for r in rows)
    for openid in (UNIT_OPENID, SUPERIOR_OPENID, INSPECTOR_OPENID, OFFICE_OPENID):
        assert len(chain.arrived(openid)) == queued[openid], openid
    assert queued[SUPERIOR_OPENID] == 3  # the 督办 copy, the 约谈 record filed with it, the 通报
    assert queued[OFFICE_OPENID] == 2  # 约谈 and 通报 proposed
    assert fake_wechat.stats().get("template_deduplicated", 0) == 0
