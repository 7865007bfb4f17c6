"""The inspector's visit desk: what the bot's inspector handlers may do with visits, as ready replies.

Constructed by `Desk.visits` from the delivery's session, the key-value store, the config and the openid.
Photos and a location sent before the visit's text wait in the store (`PENDING_TTL`) and join the record.
"""

from __future__ import annotations

import contextlib
import json
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.config import Config
from backend.domain import visit_text as vt
from backend.domain.calendar import local_date
from backend.domain.kinds import VisitKind
from backend.domain.school_names import Kind
from backend.domain.typed import Typed
from backend.domain.visit_targets import month_of
from backend.kv import KV, KVUnavailable
from backend.services import monthly_report, school_names, visits
from backend.services.audit import record
from backend.services.authority import current_authority
from backend.services.calendar import working_calendar
from backend.services.visits import MySchool, VisitDraft, VisitError
from backend.store.db import session_now
from backend.store.models import Visit
from messages import t

LIST_SHOWN_TTL = 600.0  # a numbered list of schools counts for ten minutes
PENDING_TTL = 7200.0  # photos and a location wait two hours for the visit's text
EVIDENCE_WINDOW = timedelta(hours=2)  # photos after a record join it for this long
DIALOGUE_KINDS = (VisitKind.ROUTINE, VisitKind.SPECIAL, VisitKind.UNANNOUNCED, VisitKind.FOLLOW_UP)


@dataclass(frozen=True)
class Answer:
    """A reply, and when a question is asked, what the question is about and the choices' school ids."""

    text: str
    question: str | None = None  # "school" | "date"
    choices: tuple[int, ...] = ()
    pending: dict[str, Any] = field(default_factory=dict)  # what to keep while the question is open


