"""The bot's window on the backend: what a WeChat conversation may do, without models or sessions.

`BotServices` opens one transaction per delivery: it records the `InboundDelivery` first, hands the handler a
`Desk` (the use cases, bound to that transaction), stores the reply with the delivery and commits once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from backend.config import Config
from backend.kv import KV
from backend.services import binding, deliveries, identity, privacy
from backend.services.binding import BindResult
from backend.services.identity import ScannedSchool, Who
from backend.store.db import Database, session_now
from backend.store.models import WechatIdentity

if TYPE_CHECKING:
    from backend.services.concern_desk import ConcernDesk
    from backend.services.rectification_desk import RectificationDesk
    from backend.services.task_desk import TaskDesk
    from backend.services.visit_desk import VisitDesk


def _enqueue_text(session: Session, *, openid: str, text: str, dedupe_key: str) -> None:
    """A customer-service text through the outbox, in the caller's transaction."""
    from backend.services import outbox

    outbox.enqueue(session, openid=openid, kind="text", payload={"content": text}, dedupe_key=dedupe_key)


class Desk:
    """The use cases open to one WeChat user during one delivery."""

    def __init__(self, session: Session, kv: KV, config: Config, openid: str) -> None:
        self._session, self._kv, self._config, self.openid = session, kv, config, openid
        self._identity: WechatIdentity | None = None
        self._who: Who | None = None

    def _me(self) -> WechatIdentity:
        if self._identity is None:
            self._identity = identity.get_or_create(self._session, self.openid)
        return self._identity

    @property
    def who(self) -> Who:
        """The user's role and the person behind it."""
        if self._who is None:
            self._who = identity.who(self._session, self._me())
        return self._who

    def touch(self, *, wrote: bool) -> None:
        """First contact creates the user; a message (`wrote`) restarts WeChat's 48 h window."""
        self._identity = identity.arrive(self._session, self.openid, wrote=wrote)

    def set_following(self, following: bool) -> None:
        identity.set_following(self._session, self._me(), following)

    def scan(self, scene: str) -> ScannedSchool | None:
        """A scan of a board: the school (with its current inspector), remembered as the user's current one."""
        return identity.record_scan(self._session, self._me(), scene)

    def privacy_url(self, *, signed: bool = False) -> str:
        """The notice `/privacy`; `signed`: this user's signed form link to it, so that the request form there
        knows them (`backend.services.privacy.link_url`)."""
        if not signed:
            return f"{self._config.public_url.rstrip('/')}{privacy.LINK_PATH}"
        now = session_now(self._session)
        return privacy.link_url(self._config.secret_key, self._config.public_url, self.openid, now)

    def bind(self, code: str) -> BindResult:
        result = binding.bind(self._session, self._kv, openid=self.openid, code=code, pepper=self._config.secret_key)
        self._who = None
        return result

    def unbind(self) -> bool:
        done = binding.unbind(self._session, openid=self.openid)
        self._who = None
        return done

    @property
    def concerns(self) -> ConcernDesk:
        """Public concerns: the reporter's side and the inspector's (issue 4)."""
        from backend.services.concern_desk import ConcernDesk

        return ConcernDesk(self._session, self._kv, self._config, self.openid)

    @property
    def rectifications(self) -> RectificationDesk:
        """整改: a unit contact signs and reports, an inspector re-inspects (issue 6)."""
        from backend.services.rectification_desk import RectificationDesk

        return RectificationDesk(self._session, self._kv, self._config, self.who)

    @property
    def visits(self) -> VisitDesk:
        """Visits (督导记录): an inspector logs, evidences, undoes them (issue 5)."""
        from backend.services.visit_desk import VisitDesk

        return VisitDesk(self._session, self._kv, self._config, self.openid, self.who.inspector_id)

    @property
    def tasks(self) -> TaskDesk:
        """督导任务: an inspector's checks, item by item (issue 14)."""
        from backend.services.task_desk import TaskDesk

        return TaskDesk(self._session, self._config, self.openid, self.who.inspector_id)

    def office_pending(self) -> OfficePending:
        """督导室 待处理: what is open and late across the county (the office web has the lists)."""
        from sqlalchemy import func, select

        from backend.domain.calendar import local_date
        from backend.domain.kinds import OutboxState, Role
        from backend.services import rule_sql
        from backend.store.db import session_now
        from backend.store.models import Concern, OutboxMessage, Rectification

        if self.who.role != Role.OFFICE.value:
            return OfficePending(allowed=False)
        today = local_date(session_now(self._session))

        def count(model: object, *where: object) -> int:
            return int(self._session.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]

        return OfficePending(
            allowed=True,
            today=today.isoformat(),
            concerns=count(Concern, rule_sql.concern_open()),
            concerns_overdue=count(Concern, rule_sql.concern_answer_overdue(today)),
            rectifications=count(Rectification, rule_sql.rectification_open()),
            rectifications_overdue=count(Rectification, rule_sql.rectification_overdue(today)),
            undelivered=count(OutboxMessage, OutboxMessage.state == OutboxState.GIVEN_UP.value),
            office_url=f"{self._config.public_url}/office/",
        )

    def send_later(self, text: str, *, dedupe_key: str) -> None:
        """A text that reaches the user as a customer-service message, sent by the worker."""
        _enqueue_text(self._session, openid=self.openid, text=text, dedupe_key=dedupe_key)


@dataclass(frozen=True)
class OfficePending:
    """The office's open and late work, as counts."""

    allowed: bool
    today: str = ""
    concerns: int = 0
    concerns_overdue: int = 0
    rectifications: int = 0
    rectifications_overdue: int = 0
    undelivered: int = 0
    office_url: str = ""


@dataclass(frozen=True)
class Recorded:
    """The outcome of a delivery: the stored reply, and whether it had been recorded before."""

    duplicate: bool
    reply: str | None


class BotServices:
    """Opens the bot's transactions on the runtime's database."""

    def __init__(self, db: Database, kv: KV, config: Config) -> None:
        self.db, self.kv, self.config = db, kv, config

    def deliver(self, *, dedupe_key: str, openid: str, msg_type: str, work: Callable[[Desk], str]) -> Recorded:
        """Run `work` once per delivery: its effect and the delivery's record commit together, or not at all."""
        with self.db.session() as session:
            delivery_id = deliveries.claim(session, dedupe_key=dedupe_key, openid=openid, msg_type=msg_type)
            if delivery_id is None:
                return Recorded(duplicate=True, reply=deliveries.stored_reply(session, dedupe_key))
            reply = work(Desk(session, self.kv, self.config, openid))
            deliveries.keep_reply(session, delivery_id, reply)
        return Recorded(duplicate=False, reply=reply)

    def send_later(self, openid: str, text: str, *, dedupe_key: str) -> None:
        """A customer-service text through the outbox, in a transaction of its own."""
        with self.db.session() as session:
            _enqueue_text(session, openid=openid, text=text, dedupe_key=dedupe_key)
