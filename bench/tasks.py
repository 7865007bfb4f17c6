"""How fast a supervision task reads and is answered, each against its peer, on PostgreSQL (and Redis).

1. The progress page: a county of 300 schools in 15 zones with 60 inspectors and a year of visits, concerns and
   rectifications, and a 专项 task over all 300 schools (10-item checklist, a team of 12 with a 组长): 120 checks
   done (answers, scores, draft rectifications), 90 under way, the rest not begun. Times GET /office/tasks/<id>
   (signed in, the office and a zone leader) against the project's own GET /office/dashboard on the same data.
   Aim: the progress page under 300 ms.
2. A checklist step over the webhook: an inspector in the middle of a check (`任务`, `1`) answers an item (`1`,
   then `返回` to stand on it again, untimed), signed and safe-mode encrypted, to a server on loopback; the peer is
   a plain text reply (`帮助`) from another inspector through the same webhook. Aim: within 2x the plain reply.

    .venv/bin/python bench/tasks.py [--url postgresql://postgres@127.0.0.1/bench_tasks] [--redis-url URL] [--keep]

The database named in --url is emptied (its schema dropped) unless --keep finds the data of an earlier run.
"""

from __future__ import annotations

import argparse
import base64
import logging
import os
import random
import statistics
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sqlalchemy import select, text  # noqa: E402
from support import bulk, ensure_database, office_clients, rebuilt, timed  # noqa: E402

from backend.clock import SystemClock  # noqa: E402
from backend.domain.calendar import local_date  # noqa: E402
from backend.domain.kinds import CheckState, Role, TaskKind  # noqa: E402
from backend.services import tasks  # noqa: E402
from backend.services.authority import current_authority  # noqa: E402
from backend.store.db import Database  # noqa: E402
from backend.store.models import (  # noqa: E402
    Assignment,
    Checklist,
    ChecklistItem,
    Concern,
    Inspector,
    Rectification,
    Task,
    TaskAnswer,
    TaskTarget,
    Unit,
    Visit,
    WechatIdentity,
    Zone,
)

SCHOOLS, ZONES, INSPECTORS, TEAM = 300, 15, 60, 12
DONE, UNDER_WAY = 120, 90
PAGE_AIM_MS, STEP_AIM_RATIO = 300, 2.0
TOKEN, APPID = "bench-token", "wxbench000000002"
AES_KEY = base64.b64encode(b"t" * 32).decode().rstrip("=")
ITEMS = [
    ("yes_no", "校舍安全隐患排查台账齐全", True),
    ("yes_no", "消防器材在有效期内、通道畅通", True),
    ("score", "门卫值守和来访登记", False),
    ("yes_no", "食堂持证经营、从业人员健康证", True),
    ("yes_no", "食品留样48小时", True),
    ("score", "饮水设备定期消毒", False),
    ("score", "按课程方案开齐开足课程", False),
    ("yes_no", "作业总量控制和公示", False),
    ("yes_no", "教材教辅按时到位", False),
    ("score", "控辍保学台账", False),
]


