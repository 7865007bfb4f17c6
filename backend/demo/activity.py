"""The demo county's recent past: three months of visits, public concerns and rectifications, up to today.

`load_demo_activity(session, ...)` plans a seeded script of what inspectors, parents, schools and the office did
(relative to today, in Asia/Shanghai working days), then plays it in time order through the real use cases
(`visits`, `concerns`, `rectifications`, `escalations`), passing `now=` the moment of each step. Every working
morning of the script, and once at the end, the deadline sweep runs as the worker would have, so the 督办通知, the
proposed 约谈 and the concern that climbed to the zone leader come from the real rules, and the live sweep that
starts with the demo finds nothing left to do.

The script is played by moving the database's clock (a `SettableClock`) to each step's moment: what the use cases
write without a `now=` of their own (audit events, the visit a re-inspection records, outbox rows, the concern's
`acknowledged_at`…) takes the moment from the clock, as it would have on the day. Nothing is patched afterwards.

Pushes queued by the history are marked sent (with the moment they were queued), not deleted: the outbox is the
sent-log that every dedupe key is checked against, so deleted rows would be queued again by the first live sweep
and the demo's fake WeChat would receive a backlog of months-old notices. Nothing is ever pushed for them.

The demo accounts of the office web (`DEMO_ACCOUNTS`) are made here too, through `office_users.create_user`.
Both refuse to touch a database whose authority is not the demo county's. The texts below are the demo's data
(like the county's names in `backend.demo.county`), not words of the interface.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from backend.clock import SettableClock
from backend.demo.county import AUTHORITY_NAME
from backend.domain import concern as concern_rules
from backend.domain.calendar import SHANGHAI, WorkingCalendar, local_date
from backend.domain.kinds import ConcernState, OutboxState, UnitKind, VisitKind
from backend.domain.scenes import school_scene
from backend.kv import KV, MemoryKV
from backend.services import concerns, escalations, identity, office_users
from backend.services import rectifications as rect_service
from backend.services import visits as visit_service
from backend.services.audit import record
from backend.services.authority import current_authority
from backend.services.calendar import working_calendar
from backend.services.rule_sql import rectification_overdue
from backend.store.db import session_clock
from backend.store.models import (
    Assignment,
    AuditEvent,
    Concern,
    Escalation,
    OfficeUser,
    OutboxMessage,
    Rectification,
    Unit,
    Visit,
)
from messages import t

SEED = 20260901
MARKER = "demo_activity.loaded"
ACTOR = "system:demo"
HISTORY_DAYS = 91  # about three months back from today
OFFICE_ACTOR = "office:admin"


class NotTheDemo(RuntimeError):
    """The database is not the demo county's: no made-up accounts or history go into it."""


def _require_demo_county(session: Session) -> None:
    if current_authority(session).name != AUTHORITY_NAME:
        raise NotTheDemo("the demo's accounts and history go only into the demo county's database")


# --- the office web's demo accounts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: office_users.OfficeRole
    zone_name: str | None = None


# demo-only passwords, printed by `dudao demo`: the demo database is the only one they are ever written to
DEMO_ADMIN = DemoAccount("admin", "demo-office-2026", office_users.OfficeRole.OFFICE)
DEMO_LEADER = DemoAccount("zuzhang", "demo-zone-2026", office_users.OfficeRole.ZONE_LEADER, "城关第一责任区")
DEMO_ACCOUNTS = (DEMO_ADMIN, DEMO_LEADER)


def ensure_demo_accounts(session: Session) -> int:
    """Create the demo's office admin and zone leader if missing; returns how many were created. Commits each."""
    _require_demo_county(session)
    created = 0
    for account in DEMO_ACCOUNTS:
        if session.scalar(select(OfficeUser.id).where(OfficeUser.username == account.username)) is not None:
            continue
        display = t(f"cli.demo.account.{account.role.value}", zone=account.zone_name or "")
        office_users.create_user(
            session,
            username=account.username,
            password=account.password,
            role=account.role,
            zone_name=account.zone_name,
            display_name=display,
            actor=ACTOR,
        )
        created += 1
    return created


# --- what people wrote (demo data) ----------------------------------------------------------------------------

