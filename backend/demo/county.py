"""The demo county (青禾县, fictional): zones, schools and kindergartens, townships and departments, inspectors.

`build_demo_county()` makes the same county every time (a seeded random generator, no clock); it is plain
data. `load_demo_county(session)` upserts it by natural keys (authority code, zone name, unit code,
inspector number), so loading it again changes nothing. Phone numbers are in 1380000xxxx, codes use the
unused province prefix 99 and the area code 0123 does not exist: nobody real is called or named on purpose.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.domain.calendar import local_date
from backend.domain.kinds import Employment, Ownership, UnitKind
from backend.domain.staffing import SCHOOLS_PER_INSPECTOR
from backend.services.audit import record
from backend.services.authority import current_authority
from backend.services.calendar import load_official_calendar
from backend.services.checklists import load_examples
from backend.services.schools import set_responsible_inspector
from backend.store.db import session_now
from backend.store.models import Assignment, Inspector, Unit, Zone

SEED = 20240901
COUNTY = "青禾县"
AUTHORITY_NAME = "青禾县人民政府教育督导委员会"
OFFICE_NAME = "青禾县人民政府教育督导室"
HOTLINE = "0123-66551200"
SEAT = (113.2160, 28.4720)  # longitude, latitude of the county seat
ASSIGNED_ON = date(2024, 9, 1)  # the appointment date of the current inspectors
INSPECTOR_COUNT = 30
# the schools' administrative 10-digit codes: 2 schools / 3 kindergartens, then 99 (no such province), county 01
SCHOOL_CODE_PREFIX, KINDERGARTEN_CODE_PREFIX = "219901", "319901"
COUNTY_CODE = "999901"  # prefix of the township and department codes


def _words(text: str) -> list[str]:
    """A list of names written as one string, separated by spaces."""
    return text.split()


SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
    "傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严覃武莫孔向汤"
)
GIVEN_NAMES = _words(
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 霞 平 刚 秀英 桂英 建华 建国 志强 海燕 红梅 晓燕 春花 国平"
    " 文华 卫东 小红 丽萍 雪梅 永红 德明 振华 玉兰 淑珍 志明 光辉 玉梅 俊杰 晓东 立新 红霞 金凤 爱民 跃进 育红 文斌"
    " 宏伟 少华 新民 利民 晓梅 春燕 冬梅 秋菊 建军 建平 学文 子涵 思远 一鸣 嘉怡 欣然"
)
VILLAGES = _words(
    "上坪 下坪 黄泥 枫树 马鞍 新屋 杨家湾 李家冲 王家坝 张家岭 刘家塘 陈家铺 周家畈 黄家桥 白鹤 金竹 桂花 松林 大塘"
    " 新田 石湾 楠竹 高桥 长岭 茶园 龙塘 花园 东山 西冲 南岭 北坡 青山 双江 三合 四方 五里 六合 七星 八角 九龙 十里"
    " 团山 柏树 杉木 莲花 荷塘 凤凰 狮子 鹿鸣 燕子 鹤岭 梅子 桃林 杏坪 柿子 板栗 竹山 云峰 雾岭 霞光 清溪 碧水"
    " 泉塘 瓦屋 砖桥 铁炉 铜锣 金盆 银坑 龙湾"
)
STREETS = _words("人民路 建设路 解放路 文化路 新华路 学府路 迎宾大道 育才路 滨河路 东风路 青禾大道 府前街")
PRIVATE_KINDERGARTENS = _words("童乐 贝贝 爱心 快乐宝贝 红苹果 七彩 春苗")
# township, its offset from the seat in km (east, north); the seat is split into two zones
TOWNSHIPS = (
    ("城关镇", (0.0, 0.0)),
    ("青石镇", (10.0, 11.0)),
    ("柳河镇", (18.0, -1.0)),
    ("桃花乡", (15.0, -16.0)),
    ("白沙镇", (1.0, -17.0)),
    ("龙泉镇", (-14.0, -13.0)),
    ("石桥乡", (-16.0, 2.0)),
    ("河口镇", (-11.0, 19.0)),
)
DEPARTMENTS = (
    ("JY", "青禾县教育局"),
    ("CZ", "青禾县财政局"),
    ("RS", "青禾县人力资源和社会保障局"),
    ("SJ", "青禾县市场监督管理局"),
    ("GA", "青禾县公安局"),
    ("WJ", "青禾县卫生健康局"),
    ("ZJ", "青禾县住房和城乡建设局"),
    ("JT", "青禾县交通运输局"),
)


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    short_name: str
    kind: str
    zone: str | None
    ownership: str = Ownership.PUBLIC.value
    address: str = ""
    longitude: float | None = None
    latitude: float | None = None
    student_count: int | None = None
    contact_name: str = ""
    contact_phone: str = ""

    @property
    def is_school(self) -> bool:
        return UnitKind(self.kind).is_school


@dataclass(frozen=True)
class InspectorSpec:
    number: str
    name: str
    phone: str
    zone: str
    employment: str
    retired: bool
    retired_on: date | None
    training_hours: float


@dataclass
class CountySpec:
    zones: list[str] = field(default_factory=list)
    units: list[UnitSpec] = field(default_factory=list)
    inspectors: list[InspectorSpec] = field(default_factory=list)
    assignments: dict[str, str] = field(default_factory=dict)  # school code -> inspector number
    zone_leaders: dict[str, str] = field(default_factory=dict)  # zone name -> inspector number

    @property
    def schools(self) -> list[UnitSpec]:
        return [u for u in self.units if u.is_school]


class _Generator:
    """The random choices of the demo county, all from one seeded generator, in a fixed order."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.phones = iter(self.rng.sample(range(10_000), 1_000))
        self.used_names: set[str] = set()
        self.villages = self.rng.sample(VILLAGES, len(VILLAGES))
        self.school_seq = 0

    def person(self) -> str:
        while True:
            name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES)
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def phone(self) -> str:
        return f"1380000{next(self.phones):04d}"

    def place(self, offset_km: tuple[float, float], spread_km: float) -> tuple[float, float]:
        east = offset_km[0] + self.rng.uniform(-spread_km, spread_km)
        north = offset_km[1] + self.rng.uniform(-spread_km, spread_km)
        # about 111 km per degree of latitude; a degree of longitude is shorter by cos(28.5°) ≈ 0.879
        return round(SEAT[0] + east / (111.0 * 0.879), 6), round(SEAT[1] + north / 111.0, 6)

    def school_code(self, kind: UnitKind) -> str:
        self.school_seq += 1
        prefix = KINDERGARTEN_CODE_PREFIX if kind is UnitKind.KINDERGARTEN else SCHOOL_CODE_PREFIX
        return f"{prefix}{self.school_seq:04d}"

    def students(self, kind: UnitKind, central: bool) -> int:
        low, high = {
            UnitKind.KINDERGARTEN: (180, 480) if central else (30, 140),
            UnitKind.PRIMARY: (600, 2600) if central else (40, 320),
            UnitKind.JUNIOR: (500, 2100),
            UnitKind.NINE_YEAR: (400, 1500),
            UnitKind.SENIOR: (1800, 3400),
            UnitKind.COMPLETE_SECONDARY: (1500, 2600),
            UnitKind.VOCATIONAL: (1300, 2400),
            UnitKind.SPECIAL: (70, 160),
        }[kind]
        return self.rng.randint(low, high) // 10 * 10 or low


