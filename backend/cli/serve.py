"""`dudao serve`, `dudao worker` and `dudao demo`: the web app and the worker loop, together or apart.

One process does it all on a laptop (`serve`: a threaded WSGI server plus the worker in a daemon thread);
production runs `gunicorn 'backend.wsgi:app'` next to one or more `dudao worker`.
"""

from __future__ import annotations

import fcntl
import logging
import os
import secrets
import shlex
import shutil
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

import click
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from backend.app import build_runtime, create_app
from backend.clock import SettableClock, clock_from_offset
from backend.config import Config
from backend.demo.activity import DEMO_ADMIN, DEMO_LEADER, ensure_demo_accounts, load_demo_activity
from backend.demo.county import load_demo_county
from backend.domain.menus import TAGGED_ROLES
from backend.jobs import registered_jobs
from backend.jobs.worker import DEFAULT_TICK_SECONDS, Worker
from backend.runtime import Runtime
from backend.store.db import Database
from bot.simulator.cast import Cast, SimDesk
from bot.simulator.demo import DEMO_APPID, DEMO_FILE, DemoFile, FakeWeChatCompanion
from messages import t

log = logging.getLogger(__name__)

DEMO_DATABASE_FILE = "demo.sqlite3"
DEMO_LOCK_FILE = "demo.lock"
DEMO_SECRET_FILE = "demo-secret.key"  # noqa: S105 - a file name


class Companion(Protocol):
    """A helper service started before the app and stopped after it, e.g. the demo's fake WeChat API."""

    name: str

    def start(self) -> Mapping[str, Any]:
        """Start serving; return the config overrides the app needs to reach it (e.g. `wechat_api_base`)."""
        ...

    @property
    def url(self) -> str: ...

    def stop(self) -> None: ...


def demo_companions(config: Config) -> list[Companion]:
    """The services the demo starts alongside the app: the fake WeChat API, so that nothing reaches WeChat."""
    return [FakeWeChatCompanion()]


def _not_ready(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]


