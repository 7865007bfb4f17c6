"""Benchmark: the full webhook under gunicorn against its peer, a bare wechatpy echo app under the same settings.

Full path: safe-mode decryption and signature check, replay window, dedupe (Redis), routing, one transaction on
PostgreSQL (the user's identity and the delivery record), an encrypted passive reply. Peer: a bare WSGI app that
decrypts with wechatpy's `WeChatCrypto`, parses with `parse_message`, encrypts a text reply, nothing else.

Load: Python clients in separate processes, each connection keeping its HTTP connection open, sending pre-built,
distinct signed and encrypted messages (distinct MsgIds, so dedupe never short-circuits). First the peak (closed
loop, as fast as answers come), then latency at half of that peak, paced (open loop: latency counts from the
moment a request was due, so a stall is not hidden; the connections take turns through each interval rather than
sending in bursts). Users: 500, each connection's turn on a different one. Loopback only, about a minute and a half
in all. BENCH_SHOW_STDERR=1 shows the servers' logs.

    .venv/bin/python bench/webhook.py [--database-url URL] [--redis-url URL] [--seconds 8]

The database named in --database-url is DROPPED and created again.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import multiprocessing as mp
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgresql://postgres@127.0.0.1/bench_webhook"
DEFAULT_REDIS = "redis://127.0.0.1:6379/6"
TOKEN = "bench-token"
APPID = "wxbench000000001"
AES_KEY = base64.b64encode(b"b" * 32).decode().rstrip("=")
# sync workers: one request per process at a time. With gthread (8 threads) the full path measured 119 msg/s and
# p50 112 ms at half load: its ~10 network round trips per message each wait for the GIL behind the other threads.
GUNICORN = ["--workers", "4", "--worker-class", "sync", "--backlog", "2048"]
CLIENT_PROCESSES = 4
CONNECTIONS_PER_PROCESS = 4
USERS = 500  # distinct openids, as many parents writing at once
TARGET_RATIO, TARGET_P99 = 0.5, 0.100


# --- the peer: a bare wechatpy echo app ------------------------------------------------------------------------


def echo_app() -> Callable[..., Iterable[bytes]]:
    """WSGI: decrypt (wechatpy), parse, encrypt a text reply. Built by gunicorn: `webhook:echo_app()`."""
    from urllib.parse import parse_qs

    from wechatpy import create_reply, parse_message
    from wechatpy.crypto import WeChatCrypto

    crypto = WeChatCrypto(os.environ["BENCH_TOKEN"], os.environ["BENCH_AES_KEY"], os.environ["BENCH_APPID"])

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        try:
            xml = crypto.decrypt_message(body, query["msg_signature"], query["timestamp"], query["nonce"])
        except Exception:
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [b"forbidden"]
        message = parse_message(xml)
        reply = create_reply("echo", message).render()
        out = crypto.encrypt_message(reply, query["nonce"], query["timestamp"]).encode()
        start_response("200 OK", [("Content-Type", "application/xml"), ("Content-Length", str(len(out)))])
        return [out]

    return app


# --- servers -----------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(app: str, env: dict[str, str], extra: list[str] | None = None) -> Iterator[str]:
    """`app` under gunicorn on a free loopback port, with the shared settings; yields its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", *GUNICORN, *(extra or []), "--bind", f"127.0.0.1:{port}", app]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        stderr=None if os.environ.get("BENCH_SHOW_STDERR") else subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"gunicorn {app} did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def recreate_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin_url = target.set(database="postgres", drivername="postgresql+psycopg")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    from backend.store.db import Database

    db = Database(url)
    db.upgrade()
    db.dispose()


# --- the load ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    url: str  # the /wechat URL
    msg_base: int  # first MsgId of this connection: every message of the run is distinct
    count: int  # messages to pre-build
    duration: float
    rate: float | None  # per connection; None: as fast as answers come
    phase: float = 0.0  # where in its interval this connection sends (0-1): connections take turns, not bursts


def build(job: Job) -> list[tuple[str, bytes]]:
    from bot.fake_wechat.pusher import WeChatPusher

    sender = WeChatPusher(job.url, token=TOKEN, appid=APPID, aes_key=AES_KEY)
    path = urlsplit(job.url).path
    built = []
    for i in range(job.count):
        msg_id = job.msg_base + i
        # connections start 1e6 MsgIds apart: offset each one's users, or every connection would write as the same
        # user at the same moment (16 messages of one person at once, serialised on that person's row)
        user = (i + job.msg_base // 10**6) % USERS
        push = sender.text(f"o-bench-{user:05d}", "你好，请问怎么反映问题？", msg_id=msg_id)
        built.append((f"{path}?{urlencode(push.params)}", push.body))
    return built


def run_connection(job: Job, start_at: float) -> tuple[int, int, list[float]]:
    """Send until `duration` is over: (answered 200, failed, latencies in seconds)."""
    pushes = build(job)
    host = urlsplit(job.url)
    conn = http.client.HTTPConnection(host.hostname or "127.0.0.1", host.port, timeout=10)
    headers = {"Content-Type": "text/xml"}
    ok = failed = 0
    latencies: list[float] = []
    while time.monotonic() < start_at:
        time.sleep(0.001)
    begun = time.perf_counter()
    interval = 1.0 / job.rate if job.rate else 0.0
    for i, (target, body) in enumerate(pushes):
        due = begun + (i + job.phase) * interval
        now = time.perf_counter()
        if now - begun >= job.duration:
            break
        if interval and due > now:
            time.sleep(due - now)
        sent = due if interval else time.perf_counter()
        try:
            conn.request("POST", target, body, headers)
            response = conn.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException):
            failed += 1
            conn.close()
            conn = http.client.HTTPConnection(host.hostname or "127.0.0.1", host.port, timeout=10)
            continue
        latencies.append(time.perf_counter() - sent)
        if response.status == 200 and answer.startswith(b"<xml>"):
            ok += 1
        else:
            failed += 1
    else:
        print(f"  (a connection ran out of pre-built messages after {len(pushes)})", file=sys.stderr)
    conn.close()
    return ok, failed, latencies


