"""Reading an inspector's visit message: which school, which day, what was looked at, what was wrong, by when.

Pure: the caller passes the inspector's own schools, today's date and the working calendar. The reading says
what it understood and, in `unclear`, what it could not work out; it never picks a school or a date it is not
sure of (a near miss of a school's name, two schools that fit, a date that does not exist or lies ahead: all
come back as questions). The vocabulary below is parser vocabulary, not replies.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from backend.domain import dates as dt
from backend.domain.calendar import WorkingCalendar
from backend.domain.dates import DATE_CONFLICT, DATE_FUTURE, DATE_INVALID, DATE_VAGUE, DateFinding, Said
from backend.domain.kinds import VisitKind
from backend.domain.school_names import (
    SCHOOL_AMBIGUOUS,
    SCHOOL_MISSING,
    SCHOOL_UNKNOWN,
    SCHOOL_UNSURE,
    SchoolFinding,
    SchoolNames,
    SchoolRef,
    aliases,
    by_list_number,
    find_school,
    normalise,
    school_mentioned,
    simplified,
)
from backend.domain.typed import Typed, fold

# the school half of reading a message lives in school_names; these stay importable from here
__all__ = [
    "DATE_CONFLICT",
    "DATE_FUTURE",
    "DATE_INVALID",
    "DATE_VAGUE",
    "SCHOOL_AMBIGUOUS",
    "SCHOOL_MISSING",
    "SCHOOL_UNKNOWN",
    "SCHOOL_UNSURE",
    "DateFinding",
    "Deadline",
    "SchoolFinding",
    "SchoolNames",
    "SchoolRef",
    "aliases",
    "find_school",
    "normalise",
    "school_mentioned",
]

# what `unclear` may hold (and the SCHOOL_* constants of backend.domain.school_names, DATE_* of dates)
DEADLINE_PAST = "deadline_past"  # a deadline before the visit


def spaced(text: str) -> str:
    """The text as typed, a pause (spaces in voice-style text) made a comma, to split clauses on."""
    return re.sub(r"[^\S\n]+", "，", text.strip())


def typed_clauses(text: str) -> list[Typed]:
    """The message's clauses as typed, each with its folded copy (what the rules read)."""
    return Typed.of(spaced(text)).split(_SPLIT)


# --- what a message is ---------------------------------------------------------------------------------------

VISIT = "visit"  # a report of a visit that happened: the one kind that becomes a record
PLAN = "plan"  # 下午准备去…, 明天去…
QUESTION = "question"  # …的整改报告交上来了吗？
THANKS = "thanks"  # 谢谢, 辛苦了
CHAT = "chat"  # 好的, 收到, 你好, an emoji
CORRECTION = "correction"  # 不对，是某某初中: fixes the open question or the record just made

CORRECTING = re.compile(
    r"^(?:不对|不是|错了|搞错了|弄错了|写错了|更正|改一下|改为|改成|应该是)[,，:：\s]*(?:是|应该是|改为|改成|改到)?"
)

YES_WORDS = frozenset(
    {
        "确认",
        "是",
        "是的",
        "好",
        "好的",
        "对",
        "对的",
        "可以",
        "行",
        "嗯",
        "嗯嗯",
        "没错",
        "对对",
        "ok",
        "好滴",
        "确定",
        "同意",
    }
)
_THANKS = re.compile(r"^(?:谢谢|多谢|感谢|谢了|辛苦|辛苦了|麻烦了|谢谢你|谢谢啦|好的谢谢|收到谢谢)+$")
_CHAT = re.compile(
    r"^(?:好的?|好滴|收到|知道了|明白|明白了|了解|嗯+|哦+|噢|ok|okay|你好|您好|在吗|在不在|早|早上好|上午好|下午好|"
    r"晚上好|晚安|哈+|呵呵|行|可以|没问题|对|是的?|测试|test|hi|hello)+$",
    re.IGNORECASE,
)
_DECORATION = re.compile(r"[\s,，.。!！~～、…:：;；'\"“”‘’()（）\[\]【】]+")
_QUESTION_END = re.compile(r"(?:[吗嘛么呢没][?？]*|[?？]+)$")
_QUESTION_WORDS = re.compile(
    r"有没有|是不是|是否|怎么样|怎么办|如何|多少|几个|几项|哪些|哪个|什么时候|了没|交了没|能不能|可不可以"
)
_REPORT_WORDS = re.compile(
    r"看了|查看了|检查了|查了|查阅了|听了|走访了|座谈|巡查了|暗访|复查了|回访了|去了|到了|发现|督导了|看过|去过|"
    r"已经|要求|整改到位|都挺|很好|挺好|良好|正常|齐全"
)
_PLAN_WORDS = re.compile(
    r"准备|打算|计划(?:去|到|对|在)|将要|将于|将去|拟(?:去|到|于)|要去|想去|待会|一会儿?|等会儿?|等下|过两天|回头|改天|"
    r"下午去(?!了)|晚点去|马上去|这就去|正在去|路上"
)
_PAST = re.compile(r"了|过|发现|已经|已")


