"""The office web's forms for issue 15's steps: 约谈 报备, 问责 (fact-finding, the five fields, the repeat flag),
移交 on a visit and a concern with receipt and outcome, 表扬, approving and withdrawing what /public shows; with
the CSRF token, inside the zone scope, and refusals in Chinese."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from backend.clock import SettableClock
from backend.domain.calendar import local_date
from backend.services import documents
from backend.store.db import Database
from backend.store.models import AuditEvent, Commendation, Concern, Escalation, Referral, Unit, Visit
from tests.integration.test_office_web import Seeded, sign_in

TALK = {
    "held_at": "2026-11-20 15:00",
    "attendees": "校长、分管副校长",
    "summary": "围墙修复滞后",
    "commitments": "两周内完成",
}


ACCOUNTABILITY = {
    "basic_facts": "某某县城关镇第一小学，校长王建国",
    "accountability_facts": "围墙破损经督办、约谈后仍未整改",
    "basis": "《教育督导问责办法》第八条",
    "measures": "通报批评，责令书面检查",
    "effective_at": "2026-12-15",
}


def test_the_office_files_a_talk_record_and_holds_to_account_after_fact_finding(
    app: Flask, seeded: Seeded, database: Database, clock: SettableClock
) -> None:
    client = app.test_client()
    token = sign_in(client, "admin")
    page = f"/office/rectifications/{seeded.rect_a}"
    client.post(f"{page}/escalation/{seeded.talk_a}", data={"decision": "confirm", "csrf_token": token, **TALK})
    today = local_date(clock.now())
    filed = client.post(
        f"{page}/escalation/{seeded.talk_a}/filing",
        data={"csrf_token": token, "to_kind": "government", "to_name": "某某县城关镇人民政府",
              "filed_on": today.isoformat(), "how": "paper", "note": "附约谈记录原件"},
        follow_redirects=True,
    )  # fmt: skip
    assert "已记录报备" in filed.text and "某某县城关镇人民政府" in filed.text and "纸质报送" in filed.text
    with database.sessions() as s:  # the 约谈记录 issued with the record is listed on its rung
        paper = documents.of_subject(s, "escalation", seeded.talk_a)[0]
    assert paper.number in filed.text and f"/office/documents/{paper.id}.docx" in filed.text
    bad_date = client.post(
        f"{page}/escalation/{seeded.talk_a}/filing",
        data={
            "csrf_token": token,
            "to_kind": "government",
            "to_name": "某镇",
            "filed_on": "2026-13-45",
            "how": "paper",
        },
        follow_redirects=True,
    )
    assert 'class="flash error"' in bad_date.text
    without_token = client.post(f"{page}/fact-finding", data={"started_on": today.isoformat()})
    assert without_token.status_code == 400
    future = client.post(f"{page}/fact-finding", data={"csrf_token": token, "started_on": "2099-01-01"},
                         follow_redirects=True)  # fmt: skip
    assert "日期不能晚于今天" in future.text
    # the fact-finding began 61 days ago (a session would not survive the clock moving on 61 days)
    began = (today - timedelta(days=61)).isoformat()
    started = client.post(
        f"{page}/fact-finding", data={"csrf_token": token, "started_on": began}, follow_redirects=True
    )
    assert "已启动调查核实" in started.text and "调查已超过 60 日" in started.text
    assert "问责调查已超过 60 日" in client.get("/office/dashboard").text
    assert "调查已超过 60 日" in client.get("/office/steps").text
    incomplete = client.post(
        f"{page}/accountability", data={"csrf_token": token, **ACCOUNTABILITY, "measures": ""}, follow_redirects=True
    )
    assert "记录缺少：问责方式" in incomplete.text
    decided = client.post(
        f"{page}/accountability",
        data={"csrf_token": token, **ACCOUNTABILITY, "repeat": "1", "repeat_reason": "2025年曾被县纪委问责"},
        follow_redirects=True,
    )
    assert "已保存问责决定" in decided.text and "督导室认定：2025年曾被县纪委问责" in decided.text
    assert "问责调查已超过 60 日" not in client.get("/office/dashboard").text
    with database.sessions() as s:
        row = s.scalar(select(Escalation).where(Escalation.rectification_id == seeded.rect_a,
                                                Escalation.level == "accountability"))  # fmt: skip
        assert row.state == "confirmed" and row.confirmed_by == "office:admin"
        assert row.record["measures"] == "通报批评，责令书面检查" and row.record["repeat_source"] == "ticked"
        actions = set(s.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == seeded.rect_a)))
        assert {"escalation.talk.filed", "escalation.accountability.fact_finding",
                "escalation.accountability.recorded"} <= actions  # fmt: skip


def test_referrals_from_a_visit_and_a_concern_with_receipt_outcome_and_the_scope(
    app: Flask, seeded: Seeded, database: Database, clock: SettableClock
) -> None:
    with database.sessions() as s:
        visit_a = s.scalar(
            select(Visit).join(Concern, Concern.unit_id == Visit.unit_id).where(Concern.id == seeded.concern_a)
        )
        visit_b = s.scalar(
            select(Visit).join(Concern, Concern.unit_id == Visit.unit_id).where(Concern.id == seeded.concern_b)
        )
        s.get(Concern, seeded.concern_a).reporter_phone = "13800138000"
        s.commit()
        visit_a_id, visit_b_id = visit_a.id, visit_b.id
    leader = app.test_client()
    token = sign_in(leader, "leader")
    outside = leader.post(f"/office/visits/{visit_b_id}/referrals",
                          data={"csrf_token": token, "department": "县住建局", "matter": "围墙"})  # fmt: skip
    assert outside.status_code == 404
    done = leader.post(f"/office/visits/{visit_a_id}/referrals",
                       data={"csrf_token": token, "department": "县住房和城乡建设局", "matter": "校舍围墙存在安全隐患",
                             "referred_on": (local_date(clock.now()) - timedelta(days=10)).isoformat()},
                       follow_redirects=True)  # fmt: skip
    assert "已移交" in done.text and "县住房和城乡建设局" in done.text
    naming = leader.post(f"/office/concerns/{seeded.concern_a}/referrals",
                         data={"csrf_token": token, "department": "县市场监管局", "matter": "家长 138-0013-8000 反映"},
                         follow_redirects=True)  # fmt: skip
    assert "含有反映人的联系方式" in naming.text
    ten_days_ago = (local_date(clock.now()) - timedelta(days=10)).isoformat()
    leader.post(f"/office/concerns/{seeded.concern_a}/referrals",
                data={"csrf_token": token, "department": "县市场监管局", "matter": "食堂食品安全问题",
                      "referred_on": ten_days_ago})  # fmt: skip
    listed = leader.get("/office/steps").text
    assert listed.count("回执逾期") >= 2
    assert "2 项移交的回执逾期未收到" in leader.get("/office/dashboard").text
    with database.sessions() as s:
        referral = s.scalar(select(Referral).where(Referral.subject_type == "concern"))
        assert "13800138000" not in referral.matter
        referral_id = referral.id
    leader.post(f"/office/referrals/{referral_id}/receipt", data={"csrf_token": token, "note": "已签收"})
    concluded = leader.post(f"/office/referrals/{referral_id}/outcome",
                            data={"csrf_token": token, "outcome": "已立案查处"}, follow_redirects=True)  # fmt: skip
    assert "已记录办理结果" in concluded.text and "已立案查处" in concluded.text
    assert "移交其他部门" in concluded.text and "收到移交回执" in concluded.text  # the concern's history
    assert "openid-parent" not in concluded.text
    with database.sessions() as s:
        row = s.get(Referral, referral_id)
        assert row.state == "concluded" and row.received_on is not None


def test_the_office_commends_and_approves_what_public_shows(app: Flask, seeded: Seeded, database: Database) -> None:
    admin = app.test_client()
    token = sign_in(admin, "admin")
    with database.sessions() as s:
        unit = s.scalar(select(Unit).where(Unit.code == seeded.school_a))
        unit_id, unit_name = unit.id, unit.name
    today = local_date(database.clock.now())
    nobody = {"csrf_token": token, "reason": "x", "commended_on": today.isoformat()}
    refused = admin.post("/office/commendations", data=nobody, follow_redirects=True)
    assert "请选择受表扬的单位" in refused.text
    admin.post("/office/commendations",
               data={"csrf_token": token, "unit": str(unit_id), "person_name": "李老师", "reason": "控辍保学成效显著",
                     "commended_on": today.isoformat(), "document_number": "某督〔2026〕3号"})  # fmt: skip
    visitor = app.test_client()
    assert "控辍保学成效显著" not in visitor.get("/public/").text
    with database.sessions() as s:
        praised = s.scalar(select(Commendation))
        praised_id = praised.id
    leader = app.test_client()
    leader_token = sign_in(leader, "leader")
    assert (
        leader.post(f"/office/publish/commendation/{praised_id}", data={"csrf_token": leader_token}).status_code == 403
    )
    admin.post(f"/office/publish/commendation/{praised_id}", data={"csrf_token": token, "decision": "approve"})
    page = visitor.get("/public/").text
    assert "控辍保学成效显著" in page and f"{unit_name} 李老师" in page and "某督〔2026〕3号" in page
    # 通报: confirmed, then approved separately; the concern behind nothing, no reporter anywhere
    admin.post(f"/office/rectifications/{seeded.rect_a}/escalation/{seeded.talk_a}",
               data={"decision": "confirm", "csrf_token": token, **TALK})  # fmt: skip
    admin.post(f"/office/rectifications/{seeded.rect_a}/accountability", data={"csrf_token": token, **ACCOUNTABILITY})
    with database.sessions() as s:
        row = s.scalar(select(Escalation).where(Escalation.level == "accountability"))
        row_id = row.id
    assert "通报批评，责令书面检查" not in visitor.get("/public/").text
    steps_page = admin.get("/office/steps").text
    assert "批准公开" in steps_page and "通报批评，责令书面检查" in steps_page
    admin.post(f"/office/publish/accountability/{row_id}", data={"csrf_token": token, "decision": "approve"})
    shown = visitor.get("/public/").text
    assert "问责结果" in shown and "通报批评，责令书面检查" in shown and "2026-12-15" in shown
    assert "校长王建国" not in shown  # 基本情况 stays in the office
    assert "openid-parent" not in shown
    admin.post(f"/office/publish/accountability/{row_id}", data={"csrf_token": token, "decision": "unpublish"})
    assert "通报批评，责令书面检查" not in visitor.get("/public/").text
    assert admin.post("/office/publish/talk/1", data={"csrf_token": token}).status_code == 404