OBSERVATIONS: dict[str, tuple[str, ...]] = {
    "1": ("查阅了学校章程和“三重一大”会议记录，制度公示齐全", "校务公开栏按月更新，家委会活动记录完整"),
    "2": ("核对了本学期收费公示，项目和标准与批复一致", "查看了招生入学台账，未发现违规择校"),
    "3": ("随机听课两节，国家课程开齐开足", "核对了课程表，体育、音乐、美术课按表上课"),
    "4": ("抽查三个班的作业量，书面作业时长符合规定", "大课间组织有序，每天锻炼一小时落实到位"),
    "5": ("与五位教师座谈，师德承诺书签订齐全", "查阅了校本研修记录，本学期培训按计划开展"),
    "6": ("检查了门卫值守和访客登记，上下学时段有护学岗", "查看了消防器材和疏散通道，器材在有效期内"),
    "7": ("检查了食堂留样和进货台账，记录完整", "查看了宿舍卫生和饮水设备消毒记录，陪餐记录齐全"),
    "8": ("校园文化有特色，学生文明礼仪较好", "与学生座谈，学习氛围较浓，课堂纪律良好"),
}
PROBLEMS: dict[str, tuple[tuple[str, str], ...]] = {
    "1": (("校务公开栏未公示本学期收支情况", "在校务公开栏补充公示本学期收支情况"),),
    "2": (("教辅资料征订未执行“一教一辅、自愿征订”", "清理征订名单，退还违规收取的资料费并公示"),),
    "3": (("个别班级体育课被语文课占用", "严格按课程表上课，不得挤占音体美课程"),),
    "4": (
        ("初三年级周末组织集体补课", "立即停止周末集体补课，并向家长说明"),
        ("部分班级书面作业量超标", "落实作业公示制度，控制书面作业总量"),
    ),
    "5": (("有家长反映个别教师言语不当", "对相关教师进行师德谈话，书面报告整改情况"),),
    "6": (
        ("消防通道堆放杂物，两具灭火器过期", "清理消防通道，更换过期灭火器"),
        ("校门口上下学时段无护学岗", "落实上下学护学岗，联系交警设置警示标志"),
        ("围墙一处破损，存在安全隐患", "修缮围墙，修缮前设置警示和围挡"),
    ),
    "7": (
        ("食堂留样记录不全，部分样品不足125克", "规范留样操作，指定专人负责留样记录"),
        ("宿舍饮水机滤芯逾期未换", "更换滤芯并建立更换台账"),
        ("食堂后厨防蝇防鼠设施不到位", "完善防蝇防鼠设施，加强日常检查"),
    ),
    "8": (("课间追逐打闹较多，值周管理不到位", "加强课间巡查和值周管理"),),
}
KINDERGARTEN_ITEMS = ("1", "5", "6", "7")
CONCERN_TEXTS: dict[str, tuple[str, ...]] = {
    "1": ("家委会成员是校长指定的，家长不知道是怎么选出来的，管理不透明。",),
    "2": (
        "学校让家长在班级群里交资料费，说是自愿，但不交的孩子就没有资料，这算乱收费吗？",
        "开学要求统一购买校服和被褥，价格比外面贵很多，收费有没有公示？",
    ),
    "3": ("体育课经常被语文数学老师占用，孩子这学期没上几节体育课。",),
    "4": (
        "孩子每天作业要写到晚上十一点，负担太重了，希望学校减少作业。",
        "周六学校组织初三学生补课，每人收两百元补课费。",
    ),
    "5": (
        "班主任在家长群里点名批评孩子，话说得很难听，老师态度让家长很难接受。",
        "有老师在校外办辅导班，暗示学生参加有偿家教。",
    ),
    "6": (
        "放学时校门口车辆乱停，接送孩子很危险，希望安排人疏导交通。",
        "学校后面的围墙塌了一段，孩子们从那里进出，存在安全隐患。",
    ),
    "7": (
        "食堂饭菜里吃出虫子，孩子回家说好几次了。",
        "宿舍厕所没人打扫，卫生很差，孩子回家说有异味。",
        "学校饮水机很久没换滤芯，孩子喝了肚子不舒服。",
    ),
    "8": ("班上风气不好，有学生课上玩手机，老师也不管。",),
}
# how often each item comes up in what parents write (food, safety, fees and homework lead)
CONCERN_WEIGHTS = {"1": 1, "2": 4, "3": 2, "4": 4, "5": 3, "6": 4, "7": 6, "8": 1}
ANSWERS: dict[str, str] = {
    "1": "已向学校了解情况，学校将按规定重新推选家委会成员并公示结果。",
    "2": "经核实，学校已停止统一征订，已收取的费用全额退还，并在校务公开栏公示。感谢您的监督。",
    "3": "经核实情况属实，已要求学校严格按课程表上课，体育课不得挤占，我们将随机抽查。",
    "4": "已约谈学校分管校长，学校已停止周末集体补课并调整作业总量，我们将持续跟踪。",
    "5": "已向学校反馈，学校已对相关教师进行师德谈话，并向家长当面致歉。",
    "6": "已督促学校落实上下学护学岗，并协调交警在校门口设置临时停车区。",
    "7": "已到学校食堂现场检查，督促学校整改并加强食品安全管理，后续将复查。",
    "8": "已向学校反馈，学校将加强课堂纪律和学生手机管理。",
}
NOT_SUBSTANTIATED = (
    "经现场核实，学校收费项目均经批准并已公示，未发现所反映的情况。",
    "经调阅监控并询问师生，未发现所反映的情况，已向学校了解并说明。",
)
REFERRED_TO = {"6": "县公安局交警大队", "7": "县市场监督管理局"}
REPORTS = (
    "已按要求完成整改，附整改前后照片。",
    "已组织专项整改，并建立长效管理台账。",
    "整改已完成，相关制度已修订，请督学复查。",
)
REOPEN_REASONS = ("现场复查发现问题仍未彻底解决，需继续整改。", "整改报告缺少佐证材料，复查时问题依然存在。")
EXTENSION_REASON = "维修需等待专业施工队进场，申请延期一周。"
URGENT = ("教学楼外墙瓷砖脱落，下方是学生通道，存在重大安全隐患", "立即设置隔离区域，两个工作日内完成修缮")
HANDLING = {
    "acknowledge": ConcernState.ACKNOWLEDGED,
    "verify": ConcernState.VERIFYING,
    "answer": ConcernState.ANSWERED,
    "not_substantiated": ConcernState.NOT_SUBSTANTIATED,
    "refer": ConcernState.REFERRED,
    "close": ConcernState.CLOSED,
}
TALK_RECORD = {
    "attendees": "督导室主任、责任督学、学校校长及分管副校长",
    "summary": "通报了整改逾期情况，听取学校说明，指出问题根源在于管理责任不落实。",
    "commitments": "学校承诺在新期限内完成整改，并建立长效管理制度。",
}


