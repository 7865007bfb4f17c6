"""The deployment kit end to end: nginx (Debian's package, the kit's site file, HTTPS on a loopback port) in
front of gunicorn (the kit's config, two workers), two `dudao worker` processes, PostgreSQL, Redis and the fake
WeChat API. An inspector binds and logs a visit with a photo over the signed, encrypted webhook through nginx;
the rectification notice it raises reaches the unit at the fake WeChat. Redirects keep nginx's port; the board
form's photos pass nginx's body limit; the logs say time, level and logger on every line, one line per request
and per push, and never an openid, a phone number, a bind code or what anyone wrote, nor a `/wechat` query string.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from backend.clock import SettableClock
from backend.domain.calendar import local_date
from backend.domain.kinds import RectificationState, Role
from backend.services import binding
from backend.services import rectifications as rect
from backend.services.calendar import load_official_calendar, working_calendar
from backend.services.outbox import BATCH, LEASE
from backend.services.workers import BEAT_SECONDS, GONE_AFTER
from backend.store.db import Database
from backend.store.models import Media, OutboxMessage, Rectification
from bot.fake_wechat import RunningFakeWeChat
from bot.fake_wechat.pusher import WeChatPusher
from tests.builders import County
from tests.conftest import REDIS_URL, _truncate_pg, _unavailable
from tests.e2e.conftest import E2E_SECRET_KEY, dudao, run_dudao_server
from tests.e2e.deploy_support import (
    GUNICORN_CONF,
    KIT,
    Running,
    nginx_binary,
    running_gunicorn,
    running_nginx,
    service_env,
    start_worker,
)
from tests.e2e.test_outbox_faults import NOTICES, TEMPLATE_PATH
from tests.e2e.webhook_support import new_aes_key, wait_for

pytestmark = pytest.mark.e2e
pytest_plugins = ["tests.fake_wechat_fixture"]

TOKEN = "deploy-test-token"
INSPECTOR_OPENID = "oDeployInspector0000000000001"
UNIT_OPENID = "oDeployUnitContact00000000001"
OFFICE_OPENID = "oDeployOfficeAdmin00000000001"
INSPECTOR_PHONE = "13912345678"
SCHOOL = "青禾县城关镇第二小学"
SCHOOL_CODE = "3607010002"
VISIT = "今天在城关二小，看了食堂和校门值守，晨检记录缺了3天，要求一周内补齐"
TEMPLATES = {
    "DUDAO_TEMPLATE_RECTIFICATION_ISSUED": "tpl-issued",
    "DUDAO_TEMPLATE_RECTIFICATION_DUE_SOON": "tpl-due-soon",
    "DUDAO_TEMPLATE_OFFICE_ALERT": "tpl-office-alert",
}
BACKLOG = 24  # rectification notices queued at once, then a worker is killed mid-send
SEND_DELAY = 0.25  # seconds the fake WeChat takes per template message
DRAIN_AFTER_KILL = LEASE.total_seconds() + 15  # 25 s: the lease, then the survivor's few seconds of sending
LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: ")


def seed(db: Database) -> None:
    with db.session() as session:
        load_official_calendar(session)
        county = County(session)
        school = county.school(SCHOOL_CODE, SCHOOL, zone=county.zone("青禾县城关督学责任区"))
        county.assign(county.inspector("DX001", "王建国", INSPECTOR_PHONE), school)
        county.contact(UNIT_OPENID, Role.UNIT, unit_id=school.id)
        county.contact(OFFICE_OPENID, Role.OFFICE)


def flush_redis() -> None:
    """The services' own keys (`dudao:`) on the test's Redis db: a token of an earlier run's fake is gone."""
    import redis

    client = redis.Redis.from_url(REDIS_URL or "")
    for key in client.scan_iter(match="dudao:*"):
        client.delete(key)
    client.close()


def unstructured(running: Running) -> list[str]:
    return [line for line in running.output if line.strip() and not LINE.match(line)]


def health(http: requests.Session, base: str) -> tuple[int, dict[str, Any]]:
    answer = http.get(f"{base}/healthz", timeout=10)
    return answer.status_code, answer.json()


def holders(db: Database) -> dict[int, list[int]]:
    """The pending notices each worker process holds right now, by pid (`claimed_by` is host:pid)."""
    with db.session() as session:
        rows = session.execute(
            select(OutboxMessage.claimed_by, OutboxMessage.id).where(
                OutboxMessage.state == "pending", OutboxMessage.claimed_by != "", NOTICES
            )
        ).all()
    held: dict[int, list[int]] = {}
    for who, message_id in rows:
        held.setdefault(int(who.rsplit(":", 1)[-1]), []).append(message_id)
    return held