def _school(
    gen: _Generator,
    spec: CountySpec,
    zone: str,
    name: str,
    kind: UnitKind,
    address: str,
    offset: tuple[float, float],
    *,
    central: bool = True,
    private: bool = False,
    spread_km: float = 2.0,
) -> None:
    lon, lat = gen.place(offset, spread_km)
    spec.units.append(
        UnitSpec(
            code=gen.school_code(kind),
            name=COUNTY + name,
            short_name=name,
            kind=kind.value,
            zone=zone,
            ownership=(Ownership.PRIVATE if private else Ownership.PUBLIC).value,
            address=COUNTY + address,
            longitude=lon,
            latitude=lat,
            student_count=gen.students(kind, central),
            contact_name=gen.person(),
            contact_phone=gen.phone(),
        )
    )


def _street(gen: _Generator, town: str) -> str:
    return f"{town}{gen.rng.choice(STREETS)}{gen.rng.randint(1, 399)}号"


def _seat_zones(gen: _Generator, spec: CountySpec) -> None:
    """城关: the county-level schools and the seat's own, in two zones."""
    k, p, j, s = UnitKind.KINDERGARTEN, UnitKind.PRIMARY, UnitKind.JUNIOR, UnitKind.SENIOR
    first, second, seat = "城关第一责任区", "城关第二责任区", (0.0, 0.0)
    spec.zones += [first, second]
    zone_one: list[tuple[str, UnitKind, bool]] = [
        ("第一中学", s, False),
        ("第二中学", s, False),
        ("职业中专", UnitKind.VOCATIONAL, False),
        ("特殊教育学校", UnitKind.SPECIAL, False),
        ("实验中学", j, False),
        ("实验小学", p, False),
        ("第一幼儿园", k, False),
        ("机关幼儿园", k, False),
        ("育才实验学校", UnitKind.NINE_YEAR, True),
        ("小太阳幼儿园", k, True),
        ("城关镇第一小学", p, False),
        ("城关镇第二小学", p, False),
        ("城关镇第一初级中学", j, False),
        ("城关镇中心幼儿园", k, False),
        ("金色童年幼儿园", k, True),
        ("启明星幼儿园", k, True),
    ]
    zone_two: list[tuple[str, UnitKind, bool]] = [
        ("第三中学", UnitKind.COMPLETE_SECONDARY, False),
        ("第二实验小学", p, False),
        ("城关镇第三小学", p, False),
        ("城关镇第四小学", p, False),
        ("城关镇第五小学", p, False),
        ("城关镇第六小学", p, False),
        ("城关镇第二初级中学", j, False),
        ("城关镇第三初级中学", j, False),
        ("第二幼儿园", k, False),
        ("城关镇第二幼儿园", k, False),
        ("城南幼儿园", k, False),
        ("蓝天幼儿园", k, True),
        ("博雅双语幼儿园", k, True),
        ("新星学校", p, True),
        ("阳光幼儿园", k, True),
    ]
    for zone, schools in ((first, zone_one), (second, zone_two)):
        for name, kind, private in schools:
            _school(gen, spec, zone, name, kind, _street(gen, "城关镇"), seat, private=private)