class VisitDesk:
    def __init__(self, session: Session, kv: KV, config: Config, openid: str, inspector_id: int | None) -> None:
        self._session, self._kv, self._config, self.openid = session, kv, config, openid
        self.inspector_id = inspector_id
        self._schools: list[MySchool] | None = None
        self._names: school_names.InspectorNames | None = None

    # --- reading -------------------------------------------------------------------------------------------

    def _now(self) -> datetime:
        return session_now(self._session)

    def today(self) -> date:
        return local_date(self._now())

    def schools(self) -> list[MySchool]:
        if self._schools is None:
            self._schools = visits.my_schools(self._session, self._inspector())
        return self._schools

    def names(self) -> school_names.InspectorNames:
        """The resolver this inspector's messages are read with (the authority's names and their own aliases)."""
        if self._names is None:
            self._names = school_names.resolver_for(self._session, self._inspector())
        return self._names

    def looks_like_visit(self, text: str) -> bool:
        return vt.looks_like_visit(text, self.names().mine, self.names().resolver)

    def _inspector(self) -> int:
        if self.inspector_id is None:
            raise VisitError("visits.error.not_yours")
        return self.inspector_id

    def school_choices(self, ids: tuple[int, ...] | None = None) -> str:
        return "\n".join(
            t("visits.ask.choice", number=s.number, name=s.name)
            for s in self.schools()
            if ids is None or s.unit_id in ids
        )

    def item_choices(self) -> str:
        return "\n".join(f"{i['code']}. {i['name']}" for i in self._items())

    def _items(self) -> list[dict[str, Any]]:
        return list(current_authority(self._session).supervision_items)

    def schools_text(self) -> str:
        schools = self.schools()
        if not schools:
            return t("visits.schools.none")
        rows = [t("visits.schools.head")]
        for s in schools:
            open_parts = []
            if s.open_concerns:
                open_parts.append(t("visits.schools.open_concerns", count=s.open_concerns))
            if s.open_rectifications:
                open_parts.append(t("visits.schools.open_rects", count=s.open_rectifications))
            last = _day(s.last_visit) if s.last_visit else t("visits.schools.never")
            opened = t("visits.schools.open", what="、".join(open_parts)) if open_parts else ""
            rows.append(t("visits.schools.row", number=s.number, name=s.name, last=last, open=opened))
        return "\n".join(rows)

    def todo_text(self) -> str:
        todo = visits.todo(self._session, self._inspector(), self.today())
        parts: list[str] = []
        if todo.concerns:
            parts.append(t("visits.todo.concerns"))
            parts += [t("visits.todo.concern_row", ticket=c[0], school=c[1]) for c in todo.concerns]
        if todo.to_reinspect:
            parts.append(t("visits.todo.reinspect"))
            parts += [
                t("visits.todo.rect_row", number=r[0], school=r[1], deadline=_day(r[2])) for r in todo.to_reinspect
            ]
        if todo.drafts:
            parts.append(t("visits.todo.drafts"))
            parts += [t("visits.todo.rect_row", number=r[0], school=r[1], deadline=_day(r[2])) for r in todo.drafts]
        if todo.unvisited:
            parts.append(t("visits.todo.unvisited"))
            parts += [t("visits.todo.school_row", school=s) for s in todo.unvisited]
        if not parts:
            return t("visits.todo.none")
        return "\n".join([t("visits.todo.head"), *parts])

    def month_text(self) -> str:
        today = self.today()
        progress, names = monthly_report.month_progress(self._session, self._inspector(), today)
        if progress.semester_short:
            short = "、".join(names[i] for i in progress.semester_short)
            semester = t("visits.month.semester_short", count=len(progress.semester_short), schools=short)
        else:
            semester = t("visits.month.semester_ok")
        text = t(
            "visits.month.text",
            month=monthly_report.month_label(month_of(today)),
            visits=progress.month_visits,
            done=progress.month_done,
            schools=progress.schools,
            per_month=progress.per_month_target,
            floor=progress.semester_floor,
            semester=semester,
        )
        if progress.month_short:
            text += t("visits.month.unvisited", schools="、".join(names[i] for i in progress.month_short))
        return text

    # --- one-message logging ---------------------------------------------------------------------------------

    def _listed(self) -> bool:
        """Whether a numbered list of schools was just shown (only then is `3号` a school)."""
        try:
            return bool(self._kv.get(f"visits:listed:{self.openid}"))
        except KVUnavailable:
            return False

    def showed_list(self) -> None:
        with contextlib.suppress(KVUnavailable):
            self._kv.set(f"visits:listed:{self.openid}", "1", ttl=LIST_SHOWN_TTL)

    def read(self, text: str) -> vt.VisitReading:
        """A message as the inspector's own words about their own schools."""
        names = self.names()
        return vt.read_visit(
            text, names.mine, self.today(), working_calendar(self._session), names.resolver, listed=self._listed()
        )

    def log_text(
        self,
        text: str,
        *,
        school_id: int | None = None,
        visited_on: date | None = None,
        urgent: bool = False,
        source: str = "chat",
        extra: dict[str, Any] | None = None,
    ) -> Answer:
        """Read a message and record the visit, or ask about the one thing that is not clear."""
        reading = self.read(text)
        pending: dict[str, Any] = {
            "text": text,
            "school_id": school_id,
            "visited_on": visited_on and visited_on.isoformat(),
        }
        pending |= {"urgent": urgent, "source": source, "extra": extra or {}}
        resumed = school_id is not None or visited_on is not None or source != "chat"
        if not resumed and not urgent:
            if reading.message == vt.PLAN:
                if vt.says_intention(text):
                    # a plan records nothing and asks nothing: its words are no observation of a visit
                    return Answer(t("visits.plan"))
                # a day ahead (明天去城关二小看食堂): perhaps a slip for another day, so the day is asked
                return Answer(t("visits.plan_ahead"), "date", (), pending | {"school_id": reading.school_id})
            if reading.message == vt.QUESTION:
                return Answer(self.question_answer(reading))
            if reading.message == vt.CORRECTION:
                return Answer(t("visits.correct.nothing"))
            if reading.message in (vt.THANKS, vt.CHAT):
                return Answer(t(f"visits.chat.{reading.message}"))
            added = self._follow_up(reading, text)
            if added is not None:
                return added
        if school_id is None:
            asked = self._ask_school(reading, pending)
            if asked is not None:
                return asked
            school_id = reading.school_id
        if visited_on is None:
            if reading.visit_date.problem:
                key = {
                    vt.DATE_INVALID: "visits.ask.date_invalid",
                    vt.DATE_FUTURE: "visits.ask.date_future",
                    vt.DATE_CONFLICT: "visits.ask.date_conflict",
                    vt.DATE_VAGUE: "visits.ask.date_vague",
                }[reading.visit_date.problem]
                return Answer(t(key, said=reading.visit_date.said), "date", (), pending | {"school_id": school_id})
            visited_on = reading.visited_on
        if vt.DEADLINE_PAST in reading.unclear:
            return Answer(t("visits.ask.deadline_past"))
        assert school_id is not None and visited_on is not None
        if visited_on != reading.visited_on:  # the day came from an answer: deadlines count from it
            names = self.names()
            reading = vt.read_visit(text, names.mine, visited_on, working_calendar(self._session), names.resolver)
        extra = extra or {}
        draft = VisitDraft(
            unit_id=school_id,
            visited_on=visited_on,
            kind=str(extra.get("kind") or reading.kind),
            items=sorted(set(reading.items) | set(extra.get("items", []))),
            observations=reading.observations,
            problems=list(reading.problems),
            requirement=reading.requirement,
            deadline=reading.deadline.on if reading.deadline else None,
            urgent=urgent or reading.urgent,
            raw_text=text,
            source=source,
            photos=list(extra.get("photos", [])) + self._take_pending("photos"),
            location=_location(extra.get("location")) or _location(self._take_pending("location")),
            findings=_findings(reading),
        )
        if draft.location is None:
            draft.location = self._recent_location_event()
        return Answer(self._record(draft))

    def _follow_up(self, reading: vt.VisitReading, text: str) -> Answer | None:
        """`看了食堂，很干净` moments after a record, naming no school or day: it adds to that record."""
        if reading.school.problem != vt.SCHOOL_MISSING or reading.visit_date.said:
            return None
        if not (reading.items or reading.problems or reading.observations):
            return None
        visit = visits.follow_up_visit(self._session, self._inspector(), self._now())
        if visit is None:
            return None
        drafts = visits.add_to_visit(
            self._session,
            visit,
            observations=reading.observations,
            problems=reading.problems,
            items=reading.items,
            raw_text=text,
            findings=_findings(reading) or (),
            now=self._now(),
        )
        school = self._school_name(visit.unit_id)
        return Answer(
            self.summary(
                visit, school, [d.number for d in drafts], reading.deadline.on if reading.deadline else None, added=True
            )
        )

    def question_answer(self, reading: vt.VisitReading) -> str:
        """A question (`…的整改报告交上来了吗？`) answered from 待办: the school's open items, or the whole list."""
        if reading.school_id is None:
            return t("visits.question.general", todo=self.todo_text())
        rows = [
            t(
                "visits.question.row",
                number=r.number,
                problem=r.problem,
                state=t(f"rect.state.{r.state}"),
                deadline=_day(r.deadline),
            )
            for r in visits.open_items_at(self._session, reading.school_id)
        ]
        school = self._school_name(reading.school_id)
        if not rows:
            return t("visits.question.none", school=school)
        return t("visits.question.items", school=school, rows="\n".join(rows))

    def _ask_school(self, reading: vt.VisitReading, pending: dict[str, Any]) -> Answer | None:
        problem = reading.school.problem
        if problem is None:
            return None
        said = reading.school.said
        if problem in (vt.SCHOOL_UNKNOWN, vt.SCHOOL_UNSURE):
            other = visits.someone_elses_school(self._session, self._inspector(), said)
            if other and problem == vt.SCHOOL_UNKNOWN:
                return Answer(t("visits.not_yours", school=other))
            if other and not reading.school.candidates:
                return Answer(t("visits.not_yours", school=other))
        self.showed_list()
        if problem == vt.SCHOOL_AMBIGUOUS:
            ids = reading.school.candidates
            text = t("visits.ask.school_which", said=said, choices=self.school_choices(ids))
        elif problem == vt.SCHOOL_UNSURE and reading.school.candidates:
            ids = reading.school.candidates  # a homophone or a slip: one word ("是") takes the best candidate
            pending = pending | {"confirm": ids[0]}
            text = t(
                "school_names.confirm", said=said, school=self._school_name(ids[0]), choices=self.school_choices(ids)
            )
        elif problem == vt.SCHOOL_UNSURE:
            ids = reading.school.candidates
            text = t("visits.ask.school_unsure", said=said, choices=self.school_choices(ids))
        elif problem == vt.SCHOOL_UNKNOWN:
            ids = tuple(s.unit_id for s in self.schools())
            text = t("visits.ask.school_unknown", said=said, choices=self.school_choices())
        else:
            ids = tuple(s.unit_id for s in self.schools())
            text = t("visits.ask.school", choices=self.school_choices())
        return Answer(text, "school", ids, pending | {"said": said})

    def answer_school(self, pending: dict[str, Any], reply: str) -> Answer:
        """The inspector answered "which school": a number from the list, "是" to a near miss, or a name. The
        words they had used are remembered for them (said back once)."""
        unit_id = self._chosen_school(pending, reply)
        if unit_id is None:
            return Answer(t("visits.ask.bad_number"), "school", tuple(pending.get("choices", ())), pending)
        learned = school_names.learn_alias(self._session, self._inspector(), str(pending.get("said") or ""), unit_id)
        answer = self._resume(pending, school_id=unit_id)
        return replace(answer, text=f"{learned}\n\n{answer.text}") if learned else answer

    def _chosen_school(self, pending: dict[str, Any], reply: str) -> int | None:
        if pending.get("confirm") and vt.is_yes(reply):
            return int(pending["confirm"])
        chosen = _number(reply)
        school = next((s for s in self.schools() if s.number == chosen), None)
        if school is not None:
            return school.unit_id
        found = self.names().find(reply)
        return found.school_id if found.kind is Kind.EXACT else None

    def answer_date(self, pending: dict[str, Any], reply: str) -> Answer:
        found = vt.find_date(vt.normalise(reply), self.today())
        if found.on is None or not found.said:
            return Answer(t("visits.ask.date"), "date", (), pending)
        return self._resume(pending, visited_on=found.on)

    def is_new_visit(self, text: str) -> bool:
        """A whole visit message sent while a question is open: taken as new, not as the answer."""
        if len(vt.normalise(text)) < 8:
            return False
        reading = self.read(text)
        return (
            reading.message == vt.VISIT
            and reading.school_id is not None
            and bool(reading.items or reading.problems or reading.observations)
        )

    def school_in(self, text: str) -> int | None:
        """The inspector's school a short text names exactly (`某某初中` in a correction), else None."""
        found = self.names().find(vt.normalise(text))
        return found.school_id if found.kind is Kind.EXACT else None

    def resume(self, pending: dict[str, Any], **changes: Any) -> Answer:
        """An open question's message again, with what the inspector has since said."""
        return self._resume(pending, **changes)

    def example_school(self) -> str:
        """One of the inspector's schools as people say it, for the help's examples."""
        schools = self.schools() if self.inspector_id is not None else []
        if not schools:
            return ""
        first = schools[0]
        county = school_names.authority_names(current_authority(self._session), [s.name for s in schools])
        return first.short_name or everyday_name(first.name, list(county))

    def has_drafts(self) -> bool:
        return bool(visits.pending_drafts(self._session, self._inspector()))

    def correct_last(self, text: str) -> str:
        """不对，是…: the open draft (of `整改 …`) or the record just made gets the school or the day now named."""
        visit = visits.recent_visit(self._session, self._inspector(), self._now())
        school = self.school_in(text)
        drafts = visits.pending_drafts(self._session, self._inspector())
        if drafts and school is not None and (visit is None or drafts[-1].visit_id != visit.id):
            draft = visits.move_draft(self._session, drafts[-1], school)  # the open draft of 整改 …
            return t("visits.correct.draft", number=draft.number, school=self._school_name(school))
        if visit is None:
            raise VisitError("visits.correct.nothing")
        day = vt.find_date(vt.normalise(text), self.today())
        if school is None and (day.on is None or not day.said):
            raise VisitError("visits.correct.what")
        visits.move_visit(
            self._session,
            visit,
            unit_id=school,
            visited_on=day.on if day.said else None,
            now=self._now(),
        )
        return t(
            "visits.correct.done", number=visit.id, school=self._school_name(visit.unit_id), date=_day(visit.visited_on)
        )

    def _resume(self, pending: dict[str, Any], **changes: Any) -> Answer:
        state = {**pending, **changes}
        visited = state.get("visited_on")
        return self.log_text(
            str(state["text"]),
            school_id=state.get("school_id"),
            visited_on=visited if isinstance(visited, date) else (date.fromisoformat(visited) if visited else None),
            urgent=bool(state.get("urgent")),
            source=str(state.get("source") or "chat"),
            extra=dict(state.get("extra") or {}),
        )

    def _record(self, draft: VisitDraft) -> str:
        logged = visits.log_visit(self._session, inspector_id=self._inspector(), draft=draft, now=self._now())
        return self.summary(logged.visit, logged.school, [d.number for d in logged.drafts], draft.deadline)

    def summary(
        self, visit: Visit, school: str, drafts: list[str], deadline: date | None, *, added: bool = False
    ) -> str:
        items = {str(i["code"]): str(i["name"]) for i in self._items()}
        today = self.today()
        day = _day(visit.visited_on)
        text = t(
            "visits.summary.added" if added else "visits.summary",
            number=f"#{visit.id}",
            school=school,
            date=t("visits.date.today", date=day) if visit.visited_on == today else t("visits.date.plain", date=day),
            kind=t(f"visits.kind.{visit.kind}"),
            items="、".join(items.get(c, c) for c in visit.items) or t("visits.summary.unknown_items"),
            seen=visit.observations or t("visits.summary.none"),
            problems="；".join(p for p in visit.problems.split("\n") if p) or t("visits.summary.none"),
            deadline=_day(deadline) if deadline else t("visits.summary.none"),
        )
        photos = len([m for m in visits.media.media_of(self._session, "visit", visit.id) if m.kind == "image"])
        if photos or visit.checkin_latitude is not None:
            text += t("visits.summary.evidence", photos=photos, where=self._where(visit))
        if drafts:
            text += t("visits.summary.drafts", numbers="、".join(drafts))
        if visit.urgent:
            text += t("visits.summary.urgent")
        return text + t("visits.summary.tail")

    @staticmethod
    def _where(visit: Visit) -> str:
        if visit.checkin_latitude is None:
            return ""
        if visit.checkin_distance_m is None:
            return t("visits.summary.where_unknown")
        key = "visits.summary.where_far" if visit.far_from_school else "visits.summary.where"
        return t(key, distance=round(visit.checkin_distance_m))

    # --- evidence --------------------------------------------------------------------------------------------

    def _pending_key(self, what: str) -> str:
        return f"visits:pending:{what}:{self.openid}"

    def _take_pending(self, what: str) -> Any:
        try:
            raw = self._kv.get(self._pending_key(what))
            if raw:
                self._kv.delete(self._pending_key(what))
        except KVUnavailable:
            return [] if what == "photos" else None
        if not raw:
            return [] if what == "photos" else None
        return json.loads(raw)

    def _keep_pending(self, what: str, value: Any) -> None:
        with contextlib.suppress(KVUnavailable):
            if what == "photos":
                raw = self._kv.get(self._pending_key(what))
                value = [*(json.loads(raw) if raw else []), value]
            self._kv.set(self._pending_key(what), json.dumps(value), ttl=PENDING_TTL)

    def _recent_location_event(self) -> tuple[float, float] | None:
        """WeChat's own location report (sent while the chat is open, if the user allowed it), as a check-in."""
        try:
            raw = self._kv.get(f"wechat:location:{self.openid}")
        except KVUnavailable:
            return None
        if not raw:
            return None
        where = json.loads(raw)
        try:
            return float(where["lat"]), float(where["lng"])
        except (KeyError, TypeError, ValueError):
            return None

    def _recent(self) -> Visit | None:
        now = self._now()
        visit = visits.recent_visit(self._session, self._inspector(), now)
        if visit is None:
            last = self._session.query(Visit).filter(Visit.inspector_id == self._inspector())
            candidate = last.filter(Visit.revoked_at.is_(None)).order_by(Visit.id.desc()).first()
            if candidate is not None and now - candidate.created_at <= EVIDENCE_WINDOW:
                visit = candidate
        return visit

    def add_photo(self, media_id: str) -> str:
        visit = self._recent()
        if visit is None:
            self._keep_pending("photos", media_id)
            return t("visits.photo.pending")
        visits.attach_photo(self._session, visit, media_id)
        return t("visits.photo.attached", school=self._school_name(visit.unit_id), date=_day(visit.visited_on))

    def add_location(self, latitude: float, longitude: float) -> str:
        visit = self._recent()
        if visit is None:
            self._keep_pending("location", [latitude, longitude])
            return t("visits.location.pending")
        distance = visits.check_in(self._session, visit, latitude, longitude)
        school = self._school_name(visit.unit_id)
        if distance is None:
            return t("visits.location.attached_unknown", school=school)
        key = "visits.location.attached_far" if visit.far_from_school else "visits.location.attached"
        return t(key, school=school, distance=round(distance))

    def _school_name(self, unit_id: int) -> str:
        return next((s.name for s in self.schools() if s.unit_id == unit_id), "")

    # --- corrections and findings ----------------------------------------------------------------------------

    def undo(self) -> str:
        try:
            visit = visits.revoke_last(self._session, self._inspector(), self._now())
        except VisitError as refused:
            return refused.message
        withdrew = self._withdrew(visit)
        return t(
            "visits.undo.done",
            school=self._school_name(visit.unit_id),
            date=_day(visit.visited_on),
            withdrawn=t("visits.undo.withdrawn") if withdrew else "",
        )

    def _withdrew(self, visit: Visit) -> bool:

        from backend.store.models import AuditEvent

        event = self._session.scalar(
            select(AuditEvent)
            .where(AuditEvent.subject_type == "visit", AuditEvent.subject_id == visit.id)
            .where(AuditEvent.action == "visit.revoked")
            .order_by(AuditEvent.id.desc())
        )
        return bool(event and event.detail.get("withdrawn"))

    def propose(self, text: str) -> str:
        """`整改 <school> <problem> <deadline>`."""
        body = vt.normalise(text)
        if not body:
            return t("visits.rect.usage")
        finding = self.names().find(body)
        if finding.kind is Kind.AMBIGUOUS or (finding.kind is Kind.FUZZY and finding.candidates):
            asked = "visits.ask.school_which" if finding.kind is Kind.AMBIGUOUS else "visits.ask.school_unsure"
            choices = self.school_choices(finding.candidates)
            return t("visits.rect.usage") + "\n" + t(asked, said=finding.said, choices=choices)
        if finding.school_id is None:
            other = visits.someone_elses_school(self._session, self._inspector(), finding.said or body)
            if other:
                return t("visits.not_yours", school=other)
            return t("visits.rect.usage") + "\n" + t("visits.ask.school", choices=self.school_choices())
        typed = Typed.of(text.strip()).without(finding.said)  # the problem is kept as typed
        rest = vt.normalise(typed.folded)
        cal = working_calendar(self._session)
        deadline = vt.find_deadline(rest, self.today(), cal) or vt.find_deadline(rest, self.today(), cal, bare=True)
        if deadline is None or deadline.on < self.today():
            return t("visits.rect.no_deadline")
        problem, to_do = vt.problem_and_requirement(typed.without(deadline.said).typed.strip())
        if not problem:
            return t("visits.rect.no_problem")
        items = vt.find_items(problem)
        draft = visits.propose_finding(
            self._session,
            inspector_id=self._inspector(),
            unit_id=finding.school_id,
            problem=problem,
            requirement=to_do or t("visits.requirement.default"),
            deadline=deadline.on,
            item=items[0] if len(items) == 1 else None,
            urgent=bool(vt.URGENT.search(problem)),
            now=self._now(),
        )
        return t(
            "visits.rect.drafted",
            number=draft.number,
            school=self._school_name(finding.school_id),
            problem=problem,
            deadline=_day(deadline.on),
        )

    def confirm_drafts(self, choice: str = "") -> str:
        drafts = visits.pending_drafts(self._session, self._inspector())
        if not drafts:
            return t("visits.rect.none")
        ids = None
        number = _number(choice) if choice else None
        if number is not None:
            if not 1 <= number <= len(drafts):
                return self._draft_list(drafts)
            ids = [drafts[number - 1].id]
        issued = visits.issue_drafts(self._session, self._inspector(), ids, now=self._now())
        return t("visits.rect.issued", numbers="、".join(r.number for r in issued))

    def discard_drafts(self) -> str:
        drafts = visits.pending_drafts(self._session, self._inspector())
        if not drafts:
            return t("visits.rect.none")
        numbers = [d.number for d in drafts]
        for d in drafts:
            record(
                self._session,
                f"inspector:{self._inspector()}",
                "rectification.withdrawn",
                "rectification",
                d.id,
                number=d.number,
            )
            self._session.delete(d)
        return t("visits.rect.discarded", numbers="、".join(numbers))

    def _draft_list(self, drafts: list[Any]) -> str:
        rows = "\n".join(
            t(
                "visits.rect.row",
                n=n,
                number=d.number,
                school=self._school_name(d.unit_id),
                problem=d.problem,
                deadline=_day(d.deadline),
            )
            for n, d in enumerate(drafts, start=1)
        )
        return t("visits.rect.choose", count=len(drafts), rows=rows)

    def forget_alias(self, phrase: str) -> str:
        """`忘记 <叫法>`; without a phrase, the names the inspector taught and how to forget one."""
        if not phrase:
            taught = school_names.aliases_text(self._session, self._inspector())
            usage = t("school_names.forget_usage")
            return f"{taught}\n\n{usage}" if taught else t("school_names.none") + "\n" + usage
        return school_names.forget_alias(self._session, self._inspector(), phrase)

    # --- the guided dialogue ---------------------------------------------------------------------------------

    def dialogue_kind(self, reply: str) -> str | None:
        number = _number(reply)
        if number is None or not 1 <= number <= len(DIALOGUE_KINDS):
            return None
        return DIALOGUE_KINDS[number - 1].value

    def dialogue_items(self, reply: str) -> list[str] | None:
        codes = {str(i["code"]) for i in self._items()}
        chosen = _numbers(reply)
        if all(len(c) == 1 for c in codes):  # "67" typed with one finger means 6 and 7 when every item is one digit
            chosen = [d for c in chosen for d in c]
        if not chosen or any(c not in codes for c in chosen):
            return None
        return sorted(set(chosen))

    def dialogue_school(self, reply: str) -> int | None:
        """记录's first step: a number from the list, or a school's name as the inspector says it."""
        number = _number(reply)
        chosen = next((s.unit_id for s in self.schools() if s.number == number), None)
        if chosen is None:
            found = self.names().find(reply)
            chosen = found.school_id if found.kind is Kind.EXACT else None
        return chosen

    def dialogue_finish(self, data: dict[str, Any]) -> Answer:
        """完成: the dialogue's answers become the same record a message would."""
        text = str(data.get("text") or "")
        extra = {
            "kind": data.get("kind"),
            "items": data.get("items", []),
            "photos": data.get("photos", []),
            "location": data.get("location"),
        }
        return self.log_text(text, school_id=int(data["school_id"]), source="dialogue", extra=extra)


def _day(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _number(text: str) -> int | None:
    digits = vt.normalise(text).strip("。.号")
    value = vt.to_int(digits)
    return value


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d+", unicodedata.normalize("NFKC", text))


def _location(value: Any) -> tuple[float, float] | None:
    if not value:
        return None
    return float(value[0]), float(value[1])


def _findings(reading: vt.VisitReading) -> list[visits.FindingDraft] | None:
    """Each problem with a deadline becomes its own draft; its 整改要求 says what must be done."""
    if not reading.findings:
        return None
    return [
        visits.FindingDraft(f.problem, f.to_do or t("visits.requirement.default"), f.deadline.on)
        for f in reading.findings
        if f.deadline is not None
    ]


def everyday_name(name: str, names: list[str]) -> str:
    """An official name as people say it, for the help's examples (青禾县城关镇第二小学 -> 城关镇第二小学)."""
    for prefix in sorted(names, key=len, reverse=True):
        if name.startswith(prefix) and len(name) - len(prefix) >= 3:
            return name[len(prefix) :]
    return name
