"""Reading an inspector's visit message: which school, which day, what was looked at, what was wrong, by when.

Pure: the caller passes the inspector's own schools, today's date and the working calendar. The reading says
what it understood and, in `unclear`, what it could not work out; it never picks a school or a date it is not
sure of (a near miss of a school's name, two schools that fit, a date that does not exist or lies ahead: all
come back as questions). The vocabulary below is parser vocabulary, not replies.
"""

from __future__ import annotations

import calendar as _calendar
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from backend.domain.calendar import WorkingCalendar
from backend.domain.kinds import VisitKind
from backend.domain.numerals import to_int
from backend.domain.school_names import (
    SCHOOL_AMBIGUOUS,
    SCHOOL_MISSING,
    SCHOOL_UNKNOWN,
    SCHOOL_UNSURE,
    SchoolFinding,
    SchoolNames,
    SchoolRef,
    aliases,
    find_school,
    normalise,
    school_mentioned,
)

# the school half of reading a message lives in school_names; these stay importable from here
__all__ = [
    "SCHOOL_AMBIGUOUS",
    "SCHOOL_MISSING",
    "SCHOOL_UNKNOWN",
    "SCHOOL_UNSURE",
    "SchoolFinding",
    "SchoolNames",
    "SchoolRef",
    "aliases",
    "find_school",
    "normalise",
    "school_mentioned",
    "to_int",
]

# what `unclear` may hold (and the SCHOOL_* constants of backend.domain.school_names)
DATE_INVALID = "date_invalid"  # a date that does not exist (11月31日)
DATE_FUTURE = "date_future"  # a visit cannot lie ahead (明天, a later day)
DATE_CONFLICT = "date_conflict"  # two different days named
DEADLINE_PAST = "deadline_past"  # a deadline before the visit

_NUM = r"[0-9零〇一二两三四五六七八九十]{1,3}"
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}


def spaced(text: str) -> str:
    """Like `normalise`, but a pause (spaces in voice-style text) kept as a comma, to split clauses on."""
    return re.sub(r"[ \t\u3000]+", "，", unicodedata.normalize("NFKC", text).strip())


# --- dates and deadlines -------------------------------------------------------------------------------------

_DEADLINE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("working_days", re.compile(rf"(?:限期)?({_NUM})个?工作日(?:内|之内|以内)?")),
    ("weeks", re.compile(rf"(?:限期)?({_NUM}|一)个?(?:周|星期|礼拜)(?:内|之内|以内)")),
    ("days", re.compile(rf"(?:限期)?({_NUM})(?:天|日)(?:内|之内|以内)")),
    ("days", re.compile(rf"限期({_NUM})(?:天|日)")),
    ("month_end", re.compile(r"(本月底|月底|这个月底|本月末|月末)(?:前|之前|以前)?")),
    ("next_month_end", re.compile(r"(下月底|下个月底|下月末)(?:前|之前|以前)?")),
    ("this_week", re.compile(r"(本周内|这周内|本星期内|这个星期内)")),
    (
        "weekday",
        re.compile(r"(本|这|这个|下|下个)?(?:周|星期|礼拜)([一二三四五六日天])(?:前|之前|以前)"),
    ),
    ("date", re.compile(rf"(?:(\d{{4}})年)?({_NUM})月({_NUM})(?:日|号)?(?:前|之前|以前)")),
    ("date", re.compile(r"()(\d{1,2})[./](\d{1,2})(?:前|之前|以前)")),
    ("tomorrow", re.compile(r"(明天|明日)(?:前|之前|以前)")),
)


@dataclass(frozen=True)
class Deadline:
    on: date
    said: str


def find_deadline(text: str, base: date, cal: WorkingCalendar) -> Deadline | None:
    """A deadline phrase (一周内, 三天内, 3个工作日内, 本月底前, 12月1日前, 下周五前) counted from `base`."""
    for kind, pattern in _DEADLINE_PATTERNS:
        found = pattern.search(text)
        if not found:
            continue
        on = _deadline_date(kind, found, base, cal)
        if on is not None:
            return Deadline(on, found.group(0))
    return None


