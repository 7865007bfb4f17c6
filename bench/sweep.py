"""Benchmark: the rectification sweep costs what is due, not the size of the table; and the outbox's pushes/s.

A prefecture over five years: 1,000,000 rectification items (almost all closed long ago) loaded with COPY into
PostgreSQL, plus the same small set of live items (due for a reminder, unsigned, overdue, waiting far off) at
every size. One sweep (`backend.jobs.rectification_sweep.step`) is timed as of a fixed moment at 10,000 rows and
at 1,000,000 rows with the same items due; the queries that find them are timed alone and EXPLAINed (they must
use the partial indexes on the open states). Then the outbox sender's pushes per second against the fake WeChat
API on loopback (one worker, the real client).

    .venv/bin/python bench/sweep.py [--database-url URL] [--rows 1000000] [--pushes 2000]

The database named in --database-url (default bench_sweep) is DROPPED and created again. Never point it at `test`.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.dialects import postgresql  # noqa: E402

from backend.domain import rectification as rules  # noqa: E402
from backend.domain.calendar import SHANGHAI, local_date  # noqa: E402
from backend.domain.kinds import Role  # noqa: E402
from backend.jobs import rectification_sweep  # noqa: E402
from backend.services.authority import current_authority  # noqa: E402
from backend.services.calendar import load_official_calendar, working_calendar  # noqa: E402
from backend.services.outbox import enqueue, send_due  # noqa: E402
from backend.store.db import Database  # noqa: E402
from backend.store.models import Inspector, Unit, WechatIdentity  # noqa: E402

DEFAULT_DB = "postgresql://postgres@127.0.0.1/bench_sweep"
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)  # a Wednesday morning, outside quiet hours
UNITS, INSPECTORS = 3000, 600  # a prefecture: about ten counties
YEARS = 5
SIZES = (10_000, 1_000_000)
COLUMNS = (
    "number, authority_id, unit_id, inspector_id, item, problem, requirement, deadline, urgent, state, level, "
    "issued_at, acknowledged_at, submitted_at, verified_at, closed_at, report_text, reinspection_note, "
    "created_at, updated_at"
)


def plain_url(url: str) -> str:
    """psycopg's URL: SQLAlchemy's `postgresql+psycopg://` scheme without its driver part."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql"))


