"""The privacy pages in the Flask client: the retention settings within legal bounds, `/office/privacy` for office
admins only, and `/privacy`'s request form against hostile input (no crash, a Chinese answer, nothing recorded)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from backend.clock import SettableClock
from backend.domain import retention
from backend.services import office_users, privacy
from backend.services.authority import current_authority
from backend.store.db import Database
from backend.store.models import AuditEvent, PrivacyRequest, Zone
from messages import t
from tests.integration.test_office_web import PASSWORD, make_app, sign_in

ORIGIN = {"Origin": "http://localhost"}
GOOD = {"kind": "copy", "contact": "13912345678", "message": "请把我的信息发给我"}


@pytest.fixture
def app(database: Database, tmp_path: Path) -> Flask:
    with database.sessions() as s:
        county = current_authority(s)
        county.office_name, county.hotline = "江西省安远县人民政府教育督导室", "0797-3721234"
        office_users.create_user(s, username="admin", password=PASSWORD, role=office_users.OfficeRole.OFFICE)
        s.commit()
    return make_app(database, tmp_path)


def _settings_form(token: str, **retention_fields: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "office_name": "江西省安远县人民政府教育督导室",
        "hotline": "0797-3721234",
        "visits_per_month_target": "1",
        "visits_per_semester_floor": "2",
        **retention_fields,
    }


def test_retention_settings_are_shown_checked_against_the_law_and_audited(app: Flask, database: Database) -> None:
    client = app.test_client()
    token = sign_in(client, "admin")
    page = client.get("/office/settings").text
    assert t("settings.retention") in page and 'name="retention_audit"' in page and 'value="365"' in page
    short = client.post("/office/settings", data=_settings_form(token, retention_audit="179", retention_reporter="x"))
    assert short.status_code == 400 and "第二十一条" in short.text and "Traceback" not in short.text
    with database.sessions() as s:
        assert current_authority(s).retention == {}
    good = _settings_form(token, retention_audit="１８０", retention_reporter="730", retention_deliveries="3")
    assert client.post("/office/settings", data=good).status_code == 302
    with database.sessions() as s:
        kept = retention.periods(current_authority(s).retention)
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "authority.settings_changed")).one()
    assert (kept[retention.AUDIT], kept[retention.REPORTER], kept[retention.DELIVERIES]) == (180, 730, 3)
    assert event.detail["after"]["retention"][retention.AUDIT] == 180
    # the notice shows the office's own periods and contact
    notice = client.get("/privacy").text
    assert t("privacy.keep.row", kind=t("settings.retention.reporter"), days=730) in notice
    assert "0797-3721234" in notice and "江西省安远县人民政府教育督导室" in notice


def test_the_office_privacy_page_is_for_office_admins(app: Flask, database: Database) -> None:
    with database.sessions() as s:
        s.add(Zone(authority_id=current_authority(s).id, name="城关督学责任区"))
        s.commit()
        office_users.create_user(
            s, username="lin", password=PASSWORD, role=office_users.OfficeRole.ZONE_LEADER, zone_name="城关督学责任区"
        )
    leader = app.test_client()
    token = sign_in(leader, "lin")
    assert leader.get("/office/privacy").status_code == 403
    erase = leader.post("/office/privacy/erase", data={"csrf_token": token, "openid": "oAbcdef123", "confirm": "yes"})
    assert erase.status_code == 403
    admin = app.test_client()
    token = sign_in(admin, "admin")
    assert admin.get("/office/privacy").status_code == 200
    bad = admin.post("/office/privacy/export", data={"csrf_token": token, "openid": "o'--; drop"})
    assert bad.status_code == 302
    assert t("privacy.office.bad_openid") in admin.get("/office/privacy").text
    unticked = admin.post("/office/privacy/erase", data={"csrf_token": token, "openid": "oAbcdef123"})
    assert unticked.status_code == 302
    with database.sessions() as s:
        assert s.scalar(select(func.count()).where(AuditEvent.action == "privacy.erased")) == 0
    exported = admin.post("/office/privacy/export", data={"csrf_token": token, "openid": "oAbcdef123"})
    assert exported.status_code == 200 and exported.mimetype == "application/zip"
    assert admin.post("/office/privacy/999/close", data={"csrf_token": token, "outcome": "x"}).status_code == 404


@pytest.mark.parametrize(
    "form",
    [
        {"kind": "copy", "contact": "13912345678", "ticket": "T2611-0001", "secret": "WRONG"},
        {"kind": "drop table", "contact": "13912345678"},
        {"kind": "copy", "contact": "x" * 500},
        {"kind": "erase", "contact": "", "message": "\x00" * 10},
    ],
)
def test_the_request_form_refuses_hostile_input_with_a_chinese_answer(
    app: Flask, database: Database, form: dict[str, str]
) -> None:
    answer = app.test_client().post("/privacy", data=form, headers=ORIGIN)
    assert answer.status_code == 400 and "Traceback" not in answer.text
    said = (
        t("privacy.error.who"),
        t("privacy.error.kind"),
        t("privacy.error.contact"),
        "控制字符",
    )  # NUL: the app's guard
    assert any(words in answer.text for words in said)
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(PrivacyRequest)) == 0


def test_a_signed_link_names_its_wechat_user_and_a_forged_or_stale_one_gets_the_refusal_page(
    app: Flask, database: Database, clock: SettableClock
) -> None:
    client = app.test_client()
    link = privacy.link_url("s3cret", "http://localhost", "oAbcdef123", clock.now())
    token = link.partition("?k=")[2]
    opened = client.get(link.removeprefix("http://localhost"))
    assert opened.status_code == 200 and t("privacy.form.who.wechat") in opened.text
    assert f'name="k" value="{token}"' in opened.text and 'name="ticket"' not in opened.text
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (
        client.get(f"/privacy?k={forged}"),
        client.post("/privacy", data={"k": forged, **GOOD}, headers=ORIGIN),
    ):
        assert bad.status_code == 403 and t("form_link.tampered.title") in bad.text and "Traceback" not in bad.text
    clock.advance(days=31)
    stale = client.post("/privacy", data={"k": token, **GOOD}, headers=ORIGIN)
    assert stale.status_code == 410 and t("form_link.expired.title") in stale.text
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(PrivacyRequest)) == 0
    fresh = privacy.link_url("s3cret", "http://localhost", "oAbcdef123", clock.now()).partition("?k=")[2]
    asked = client.post("/privacy", data={"k": fresh, **GOOD}, headers=ORIGIN)
    assert asked.status_code == 201, asked.text
    with database.sessions() as s:
        assert s.scalars(select(PrivacyRequest.openid)).one() == "oAbcdef123"


def test_the_request_form_wants_our_own_origin(app: Flask) -> None:
    answer = app.test_client().post(
        "/privacy", data={"kind": "copy", "contact": "x"}, headers={"Origin": "http://evil"}
    )
    assert answer.status_code == 400 and t("privacy.error.expired") in answer.text
