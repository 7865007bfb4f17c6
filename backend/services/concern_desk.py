"""The bot's window on public concerns (`Desk.concerns`): the reporter's side and the inspector's side."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from backend.config import Config
from backend.domain.school_names import SchoolFinding
from backend.kv import KV
from backend.services import concerns, identity, school_names
from backend.services.authority import current_authority
from backend.services.concerns import ConcernView, Received
from backend.store.db import session_now
from backend.store.models import Unit


class ConcernDesk:
    """Concern use cases for one WeChat user during one delivery (each commits the delivery's transaction)."""

    def __init__(self, session: Session, kv: KV, config: Config, openid: str, now: datetime | None = None) -> None:
        self._session, self._kv, self._config, self.openid, self._now = session, kv, config, openid, now

    # --- the reporter ---

    def receive(self, kind: str, text: str = "", media_id: str = "") -> Received:
        return concerns.receive(
            self._session, self._kv, openid=self.openid, kind=kind, text=text, media_id=media_id, now=self._now
        )

    def categories(self) -> list[tuple[str, str]]:
        return concerns.categories(self._session)

    def choose_category(self, number: str) -> Received:
        return concerns.choose_category(self._session, openid=self.openid, number=number, now=self._now)

    def give_phone(self, phone: str) -> ConcernView | None:
        return concerns.set_phone(self._session, openid=self.openid, phone=phone, now=self._now)

    def mine(self) -> list[ConcernView]:
        return concerns.reporter_concerns(self._session, self.openid)

    def current_school_name(self) -> str | None:
        return concerns.current_school_name(self._session, self.openid, self._now)

    # --- a parent who writes before scanning: the school from their words ---

    def find_school(self, text: str) -> SchoolFinding:
        """The school a public user's words name, among every school of the county."""
        return school_names.authority_resolver(self._session, current_authority(self._session).id).find(text)

    def choose_school(self, unit_id: int) -> str:
        """The school the user named becomes their current one, as a scan of its board would make it."""
        me = identity.get_or_create(self._session, self.openid)
        me.last_scanned_unit_id, me.last_scanned_at = unit_id, self._now or session_now(self._session)
        return self.school_name(unit_id)

    def school_name(self, unit_id: int) -> str:
        unit = self._session.get(Unit, unit_id)
        return unit.name if unit is not None else ""

    def hotline(self) -> str:
        """The office's supervision hotline (public: it is printed on every board)."""
        return current_authority(self._session).hotline or ""

    # --- the inspector (or the zone leader the concern was escalated to) ---

    def _inspector_id(self) -> int:
        who = identity.who(self._session, identity.get_or_create(self._session, self.openid))
        if who.inspector_id is None:
            raise concerns.NotPermitted(self.openid)
        return who.inspector_id

    @property
    def _actor(self) -> str:
        return f"inspector:{self._inspector_id()}"

    def waiting(self) -> list[ConcernView]:
        return concerns.inspector_concerns(self._session, self._inspector_id())

    def detail(self, ticket: str) -> ConcernView:
        return concerns.detail_for_inspector(self._session, self._inspector_id(), ticket)

    def acknowledge(self, ticket: str) -> ConcernView:
        return concerns.acknowledge(self._session, ticket, actor=self._actor, inspector_id=self._inspector_id())

    def verify(self, ticket: str) -> ConcernView:
        return concerns.start_verifying(self._session, ticket, actor=self._actor, inspector_id=self._inspector_id())

    def answer(self, ticket: str, text: str) -> ConcernView:
        return concerns.answer(self._session, ticket, text, actor=self._actor, inspector_id=self._inspector_id())

    def not_substantiated(self, ticket: str, reason: str) -> ConcernView:
        inspector_id = self._inspector_id()
        return concerns.not_substantiated(self._session, ticket, reason, actor=self._actor, inspector_id=inspector_id)

    def refer(self, ticket: str, to: str) -> ConcernView:
        return concerns.refer(self._session, ticket, to, actor=self._actor, inspector_id=self._inspector_id())

    def close(self, ticket: str) -> ConcernView:
        return concerns.close(self._session, ticket, actor=self._actor, inspector_id=self._inspector_id())
