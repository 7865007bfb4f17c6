"""The rectification step of the deadline sweep: reminders to units, and the escalation ladder.

It reads only what may be due (partial indexes on the open states: deadlines within the next 3 working days,
unsigned notices, deadlines already passed), so its cost follows what is due, not the size of the table. Each
item is handled in its own short transaction: one bad item does not hold back the others. Every push is keyed
by item, kind and deadline (`rect:<id>:<kind>:<deadline>`), the outbox's sent-log, so running the sweep twice,
or on two workers at once when the key-value store is down, sends nothing twice; a template push carries that
key as its `client_msg_id`. Reminders wait out the quiet hours (`Authority.quiet_hours`) unless the item is
urgent: the first sweep after the quiet hours sends them.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.domain import rectification as rules
from backend.domain.calendar import SHANGHAI, WorkingCalendar, local_date
from backend.domain.kinds import RectificationState, Role
from backend.services import escalations, notices
from backend.services.calendar import working_calendar
from backend.services.rectifications import audit, fields_of
from backend.services.rule_sql import rectification_overdue
from backend.store.db import Database
from backend.store.models import Authority, Escalation, OutboxMessage, Rectification, WechatIdentity
from messages import t

log = logging.getLogger(__name__)

S = RectificationState
AWAITING = [s.value for s in rules.AWAITING_UNIT]


def due_for_reminder(today: date, horizon: date) -> Select[Any]:
    """Items whose deadline is today up to `horizon` (ix_rectification_awaiting_deadline)."""
    return (
        select(Rectification.id)
        .where(Rectification.state.in_(AWAITING), Rectification.deadline >= today, Rectification.deadline <= horizon)
        .order_by(Rectification.id)
    )


def unsigned_since(cutoff: datetime, today: date) -> Select[Any]:
    """Issued before `cutoff`, not signed, deadline not past (ix_rectification_unsigned); past it, the ladder acts."""
    return (
        select(Rectification.id)
        .where(Rectification.state == S.ISSUED.value, Rectification.issued_at < cutoff, Rectification.deadline >= today)
        .order_by(Rectification.id)
    )


def overdue(today: date) -> Select[Any]:
    """Past their deadline and still waiting on the unit (ix_rectification_awaiting_deadline)."""
    return select(Rectification.id).where(rectification_overdue(today)).order_by(Rectification.id)


def _unsigned_cutoff(calendar: WorkingCalendar, today: date) -> datetime:
    """Issued on or before the working day `SIGN_WITHIN` before today: the reminder may be due."""
    day = calendar.subtract_working_days(today, rules.SIGN_WITHIN_WORKING_DAYS)
    # anything issued before the end of that day (local), whatever its hour
    return datetime.combine(day, time(23, 59, 59), tzinfo=SHANGHAI)


CHUNK = 100  # items per transaction (each in its own savepoint): fewer commits, one bad item still alone


def step(db: Database, now: datetime) -> dict[str, int]:
    """One sweep as of `now`: counts of reminders and escalations queued (none when all is done already)."""
    counts: Counter[str] = Counter()
    today = local_date(now)
    with db.session() as session:
        calendar = working_calendar(session)
        quiet = {a.id: rules.QuietHours.parse(a.quiet_hours) for a in session.scalars(select(Authority))}
        horizon = rules.earliest_lookahead(calendar, today)
        reminder_ids: set[int] = set(session.scalars(due_for_reminder(today, horizon)))
        reminder_ids |= set(session.scalars(unsigned_since(_unsigned_cutoff(calendar, today), today)))
        # the ladder moves on working days: a 督办通知 on a Sunday would read as an oversight
        overdue_ids: list[int] = list(session.scalars(overdue(today))) if calendar.is_working_day(today) else []
        counts["candidates"] = len(reminder_ids) + len(overdue_ids)
        # the sweep runs every few minutes: skip, in a few set-wise reads, what earlier sweeps have done
        to_remind = _reminders_not_queued(
            session, sorted(reminder_ids), now=now, calendar=calendar, quiet=quiet, counts=counts
        )
        to_escalate = _rungs_not_taken(session, overdue_ids, today)
    for chunk in _chunks(sorted(to_remind), CHUNK):
        counts.update(_in_savepoints(db, chunk, lambda s, i: _remind(s, i, now, calendar, quiet)))
    for chunk in _chunks(to_escalate, CHUNK):
        counts.update(_in_savepoints(db, chunk, lambda s, i: _escalate(s, i, now, db.is_postgres)))
    return dict(counts)


def _chunks(ids: list[int], size: int) -> list[list[int]]:
    return [ids[n : n + size] for n in range(0, len(ids), size)]


def _reminders_not_queued(
    session: Session,
    ids: list[int],
    *,
    now: datetime,
    calendar: WorkingCalendar,
    quiet: dict[int, rules.QuietHours | None],
    counts: Counter[str],
) -> list[int]:
    """The candidates owed a reminder now whose outbox rows (the sent-log) are not all there yet."""
    today = local_date(now)
    wanted: dict[int, list[str]] = {}
    items = list(session.scalars(select(Rectification).where(Rectification.id.in_(ids)))) if ids else []
    units = {item.unit_id for item in items}
    contacts: dict[int, list[str]] = {}
    if units:
        rows = session.execute(
            select(WechatIdentity.unit_id, WechatIdentity.openid).where(
                WechatIdentity.unit_id.in_(units), WechatIdentity.role == Role.UNIT.value, WechatIdentity.following
            )
        )
        for unit_id, openid in rows:
            if unit_id is not None:
                contacts.setdefault(unit_id, []).append(openid)
    for item in items:
        issued_on = local_date(item.issued_at) if item.issued_at else None
        due = rules.due_reminders(
            state=item.state, deadline=item.deadline, issued_on=issued_on, today=today, calendar=calendar
        )
        if not due or not contacts.get(item.unit_id):
            continue
        if not rules.may_push(urgent=item.urgent, quiet=quiet.get(item.authority_id), now=now):
            counts["deferred_quiet_hours"] += len(due)
            continue
        wanted[item.id] = [f"{_reminder_key(item.id, r)}:{openid}" for r in due for openid in contacts[item.unit_id]]
    every = [key for keys in wanted.values() for key in keys]
    queued: set[str] = set()
    for chunk in range(0, len(every), 500):
        batch = every[chunk : chunk + 500]
        queued |= set(session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(batch))))
    return [item_id for item_id, keys in wanted.items() if not set(keys) <= queued]


def _rungs_not_taken(session: Session, ids: list[int], today: date) -> list[int]:
    """The overdue items whose next rung has not been sent or proposed yet."""
    if not ids:
        return []
    taken = set(
        session.execute(
            select(Escalation.rectification_id, Escalation.level).where(Escalation.rectification_id.in_(ids))
        )
    )
    todo = []
    for item_id, state, deadline, level in session.execute(
        select(Rectification.id, Rectification.state, Rectification.deadline, Rectification.level).where(
            Rectification.id.in_(ids)
        )
    ):
        rung = rules.rung_due(state=state, deadline=deadline, level=level, today=today)
        if rung is not None and (item_id, rung.value) not in taken:
            todo.append(item_id)
    return sorted(todo)


def _in_savepoints(db: Database, ids: list[int], work: Callable[[Session, int], Counter[str]]) -> Counter[str]:
    """`work` for each item in one transaction, each item in a savepoint of its own."""
    counts: Counter[str] = Counter()
    with db.session() as session:
        for item_id in ids:
            try:
                with session.begin_nested():
                    counts.update(work(session, item_id))
            except IntegrityError:
                # a second sweep (another worker, the key-value store down) took this item first: the key held
                log.info("sweep: rectification %s was handled by another sweep", item_id)
                counts["raced"] += 1
            except Exception:
                log.exception("sweep: rectification %s failed", item_id)
                counts["failed"] += 1
    return counts


def _reminder_key(item_id: int, reminder: rules.Reminder) -> str:
    return f"rect:{item_id}:{reminder.kind}:{reminder.deadline.isoformat()}"


def _remind(
    session: Session,
    item_id: int,
    now: datetime,
    calendar: WorkingCalendar,
    quiet: dict[int, rules.QuietHours | None],
) -> Counter[str]:
    counts: Counter[str] = Counter()
    item = session.get(Rectification, item_id)
    if item is None:
        return counts
    issued_on = local_date(item.issued_at) if item.issued_at else None
    due = rules.due_reminders(
        state=item.state, deadline=item.deadline, issued_on=issued_on, today=local_date(now), calendar=calendar
    )
    if due and rules.may_push(urgent=item.urgent, quiet=quiet.get(item.authority_id), now=now):
        for reminder in due:
            counts.update(_queue_reminder(session, item, reminder, now=now))
    return counts


def _queue_reminder(session: Session, item: Rectification, reminder: rules.Reminder, *, now: datetime) -> Counter[str]:
    counts: Counter[str] = Counter()
    fields = fields_of(session, item)
    added = notices.notify(
        session,
        notices.openids_of_unit(session, item.unit_id),
        notice="rectification_due_soon",
        text=t(f"rect.remind.{reminder.kind}", **fields),
        fields=fields,
        dedupe_key=_reminder_key(item.id, reminder),
        now=now,
    )
    if added:
        # the office sees each reminder once: here, and as its outbox rows
        audit(
            session,
            item,
            actor="system:sweep",
            action="rectification.reminded",
            now=now,
            kind=reminder.kind,
            deadline=reminder.deadline.isoformat(),
            pushes=added,
        )
        counts[f"reminded_{reminder.kind}"] += added
    return counts


def _escalate(session: Session, item_id: int, now: datetime, lock: bool) -> Counter[str]:
    counts: Counter[str] = Counter()
    # on PostgreSQL a second sweep waits here, then sees the rung already taken
    item = session.get(Rectification, item_id, with_for_update=lock, populate_existing=True)
    if item is not None:
        level = escalations.escalate_if_overdue(session, item, now=now)
        if level:
            counts[f"escalated_{level}"] += 1
    return counts
