"""The rectification chain as the bot sees it: a unit contact signs and reports, an inspector re-inspects.

`Desk.rectifications` returns a `RectificationDesk` bound to the delivery's transaction. It hands the bot plain
data (`ItemView`), checks that the user may act on the item (a unit contact on its own unit's items, an
inspector on the items of the schools they are responsible for or lead), and raises `RectificationError` with
the sentence to show when it refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.config import Config
from backend.domain.calendar import WorkingCalendar, local_date
from backend.domain.kinds import Role
from backend.kv import KV
from backend.services import notices
from backend.services import rectifications as rect
from backend.services.identity import Who
from backend.services.rectifications import RectificationError
from backend.store.db import session_now
from backend.store.models import Assignment, Rectification
from messages import t


@dataclass(frozen=True)
class ItemView:
    id: int
    number: str
    unit: str
    problem: str
    requirement: str
    deadline: date
    state: str
    overdue: bool
    urgent: bool


def view(session: Session, item: Rectification, now: datetime) -> ItemView:
    return ItemView(
        id=item.id,
        number=item.number,
        unit=rect.unit_name(session, item.unit_id),
        problem=item.problem,
        requirement=item.requirement,
        deadline=item.deadline,
        state=item.state,
        overdue=rect.is_overdue(item, now),
        urgent=item.urgent,
    )


@dataclass(frozen=True)
class Signed:
    items: list[ItemView]
    # several notices waiting and no number given: the user picks
    ambiguous: list[ItemView]


@dataclass(frozen=True)
class Reinspected:
    item: ItemView
    visit_id: int
    passed: bool


class RectificationDesk:
    """The rectification use cases open to one WeChat user during one delivery."""

    def __init__(self, session: Session, kv: KV, config: Config, who: Who, now: datetime | None = None) -> None:
        self._session, self._kv, self._config, self.who = session, kv, config, who
        self._now = now

    @property
    def now(self) -> datetime:
        return self._now or session_now(self._session)

    @property
    def actor(self) -> str:
        if self.who.role == Role.INSPECTOR.value:
            return f"inspector:{self.who.inspector_id}"
        if self.who.role == Role.UNIT.value:
            return f"unit:{self.who.unit_id}:{self.who.openid}"
        return f"{self.who.role}:{self.who.openid}"

    # --- the unit contact ---

    def _own(self, number: str) -> Rectification:
        item = rect.by_number(self._session, number)
        if self.who.role != Role.UNIT.value or item.unit_id != self.who.unit_id:
            raise RectificationError("rect.bot.not_found", number=number)
        return item

    def open_items(self) -> list[ItemView]:
        if self.who.unit_id is None:
            return []
        return [view(self._session, i, self.now) for i in rect.open_items_of_unit(self._session, self.who.unit_id)]

    def sign(self, number: str | None = None, *, everything: bool = False) -> Signed:
        """签收 one notice by number, the only one waiting, or (`everything`) all of them."""
        if number:
            items = [self._own(number)]
        else:
            items = rect.unsigned_of_unit(self._session, self.who.unit_id) if self.who.unit_id else []
            if len(items) > 1 and not everything:
                return Signed([], [view(self._session, i, self.now) for i in items])
        for item in items:
            rect.acknowledge(self._session, item.id, actor=self.actor, now=self.now)
        return Signed([view(self._session, i, self.now) for i in items], [])

    def can_report(self, number: str) -> ItemView:
        """The item a report is about, if a report may be made now (checked before collecting text and photos)."""
        item = self._own(number)
        if item.state not in (s.value for s in rect.rules.TRANSITIONS["submit"][0]):
            raise RectificationError("rect.bot.cannot_report", number=item.number, state=t(f"rect.state.{item.state}"))
        return view(self._session, item, self.now)

    def submit_report(self, number: str, *, text: str, media_ids: list[str]) -> ItemView:
        item = self._own(number)
        rect.submit_report(self._session, item.id, text=text, media_ids=media_ids, actor=self.actor, now=self.now)
        return view(self._session, item, self.now)

    def request_extension(self, number: str, reason: str) -> ItemView:
        item = self._own(number)
        rect.request_extension(self._session, item.id, reason=reason, actor=self.actor, now=self.now)
        return view(self._session, item, self.now)

    # --- the inspector ---

    def _responsible_for(self, number: str) -> Rectification:
        """The item, if it is this inspector's; another school's item is answered as one that does not exist."""
        item = rect.by_number(self._session, number)
        me = self.who.inspector_id
        if self.who.role != Role.INSPECTOR.value or me is None:
            raise RectificationError("rect.bot.not_found", number=number)
        current = self._session.scalar(
            select(Assignment.inspector_id).where(Assignment.unit_id == item.unit_id, Assignment.ends_on.is_(None))
        )
        if me not in (item.inspector_id, current, notices.zone_leader_of(self._session, item.unit_id)):
            raise RectificationError("rect.bot.not_found", number=number)
        return item

    def reinspect(
        self, number: str, *, passed: bool, reason: str = "", new_deadline: date | None = None
    ) -> Reinspected:
        item = self._responsible_for(number)
        if item.state != rect.S.SUBMITTED.value:
            raise RectificationError(
                "rect.bot.cannot_reinspect", number=item.number, state=t(f"rect.state.{item.state}")
            )
        done = rect.reinspect(
            self._session,
            item.id,
            passed=passed,
            reason=reason,
            new_deadline=new_deadline,
            inspector_id=self.who.inspector_id,
            actor=self.actor,
            now=self.now,
        )
        return Reinspected(view(self._session, done.item, self.now), done.visit.id, passed)

    def followup_photo(self, visit_id: int, wechat_media_id: str) -> None:
        rect.attach_followup_photo(self._session, visit_id, wechat_media_id=wechat_media_id)

    def followup_location(self, visit_id: int, latitude: float, longitude: float) -> None:
        rect.record_followup_location(self._session, visit_id, latitude=latitude, longitude=longitude)

    def decide_extension(
        self, number: str, *, grant: bool, new_deadline: date | None = None, reason: str = ""
    ) -> ItemView:
        item = self._responsible_for(number)
        request = rect.pending_extension(self._session, item.id)
        if request is None:
            raise RectificationError("rect.bot.no_extension", number=item.number)
        rect.decide_extension(
            self._session,
            request.id,
            grant=grant,
            new_deadline=new_deadline,
            reason=reason,
            actor=self.actor,
            now=self.now,
        )
        return view(self._session, item, self.now)

    def today(self) -> date:
        return local_date(self.now)

    def deadline_of(self, number: str) -> date:
        """The current deadline of an item the inspector answers for (an extension may count from it)."""
        return self._responsible_for(number).deadline

    def calendar(self) -> WorkingCalendar:
        from backend.services.calendar import working_calendar

        return working_calendar(self._session)
