"""Answering a verified push inside WeChat's 5 seconds, once per delivery, whatever the database is doing.

On arrival, one round trip to the key-value store checks the nonce memory, claims the delivery and reads the
user's conversation state. A retry of a delivery someone else is handling waits for its reply in the request
thread; a new delivery's handler runs in a worker thread against a deadline (3.5 s from the request's start).
On time, its reply is the passive reply. Late, the request answers `success` and the reply goes to the user later
through the outbox. Retries are recognised twice: by the claim in the key-value store (fast) and by the unique
`InboundDelivery` key written in the handler's own transaction (which holds even when the store is down).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

from backend.kv import KV, KVUnavailable
from backend.services.bot_desk import BotServices, Desk
from bot.conversation import Conversation
from bot.dedupe import Claim, Dedupe, Seen
from bot.gate import Forbidden, Inbound, Opened
from bot.handlers import Context
from bot.replies import Reply
from bot.router import Router
from messages import t

log = logging.getLogger(__name__)

BUDGET = 3.5  # seconds from the request's arrival; WeChat gives up at 5
WAIT_STEP = 0.02  # how often a retry looks for the first attempt's reply
# pushes answered at once, without the store or the database: WeChat sends thousands of these per second after a
# send, and a replayed one changes nothing
CHEAP_EVENTS = frozenset({"event:templatesendjobfinish", "event:masssendjobfinish"})
LOCATION_TTL = 600.0


@dataclass
class _Job:
    """What the request thread and the worker agree on about one delivery."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    abandoned: bool = False  # the request answered without the reply


class Inbox:
    def __init__(
        self,
        services: BotServices,
        kv: KV,
        *,
        router: Router | None = None,
        budget: float = BUDGET,
        workers: int = 16,
    ) -> None:
        self.services, self.kv, self.budget = services, kv, budget
        self.router = router or Router()
        self.dedupe = Dedupe(kv)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wechat-handler")

    def answer(self, opened: Opened, started: float) -> Reply:
        """The passive reply to `opened`, within the budget counted from `started` (time.monotonic()).

        Raises `Forbidden` when its (timestamp, nonce) came before with another body.
        """
        inbound = opened.inbound
        if inbound.kind in CHEAP_EVENTS:
            return Reply.nothing()
        if inbound.kind == "event:location":
            return self._remember_location(opened)
        deadline = started + self.budget
        claim, conversation = self._arrive(opened)
        if claim.seen is Seen.PENDING:  # a retry while the first attempt runs: wait for its reply
            conversation = Conversation(self.kv, inbound.openid)  # read afresh if the first one gives up
            while claim.seen is Seen.PENDING:
                if time.monotonic() + WAIT_STEP >= deadline:
                    return Reply.nothing()
                time.sleep(WAIT_STEP)
                claim = self.dedupe.claim(inbound.dedupe_key)
        if claim.seen is Seen.DONE:
            return Reply.loads(claim.stored)
        job = _Job()
        future = self._pool.submit(self._handle, inbound, claim, conversation, job)
        try:
            return future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            with job.lock:
                job.abandoned = True
            log.warning("handler for %s missed the %.1fs budget; answering later", inbound.dedupe_key, self.budget)
            return Reply.nothing()

    def _arrive(self, opened: Opened) -> tuple[Claim, Conversation]:
        """One round trip to the store: the nonce memory, the dedupe claim and the conversation state."""
        inbound = opened.inbound
        conversation = Conversation(self.kv, inbound.openid)
        entry = self.dedupe.claim_entry(inbound.dedupe_key)
        try:
            held, read = self.kv.claim_and_read([opened.mark.entry, entry.entry], [conversation.key_of(inbound.openid)])
        except KVUnavailable:
            log.warning("store unavailable: no nonce memory, the database alone dedupes, no conversation state")
            conversation.preload(None)
            return Claim(Seen.UNKNOWN), conversation
        claim = self.dedupe.judge(entry, held[1])
        try:
            opened.mark.check(held[0])
        except Forbidden:
            self.dedupe.release(inbound.dedupe_key, claim.token)  # a forgery must not hold the real delivery's key
            raise
        conversation.preload(read[0])
        return claim, conversation

    def _remember_location(self, opened: Opened) -> Reply:
        """WeChat reports a location every few seconds while the chat is open: keep the latest, answer nothing."""
        inbound = opened.inbound
        where = {"lat": inbound.get("Latitude"), "lng": inbound.get("Longitude"), "at": inbound.create_time}
        with contextlib.suppress(KVUnavailable):
            held, _ = self.kv.claim_and_read([opened.mark.entry])
            opened.mark.check(held[0])
            self.kv.set(f"wechat:location:{inbound.openid}", json.dumps(where), ttl=LOCATION_TTL)
        return Reply.nothing()

    def _handle(self, inbound: Inbound, claim: Claim, conversation: Conversation, job: _Job) -> Reply:
        key = inbound.dedupe_key
        try:
            recorded = self.services.deliver(
                dedupe_key=key,
                openid=inbound.openid,
                msg_type=inbound.kind,
                work=lambda desk: self._work(desk, inbound, conversation, job),
            )
        except Exception:
            log.exception("handler failed for %s", key)
            self.dedupe.release(key, claim.token)
            return Reply.text(t("bot.error.fallback"))
        if claim.token:  # ours in the store (a duplicate too: its done key had expired); unknown: store down
            self.dedupe.finish(key, recorded.reply or "")
        reply = Reply.loads(recorded.reply)
        if recorded.duplicate:
            return reply
        with job.lock:
            late = job.abandoned and reply.is_text
        if late:  # the request gave up while this transaction was committing
            self.services.send_later(inbound.openid, reply.content, dedupe_key=f"late-reply:{key}")
        return reply

    def _work(self, desk: Desk, inbound: Inbound, conversation: Conversation, job: _Job) -> str:
        # only a message opens the 48 h customer-service window; a follow, scan or click opens one minute
        desk.touch(wrote=not inbound.is_event)
        ctx = Context(inbound=inbound, desk=desk, conversation=conversation)
        reply = self.router.dispatch(ctx)
        with job.lock:
            if job.abandoned and reply.is_text:
                # in the handler's own transaction: the effect and the late reply commit together
                desk.send_later(reply.content, dedupe_key=f"late-reply:{inbound.dedupe_key}")
                return Reply.deferred().dumps()
        return reply.dumps()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