def _township_zone(gen: _Generator, spec: CountySpec, town: str, offset: tuple[float, float]) -> None:
    """A township's zone: its central schools, village schools and kindergartens, one private kindergarten."""
    zone = f"{town[:-1]}责任区"
    spec.zones.append(zone)
    centre = f"{town}正街{gen.rng.randint(1, 120)}号"
    middle = (f"{town}九年一贯制学校", UnitKind.NINE_YEAR) if town.endswith("乡") else (f"{town}中学", UnitKind.JUNIOR)
    _school(gen, spec, zone, f"{town}中心小学", UnitKind.PRIMARY, centre, offset)
    _school(gen, spec, zone, middle[0], middle[1], _street(gen, town), offset)
    _school(gen, spec, zone, f"{town}中心幼儿园", UnitKind.KINDERGARTEN, _street(gen, town), offset)
    if town == "龙泉镇":  # one high school outside the seat
        _school(gen, spec, zone, "第四中学", UnitKind.SENIOR, _street(gen, town), offset)
    villages = [gen.villages.pop() for _ in range(gen.rng.randint(7, 9))]
    for village in villages:
        suffix = "完全小学" if gen.rng.random() < 0.3 else "小学"
        address = f"{town}{village}村"
        _school(
            gen, spec, zone, f"{town}{village}{suffix}", UnitKind.PRIMARY, address, offset, central=False, spread_km=5
        )
    for village in villages[: gen.rng.randint(4, 6)]:
        address = f"{town}{village}村"
        name = f"{town}{village}幼儿园"
        _school(gen, spec, zone, name, UnitKind.KINDERGARTEN, address, offset, central=False, spread_km=5)
    private = f"{town}{gen.rng.choice(PRIVATE_KINDERGARTENS)}幼儿园"
    _school(gen, spec, zone, private, UnitKind.KINDERGARTEN, _street(gen, town), offset, private=True)