def build(db: Database, today: date, seed: int = 14) -> int:
    """The county, its year and the 300-school task, written with bulk inserts; returns the task's id."""
    rng = random.Random(seed)
    now = SystemClock().now()
    stamp = {"created_at": now, "updated_at": now}
    with db.sessions() as s:
        authority_id = current_authority(s).id
        s.commit()
    bulk(db, Zone, [{"authority_id": authority_id, "name": f"第{n + 1:02d}责任区", **stamp} for n in range(ZONES)])
    with db.sessions() as s:
        zone_ids = list(s.scalars(select(Zone.id).order_by(Zone.id)))
    bulk(
        db,
        Unit,
        [
            {"authority_id": authority_id, "code": f"36{n:08d}", "name": f"某某县第{n + 1}小学", "kind": "primary",
             "ownership": "public", "zone_id": zone_ids[n * ZONES // SCHOOLS], "active": True, "address": "",
             "short_name": "", "contact_name": "", "contact_phone": "", "student_count": rng.randint(80, 2000),
             **stamp}
            for n in range(SCHOOLS)
        ],
    )  # fmt: skip
    bulk(
        db,
        Inspector,
        [
            {"authority_id": authority_id, "number": f"DX{n:04d}", "name": f"督学{n}", "phone": f"1390000{n:04d}",
             "employment": "part_time", "retired": False, "training_hours": 40, "active": True, "photo": "", **stamp}
            for n in range(INSPECTORS)
        ],
    )  # fmt: skip
    with db.sessions() as s:
        unit_ids = list(s.scalars(select(Unit.id).order_by(Unit.id)))
        people = list(s.scalars(select(Inspector.id).order_by(Inspector.id)))
    owner = {u: people[i // 5] for i, u in enumerate(unit_ids)}
    bulk(db, Assignment, [{"inspector_id": p, "unit_id": u, "starts_on": date(2025, 9, 1), "created_at": now}
                          for u, p in owner.items()])  # fmt: skip
    start = today - timedelta(days=365)
    bulk(
        db,
        Visit,
        [
            {"authority_id": authority_id, "inspector_id": p, "unit_id": u,
             "visited_on": start + timedelta(days=rng.randint(0, 365)), "kind": "routine", "methods": [],
             "items": [str(rng.randint(1, 8))], "observations": "正常", "problems": "", "raw_text": "",
             "source": "chat", "urgent": False, "far_from_school": False, "history": [], **stamp}
            for u, p in owner.items() for _ in range(15)
        ],
    )  # fmt: skip
    bulk(
        db,
        Concern,
        [
            {"ticket_no": f"T{n:07d}", "authority_id": authority_id, "unit_id": rng.choice(unit_ids),
             "channel": "wechat", "category": str(rng.randint(1, 8)), "content": "反映", "state": "answered",
             "escalation_level": 0, "ack_due_on": today, "answer_due_on": today, "answer": "", "note": "",
             "routed_to": "", "status_secret_hash": "", "created_at": now - timedelta(days=rng.randint(1, 300)),
             "updated_at": now, "answered_at": now}
            for n in range(2000)
        ],
    )  # fmt: skip
    with db.sessions() as s:
        checklist = Checklist(authority_id=authority_id, name="开学工作专项督导评估表", version=1)
        checklist.items = [
            ChecklistItem(
                position=n, number=str(n), section="", text=words, answer_type=kind, score=10, rectify_on_fail=rectify
            )
            for n, (kind, words, rectify) in enumerate(ITEMS, start=1)
        ]
        s.add(checklist)
        s.flush()
        task = tasks.create_task(
            s, authority_id, name="开学工作专项督导（全县）", kind=TaskKind.SPECIAL.value, checklist_id=checklist.id,
            inspector_ids=people[:TEAM], starts_on=today - timedelta(days=20), ends_on=today + timedelta(days=10),
            actor="office:bench", unit_ids=unit_ids,
        )  # fmt: skip
        s.commit()
        task_id, items = task.id, [(i.id, i.answer_type, i.rectify_on_fail) for i in checklist.items]
        targets = s.execute(
            select(TaskTarget.id, TaskTarget.unit_id, TaskTarget.inspector_id).where(TaskTarget.task_id == task_id)
            .order_by(TaskTarget.position)
        ).all()  # fmt: skip
    answers: list[dict[str, Any]] = []
    visits: list[dict[str, Any]] = []
    for n, (target_id, unit_id, inspector_id) in enumerate(targets[: DONE + UNDER_WAY]):
        for item_id, kind, _rectify in items[: 10 if n < DONE else rng.randint(1, 9)]:
            passed = rng.random() > 0.15
            score = 10.0 if kind == "yes_no" and passed else (0.0 if kind == "yes_no" else float(rng.randint(4, 10)))
            answers.append({"target_id": target_id, "item_id": item_id, "value": "是" if passed else "否",
                            "passed": passed, "score": score, "remark": "", "media_ids": [], "skipped": False,
                            "source": "chat", "answered_by": inspector_id, "answered_at": now})  # fmt: skip
        if n < DONE:
            visits.append({"authority_id": authority_id, "inspector_id": inspector_id, "unit_id": unit_id,
                           "visited_on": today, "kind": "special", "methods": [], "items": [], "observations": "任务",
                           "problems": "", "raw_text": "", "source": "task", "urgent": False,
                           "far_from_school": False, "history": [], **stamp})  # fmt: skip
    bulk(db, TaskAnswer, answers)
    bulk(db, Visit, visits)
    with db.sessions() as s:
        made = list(s.scalars(select(Visit.id).where(Visit.source == "task").order_by(Visit.id)))
        sums: dict[int, Any] = dict(
            s.execute(select(TaskAnswer.target_id, text("sum(task_answer.score)")).group_by(TaskAnswer.target_id)).all()
        )
        failed_of: dict[int, Any] = dict(
            s.execute(
                select(TaskAnswer.target_id, text("count(*)")).where(TaskAnswer.passed.is_(False))
                .group_by(TaskAnswer.target_id)
            ).all()
        )  # fmt: skip
        rects: list[dict[str, Any]] = []
        for n, (target_id, unit_id, inspector_id) in enumerate(targets[: DONE + UNDER_WAY]):
            row = s.get(TaskTarget, target_id)
            assert row is not None
            row.started_at = now - timedelta(days=3)
            if n >= DONE:
                row.state = CheckState.IN_PROGRESS.value
                continue
            row.state, row.finished_at, row.visit_id = CheckState.DONE.value, now, made[n]
            row.score, row.max_score, row.failed_count = float(sums[target_id]), 100.0, int(failed_of.get(target_id, 0))
            for m in range(min(2, row.failed_count)):
                rects.append({"number": f"ZG-B{target_id:05d}{m}", "authority_id": authority_id, "unit_id": unit_id,
                              "inspector_id": inspector_id, "visit_id": made[n], "problem": "未达标", "requirement": "",
                              "deadline": today + timedelta(days=14), "urgent": False, "state": "draft", "level": 0,
                              "report_text": "", "reinspection_note": "", **stamp})  # fmt: skip
        s.commit()
    bulk(db, Rectification, rects)
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return task_id


def pages(db: Database, args: argparse.Namespace, task_id: int) -> dict[str, float]:
    """GET /office/tasks/<id> and its peer GET /office/dashboard, for the office and a zone leader."""
    found: dict[str, float] = {}
    with office_clients(db, args.url) as clients:
        for username, client in clients:
            for name, path in (("task", f"/office/tasks/{task_id}"), ("dashboard", "/office/dashboard")):

                def get(client: Any = client, path: str = path) -> None:
                    response = client.get(path)
                    assert response.status_code == 200, response.status_code

                median, worst = timed(get, runs=11)
                found[f"{name}:{username}"] = median
                print(f"GET {path:<24} ({username:<10}): median {median:6.0f} ms, max {worst:6.0f} ms")
    return found


def webhook_steps(db: Database, args: argparse.Namespace, steps: int) -> tuple[list[float], list[float]]:
    """Latencies (ms) of checklist answers and of plain `帮助` replies over the signed, encrypted webhook."""
    from backend.app import create_app
    from backend.config import Config
    from backend.kv import MemoryKV, RedisKV
    from backend.runtime import Runtime
    from bot import webhook
    from bot.fake_wechat.pusher import WeChatPusher
    from tests.e2e.conftest import serve_app

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request on the bench's output
    with db.sessions() as s:
        task_id = s.scalar(select(Task.id).order_by(Task.id))
        answering, plain = s.execute(
            select(TaskTarget.inspector_id)
            .where(TaskTarget.task_id == task_id, TaskTarget.state == CheckState.NOT_STARTED.value)
            .group_by(TaskTarget.inspector_id).order_by(TaskTarget.inspector_id).limit(2)
        ).scalars().all()  # fmt: skip
        now = db.clock.now()
        for openid, inspector_id in (("o-bench-check", answering), ("o-bench-plain", plain)):
            if s.scalar(select(WechatIdentity.id).where(WechatIdentity.openid == openid)) is None:
                s.add(WechatIdentity(openid=openid, role=Role.INSPECTOR.value, inspector_id=inspector_id,
                                     bound_at=now, last_inbound_at=now))  # fmt: skip
        s.commit()
    config = Config(database_url=db.url, secret_key="bench-secret", wechat_token=TOKEN, wechat_appid=APPID,
                    wechat_aes_key=AES_KEY, testing=True)  # fmt: skip
    kv = RedisKV(args.redis_url, prefix=f"bench-tasks:{uuid.uuid4().hex[:8]}:") if args.redis_url else MemoryKV()
    app = create_app(runtime=Runtime(config=config, db=db, kv=kv))
    edge = webhook.install(app)
    answers: list[float] = []
    replies: list[float] = []
    try:
        with serve_app(app) as base:
            sender = WeChatPusher(base + "/wechat", token=TOKEN, appid=APPID, aes_key=AES_KEY, clock=db.clock)

            def say(openid: str, words: str) -> tuple[float, str]:
                started = time.perf_counter()
                answer = sender.send(sender.text(openid, words))
                took = (time.perf_counter() - started) * 1000
                assert answer.status == 200, answer.status
                return took, answer.fields.get("Content", "")

            say("o-bench-check", "任务")
            _took, first = say("o-bench-check", "1")
            print(f"  the check begins: {first.splitlines()[0] if first else '(no reply)'}")
            for _ in range(5):  # warm both paths
                say("o-bench-plain", "帮助")
            for n in range(steps):
                took, reply = say("o-bench-check", "1")
                if n == 0:
                    print(f"  an answer's reply: {reply.splitlines()[0] if reply else '(no reply)'}")
                answers.append(took)
                say("o-bench-check", "返回")  # stand on the same item again (untimed)
                replies.append(say("o-bench-plain", "帮助")[0])
    finally:
        edge.inbox.close()
    return answers, replies


def _p(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1/bench_tasks")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7", help="'' for the in-process store")
    parser.add_argument("--steps", type=int, default=60, help="checklist answers timed")
    parser.add_argument("--keep", action="store_true", help="reuse the data of an earlier run")
    args = parser.parse_args()
    ensure_database(args.url)
    db = Database(args.url)
    today = local_date(db.clock.now())
    took = rebuilt(db, keep=args.keep, table="task", build=lambda: build(db, today))
    if took is not None:
        print(f"built the county and its task in {took:.1f} s")
    with db.sessions() as s:
        task_id = s.scalar(select(Task.id).order_by(Task.id))
        counts = {
            name: s.scalar(text(f"SELECT count(*) FROM {name}"))
            for name in ("unit", "inspector", "visit", "concern", "rectification", "task_target", "task_answer")
        }
    assert task_id is not None
    print("rows:", ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"load average {load} on {os.cpu_count()} CPUs (the figures are only as quiet as the machine)")
    print("1. the progress page, against the dashboard (peer), PostgreSQL:")
    found = pages(db, args, task_id)
    worst_task = max(found["task:bench"], found["task:bench-zone"])
    verdict = "under" if worst_task < PAGE_AIM_MS else "OVER"
    print(f"   progress page {worst_task:.0f} ms ({verdict} {PAGE_AIM_MS} ms); "
          f"dashboard {found['dashboard:bench']:.0f} ms")  # fmt: skip
    print(f"2. a checklist step over the webhook, against a plain text reply (peer), {args.steps} of each:")
    answers, replies = webhook_steps(db, args, args.steps)
    a50, r50 = statistics.median(answers), statistics.median(replies)
    print(f"   checklist answer: median {a50:.1f} ms, p90 {_p(answers, 0.9):.1f} ms")
    print(f"   plain reply (帮助): median {r50:.1f} ms, p90 {_p(replies, 0.9):.1f} ms")
    ratio = a50 / r50 if r50 else float("inf")
    print(f"   ratio {ratio:.2f} ({'within' if ratio <= STEP_AIM_RATIO else 'OVER'} {STEP_AIM_RATIO:g}x)")
    db.dispose()
    return 0 if worst_task < PAGE_AIM_MS and ratio <= STEP_AIM_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
