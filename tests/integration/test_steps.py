"""Issue 15's steps through their services on both stacks: 问责 with its 60-day fact-finding and the repeat flag,
报备 of a 约谈 record, 移交 with receipt and outcome (the reporter never in it), 表扬, and approving what /public
shows; the CLI's one-step 问责 still works through the same service."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import select

from backend.cli import main
from backend.clock import SettableClock
from backend.domain import rectification as rules
from backend.domain.calendar import local_date
from backend.domain.errors import DomainError, TransitionRefused
from backend.domain.kinds import EscalationLevel
from backend.services import commendations, escalations, exports, publishing, referrals
from backend.services.office import scoped
from backend.services.office_users import OfficeRole, Scope
from backend.store.db import Database
from backend.store.models import AuditEvent, Authority, Concern, Escalation, Rectification, Referral, Unit, Visit
from tests.conftest import clock_env
from tests.integration.test_office_web import seed_activity

RECORD = {
    "basic_facts": "某某县城关镇第一小学，校长王建国",
    "accountability_facts": "围墙破损经督办、约谈后仍未整改",
    "basis": "《教育督导问责办法》第八条",
    "measures": "通报批评，责令书面检查",
    "effective_at": "2026-12-15",
}


def _confirmed_talk(s: object, rect_id: int, talk_id: int) -> Escalation:
    return escalations.confirm_talk(
        s,  # type: ignore[arg-type]
        talk_id,
        record={"held_at": "2026-11-20 15:00", "attendees": "校长", "summary": "滞后", "commitments": "两周"},
        actor="office:admin",
    )


def test_accountability_starts_with_a_60_day_fact_finding_and_flags_a_repeat(
    database: Database, clock: SettableClock
) -> None:
    seeded = seed_activity(database)
    today = local_date(clock.now())
    with database.sessions() as s:
        row = escalations.start_fact_finding(s, seeded.rect_a, actor="office:admin")
        assert row.state == "investigating" and row.fact_finding_due_on == today + timedelta(days=60)
        with pytest.raises(DomainError):  # one 问责 per item
            escalations.start_fact_finding(s, seeded.rect_a, actor="office:admin")
        with pytest.raises(DomainError) as missing:
            escalations.record_accountability(s, seeded.rect_a, record={**RECORD, "basis": " "}, actor="office:admin")
        assert "问责依据" in missing.value.message
        s.commit()
        assert [e.id for e in escalations.fact_findings(s)] == [row.id]
    clock.advance(timedelta(days=61))
    with database.sessions() as s:
        found = s.get(Escalation, row.id)
        assert found is not None
        row = found
        assert rules.fact_finding_overdue(
            investigating=True, due_on=row.fact_finding_due_on, today=local_date(clock.now())
        )
        done = escalations.record_accountability(s, seeded.rect_a, record=RECORD, actor="office:admin")
        assert done.escalation.id == row.id and done.escalation.state == "confirmed"
        assert done.escalation.record["repeat"] is False and not done.heavier
        s.commit()
        assert escalations.fact_findings(s) == []
    # the same unit held to account again: computed from the first, with the first's number in the note
    with database.sessions() as s:
        first = s.get(Rectification, seeded.rect_a)
        again = Rectification(
            number="ZG-again", authority_id=first.authority_id, unit_id=first.unit_id, problem="食堂卫生",
            deadline=first.deadline, state="issued",
        )  # fmt: skip
        s.add(again)
        s.flush()
        second = escalations.record_accountability(s, again.id, record=RECORD, actor="office:admin")
        assert second.escalation.record["repeat"] is True and second.escalation.record["repeat_source"] == "computed"
        assert "ZG-a" in second.escalation.record["repeat_note"] and second.heavier
        # elsewhere, a ticked repeat needs its reason
        other = s.get(Rectification, seeded.rect_b)
        with pytest.raises(DomainError):
            escalations.record_accountability(s, other.id, record=RECORD, actor="office:admin", repeat=True)
        ticked = escalations.record_accountability(
            s, other.id, record=RECORD, actor="office:admin", repeat=True, repeat_reason="2025年已被县纪委问责"
        )
        assert ticked.escalation.record["repeat_source"] == "ticked"
        assert "县纪委" in ticked.escalation.record["repeat_note"]


def test_a_talk_record_keeps_its_filings(database: Database) -> None:
    seeded = seed_activity(database)
    with database.sessions() as s:
        with pytest.raises(DomainError):  # not yet held
            escalations.add_filing(s, seeded.talk_a, to_kind="government", to_name="某某镇人民政府",
                                   filed_on=local_date(database.clock.now()), how="paper", actor="a")  # fmt: skip
        talk = _confirmed_talk(s, seeded.rect_a, seeded.talk_a)
        today = local_date(database.clock.now())
        for kind, name in (("party_committee", "中共某某镇委员会"), ("superior", "县教育体育局")):
            escalations.add_filing(s, talk.id, to_kind=kind, to_name=name, filed_on=today, how="paper",
                                   note="附约谈记录", actor="office:admin")  # fmt: skip
        with pytest.raises(DomainError):
            escalations.add_filing(s, talk.id, to_kind="mayor", to_name="x", filed_on=today, how="paper", actor="a")
        with pytest.raises(DomainError):
            escalations.add_filing(s, talk.id, to_kind="government", to_name="某镇", filed_on=today + timedelta(days=1),
                                   how="email", actor="a")  # fmt: skip
        s.commit()
        found = escalations.filings_of(s, [talk.id])[talk.id]
        assert [f.to_name for f in found] == ["中共某某镇委员会", "县教育体育局"]
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == "escalation.talk.filed")) is not None


def test_a_referral_runs_receipt_and_outcome_and_never_carries_the_reporter(
    database: Database, clock: SettableClock
) -> None:
    seeded = seed_activity(database)
    with database.sessions() as s:
        concern = s.get(Concern, seeded.concern_a)
        assert concern is not None
        concern.reporter_phone = "138 0013 8000"
        s.flush()
        with pytest.raises(DomainError) as refused:
            referrals.refer(s, "concern", concern.id, department="县市场监督管理局",
                            matter="食堂饭菜偏咸，反映人电话13800138000", actor="office:admin")  # fmt: skip
        assert "反映人" in refused.value.message
        with pytest.raises(DomainError):
            referrals.refer(s, "concern", concern.id, department=" ", matter="x", actor="office:admin")
        row = referrals.refer(s, "concern", concern.id, department="县市场监督管理局",
                              matter="某校食堂食品安全问题，请依职责核查", actor="office:admin")  # fmt: skip
        visit = s.scalar(select(Visit).where(Visit.unit_id == concern.unit_id))
        assert visit is not None
        on_visit = referrals.refer(s, "visit", visit.id, department="县住房和城乡建设局",
                                   matter="校舍围墙安全隐患", actor="office:admin")  # fmt: skip
        s.commit()
        assert row.state == "referred" and row.receipt_due_on > row.referred_on
        assert "138" not in row.matter and "openid" not in row.matter
        office = Scope(0, "", "", OfficeRole.OFFICE, concern.authority_id, None, None)
        within = scoped.owned(office, Referral)
        assert not any(x.overdue for x in referrals.listed(s, within, today=local_date(clock.now())))
    clock.advance(timedelta(days=10))
    with database.sessions() as s:
        today = local_date(clock.now())
        listed = referrals.listed(s, within, today=today)
        assert all(x.overdue for x in listed) and len(listed) == 2
        referrals.record_receipt(s, row.id, note="已签收", actor="office:admin")
        with pytest.raises(TransitionRefused):
            referrals.record_receipt(s, row.id, actor="office:admin")
        referrals.record_outcome(s, row.id, outcome="已责令整改并罚款", actor="office:admin")
        referrals.record_outcome(s, on_visit.id, outcome="已维修", actor="office:admin")  # without a receipt
        s.commit()
        assert [x.referral.state for x in referrals.listed(s, within, today=today)] == ["concluded", "concluded"]
        events = s.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "concern")).all()
        assert {"concern.referral_made", "concern.referral_received", "concern.referral_concluded"} <= set(events)


def test_commendations_are_in_the_annual_report_and_on_public_only_when_approved(database: Database) -> None:
    seeded = seed_activity(database)
    today = local_date(database.clock.now())
    with database.sessions() as s:
        authority = s.scalar(select(Authority))
        assert authority is not None
        unit = s.scalar(select(Unit).where(Unit.code == seeded.school_a))
        with pytest.raises(DomainError):
            commendations.record_commendation(s, authority.id, reason="好", commended_on=today, actor="office:admin")
        praised = commendations.record_commendation(
            s, authority.id, unit_id=unit.id, person_name="李老师", reason="=控辍保学成效显著",
            commended_on=today, document_number="某督〔2026〕3号", actor="office:admin",
        )  # fmt: skip
        talk = _confirmed_talk(s, seeded.rect_a, seeded.talk_a)
        item = s.get(Rectification, seeded.rect_a)
        assert item is not None
        circular = escalations.propose(s, item, EscalationLevel.CIRCULAR, now=database.clock.now())
        escalations.confirm_circular(s, circular.id, record={"scope": "全县教育系统", "text": "整改不力，予以通报"},
                                     actor="office:admin")  # fmt: skip
        s.commit()
        assert not publishing.published(s, authority.id, year=today.year)
        with pytest.raises(DomainError):  # a 约谈 is never published
            publishing.approve(s, "circular", talk.id, authority_id=authority.id, actor="office:admin")
        with pytest.raises(DomainError):  # nor another authority's record
            publishing.approve(s, "commendation", praised.id, authority_id=authority.id + 1, actor="office:admin")
        publishing.approve(s, "commendation", praised.id, authority_id=authority.id, actor="office:admin")
        publishing.approve(s, "circular", circular.id, authority_id=authority.id, actor="office:admin")
        s.commit()
        shown = publishing.published(s, authority.id, year=today.year)
        assert [e.who for e in shown.commendations] == [f"{unit.name} 李老师"]
        assert shown.circulars[0].lines[1][1] == "整改不力，予以通报"
        publishing.unpublish(s, "circular", circular.id, authority_id=authority.id, actor="office:admin")
        s.commit()
        assert not publishing.published(s, authority.id, year=today.year).circulars
        book = load_workbook(filename=io.BytesIO(exports.annual_summary_xlsx(s, authority, today.year, today)))
        sheet = book["表扬"]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[1][1] == f"{unit.name} 李老师" and rows[1][3] == "某督〔2026〕3号"
        assert sheet.cell(2, 3).data_type == "s"  # written as text: never a formula


def test_the_cli_records_accountability_through_the_same_service(
    database: Database, clock: SettableClock, tmp_path: Path
) -> None:
    seeded = seed_activity(database)
    env = {"DUDAO_DATABASE_URL": database.url, "DUDAO_INSTANCE_DIR": str(tmp_path / "inst"), **clock_env(clock)}
    started = CliRunner().invoke(main, ["rectifications", "fact-finding", str(seeded.rect_a)], env=env)
    due = (local_date(clock.now()) + timedelta(days=60)).isoformat()
    assert started.exit_code == 0 and due in started.output, started.output
    result = CliRunner().invoke(
        main,
        ["rectifications", "accountability", str(seeded.rect_a), "--basic-facts", RECORD["basic_facts"],
         "--facts", "事实", "--basis", RECORD["basis"], "--measures", RECORD["measures"],
         "--effective-at", "2026-12-15", "--repeat", "2025年曾被县纪委问责"],
        env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with database.sessions() as s:
        row = s.scalar(select(Escalation).where(Escalation.rectification_id == seeded.rect_a,
                                                Escalation.level == "accountability"))  # fmt: skip
        assert row.state == "confirmed" and row.fact_finding_due_on.isoformat() == due  # the one row, closed
        assert row.record["repeat"] is True and row.record["repeat_source"] == "ticked"
