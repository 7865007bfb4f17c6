"""`GET|POST /wechat`: the URL configured in the WeChat console.

GET answers the console's URL check. POST reads at most 64 KiB, verifies the push (`bot.gate.Gate`), answers
it through the `Inbox` within the time budget, and seals the reply (encrypted and signed in safe mode).
Refusals are short plain texts with 403/400/413: never a stack trace.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, current_app, request

from backend.clock import timestamp as timestamp_of
from backend.runtime import Runtime
from backend.services.bot_desk import BotServices
from backend.services.wechat_clock import ClockWatch
from backend.web import runtime
from bot.gate import MAX_BODY, Gate, Rejected, TooLarge
from bot.inbox import BUDGET, Inbox
from bot.replies import SUCCESS, render
from bot.router import Router

log = logging.getLogger(__name__)

bp = Blueprint("wechat", __name__)
EXTENSION = "dudao.wechat"
_building = threading.Lock()
_REFUSAL = {400: "bad request", 403: "forbidden", 413: "request too large"}


@dataclass
class Edge:
    """The webhook's parts for one app: the gate (verification) and the inbox (answers)."""

    gate: Gate
    inbox: Inbox


def build_edge(rt: Runtime, *, router: Router | None = None, budget: float = BUDGET) -> Edge:
    config = rt.config
    gate = Gate(
        token=config.wechat_token,
        appid=config.wechat_appid,
        aes_key=config.wechat_aes_key,
        clock=rt.clock,
        watch=ClockWatch(rt.kv, rt.clock),
    )
    inbox = Inbox(BotServices(rt.db, rt.kv, config), rt.kv, router=router, budget=budget)
    return Edge(gate, inbox)


def install(app: Flask, *, router: Router | None = None, budget: float = BUDGET) -> Edge:
    """Build the webhook's parts for `app` now (tests pass their own router or budget)."""
    with app.app_context():
        edge = build_edge(runtime(), router=router, budget=budget)
    app.extensions[EXTENSION] = edge
    return edge


def _edge() -> Edge:
    with _building:
        edge: Edge | None = current_app.extensions.get(EXTENSION)
        if edge is None:
            edge = current_app.extensions[EXTENSION] = build_edge(runtime())
    return edge


def _refuse(exc: Rejected) -> Response:
    log.info("refused a WeChat request from %s: %s", request.remote_addr, exc.reason)
    response = Response(_REFUSAL.get(exc.status, "bad request"), status=exc.status, mimetype="text/plain")
    if exc.status == 413:
        response.headers["Connection"] = "close"  # the rest of the body is not going to be read
    return response


def _read_body() -> bytes:
    """At most MAX_BODY bytes; a longer body is refused without being read."""
    length = request.content_length
    if length is not None and length > MAX_BODY:
        raise TooLarge(f"Content-Length {length}")
    body = request.stream.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        raise TooLarge("body longer than the limit")
    return body


@bp.get("/wechat")
def handshake() -> Response:
    try:
        echostr = _edge().gate.handshake(request.args)
    except Rejected as exc:
        return _refuse(exc)
    return Response(echostr, mimetype="text/plain")


@bp.post("/wechat")
def receive() -> Response:
    started = time.monotonic()
    edge = _edge()
    try:
        opened = edge.gate.open(request.args, _read_body())
        reply = edge.inbox.answer(opened, started)  # checks the nonce memory too
    except Rejected as exc:
        return _refuse(exc)
    inbound = opened.inbound
    xml = render(reply, to_user=inbound.openid, from_user=inbound.account, now=timestamp_of(runtime().clock))
    if xml == SUCCESS:
        return Response(SUCCESS, mimetype="text/plain")
    return Response(edge.gate.seal(xml, opened), mimetype="application/xml")
