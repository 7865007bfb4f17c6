"""`/sim`: three simulated phones (a parent, an inspector, a school contact) side by side, in the demo only.

Every message a phone sends goes to `/sim/api/<phone>/send`, which builds WeChat's request with
`bot.fake_wechat.pusher` and posts it over real HTTP to this same server's `/wechat`, as WeChat would; the phone
shows the passive reply. Each phone shows the account's menu as the fake WeChat API would show that user (by
their tags, `/sim/api/<phone>/menu`), and a button sends the CLICK (or VIEW) event WeChat would send. Pushes
(customer-service and template messages the outbox worker sent to the fake WeChat API) join the transcript when
the page polls `/sim/api/<phone>/entries`. The inspector and school phones bind themselves on first use with a
fresh code, through the real `绑定 <code>` path.
"""

from __future__ import annotations

import base64
import binascii
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request

from backend.config import DEFAULT_API_BASE
from backend.demo.county import SEAT
from backend.domain.kinds import Role
from backend.web import runtime
from backend.web.errors import ApiError
from bot.fake_wechat import FakeWeChatControl
from bot.fake_wechat.pusher import WeChatPusher
from bot.simulator.cast import Cast, SimDesk
from bot.simulator.core import Exchange, Simulator
from messages import CATALOG, t

bp = Blueprint("sim", __name__, url_prefix="/sim", template_folder="templates", static_folder="static")
EXTENSION = "dudao.sim"
MAX_PICTURE = 5 * 1024 * 1024
PICTURE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


@dataclass(frozen=True)
class Phone:
    key: str  # parent, inspector, unit
    openid: str
    role: str  # the role it plays (and binds to)


PHONES = {
    "parent": Phone("parent", "o-sim-parent", Role.PUBLIC.value),
    "inspector": Phone("inspector", "o-sim-inspector", Role.INSPECTOR.value),
    "unit": Phone("unit", "o-sim-unit", Role.UNIT.value),
}


@dataclass
class Entry:
    id: int
    side: str  # me (sent), bot (passive reply), push (delivered later), note (an error or a status)
    text: str
    label: str = ""


@dataclass
class SimState:
    """The simulator of one app: its WeChat sender, the cast, and each phone's transcript (in memory)."""

    sim: Simulator
    desk: SimDesk
    cast: Cast | None
    transcripts: dict[str, list[Entry]] = field(default_factory=lambda: {key: [] for key in PHONES})
    lock: threading.Lock = field(default_factory=threading.Lock)
    binding: threading.Lock = field(default_factory=threading.Lock)
    next_id: int = 1

    def add(self, phone: str, side: str, text: str, label: str = "") -> Entry:
        with self.lock:
            entry = Entry(self.next_id, side, text, label)
            self.next_id += 1
            self.transcripts[phone].append(entry)
            return entry

    def record(self, phone: str, exchange: Exchange) -> list[Entry]:
        added = [self.add(phone, "me", exchange.sent)]
        if exchange.error:
            added.append(self.add(phone, "note", t("sim.page.error", error=exchange.error)))
        elif exchange.reply:
            added.append(self.add(phone, "bot", exchange.reply))
        return added

    def entries(self, phone: str, after: int = 0) -> list[Entry]:
        with self.lock:
            return [e for e in self.transcripts[phone] if e.id > after]


def _state() -> SimState:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    with _building:
        state: SimState | None = app.extensions.get(EXTENSION)
        if state is None:
            rt = runtime()
            config = rt.config
            # this same server's /wechat, reached over HTTP as WeChat reaches it
            url = request.url_root.rstrip("/") + "/wechat"
            sender = WeChatPusher(
                url, token=config.wechat_token, appid=config.wechat_appid, aes_key=config.wechat_aes_key
            )
            fake = None if config.wechat_api_base == DEFAULT_API_BASE else FakeWeChatControl(config.wechat_api_base)
            desk = SimDesk(rt.db, config.secret_key)
            state = app.extensions[EXTENSION] = SimState(Simulator(sender, fake), desk, desk.cast())
    return state


_building = threading.Lock()


def _phone(key: str) -> Phone:
    phone = PHONES.get(key)
    if phone is None:
        raise ApiError(404, "sim.api.bad_phone")
    return phone


def _who(phone: Phone, cast: Cast | None) -> str:
    if phone.role == Role.INSPECTOR.value and cast:
        return t("sim.phone.inspector.who", name=cast.inspector_name)
    if phone.role == Role.UNIT.value and cast:
        return t("sim.phone.unit.who", name=cast.school_name)
    return t("sim.phone.parent.who")