def _bare(text: str) -> str:
    """The words alone: no punctuation, spaces or emoji."""
    text = _DECORATION.sub("", normalise(text))
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith(("S", "C")) and ch != "\u200d")


def is_yes(text: str) -> bool:
    """A plain yes (确认, 是, 好的, 对, 可以, 行, 嗯) that answers an open question or confirms a draft."""
    return _bare(text).lower() in YES_WORDS


def message_kind(text: str) -> str:
    """What a message is, before anything is looked up: only a report of a past visit becomes a record."""
    clean = normalise(text)
    words = _bare(text)
    if not words:
        return CHAT  # an emoji or a sticker
    if _THANKS.match(words) or (len(words) <= 8 and words.startswith(("谢谢", "辛苦"))):
        return THANKS
    if _CHAT.match(words):
        return CHAT
    if CORRECTING.match(clean):
        return CORRECTION
    without = dt.without_deadlines(clean)
    if (_QUESTION_END.search(clean.rstrip("。.!！~ ")) or _QUESTION_WORDS.search(without)) and not (
        _REPORT_WORDS.search(without) and not clean.rstrip().endswith(("?", "？", "吗"))
    ):
        return QUESTION
    if _PLAN_WORDS.search(without) and not re.search(r"看了|查了|检查了|听了|发现|去了|到了|去过", without):
        return PLAN
    if dt.FUTURE.search(_requirement_free(without)) and not _PAST.search(_requirement_free(without)):
        return PLAN
    return VISIT


def says_intention(text: str) -> bool:
    """A plan in so many words (准备去, 打算…), not just a day ahead (明天去…, perhaps a slip for 昨天)."""
    return bool(_PLAN_WORDS.search(dt.without_deadlines(normalise(text))))


def _requirement_free(text: str) -> str:
    """The text without its requirement clauses (their dates are deadlines, not the visit's day)."""
    return "，".join(c for c in _clauses(text) if not _REQUIREMENT.search(c))


# --- items, kinds, problems ------------------------------------------------------------------------------------

ITEM_KEYWORDS: dict[str, tuple[str, ...]] = {
    "1": ("校务", "制度", "台账", "档案", "会议记录", "章程", "三重一大", "财务", "校务公开", "规章", "行政", "资料"),
    "2": ("招生", "收费", "择校", "学籍", "乱收费", "资料费", "代收费", "入学", "划片", "插班", "控辍保学", "辍学"),
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
        "小学化",
        "数学课",
        "语文课",
        "英语课",
        "训练课",
        "音乐课",
        "美术课",
        "体育课",
        "康复训练",
        "送教上门",
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
        "午睡",
        "户外活动",
    ),
    "5": ("师德", "体罚", "有偿补课", "培训", "教研", "专业发展", "教师队伍", "变相体罚", "师风", "教师"),
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
        "瓷砖",
        "外墙",
        "墙体",
        "玩具",
        "滑梯",
        "电路",
        "插座",
        "燃气",
        "栏杆",
        "吊顶",
        "天花板",
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
        "健康证",
        "中毒",
        "呕吐",
        "腹泻",
        "食材",
        "冰箱",
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

