"""The terminal chat: a script piped into the chat core, against a real server and the fake WeChat API.

In process: the webhook on loopback (SQLite + memory, and PostgreSQL + Redis), in safe mode, with the fake WeChat
API beside it and the outbox sender pointed at it. As a subprocess: `dudao demo` and `dudao chat`, exactly as a
new user would run them.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.domain.kinds import Role
from backend.jobs.outbox_sender import send_outbox
from backend.services import binding, outbox
from backend.services.identity import Who
from bot.fake_wechat import RunningFakeWeChat
from bot.handlers import inspector
from bot.simulator.chat import ChatRepl
from bot.simulator.core import Simulator
from bot.simulator.demo import DEMO_FILE
from messages import t
from tests.e2e.conftest import dudao_env, dudao_executable, run_dudao_server
from tests.e2e.webhook_support import SECRET_KEY, Webhook, seed_school

pytestmark = pytest.mark.e2e
pytest_plugins = ["tests.fake_wechat_fixture"]


def chat(hook: Webhook, fake: RunningFakeWeChat, openid: str) -> tuple[ChatRepl, list[str]]:
    said: list[str] = []
    sim = Simulator(hook.sender_with(), fake)
    return ChatRepl(sim, openid, out=said.append), said


def test_a_script_binds_an_inspector_who_then_writes_and_a_parent_scans_their_board(
    hook: Webhook, fake_wechat: RunningFakeWeChat
) -> None:
    school = seed_school(hook.runtime.db)
    with hook.runtime.db.session() as session:
        code = binding.issue_code(
            session, role=Role.INSPECTOR, key=school.inspector_number, pepper=SECRET_KEY, actor="office:test"
        ).code
    repl, said = chat(hook, fake_wechat, "o-inspector-1")
    repl.run([f"绑定 {code}", "帮助", "/as o-parent-01", f"/scan {school.code}", f"/scan {school.code}", "/quit", "x"])
    transcript = "\n".join(said)
    assert t("sim.chat.reply", text=t("bot.bind.bound.inspector", name=school.inspector_name)) in said
    assert (
        # the help's examples name the inspector's own school (issue 11)
        t(
            "sim.chat.reply",
            text=inspector.help_text(Who("o-inspector-1", Role.INSPECTOR.value, school.inspector_name), school.name),
        )
        in said
    )
    card = t("bot.scan.school", school=school.name, inspector=school.inspector_name, phone=school.inspector_phone)
    card += "\n\n" + t("privacy.bot.notice", url=f"{hook.runtime.config.public_url.rstrip('/')}/privacy")
    assert said.count(t("sim.chat.reply", text=card)) == 2  # the first scan follows, the second is a SCAN
    assert said[-1] == t("sim.chat.bye")  # the line after /quit was never sent
    assert "x" not in transcript.splitlines()
    # the fake WeChat saw what the users did: the inspector wrote (48 h window), the parent scanned (1 min window)
    users = fake_wechat.state.users
    assert users["o-inspector-1"].last_message_at is not None
    assert users["o-parent-01"].last_event_at is not None and users["o-parent-01"].following


def test_pushes_reach_the_chat_between_two_lines(hook: Webhook, fake_wechat: RunningFakeWeChat) -> None:
    """A customer-service message sent by the outbox worker shows up before the next line is handled."""
    runtime = hook.runtime
    runtime.config = fake_wechat.configure(runtime.config)
    repl, said = chat(hook, fake_wechat, "o-teacher-01")

    def script() -> Iterator[str]:
        yield "你好"  # opens the 48 h window at the fake, as WeChat would before relaying the message
        with runtime.db.session() as session:
            outbox.enqueue(
                session,
                openid="o-teacher-01",
                kind="text",
                payload={"content": "督导室：明天上午开会。"},
                dedupe_key="p1",
            )
        report = send_outbox(runtime)
        assert report is not None and report.sent == 1, report
        yield "/pushes"

    repl.run(script())
    pushed = t("sim.chat.push", kind=t("sim.push.text"), text="督导室：明天上午开会。")
    assert said.count(pushed) == 2  # shown as new before `/pushes`, then listed by it
    assert [s["openid"] for s in fake_wechat.sent()] == ["o-teacher-01"]


def test_a_picture_is_stored_at_the_fake_before_its_media_id_is_sent(
    hook: Webhook, fake_wechat: RunningFakeWeChat, tmp_path: Path
) -> None:
    picture = tmp_path / "canteen.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    repl, said = chat(hook, fake_wechat, "o-parent-02")
    repl.run([f"/image {picture}", "/image /nowhere.png", "/voice 帮助", "/location 28.47 113.21", "/as x", "/what"])
    media = fake_wechat.state.media
    assert [m.content for m in media.values()] == [picture.read_bytes()]
    assert t("sim.chat.no_file", path="/nowhere.png") in said
    assert said.count(t("sim.chat.reply", text=t("bot.help.public"))) >= 2  # the voice "帮助" is routed as text
    assert t("sim.chat.usage.as") in said
    assert t("sim.chat.unknown_command", command="/what") in said


def test_dudao_chat_talks_to_a_running_demo(instance_dir: Path) -> None:
    """`dudao demo` writes demo.json and says how to get a code; `dudao chat` reads it and binds with that code."""
    with run_dudao_server(["demo"], instance_dir, timeout=120) as server:
        demo = json.loads((instance_dir / DEMO_FILE).read_text(encoding="utf-8"))
        assert demo["url"] == server.url and demo["aes_key"] and demo["fake_api"].startswith("http://127.0.0.1:")
        assert (instance_dir / DEMO_FILE).stat().st_mode & 0o077 == 0  # it holds the token and the key
        assert demo["fake_api"] in server.text and "dudao chat" in server.text
        command = re.search(
            rf"^获取.*?的绑定码：(cd .* bind-code inspector {demo['inspector_number']})$", server.text, re.M
        )
        assert command is not None, server.text
        assert f"DUDAO_DATABASE_URL={demo['database_url']}" in command.group(1)
        issued = subprocess.run(  # as printed, in a shell (it reads the demo's own secret key from its file)
            ["bash", "-c", command.group(1)],
            env=dudao_env(instance_dir),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        printed = re.search(r"绑定 (\d{5} \d{5})", issued.stdout)  # ten digits, read out in two groups
        assert printed is not None, issued.stdout + issued.stderr
        script = f"绑定 {printed.group(1)}\n/as o-parent-demo\n/scan {demo['school_code']}\n/quit\n"
        done = subprocess.run(
            [dudao_executable(), "chat"],
            input=script,
            cwd=instance_dir,
            env=dudao_env(instance_dir),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "绑定成功" in done.stdout and t("sim.chat.safe_mode") in done.stdout
        inspector = re.search(r"您已作为责任督学(\S+?)使用", done.stdout)
        assert inspector is not None, done.stdout
        assert "> /scan" in done.stdout and f"责任督学：{inspector.group(1)}" in done.stdout
    assert not (instance_dir / DEMO_FILE).exists()  # removed when the demo stops
