"""How fast the office dashboard answers on a prefecture-sized PostgreSQL database.

Builds (in its own database, `bench_dashboard` by default, never `test`) 6,000 schools in 300 zones with 1,200
inspectors, and a year of activity: visits (about 15 per school), concerns, rectifications with extensions and
escalations. Then times the dashboard's queries and the whole page (sign-in included once, then GET
/office/dashboard) for the office and for a zone leader, and prints the figures.

    .venv/bin/python bench/dashboard.py [--url postgresql://postgres@127.0.0.1/bench_dashboard] [--keep]
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from support import PASSWORD, USERS, bulk, ensure_database, office_clients, rebuilt, timed

from backend.clock import SystemClock
from backend.domain.calendar import local_date
from backend.domain.kinds import ConcernState, EscalationState, RectificationState
from backend.services import office_users
from backend.services.authority import current_authority
from backend.services.office import figures
from backend.store.db import Database
from backend.store.models import (
    Assignment,
    Concern,
    Escalation,
    ExtensionRequest,
    Inspector,
    Rectification,
    Unit,
    Visit,
    Zone,
)

SCHOOLS, ZONES, INSPECTORS = 6000, 300, 1200
KINDS = ["primary"] * 5 + ["kindergarten"] * 3 + ["junior"] * 2 + ["senior", "nine_year"]


def moment(day: date, rng: random.Random) -> datetime:
    return datetime(day.year, day.month, day.day, rng.randint(0, 12), rng.randint(0, 59), tzinfo=UTC)


def build(db: Database, today: date, seed: int = 7) -> None:
    """The prefecture and its year, written with bulk inserts."""
    rng = random.Random(seed)
    now = SystemClock().now()
    with db.sessions() as s:
        authority = current_authority(s)
        s.commit()
        authority_id = authority.id
    bulk(
        db,
        Zone,
        [
            {"authority_id": authority_id, "name": f"第{n + 1:03d}责任区", "created_at": now, "updated_at": now}
            for n in range(ZONES)
        ],
    )
    with db.sessions() as s:
        zone_ids = list(s.scalars(select(Zone.id).order_by(Zone.id)))
    units = [
        {
            "authority_id": authority_id,
            "code": f"3{n:09d}",
            "name": f"第{n + 1}学校",
            "kind": rng.choice(KINDS),
            "ownership": "private" if rng.random() < 0.15 else "public",
            "zone_id": zone_ids[n // (SCHOOLS // ZONES)],
            "student_count": rng.randint(80, 3000),
            "active": True,
            "created_at": now,
            "updated_at": now,
            "address": "",
            "short_name": "",
            "contact_name": "",
            "contact_phone": "",
        }
        for n in range(SCHOOLS)
    ]
    bulk(db, Unit, units)
    people = [
        {
            "authority_id": authority_id,
            "number": f"D{n:05d}",
            "name": f"督学{n}",
            "phone": f"1380000{n:04d}",
            "employment": "part_time",
            "retired": rng.random() < 0.35,
            "training_hours": rng.choice([24, 36, 40, 48]),
            "active": True,
            "created_at": now,
            "updated_at": now,
            "photo": "",
        }
        for n in range(INSPECTORS)
    ]
    bulk(db, Inspector, people)
    with db.sessions() as s:
        unit_ids = list(s.scalars(select(Unit.id).order_by(Unit.id)))
        inspector_ids = list(s.scalars(select(Inspector.id).order_by(Inspector.id)))
    # one in 200 schools has nobody; the others 5 per inspector
    owner = {u: inspector_ids[i // 5] for i, u in enumerate(unit_ids) if i % 200 != 199}
    bulk(
        db,
        Assignment,
        [
            {"inspector_id": p, "unit_id": u, "starts_on": date(today.year - 1, 9, 1), "created_at": now}
            for u, p in owner.items()
        ],
    )

    start = today - timedelta(days=365)
    visits, concerns, rects = [], [], []
    for unit_id, inspector_id in owner.items():
        for _ in range(rng.randint(10, 20)):
            day = start + timedelta(days=rng.randint(0, 365))
            visits.append(
                {
                    "authority_id": authority_id,
                    "inspector_id": inspector_id,
                    "unit_id": unit_id,
                    "visited_on": day,
                    "kind": "routine",
                    "methods": ["查阅资料"],
                    "items": [str(rng.randint(1, 8))],
                    "observations": "正常",
                    "problems": "",
                    "raw_text": "",
                    "source": "chat",
                    "urgent": False,
                    "far_from_school": False,
                    "history": [],
                    "created_at": now,
                    "updated_at": now,
                }
            )
    bulk(db, Visit, visits)
    states = [s.value for s in ConcernState]
    for n in range(40_000):
        unit_id = rng.choice(unit_ids)
        day = start + timedelta(days=rng.randint(0, 365))
        created = moment(day, rng)
        state = rng.choice(states)
        answered = (
            created + timedelta(hours=rng.randint(2, 200))
            if state not in ("received", "acknowledged", "verifying")
            else None
        )
        concerns.append(
            {
                "ticket_no": f"B{n:07d}",
                "authority_id": authority_id,
                "unit_id": unit_id,
                "inspector_id": owner.get(unit_id),
                "channel": "wechat",
                "category": str(rng.randint(1, 8)),
                "content": "反映",
                "state": state,
                "escalation_level": 0,
                "ack_due_on": day + timedelta(days=1),
                "answer_due_on": day + timedelta(days=7),
                "acknowledged_at": created + timedelta(hours=rng.randint(1, 40)),
                "answered_at": answered,
                "answer": "",
                "note": "",
                "routed_to": "",
                "status_secret_hash": "",
                "created_at": created,
                "updated_at": created,
            }
        )
    bulk(db, Concern, concerns)
    rect_states = [s.value for s in RectificationState]
    for n in range(20_000):
        unit_id = rng.choice(unit_ids)
        day = start + timedelta(days=rng.randint(0, 365))
        state = rng.choice(rect_states)
        done = state in ("verified", "closed")
        rects.append(
            {
                "number": f"ZG{n:07d}",
                "authority_id": authority_id,
                "unit_id": unit_id,
                "inspector_id": owner.get(unit_id),
                "item": str(rng.randint(1, 8)),
                "problem": "问题",
                "requirement": "",
                "deadline": day + timedelta(days=20),
                "urgent": False,
                "state": state,
                "level": rng.choice([0, 0, 0, 0, 1, 1, 2, 3]),
                "issued_at": moment(day, rng),
                "submitted_at": moment(day + timedelta(days=rng.randint(3, 30)), rng) if done else None,
                "verified_at": moment(day + timedelta(days=rng.randint(31, 40)), rng) if done else None,
                "report_text": "",
                "reinspection_note": "",
                "created_at": moment(day, rng),
                "updated_at": now,
            }
        )
    bulk(db, Rectification, rects)
    with db.sessions() as s:
        rect_rows = s.execute(select(Rectification.id, Rectification.unit_id).order_by(Rectification.id)).all()
    picked = rng.sample(rect_rows, 3000)
    bulk(
        db,
        ExtensionRequest,
        [
            {
                "rectification_id": r,
                "reason": "材料",
                "requested_at": now,
                "decision": rng.choice([None, "granted", "refused"]),
            }
            for r, _u in picked[:1500]
        ],
    )
    bulk(
        db,
        Escalation,
        [
            {
                "rectification_id": r,
                "unit_id": u,
                "level": rng.choice(["talk", "circular"]),
                "state": rng.choice([s.value for s in EscalationState]),
                "proposed_at": now,
                "record": {},
                "confirmed_by": "",
            }
            for r, u in picked[1500:]
        ],
    )
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1/bench_dashboard")
    parser.add_argument("--keep", action="store_true", help="reuse the data of an earlier run")
    args = parser.parse_args()
    ensure_database(args.url)
    db = Database(args.url)
    today = local_date(db.clock.now())
    took = rebuilt(db, keep=args.keep, table="unit", build=lambda: build(db, today))
    if took is not None:
        print(f"built the prefecture in {took:.1f} s")
    with db.sessions() as s:
        counts = {
            name: s.scalar(text(f"SELECT count(*) FROM {name}"))
            for name in ("unit", "inspector", "visit", "concern", "rectification", "escalation")
        }
    print("rows:", ", ".join(f"{k} {v:,}" for k, v in counts.items()))

    for username in USERS:
        with db.sessions() as s:
            user = office_users.authenticate(s, username, PASSWORD)
            assert user is not None
            scope = office_users.scope_of(s, user)

        def queries(scope: office_users.Scope = scope) -> None:
            with db.sessions() as s:
                figures.dashboard(s, scope, current_authority(s), today)

        median, worst = timed(queries)
        print(f"dashboard queries ({username}): median {median:.0f} ms, max {worst:.0f} ms")

    with office_clients(db, args.url) as clients:
        for username, client in clients:

            def page(client: Any = client) -> None:
                response = client.get("/office/dashboard")
                assert response.status_code == 200

            median, worst = timed(page)
            verdict = "under" if median < 300 else "OVER"
            print(f"GET /office/dashboard ({username}): median {median:.0f} ms, max {worst:.0f} ms ({verdict} 300 ms)")
    db.dispose()


if __name__ == "__main__":
    main()