def recreate(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    if name in ("", "test", "postgres") or name.startswith("test"):
        raise SystemExit(f"refusing to drop the database {name!r}: use a bench database")
    admin = urlunsplit(urlsplit(plain_url(url))._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def seed(db: Database) -> tuple[int, list[int], list[int]]:
    """The authority, units (each with a bound contact, townships as superiors), inspectors, the calendar."""
    with db.session() as session:
        authority = current_authority(session)
        load_official_calendar(session)
        townships = [
            Unit(authority_id=authority.id, code=f"T{n:05d}", name=f"镇{n}", kind="township") for n in range(100)
        ]
        session.add_all(townships)
        session.flush()
        units = [
            Unit(
                authority_id=authority.id,
                code=f"S{n:06d}",
                name=f"学校{n}",
                kind="primary",
                superior_unit_id=townships[n % 100].id,
            )
            for n in range(UNITS)
        ]
        inspectors = [
            Inspector(authority_id=authority.id, number=f"DX{n:05d}", name=f"督学{n}", phone=f"1380000{n:04d}")
            for n in range(INSPECTORS)
        ]
        session.add_all(units + inspectors)
        session.flush()
        session.add_all(
            WechatIdentity(openid=f"o_bench_unit_{u.id:06d}", role=Role.UNIT.value, unit_id=u.id) for u in units
        )
        return authority.id, [u.id for u in units], [i.id for i in inspectors]


def _ts(moment: datetime | None) -> str:
    return "\\N" if moment is None else moment.astimezone(UTC).replace(tzinfo=None).isoformat()


def _row(number: str, authority_id: int, unit_id: int, inspector_id: int, **f: Any) -> str:
    values = [
        number,
        str(authority_id),
        str(unit_id),
        str(inspector_id),
        f.get("item", "6"),
        f.get("problem", "消防通道堆放杂物"),
        "限期整改",
        f["deadline"].isoformat(),
        "t" if f.get("urgent") else "f",
        f["state"],
        str(f.get("level", 0)),
        _ts(f.get("issued_at")),
        _ts(f.get("acknowledged_at")),
        _ts(f.get("submitted_at")),
        _ts(f.get("verified_at")),
        _ts(f.get("closed_at")),
        "已整改",
        "",
        _ts(f.get("issued_at")),
        _ts(f.get("closed_at") or f.get("issued_at")),
    ]
    return "\t".join(values) + "\n"


def copy_rows(url: str, lines: Any, chunk: int = 50_000) -> None:
    with psycopg.connect(plain_url(url)) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY rectification ({COLUMNS}) FROM STDIN") as copy:
            buffer = io.StringIO()
            for n, line in enumerate(lines, start=1):
                buffer.write(line)
                if n % chunk == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        conn.commit()


def history(start: int, count: int, authority_id: int, units: list[int], inspectors: list[int]) -> Any:
    """Closed items spread over five years before NOW: the bulk of the table, never due again."""
    rng = random.Random(start)
    first = NOW - timedelta(days=365 * YEARS)
    span = (NOW - timedelta(days=30) - first).total_seconds()
    for n in range(start, start + count):
        issued = first + timedelta(seconds=rng.random() * span)
        deadline = local_date(issued) + timedelta(days=rng.randint(7, 30))
        done = issued + timedelta(days=rng.randint(2, 25))
        yield _row(
            f"BG-{n:08d}",
            authority_id,
            rng.choice(units),
            rng.choice(inspectors),
            deadline=deadline,
            state="closed",
            issued_at=issued,
            acknowledged_at=issued + timedelta(hours=5),
            submitted_at=done,
            verified_at=done,
            closed_at=done,
            item=str(rng.randint(1, 8)),
        )


def live(authority_id: int, units: list[int], inspectors: list[int], calendar: Any) -> list[str]:
    """The same live items at every size: what the sweep must find, and open items that are not due."""
    today = local_date(NOW)
    rows: list[str] = []
    rng = random.Random(7)

    def add(kind: str, count: int, **f: Any) -> None:
        for n in range(count):
            rows.append(_row(f"LV-{kind}-{n:05d}", authority_id, rng.choice(units), rng.choice(inspectors), **f))

    yesterday = calendar.subtract_working_days(today, 1)
    issued_yesterday = datetime.combine(yesterday, datetime.min.time(), tzinfo=SHANGHAI) + timedelta(hours=10)
    issued_long_ago = NOW - timedelta(days=20)
    # due a reminder: 3 / 1 working days ahead, and today
    for ahead in (3, 1, 0):
        on = calendar.add_working_days(today, ahead) if ahead else today
        add(
            f"ahead{ahead}",
            100,
            deadline=on,
            state="acknowledged",
            issued_at=issued_long_ago,
            acknowledged_at=issued_long_ago,
        )
    add("unsigned", 100, deadline=calendar.add_working_days(today, 10), state="issued", issued_at=issued_yesterday)
    add("overdue", 100, deadline=today - timedelta(days=3), state="acknowledged", issued_at=issued_long_ago)
    add("overdue1", 50, deadline=today - timedelta(days=1), state="reopened", level=1, issued_at=issued_long_ago)
    # open but not due: far deadlines, or waiting for the inspector's 复查
    add("far", 500, deadline=calendar.add_working_days(today, 15), state="acknowledged", issued_at=issued_long_ago)
    add("submitted", 200, deadline=today - timedelta(days=5), state="submitted", issued_at=issued_long_ago)
    return rows


def reset_live(db: Database) -> None:
    """Between sizes: the live items again as new, nothing queued yet."""
    with db.engine.begin() as conn:
        conn.execute(text("TRUNCATE outbox_message, escalation, audit_event RESTART IDENTITY"))
        conn.execute(text("DELETE FROM rectification WHERE number LIKE 'LV-%'"))


def finding_queries(today: date, calendar: Any) -> list[tuple[str, Any]]:
    horizon = rules.earliest_lookahead(calendar, today)
    cutoff = rectification_sweep._unsigned_cutoff(calendar, today)
    return [
        ("due for a reminder", rectification_sweep.due_for_reminder(today, horizon)),
        ("unsigned", rectification_sweep.unsigned_since(cutoff, today)),
        ("overdue", rectification_sweep.overdue(today)),
    ]


def sql_of(query: Any) -> str:
    return str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def time_find(db: Database, calendar: Any, repeat: int = 20) -> tuple[float, int]:
    """The finding queries alone: best of `repeat`, in milliseconds; and how many ids they return."""
    today = local_date(NOW)
    best, found = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        with db.session() as session:
            found = sum(len(session.scalars(q).all()) for _, q in finding_queries(today, calendar))
        best = min(best, time.perf_counter() - started)
    return best * 1000, found


def explain(db: Database, calendar: Any) -> list[str]:
    lines = []
    with db.engine.connect() as conn:
        for name, query in finding_queries(local_date(NOW), calendar):
            plan = conn.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql_of(query))).scalars().all()
            lines.append(f"-- {name}")
            lines.extend(f"   {line}" for line in plan)
    return lines


