"""Visits on both databases and stores: logging by message, questions, evidence, undo, findings, urgent, history,
the monthly report and the visits API."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from backend.app import create_app
from backend.config import Config
from backend.domain.calendar import local_date
from backend.domain.kinds import RectificationState, Role
from backend.kv import KV
from backend.runtime import Runtime
from backend.services import monthly_report, visits
from backend.services.authority import current_authority
from backend.services.bot_desk import Desk
from backend.services.calendar import load_official_calendar
from backend.services.tokens import create_token
from backend.services.visit_desk import VisitDesk
from backend.store.db import Database
from backend.store.models import (
    Assignment,
    AuditEvent,
    Inspector,
    Media,
    OutboxMessage,
    Rectification,
    Unit,
    Visit,
    WechatIdentity,
    Zone,
)
from messages import t

SCHOOL_AT = (28.4743, 113.1964)  # latitude, longitude of 城关镇第一小学


@dataclass
class County:
    db: Database
    kv: KV
    wang: int  # inspector with three schools
    li: int  # inspector of 实验小学
    first: int
    second: int
    river: int
    lab: int

    def desk(self, openid: str = "o-wang") -> VisitDesk:
        raise NotImplementedError


@pytest.fixture
def county(database: Database, kv: KV) -> Iterator[County]:
    with database.session() as session:
        authority = current_authority(session)
        load_official_calendar(session)
        zone = Zone(authority_id=authority.id, name="城关责任区")
        session.add(zone)
        session.flush()

        def school(code: str, name: str, short: str, at: tuple[float, float] | None = None) -> Unit:
            unit = Unit(authority_id=authority.id, code=code, name=name, short_name=short, kind="primary")
            unit.zone_id = zone.id
            if at:
                unit.latitude, unit.longitude = at
            session.add(unit)
            return unit

        first = school("2199010011", "青禾县城关镇第一小学", "城关镇第一小学", SCHOOL_AT)
        second = school("2199010012", "青禾县城关镇第二小学", "城关镇第二小学")
        river = school("2199010099", "青禾县河口镇第一小学", "河口镇第一小学")
        lab = school("2199010006", "青禾县实验小学", "实验小学")
        wang = Inspector(authority_id=authority.id, number="DX001", name="王建国", phone="13800000001")
        li = Inspector(authority_id=authority.id, number="DX002", name="李秀英", phone="13800000002")
        session.add_all([wang, li])
        session.flush()
        for unit, person in ((first, wang), (second, wang), (river, wang), (lab, li)):
            session.add(Assignment(inspector_id=person.id, unit_id=unit.id, starts_on=date(2024, 9, 1)))
        session.add_all(
            [
                WechatIdentity(
                    openid="o-wang",
                    role=Role.INSPECTOR.value,
                    inspector_id=wang.id,
                    last_inbound_at=database.clock.now(),
                ),
                WechatIdentity(openid="o-office", role=Role.OFFICE.value, last_inbound_at=database.clock.now()),
            ]
        )
        session.flush()
        ids = County(database, kv, wang.id, li.id, first.id, second.id, river.id, lab.id)
    yield ids


def desk(session: object, county: County, openid: str = "o-wang") -> VisitDesk:
    return Desk(session, county.kv, Config(database_url=county.db.url), openid).visits  # type: ignore[arg-type]


def test_one_message_becomes_a_visit_with_a_draft_rectification(county: County) -> None:
    with county.db.session() as session:
        answer = desk(session, county).log_text("今天在城关二小，看了食堂和校门值守，晨检记录缺了3天，要求一周内补齐")
    assert answer.question is None
    assert "城关镇第二小学" in answer.text and "晨检记录缺了3天" in answer.text and "确认整改" in answer.text
    with county.db.session() as session:
        visit = session.scalars(select(Visit)).one()
        assert visit.unit_id == county.second and visit.visited_on == local_date(county.db.clock.now())
        assert visit.items == ["6", "7"] and visit.problems == "晨检记录缺了3天"
        draft = session.scalars(select(Rectification)).one()
        assert draft.state == RectificationState.DRAFT and draft.visit_id == visit.id
        assert draft.deadline == visit.visited_on + timedelta(days=7)
        assert "visit.logged" in session.scalars(select(AuditEvent.action)).all()


def test_a_school_of_someone_else_is_refused_by_name(county: County) -> None:
    with county.db.session() as session:
        answer = desk(session, county).log_text("今天在实验小学听了两节课")
    assert answer.text == t("visits.not_yours", school="青禾县实验小学")
    with county.db.session() as session:
        assert session.scalars(select(Visit)).all() == []
        with pytest.raises(visits.VisitError):
            visits.log_visit(
                session,
                inspector_id=county.wang,
                draft=visits.VisitDraft(unit_id=county.lab, visited_on=local_date(county.db.clock.now())),
            )


def test_two_schools_that_fit_are_asked_then_the_answer_records(county: County) -> None:
    with county.db.session() as session:
        asked = desk(session, county).log_text("昨天去第一小学看了食堂")
    assert asked.question == "school" and set(asked.choices) >= {county.first, county.river}
    with county.db.session() as session:
        assert session.scalars(select(Visit)).all() == []
        numbers = {s.unit_id: s.number for s in visits.my_schools(session, county.wang)}
        done = desk(session, county).answer_school(asked.pending, str(numbers[county.river]))
    assert done.question is None and "河口镇第一小学" in done.text
    with county.db.session() as session:
        visit = session.scalars(select(Visit)).one()
        assert visit.unit_id == county.river and visit.visited_on == local_date(county.db.clock.now()) - timedelta(
            days=1
        )


def test_a_date_ahead_is_asked(county: County) -> None:
    with county.db.session() as session:
        asked = desk(session, county).log_text("明天去城关二小看食堂")
        assert asked.question == "date"
        done = desk(session, county).answer_date(asked.pending, "昨天")
    assert done.question is None
    with county.db.session() as session:
        assert session.scalars(select(Visit.visited_on)).one() == local_date(county.db.clock.now()) - timedelta(days=1)


def test_photos_and_a_location_before_the_text_join_the_visit(county: County) -> None:
    with county.db.session() as session:
        d = desk(session, county)
        assert d.add_photo("media-1") == t("visits.photo.pending")
        assert d.add_location(SCHOOL_AT[0] + 0.02, SCHOOL_AT[1]) == t("visits.location.pending")
        answer = d.log_text("城关一小 检查了消防器材")
    assert "照片 1 张" in answer.text and "较远" in answer.text
    with county.db.session() as session:
        visit = session.scalars(select(Visit)).one()
        assert visit.far_from_school and visit.checkin_distance_m is not None and visit.checkin_distance_m > 2000
        photo = session.scalars(select(Media)).one()
        assert (photo.owner_type, photo.owner_id, photo.strip_metadata) == ("visit", visit.id, False)
        # a photo afterwards joins the same record; a check-in close by is not flagged
        d = desk(session, county)
        assert "城关镇第一小学" in d.add_photo("media-2")
        assert "较远" not in d.add_location(SCHOOL_AT[0] + 0.001, SCHOOL_AT[1])
    with county.db.session() as session:
        visit = session.scalars(select(Visit)).one()
        assert not visit.far_from_school and visit.checkin_distance_m is not None and visit.checkin_distance_m < 200
        assert len(session.scalars(select(Media)).all()) == 2


def test_undo_within_the_limit_withdraws_the_record_and_its_draft(county: County) -> None:
    with county.db.session() as session:
        desk(session, county).log_text("城关二小 晨检记录不全 要求三天内补齐")
    with county.db.session() as session:
        assert "已撤销" in desk(session, county).undo()
    with county.db.session() as session:
        visit = session.scalars(select(Visit)).one()
        assert visit.revoked_at is not None and visit.history[-1]["revoked_at"] is None
        assert session.scalars(select(Rectification)).all() == []
        assert desk(session, county).undo() == t("visits.undo.nothing")


def test_undo_after_the_limit_goes_through_the_office_which_keeps_history(county: County) -> None:
    with county.db.session() as session:
        desk(session, county).log_text("城关二小 看了食堂")
    with county.db.session() as session:
        session.execute(update(Visit).values(created_at=county.db.clock.now() - timedelta(hours=1)))
    with county.db.session() as session:
        assert desk(session, county).undo() == t("visits.undo.too_late", minutes=30)
        visit_id = session.scalars(select(Visit.id)).one()
        visits.correct_visit(
            session,
            visit_id,
            changes={"unit_id": county.first, "items": ["7", "1"]},
            actor="office:admin",
            reason="学校记错",
        )
    with county.db.session() as session:
        visit = session.get(Visit, visit_id)
        assert visit is not None and visit.unit_id == county.first and visit.items == ["1", "7"]
        assert visit.history[-1]["unit_id"] == county.second and visit.history[-1]["changed_by"] == "office:admin"


def test_urgent_alerts_the_office_at_once(county: County) -> None:
    with county.db.session() as session:
        answer = desk(session, county).log_text("城关镇第一小学 教学楼楼梯护栏松动", urgent=True)
    assert "督导室" in answer.text
    with county.db.session() as session:
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.openid == "o-office")).one()
        assert row.notice == "office_alert" and "护栏松动" in row.payload["content"]
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "visit.urgent")).one()


def test_a_finding_by_command_is_confirmed_before_it_is_issued(county: County) -> None:
    with county.db.session() as session:
        reply = desk(session, county).propose("城关二小 晨检记录不全 12月1日前")
        assert "整改通知草稿" in reply
        assert desk(session, county).propose("实验小学 食堂脏乱 一周内") == t(
            "visits.not_yours", school="青禾县实验小学"
        )
    with county.db.session() as session:
        draft = session.scalars(select(Rectification)).one()
        assert draft.state == RectificationState.DRAFT and draft.problem == "晨检记录不全"
        assert draft.deadline.month == 12 and draft.deadline.day == 1
        assert "已发出" in desk(session, county).confirm_drafts()
    with county.db.session() as session:
        assert session.scalars(select(Rectification.state)).one() == RectificationState.ISSUED


def test_a_plan_a_question_and_thanks_record_nothing(county: County) -> None:
    with county.db.session() as session:
        plan = desk(session, county).log_text("下午准备去城关二小")
        assert plan.text == t("visits.plan") and plan.question is None  # nothing to answer: no record can follow
        desk(session, county).propose("城关二小 晨检记录不全 12月1日前")
        question = desk(session, county).log_text("城关二小的整改报告交上来了吗？")
        assert "城关镇第二小学" in question.text and "晨检记录不全" in question.text and question.question is None
        assert desk(session, county).log_text("谢谢").text == t("visits.chat.thanks")
    with county.db.session() as session:
        assert session.scalars(select(Visit)).all() == []


def test_each_problem_becomes_its_own_draft_with_what_must_be_done(county: County) -> None:
    with county.db.session() as session:
        answer = desk(session, county).log_text(
            "今天在城关二小，消防通道堆了杂物，要求3天内清理干净；台账齐全，没有发现问题；灭火器过期，要求两周内更换"
        )
        assert answer.question is None and "已记录" in answer.text
    with county.db.session() as session:
        visit = session.scalars(select(Visit)).one()
        assert visit.problems == "消防通道堆了杂物\n灭火器过期"
        drafts = session.scalars(select(Rectification).order_by(Rectification.id)).all()
        assert [(d.problem, d.requirement) for d in drafts] == [
            ("消防通道堆了杂物", "清理干净"),
            ("灭火器过期", "更换"),
        ]
        today = local_date(county.db.clock.now())
        assert drafts[1].deadline == today + timedelta(days=14) and drafts[0].deadline > today


def test_a_command_finding_gets_a_requirement_and_a_correction_moves_its_draft(county: County) -> None:
    with county.db.session() as session:
        assert "整改通知草稿" in desk(session, county).propose("城关二小 食堂消毒记录不全 两周内")
        fixed = desk(session, county).correct_last("河口一小")
        assert "河口镇第一小学" in fixed
    with county.db.session() as session:
        draft = session.scalars(select(Rectification)).one()
        assert draft.unit_id == county.river and draft.requirement == t("visits.requirement.default")


def test_this_month_counts_visits_against_the_target(county: County) -> None:
    with county.db.session() as session:
        desk(session, county).log_text("城关二小 看了食堂")
    with county.db.session() as session:
        text = desk(session, county).month_text()
        assert "本月已督导 1 次，到校 1/3 所" in text and "每校至少 2 次" in text
        todo = desk(session, county).todo_text()
        assert "城关镇第一小学" in todo and "城关镇第二小学" not in todo.split("本月还没去")[-1]
        assert "上次督导" in desk(session, county).schools_text()


def test_the_monthly_report_goes_once_and_exports(county: County, tmp_path: Path) -> None:
    today = local_date(county.db.clock.now())
    last_month = monthly_report.previous_month(today)
    with county.db.session() as session:
        visits.log_visit(
            session,
            inspector_id=county.wang,
            draft=visits.VisitDraft(
                unit_id=county.first, visited_on=last_month.start, items=["7"], problems=["晨检缺"]
            ),
        )
    first_of_month = county.db.clock.now().replace(day=1, hour=2)
    with county.db.session() as session:
        assert monthly_report.push_monthly_reports(session, first_of_month) == 1
    with county.db.session() as session:
        assert monthly_report.push_monthly_reports(session, first_of_month + timedelta(hours=3)) == 0
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.openid == "o-wang")).one()
        assert row.notice == "visit_reminder" and "督导 1 次" in row.payload["content"]
        inspectors, count = monthly_report.export_xlsx(session, last_month, tmp_path / "月报.xlsx")
    assert (inspectors, count) == (2, 1)
    book = load_workbook(tmp_path / "月报.xlsx")
    summary = list(book.worksheets[0].iter_rows(values_only=True))
    assert summary[1][:5] == ("DX001", "王建国", 3, 1, 1)


def test_the_visits_api_filters_and_needs_a_token(county: County) -> None:
    with county.db.session() as session:
        desk(session, county).log_text("城关二小 看了食堂 晨检记录不全 要求一周内补齐")
        visits.log_visit(
            session, inspector_id=county.li, draft=visits.VisitDraft(unit_id=county.lab, visited_on=date(2025, 10, 9))
        )
        token = create_token(session, "test")
    app = create_app(runtime=Runtime(Config(database_url=county.db.url, testing=True), county.db, county.kv))
    client = app.test_client()
    assert client.get("/api/v1/visits").status_code == 401
    auth = {"Authorization": f"Bearer {token}"}
    everything = client.get("/api/v1/visits", headers=auth).get_json()
    assert everything["total"] == 2
    mine = client.get("/api/v1/visits?inspector=DX001", headers=auth).get_json()["items"]
    assert len(mine) == 1 and mine[0]["school"]["code"] == "2199010012" and mine[0]["problems"] == ["晨检记录不全"]
    assert mine[0]["rectifications"][0]["state"] == "draft"
    dated = client.get("/api/v1/visits?from=2025-10-01&to=2025-10-31", headers=auth).get_json()["items"]
    assert [v["school"]["code"] for v in dated] == ["2199010006"]
    assert client.get("/api/v1/visits?from=yesterday", headers=auth).status_code == 400
    assert "/api/v1/visits" in client.get("/api/v1/openapi.json").get_json()["paths"]


def test_the_cli_exports_the_monthly_report(county: County, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from backend.cli import main

    with county.db.session() as session:
        visits.log_visit(
            session,
            inspector_id=county.li,
            draft=visits.VisitDraft(unit_id=county.lab, visited_on=date(2025, 11, 3), items=["3"]),
        )
    monkeypatch.setenv("DUDAO_DATABASE_URL", county.db.url)
    out = tmp_path / "report.xlsx"
    done = CliRunner().invoke(main, ["report", "monthly", "--month", "2025-11", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "1 条记录" in done.output
    rows = list(load_workbook(out).worksheets[1].iter_rows(values_only=True))
    assert rows[1][:3] == ("2025-11-03", "李秀英", "青禾县实验小学")
    assert CliRunner().invoke(main, ["report", "monthly", "--month", "11/2025", "--out", str(out)]).exit_code != 0


def test_the_visits_api_names_items_from_the_authoritys_own_list(county: County) -> None:
    with county.db.session() as session:
        authority = current_authority(session)
        authority.supervision_items = [
            *({"code": i["code"], "name": i["name"]} for i in authority.supervision_items if i["code"] != "7"),
            {"code": "7", "name": "食堂食品安全"},
            {"code": "12", "name": "课后服务"},
        ]
        visits.log_visit(
            session,
            inspector_id=county.li,
            draft=visits.VisitDraft(unit_id=county.lab, visited_on=date(2025, 10, 9), items=["7", "12"]),
        )
        token = create_token(session, "items")
    app = create_app(runtime=Runtime(Config(database_url=county.db.url, testing=True), county.db, county.kv))
    listed = app.test_client().get("/api/v1/visits", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200
    assert sorted(listed.get_json()["items"][0]["item_labels"]) == ["课后服务", "食堂食品安全"]