def _process(jobs: list[Job], start_at: float, out: Any) -> None:
    import threading

    results: list[tuple[int, int, list[float]]] = []
    threads = [threading.Thread(target=lambda j=j: results.append(run_connection(j, start_at))) for j in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put(results)


@dataclass(frozen=True)
class Measured:
    rps: float
    p50: float
    p99: float
    ok: int
    failed: int


# 1e6 MsgIds per connection and phase, from a random start: a run must not meet the dedupe keys (5 min in Redis)
# of the run before it
_msg_ids = iter(range(10**15 + secrets.randbelow(10**8) * 10**6, 10**17, 10**6))


def load(url: str, duration: float, total_rate: float | None) -> Measured:
    """One phase: CLIENT_PROCESSES processes x CONNECTIONS_PER_PROCESS connections."""
    connections = CLIENT_PROCESSES * CONNECTIONS_PER_PROCESS
    rate = total_rate / connections if total_rate else None
    count = int((rate or 400) * duration * 1.2) + 50
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    start_at = time.monotonic() + 2.0 + count * connections / 8000  # time to pre-build every message
    processes = []
    for p in range(CLIENT_PROCESSES):
        jobs = [
            Job(url, next(_msg_ids), count, duration, rate, phase=(c * CLIENT_PROCESSES + p) / connections)
            for c in range(CONNECTIONS_PER_PROCESS)
        ]
        process = ctx.Process(target=_process, args=(jobs, start_at, out))
        process.start()
        processes.append(process)
    results = [r for _ in processes for r in out.get(timeout=duration + 120)]
    for process in processes:
        process.join()
    latencies = sorted(lat for _, _, lats in results for lat in lats)
    ok, failed = sum(r[0] for r in results), sum(r[1] for r in results)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else float("nan")
    return Measured(ok / duration, statistics.median(latencies) if latencies else float("nan"), p99, ok, failed)


def measure(name: str, url: str, seconds: float) -> tuple[Measured, Measured]:
    load(url, 1.5, None)  # warm up: connections, pools, the first request's lazy setup
    peak = load(url, seconds, None)
    half = load(url, seconds, peak.rps / 2)
    for label, m in (("peak", peak), ("half load", half)):
        print(
            f"  {name:<28} {label:<10} {m.rps:8.0f} msg/s   p50 {m.p50 * 1000:6.1f} ms   p99 {m.p99 * 1000:6.1f} ms"
            f"   ({m.ok} answered, {m.failed} failed)"
        )
    return peak, half


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_DB, help="PostgreSQL database, dropped and recreated")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each measured phase")
    parser.add_argument("--gunicorn", help="gunicorn settings for both apps, e.g. '--workers 2 --threads 8'")
    args = parser.parse_args()
    if args.gunicorn:
        GUNICORN[:] = args.gunicorn.split()
    started = time.monotonic()
    print(f"gunicorn {' '.join(GUNICORN)} on 127.0.0.1, {os.cpu_count()} CPUs shared with the load generator")
    print(f"load: {CLIENT_PROCESSES} processes x {CONNECTIONS_PER_PROCESS} keep-alive connections, {USERS} users")
    recreate_database(args.database_url)
    env = {
        "DUDAO_DATABASE_URL": args.database_url,
        "DUDAO_REDIS_URL": args.redis_url,
        "DUDAO_SECRET_KEY": secrets.token_hex(16),
        "DUDAO_WECHAT_TOKEN": TOKEN,
        "DUDAO_WECHAT_APPID": APPID,
        "DUDAO_WECHAT_AES_KEY": AES_KEY,
        "DUDAO_INSTANCE_DIR": "/tmp/bench-webhook-instance",  # nothing is written there
        "BENCH_TOKEN": TOKEN,
        "BENCH_APPID": APPID,
        "BENCH_AES_KEY": AES_KEY,
    }
    print("peer: a bare wechatpy echo app (WeChatCrypto decrypt, parse_message, encrypted text reply), plain WSGI")
    with gunicorn("webhook:echo_app()", env, ["--pythonpath", str(ROOT / "bench")]) as base:
        echo_peak, _ = measure("peer: wechatpy echo", base + "/wechat", args.seconds)
    print("full: dudao's /wechat (safe mode, replay window, dedupe on Redis, router, PostgreSQL, encrypted reply)")
    with gunicorn("backend.wsgi:app", env) as base:
        full_peak, full_half = measure("full: dudao webhook", base + "/wechat", args.seconds)
    ratio = full_peak.rps / echo_peak.rps if echo_peak.rps else 0.0
    print(f"ratio full/peer at peak: {ratio:.2f} (target >= {TARGET_RATIO:.2f})")
    print(f"full p99 at half load: {full_half.p99 * 1000:.1f} ms (target < {TARGET_P99 * 1000:.0f} ms)")
    met = ratio >= TARGET_RATIO and full_half.p99 < TARGET_P99 and full_peak.failed == 0
    print(f"{'target met' if met else 'target NOT met'}; the run took {time.monotonic() - started:.0f} s")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