def issue_notices(db: Database, count: int) -> None:
    """`count` more rectifications issued to the school, as the inspector did above: a notice each."""
    with db.session() as session:
        first = session.scalars(select(Rectification)).one()
        deadline = working_calendar(session).add_working_days(local_date(db.clock.now()), 5)
        for n in range(count):
            row = rect.propose_rectification(
                session,
                authority_id=first.authority_id,
                unit_id=first.unit_id,
                inspector_id=first.inspector_id,
                visit_id=None,
                item="6",
                problem=f"消防通道堆放杂物 {n + 1}",
                requirement="限期清理",
                deadline=deadline,
                urgent=False,
                actor="inspector:1",
            )
            rect.issue_rectification(session, row.id, actor="inspector:1")


def kill_a_worker_mid_send(
    db: Database, fake_wechat: RunningFakeWeChat, http: requests.Session, base: str, workers: list[Running]
) -> tuple[Running, Running, float]:
    """A backlog of notices, WeChat slow on each; the worker holding claims is SIGKILLed mid-send. The survivor
    takes its claims when their lease (10 s) ends: every notice arrives once, within DRAIN_AFTER_KILL of the kill;
    /healthz through nginx turns 503 and lists the dead worker as gone once its beat is GONE_AFTER (30 s) old."""
    status, body = health(http, base)
    assert status == 200 and body["workers"]["alive"] == 2 and body["workers"]["expected"] == 2, body

    def each_beat_since_both_started() -> bool:
        # health counts a dead worker whose last beat predates a sibling's start as replaced by it (systemd's
        # restart), not gone: let each beat once after both started, as two long-running workers have
        listed = health(http, base)[1]["workers"]["list"]
        return all(w["last_beat"] > max(v["started_at"] for v in listed) for w in listed)

    assert wait_for(each_beat_since_both_started, timeout=BEAT_SECONDS + 5)
    fake_wechat.fail(TEMPLATE_PATH, delay=SEND_DELAY, count=10 * BACKLOG)  # slow, but every one is delivered
    issue_notices(db, BACKLOG)
    by_pid = {w.process.pid: w for w in workers}
    found: dict[str, Any] = {}

    def one_holds_claims_mid_send() -> bool:
        sent = len(fake_wechat.sent(UNIT_OPENID))
        for pid, ids in holders(db).items():
            if pid in by_pid and sent >= 1 + 3:  # the backlog has started going out
                found.update(victim=by_pid[pid], claims=ids)
                return True
        return False

    assert wait_for(one_holds_claims_mid_send, timeout=60), fake_wechat.stats()
    victim: Running = found["victim"]
    victim.process.send_signal(signal.SIGKILL)
    killed_at = time.monotonic()
    victim.process.wait(timeout=10)
    [survivor] = [w for w in workers if w is not victim]
    assert 1 <= len(found["claims"]) <= BATCH  # a handful, not a batch of fifty

    everyone = 1 + BACKLOG  # the visit's notice, then the backlog
    assert wait_for(lambda: len(fake_wechat.sent(UNIT_OPENID)) >= everyone, timeout=DRAIN_AFTER_KILL + 5)
    drained = time.monotonic() - killed_at
    assert drained <= DRAIN_AFTER_KILL, drained  # seconds after the lease, not minutes
    with db.session() as session:
        assert set(session.scalars(select(OutboxMessage.state).where(NOTICES))) == {"sent"}
    arrived = fake_wechat.sent(UNIT_OPENID)
    assert len(arrived) == everyone  # none lost, none twice (a resend of the one in flight is dropped by its id)
    assert len({m["body"]["client_msg_id"] for m in arrived}) == everyone
    assert fake_wechat.stats().get("template_deduplicated", 0) <= 1

    # /healthz through nginx: 503 while the dead worker is gone, and it says which one
    assert wait_for(lambda: health(http, base)[0] == 503, timeout=GONE_AFTER.total_seconds() + 15)
    status, body = health(http, base)
    assert status == 503 and body["status"] == "degraded" and body["workers"]["ok"] is False, body
    assert body["workers"]["gone"] == 1 and body["workers"]["alive"] == 1, json.dumps(body["workers"]["list"])
    [dead] = [w for w in body["workers"]["list"] if w["pid"] == victim.process.pid]
    assert dead["state"] == "gone" and dead["age_seconds"] >= GONE_AFTER.total_seconds(), dead
    assert str(victim.process.pid) in body["workers"]["message"] or dead["id"] in body["workers"]["message"]
    assert body["outbox"]["ok"] is True and body["outbox"]["due"] == 0, body  # the backlog itself is gone
    return victim, survivor, drained