URGENT = re.compile(r"紧急|重大(?:安全)?隐患|危房|险情|食物中毒|中毒|火灾|起火|坍塌|倒塌|溺水|伤亡|事故|砸伤|脱落")
_NEGATED_URGENT = re.compile(r"(?:没有|没|无|未发现|未见)(?:什么|重大)?(?:安全)?(?:隐患|事故|险情)")
_PROBLEM = re.compile(
    r"缺|没有|没|未|不到位|不规范|不全|不够|不足|不达标|不合格|不符|不及时|不完善|不严|不齐|不清|不一致|不按|不能|不会|问题|"
    r"隐患|损坏|坏了|破损|过期|超标|超过|存在|少了|偏少|(?<![多不])少(?!数|先队)|松动|裂缝|裂了|渗水|漏水|漏电|积水|破|堆放|堆了|堆满|堆着|偏多|偏重|"
    r"脏|乱|违规|较差|很差|老化|失效|堵|占用|被占|空白|无人|脱落|掉落|倒塌|坍塌|断裂|生锈|锈蚀|霉|变质|呕吐|中毒|受伤|起火|"
    r"杂物|过多|太多|过重|过长|偏大|过大|太大|过量|超员|超载|私自|擅自|挪用|体罚|有偿|乱收|漏洞|混放|混用|私拉|乱接|乱放|乱堆|"
    r"不在岗|脱岗|离岗|敞开|不在|不严格|不整洁|不干净|不卫生|不安全|不牢|异味|发臭|油腻|迟到|早退|三无|无证|"
    r"有点|有些"
)
# what says that nothing was wrong: a clause like this is an observation, never a problem
_NEGATED_PROBLEM = re.compile(
    r"(?:没|未|无)(?:有)?(?:发现|见|看到)?(?:什么|啥|任何|明显|大的)?(?:重大|安全|重大安全|其他|别的)?"
    r"(?:问题|异常|隐患|情况|毛病|不妥)|(?:没|未)(?:有)?(?:发现|看到|见到).{0,8}(?:问题|异常|隐患)|"
    r"无问题|未见异常|均(?:正常|良好|规范|到位|齐全|合格)|都(?:还)?(?:挺|很|比较)?(?:好|正常|规范|到位|齐全|干净|合格)(?!不)|"
    r"(?<![不未没欠])(?:齐全|完备|完整|良好|规范|到位|干净|整洁|正常|合格|达标|有序|认真|充分|在岗|有效期内)(?:的|了)?$|没毛病|一切正常|"
    r"已(?:经)?(?:整改|修好|修复|更换|补齐|清理|落实|解决)|已整改到位|"
    r"(?:没有|没发现|未发现|未见|无)(?:明显的?)?.{0,6}(?:倾向|现象|行为|小学化|体罚|乱收费|有偿补课)"
)
_REQUIREMENT = re.compile(
    r"要求|责令|限期|请(?:学校|校方|园方|他们|其|该校|该园)|务必|必须|须|需(?:要)?(?:在|于)|督促|让(?:他们|学校|校方|园方|校长)|"
    r"叫(?:他们|学校)|(?:尽快|立即|马上|及时)(?:整改|更换|修复|修缮|清理|补齐|停用|处理|完善|落实)"
)
_SPLIT = re.compile(
    r"[，,。;；!！?？\n]+|(?<![0-9])[.、](?![0-9])|"  # read on the folded copy: `３.５` is `3.5` there
    r"(?<!没)(?<!没有)(?<!未)(?<!无)(?<!并未)(?=发现|要求|另外|还有|但是|但|不过|然后|就是|问题是|责令|限期|我让|让他们|请学校|请园方|存在)"
)
_VISIT_WORDS = re.compile(
    r"看了|看看|查看|检查|查了|查阅|听课|听了|督导|走访|座谈|巡查|暗访|复查|回访|去了|到了|"
    r"在.{2,12}(?:小学|中学|幼儿园|学校|小|中|园)"
)
_CONTEXT_ONLY = re.compile(
    r"^(?:今天|昨天|前天|上午|下午|早上|中午|晚上|我|我们|去|到|在|了|的|督导|检查|一下|和|对|进行|趟|一趟|\s)*$"
)
_REQUIREMENT_LEAD = re.compile(
    r"^(?:并且?|同时|而且)?(?:要求|责令|请(?:学校|校方|园方|他们|其|该校|该园)?|务必|必须|须|需(?:要)?|督促|"
    r"我?让(?:他们|学校|校方|园方|校长)?|叫(?:他们|学校)?)+(?:学校|校方|园方|他们|其)?(?:在|于)?"
)
_EMPTY_REQUIREMENT = frozenset(
    {"", "整改", "进行整改", "整改到位", "完成整改", "整改完毕", "整改完成", "完成", "落实", "处理", "改正"}
)


