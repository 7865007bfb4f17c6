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
        kw["items"] = frozenset(str(i) for i in kw["items"])  # type: ignore[attr-defined]
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


# --- the development corpus: the three generated counties of tests/data/counties.py ---------------------------
#
# Official names carry the province, city or county and often the township (安远县天心镇中心小学); inspectors
# write everyday forms (`School.said`). Every message is written for one inspector of one county (the
# hand-written inspector groups) about one of their schools, read on Monday 23 November 2026, and has its
# expected outcome: `record` (right, without a question), `ask` (the bot must ask before recording: a homophone
# or slip, two schools that fit, a vague or double day), or `none` (no visit: a plan, a question, thanks,
# chit-chat, a correction on its own).

# one pinyin-input homophone for a character that begins an everyday name: the slip an inspector types
_HOMOPHONE = {
    "城": "成", "天": "添", "孔": "空", "版": "板", "鹤": "贺", "桃": "陶", "滩": "摊", "周": "州", "花": "华",
    "高": "糕", "金": "今", "宾": "滨", "力": "立", "小": "晓", "特": "待", "实": "石", "欣": "新", "安": "按",
    "隆": "龙", "州": "洲", "拉": "啦", "七": "期", "童": "同", "博": "搏", "长": "常", "石": "时", "二": "而",
}  # fmt: skip


@dataclass(frozen=True)
class Message:
    """One corpus message and what it must mean."""

    text: str
    county: str
    inspector: str  # the inspector's number: their schools are the ones meant
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


def _slip(said: str, county: str) -> str | None:
    """`said` with one character typed as its homophone (not in the county's name, which names no school)."""
    start = len(county) if said.startswith(county) else 0
    for n, ch in enumerate(said[start:], start=start):
        if ch in _HOMOPHONE:
            return said[:n] + _HOMOPHONE[ch] + said[n + 1 :]
    return None


def _corpus() -> tuple[Message, ...]:
    from tests.data.counties import COUNTIES

    out: list[Message] = []
    w3, w3_from_20 = D(2026, 11, 26), D(2026, 11, 25)
    for county in COUNTIES:
        hand_written = [i for i in county.inspectors if all(county.by_id[s].said for s in i.schools)]
        for inspector in hand_written:
            schools = [county.by_id[s] for s in inspector.schools]

            def m(
                text: str,
                cls: str,
                outcome: str,
                school: int | None = None,
                county_name: str = county.name,
                number: str = inspector.number,
                **kw: object,
            ) -> None:
                if "items" in kw:
                    kw["items"] = frozenset(str(i) for i in kw["items"])  # type: ignore[attr-defined]
                out.append(Message(text, county_name, number, cls, outcome, school, **kw))  # type: ignore[arg-type]

            for s in schools:
                f, i = s.said[0], s.id
                g = s.said[-1]  # another everyday form
                # plain one-message visits
                m(f"今天在{f}看了食堂，很干净", "plain", "record", i, items={7})
                m(f"{s.name} 查看了校门值守 保安在岗", "official name", "record", i, items={6})
                m(f"昨天去{g}听了两节课，课堂秩序很好", "plain", "record", i, day=D(2026, 11, 22), items={3})
                m(f"11月20日在{f}检查了大课间和眼保健操", "plain", "record", i, day=D(2026, 11, 20), items={4})
                m(f"上周三到{g}查阅了招生台账", "plain", "record", i, day=D(2026, 11, 18), items={1, 2})
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
                m(f"前天在{g}看了午餐都挺好的没有什么问题", "voice", "record", i, day=D(2026, 11, 21), items={7})
                # homophones and slips: confirmed with one word, never recorded silently
                slip = _slip(f, county.short)
                if slip:
                    m(f"今天在{slip}看了食堂", "homophone", "ask", None, items={7})
                # traditional characters
                m(_traditional(f"今天在{f}检查了消防器材，灭火器都在有效期内"), "traditional", "record", i, items={6})
                # emoji
                m(f"{f}看了食堂👍很干净😊", "emoji", "record", i, items={7})
                # glued words
                m(f"20号去的{f}看了食堂", "glued", "record", i, day=D(2026, 11, 20), items={7})
                m(f"今天去了趟{f}看了大课间", "glued", "record", i, items={4})
                m(f"周一{f}检查了消防通道", "glued", "record", i, items={6})
                m(f"今天对{f}进行了专项督导查阅了招生材料", "glued", "record", i, items={2})
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
                    deadlines=(w3,),
                    urgent=True,
                    items={6},
                )
            # per inspector: a township that holds two of their schools, no school, chit-chat, corrections
            towns = [s.township for s in schools if s.township]
            for town in sorted({t for t in towns if towns.count(t) >= 2 and "镇" in t}):
                word = town.removesuffix("镇")
                if sum(word in s.name for s in schools) >= 2:
                    m(f"今天去{word}看了食堂", "ambiguous", "ask", None, items={7})
            m("今天看了食堂，挺好的", "no school", "ask", None, items={7})
            m("检查了校门值守和消防器材", "no school", "ask", None, items={6})
            for text in ("好的", "收到", "谢谢", "👍", "辛苦了"):
                m(text, "chit-chat", "none")
            m(f"不对，是{schools[-1].said[0]}", "correction", "none")
            m("不对，是昨天", "correction", "none")
    return tuple(out)