def test_the_kit_serves_a_visit_and_its_notice_through_nginx(
    pg_database: Database, clock: SettableClock, fake_wechat: RunningFakeWeChat, tmp_path: Path
) -> None:
    if not REDIS_URL:
        _unavailable("DUDAO_TEST_REDIS_URL (Redis)")
    _truncate_pg(pg_database)
    flush_redis()
    db = Database(pg_database.url, clock=clock)
    seed(db)
    with db.session() as session:
        code = binding.issue_code(
            session, role=Role.INSPECTOR, key="DX001", pepper=E2E_SECRET_KEY, actor="office:test"
        ).code
    instance = tmp_path / "instance"
    instance.mkdir()
    aes_key = new_aes_key()
    settings = {  # what /etc/dudao/dudao.env holds (deploy/dudao.env.example)
        "DUDAO_DATABASE_URL": pg_database.url,
        "DUDAO_REDIS_URL": REDIS_URL or "",
        "DUDAO_SECRET_KEY": E2E_SECRET_KEY,
        "DUDAO_INSTANCE_DIR": str(instance),
        "DUDAO_PROXY_HOPS": "1",
        "DUDAO_WECHAT_APPID": fake_wechat.appid,
        "DUDAO_WECHAT_SECRET": fake_wechat.secret,
        "DUDAO_WECHAT_TOKEN": TOKEN,
        "DUDAO_WECHAT_AES_KEY": aes_key,
        "DUDAO_WECHAT_API_BASE": fake_wechat.base_url,
        **TEMPLATES,
    }
    metrics_dir = tmp_path / "dudao-metrics"  # /run/dudao-metrics (deploy/systemd/dudao-tmpfiles.conf)
    metrics_dir.mkdir()
    settings.update(DUDAO_WORKERS_EXPECTED="2", PROMETHEUS_MULTIPROC_DIR=str(metrics_dir))
    env = service_env(instance, settings)
    workers = [start_worker(instance, env), start_worker(instance, env)]
    try:
        with (
            running_gunicorn(instance, env) as (upstream, gunicorn),
            running_nginx(tmp_path / "nginx", upstream.removeprefix("http://")) as nginx,
        ):
            http = nginx.session()

            # /office redirects keep nginx's host and port (a relative Location), and land on the sign-in page
            bare = http.get(f"{nginx.url}/office", allow_redirects=False, timeout=10)
            assert bare.status_code == 308 and bare.headers["Location"] == "/office/"
            landed = http.get(f"{nginx.url}/office", timeout=10)
            assert landed.status_code == 200 and landed.url.startswith(f"{nginx.url}/office/login")

            # the board form's photos pass nginx's body limit (the app answers, not nginx's 413)
            photos = {"photos": ("board.jpg", b"\xff\xd8\xff" + b"\0" * (6 * 1024 * 1024), "image/jpeg")}
            big = http.post(f"{nginx.url}/b/{SCHOOL_CODE}", data={"content": "x"}, files=photos, timeout=30)
            assert big.status_code != 413 and "nginx" not in big.text

            # WeChat's handshake with the openid in the query string: answered by the app, never logged
            refused = http.get(
                f"{nginx.url}/wechat",
                params={"signature": "0" * 40, "timestamp": "1", "nonce": "2", "echostr": "3", "openid": UNIT_OPENID},
                timeout=10,
            )
            assert refused.status_code == 403

            # the inspector binds and logs a visit with a photo, over the encrypted webhook, through nginx
            sender = WeChatPusher(
                f"{nginx.url}/wechat", token=TOKEN, appid=fake_wechat.appid, aes_key=aes_key, clock=clock, http=http
            )

            def say(text: str) -> str:
                answer = sender.send(sender.text(INSPECTOR_OPENID, text))
                assert answer.status == 200, answer
                return answer.content

            assert "王建国" in say(f"绑定 {code}")
            media_id = fake_wechat.seed_media(b"\xff\xd8\xff\xe0 a photo of the canteen", "image/jpeg", "a.jpg")
            assert sender.send(sender.image(INSPECTOR_OPENID, media_id=media_id)).status == 200
            summary = say(VISIT)
            assert "已记录" in summary and "城关镇第二小学" in summary and "确认整改" in summary
            assert "已发出整改通知" in say("确认整改")
            with db.session() as session:
                assert session.scalars(select(Rectification.state)).one() == RectificationState.ISSUED

            # a worker sends the notice to the unit's contact, once; a worker fetches the photo from WeChat
            assert wait_for(lambda: len(fake_wechat.sent(UNIT_OPENID)) == 1, timeout=20), fake_wechat.stats()
            [notice] = fake_wechat.sent(UNIT_OPENID)
            assert notice["type"] == "template"

            def photo_kept() -> bool:
                with db.session() as session:
                    return bool(session.scalars(select(Media.path).where(Media.path != "")).all())

            assert wait_for(photo_kept, timeout=20)
            assert len(fake_wechat.sent(UNIT_OPENID)) == 1  # the second worker did not send it again

            # /metrics: refused through nginx (it says the request was relayed), served to a loopback scrape
            assert http.get(f"{nginx.url}/metrics", timeout=10).status_code == 404
            scraped = requests.get(f"{upstream}/metrics", timeout=10)
            assert scraped.status_code == 200
            families = {f.name for f in text_string_to_metric_families(scraped.text)}
            assert {"dudao_webhook_requests", "dudao_outbox_sends", "dudao_workers_alive"} <= families
            assert list(metrics_dir.glob("*.db"))  # the processes count in the shared directory

            killed, survivor, kill_to_drained = kill_a_worker_mid_send(db, fake_wechat, http, nginx.url, workers)
            # a worker started later on the same host replaces the dead one: healthy again
            workers.append(start_worker(instance, env))
            assert wait_for(lambda: health(http, nginx.url)[0] == 200, timeout=30), health(http, nginx.url)
    finally:
        for worker in workers:
            worker.stop()
        db.dispose()

    print(f"the killed worker's claims: every notice sent {kill_to_drained:.1f} s after the kill")
    assert re.search(
        rf"WARNING [\w.]+: outbox: reclaimed \d+ message\(s\) whose lease ran out "
        rf"\(held by [^)]*:{killed.process.pid}\)",
        survivor.text,
    ), survivor.text
    assert "reclaimed" not in killed.text

    # --- the logs ---
    access = nginx.access_log.read_text()
    wechat_lines = [line for line in access.splitlines() if "/wechat" in line]
    assert len(wechat_lines) >= 5
    assert all('"POST /wechat HTTP/1.1"' in line or '"GET /wechat HTTP/1.1"' in line for line in wechat_lines)
    assert "?" not in access and "signature" not in access and "openid" not in access

    web = gunicorn.text
    assert re.search(r"INFO dudao\.request: POST /wechat 200 [\d.]+ ms", web), web
    assert re.search(r"INFO dudao\.request: GET /wechat 403 [\d.]+ ms", web), web
    assert re.search(r"INFO dudao\.request: GET /office 308 [\d.]+ ms", web), web
    assert re.search(r"INFO gunicorn\.error: Booting worker", web), web  # gunicorn's own lines, same format
    assert "gunicorn.access" not in web  # one line per request: the app's
    assert unstructured(gunicorn) == []
    pushes = "".join(w.text for w in workers)
    assert re.search(r"INFO dudao\.push: push \d+ template rectification_issued sent attempt 1", pushes), pushes
    for worker in workers:
        assert unstructured(worker) == [], worker.text

    everything = access + nginx.error_log.read_text() + web + pushes
    secrets_of_people = [INSPECTOR_OPENID, UNIT_OPENID, OFFICE_OPENID, INSPECTOR_PHONE, code, VISIT, "晨检记录"]
    leaked = [secret for secret in secrets_of_people if secret in everything]
    assert leaked == [], f"in the logs: {leaked}"