# --- the clock ------------------------------------------------------------------------------------------------


class _Playback:
    """Plays the script by moving the database's clock: each step's use cases, their audit events, outbox rows and
    `created_at`/`updated_at` columns take the step's moment from the clock, as they would have on the day.

    Before the clock moves on, what the previous step wrote is flushed (column defaults are read at flush time)
    and the pushes it queued are marked sent at their moment.
    """

    def __init__(self, session: Session, clock: SettableClock) -> None:
        self.session, self.clock = session, clock
        self.pushes = 0
        self._inserted = False
        self._after = session.scalar(select(func.max(OutboxMessage.id))) or 0
        event.listen(session, "do_orm_execute", self._watch)

    def close(self) -> None:
        event.remove(self.session, "do_orm_execute", self._watch)

    def to(self, moment: datetime) -> None:
        """Move on to `moment`, once what was written at the previous one carries its time."""
        self.settle()
        self.clock.set(moment)

    def _watch(self, state: ORMExecuteState) -> None:
        if state.is_insert:
            self._inserted = True

    def unsent(self) -> int:
        """Pushes queued since the playback started that are still waiting (none, once settled)."""
        query = select(func.count(OutboxMessage.id)).where(
            OutboxMessage.id > self._after, OutboxMessage.state == OutboxState.PENDING.value
        )
        return self.session.scalar(query) or 0

    def settle(self) -> None:
        """Flush, and mark the pushes queued at the current moment as sent at that moment."""
        self.session.flush()
        if not self._inserted:
            return
        self._inserted = False
        done = self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id > self._after, OutboxMessage.state == OutboxState.PENDING.value)
            .values(state=OutboxState.SENT.value, attempts=1, sent_at=self.clock.now())
            .execution_options(synchronize_session=False)
        )
        self.pushes += int(getattr(done, "rowcount", 0) or 0)


# --- the script -----------------------------------------------------------------------------------------------


@dataclass(order=True)
class _Step:
    at: datetime
    order: int
    run: Callable[[datetime], None] = field(compare=False)


@dataclass
class _Ref:
    """What an earlier step made, for the later steps of the same story."""

    id: int | None = None
    ticket: str = ""
    scripted: bool = False  # its steps are written out by a story, not drawn at random


@dataclass(frozen=True)
class _School:
    unit_id: int
    code: str
    short_name: str
    kindergarten: bool
    latitude: float | None
    longitude: float | None
    students: int
    inspector_id: int


@dataclass
class ActivityLoad:
    """What the history added (all zero when it was there already)."""

    loaded: bool
    visits: int = 0
    concerns: int = 0
    rectifications: int = 0
    escalations: int = 0
    pushes_marked_sent: int = 0


def local_moment(day: date, hour: int, minute: int = 0) -> datetime:
    """An Asia/Shanghai wall-clock time on `day`, as the aware UTC moment the database keeps."""
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI).astimezone(UTC)


def in_term(day: date) -> bool:
    """Roughly when schools are open: not the winter (late Jan to mid Feb) or summer (mid Jul to Aug) holidays."""
    if day.month == 8 or (day.month == 7 and day.day > 10):
        return False
    return not ((day.month == 1 and day.day > 20) or (day.month == 2 and day.day < 20))


