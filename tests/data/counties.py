"""Three counties as their master data names their schools (generated, deterministic), with who inspects what.

Official names carry the province, city or county and often the township, as real master data does
(`江西省赣州市安远县城关第二小学`, `安远县天心镇中心小学`, `安远县天心镇中心小学长河教学点`); private
kindergartens go by brand names; some townships hold two schools. Each county lists its hand-written schools
(with the everyday forms people say for them, `said`) and adds seeded 村小, 教学点 and kindergartens, so a county
has 60-odd schools; `county_of_size(n)` grows one to n schools for timing.

    COUNTIES: tuple[County, ...]           ANYUAN, LONGHUI, BINCHUAN
    county.authority_names                 ("江西省赣州市安远县", "赣州市安远县", "安远县", "安远")
    county.schools                         every School (id, code, name, kind, ownership, township, said, nicknames)
    county.inspectors                      Inspector(number, name, school ids); every school has one
    county.school(name) / county.by_id     look-ups; county.schools_of(inspector_number)
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class School:
    id: int
    code: str
    name: str  # the official name, as in the master data
    kind: str  # the import's kind labels: 小学, 初中, 九年一贯制, 高中, 幼儿园, 特教, 教学点
    ownership: str = "公办"
    township: str = ""
    said: tuple[str, ...] = ()  # everyday forms that name this school alone among its inspector's schools
    nicknames: tuple[str, ...] = ()  # the office's 简称 (the import's 学校简称)


@dataclass(frozen=True)
class Inspector:
    number: str
    name: str
    schools: tuple[int, ...]


@dataclass(frozen=True)
class County:
    name: str  # 安远县
    province: str
    city: str
    code: str  # the administrative code, used for school codes
    schools: tuple[School, ...]
    inspectors: tuple[Inspector, ...] = field(default=())

    @property
    def short(self) -> str:
        return self.name[:-1] if self.name.endswith(("县", "区", "市")) and len(self.name) > 2 else self.name

    @property
    def authority_names(self) -> tuple[str, ...]:
        return (self.province + self.city + self.name, self.city + self.name, self.name, self.short)

    @cached_property
    def by_id(self) -> dict[int, School]:
        return {s.id: s for s in self.schools}

    def school(self, name: str) -> School:
        return next(s for s in self.schools if s.name == name)

    def inspector_of(self, school_id: int) -> Inspector:
        return next(i for i in self.inspectors if school_id in i.schools)

    def schools_of(self, number: str) -> tuple[School, ...]:
        inspector = next(i for i in self.inspectors if i.number == number)
        return tuple(self.by_id[i] for i in inspector.schools)


# (official name, kind, ownership, township, everyday forms, office 简称); the inspector groups follow
Row = tuple[str, str, str, str, tuple[str, ...], tuple[str, ...]]


def _p(
    name: str, kind: str, town: str = "", said: tuple[str, ...] = (), *, private: bool = False, office: str = ""
) -> Row:
    return (name, kind, "民办" if private else "公办", town, said, tuple(office.split("、")) if office else ())


ANYUAN_ROWS: tuple[tuple[Row, ...], ...] = (
    (  # 城关: two 城关 primary schools with one inspector, the county's 一中 and 实验幼
        _p("江西省赣州市安远县城关第一小学", "小学", "欣山镇", ("城关一小", "城关第一小学", "安远县城关一小")),
        _p("江西省赣州市安远县城关第二小学", "小学", "欣山镇", ("城关二小", "城关第二小学", "二小", "城关2小")),
        _p("安远县第一中学", "高中", "欣山镇", ("安远一中", "一中", "县一中", "第一中学")),
        _p("安远县实验幼儿园", "幼儿园", "欣山镇", ("实验幼", "实验幼儿园", "县实验幼儿园", "实幼")),
        _p("安远县欣山初级中学", "初中", "欣山镇", ("欣山初中", "欣山中学", "安远三中"), office="安远三中、三中"),
    ),
    (  # 天心镇: four schools in one township, two of them called 长河
        _p(
            "安远县天心镇中心小学",
            "小学",
            "天心镇",
            ("天心中心校", "天心镇中心小学", "天心镇小", "天心中小", "天心小学"),
        ),
        _p("安远县天心初级中学", "初中", "天心镇", ("天心初中", "天心中学")),
        _p("安远县天心镇长河村小学", "小学", "天心镇", ("长河村小", "长河村小学", "天心镇长河村小学")),
        _p("安远县天心镇中心小学长河教学点", "教学点", "天心镇", ("长河教学点",)),
        _p("安远县天心镇中心幼儿园", "幼儿园", "天心镇", ("天心中心幼儿园", "天心中心园", "天心幼儿园")),
    ),
    (  # 孔田镇 and the private kindergartens
        _p("安远县孔田镇九年一贯制学校", "九年一贯制", "孔田镇", ("孔田九年制", "孔田镇九年一贯制学校", "孔田学校")),
        _p("安远县孔田镇中心小学", "小学", "孔田镇", ("孔田中心校", "孔田镇小", "孔田小学")),
        _p("安远县小天使幼儿园", "幼儿园", "欣山镇", ("小天使幼儿园", "小天使"), private=True),
        _p("安远县博苑幼儿园", "幼儿园", "欣山镇", ("博苑幼儿园", "博苑"), private=True),
        _p("安远县特殊教育学校", "特教", "欣山镇", ("特教学校", "特校", "特殊教育学校")),
    ),
    (  # 版石镇 and 鹤子镇
        _p("安远县版石镇中心小学", "小学", "版石镇", ("版石中心校", "版石镇小")),
        _p("安远县版石中学", "初中", "版石镇", ("版石中学",)),
        _p("安远县鹤子镇中心小学", "小学", "鹤子镇", ("鹤子中心校", "鹤子镇中心小学")),
        _p("安远县鹤子镇中心幼儿园", "幼儿园", "鹤子镇", ("鹤子中心园", "鹤子幼儿园")),
    ),
)

LONGHUI_ROWS: tuple[tuple[Row, ...], ...] = (
    (
        _p("湖南省邵阳市隆回县第二中学", "高中", "桃洪镇", ("隆回二中", "二中")),
        _p("隆回县桃洪镇中心小学", "小学", "桃洪镇", ("桃洪中心校", "桃洪镇小")),
        _p("隆回县桃洪镇第二小学", "小学", "桃洪镇", ("桃洪二小", "桃洪镇第二小学")),
        _p("隆回县实验幼儿园", "幼儿园", "桃洪镇", ("实验幼", "实验幼儿园")),
        _p("隆回县金色摇篮幼儿园", "幼儿园", "桃洪镇", ("金色摇篮幼儿园", "金色摇篮"), private=True),
    ),
    (
        _p("隆回县滩头镇中心小学", "小学", "滩头镇", ("滩头中心校", "滩头镇小", "滩头小学")),
        _p("隆回县滩头镇初级中学", "初中", "滩头镇", ("滩头初中", "滩头中学")),
        _p("隆回县周旺镇九年一贯制学校", "九年一贯制", "周旺镇", ("周旺九年制", "周旺学校")),
        _p("隆回县童之梦幼儿园", "幼儿园", "桃洪镇", ("童之梦幼儿园", "童之梦"), private=True),
    ),
    (
        _p("隆回县花门街道中心幼儿园", "幼儿园", "花门街道", ("花门中心园", "花门街道中心幼儿园")),
        _p("隆回县花门街道第一小学", "小学", "花门街道", ("花门一小", "花门街道一小")),
        _p("隆回县特殊教育学校", "特教", "桃洪镇", ("特教学校", "特校")),
        _p("隆回县高平镇中心小学", "小学", "高平镇", ("高平中心校", "高平中小")),
        _p("隆回县高平镇石门村小学", "小学", "高平镇", ("石门村小", "石门小学")),
        _p("隆回县高平镇第一小学", "小学", "高平镇", ("高平一小", "高平镇第一小学")),
    ),
)

BINCHUAN_ROWS: tuple[tuple[Row, ...], ...] = (
    (
        _p("云南省大理白族自治州宾川县第一中学", "高中", "金牛镇", ("宾川一中", "一中")),
        _p("宾川县金牛镇第一小学", "小学", "金牛镇", ("金牛一小", "金牛镇一小")),
        _p("宾川县金牛镇第二完全小学", "小学", "金牛镇", ("金牛二完小", "金牛二小")),
        _p("宾川县实验幼儿园", "幼儿园", "金牛镇", ("实验幼", "实验幼儿园")),
    ),
    (
        _p("宾川县州城镇中心小学", "小学", "州城镇", ("州城中心校", "州城镇小")),
        _p("宾川县州城镇初级中学", "初中", "州城镇", ("州城初中", "州城中学")),
        _p("宾川县拉乌彝族乡九年一贯制学校", "九年一贯制", "拉乌彝族乡", ("拉乌九年制", "拉乌彝族乡九年一贯制学校")),
        _p("宾川县七彩阳光幼儿园", "幼儿园", "金牛镇", ("七彩阳光幼儿园", "七彩阳光"), private=True),
    ),
    (
        _p("宾川县宾居镇中心小学", "小学", "宾居镇", ("宾居中心校", "宾居小学")),
        _p("宾川县宾居镇中心小学大营教学点", "教学点", "宾居镇", ("大营教学点",)),
        _p("宾川县特殊教育学校", "特教", "金牛镇", ("特校", "特教学校")),
        _p("宾川县力角镇中心幼儿园", "幼儿园", "力角镇", ("力角中心园", "力角幼儿园")),
    ),
)

# syllables for generated village names (two characters each)
_VILLAGE_FIRST = "东西南北上下大小新老黄白石青红龙凤马牛杨柳桃李梅竹松泉溪坪岭塘坑坝湾岗"
_VILLAGE_SECOND = "坑塘坪岭湾岗田背头口坳洞源圩排寨垅岭屋冲铺埠亭"
_PRIVATE_BRANDS = ("贝贝", "金太阳", "童心", "育苗", "启航", "蓝天", "乐乐", "春蕾", "哈佛宝贝", "爱心")


def _generated(towns: tuple[str, ...], seed: int, count: int, taken: set[str]) -> list[Row]:
    """Seeded 村小, 教学点 and private kindergartens, each named once."""
    rng = random.Random(seed)
    rows: list[Row] = []
    brands = list(_PRIVATE_BRANDS)
    rng.shuffle(brands)
    while len(rows) < count:
        town = rng.choice(towns)
        village = rng.choice(_VILLAGE_FIRST) + rng.choice(_VILLAGE_SECOND)
        roll = rng.random()
        if roll < 0.55:
            name, kind = f"{town}{village}村小学", "小学"
        elif roll < 0.9:
            name, kind = f"{town}中心小学{village}教学点", "教学点"
        elif brands:
            name, kind = f"{brands.pop()}幼儿园", "幼儿园"
        else:
            continue
        if name in taken or any(village in t for t in taken if "村" in t or "教学点" in t):
            continue
        taken.add(name)
        rows.append(_p(name, kind, town if "镇" in name or "乡" in name else "", private=kind == "幼儿园"))
    return rows


def _county(
    name: str,
    province: str,
    city: str,
    code: str,
    number: int,
    groups: tuple[tuple[Row, ...], ...],
    towns: tuple[str, ...],
    extra: int,
    seed: int,
) -> County:
    schools: list[School] = []
    inspectors: list[Inspector] = []
    taken = {row[0] for group in groups for row in group}

    def add(row: Row) -> int:
        official, kind, ownership, town, said, nicknames = row
        if not official.startswith((province, name)):
            official = name + official
        school = School(number * 1000 + len(schools) + 1, f"{code}{len(schools) + 1:03d}", official, kind,
                        ownership, town, said, nicknames)  # fmt: skip
        schools.append(school)
        return school.id

    surnames = "刘陈王李张赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    for group in groups:
        ids = tuple(add(row) for row in group)
        inspectors.append(Inspector(f"{code}-{len(inspectors) + 1:02d}", _person(surnames, len(inspectors)), ids))
    rest = [add(row) for row in _generated(towns, seed, extra, taken)]
    for start in range(0, len(rest), 5):  # about five schools an inspector (the national 1:5)
        ids = tuple(rest[start : start + 5])
        inspectors.append(Inspector(f"{code}-{len(inspectors) + 1:02d}", _person(surnames, len(inspectors)), ids))
    return County(name, province, city, code, tuple(schools), tuple(inspectors))


def _person(surnames: str, n: int) -> str:
    return surnames[n % len(surnames)] + "明华建国志强秀英桂兰玉梅"[n % 11] + "平军"[n % 2]


ANYUAN_TOWNS = ("天心镇", "孔田镇", "版石镇", "鹤子镇", "龙布镇", "车头镇", "镇岗乡", "凤山乡", "重石乡", "双芫乡")
LONGHUI_TOWNS = ("滩头镇", "高平镇", "周旺镇", "岩口镇", "鸭田镇", "司门前镇", "金石桥镇", "荷香桥镇")
BINCHUAN_TOWNS = ("州城镇", "宾居镇", "力角镇", "乔甸镇", "平川镇", "大营镇", "钟英傈僳族彝族乡")

ANYUAN = _county("安远县", "江西省", "赣州市", "360726", 1, ANYUAN_ROWS, ANYUAN_TOWNS, 45, 11)
LONGHUI = _county("隆回县", "湖南省", "邵阳市", "430524", 2, LONGHUI_ROWS, LONGHUI_TOWNS, 45, 12)
BINCHUAN = _county("宾川县", "云南省", "大理白族自治州", "532924", 3, BINCHUAN_ROWS, BINCHUAN_TOWNS, 45, 13)
COUNTIES: tuple[County, ...] = (ANYUAN, LONGHUI, BINCHUAN)


def county_of_size(schools: int, seed: int = 7) -> County:
    """安远 grown to `schools` schools (村小 and 教学点 added), for timing the resolver on a large county."""
    extra = schools - sum(len(g) for g in ANYUAN_ROWS)
    return _county("安远县", "江西省", "赣州市", "360726", 9, ANYUAN_ROWS, ANYUAN_TOWNS, extra, seed)