def test_redirects_keep_the_port_even_behind_a_proxy_that_drops_it(tmp_path: Path) -> None:
    """The issue's nginx (`proxy_set_header Host $host`, X-Forwarded-Host without the port): werkzeug's own
    redirect (`/office` -> `/office/`) used to leave for port 443; it is a path now, whatever the proxy says."""
    instance = tmp_path / "instance"
    settings = {"DUDAO_SECRET_KEY": E2E_SECRET_KEY, "DUDAO_PROXY_HOPS": "1", "DUDAO_INSTANCE_DIR": str(instance)}
    migrated = dudao(["db", "upgrade"], instance, env=settings)
    assert migrated.returncode == 0, migrated.stderr
    drop_the_port = {
        "proxy_set_header Host $http_host;": "proxy_set_header Host $host;",
        "proxy_set_header X-Forwarded-Host $http_host;": "proxy_set_header X-Forwarded-Host $host;",
    }
    with (
        running_gunicorn(instance, service_env(instance, settings), workers=1) as (upstream, _),
        running_nginx(tmp_path / "nginx", upstream.removeprefix("http://"), changes=drop_the_port) as nginx,
    ):
        http = nginx.session()
        for path, target in (("/office", "/office/"), ("/office/", "/office/login?next=/office/")):
            answer = http.get(nginx.url + path, allow_redirects=False, timeout=10)
            assert answer.status_code in (302, 308) and answer.headers["Location"] == target
        landed = http.get(f"{nginx.url}/office", timeout=10)
        assert landed.status_code == 200 and landed.url.startswith(f"{nginx.url}/office/login")