class _History:
    """Plans the seeded script relative to `now`, then plays it in time order."""

    def __init__(
        self, session: Session, kv: KV, pepper: str, media_dir: Path, clock: SettableClock, now: datetime, seed: int
    ) -> None:
        self.clock = clock
        self.session, self.kv, self.pepper, self.media_dir = session, kv, pepper, media_dir
        self.now = now
        self.today = local_date(now)
        self.start = self.today - timedelta(days=HISTORY_DAYS)
        self.rng = random.Random(seed)
        self.calendar: WorkingCalendar = working_calendar(session)
        self.authority = current_authority(session)
        self.steps: list[_Step] = []
        self._order = itertools.count()
        self._openids = itertools.count(1)
        self.schools = self._schools()

    # planning helpers

    def at(self, moment: datetime, run: Callable[[datetime], None]) -> None:
        """Add a step; steps after now did not happen (yet), and are left out."""
        if moment <= self.now:
            heapq.heappush(self.steps, _Step(moment, next(self._order), run))

    def wd(self, day: date, count: int) -> date:
        """`count` working days after `day` (before it when negative)."""
        if count >= 0:
            return self.calendar.add_working_days(day, count)
        return self.calendar.subtract_working_days(day, -count)

    def school_day(self, day: date) -> bool:
        return self.calendar.is_working_day(day) and in_term(day)

    def _schools(self) -> list[_School]:
        rows = self.session.scalars(
            select(Unit).where(Unit.authority_id == self.authority.id, Unit.active.is_(True)).order_by(Unit.code)
        )
        found = []
        self._units = list(rows)  # kept in the session's identity map: the use cases look them up by id
        query = select(Assignment.unit_id, Assignment.inspector_id).where(Assignment.ends_on.is_(None))
        current: dict[int, int] = {unit_id: inspector_id for unit_id, inspector_id in self.session.execute(query)}
        for unit in self._units:
            inspector_id = current.get(unit.id)
            if not UnitKind(unit.kind).is_school or inspector_id is None:
                continue
            found.append(
                _School(
                    unit.id,
                    unit.code,
                    unit.short_name or unit.name,
                    unit.kind == UnitKind.KINDERGARTEN.value,
                    unit.latitude,
                    unit.longitude,
                    unit.student_count or 100,
                    inspector_id,
                )
            )
        return found

    # playing

    def play(self, clock: _Playback) -> None:
        while self.steps:
            step = heapq.heappop(self.steps)
            clock.to(step.at)
            step.run(step.at)
        clock.to(self.now)

    # --- the morning sweep, as the worker runs it -----------------------------------------------------------

    def plan_sweeps(self) -> None:
        """The sweep of each working morning, and one now (the worker sweeps every few minutes; the deadlines
        and the ladder move on working days, so these mornings are the moments that change anything but for a
        concern's climb after a weekend, which then happens on the Monday)."""
        for day in self._days(self.start, self.today):
            if self.calendar.is_working_day(day):
                self.at(local_moment(day, 9), self.sweep)
        self.at(self.now, self.sweep)

    def sweep(self, moment: datetime) -> None:
        concerns.sweep(self.session, moment)
        today = local_date(moment)
        if not self.calendar.is_working_day(today):
            return  # the ladder moves on working days, as in backend.jobs.rectification_sweep
        overdue = select(Rectification).where(rectification_overdue(today))
        for item in self.session.scalars(overdue.order_by(Rectification.id)).all():
            escalations.escalate_if_overdue(self.session, item, now=moment)

    # --- visits ---------------------------------------------------------------------------------------------

    def plan_visits(self) -> None:
        """Most schools once a month, some twice; a few inspectors behind; this month partly done."""
        by_inspector: dict[int, list[_School]] = {}
        for school in self.schools:
            by_inspector.setdefault(school.inspector_id, []).append(school)
        months = sorted({(d.year, d.month) for d in self._days(self.start, self.today)})
        laggards = set(self.rng.sample(sorted(by_inspector), 2))
        for inspector_id, schools in sorted(by_inspector.items()):
            diligence = 0.3 if inspector_id in laggards else self.rng.uniform(0.7, 0.98)
            for year, month in months:
                whole = [d for d in self._month_days(year, month) if self.school_day(d)]
                days = [d for d in whole if self.start <= d <= self.today]
                if not days:
                    continue
                share = len(days) / len(whole)  # this month (and the first one) only partly
                for school in schools:
                    count = int(self.rng.random() < diligence * share) + int(self.rng.random() < 0.06 * share)
                    for _ in range(count):
                        self.plan_visit(school, self.rng.choice(days))

    def _days(self, first: date, last: date) -> Iterator[date]:
        day = first
        while day <= last:
            yield day
            day += timedelta(days=1)

    def _month_days(self, year: int, month: int) -> list[date]:
        first = date(year, month, 1)
        following = (first + timedelta(days=32)).replace(day=1)
        return list(self._days(first, following - timedelta(days=1)))

    def _items(self, school: _School) -> list[str]:
        pool = KINDERGARTEN_ITEMS if school.kindergarten else tuple(OBSERVATIONS)
        return sorted(self.rng.sample(pool, self.rng.choice((1, 2, 2, 3))))

    def _location(self, school: _School) -> tuple[float, float] | None:
        """Mostly at the school (tens to a few hundred metres); a few far away; some without a location."""
        if school.latitude is None or school.longitude is None:
            return None
        roll = self.rng.random()
        if roll < 0.15:
            return None
        metres = self.rng.uniform(2500, 9000) if roll > 0.985 else self.rng.uniform(15, 300)
        bearing = self.rng.uniform(0, 2 * math.pi)
        north, east = metres * math.cos(bearing), metres * math.sin(bearing)
        latitude = school.latitude + north / 111_000
        longitude = school.longitude + east / (111_000 * math.cos(math.radians(school.latitude)))
        return round(latitude, 6), round(longitude, 6)

    def plan_visit(
        self,
        school: _School,
        day: date,
        *,
        problem: tuple[str, str, str] | None = None,
        deadline: date | None = None,
        urgent: bool = False,
        story: _Ref | None = None,
    ) -> None:
        """A visit logged that afternoon; a problem found (random, or the one given) becomes an issued item."""
        items = self._items(school)
        if problem is None and self.rng.random() < 0.11:
            code = items[0]
            found, requirement = self.rng.choice(PROBLEMS[code])
            problem = (code, found, requirement)
            deadline = self.wd(day, self.rng.choice((5, 10, 10, 15)))
        if problem is not None and problem[0] not in items:
            items = sorted({*items, problem[0]})
        observations = "；".join(self.rng.choice(OBSERVATIONS[code]) for code in items) + "。"
        kind = self.rng.choices(
            [VisitKind.ROUTINE, VisitKind.UNANNOUNCED, VisitKind.SPECIAL, VisitKind.COMPREHENSIVE], (75, 12, 8, 5)
        )[0].value
        draft = visit_service.VisitDraft(
            unit_id=school.unit_id,
            visited_on=day,
            kind=kind,
            items=items,
            observations=observations,
            problems=[problem[1]] if problem else [],
            requirement=problem[2] if problem else "",
            deadline=deadline if problem else None,
            urgent=urgent,
            raw_text=f"{school.short_name} {observations}",
            source=self.rng.choice(("chat", "chat", "dialogue")),
            location=self._location(school),
        )
        story = story or _Ref()
        logged_at = local_moment(day, self.rng.randint(15, 18), self.rng.randint(0, 59))
        if urgent:
            logged_at = local_moment(day, 10, 20)

        def log(moment: datetime) -> None:
            logged = visit_service.log_visit(self.session, inspector_id=school.inspector_id, draft=draft, now=moment)
            if logged.drafts:  # 确认整改: the inspector confirms the finding at once
                issued = visit_service.issue_drafts(
                    self.session, school.inspector_id, [d.id for d in logged.drafts], now=moment
                )
                story.id = issued[0].id

        self.at(logged_at, log)
        if problem is not None and deadline is not None and not story.scripted:
            self.plan_random_rectification(story, school, day, deadline)

    # --- rectifications -------------------------------------------------------------------------------------

    def _unit(self, school: _School) -> str:
        return f"unit:{school.unit_id}"

    def _inspector(self, school: _School) -> str:
        return f"inspector:{school.inspector_id}"

    def acknowledge(self, story: _Ref, school: _School, moment: datetime) -> None:
        def run(now: datetime) -> None:
            assert story.id is not None
            rect_service.acknowledge(self.session, story.id, actor=self._unit(school), now=now)

        self.at(moment, run)

    def report(self, story: _Ref, school: _School, moment: datetime) -> None:
        text = self.rng.choice(REPORTS)

        def run(now: datetime) -> None:
            assert story.id is not None
            rect_service.submit_report(self.session, story.id, text=text, actor=self._unit(school), now=now)

        self.at(moment, run)

    def reinspect(
        self, story: _Ref, school: _School, moment: datetime, *, passed: bool, new_deadline: date | None = None
    ) -> None:
        reason = "" if passed else self.rng.choice(REOPEN_REASONS)

        def run(now: datetime) -> None:
            assert story.id is not None
            rect_service.reinspect(
                self.session,
                story.id,
                passed=passed,
                reason=reason,
                new_deadline=new_deadline,
                inspector_id=school.inspector_id,
                actor=self._inspector(school),
                now=now,
            )

        self.at(moment, run)

    def morning(self, day: date) -> datetime:
        return local_moment(day, self.rng.randint(8, 11), self.rng.randint(0, 59))

    def afternoon(self, day: date) -> datetime:
        return local_moment(day, self.rng.randint(14, 17), self.rng.randint(0, 59))

    def plan_random_rectification(self, story: _Ref, school: _School, issued: date, deadline: date) -> None:
        """Signed the next working day, reported mostly in time, re-inspected a few days later (some reopened)."""
        if self.rng.random() < 0.85:
            self.acknowledge(story, school, self.morning(self.wd(issued, 1)))
        late = self.rng.random() < 0.08
        span = max(1, self.calendar.working_days_between(issued, deadline))
        reported = (
            self.wd(deadline, self.rng.randint(1, 3)) if late else self.wd(issued, self.rng.randint(min(2, span), span))
        )
        self.report(story, school, self.afternoon(reported))
        checked = self.wd(reported, self.rng.randint(2, 5))
        if self.rng.random() < 0.85:
            self.reinspect(story, school, self.morning(checked), passed=True)
            return
        self.reinspect(story, school, self.morning(checked), passed=False)
        # reopened: the default new deadline is 5 working days on; the unit reports again within it
        again = self.wd(checked, self.rng.randint(2, 4))
        self.report(story, school, self.afternoon(again))
        self.reinspect(story, school, self.morning(self.wd(again, self.rng.randint(1, 3))), passed=True)

    def _scripted_item(
        self, school: _School, issued: date, deadline: date, *, urgent: bool = False, problem: Any = None
    ) -> _Ref:
        story = _Ref(scripted=True)
        code = "6" if urgent else self.rng.choice(sorted(PROBLEMS))
        if problem is None:
            found, requirement = URGENT if urgent else self.rng.choice(PROBLEMS[code])
            problem = (code, found, requirement)
        self.plan_visit(school, issued, problem=problem, deadline=deadline, urgent=urgent, story=story)
        return story

    def plan_rectification_stories(self, schools: list[_School]) -> None:
        """One item in each state the office must see, whatever today is."""
        today, wd = self.today, self.wd
        # issued yesterday, not signed yet
        issued = wd(today, -1)
        self._scripted_item(schools[0], issued, wd(issued, 10))
        # signed, then granted more time
        school, issued = schools[1], wd(today, -7)
        story = self._scripted_item(school, issued, wd(issued, 10))
        self.acknowledge(story, school, self.morning(wd(issued, 1)))
        self.extension(story, school, self.afternoon(wd(today, -5)), grant_until=wd(today, 8))
        # reported, waiting for 复查
        school, issued = schools[2], wd(today, -12)
        story = self._scripted_item(school, issued, wd(issued, 10))
        self.acknowledge(story, school, self.morning(wd(issued, 1)))
        self.report(story, school, self.afternoon(wd(today, -3)))
        # reopened at 复查 with a new deadline
        school, issued = schools[3], wd(today, -16)
        story = self._scripted_item(school, issued, wd(issued, 10))
        self.acknowledge(story, school, self.morning(wd(issued, 1)))
        self.report(story, school, self.afternoon(wd(today, -8)))
        self.reinspect(story, school, self.morning(wd(today, -4)), passed=False, new_deadline=wd(today, 5))
        # closed on time
        school, issued = schools[4], wd(today, -30)
        story = self._scripted_item(school, issued, wd(issued, 10))
        self.acknowledge(story, school, self.morning(wd(issued, 1)))
        self.report(story, school, self.afternoon(wd(issued, 8)))
        self.reinspect(story, school, self.morning(wd(issued, 11)), passed=True)
        # closed late: the deadline was the last working day before a weekend, the report came on the weekend
        school, deadline = schools[5], self._before_a_day_off(wd(today, -20))
        story = self._scripted_item(school, wd(deadline, -10), deadline)
        self.acknowledge(story, school, self.morning(wd(deadline, -9)))
        self.report(story, school, local_moment(deadline + timedelta(days=1), 10, 30))
        self.reinspect(story, school, self.morning(wd(deadline, 3)), passed=True)
        # overdue: the sweep sent the 督办通知, whose new deadline is still ahead
        school, deadline = schools[6], wd(today, -3)
        story = self._scripted_item(school, wd(deadline, -10), deadline)
        self.acknowledge(story, school, self.morning(wd(deadline, -9)))
        # overdue after the 督办通知 too: the sweep proposed a 约谈, waiting for the office
        school, deadline = schools[7], wd(today, -9)
        story = self._scripted_item(school, wd(deadline, -10), deadline)
        self.acknowledge(story, school, self.morning(wd(deadline, -9)))
        # a 约谈 held by the office, the unit working to its new deadline
        school, deadline = schools[8], wd(today, -15)
        story = self._scripted_item(school, wd(deadline, -10), deadline)
        self.acknowledge(story, school, self.morning(wd(deadline, -9)))
        self.talk(story, school, self.afternoon(wd(today, -6)), new_deadline=wd(today, 4))
        # an urgent safety matter: the office alerted, fixed within two working days
        school, issued = schools[9], wd(today, -25)
        story = self._scripted_item(school, issued, wd(issued, 2), urgent=True)
        self.report(story, school, self.afternoon(wd(issued, 1)))
        self.reinspect(story, school, self.morning(wd(issued, 2)), passed=True)
        # a request for more time the inspector has not decided yet
        school, issued = schools[10], wd(today, -8)
        story = self._scripted_item(school, issued, wd(issued, 10))
        self.acknowledge(story, school, self.morning(wd(issued, 1)))
        self.extension(story, school, self.afternoon(wd(today, -1)), grant_until=None)

    def _before_a_day_off(self, around: date) -> date:
        """The latest working day on or before `around` that a day off follows (a Friday, mostly)."""
        day = around
        while not (self.calendar.is_working_day(day) and not self.calendar.is_working_day(day + timedelta(days=1))):
            day -= timedelta(days=1)
        return day

    def extension(self, story: _Ref, school: _School, moment: datetime, *, grant_until: date | None) -> None:
        request = _Ref()

        def ask(now: datetime) -> None:
            assert story.id is not None
            made = rect_service.request_extension(
                self.session, story.id, reason=EXTENSION_REASON, actor=self._unit(school), now=now
            )
            request.id = made.id

        self.at(moment, ask)
        if grant_until is None:
            return

        def grant(now: datetime) -> None:
            assert request.id is not None
            rect_service.decide_extension(
                self.session, request.id, grant=True, new_deadline=grant_until, actor=self._inspector(school), now=now
            )

        self.at(moment + timedelta(hours=18), grant)

    def talk(self, story: _Ref, school: _School, moment: datetime, *, new_deadline: date) -> None:
        def run(now: datetime) -> None:
            assert story.id is not None
            proposed = escalations.existing(self.session, story.id, escalations.L.TALK)
            assert proposed is not None, "the sweep proposes the 约谈 before the office holds it"
            record = {**TALK_RECORD, "held_at": rect_service.local_stamp(now)}
            escalations.confirm_talk(
                self.session, proposed.id, record=record, actor=OFFICE_ACTOR, new_deadline=new_deadline, now=now
            )

        self.at(moment, run)

    # --- public concerns ------------------------------------------------------------------------------------

    def _reporter(self) -> str:
        return f"o{self.rng.getrandbits(100):025x}"[:28]

    def _weighted_school(self) -> _School:
        return self.rng.choices(self.schools, [math.sqrt(s.students) for s in self.schools])[0]

    def _category(self) -> str:
        codes = sorted(CONCERN_WEIGHTS)
        return self.rng.choices(codes, [CONCERN_WEIGHTS[c] for c in codes])[0]

    def plan_concern(
        self, school: _School, moment: datetime, category: str, *, text: str | None = None, web: bool | None = None
    ) -> _Ref:
        """A parent writes through the board's QR code (WeChat) or the public page; returns the ticket's story."""
        story = _Ref()
        content = text or self.rng.choice(CONCERN_TEXTS[category])
        web = self.rng.random() < 0.35 if web is None else web
        phone = f"1390000{self.rng.randint(0, 9999):04d}" if self.rng.random() < 0.4 else None
        openid, client = self._reporter(), f"demo-{next(self._openids)}"

        def write(now: datetime) -> None:
            if web:
                done = concerns.submit_from_web(
                    self.session,
                    self.kv,
                    self.media_dir,
                    school_code=school.code,
                    content=content,
                    category=category,
                    phone=phone,
                    photos=[],
                    client_key=client,
                    pepper=self.pepper,
                    now=now,
                )
                story.ticket = done.ticket_no
                return
            self.clock.set(now - timedelta(minutes=2))  # the parent scanned the board, then wrote
            identity.record_scan(self.session, identity.get_or_create(self.session, openid), school_scene(school.code))
            self.session.flush()
            self.clock.set(now)
            received = concerns.receive(self.session, self.kv, openid=openid, kind="text", text=content, now=now)
            assert received.concern is not None, received.outcome
            story.ticket = received.concern.ticket_no
            if received.concern.category is None:
                concerns.choose_category(self.session, openid=openid, number=category, now=now + timedelta(minutes=1))
            if phone:
                concerns.set_phone(self.session, openid=openid, phone=phone, now=now + timedelta(minutes=2))

        self.at(moment, write)
        return story

    def handle(self, story: _Ref, school: _School, moment: datetime, action: str, text: str = "") -> None:
        """The inspector's handling (受理, 核实, 答复, 不属实, 转办, 办结), at the clock's moment."""
        actor, inspector_id = self._inspector(school), school.inspector_id

        def run(now: datetime) -> None:
            concern = by_ticket(self.session, story.ticket)
            if not concern_rules.can_move(concern.state, HANDLING[action].value):
                return  # e.g. the service found it a duplicate of an earlier one: nothing for the inspector to do
            if action == "acknowledge":
                concerns.acknowledge(self.session, story.ticket, actor=actor, inspector_id=inspector_id)
            elif action == "verify":
                concerns.start_verifying(self.session, story.ticket, actor=actor, inspector_id=inspector_id)
            elif action == "answer":
                concerns.answer(self.session, story.ticket, text, actor=actor, inspector_id=inspector_id)
            elif action == "not_substantiated":
                concerns.not_substantiated(self.session, story.ticket, text, actor=actor, inspector_id=inspector_id)
            elif action == "refer":
                concerns.refer(self.session, story.ticket, text, actor=actor, inspector_id=inspector_id)
            else:
                concerns.close(self.session, story.ticket, actor=actor, inspector_id=inspector_id)

        self.at(moment, run)

    def _received_at(self, day: date) -> datetime:
        hour = self.rng.choice((7, 8, 12, 13, 18, 19, 20, 21, 21, 22))
        return local_moment(day, hour, self.rng.randint(0, 59))

    def plan_random_concerns(self, count: int) -> None:
        """Parents write any day; the inspector acknowledges within a working day and answers within the limit."""
        days = list(self._days(self.start, self.today))
        for _ in range(count):
            school, category = self._weighted_school(), self._category()
            day = self.rng.choice(days)
            received = self._received_at(day)
            story = self.plan_concern(school, received, category)
            self.plan_handling(story, school, category, day, received)

    def plan_handling(self, story: _Ref, school: _School, category: str, day: date, received: datetime) -> None:
        first = self.wd(day, 0 if received.astimezone(SHANGHAI).hour < 16 else 1)
        if first == day and self.calendar.is_working_day(day):
            acknowledged = received + timedelta(minutes=self.rng.randint(40, 150))
        else:
            acknowledged = self.morning(first if first > day else self.wd(day, 1))
        self.handle(story, school, acknowledged, "acknowledge")
        roll = self.rng.random()
        answered = self.afternoon(self.wd(local_date(acknowledged), self.rng.randint(1, 3)))
        if roll < 0.12:
            self.handle(story, school, answered - timedelta(hours=2), "verify")
            self.handle(story, school, answered, "not_substantiated", self.rng.choice(NOT_SUBSTANTIATED))
            return
        if roll < 0.2 and category in REFERRED_TO:
            self.handle(story, school, answered, "refer", REFERRED_TO[category])
            return
        self.handle(story, school, answered, "answer", ANSWERS[category])
        if self.rng.random() < 0.55:
            self.handle(story, school, answered + timedelta(days=self.rng.randint(3, 8)), "close")

    def plan_concern_stories(self, schools: list[_School]) -> None:
        """One concern in each state the office must see, whatever today is."""
        today, wd = self.today, self.wd
        # just received: one tonight (or this morning), one from the last working day's evening
        self.plan_concern(schools[0], self.now - timedelta(minutes=75), "7", web=False)
        self.plan_concern(schools[1], local_moment(wd(today, -1), 20, 40), "4", web=True)
        # acknowledged, being looked into
        school, day = schools[2], wd(today, -2)
        story = self.plan_concern(school, local_moment(day, 12, 15), "2", web=False)
        self.handle(story, school, local_moment(wd(day, 1), 9, 5), "acknowledge")
        self.handle(story, school, local_moment(wd(day, 1), 15, 30), "verify")
        # answered, and answered then closed
        school, day = schools[3], wd(today, -4)
        story = self.plan_concern(school, local_moment(day, 19, 30), "6", web=False)
        self.handle(story, school, local_moment(wd(day, 1), 8, 50), "acknowledge")
        self.handle(story, school, local_moment(wd(day, 3), 16, 10), "answer", ANSWERS["6"])
        school, day = schools[4], wd(today, -14)
        story = self.plan_concern(school, local_moment(day, 21, 5), "4", web=True)
        self.handle(story, school, local_moment(wd(day, 1), 9, 40), "acknowledge")
        self.handle(story, school, local_moment(wd(day, 3), 17, 0), "answer", ANSWERS["4"])
        self.handle(story, school, local_moment(wd(day, 8), 10, 0), "close")
        # not substantiated after verifying
        school, day = schools[5], wd(today, -9)
        story = self.plan_concern(school, local_moment(day, 13, 20), "2", web=False)
        self.handle(story, school, local_moment(day, 15, 0), "acknowledge")
        self.handle(story, school, local_moment(wd(day, 1), 10, 0), "verify")
        self.handle(story, school, local_moment(wd(day, 2), 16, 30), "not_substantiated", NOT_SUBSTANTIATED[0])
        # the same matter sent twice: the service links the second to the first for the inspector (its sender is
        # told nothing of the first), and the office merges them the next morning
        school, day = schools[6], wd(today, -18)
        text = CONCERN_TEXTS["7"][0]
        story = self.plan_concern(school, local_moment(day, 18, 10), "7", text=text, web=False)
        again = self.plan_concern(
            school, local_moment(day, 21, 45), "7", text="食堂饭菜里又吃出虫子了，孩子回家说好几次了！", web=True
        )

        def merge(now: datetime, again: _Ref = again, original: _Ref = story) -> None:
            concerns.mark_duplicate(self.session, again.ticket, original.ticket, actor=OFFICE_ACTOR)

        self.at(local_moment(wd(day, 1), 8, 30), merge)
        self.handle(story, school, local_moment(wd(day, 1), 8, 45), "acknowledge")
        self.handle(story, school, local_moment(wd(day, 2), 15, 0), "answer", ANSWERS["7"])
        # ...and what the inspector found there became a rectification item
        self.concern_rectification(story, school, local_moment(wd(day, 2), 15, 20), wd(day, 12))
        # answered late: the sweep had told the zone leader when the deadline passed
        school, day = schools[8], wd(today, -25)
        story = self.plan_concern(school, local_moment(day, 8, 10), "3", web=True)
        self.handle(story, school, local_moment(day, 11, 0), "acknowledge")
        self.handle(story, school, local_moment(wd(day, 7), 16, 40), "answer", ANSWERS["3"])
        # overdue: acknowledged in time, not answered by the deadline (yesterday): the sweep told the zone leader
        school = schools[7]
        due = wd(today, -1)
        day = wd(due, -self.authority.concern_answer_working_days)
        story = self.plan_concern(school, local_moment(day, 10, 30), "5", web=False)
        self.handle(story, school, local_moment(wd(day, 1), 9, 20), "acknowledge")

    def concern_rectification(self, concern: _Ref, school: _School, moment: datetime, deadline: date) -> None:
        found, requirement = PROBLEMS["7"][2]
        story = _Ref()

        def run(now: datetime) -> None:
            row = by_ticket(self.session, concern.ticket)
            draft = rect_service.propose_rectification(
                self.session,
                authority_id=self.authority.id,
                unit_id=school.unit_id,
                inspector_id=school.inspector_id,
                visit_id=None,
                concern_id=row.id,
                item="7",
                problem=found,
                requirement=requirement,
                deadline=deadline,
                urgent=False,
                actor=self._inspector(school),
                now=now,
            )
            rect_service.issue_rectification(self.session, draft.id, actor=self._inspector(school), now=now)
            story.id = draft.id

        self.at(moment, run)
        issued = local_date(moment)
        self.acknowledge(story, school, self.morning(self.wd(issued, 1)))
        self.report(story, school, self.afternoon(self.wd(issued, 6)))
        self.reinspect(story, school, self.morning(self.wd(issued, 8)), passed=True)


