"""The JSON API on both databases: public schools, token-protected inspectors, the OpenAPI document, health."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from backend.app import create_app
from backend.config import Config
from backend.kv import KV, MemoryKV, RedisKV
from backend.runtime import Runtime
from backend.services.authority import current_authority
from backend.services.schools import assign_inspector, set_responsible_inspector
from backend.services.tokens import create_token, revoke_token
from backend.store.db import Database
from backend.store.models import ApiToken, Assignment, AuditEvent, Inspector, Unit
from backend.web import openapi
from tests.builders import County

DEAD_REDIS = "redis://127.0.0.1:1/0"
DEAD_POSTGRES = "postgresql://postgres@127.0.0.1:1/nothing"


def make_app(database: Database, kv: KV, redis_url: str | None = None) -> Flask:
    config = Config(database_url=database.url, redis_url=redis_url, testing=True)
    return create_app(runtime=Runtime(config, database, kv))


@pytest.fixture
def client(database: Database) -> Iterator[FlaskClient]:
    with make_app(database, MemoryKV()).test_client() as test_client:
        yield test_client


def seed_county(database: Database, schools_per_zone: int = 3) -> None:
    """Two zones, a few schools each (one private kindergarten), a township, two inspectors per zone."""
    with database.sessions() as session:
        county = County(session)
        for z, zone_name in enumerate(("东片责任区", "西片责任区"), start=1):
            zone = county.zone(zone_name)
            inspectors = [
                county.inspector(
                    f"DX-{z}{i}", f"督学{z}{i}", f"138000000{z}{i}", retired=i == 2, training_hours=40.0 + i
                )
                for i in (1, 2)
            ]
            for n in range(schools_per_zone):
                kind, ownership = ("kindergarten", "private") if n == 0 else ("primary", "public")
                suffix = "幼儿园" if kind == "kindergarten" else "小学"
                name = f"{zone_name[:2]}第{n + 1}{suffix}"
                unit = county.school(f"21990{z}{n:04d}", name, kind=kind, ownership=ownership, zone=zone)
                set_responsible_inspector(session, unit, inspectors[n % 2], date(2024, 9, 1))
            county.unit(f"99990110{z}", f"{zone_name[:2]}镇", "township")
        session.commit()


def test_schools_lists_public_fields_and_the_current_inspector(client: FlaskClient, database: Database) -> None:
    seed_county(database)
    body = client.get("/api/v1/schools").get_json()
    assert body["total"] == 6  # the townships are units, not schools
    first = body["items"][0]
    assert first == {
        "code": "2199010000",
        "name": "东片第1幼儿园",
        "kind": "kindergarten",
        "kind_label": "幼儿园",
        "ownership": "private",
        "ownership_label": "民办",
        "address": "",
        "zone": "东片责任区",
        "inspector": {"name": "督学11", "phone": "13800000011"},
    }
    assert "contact_phone" not in first and "student_count" not in first


def test_schools_filter_by_zone_kind_and_name(client: FlaskClient, database: Database) -> None:
    seed_county(database)
    west = client.get("/api/v1/schools", query_string={"zone": "西片责任区"}).get_json()
    assert west["total"] == 3 and {s["zone"] for s in west["items"]} == {"西片责任区"}
    kindergartens = client.get("/api/v1/schools", query_string={"kind": "kindergarten"}).get_json()
    assert [s["name"] for s in kindergartens["items"]] == ["东片第1幼儿园", "西片第1幼儿园"]
    named = client.get("/api/v1/schools", query_string={"q": "第2", "zone": "东片责任区"}).get_json()
    assert [s["name"] for s in named["items"]] == ["东片第2小学"]
    # the LIKE wildcards are taken literally
    assert client.get("/api/v1/schools", query_string={"q": "%"}).get_json()["total"] == 0


def test_pagination_reports_the_total_and_refuses_pages_too_large(client: FlaskClient, database: Database) -> None:
    seed_county(database, schools_per_zone=6)
    page1 = client.get("/api/v1/schools?per_page=5&page=1").get_json()
    page3 = client.get("/api/v1/schools?per_page=5&page=3").get_json()
    assert (page1["total"], len(page1["items"]), page1["page"], page1["per_page"]) == (12, 5, 1, 5)
    assert (page3["total"], len(page3["items"])) == (12, 2)
    codes = [
        s["code"] for p in (1, 2, 3) for s in client.get(f"/api/v1/schools?per_page=5&page={p}").get_json()["items"]
    ]
    assert len(set(codes)) == 12 and codes == sorted(codes)
    assert client.get("/api/v1/schools?per_page=500").status_code == 200
    too_many = client.get("/api/v1/schools?per_page=501")
    assert too_many.status_code == 400
    assert too_many.get_json()["error"]["message"] == "参数「per_page」的值不正确：应在 1 到 500 之间"
    assert client.get("/api/v1/schools?page=0").status_code == 400
    assert client.get("/api/v1/schools?page=abc").get_json()["error"]["message"].startswith("参数「page」")


def test_an_unknown_kind_is_refused_in_chinese(client: FlaskClient) -> None:
    response = client.get("/api/v1/schools?kind=township")
    assert response.status_code == 400
    assert "可选的学段" in response.get_json()["error"]["message"]


def test_the_list_costs_the_same_number_of_queries_for_few_or_many_schools(database: Database) -> None:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    def queries_for_listing(app: Flask) -> int:
        statements.clear()
        assert app.test_client().get("/api/v1/schools?per_page=500").status_code == 200
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    app = make_app(database, MemoryKV())
    seed_county(database, schools_per_zone=2)
    event.listen(database.engine, "before_cursor_execute", count)
    try:
        few = queries_for_listing(app)
        event.remove(database.engine, "before_cursor_execute", count)
        seed_more(database, 20)
        event.listen(database.engine, "before_cursor_execute", count)
        many = queries_for_listing(app)
    finally:
        if event.contains(database.engine, "before_cursor_execute", count):
            event.remove(database.engine, "before_cursor_execute", count)
    assert few == many <= 2  # the count and the page


def seed_more(database: Database, n: int) -> None:
    with database.sessions() as session:
        authority = current_authority(session)
        inspector = session.scalars(select(Inspector)).first()
        assert inspector is not None
        for i in range(n):
            unit = Unit(authority_id=authority.id, code=f"31999{i:05d}", name=f"新增幼儿园{i}", kind="kindergarten")
            session.add(unit)
            session.flush()
            set_responsible_inspector(session, unit, inspector, date(2024, 9, 1))
        session.commit()


def test_the_current_inspector_follows_a_change_and_the_history_is_kept(
    client: FlaskClient, database: Database
) -> None:
    seed_county(database)
    assert client.get("/api/v1/schools/2199010001").get_json()["inspector"]["name"] == "督学12"
    with database.sessions() as session:
        assert assign_inspector(session, "2199010001", "DX-21", date(2025, 3, 1), actor="office:test")
        assert not assign_inspector(session, "2199010001", "DX-21", date(2025, 3, 2))  # already so: no change
    assert client.get("/api/v1/schools/2199010001").get_json()["inspector"] == {
        "name": "督学21",
        "phone": "13800000021",
    }
    with database.sessions() as session:
        unit_id = session.scalar(select(Unit.id).where(Unit.code == "2199010001"))
        history = session.execute(
            select(Inspector.number, Assignment.starts_on, Assignment.ends_on)
            .join(Inspector, Inspector.id == Assignment.inspector_id)
            .where(Assignment.unit_id == unit_id)
            .order_by(Assignment.id)
        ).all()
        assert [tuple(row) for row in history] == [
            ("DX-12", date(2024, 9, 1), date(2025, 3, 1)),
            ("DX-21", date(2025, 3, 1), None),
        ]
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "assignment.changed")).all()
        assert len(audit) == 1 and audit[0].actor == "office:test" and audit[0].subject_id == unit_id


def test_one_school_by_code_and_a_chinese_404(client: FlaskClient, database: Database) -> None:
    seed_county(database)
    assert client.get("/api/v1/schools/2199020002").get_json()["name"] == "西片第3小学"
    missing = client.get("/api/v1/schools/0000000000")
    assert missing.status_code == 404
    assert missing.get_json() == {"error": {"status": 404, "message": "没有找到您要的内容。"}}
    assert client.get("/api/v1/schools/999901101").status_code == 404  # a township is not a school


def test_inspectors_need_a_valid_token(client: FlaskClient, database: Database) -> None:
    seed_county(database)
    with database.sessions() as session:
        token = create_token(session, "县教育局数据平台")
        old = create_token(session, "旧系统")
        revoke_token(session, "旧系统")

    missing = client.get("/api/v1/inspectors")
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert missing.get_json()["error"]["message"].startswith("需要有效的访问令牌")
    for header in (f"Basic {token}", "Bearer", f"Bearer {token}x", f"Bearer {token[:-1]}"):
        assert client.get("/api/v1/inspectors", headers={"Authorization": header}).status_code == 401, header
    revoked = client.get("/api/v1/inspectors", headers={"Authorization": f"Bearer {old}"})
    assert revoked.status_code == 401
    # a revoked token is answered as an unknown one: the answer says nothing of which tokens once existed
    unknown = client.get("/api/v1/inspectors", headers={"Authorization": f"Bearer {token}x"})
    assert (
        revoked.get_json() == unknown.get_json()
        and revoked.headers["WWW-Authenticate"] == unknown.headers["WWW-Authenticate"]
    )
    assert revoked.get_json()["error"]["message"].startswith("需要有效的访问令牌")

    ok = client.get("/api/v1/inspectors", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200
    body = ok.get_json()
    assert body["total"] == 4
    first = body["items"][0]
    assert first["number"] == "DX-11" and first["phone"] == "13800000011"
    assert first["employment"] == "part_time" and first["employment_label"] == "兼职"
    assert first["retired"] is False and first["training_hours"] == 41.0 and first["zone"] == "东片责任区"
    assert [s["code"] for s in first["schools"]] == ["2199010000", "2199010002"]
    assert next(i for i in body["items"] if i["number"] == "DX-12")["retired"] is True
    with database.sessions() as session:
        used = session.scalar(select(ApiToken.last_used_at).where(ApiToken.name == "县教育局数据平台"))
        assert used is not None


def test_the_openapi_document_covers_every_api_route(client: FlaskClient) -> None:
    app = client.application
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["bearer"]["description"],
    }
    routes = [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1")]
    assert routes
    for rule in routes:
        path = openapi.openapi_path(rule.rule)
        assert path in document["paths"], f"{rule.rule} is not in the OpenAPI document"
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            assert method.lower() in document["paths"][path], f"{method} {rule.rule} is not described"
    # routes protected by a token say so
    assert document["paths"]["/api/v1/inspectors"]["get"]["security"] == [{"bearer": []}]
    assert "401" in document["paths"]["/api/v1/inspectors"]["get"]["responses"]
    assert "security" not in document["paths"]["/api/v1/schools"]["get"]
    refs = {p["name"] for p in document["paths"]["/api/v1/schools"]["get"]["parameters"]}
    assert refs == {"zone", "kind", "q", "page", "per_page"}
    assert document["paths"]["/api/v1/schools/{code}"]["get"]["parameters"][0]["in"] == "path"


def test_openapi_paths_are_written_in_openapi_form() -> None:
    assert openapi.openapi_path("/api/v1/schools/<code>") == "/api/v1/schools/{code}"
    assert openapi.openapi_path("/api/v1/visits/<int:visit_id>/media/<path:name>") == (
        "/api/v1/visits/{visit_id}/media/{name}"
    )


def test_healthz_is_ok_when_both_stores_answer(database: Database, kv: KV) -> None:
    redis_url = "redis://configured" if isinstance(kv, RedisKV) else None
    response = make_app(database, kv, redis_url).test_client().get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"]["ok"] and body["kv"]["ok"]
    assert body["database"]["backend"] == database.engine.dialect.name


def test_healthz_is_503_when_redis_is_down(database: Database) -> None:
    down = RedisKV(DEAD_REDIS)
    response = make_app(database, down, DEAD_REDIS).test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "degraded" and body["message"] == "部分服务不可用"
    assert body["database"]["ok"] is True
    assert body["kv"] == {"ok": False, "backend": "redis", "message": "不可用"}


def test_healthz_is_503_when_postgresql_is_down(kv: KV) -> None:
    down = Database(DEAD_POSTGRES)
    try:
        response = make_app(down, kv).test_client().get("/healthz")
    finally:
        down.dispose()
    assert response.status_code == 503
    body = response.get_json()
    assert body["database"] == {"ok": False, "backend": "postgresql", "message": "不可用"}
    assert body["kv"]["ok"] is True


def test_an_unexpected_error_is_a_chinese_500_without_a_trace(database: Database) -> None:
    app = make_app(database, MemoryKV())

    @app.get("/api/v1/boom")
    def boom() -> str:
        raise RuntimeError("secret detail")

    response = app.test_client().get("/api/v1/boom")
    assert response.status_code == 500
    assert response.get_json() == {"error": {"status": 500, "message": "服务器出了点问题，已记录，请稍后再试。"}}
    assert b"secret detail" not in response.data


def test_school_count_matches_the_database(client: FlaskClient, database: Database) -> None:
    seed_county(database, schools_per_zone=4)
    with database.sessions() as session:
        schools = session.scalar(select(func.count(Unit.id)).where(Unit.kind != "township"))
    assert client.get("/api/v1/schools").get_json()["total"] == schools == 8
