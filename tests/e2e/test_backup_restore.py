"""A backup made by the documented steps (deploy/backup.sh: pg_dump, the instance directory, the environment
file) restores (deploy/restore.sh) into a fresh PostgreSQL database and a fresh directory; a server started on
them shows every photo — visits', concerns', rectifications' and the inspectors' on the boards — byte for byte,
and a bind code issued before the backup still binds. The database restored alone is shown to lose the photos.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import requests
from PIL import Image
from sqlalchemy import select

from backend.clock import SettableClock
from backend.demo.activity import DEMO_ADMIN, ensure_demo_accounts, load_demo_activity
from backend.demo.county import load_demo_county
from backend.domain.kinds import Role
from backend.kv import MemoryKV
from backend.services import binding
from backend.services.media import keep_file
from backend.store.db import Database
from backend.store.models import Assignment, Concern, Inspector, Media, Rectification, Unit, Visit
from tests.conftest import _truncate_pg
from tests.e2e.conftest import E2E_SECRET_KEY, dudao_executable, run_dudao_server
from tests.pg_scratch import scratch_database

pytestmark = pytest.mark.e2e

KIT = Path(__file__).resolve().parents[2] / "deploy"


def picture(n: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40 + n, 30), (20 * n % 255, 90, 160)).save(out, "JPEG")
    return out.getvalue()


def add_photos(db: Database, media_dir: Path) -> list[str]:
    """Photos on some visits, concerns and rectifications, and the boards' inspector photos; the school codes
    whose board shows one."""
    with db.session() as session:
        n = 0
        for model, owner in ((Visit, "visit"), (Concern, "concern"), (Rectification, "rectification")):
            for row_id in session.scalars(select(model.id).order_by(model.id).limit(4)):
                n += 1
                keep_file(
                    session,
                    media_dir,
                    owner_type=owner,
                    owner_id=row_id,
                    kind="image",
                    content=picture(n),
                    content_type="image/jpeg",
                    strip_metadata=owner == "concern",
                )
        inspectors = session.scalars(select(Inspector).order_by(Inspector.id).limit(5)).all()
        for inspector in inspectors:
            relative = f"inspectors/{inspector.number}.jpg"
            (media_dir / "inspectors").mkdir(parents=True, exist_ok=True)
            (media_dir / relative).write_bytes(picture(inspector.id))
            inspector.photo = relative
        session.flush()
        codes = session.scalars(
            select(Unit.code)
            .join(Assignment, Assignment.unit_id == Unit.id)
            .where(Assignment.ends_on.is_(None), Assignment.inspector_id.in_([i.id for i in inspectors]))
        ).all()
    return list(codes)


def write_env(path: Path, values: dict[str, str]) -> None:
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))


def read_env(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and line[0] != "#")
    return {k: v for k, v in pairs}


def signed_in(url: str) -> requests.Session:
    http = requests.Session()
    page = http.get(f"{url}/office/login", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    answer = http.post(
        f"{url}/office/login",
        data={"username": DEMO_ADMIN.username, "password": DEMO_ADMIN.password, "csrf_token": token.group(1)},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    return http


def require_tools() -> None:
    """The backup's own tools: pg_dump / pg_restore (postgresql-client) and rsync (scripts/system-deps.sh)."""
    missing = [tool for tool in ("pg_dump", "pg_restore", "rsync", "sha256sum") if shutil.which(tool) is None]
    if missing and os.environ.get("CI") == "true":
        pytest.fail(f"not installed: {missing} (scripts/system-deps.sh installs them)", pytrace=False)
    if missing:
        pytest.skip(f"not installed: {missing} (apt-get install postgresql-client rsync)")


def test_a_backup_restores_into_a_fresh_database_and_directory_with_every_photo(
    pg_database: Database, clock: SettableClock, tmp_path: Path
) -> None:
    require_tools()
    _truncate_pg(pg_database)
    source_instance = tmp_path / "server-a" / "instance"
    source_instance.mkdir(parents=True)
    source_env = tmp_path / "server-a" / "dudao.env"
    write_env(
        source_env,
        {
            "DUDAO_DATABASE_URL": pg_database.url,
            "DUDAO_SECRET_KEY": E2E_SECRET_KEY,
            "DUDAO_INSTANCE_DIR": str(source_instance),
        },
    )
    db = Database(pg_database.url, clock=SettableClock(clock.now()))
    with db.sessions() as session:
        load_demo_county(session)
        ensure_demo_accounts(session)
        load_demo_activity(session, pepper=E2E_SECRET_KEY, media_dir=source_instance / "media")
    boards = add_photos(db, source_instance / "media")
    with db.session() as session:
        bind_code = binding.issue_code(
            session, role=Role.INSPECTOR, key="QH-DX-001", pepper=E2E_SECRET_KEY, actor="office:test"
        ).code
        photos = {m.id: m.sha256 for m in session.scalars(select(Media).where(Media.path != ""))}
    db.dispose()
    assert len(photos) == 12 and len(boards) >= 5

    # the backup, as docs/operations.md runs it
    made = subprocess.run(
        ["bash", str(KIT / "backup.sh"), str(tmp_path / "backups")],
        env={"PATH": "/usr/bin:/bin", "DUDAO_ENV_FILE": str(source_env)},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip().splitlines()[-1])
    assert {p.name for p in backup.iterdir()} == {"dudao.dump", "instance", "dudao.env", "SHA256SUMS"}

    with scratch_database("restored") as restored_url:
        # a new server: the backup's env file installed, pointing at its own (empty) database and directory
        target_instance = tmp_path / "server-b" / "instance"
        target_env = tmp_path / "server-b" / "dudao.env"
        target_env.parent.mkdir()
        settings = read_env(backup / "dudao.env")
        settings.update(DUDAO_DATABASE_URL=restored_url, DUDAO_INSTANCE_DIR=str(target_instance))
        write_env(target_env, settings)
        restored = subprocess.run(
            ["bash", str(KIT / "restore.sh"), str(backup)],
            env={"PATH": "/usr/bin:/bin", "DUDAO_ENV_FILE": str(target_env), "DUDAO_BIN": dudao_executable()},
            cwd=target_env.parent,
            capture_output=True,
            text=True,
            check=False,
            timeout=180,
        )
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "已是最新版本" in restored.stdout

        with run_dudao_server(["serve", "--no-worker"], target_instance, env=settings) as server:
            http = signed_in(server.url)
            for media_id, sha256 in photos.items():
                answer = http.get(f"{server.url}/office/media/{media_id}", timeout=10)
                assert answer.status_code == 200, media_id
                assert hashlib.sha256(answer.content).hexdigest() == sha256
            for code in boards:
                assert requests.get(f"{server.url}/b/{code}/photo", timeout=10).status_code == 200, code

        # the secret key came along: a bind code issued before the backup binds on the restored server
        restored_db = Database(restored_url, clock=clock)
        with restored_db.session() as session:
            bound = binding.bind(
                session, MemoryKV(), openid="oRestoredInspector01", code=bind_code, pepper=settings["DUDAO_SECRET_KEY"]
            )
            assert bound.outcome is binding.Bound.BOUND, bound
        restored_db.dispose()

        # what the issue saw: the database restored alone, every photo gone
        alone = tmp_path / "server-c" / "instance"
        with run_dudao_server(
            ["serve", "--no-worker"], alone, env={**settings, "DUDAO_INSTANCE_DIR": str(alone)}
        ) as server:
            http = signed_in(server.url)
            assert http.get(f"{server.url}/office/media/{next(iter(photos))}", timeout=10).status_code == 404