def _deadline_date(kind: str, found: re.Match[str], base: date, cal: WorkingCalendar) -> date | None:
    if kind in ("working_days", "weeks", "days"):
        count = to_int(found.group(1))
        if not count:
            return None
        if kind == "working_days":
            return cal.add_working_days(base, count)
        return base + timedelta(days=count * (7 if kind == "weeks" else 1))
    if kind == "month_end":
        return base.replace(day=_calendar.monthrange(base.year, base.month)[1])
    if kind == "next_month_end":
        first = (base.replace(day=1) + timedelta(days=32)).replace(day=1)
        return first.replace(day=_calendar.monthrange(first.year, first.month)[1])
    if kind == "this_week":
        return base + timedelta(days=max(0, 4 - base.weekday()))
    if kind == "weekday":
        target = _WEEKDAYS[found.group(2)]
        monday = base - timedelta(days=base.weekday())
        if found.group(1) and found.group(1).startswith("下"):
            monday += timedelta(days=7)
        day = monday + timedelta(days=target)
        return day if day >= base else day + timedelta(days=7)
    if kind == "date":
        month, day_of = to_int(found.group(2)), to_int(found.group(3))
        year = int(found.group(1)) if found.group(1) else base.year
        if month is None or day_of is None:
            return None
        try:
            on = date(year, month, day_of)
        except ValueError:
            return None
        if on < base and not found.group(1):
            on = on.replace(year=year + 1)
        return on
    if kind == "tomorrow":
        return base + timedelta(days=1)
    return None


@dataclass(frozen=True)
class DateFinding:
    on: date | None
    said: str = ""
    problem: str | None = None


_RELATIVE = {"大前天": -3, "前天": -2, "前日": -2, "昨天": -1, "昨日": -1, "昨晚": -1, "今天": 0, "今日": 0, "今早": 0}
_FUTURE = re.compile(r"明天|明日|后天|下周[一二三四五六日天]|下星期[一二三四五六日天]")
_DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ymd", re.compile(r"(\d{4})[年./-](\d{1,2})[月./-](\d{1,2})[日号]?")),
    ("md", re.compile(rf"({_NUM})月({_NUM})(?:日|号)?")),
    ("md", re.compile(r"(?<![\d.])(\d{1,2})[./](\d{1,2})(?![\d.])")),
    ("week", re.compile(r"(上上|上|本|这)?(?:个)?(?:周|星期|礼拜)([一二三四五六日天])")),
    ("ago", re.compile(rf"({_NUM})天前")),
    ("day", re.compile(rf"(?<![月\d])({_NUM})(?:号|日)(?![前内])")),
)


def find_date(text: str, today: date) -> DateFinding:
    """The day of the visit; today when no day is named. Two different days, or a day ahead, is a question."""
    days: list[tuple[date | None, str]] = []
    future = _FUTURE.search(text)
    if future:
        return DateFinding(None, future.group(0), DATE_FUTURE)
    rest = text
    for word, offset in _RELATIVE.items():
        if word in rest:
            days.append((today + timedelta(days=offset), word))
            rest = rest.replace(word, "　")
    for kind, pattern in _DATE_PATTERNS:
        for found in pattern.finditer(rest):
            days.append((_date_of(kind, found, today), found.group(0)))
        rest = pattern.sub("　", rest)
    if not days:
        return DateFinding(today, "")
    said = "、".join(s for _, s in days)
    if any(on is None for on, _ in days):
        return DateFinding(None, said, DATE_INVALID)
    distinct = {on for on, _ in days}
    if len(distinct) > 1:
        return DateFinding(None, said, DATE_CONFLICT)
    on = distinct.pop()
    if on is None or on > today:
        return DateFinding(None, said, DATE_FUTURE)
    return DateFinding(on, said)


def _date_of(kind: str, found: re.Match[str], today: date) -> date | None:
    try:
        if kind == "ymd":
            return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        if kind == "md":
            month, day = to_int(found.group(1)), to_int(found.group(2))
            if month is None or day is None:
                return None
            on = date(today.year, month, day)
            # a visit lies behind us: 12月30日 written on 1月5日 is last year's
            if on > today and (today - on.replace(year=today.year - 1)).days <= 62:
                return on.replace(year=today.year - 1)  # 12月30日 written on 1月5日: last year's
            return on
        if kind == "week":
            target = _WEEKDAYS[found.group(2)]
            monday = today - timedelta(days=today.weekday())
            prefix = found.group(1) or ""
            if prefix == "上":
                monday -= timedelta(days=7)
            elif prefix == "上上":
                monday -= timedelta(days=14)
            weekday = monday + timedelta(days=target)
            if not prefix and weekday > today:  # "周三" said on a Monday: last Wednesday
                weekday -= timedelta(days=7)
            return weekday
        if kind == "ago":
            count = to_int(found.group(1))
            return None if count is None else today - timedelta(days=count)
        if kind == "day":
            value = to_int(found.group(1))
            if value is None:
                return None
            on = today.replace(day=value)
            if on > today:  # "20号" on the 5th: last month's 20th
                last_month_end = today.replace(day=1) - timedelta(days=1)
                on = last_month_end.replace(day=value)
            return on
    except ValueError:
        return None
    return None