def by_ticket(session: Session, ticket: str) -> Concern:
    found = concerns.by_ticket(session, ticket)
    assert found is not None, ticket
    return found


def activity_loaded(session: Session) -> bool:
    """The history is there already (the marker), or the county has been used by hand: add nothing."""
    marker = session.scalar(select(AuditEvent.id).where(AuditEvent.action == MARKER).limit(1))
    used = any(session.scalar(select(model.id).limit(1)) is not None for model in (Visit, Concern, Rectification))
    return marker is not None or used


def load_demo_activity(
    session: Session,
    *,
    pepper: str,
    media_dir: Path,
    kv: KV | None = None,
    now: datetime | None = None,
    seed: int = SEED,
    concerns_count: int = 26,
) -> ActivityLoad:
    """Play the demo county's last three months up to `now` through the use cases, once. One commit."""
    _require_demo_county(session)
    if activity_loaded(session):
        return ActivityLoad(loaded=False)
    clock = session_clock(session)
    if not isinstance(clock, SettableClock):
        raise TypeError("the demo's history is played on a database with a SettableClock")
    was, ticking = clock.now(), clock.ticking
    now = now or was
    clock.ticking = False  # each step happens at its moment exactly
    history = _History(session, kv or MemoryKV(), pepper, media_dir, clock, now, seed)
    scripted = history.rng.sample(history.schools, 20)
    history.plan_visits()
    history.plan_rectification_stories(scripted[:11])
    history.plan_random_concerns(concerns_count)
    history.plan_concern_stories(scripted[11:])
    history.plan_sweeps()
    playback = _Playback(session, clock)
    try:
        playback.to(local_moment(history.start, 0))
        history.play(playback)
        result = ActivityLoad(
            loaded=True,
            visits=session.scalar(select(func.count(Visit.id))) or 0,
            concerns=session.scalar(select(func.count(Concern.id))) or 0,
            rectifications=session.scalar(select(func.count(Rectification.id))) or 0,
            escalations=session.scalar(select(func.count(Escalation.id))) or 0,
            pushes_marked_sent=playback.pushes,
        )
        record(
            session,
            ACTOR,
            MARKER,
            "authority",
            history.authority.id,
            now=now,
            since=history.start.isoformat(),
            visits=result.visits,
            concerns=result.concerns,
        )
        playback.settle()
        assert not playback.unsent(), "every push of the history is marked sent"
    except BaseException:
        session.rollback()
        raise
    finally:
        playback.close()
        clock.ticking = ticking
        clock.set(was)
    session.commit()
    return result


__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_ADMIN",
    "DEMO_LEADER",
    "ActivityLoad",
    "NotTheDemo",
    "activity_loaded",
    "ensure_demo_accounts",
    "load_demo_activity",
]