def h(
    text: str, county: str, inspector: str, cls: str, outcome: str, school: int | None = None, **kw: object
) -> Message:
    if "items" in kw:
        kw["items"] = frozenset(str(i) for i in kw["items"])  # type: ignore[attr-defined]
    return Message(text, county, inspector, cls, outcome, school, **kw)  # type: ignore[arg-type]


AY1, AY2, AY3, LH1, LH3, BC2 = "360726-01", "360726-02", "360726-03", "430524-01", "430524-03", "532924-02"
AY, LH, BC = "安远县", "隆回县", "宾川县"
# written by hand, as inspectors write them: every phrasing a little different
HAND_WRITTEN: tuple[Message, ...] = (
    h("城关二小今天上午随机听了一节语文课 教师备课充分 学生状态好", AY, AY1, "plain", "record", 1002, items={3}),
    h("今早到城关一小门口看护学岗，家长接送秩序井然", AY, AY1, "plain", "record", 1001, items={6}),
    h(
        "上星期五欣山初中 查看了课后服务台账 收费公示到位",
        AY,
        AY1,
        "plain",
        "record",
        1005,
        day=D(2026, 11, 20),
        items={1, 4},
    ),
    h("实验幼 今天 看了户外活动 没有小学化倾向", AY, AY1, "negation", "record", 1004, items={3, 4}),
    h("安远一中食堂留样48小时 記錄齊全", AY, AY1, "traditional", "record", 1003, items={7}),
    h("今天在城關二小看了食堂", AY, AY1, "traditional", "record", 1002, items={7}),
    h("🏫城关二小✅食堂✅门卫 都正常", AY, AY1, "emoji", "record", 1002, items={6, 7}),
    h("城关二小的教师有偿补课问题查得怎么样了？", AY, AY1, "question", "none"),
    h("城关二小食堂卫生还可以就是有点油腻", AY, AY1, "plain", "record", 1002, problems=1, items={7}),
    h(
        "欣山初中 门卫不在岗 大门敞开 要求两天内加强值守",
        AY,
        AY1,
        "deadline",
        "record",
        1005,
        problems=2,
        deadlines=(D(2026, 11, 25), D(2026, 11, 25)),
        items={6},
    ),
    h(
        "城关二小 厕所异味大 需于12月5日前整改完毕",
        AY,
        AY1,
        "deadline",
        "record",
        1002,
        problems=1,
        deadlines=(D(2026, 12, 5),),
        items={7},
    ),
    h("城关一小 今天 检查作业 没有发现超量现象", AY, AY1, "negation", "record", 1001, items={4}),
    h("城关二小 有些班级没开音乐课", AY, AY1, "plain", "record", 1002, problems=1, items={3}),
    h("实验幼的消毒记录补上了没", AY, AY1, "question", "none"),
    h("今天打算去一趟欣山初中", AY, AY1, "plan", "none"),
    h("等会去城关一小看看午餐", AY, AY1, "plan", "none"),
    h("最近去了实验幼 看了晨检", AY, AY1, "vague date", "ask", 1004, day=None, items={7}),
    h("前段时间去城关二小看过食堂", AY, AY1, "vague date", "ask", 1002, day=None, items={7}),
    h(
        "天心中心校今天检查发现厕所蹲位损坏两个 要求本周内修好",
        AY,
        AY2,
        "deadline",
        "record",
        1006,
        problems=1,
        deadlines=(D(2026, 11, 27),),
        items={7},
    ),
    h(
        "天心初中 宿舍有电线私拉乱接 限期5个工作日整改",
        AY,
        AY2,
        "deadline",
        "record",
        1007,
        problems=1,
        deadlines=(D(2026, 11, 30),),
        items={6, 7},
    ),
    h(
        "今天在长河村小，围墙有一段倒塌了，要求月底前修复；饮水机滤芯过期，要求下周五前更换",
        AY,
        AY2,
        "deadline",
        "record",
        1008,
        problems=2,
        urgent=True,  # a collapsed wall is reported at once
        deadlines=(D(2026, 11, 30), D(2026, 12, 4)),
        items={6, 7},
    ),
    h("长河教学点今天去了 教室采光不足", AY, AY2, "plain", "record", 1009, problems=1),
    h("天心中心园 午睡室消毒到位 晨检记录完整", AY, AY2, "negation", "record", 1010, items={7}),
    h("今天去天心看了午餐", AY, AY2, "ambiguous", "ask", None, items={7}),
    h("今天去长河看了", AY, AY2, "ambiguous", "ask", None),
    h(
        "紧急！长河村小教室吊顶掉落 砸伤一名学生",
        AY,
        AY2,
        "emergency",
        "record",
        1008,
        problems=1,
        urgent=True,
        items={6},
    ),
    h(
        "孔田九年制今天暗访 发现有老师体罚学生 要求学校三天内调查处理并报告",
        AY,
        AY3,
        "deadline",
        "record",
        1011,
        problems=1,
        deadlines=(D(2026, 11, 26),),
        items={5},
    ),
    h("小天使 今天 看了 食堂 和 玩具消毒", AY, AY3, "voice", "record", 1013, items={7}),
    h("博苑幼儿园招生收费检查无问题", AY, AY3, "negation", "record", 1014, items={2}),
    h("特校今天复查上次整改 已经整改到位", AY, AY3, "plain", "record", 1015, items=set()),
    h("今天在特校看了康复训练课，效果不错，谢谢老师们的配合", AY, AY3, "plain", "record", 1015, items={3}),
    h("孔田中心校今天检查了营养餐 饭菜分量不足", AY, AY3, "plain", "record", 1012, problems=1, items={7}),
    h("隆回二中今天查了晚自习 学生作业量偏大", LH, LH1, "plain", "record", 2001, problems=1, items={4}),
    h(
        "桃洪二小 消防栓没水 要求两周内维修",
        LH,
        LH1,
        "deadline",
        "record",
        2003,
        problems=1,
        deadlines=(D(2026, 12, 7),),
        items={6},
    ),
    h("金色摇篮幼儿园今天去看了 卫生状况良好", LH, LH1, "negation", "record", 2005, items={7}),
    h("桃洪中心校的整改通知签收了吗", LH, LH1, "question", "none"),
    h("下周一去桃洪二小复查", LH, LH1, "plan", "none"),
    h("花门一小今天上午督导了课后服务情况一切正常", LH, LH3, "voice", "record", 2011, items={4}),
    h(
        "高平中心校 昨日 检查食堂 发现冰箱生熟混放 要求立即整改",
        LH,
        LH3,
        "plain",
        "record",
        2013,
        day=D(2026, 11, 22),
        problems=1,
        items={7},
    ),
    h(
        "石门村小 校舍墙体裂缝 重大安全隐患 已上报",
        LH,
        LH3,
        "emergency",
        "record",
        2014,
        problems=1,
        urgent=True,
        items={6},
    ),
    h("特教学校今天看了送教上门台账 齐全", LH, LH3, "negation", "record", 2012, items={1}),
    h(
        "州城中心校今天查阅了控辍保学台账 有两名学生长期缺课未家访 要求一周内完成家访",
        BC,
        BC2,
        "deadline",
        "record",
        3005,
        problems=1,
        deadlines=(D(2026, 11, 30),),
        items={1, 2},
    ),
    h(
        "州城初中 11月18日 检查了实验室危化品管理 规范",
        BC,
        BC2,
        "negation",
        "record",
        3006,
        day=D(2026, 11, 18),
        items=set(),
    ),
    h("拉乌九年制 今天 住校生宿舍检查 被褥干净 ✔", BC, BC2, "emoji", "record", 3007, items={7}),
    h("七彩阳光幼儿园办园行为检查 未发现小学化", BC, BC2, "negation", "record", 3008, items={3}),
    h("去州城看了午餐", BC, BC2, "ambiguous", "ask", None, items={7}),
    h("州城中心校明天开家长会我去列席", BC, BC2, "plan", "none"),
    h("辛苦了👍", BC, BC2, "chit-chat", "none"),
    h("好的，收到", BC, BC2, "chit-chat", "none"),
    h("谢谢提醒", BC, BC2, "chit-chat", "none"),
    h("不对 是州城初中", BC, BC2, "correction", "none"),
)

CORPUS: tuple[Message, ...] = _corpus() + HAND_WRITTEN