class QuietRequestHandler(WSGIRequestHandler):
    """werkzeug's handler without its `Server: Werkzeug/… Python/…` (its own error pages included)."""

    def version_string(self) -> str:
        return "dudao"

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """The app logs each request itself (`dudao.request`), without the query string werkzeug's line keeps."""


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM stops us like Ctrl+C does (only possible from the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def ensure_port_free(host: str, port: int) -> None:
    """End the command with a clear Chinese message when `host:port` cannot be bound (in use, or not ours)."""
    if not port:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds it
            probe.bind((host, port))
    except OSError as exc:
        click.echo(t("demo_run.port_taken", host=host, port=port, error=exc.strerror or exc), err=True)
        sys.exit(1)


def listen(host: str, port: int) -> BaseWSGIServer:
    """The server's socket, bound now (it answers 503 until the app is in)."""
    ensure_port_free(host, port)
    return make_server(host, port, _not_ready, threaded=True, request_handler=QuietRequestHandler)


def run_server(
    config: Config,
    host: str,
    port: int,
    *,
    with_worker: bool = True,
    companions: Sequence[Companion] = (),
    ready: Callable[[str], None] | None = None,
    server: BaseWSGIServer | None = None,
) -> None:
    """Serve `create_app` until Ctrl+C or SIGTERM, with the worker loop in a thread and companions around it.

    The socket is bound first (or given, bound by `listen`), so that port 0 works and the app's config knows its
    own URL in the demo.
    """
    started: list[Companion] = []
    runtime: Runtime | None = None
    worker: Worker | None = None
    thread: threading.Thread | None = None
    try:
        server = server or listen(host, port)
        overrides: dict[str, Any] = {}
        for companion in companions:
            overrides.update(companion.start())
            started.append(companion)
            click.echo(t("cli.demo.companion", name=companion.name, url=companion.url))
        url = f"http://{host}:{server.server_port}"
        if config.demo:
            overrides["public_url"] = url
        config = config.with_(**overrides, run_worker=with_worker)
        runtime = build_runtime(config)
        server.app = create_app(runtime=runtime)
        if with_worker:
            worker = Worker(runtime, registered_jobs(), kind="serve")
            if config.demo:
                _push_menus_now(worker)
            thread = worker.start_thread()
        click.echo(t("cli.serve.listening", url=url))
        if with_worker:
            click.echo(t("cli.serve.worker_thread"))
        if ready:
            ready(url)
        with _sigterm_interrupts():
            server.serve_forever()  # returns on KeyboardInterrupt (Ctrl+C, or SIGTERM above)
    finally:
        if worker is not None and thread is not None:
            worker.stop()
            thread.join(timeout=30)
        if server is not None:
            server.server_close()
        if runtime is not None:
            runtime.close()
        for companion in reversed(started):
            companion.stop()
        click.echo(t("cli.serve.stopped"))


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on (0: any free port).")
@click.option("--no-worker", is_flag=True, help="Do not run the worker loop in this process.")
@click.pass_obj
def serve(config: Config, host: str, port: int, no_worker: bool) -> None:
    """Serve the web app and the WeChat webhook, with the worker loop in a thread (the embedded default)."""
    if config.unsafe_secret:
        click.echo(t("cli.serve.unsafe_secret"), err=True)
        sys.exit(2)
    run_server(config, host, port, with_worker=not no_worker)


@click.command()
@click.option("--once", is_flag=True, help="Run every job once and exit (non-zero if one failed).")
@click.option(
    "--interval",
    default=DEFAULT_TICK_SECONDS,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds between two looks at which jobs are due.",
)
@click.pass_obj
def worker(config: Config, once: bool, interval: float) -> None:
    """Run the periodic jobs (deadline sweep, outbox) until Ctrl+C or SIGTERM; each job at its own interval."""
    runtime = build_runtime(config)
    loop = Worker(runtime, registered_jobs(), tick_seconds=interval)
    try:
        if once:
            outcome = loop.run_all_once()
            failed = sum(not ok for ok in outcome.values())
            click.echo(t("cli.worker.ran_once", ok=len(outcome) - failed, failed=failed))
            if failed:
                sys.exit(1)
            return
        _run_until_signalled(loop, interval)
    finally:
        runtime.close()


def _run_until_signalled(loop: Worker, interval: float) -> None:
    """Ctrl+C and SIGTERM let the job in progress finish, then stop the loop."""

    def stop(signum: int, frame: FrameType | None) -> None:
        loop.stop()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        # logged, not echoed: every line a worker writes carries its time, level and logger
        log.info(t("cli.worker.started", interval=f"{interval:g}"))
        loop.run_forever()
        log.info(t("cli.worker.stopped"))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _push_menus_now(worker: Worker) -> None:
    """The demo's menus before its first page is served (the worker keeps them afterwards)."""
    from backend.jobs import menus

    menu_job = next(job for job in worker.jobs if job.name == menus.JOB.name)
    if worker.run_job(menu_job):
        click.echo(t("menu.demo.pushed", roles=len(TAGGED_ROLES)))


def demo_config(config: Config) -> Config:
    """The demo's own SQLite file under the instance folder and the embedded store: never a real county's data."""
    path = config.instance_dir / DEMO_DATABASE_FILE
    return config.with_(database_url=f"sqlite:///{path}", redis_url=None, demo=True)


def prepare_demo(config: Config) -> None:
    """Create or upgrade the demo database and load the demo county, its office accounts and its last three
    months of activity (again: nothing changes)."""
    click.echo(t("cli.demo.loading"))
    click.echo(t("cli.demo.database", path=config.instance_dir / DEMO_DATABASE_FILE))
    # the history is played by moving this clock through the last three months, then back to now
    database = Database.for_config(config, SettableClock(clock_from_offset(config.clock_offset).now()))
    try:
        database.upgrade()
        with database.sessions() as session:
            loaded = load_demo_county(session)
            accounts = ensure_demo_accounts(session)
            activity = load_demo_activity(session, pepper=config.secret_key, media_dir=config.media_dir)
    finally:
        database.dispose()
    click.echo(t("cli.demo.loaded", zones=loaded.zones, schools=loaded.schools, inspectors=loaded.inspectors))
    if accounts:
        click.echo(t("cli.demo.accounts_created", count=accounts))
    if activity.loaded:
        click.echo(
            t(
                "cli.demo.activity",
                visits=activity.visits,
                concerns=activity.concerns,
                rectifications=activity.rectifications,
                escalations=activity.escalations,
                pushes=activity.pushes_marked_sent,
            )
        )
    else:
        click.echo(t("cli.demo.activity_kept"))


def demo_cast(config: Config) -> Cast | None:
    """One demo inspector and one of their schools, for the user to bind to and to scan first."""
    database = Database.for_config(config)
    try:
        return SimDesk(database, config.secret_key).cast()
    finally:
        database.dispose()


def announce_demo(config: Config, url: str, fake: Companion | None, cast: Cast | None) -> None:
    """Print how to try the demo, and write `instance/demo.json` for `dudao chat`.

    Bind codes are not issued here: a code is a change of state (and an audit event), and starting the demo
    again must change nothing; the commands that print one are shown instead.
    """
    click.echo(t("cli.demo.ready", url=url))
    click.echo(
        t(
            "cli.demo.office",
            url=url,
            admin=DEMO_ADMIN.username,
            admin_password=DEMO_ADMIN.password,
            zone=DEMO_LEADER.zone_name,
            leader=DEMO_LEADER.username,
            leader_password=DEMO_LEADER.password,
        )
    )
    database = config.instance_dir / DEMO_DATABASE_FILE
    if isinstance(fake, FakeWeChatCompanion):
        click.echo(t("sim.demo.fake_api", url=fake.url))
        demo_file = DemoFile(
            url=url,
            fake_api=fake.url,
            appid=DEMO_APPID,
            token=fake.token,
            aes_key=fake.aes_key,
            database_url=f"sqlite:///{database}",
            inspector_number=cast.inspector_number if cast else "",
            school_code=cast.school_code if cast else "",
        )
        demo_file.write(config.instance_dir)
    if cast is None:
        click.echo(t("sim.demo.no_bind_code"))
    else:
        inspector = f"{t('bot.role.inspector')} {cast.inspector_name}"
        school = f"{t('bot.role.unit')} {cast.school_name}"
        click.echo(
            t(
                "sim.demo.bind_code",
                who=inspector,
                command=shell_command(config, "bind-code", "inspector", cast.inspector_number),
            )
        )
        click.echo(
            t("sim.demo.bind_code", who=school, command=shell_command(config, "bind-code", "unit", cast.school_code))
        )
        click.echo(t("sim.demo.try_school", code=cast.school_code, name=cast.school_name))
    click.echo(t("sim.demo.try", url=url, path=config.instance_dir / DEMO_FILE))
    click.echo(t("demo_run.chat", command=shell_command(config, "chat")))
    click.echo(t("cli.demo.stop"))


def dudao_command() -> str:
    """This `dudao`, by its absolute path: a new terminal has no virtualenv activated."""
    argv0 = Path(sys.argv[0])
    if argv0.name == "dudao" and argv0.exists():
        return str(argv0.resolve())
    beside = Path(sys.executable).parent / "dudao"
    return str(beside) if beside.exists() else shutil.which("dudao") or "dudao"


def shell_command(config: Config, *args: str) -> str:
    """A `dudao` command line that works as printed in a new terminal: the same folder, the demo's instance folder,
    database and secret key (read from its file, never printed), and this `dudao` by its absolute path."""
    secret = shlex.quote(str(config.instance_dir / DEMO_SECRET_FILE))
    env = {
        "DUDAO_INSTANCE_DIR": shlex.quote(str(config.instance_dir)),
        "DUDAO_DATABASE_URL": shlex.quote(config.database_url),
    }
    words = [f"{name}={value}" for name, value in env.items()] + [f'DUDAO_SECRET_KEY="$(cat {secret})"']
    command = " ".join([*words, shlex.quote(dudao_command()), *(shlex.quote(a) for a in args)])
    return f"cd {shlex.quote(str(Path.cwd()))} && {command}"


def demo_secret(instance_dir: Path) -> str:
    """The demo's own secret key (sessions, bind codes), made once and kept in the instance folder (0600): the
    demo never depends on, nor prints, a secret of the shell it was started from."""
    path = instance_dir / DEMO_SECRET_FILE
    try:
        kept = path.read_text(encoding="utf-8").strip()
        if len(kept) >= 32:
            return kept
    except FileNotFoundError:
        pass
    secret = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secret + "\n")
    return secret


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on (0: any free port).")
@click.pass_obj
def demo(config: Config, host: str, port: int) -> None:
    """Run the demo county on this machine: its own SQLite database under instance/, the server and the worker.

    The fake WeChat API runs beside it (safe mode, fresh token and key); /sim shows three simulated phones and
    `dudao chat` talks to it from a terminal (it reads instance/demo.json).
    """
    config = demo_config(config)
    with demo_lock(config.instance_dir):  # a second demo on this folder stops here, having touched nothing
        config = config.with_(secret_key=demo_secret(config.instance_dir))
        ensure_port_free(host, port)  # a port in use stops here too, before the database or demo.json is written
        prepare_demo(config)
        cast = demo_cast(config)
        companions = demo_companions(config)
        fake = next((c for c in companions if isinstance(c, FakeWeChatCompanion)), None)
        announced = False

        def ready(url: str) -> None:
            nonlocal announced
            announce_demo(config, url, fake, cast)
            announced = True

        try:
            run_server(config, host, port, companions=companions, ready=ready)
        finally:
            if announced:  # only the demo.json this run wrote
                DemoFile.remove(config.instance_dir)


@contextmanager
def demo_lock(instance_dir: Path) -> Iterator[None]:
    """One demo per instance folder: an exclusive lock on `demo.lock`, held while this demo runs (released by the
    system if the process dies). Another demo started on the folder says where the running one is and exits."""
    instance_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(instance_dir / DEMO_LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            running = DemoFile.read(instance_dir)
            click.echo(
                t("demo_run.already_running", folder=instance_dir, url=running.url if running else "?"), err=True
            )
            sys.exit(1)
        yield
    finally:
        os.close(fd)  # releases the lock


COMMANDS: list[click.Command] = [serve, worker, demo]