# --- items, kinds, problems ------------------------------------------------------------------------------------

ITEM_KEYWORDS: dict[str, tuple[str, ...]] = {
    "1": ("校务", "制度", "台账", "档案", "会议记录", "章程", "三重一大", "财务", "校务公开", "规章", "行政"),
    "2": ("招生", "收费", "择校", "学籍", "乱收费", "资料费", "代收费", "入学", "划片", "插班"),
    "3": (
        "课程",
        "课堂",
        "听课",
        "课表",
        "教学常规",
        "教学秩序",
        "教学进度",
        "备课",
        "教案",
        "开齐开足",
        "实验课",
        "音体美",
        "课时",
        "评课",
    ),
    "4": (
        "作业",
        "课业负担",
        "负担",
        "体育",
        "大课间",
        "眼保健操",
        "锻炼",
        "睡眠",
        "课后服务",
        "近视",
        "跑操",
        "阳光体育",
        "考试",
    ),
    "5": ("师德", "体罚", "有偿补课", "培训", "教研", "专业发展", "教师队伍", "变相体罚", "师风"),
    "6": (
        "安全",
        "校门",
        "门卫",
        "值守",
        "保安",
        "消防",
        "灭火器",
        "监控",
        "校车",
        "交通",
        "护学岗",
        "隐患",
        "围墙",
        "防溺水",
        "疏散",
        "演练",
        "电线",
        "楼梯",
        "危房",
        "应急",
        "护栏",
    ),
    "7": (
        "食堂",
        "食物",
        "食品",
        "饮水",
        "宿舍",
        "卫生",
        "晨检",
        "留样",
        "厨房",
        "饭菜",
        "营养餐",
        "午餐",
        "午饭",
        "开水",
        "直饮水",
        "厕所",
        "餐具",
        "消毒",
        "从业人员健康证",
        "健康证",
    ),
    "8": ("校风", "教风", "学风", "德育", "班风", "升旗", "文明", "校园文化", "文化建设"),
}
_EXPLICIT_ITEM = re.compile(r"(?:第|事项)([1-8一二三四五六七八])项|事项([1-8])|([1-8一二三四五六七八])号事项")

KIND_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (VisitKind.FOLLOW_UP.value, ("回访", "复查", "复核")),
    (VisitKind.UNANNOUNCED.value, ("暗访", "随机", "突击", "推门")),
    (VisitKind.SPECIAL.value, ("专项",)),
    (VisitKind.COMPREHENSIVE.value, ("综合督导",)),
)

URGENT = re.compile(r"紧急|重大(?:安全)?隐患|危房|险情|食物中毒|中毒|火灾|坍塌|溺水|伤亡|事故")
_PROBLEM = re.compile(
    r"缺|没有|没|未|不到位|不规范|不全|不够|不足|不达标|不合格|不符|不及时|不完善|不严|问题|隐患|损坏|坏了|破损|过期|超标|超过|"
    r"存在|少|松动|裂缝|渗水|漏电|积水|破|堆放|偏多|偏重|偏少|脏|乱|漏|违规|差|老化|失效|堵|占用|空白|少了|无人"
)
_NEGATED_PROBLEM = re.compile(
    r"没(?:有)?(?:发现)?(?:什么|啥)?问题|无问题|未发现(?:问题|异常)|没毛病|都(?:还)?(?:挺|很|比较)?好"
)
_REQUIREMENT = re.compile(r"要求|责令|限期|请(?:学校|校方|园方)?|须|必须|需要?(?:在|于)?.{0,8}(?:内|前)|督促|整改")
_SPLIT = re.compile(
    r"[，,。;；!！?？\n]+|(?<![0-9])[.、](?![0-9])|(?<![没未无])(?=发现|要求|另外|还有|但是|不过|然后|问题是|责令|限期)"
)
_VISIT_WORDS = re.compile(
    r"看了|看看|查看|检查|查了|查阅|听课|听了|督导|走访|座谈|巡查|暗访|复查|回访|去了|到了|在.{2,12}(?:小学|中学|幼儿园|学校|小|中|园)"
)
_CONTEXT_ONLY = re.compile(r"^(?:今天|昨天|前天|上午|下午|早上|我|去|到|在|了|的|督导|检查|一下|和|\s)*$")