# a clause that only says how grave the problem before it is: part of that problem, not another one
_QUALIFIER = re.compile(r"^(?:存在|有|属于|构成|是)?(?:重大|严重|较大|很大的?|一定的?)?(?:安全)?(?:隐患|风险|危险)$")


@dataclass(frozen=True)
class Finding:
    """One problem with what must be done about it and by when: it becomes its own draft notice."""

    problem: str
    to_do: str = ""  # 整改要求: what must be done ("清理干净"), '' when the inspector said only "整改"
    deadline: dt.Said | None = None


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
    deadline: dt.Said | None = None
    urgent: bool = False
    unclear: tuple[str, ...] = field(default=())
    findings: tuple[Finding, ...] = ()
    message: str = VISIT  # what the message is (VISIT, PLAN, QUESTION, THANKS, CHAT)

    @property
    def school_id(self) -> int | None:
        return self.school.school_id

    @property
    def visited_on(self) -> date | None:
        return self.visit_date.on

    @property
    def complete(self) -> bool:
        return (
            self.message == VISIT
            and self.school_id is not None
            and self.visited_on is not None
            and DEADLINE_PAST not in self.unclear
        )


def find_items(text: str) -> tuple[str, ...]:
    found = {code for code, words in ITEM_KEYWORDS.items() if any(w in text for w in words)}
    for explicit in _EXPLICIT_ITEM.finditer(text):
        value = dt.to_int(explicit.group(1) or explicit.group(2) or explicit.group(3))
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
    if message_kind(text) in (PLAN, QUESTION):
        return True  # a plan or a question gets its own answer, not the help
    if _VISIT_WORDS.search(text):
        return True
    finding = names.find(text, schools) if names is not None else find_school(text, schools)
    return finding.problem not in (SCHOOL_MISSING, SCHOOL_UNKNOWN) or bool(
        finding.problem == SCHOOL_UNKNOWN and find_items(text)
    )


def _clauses(text: str) -> list[str]:
    return [c for c in (part.strip() for part in _SPLIT.split(text)) if c]


def is_problem(clause: str) -> bool:
    """A clause that says something is wrong (and not that nothing is)."""
    clause = simplified(clause)
    return bool(_PROBLEM.search(clause)) and not _NEGATED_PROBLEM.search(clause)


def read_visit(
    text: str,
    schools: Sequence[SchoolRef],
    today: date,
    cal: WorkingCalendar | None = None,
    names: SchoolNames | None = None,
    listed: bool = True,
) -> VisitReading:
    """Read one message. `today` is the Asia/Shanghai date it was sent; `schools` the inspector's own.

    `names` is the authority's resolver (default: one built from `schools`); a list number (`3号学校`) names a
    school only when the list was just shown (`listed`).
    """
    cal = cal or WorkingCalendar()
    clean = simplified(normalise(text))
    kind_of_message = message_kind(simplified(text))
    school = find_school_in(clean, schools, names, listed=listed)
    scene = clean.replace(school.said, "　") if school.said else clean
    # a date inside a requirement is a deadline, not the day of the visit
    visit_date = dt.find_visit_date(dt.without_deadlines(_requirement_free(scene)), today)
    base = visit_date.on or today
    unclear: list[str] = []
    if school.problem:
        unclear.append(school.problem)
    if visit_date.problem:
        unclear.append(visit_date.problem)
    observations: list[str] = []
    problems: list[str] = []
    requirements: list[str] = []
    findings: list[Finding] = []
    waiting: list[str] = []  # problems said, their requirement not yet
    deadline: dt.Said | None = None
    for said in typed_clauses(text):
        clause, body = said.folded, _strip_context(said, school.said, visit_date.said)
        if not body:
            continue
        said_by = dt.find_deadline(simplified(normalise(clause)), base, cal)
        if _REQUIREMENT.search(simplified(clause)) or (said_by and not is_problem(_drop(clause, said_by.said))):
            requirements.append(body)
            deadline = deadline or said_by
            to_do = _to_do(body, said_by)
            if not waiting and findings and findings[-1].deadline is None:  # 要求… after 要求 without a date
                waiting.append(findings.pop().problem)
            findings += [Finding(p, to_do, said_by) for p in waiting]
            waiting = []
        elif _QUALIFIER.match(normalise(clause)) and waiting:  # 存在重大安全隐患: how grave the last one is
            waiting[-1] = problems[-1] = f"{waiting[-1]}，{body}"
        elif is_problem(clause):
            if said_by:  # 晨检记录缺了3天内的 (rare): keep the words, the date is not a deadline here
                said_by = None
            problems.append(body)
            waiting.append(body)
        else:
            observations.append(body)
    findings += [Finding(p) for p in waiting]
    urgent = bool(URGENT.search(clean)) and not _NEGATED_URGENT.search(clean)
    items = find_items(clean)
    if urgent:  # an emergency always gets its item and its problem
        items = items or ("6",)
        if not problems and observations:
            problems, observations = [observations[-1]], observations[:-1]
            findings.append(Finding(problems[0], deadline=deadline))
    if deadline is not None and deadline.on < base:
        unclear.append(DEADLINE_PAST)
    if deadline is not None:  # a finding without a date of its own takes the message's deadline
        findings = [f if f.deadline else Finding(f.problem, f.to_do, deadline) for f in findings]
    return VisitReading(
        text=text,
        school=school,
        visit_date=visit_date,
        items=items,
        kind=find_kind(clean),
        observations="；".join(observations),
        problems=tuple(problems),
        requirement="；".join(requirements),
        deadline=deadline,
        urgent=urgent,
        unclear=tuple(unclear),
        findings=tuple(findings),
        message=kind_of_message,
    )


