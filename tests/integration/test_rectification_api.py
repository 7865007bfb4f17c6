"""`GET /api/v1/rectifications`: token required, filters, history, and in the OpenAPI document."""

from __future__ import annotations

from datetime import date

from backend.app import create_app
from backend.config import Config
from backend.kv import MemoryKV
from backend.runtime import Runtime
from backend.services import rectifications as rect
from backend.services.tokens import create_token
from backend.store.db import Database
from backend.web import openapi
from tests.integration.test_rectification_lifecycle import MONDAY, issue_one, seed_county


def test_the_list_filters_and_carries_history(database: Database) -> None:
    seeded = seed_county(database)
    late = issue_one(database, seeded, deadline=date(2020, 1, 6))  # long overdue
    issue_one(database, seeded, deadline=date(2099, 1, 5))
    with database.session() as session:
        rect.acknowledge(session, late, actor="unit", now=MONDAY)
        token = create_token(session, "office-dashboard")
    app = create_app(runtime=Runtime(Config(database_url=database.url, testing=True), database, MemoryKV()))
    client = app.test_client()

    assert client.get("/api/v1/rectifications").status_code == 401
    auth = {"Authorization": f"Bearer {token}"}
    every = client.get("/api/v1/rectifications", headers=auth).get_json()
    assert every["total"] == 2
    overdue = client.get("/api/v1/rectifications?overdue=true", headers=auth).get_json()
    assert overdue["total"] == 1
    [found] = overdue["items"]
    assert found["overdue"] is True and found["state"] == "acknowledged" and found["unit"]["code"] == seeded.unit_code
    assert [h["action"] for h in found["history"]] == [
        "rectification.proposed",
        "rectification.issued",
        "rectification.acknowledged",
    ]
    assert client.get("/api/v1/rectifications?overdue=false", headers=auth).get_json()["total"] == 1
    assert client.get("/api/v1/rectifications?state=issued", headers=auth).get_json()["total"] == 1
    assert client.get("/api/v1/rectifications?level=1", headers=auth).get_json()["total"] == 0
    assert client.get(f"/api/v1/rectifications?unit={seeded.unit_code}", headers=auth).get_json()["total"] == 2
    assert client.get("/api/v1/rectifications?state=nonsense", headers=auth).status_code == 400
    assert client.get("/api/v1/rectifications?unit=0000", headers=auth).status_code == 404
    assert "/api/v1/rectifications" in openapi.document()["paths"]