def _townships_and_departments(gen: _Generator, spec: CountySpec) -> None:
    """The units supervised in 督政: the townships (in their zone) and county departments (in none)."""
    for n, (town, offset) in enumerate(TOWNSHIPS, start=1):
        lon, lat = gen.place(offset, 0.5)
        zone = "城关第一责任区" if town == "城关镇" else f"{town[:-1]}责任区"
        spec.units.append(
            UnitSpec(
                code=f"{COUNTY_CODE}{100 + n}",
                name=f"{COUNTY}{town}人民政府",
                short_name=town,
                kind=UnitKind.TOWNSHIP.value,
                zone=zone,
                address=f"{COUNTY}{town}政府街{n}号",
                longitude=lon,
                latitude=lat,
                contact_name=gen.person(),
                contact_phone=gen.phone(),
            )
        )
    for suffix, name in DEPARTMENTS:
        spec.units.append(
            UnitSpec(
                code=f"{COUNTY_CODE}-{suffix}",
                name=name,
                short_name=name.removeprefix(COUNTY),
                kind=UnitKind.DEPARTMENT.value,
                zone=None,
                address=COUNTY + _street(gen, "城关镇"),
                contact_name=gen.person(),
                contact_phone=gen.phone(),
            )
        )


def _inspectors_per_zone(spec: CountySpec) -> dict[str, int]:
    """About one inspector for five schools, every zone at least two, 30 in all (largest remainders)."""
    counts = {zone: sum(1 for u in spec.schools if u.zone == zone) for zone in spec.zones}
    quota = {zone: n / SCHOOLS_PER_INSPECTOR for zone, n in counts.items()}
    given = {zone: max(2, int(q)) for zone, q in quota.items()}
    by_remainder = sorted(spec.zones, key=lambda z: (quota[z] - int(quota[z]), counts[z]), reverse=True)
    i = 0
    while sum(given.values()) < INSPECTOR_COUNT:
        given[by_remainder[i % len(by_remainder)]] += 1
        i += 1
    return given


def _inspectors(gen: _Generator, spec: CountySpec) -> None:
    """About 30 inspectors: one full-time per zone and a few more, many retired principals, mixed training."""
    per_zone = _inspectors_per_zone(spec)
    seq = 0
    for zone in spec.zones:
        numbers: list[str] = []
        for slot in range(per_zone[zone]):
            seq += 1
            number = f"QH-DX-{seq:03d}"
            full_time = slot == 0 or gen.rng.random() < 0.1
            # many part-timers are retired principals, retired within two years of their appointment
            retired = not full_time and gen.rng.random() < 0.65
            retired_on = date(gen.rng.randint(2022, 2024), gen.rng.choice((1, 7)), 1) if retired else None
            spec.inspectors.append(
                InspectorSpec(
                    number=number,
                    name=gen.person(),
                    phone=gen.phone(),
                    zone=zone,
                    employment=(Employment.FULL_TIME if full_time else Employment.PART_TIME).value,
                    retired=retired,
                    retired_on=retired_on,
                    training_hours=float(gen.rng.choice((24, 32, 40, 40, 48, 56, 60, 72))),
                )
            )
            numbers.append(number)
        spec.zone_leaders[zone] = numbers[0]
        schools = sorted((u for u in spec.schools if u.zone == zone), key=lambda u: u.code)
        for i, school in enumerate(schools):
            spec.assignments[school.code] = numbers[i % len(numbers)]


def build_demo_county(seed: int = SEED) -> CountySpec:
    """The demo county as plain data: the same for the same seed."""
    gen = _Generator(seed)
    spec = CountySpec()
    _seat_zones(gen, spec)
    for town, offset in TOWNSHIPS[1:]:
        _township_zone(gen, spec, town, offset)
    _townships_and_departments(gen, spec)
    _inspectors(gen, spec)
    return spec


# --- loading ------------------------------------------------------------------------------------------


@dataclass
class DemoLoad:
    """What the database holds of the demo county after loading, and what the load changed."""

    zones: int
    schools: int
    units: int
    inspectors: int
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())


