"""The terminal chat of `dudao chat`: lines in, transcript out, over a `Simulator`.

`ChatRepl.run(lines)` reads any iterable of lines (stdin, or a script in a test) and writes through `out`;
between two lines it shows what the fake WeChat API delivered to the current user meanwhile.
"""

from __future__ import annotations

import re
import shlex
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from bot.simulator.core import Exchange, NeedsFakeApi, Simulator
from messages import t

OPENID = re.compile(r"^[A-Za-z0-9_-]{6,64}$")  # what WeChat's openids look like, and what the webhook accepts
IMAGE_TYPES = {".png": "image/png", ".gif": "image/gif", ".webp": "image/webp"}


class ChatRepl:
    """One terminal conversation: plain text is a message, `/commands` do the rest (see `sim.chat.help`)."""

    def __init__(self, sim: Simulator, openid: str, out: Callable[[str], None] = print) -> None:
        self.sim, self.openid, self._out = sim, openid, out
        self._printing = threading.Lock()  # the push poller of an interactive session prints too

    def say(self, text: str) -> None:
        with self._printing:
            self._out(text)

    def banner(self) -> None:
        mode = t("sim.chat.safe_mode" if self.sim.safe_mode else "sim.chat.plain_mode")
        self.say(t("sim.chat.banner", openid=self.openid, url=self.sim.sender.url, mode=mode))

    def run(self, lines: Iterable[str], *, echo: bool = False) -> None:
        """Handle `lines` until they end or `/quit`; `echo` repeats each line (a piped script reads as a chat)."""
        self.banner()
        for line in lines:
            self.show_new_pushes()
            if echo and line.strip():
                self.say(f"> {line.strip()}")
            if not self.handle(line):
                break
        self.show_new_pushes()

    def show_new_pushes(self) -> None:
        for push in self.sim.new_pushes(self.openid):
            self.say(t("sim.chat.push", kind=push.label, text=push.text))

    def show(self, exchange: Exchange) -> None:
        if exchange.error:
            self.say(exchange.error)
        elif exchange.reply is None:
            self.say(t("sim.chat.no_reply"))
        else:
            self.say(t("sim.chat.reply", text=exchange.reply))

    def handle(self, line: str) -> bool:
        """Act on one line; False when the user quits."""
        line = line.strip()
        if not line:
            return True
        if not line.startswith("/"):
            self.show(self.sim.say(self.openid, line))
            return True
        command, _, rest = line.partition(" ")
        rest = rest.strip()
        if command in ("/quit", "/exit"):
            self.say(t("sim.chat.bye"))
            return False
        action = self._commands().get(command)
        if action is None:
            self.say(t("sim.chat.unknown_command", command=command))
            return True
        try:
            action(rest)
        except NeedsFakeApi:
            self.say(t("sim.chat.needs_fake_api"))
        return True

    def _commands(self) -> dict[str, Callable[[str], None]]:
        return {
            "/help": lambda rest: self.say(t("sim.chat.help")),
            "/scan": self._scan,
            "/location": self._location,
            "/image": self._image,
            "/voice": self._voice,
            "/as": self._switch,
            "/pushes": self._pushes,
            "/menu": self._menu,
            "/click": self._click,
        }

    def _leaves(self) -> list[dict[str, Any]]:
        buttons = self.sim.menu(self.openid)
        if buttons is None:
            raise NeedsFakeApi
        return [sub for top in buttons for sub in (top.get("sub_button") or [top])]

    def _menu(self, rest: str) -> None:
        """The menu WeChat shows this user (by their tags), as lines: top buttons and their sub buttons."""
        buttons = self.sim.menu(self.openid)
        if not buttons:
            self.say(t("menu.sim.none"))
            return
        for top in buttons:
            subs = top.get("sub_button") or []
            self.say(f"[{top['name']}]" + ("：" + " / ".join(str(s["name"]) for s in subs) if subs else ""))

    def _click(self, rest: str) -> None:
        """`/click 待办`: press the button of that name in this user's menu."""
        found = next((b for b in self._leaves() if b.get("name") == rest), None)
        if found is None:
            self.say(t("sim.chat.usage.click"))
            return
        if found.get("type") == "view":
            self.show(self.sim.view(self.openid, str(found["url"]), str(found["name"])))
        else:
            self.show(self.sim.click(self.openid, str(found["key"]), str(found["name"])))

    def _scan(self, rest: str) -> None:
        if not rest or " " in rest:
            self.say(t("sim.chat.usage.scan"))
            return
        try:
            exchange = self.sim.scan(self.openid, rest)
        except ValueError:  # not something a QR scene can carry
            self.say(t("sim.chat.usage.scan"))
            return
        self.show(exchange)

    def _location(self, rest: str) -> None:
        try:
            lat, lon = (float(part) for part in rest.replace(",", " ").split())
        except ValueError:
            self.say(t("sim.chat.usage.location"))
            return
        self.show(self.sim.location(self.openid, lat, lon))

    def _image(self, rest: str) -> None:
        if not rest:
            self.say(t("sim.chat.usage.image"))
            return
        path = Path(shlex.split(rest)[0] if rest[0] in "'\"" else rest).expanduser()
        if not path.is_file():
            self.say(t("sim.chat.no_file", path=path))
            return
        content_type = IMAGE_TYPES.get(path.suffix.lower(), "image/jpeg")
        self.show(self.sim.image(self.openid, path.read_bytes(), content_type, path.name))

    def _voice(self, rest: str) -> None:
        if not rest:
            self.say(t("sim.chat.usage.voice"))
            return
        self.show(self.sim.voice(self.openid, rest))

    def _switch(self, rest: str) -> None:
        if not OPENID.match(rest):
            self.say(t("sim.chat.usage.as"))
            return
        self.openid = rest
        self.say(t("sim.chat.you_are", openid=rest))
        self.show_new_pushes()

    def _pushes(self, rest: str) -> None:
        pushes = self.sim.pushes(self.openid)
        if not pushes:
            self.say(t("sim.chat.no_pushes", openid=self.openid))
        for push in pushes:
            self.say(t("sim.chat.push", kind=push.label, text=push.text))
        self.sim.new_pushes(self.openid)  # listed now: not shown again as new


def poll_pushes(repl: ChatRepl, every: float = 2.0) -> threading.Event:
    """For an interactive session: show new pushes while the user is typing; set the event to stop."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            try:
                repl.show_new_pushes()
            except Exception:  # noqa: S112 - a fake API gone away must not kill the chat; the next line retries
                continue

    threading.Thread(target=loop, name="chat-pushes", daemon=True).start()
    return stop