def _bind_if_needed(state: SimState, phone: Phone) -> None:
    """The inspector and school phones bind with a fresh code the first time, as a person would."""
    if phone.role == Role.PUBLIC.value or state.cast is None:
        return
    with state.binding:  # two tabs opening at once must not spend two codes
        if state.desk.role_of(phone.openid) == phone.role:
            return
        key = state.cast.inspector_number if phone.role == Role.INSPECTOR.value else state.cast.school_code
        code = state.desk.issue_code(Role(phone.role), key)
        state.record(phone.key, state.sim.say(phone.openid, f"绑定 {code}"))


def _pull_pushes(state: SimState, phone: Phone) -> None:
    for push in state.sim.new_pushes(phone.openid):
        state.add(phone.key, "push", push.text, push.label)


def _entries(entries: list[Entry]) -> Response:
    return jsonify(entries=[asdict(e) for e in entries])


@bp.get("/")
def page() -> str:
    state = _state()
    words = {key.removeprefix("sim."): text for key, text in CATALOG.items() if key.startswith("sim.page.")}
    words |= {key.removeprefix("menu.sim."): text for key, text in CATALOG.items() if key.startswith("menu.sim.")}
    phones = [
        {"key": p.key, "title": t(f"sim.phone.{p.key}"), "who": _who(p, state.cast), "openid": p.openid}
        for p in PHONES.values()
    ]
    schools = [{"code": s.code, "name": s.name} for s in state.desk.schools()]
    return render_template(
        "sim.html",
        title=t("sim.page.title"),
        intro=t("sim.page.intro"),
        account=t("sim.page.account"),
        words=words,
        phones=phones,
        schools=schools,
        location={"lat": SEAT[1], "lon": SEAT[0]},
    )


@bp.post("/api/<key>/start")
def start(key: str) -> Response:
    """The phone's transcript so far, after binding it if it plays an inspector or a school."""
    state, phone = _state(), _phone(key)
    _bind_if_needed(state, phone)
    _pull_pushes(state, phone)
    return _entries(state.entries(phone.key))


@bp.get("/api/<key>/menu")
def menu(key: str) -> Response:
    """The menu this phone's user sees, as the fake WeChat API matches it on their tags (null: none)."""
    state, phone = _state(), _phone(key)
    return jsonify(button=state.sim.menu(phone.openid))


@bp.get("/api/<key>/entries")
def entries(key: str) -> Response:
    state, phone = _state(), _phone(key)
    _pull_pushes(state, phone)
    return _entries(state.entries(phone.key, request.args.get("after", 0, type=int)))


def _picture(body: dict[str, Any]) -> tuple[bytes, str, str]:
    content_type = str(body.get("content_type", ""))
    try:
        content = base64.b64decode(str(body.get("content_base64", "")), validate=True)
    except binascii.Error:
        raise ApiError(400, "sim.api.bad_request") from None
    if not content or len(content) > MAX_PICTURE or content_type not in PICTURE_TYPES:
        raise ApiError(400, "sim.api.bad_request")
    return content, content_type, str(body.get("name", ""))[:80]


def _exchange(state: SimState, phone: Phone, body: dict[str, Any]) -> Exchange:
    sim, openid, kind = state.sim, phone.openid, body.get("kind")
    try:
        if kind == "text" and str(body.get("text", "")).strip():
            return sim.say(openid, str(body["text"]).strip())
        if kind == "scan" and body.get("school"):
            return sim.scan(openid, str(body["school"]))
        if kind == "location":
            return sim.location(openid, float(body["lat"]), float(body["lon"]))
        if kind == "voice" and str(body.get("text", "")).strip():
            return sim.voice(openid, str(body["text"]).strip())
        if kind == "image":
            return sim.image(openid, *_picture(body))
        if kind == "click" and str(body.get("key", "")).strip():
            return sim.click(openid, str(body["key"]).strip()[:128], str(body.get("name", ""))[:60])
        if kind == "view" and str(body.get("url", "")).startswith(("http://", "https://")):
            return sim.view(openid, str(body["url"])[:1024], str(body.get("name", ""))[:60])
    except (KeyError, TypeError, ValueError):
        pass
    raise ApiError(400, "sim.api.bad_request")


@bp.post("/api/<key>/send")
def send(key: str) -> Response:
    """Send one message as this phone's user; the answer holds the new transcript entries."""
    state, phone = _state(), _phone(key)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "sim.api.bad_request")
    after = int(body.get("after", 0) or 0)
    state.record(phone.key, _exchange(state, phone, body))
    _pull_pushes(state, phone)
    return _entries(state.entries(phone.key, after))