def _apply(row: Any, values: dict[str, Any]) -> bool:
    """Set the fields that differ; True if any did."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def load_demo_county(session: Session, spec: CountySpec | None = None, actor: str = "system:demo") -> DemoLoad:
    """Upsert the demo county (and the official calendar). Loading it again changes nothing. Commits."""
    spec = spec or build_demo_county()
    created = dict.fromkeys(("zone", "unit", "inspector", "assignment", "calendar_day", "checklist"), 0)
    updated = dict.fromkeys(("authority", "zone", "unit", "inspector"), 0)

    authority = current_authority(session, name=AUTHORITY_NAME)
    # the demo county publishes its results, so that /public has something to show
    published = {
        "enabled": True,
        "metrics": ["visits", "rectified_on_time", "concern_response"],
        "levels": ["zone", "school"],
    }
    demo_fields = {"name": AUTHORITY_NAME, "office_name": OFFICE_NAME, "hotline": HOTLINE, "publication": published}
    if _apply(authority, demo_fields):
        updated["authority"] += 1

    zones = {z.name: z for z in session.scalars(select(Zone).where(Zone.authority_id == authority.id))}
    for name in spec.zones:
        if name not in zones:
            zones[name] = Zone(authority_id=authority.id, name=name)
            session.add(zones[name])
            created["zone"] += 1
    session.flush()

    units = {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_([s.code for s in spec.units])))}
    for s in spec.units:
        values = {
            "authority_id": authority.id,
            "name": s.name,
            "short_name": s.short_name,
            "kind": s.kind,
            "ownership": s.ownership,
            "address": s.address,
            "longitude": s.longitude,
            "latitude": s.latitude,
            "student_count": s.student_count,
            "zone_id": zones[s.zone].id if s.zone else None,
            "contact_name": s.contact_name,
            "contact_phone": s.contact_phone,
            "active": True,
        }
        if s.code in units:
            updated["unit"] += _apply(units[s.code], values)
        else:
            units[s.code] = Unit(code=s.code, **values)
            session.add(units[s.code])
            created["unit"] += 1

    inspectors = {i.number: i for i in session.scalars(select(Inspector).where(Inspector.authority_id == authority.id))}
    for i in spec.inspectors:
        values = {
            "name": i.name,
            "phone": i.phone,
            "employment": i.employment,
            "retired": i.retired,
            "retired_on": i.retired_on,
            "training_hours": i.training_hours,
            "active": True,
        }
        if i.number in inspectors:
            updated["inspector"] += _apply(inspectors[i.number], values)
        else:
            inspectors[i.number] = Inspector(authority_id=authority.id, number=i.number, **values)
            session.add(inspectors[i.number])
            created["inspector"] += 1
    session.flush()

    for zone_name, number in spec.zone_leaders.items():
        updated["zone"] += _apply(zones[zone_name], {"leader_inspector_id": inspectors[number].id})

    # every school's 主管单位 is the county's education bureau: 督办通知, 约谈 and 通报 are copied to it
    bureau = units[f"{COUNTY_CODE}-{DEPARTMENTS[0][0]}"]
    session.flush()
    for s in spec.schools:
        _apply(units[s.code], {"superior_unit_id": bureau.id})

    current = {
        a.unit_id: a.inspector_id for a in session.scalars(select(Assignment).where(Assignment.ends_on.is_(None)))
    }
    for code, number in spec.assignments.items():
        unit, inspector = units[code], inspectors[number]
        if current.get(unit.id) != inspector.id:
            # a school first assigned gets the appointment date; a changed one is changed from today
            starts_on = ASSIGNED_ON if unit.id not in current else local_date(session_now(session))
            set_responsible_inspector(session, unit, inspector, starts_on)
            created["assignment"] += 1

    created["calendar_day"] = load_official_calendar(session, actor=actor)
    # the three example checklists (开学工作, 食堂食品安全, 幼儿园办园行为) for the office's tasks
    created["checklist"] = len(load_examples(session, authority.id, actor=actor))
    result = DemoLoad(
        zones=len(spec.zones),
        schools=len(spec.schools),
        units=len(spec.units),
        inspectors=len(spec.inspectors),
        created=created,
        updated=updated,
    )
    if result.changed:
        detail = {"created": created, "updated": updated}
        record(session, actor, "demo_county.loaded", "authority", authority.id, detail)
    session.commit()
    return result