def find_school_in(
    text: str, schools: Sequence[SchoolRef], names: SchoolNames | None = None, *, listed: bool = True
) -> SchoolFinding:
    """The inspector's school a text names; a list number only when the list was just shown."""
    resolver = names or SchoolNames.build(schools)
    finding = resolver.find(text, among=schools)
    if finding.problem in (SCHOOL_MISSING, SCHOOL_UNKNOWN) and listed:
        numbered = by_list_number(normalise(text), schools)
        if numbered:
            return SchoolFinding(numbered[0].id, (numbered[0].id,), numbered[1])
    return finding


def problem_and_requirement(text: str) -> tuple[str, str]:
    """`晨检记录不全要求补齐` -> (`晨检记录不全`, `补齐`): the problem, and what must be done ('' when unsaid)."""
    found = _REQUIREMENT.search(fold(text, simplify=True))  # as long as `text`: its positions are the typed ones
    if not found or found.start() == 0:
        return text.strip("，,。 "), ""
    return text[: found.start()].strip("，,。 "), _to_do(text[found.start() :], None)


def _drop(text: str, said: str) -> str:
    return normalise(text).replace(said, "")


_WITHIN = re.compile(r"^(?:之内|以内|内|前|之前|完成|,)+")
_SOON = re.compile(r"^(?:在|于|尽快|及时)")


def _to_do(requirement: str, deadline: dt.Said | None) -> str:
    """要求3天内清理干净 -> 清理干净: what the unit must do, without the asking words and the date, as typed."""
    body = Typed.of(re.sub(r"[^\S\n]+", "", requirement))
    if deadline is not None:
        body = body.without(deadline.said)
    body = body.without_lead(_REQUIREMENT_LEAD).without_lead(_WITHIN).strip("，,。 ")
    body = body.without_lead(_SOON) if len(body.typed) > 2 else body
    return "" if body.folded in _EMPTY_REQUIREMENT else body.typed


_SCENE_LEAD = re.compile(r"^(?:紧急|上午|下午|早上|我|去了?|到了?|在|对|趟|的|就是|发现(?!问题))+")


def _strip_context(clause: Typed, school_said: str, date_said: str) -> str:
    """A clause without the words that only set the scene (今天在城关二小), the rest as typed."""
    body = clause.without(school_said)
    for said in filter(None, date_said.split("、")):
        body = body.without(said)
    body = body.without_lead(_SCENE_LEAD)
    return "" if _CONTEXT_ONLY.match(body.folded) else body.strip("，, :：").typed


# the one date and duration parser lives in backend.domain.dates; these names are its face here
Deadline = Said
find_deadline = dt.find_deadline
find_date = dt.find_visit_date
to_int = dt.to_int