def test_the_systemd_units_are_valid_and_run_the_kit(tmp_path: Path) -> None:
    """`systemd-analyze verify` accepts both units (their binaries pointed at this venv's); each runs as `dudao`
    from /etc/dudao/dudao.env, restarts, and has a stop timeout longer than gunicorn's graceful one."""
    analyze = shutil.which("systemd-analyze")
    units = sorted((KIT / "systemd").glob("*.service"))
    assert [u.name for u in units] == ["dudao-web.service", "dudao-worker@.service"]
    for unit in units:
        text = unit.read_text()
        for line in ("User=dudao", "EnvironmentFile=/etc/dudao/dudao.env", "Restart=always", "TimeoutStopSec="):
            assert line in text, (unit.name, line)
        assert "/opt/dudao/venv/bin/" in text
        (tmp_path / unit.name.replace("@.", "@1.")).write_text(
            text.replace("/opt/dudao/venv/bin/", str(Path(sys.executable).parent) + "/")
        )
    assert "-c /etc/dudao/gunicorn.conf.py backend.wsgi:app" in units[0].read_text()
    # what /healthz and /metrics need: the workers expected, one counter directory for every process, emptied at
    # boot by the kit's tmpfiles rule and writable under ProtectSystem=strict
    example = (KIT / "dudao.env.example").read_text()
    assert "\nDUDAO_WORKERS_EXPECTED=2\n" in example and "\nPROMETHEUS_MULTIPROC_DIR=/run/dudao-metrics\n" in example
    assert "D /run/dudao-metrics 0750 dudao dudao -" in (KIT / "systemd" / "dudao-tmpfiles.conf").read_text()
    for unit in units:
        text = unit.read_text()
        assert "Environment=DUDAO_WORKERS_EXPECTED=2 PROMETHEUS_MULTIPROC_DIR=/run/dudao-metrics" in text
        assert "ReadWritePaths=/var/lib/dudao /run/dudao-metrics" in text
    assert "def child_exit(server, worker):" in GUNICORN_CONF.read_text()  # mark_process_dead
    if analyze is None:
        pytest.skip("systemd-analyze is not installed: the units' text was checked only")
    checked = subprocess.run(
        [analyze, "verify", *[str(p) for p in sorted(tmp_path.glob("*.service"))]],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_port_80_site_is_valid_nginx_and_carries_no_query_over(tmp_path: Path) -> None:
    binary = nginx_binary()
    site = (KIT / "nginx" / "dudao-http.conf").read_text()
    for old in ("listen 80;", "listen [::]:80;", "/var/log/nginx/dudao/access.log"):
        assert old in site
    site = site.replace("listen 80;", "listen 127.0.0.1:1;").replace("listen [::]:80;", "")
    site = site.replace("/var/log/nginx/dudao/access.log", str(tmp_path / "access.log"))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n include {KIT}/nginx/dudao-log-format.conf;\n"
        f" include {tmp_path}/site.conf;\n}}\n"
    )
    checked = subprocess.run(
        [binary, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert "return 301 https://$host$uri;" in site


def test_dudao_serve_logs_the_same_request_line_without_the_query(tmp_path: Path) -> None:
    """The embedded default writes the app's request line too, not werkzeug's (which keeps the query string)."""
    instance = tmp_path / "instance"
    settings = {"DUDAO_INSTANCE_DIR": str(instance)}
    assert dudao(["db", "upgrade"], instance, env=settings).returncode == 0
    with run_dudao_server(["serve", "--no-worker"], instance, env=settings) as server:
        answer = requests.get(f"{server.url}/wechat", params={"openid": UNIT_OPENID, "signature": "0"}, timeout=10)
        assert answer.status_code == 403
        assert wait_for(lambda: "GET /wechat 403" in server.text)
    assert re.search(r"INFO dudao\.request: GET /wechat 403 [\d.]+ ms", server.text), server.text
    assert UNIT_OPENID not in server.text and "signature" not in server.text
