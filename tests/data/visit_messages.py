"""A corpus of inspector messages, as they arrive (one finger, voice input, typos), with what each must mean.

The inspector's schools include near namesakes on purpose (two 一小, 实验小学 and 第二实验小学, a 一中 beside a
一小). Every message is read on Monday 23 November 2026. Each case gives what must be understood; `ask` names
the question the bot must ask instead of guessing (then no school or date may be recorded from it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

TODAY = date(2026, 11, 23)  # a Monday

# (id, full name, short name); the list number is the position (1-based)
SCHOOLS = (
    (11, "青禾县城关镇第一小学", "城关镇第一小学"),
    (12, "青禾县城关镇第二小学", "城关镇第二小学"),
    (13, "青禾县实验小学", "实验小学"),
    (14, "青禾县第二实验小学", "第二实验小学"),
    (15, "青禾县城关镇中心幼儿园", "城关镇中心幼儿园"),
    (16, "青禾县河口镇第一小学", "河口镇第一小学"),
    (17, "青禾县城关镇第一初级中学", "城关镇第一初级中学"),
)


@dataclass(frozen=True)
class Case:
    text: str
    school: int | None = None  # the school id that must be understood; None with `ask`
    day: date | None = TODAY  # the visit's date; None when a question is due
    ask: str | None = None  # the question the bot must ask (a constant of backend.domain.visit_text)
    items: frozenset[str] = field(default_factory=frozenset)  # items that must be among those found
    deadline: date | None = None
    urgent: bool = False
    problems: int = 0  # at least this many problems
    kind: str = "routine"


def c(text: str, school: int | None = None, day: date | None = TODAY, **kw: object) -> Case:
    if "items" in kw:
        kw["items"] = frozenset(str(i) for i in kw["items"])  # type: ignore[union-attr]
    return Case(text, school, day, **kw)  # type: ignore[arg-type]


D = date
CASES: tuple[Case, ...] = (
    # --- the example of the issue and plain ones ---
    c(
        "今天在城关二小，看了食堂和校门值守，晨检记录缺了3天，要求一周内补齐",
        12,
        items={6, 7},
        deadline=D(2026, 11, 30),
        problems=1,
    ),
    c("今天在城关镇第二小学看了食堂", 12, items={7}),
    c("城关二小 食堂 校门 都看了 挺好", 12, items={6, 7}),
    c("昨天去实验小学听了两节课 课堂秩序很好 没发现什么问题", 13, D(2026, 11, 22), items={3}),
    c("前天在第二实验小学检查了大课间和眼保健操", 14, D(2026, 11, 21), items={4}),
    c("上周三在二实小看了大课间", 14, D(2026, 11, 18), items={4}),
    c("11月20日到城关镇中心幼儿园查看了午餐和午睡", 15, D(2026, 11, 20), items={7}),
    c(
        "11.20 城关中心园 厨房留样不规范 限期三个工作日整改",
        15,
        D(2026, 11, 20),
        items={7},
        deadline=D(2026, 11, 25),
        problems=1,
    ),
    c(
        "11月20号上午在城关镇第一小学检查了作业布置情况 三年级作业偏多 要求本月底前拿出减负方案",
        11,
        D(2026, 11, 20),
        items={4},
        deadline=D(2026, 11, 30),
        problems=1,
    ),
    c(
        "前天暗访城关中心幼儿园 发现午睡室消毒记录不全 请园方三天内完善",
        15,
        D(2026, 11, 21),
        items={7},
        deadline=D(2026, 11, 25),  # three working days after Saturday the 21st
        problems=1,
        kind="unannounced",
    ),
    c("今天对城关一中进行专项督导，查阅了招生材料和学籍档案", 17, items={2}, kind="special"),
    c("城关一初中今天复查食堂整改情况，已经整改到位", 17, items={7}, kind="follow_up"),
    c("今天回访河口一小，上次说的围墙裂缝已修好", 16, items={6}, kind="follow_up"),
    c("河口镇一小 消防通道堆放杂物 灭火器过期 要求12月1日前整改", 16, items={6}, deadline=D(2026, 12, 1), problems=1),
    c("在河口镇第一小学看了升旗仪式和校园文化建设", 16, items={8}),
    c("城关镇第一小学 查看教师师德档案 未发现问题", 11, items={5}),
    c("今天去城关二小听了一节数学课 老师备课充分", 12, items={3}),
    c("城关镇中心幼儿园晨检记录不全，要求两周内补齐", 15, items={7}, deadline=D(2026, 12, 7), problems=1),
    c("第二实验小学课后服务收费不规范 要求5个工作日内整改", 14, items={2, 4}, deadline=D(2026, 11, 30), problems=1),
    c("实验小学 学生作业负担偏重 要求本周内拿出整改方案", 13, items={4}, deadline=D(2026, 11, 27), problems=1),
    c("实验小学 体育课被占用 下周五前整改", 13, items={4}, deadline=D(2026, 12, 4), problems=1),
    # --- list numbers ---
    c("3号学校 今天查阅了招生资料", 13, items={2}),
    c("第2所 看了食堂 很干净", 12, items={7}),
    c("5 今天看了幼儿园的晨检", 15, items={7}),
    c("学校4 听课两节", 14, items={3}),
    # --- dates ---
    c("周五在城关二小看了课后服务", 12, D(2026, 11, 20), items={4}),
    c("上星期五在实验小学检查了食堂", 13, D(2026, 11, 20), items={7}),
    c("上周一到城关一初中看了课堂教学", 17, D(2026, 11, 16), items={3}),
    c("3天前去了城关镇中心幼儿园检查安全", 15, D(2026, 11, 20), items={6}),
    c("20号在河口镇第一小学检查了校车", 16, D(2026, 11, 20), items={6}),
    c("2026年11月19日 城关二小 校门值守 保安在岗", 12, D(2026, 11, 19), items={6}),
    c("11/18 第二实验小学 宿舍卫生检查 有几间宿舍较脏", 14, D(2026, 11, 18), items={7}, problems=1),
    c("大前天在实验小学看了音体美课程开设情况", 13, D(2026, 11, 20), items={3}),
    c("十一月二十日在城关二小检查了食堂", 12, D(2026, 11, 20), items={7}),
    c("昨日于城关镇第一小学座谈走访 教师反映培训机会少", 11, D(2026, 11, 22), items={5}, problems=1),
    # --- voice-style run-on text without punctuation ---
    c(
        "今天上午我去了城关二小看了一下食堂还有校门口的值守情况食堂的晨检记录缺了三天我让他们一周之内补齐",
        12,
        items={6, 7},
        deadline=D(2026, 11, 30),
        problems=1,
    ),
    c(
        "昨天下午在实验小学听了三节课课堂纪律还可以就是作业布置偏多要求他们本月底之前整改",
        13,
        D(2026, 11, 22),
        items={3, 4},
        deadline=D(2026, 11, 30),
        problems=1,
    ),
    c(
        "我今天在河口镇第一小学检查了消防器材发现有两个灭火器过期了要求三天之内更换",
        16,
        items={6},
        deadline=D(2026, 11, 26),
        problems=1,
    ),
    c("前天去城关镇中心幼儿园看了午餐还有午睡情况都挺好的没有什么问题", 15, D(2026, 11, 21), items={7}),
    c("今天去第二实验小学看了大课间学生做操很认真", 14, items={4}),
    # --- typos (near misses are asked, never assumed) ---
    c("今天在城官二小看了食堂", None, ask="school_unsure", items={7}),
    c("成关镇第二小学 检查校门值守", None, ask="school_unsure", items={6}),
    c("实验晓学 听课一节", None, ask="school_unsure", items={3}),
    c("河口真第一小学 食堂卫生良好", None, ask="school_unsure", items={7}),
    c("城关中心幼儿圆 晨检规范", None, ask="school_unsure", items={7}),
    # --- ambiguous or missing schools: a question, never a guess ---
    c("今天去一小看了食堂", None, ask="school_ambiguous", items={7}),
    c("第一小学 查了招生台账", None, ask="school_ambiguous", items={1, 2}),
    c("今天看了食堂，挺好的", None, ask="school_missing", items={7}),
    c("听了两节课 课堂效果不错", None, ask="school_missing", items={3}),
    c("检查了校门值守和消防器材", None, ask="school_missing", items={6}),
    c("今天去城关三小看了食堂", None, ask="school_unsure", items={7}),
    c("在青石镇中心小学看了课堂教学", None, ask="school_unknown", items={3}),
    c("今天去了白沙镇中学检查食堂", None, ask="school_unknown", items={7}),
    c("在实验中学听课", None, ask="school_unsure", items={3}),
    c("二实验小学与实验小学联合教研活动 今天听课", None, ask="school_ambiguous", items={3}),
    # --- dates that must be asked ---
    c("明天去城关二小看食堂", 12, None, ask="date_future", items={7}),
    c("11月31日在实验小学听课", 13, None, ask="date_invalid", items={3}),
    c("12月5日在实验小学检查了食堂", 13, None, ask="date_future", items={7}),
    c("昨天和今天都在城关二小 看了食堂", 12, None, ask="date_conflict", items={7}),
    c("后天到第二实验小学复查", 14, None, ask="date_future", kind="follow_up"),
    c("下周三去河口镇第一小学", 16, None, ask="date_future"),
    # --- urgent matters ---
    c("紧急 城关一小 教学楼楼梯护栏松动 有重大安全隐患", None, ask="school_ambiguous", items={6}, urgent=True),
    c(
        "城关镇第一小学教学楼楼梯护栏松动 存在重大安全隐患 要求立即停用并三天内修复",
        11,
        items={6},
        urgent=True,
        deadline=D(2026, 11, 26),
        problems=1,
    ),
    c("城关镇中心幼儿园发生疑似食物中毒 多名幼儿呕吐", 15, items={7}, urgent=True, problems=0),
    c("实验小学检查安全 没有发现安全隐患", 13, items={6}, urgent=False),
    c("河口镇第一小学 围墙出现裂缝 危房隐患", 16, items={6}, urgent=True, problems=1),
)


# --- the development corpus: three counties whose master data carries the official, prefixed names ---------
#
# Each inspector's schools as the master data names them, with the everyday forms inspectors write. The corpus
# is written against these (the names engineer's generated counties in tests/data/counties.py share the shape).
# Every message is read on Monday 23 November 2026 and has its expected outcome: `record` (right, without a
# question), `ask` (the bot must ask before recording: a fuzzy name, two schools, a vague day), or `none`
# (not a visit: a plan, a question, thanks, chit-chat, a correction on its own).


@dataclass(frozen=True)
class CountySchool:
    id: int
    name: str  # official, as in the master data
    said: str  # the everyday form an inspector writes
    slip: str  # a pinyin-input homophone or one-character slip of `said` (a fuzzy match: asked)


@dataclass(frozen=True)
class CorpusCounty:
    name: str
    authority_names: tuple[str, ...]
    schools: tuple[CountySchool, ...]
    ambiguous: tuple[str, ...]  # words that fit two of the inspector's schools


CORPUS_COUNTIES = (
    CorpusCounty(
        "安远县",
        ("江西省赣州市安远县", "赣州市安远县", "安远县", "安远"),
        (
            CountySchool(101, "安远县城关第二小学", "城关二小", "城官二小"),
            CountySchool(102, "安远县天心镇中心小学", "天心中心校", "天新中心校"),
            CountySchool(103, "安远县天心镇初级中学", "天心初中", "天心出中"),
            CountySchool(104, "安远县欣山镇九年一贯制学校", "欣山九年制", "新山九年制"),
            CountySchool(105, "安远县小天使幼儿园", "小天使幼儿园", "小天便幼儿园"),
            CountySchool(106, "安远县特殊教育学校", "特殊教育学校", "特殊教育学效"),
        ),
        ("天心镇",),
    ),
    CorpusCounty(
        "隆回县",
        ("湖南省邵阳市隆回县", "邵阳市隆回县", "隆回县", "隆回"),
        (
            CountySchool(201, "隆回县桃洪镇第一小学", "桃洪一小", "桃红一小"),
            CountySchool(202, "隆回县金石桥镇中心小学", "金石桥中心小学", "金时桥中心小学"),
            CountySchool(203, "隆回县金石桥镇初级中学", "金石桥初中", "金石乔初中"),
            CountySchool(204, "隆回县七彩阳光幼儿园", "七彩阳光幼儿园", "七采阳光幼儿园"),
            CountySchool(205, "隆回县六都寨镇九年一贯制学校", "六都寨九年制", "六都债九年制"),
        ),
        ("金石桥",),
    ),
    CorpusCounty(
        "宾川县",
        ("云南省大理白族自治州宾川县", "大理州宾川县", "宾川县", "宾川"),
        (
            CountySchool(301, "宾川县金牛镇第三小学", "金牛三小", "金妞三小"),
            CountySchool(302, "宾川县州城镇中心小学", "州城中心小学", "洲城中心小学"),
            CountySchool(303, "宾川县州城镇初级中学", "州城初中", "州成初中"),
            CountySchool(304, "宾川县蓝天幼儿园", "蓝天幼儿园", "篮天幼儿园"),
            CountySchool(305, "宾川县乔甸镇九年一贯制学校", "乔甸九年制", "乔电九年制"),
        ),
        ("州城镇",),
    ),
)


@dataclass(frozen=True)
class Message:
    """One corpus message and what it must mean."""

    text: str
    county: str
    cls: str  # the class of message (plain, voice, homophone, traditional, emoji, glued, question, plan, …)
    outcome: str  # record | ask | none
    school: int | None = None
    day: date | None = TODAY
    problems: int = 0  # exactly this many problems
    deadlines: tuple[date, ...] = ()  # one draft per problem with a deadline, in order
    urgent: bool = False
    items: frozenset[str] = field(default_factory=frozenset)


def _traditional(text: str) -> str:
    from opencc import OpenCC

    return str(OpenCC("s2t").convert(text))


def _corpus() -> tuple[Message, ...]:
    out: list[Message] = []
    d26, w3, w3_from_20 = D(2026, 11, 26), D(2026, 11, 26), D(2026, 11, 25)
    for county in CORPUS_COUNTIES:

        def m(
            text: str, cls: str, outcome: str, school: int | None = None, county: CorpusCounty = county, **kw: object
        ) -> None:
            if "items" in kw:
                kw["items"] = frozenset(str(i) for i in kw["items"])  # type: ignore[union-attr]
            out.append(Message(text, county.name, cls, outcome, school, **kw))  # type: ignore[arg-type]

        for s in county.schools:
            f, i = s.said, s.id
            # plain one-message visits
            m(f"今天在{f}看了食堂，很干净", "plain", "record", i, items={7})
            m(f"{s.name} 查看了校门值守 保安在岗", "official name", "record", i, items={6})
            m(f"昨天去{f}听了两节课，课堂秩序很好", "plain", "record", i, day=D(2026, 11, 22), items={3})
            m(f"11月20日在{f}检查了大课间和眼保健操", "plain", "record", i, day=D(2026, 11, 20), items={4})
            m(f"上周三到{f}查阅了招生台账", "plain", "record", i, day=D(2026, 11, 18), items={1, 2})
            # voice: run on, no punctuation
            m(
                f"今天上午我去了{f}看了一下食堂还有校门口的值守情况晨检记录缺了三天我让他们一周之内补齐",
                "voice",
                "record",
                i,
                problems=1,
                deadlines=(D(2026, 11, 30),),
                items={6, 7},
            )
            m(f"前天在{f}看了午餐都挺好的没有什么问题", "voice", "record", i, day=D(2026, 11, 21), items={7})
            # homophones and slips: confirmed with one word, never recorded silently
            m(f"今天在{s.slip}看了食堂", "homophone", "ask", None, items={7})
            # traditional characters
            m(_traditional(f"今天在{f}檢查了消防器材，灭火器都在有效期内"), "traditional", "record", i, items={6})
            # emoji
            m(f"{f}看了食堂👍很干净😊", "emoji", "record", i, items={7})
            # glued words
            m(f"20号去的{f}看了食堂", "glued", "record", i, day=D(2026, 11, 20), items={7})
            m(f"今天去了趟{f}看了大课间", "glued", "record", i, items={4})
            m(f"周一{f}检查了消防通道", "glued", "record", i, items={6})
            # questions: answered from 待办, nothing recorded
            m(f"{f}的整改报告交上来了吗？", "question", "none")
            m(f"{f}上次的问题整改了没有", "question", "none")
            # plans: nothing recorded
            m(f"下午准备去{f}", "plan", "none")
            m(f"明天去{f}看看食堂", "plan", "none")
            # vague or double dates: asked
            m(f"前几天去{f}看了食堂", "vague date", "ask", i, day=None, items={7})
            m(f"上周去了{f}检查安全", "vague date", "ask", i, day=None, items={6})
            m(f"昨天和今天都在{f}看了食堂", "two dates", "ask", i, day=None, items={7})
            # deadlines: each problem its own draft; a date in a requirement is no visit date
            m(
                f"今天在{f}，消防通道堆了杂物，要求3天内清理干净",
                "deadline",
                "record",
                i,
                problems=1,
                deadlines=(w3,),
                items={6},
            )
            m(
                f"{f}灭火器过期，要求12月10日前更换",
                "deadline",
                "record",
                i,
                problems=1,
                deadlines=(D(2026, 12, 10),),
                items={6},
            )
            m(
                f"11.20 {f} 厨房留样不规范 限期三个工作日整改",
                "deadline",
                "record",
                i,
                day=D(2026, 11, 20),
                problems=1,
                deadlines=(w3_from_20,),
                items={7},
            )
            m(
                f"今天在{f}看了食堂，晨检记录缺了3天，要求一周内补齐；灭火器过期，要求两周内更换",
                "deadline",
                "record",
                i,
                problems=2,
                deadlines=(D(2026, 11, 30), D(2026, 12, 7)),
                items={6, 7},
            )
            # negations: no problem recorded
            m(f"{f}台账齐全，没有发现问题", "negation", "record", i, items={1})
            m(f"今天在{f}检查了食堂，未发现问题，均正常", "negation", "record", i, items={7})
            m(f"{f} 查看安全台账 没有发现安全隐患", "negation", "record", i, items={1, 6})
            # emergencies: always an item and a problem
            m(f"紧急 {f}教学楼外墙瓷砖脱落", "emergency", "record", i, problems=1, urgent=True, items={6})
            m(
                f"{f}楼梯护栏松动 存在重大安全隐患 要求立即停用并三天内修复",
                "emergency",
                "record",
                i,
                problems=1,
                deadlines=(d26,),
                urgent=True,
                items={6},
            )
        # per county: two schools that fit, none named, chit-chat and corrections alone
        for word in county.ambiguous:
            m(f"今天去{word}看了食堂", "ambiguous", "ask", None, items={7})
        m("今天看了食堂，挺好的", "no school", "ask", None, items={7})
        m("检查了校门值守和消防器材", "no school", "ask", None, items={6})
        for text in ("好的", "收到", "谢谢", "👍", "辛苦了", "嗯嗯", "你好"):
            m(text, "chit-chat", "none")
        m(f"不对，是{county.schools[2].said}", "correction", "none")
        m("不对，是昨天", "correction", "none")
    return tuple(out)


CORPUS: tuple[Message, ...] = _corpus()