@dataclass(frozen=True)
class VisitReading:
    """What a message says about a visit, and what it leaves open."""

    text: str
    school: SchoolFinding
    visit_date: DateFinding
    items: tuple[str, ...] = ()
    kind: str = VisitKind.ROUTINE.value
    observations: str = ""
    problems: tuple[str, ...] = ()
    requirement: str = ""
    deadline: Deadline | None = None
    urgent: bool = False
    unclear: tuple[str, ...] = field(default=())

    @property
    def school_id(self) -> int | None:
        return self.school.school_id

    @property
    def visited_on(self) -> date | None:
        return self.visit_date.on

    @property
    def complete(self) -> bool:
        return self.school_id is not None and self.visited_on is not None and DEADLINE_PAST not in self.unclear


def find_items(text: str) -> tuple[str, ...]:
    found = {code for code, words in ITEM_KEYWORDS.items() if any(w in text for w in words)}
    for explicit in _EXPLICIT_ITEM.finditer(text):
        value = to_int(explicit.group(1) or explicit.group(2) or explicit.group(3))
        if value and 1 <= value <= 8:
            found.add(str(value))
    return tuple(sorted(found))


def find_kind(text: str) -> str:
    for kind, words in KIND_KEYWORDS:
        if any(w in text for w in words):
            return kind
    return VisitKind.ROUTINE.value


def looks_like_visit(text: str, schools: Sequence[SchoolRef], names: SchoolNames | None = None) -> bool:
    """Whether a free message is about a visit at all (else the inspector gets help, not a question)."""
    text = normalise(text)
    if _VISIT_WORDS.search(text):
        return True
    finding = names.find(text, schools) if names is not None else find_school(text, schools)
    return finding.problem not in (SCHOOL_MISSING, SCHOOL_UNKNOWN) or bool(
        finding.problem == SCHOOL_UNKNOWN and find_items(text)
    )


def _clauses(text: str) -> list[str]:
    return [c for c in (part.strip() for part in _SPLIT.split(text)) if c]


def read_visit(
    text: str,
    schools: Sequence[SchoolRef],
    today: date,
    cal: WorkingCalendar | None = None,
    names: SchoolNames | None = None,
) -> VisitReading:
    """Read one message. `today` is the Asia/Shanghai date it was sent; `names` the authority's resolver."""
    cal = cal or WorkingCalendar()
    clean = normalise(text)
    school = names.find(clean, schools) if names is not None else find_school(clean, schools)
    # deadlines first, so that "12月1日前" is not read as the day of the visit
    base_date = find_date(_without_deadlines(clean.replace(school.said, "　") if school.said else clean), today)
    base = base_date.on or today
    deadline = find_deadline(clean, base, cal)
    unclear: list[str] = []
    if school.problem:
        unclear.append(school.problem)
    if base_date.problem:
        unclear.append(base_date.problem)
    if deadline is not None and deadline.on < base:
        unclear.append(DEADLINE_PAST)
    observations, problems, requirement = [], [], []
    for clause in _clauses(spaced(text)):
        body = _strip_context(clause, school.said, base_date.said)
        if not body:
            continue
        if _REQUIREMENT.search(clause) and (deadline is None or deadline.said in clause or "要求" in clause):
            requirement.append(body)
        elif _PROBLEM.search(clause) and not _NEGATED_PROBLEM.search(clause):
            problems.append(body)
        else:
            observations.append(body)
    return VisitReading(
        text=text,
        school=school,
        visit_date=base_date,
        items=find_items(clean),
        kind=find_kind(clean),
        observations="；".join(observations),
        problems=tuple(problems),
        requirement="；".join(requirement),
        deadline=deadline,
        urgent=bool(URGENT.search(clean)) and not _NEGATED_URGENT.search(clean),
        unclear=tuple(unclear),
    )


_NEGATED_URGENT = re.compile(r"(?:没有|没|无|未发现)(?:什么|重大)?(?:安全)?(?:隐患|事故|险情)")


def _without_deadlines(text: str) -> str:
    for _kind, pattern in _DEADLINE_PATTERNS:
        text = pattern.sub("　", text)
    return text


def _strip_context(clause: str, school_said: str, date_said: str) -> str:
    """A clause without the words that only set the scene (今天在城关二小)."""
    body = clause
    if school_said:
        body = body.replace(school_said, "")
    for said in filter(None, date_said.split("、")):
        body = body.replace(said, "")
    body = re.sub(r"^(?:紧急|上午|下午|早上|我|去了?|到了?|在)+", "", body)
    return "" if _CONTEXT_ONLY.match(body) else body.strip("，, ")