def measure_size(
    db: Database, url: str, total: int, have: int, ids: tuple[int, list[int], list[int]], calendar: Any
) -> dict[str, Any]:
    authority_id, units, inspectors = ids
    reset_live(db)
    started = time.perf_counter()
    copy_rows(url, history(have, total - have, authority_id, units, inspectors))
    copy_rows(url, live(authority_id, units, inspectors, calendar))
    loaded = time.perf_counter() - started
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE rectification"))
    rows = db.engine.connect().execute(text("SELECT count(*) FROM rectification")).scalar_one()
    find_ms, found = time_find(db, calendar)
    started = time.perf_counter()
    counts = rectification_sweep.step(db, NOW)
    sweep_s = time.perf_counter() - started
    started = time.perf_counter()
    again = rectification_sweep.step(db, NOW)  # the next sweep minutes later: everything already done
    again_s = time.perf_counter() - started
    return {
        "rows": rows,
        "loaded_s": loaded,
        "find_ms": find_ms,
        "found": found,
        "sweep_s": sweep_s,
        "counts": counts,
        "again_s": again_s,
        "again": again,
    }


def measure_pushes(db: Database, count: int) -> dict[str, float]:
    """The outbox sender against the fake WeChat API on loopback: one worker, the real client, templates."""
    from bot.fake_wechat import start_fake_wechat
    from bot.wechat import WeChatClient

    with db.engine.begin() as conn:
        conn.execute(text("TRUNCATE outbox_message RESTART IDENTITY"))
    fields = {"number": "ZG-2026-000001", "unit": "学校", "deadline": "2026-12-04"}
    with db.session() as session:
        openids = list(session.scalars(select(WechatIdentity.openid).limit(count)))
        for n in range(count):
            enqueue(
                session,
                openid=openids[n % len(openids)],
                kind="template",
                notice="rectification_due_soon",
                payload={"fields": fields},
                dedupe_key=f"bench:{n}",
            )
    fake = start_fake_wechat()
    client = WeChatClient(fake.appid, fake.secret, api_base=fake.base_url, kv=None)
    try:
        started = time.perf_counter()
        sent = 0
        while True:
            report = send_due(db, client, templates={"rectification_due_soon": "tpl-due"}, batch=100)
            sent += report.sent
            if report.claimed == 0:
                break
        elapsed = time.perf_counter() - started
        arrived = len(fake.sent())
    finally:
        client.close()
        fake.stop()
    return {"sent": sent, "arrived": arrived, "seconds": elapsed, "per_second": sent / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DB)
    parser.add_argument("--rows", type=int, default=SIZES[-1], help="the large size (default 1,000,000)")
    parser.add_argument("--small", type=int, default=SIZES[0], help="the small size (default 10,000)")
    parser.add_argument("--pushes", type=int, default=2000)
    args = parser.parse_args()

    url = args.database_url
    recreate(url)
    db = Database(url)
    db.upgrade()
    ids = seed(db)
    with db.session() as session:
        calendar = working_calendar(session)
    print(f"sweep as of {NOW.isoformat()} — units {UNITS}, inspectors {INSPECTORS}")
    results = []
    have = 0
    for size in (args.small, args.rows):
        result = measure_size(db, url, size, have, ids, calendar)
        have = size
        results.append(result)
        print(
            f"{result['rows']:>9,} rows (loaded in {result['loaded_s']:.1f} s): find {result['found']} due ids in "
            f"{result['find_ms']:.2f} ms; sweep {result['sweep_s'] * 1000:.0f} ms {result['counts']}; "
            f"next sweep (all done) {result['again_s'] * 1000:.0f} ms"
        )
    small, large = results
    ratio_rows = large["rows"] / small["rows"]
    print(
        f"comparison: {ratio_rows:.0f}x the rows, the same {large['found']} due: finding x"
        f"{large['find_ms'] / small['find_ms']:.2f}, sweep x{large['sweep_s'] / small['sweep_s']:.2f}"
    )
    print("EXPLAIN ANALYZE at the large size:")
    for line in explain(db, calendar):
        print(line)
    pushes = measure_pushes(db, args.pushes)
    print(
        f"outbox sender: {pushes['sent']:.0f} template pushes in {pushes['seconds']:.1f} s = "
        f"{pushes['per_second']:.0f} pushes/s (one worker, fake WeChat on loopback); "
        f"arrived at the fake: {pushes['arrived']:.0f}"
    )
    db.dispose()


if __name__ == "__main__":
    main()
