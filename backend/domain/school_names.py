"""School names as people say them: one resolver per authority, used wherever a school is named.

Pure. Built once from the authority's official names (with their province, city, county and township
prefixes), the office's 简称 and the aliases an inspector has taught; asked for the school a piece of text names.

The API (stable; the visit desk, 记录, 整改 and the public desk call it):

    resolver = SchoolNames.build(schools, authority_names, learned={})
        schools:          Sequence[SchoolRef] — every active school of the authority (id, official name,
                          short name, office 简称 in `nicknames`, `number` = place in 我的学校 when known)
        authority_names:  the authority's own names, long and short (`江西省赣州市安远县`, `安远县`, `安远`);
                          they are stripped from the front of a name, as people drop them
        learned:          phrase -> school id, the aliases one inspector taught (matched first)
    resolver.with_learned(learned) -> SchoolNames   # the same index with one inspector's aliases (cheap)
    finding = resolver.find(text, among=None)
        among:            the schools the answer may be (an inspector's own); None: any of the authority's
    finding.kind          EXACT (one school: record without asking), FUZZY (a homophone or a one-character
                          slip: confirm `candidates[0]` with "是"), AMBIGUOUS (several fit: ask with a numbered
                          list of `candidates`), NONE (no school of `among` named; `outside` holds schools
                          of the authority outside `among` that the text names exactly)
    finding.school_id     the school when EXACT, else None
    finding.candidates    ids, best first
    finding.said          the words that named the school, as typed (remember it as an alias after a question)
    finding.span          (start, end) of `said` in the text given, to cut the mention out
    finding.problem       the old question constants (SCHOOL_MISSING, _AMBIGUOUS, _UNSURE, _UNKNOWN) or None
    phrase_key(phrase)    the normalised form under which an alias is stored and matched
    (a NONE finding with `said` set: words that look like a school's name but name none of the authority's)

The desks get it from backend/services/school_names.py: `resolver_for(session, inspector_id).find(text)`
(the inspector's schools and aliases), `learn_alias(...)` after a question, `forget_alias(...)`.

Matching folds traditional characters (OpenCC t2s), full-width forms (NFKC), case, spaces, punctuation and
emoji; tolerates pinyin-input homophones (pypinyin, with the n/l, zh/z, -ng/-n mergers of southern speech) and
one-character slips (rapidfuzz), which are FUZZY, never EXACT. A mention must stand on its own: a function word,
a date or a weekday may stand before it (`28号去的`, `趟`, `对`, `周一`), and a school word inside a longer word
is no school (`小学化`, `中学生`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from opencc import OpenCC
from pypinyin import Style, lazy_pinyin
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from backend.domain.dates import to_int

# what `SchoolFinding.problem` may hold (the visit desk's question keys)
SCHOOL_MISSING = "school_missing"  # no school named
SCHOOL_AMBIGUOUS = "school_ambiguous"  # two or more of the inspector's schools fit
SCHOOL_UNSURE = "school_unsure"  # a near miss (typo): asked, not assumed
SCHOOL_UNKNOWN = "school_unknown"  # a school is named, but none of the inspector's


class Kind(StrEnum):
    EXACT = "exact"
    FUZZY = "fuzzy"
    AMBIGUOUS = "ambiguous"
    NONE = "none"


@dataclass(frozen=True)
class SchoolRef:
    """A school as the resolver sees it; `number` is its place in 我的学校, `nicknames` the office's 简称."""

    id: int
    name: str
    short_name: str = ""
    number: int = 0
    nicknames: tuple[str, ...] = ()


@dataclass(frozen=True)
class SchoolFinding:
    school_id: int | None
    candidates: tuple[int, ...] = ()
    said: str = ""  # the words that named the school, as typed
    problem: str | None = None  # one of the SCHOOL_* constants
    kind: Kind = Kind.EXACT
    span: tuple[int, int] | None = None  # where `said` stands in the text given
    outside: tuple[int, ...] = ()  # schools of the authority, not among those asked about, named exactly


# --- folding text -----------------------------------------------------------------------------------------

_T2S = OpenCC("t2s")
_SEP = "，"


def _fold_char(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch).lower()
    out = []
    for c in folded:
        category = unicodedata.category(c)
        if c.isspace() or category in ("Cf", "Mn", "Sk") or c in "·•・":
            continue  # voice input and one-finger typing scatter spaces; emoji carry joiners and modifiers
        out.append(_SEP if category[0] in "PS" else c)
    return "".join(out)


def simplified(text: str) -> str:
    """A copy to match on: traditional characters as simplified (記錄齊全 -> 记录齐全)."""
    return str(_T2S.convert(text))


def fold(text: str) -> tuple[str, list[int]]:
    """The text as matched (simplified, half-width, lower case, no spaces, punctuation and emoji as one `，`),
    and for each folded character the index of the character of `text` it came from."""
    simplified = _T2S.convert(text)
    if len(simplified) != len(text):  # a phrase conversion changed the length: convert char by char
        simplified = "".join(_T2S.convert(c) if len(_T2S.convert(c)) == 1 else c for c in text)
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(simplified):
        for c in _fold_char(ch):
            if c == _SEP and out and out[-1] == _SEP:
                continue
            out.append(c)
            index.append(i)
    return "".join(out), index


@lru_cache(maxsize=65536)
def phrase_key(phrase: str) -> str:
    """The form under which a phrase (an alias, a 简称) is stored and matched."""
    return fold(phrase)[0].strip(_SEP)


_NICKNAME_SPLIT = re.compile(r"[、,，;；/|\s]+")


def split_nicknames(text: str) -> list[str]:
    """The office's 简称 cell (`城关二小、二小`) as a list, as typed, without repeats."""
    return list(dict.fromkeys(n for n in _NICKNAME_SPLIT.split(text or "") if n))


def normalise(text: str) -> str:
    """Full-width as ASCII, spaces out (voice input and one-finger typing scatter them)."""
    return re.sub(r"[ \t\u3000]+", "", unicodedata.normalize("NFKC", text)).strip()


# --- pinyin -----------------------------------------------------------------------------------------------

# southern speech (and the pinyin input people set for it) merges these: 南/蓝, 之/资, 城/层, 新/星
_PY_MERGERS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("l", "n"), ("ing", "in"), ("eng", "en"), ("ang", "an"))


@lru_cache(maxsize=8192)
def _syllable(ch: str) -> str:
    if not ("\u4e00" <= ch <= "\u9fff"):
        return ch
    py = lazy_pinyin(ch, style=Style.NORMAL, errors="default")[0]
    for long, short in _PY_MERGERS:
        if long in ("zh", "ch", "sh", "l"):
            if py.startswith(long):
                py = short + py[len(long) :]
        elif py.endswith(long):
            py = py[: -len(long)] + short
    return py


def _pinyin(text: str) -> tuple[str, ...]:
    return tuple(map(_syllable, text))


# --- the everyday forms of a name ---------------------------------------------------------------------------

OFFICIAL, SPOKEN, LOOSE = 2, 1, 0  # how sure a form is: a name, a common short form, a loose one
LEARNED = 3  # taught by the inspector: first

_CN = "一二三四五六七八九十"
_PROVINCE = re.compile(r"^[\u4e00-\u9fff]{2,7}?(?:省|自治区)")
_CITY = re.compile(r"^[\u4e00-\u9fff]{2,5}?(?:市|自治州|地区|盟)(?=.{4})")
_PLACE = re.compile(r"^([\u4e00-\u9fff]{2,7}?)(镇|乡|街道|办事处)")
_TEACHING_POINT = re.compile(r"^(.*?)(?:中心小学|中心校|小学)([\u4e00-\u9fff]{2,4}?)教学点$")
_VILLAGE = re.compile(r"^([\u4e00-\u9fff]{2,3}?)村(小学|幼儿园|教学点)$")
_ORDINAL = re.compile(rf"第([{_CN}]{{1,2}})(小学|中学|初级中学|高级中学|幼儿园|完全小学)")
_ARABIC_ORDINAL = re.compile(r"(?:(?<=第)([一二三四五六七八九])|([一二三四五六七八九])(?=[小中幼]|完小|实))")
_BARE_ORDINAL = re.compile(r"^(?:第?[一二三四五六七八九十]{1,2}|\d{1,2})(?:小|中|幼|完小|初中|小学|中学|幼儿园)")
_ORDINAL_SHORT = {"小学": "小", "中学": "中", "初级中学": "中", "高级中学": "中", "幼儿园": "幼", "完全小学": "小"}
# (written, spoken, how sure)
_SPOKEN: tuple[tuple[str, str, int], ...] = (
    ("初级中学", "初中", SPOKEN),
    ("初级中学", "中学", LOOSE),
    ("高级中学", "高中", SPOKEN),
    ("完全小学", "完小", SPOKEN),
    ("完全小学", "小学", LOOSE),
    ("中心小学", "中心校", SPOKEN),
    ("中心小学", "中小", SPOKEN),
    ("中心小学", "中心小", SPOKEN),
    ("中心小学", "小学", LOOSE),
    ("中心幼儿园", "中心园", SPOKEN),
    ("中心幼儿园", "中心幼", SPOKEN),
    ("中心幼儿园", "幼儿园", LOOSE),
    ("九年一贯制学校", "九年制学校", SPOKEN),
    ("九年一贯制学校", "九年制", SPOKEN),
    ("九年一贯制学校", "九年一贯制", SPOKEN),
    ("九年一贯制学校", "学校", LOOSE),
    ("实验幼儿园", "实验幼", SPOKEN),
    ("实验幼儿园", "实幼", SPOKEN),
    ("实验小学", "实小", SPOKEN),
    ("实验中学", "实中", SPOKEN),
    ("特殊教育学校", "特校", SPOKEN),
    ("特殊教育学校", "特教学校", SPOKEN),
    ("特殊教育学校", "特教", SPOKEN),
    ("特殊教育学校", "特殊学校", SPOKEN),
    ("职业中学", "职中", SPOKEN),
    ("职业中专", "职专", SPOKEN),
    ("村小学", "村小", SPOKEN),
    ("幼儿园", "幼", SPOKEN),
    ("幼儿园", "园", SPOKEN),
    ("学校", "校", SPOKEN),
)
# what no school is called on its own, however it was derived
_GENERIC = frozenset("小学 中学 初中 高中 学校 校 幼儿园 幼 园 完小 村小 教学点 中心".split())  # noqa: SIM905
_ETHNIC = re.compile(r"(?:彝|白|苗|傈僳|回|藏|壮|瑶|侗|土家|哈尼|纳西|傣|布依|畲|蒙古|满|黎|羌|拉祜|佤|景颇|水|仡佬)族")
_SEAT = "城关"  # the county seat: 城关二小 is "the" 二小


def _place_forms(name: str) -> set[str]:
    """A township name with and without 镇/乡/街道 (天心镇中心小学 -> 天心中心小学)."""
    place = _PLACE.match(name)
    if not place:
        return {name}
    town, rest = place.group(1), name[place.end() :]
    plain = _ETHNIC.sub("", town)  # 拉乌彝族乡 -> 拉乌
    return {name, town + rest} | ({plain + place.group(2) + rest, plain + rest} if len(plain) >= 2 else set())


def authority_prefixes(authority_names: Sequence[str]) -> tuple[str, ...]:
    """The authority's names as they stand in front of a school's name, longest first (安远县, 安远, 县)."""
    keys = {phrase_key(a) for a in authority_names if a}
    keys |= {k[:-1] for k in keys if len(k) > 2 and k.endswith(("县", "区", "市", "省"))}
    return tuple(sorted(keys - {""}, key=len, reverse=True))


def strip_authority(name: str, prefixes: Sequence[str]) -> str:
    """The name without the province, city and county in front (江西省赣州市安远县城关第二小学 -> 城关第二小学)."""
    core = phrase_key(name)
    changed = True
    while changed:
        changed = False
        for pattern in (_PROVINCE, _CITY):
            found = pattern.match(core)
            if found and len(core) - found.end() >= 3:
                core, changed = core[found.end() :], True
        for prefix in prefixes:
            if core.startswith(prefix) and len(core) - len(prefix) >= 2:
                core, changed = core[len(prefix) :], True
                break
    return core


@lru_cache(maxsize=16384)
def _short_forms(core: str) -> tuple[tuple[str, int], ...]:
    """Everyday forms of a name without its county: the spoken short forms, each with how sure it is."""
    forms: dict[str, int] = {}

    def add(form: str, level: int) -> None:
        if len(form) >= 2 and forms.get(form, -1) < level:
            forms[form] = level

    for name in _place_forms(core):
        add(name, OFFICIAL)
    place = _PLACE.match(core)
    rest = core[place.end() :] if place else core
    if place and not rest.startswith(("中心", "第", "九年", "初级", "实验", "完全", "小学", "中学", "幼儿园", "学校")):
        add(rest, SPOKEN)  # 天心镇长河村小学 -> 长河村小学
    point = _TEACHING_POINT.match(rest)
    if point:  # 天心镇中心小学长河教学点 -> 长河教学点, 天心长河教学点
        add(point.group(2) + "教学点", SPOKEN)
        add(point.group(2) + "点", LOOSE)
        if place:
            add(place.group(1) + point.group(2) + "教学点", SPOKEN)
    for _ in range(3):
        for form, level in list(forms.items()):
            if place and form.startswith(place.group(1)) and form.endswith("中心小学"):
                town = form[: -len("中心小学")].removesuffix(place.group(2))
                add(town + place.group(2) + "小", SPOKEN)  # 天心镇中心小学 -> 天心镇小
            village = _VILLAGE.match(form)
            if village:  # 长河村小学 -> 长河小学
                add(village.group(1) + village.group(2), SPOKEN)
            if "第" in form:  # 第二实验小学 -> 二实验小学
                add(re.sub(rf"第([{_CN}]{{1,2}})", r"\1", form), min(level, SPOKEN))
            ordinal = _ORDINAL.search(form)
            if ordinal:  # 第二小学 -> 二小
                add(form[: ordinal.start()] + ordinal.group(1) + _ORDINAL_SHORT[ordinal.group(2)], min(level, SPOKEN))
            for written, spoken, sure in _SPOKEN:
                if written in form:
                    add(form.replace(written, spoken, 1), min(level, sure))
    for form, level in list(forms.items()):  # 城关2小, 第2中学: digits typed for the ordinal
        arabic = _ARABIC_ORDINAL.sub(lambda m: str(_CN.index(m.group(1) or m.group(2)) + 1), form)
        if arabic != form:
            add(arabic, level)
    towns = [t for t in (_SEAT, *(place.groups() if place else ())) if t]
    for form in list(forms):  # 城关第二小学 -> 二小 (loose: it names the school only where no other 二小 is near)
        for town in towns:
            bare = form.removeprefix(town).removeprefix(place.group(2) if place else "")
            if bare != form and _BARE_ORDINAL.match(bare):
                add(bare, LOOSE)
    # a school named for an idea rather than a place (育才实验学校, 育英学校): known by its stem (育才, 育才学校);
    # 某某中学 / 某某小学 are left alone, their stem is usually a town or a village that other schools share
    named = re.match(r"^([\u4e00-\u9fff]{2,4}?)(实验学校|学校)$", rest)
    if (
        named
        and named.group(1) not in _GENERIC
        and not re.match(rf"^(?:中心|实验|第|九年|特殊|[{_CN}])", named.group(1))
    ):
        stem = named.group(1)
        add(stem, LOOSE)
        add(stem + "学校", SPOKEN)
        if named.group(2) == "实验学校":
            add(stem + "实验", SPOKEN)
    brand = re.match(r"^([\u4e00-\u9fff]{2,5}?)幼儿园$", rest)
    if brand and brand.group(1) not in _GENERIC and not brand.group(1).startswith(("中心", "实验", "第")):
        add(brand.group(1), LOOSE)  # 小天使幼儿园 -> 小天使
    return tuple((f, lv) for f, lv in forms.items() if f not in _GENERIC)


def forms_of(school: SchoolRef, prefixes: Sequence[str] = ()) -> dict[str, int]:
    """Every way a person might write the school (folded, without the authority's names in front: `prefixes`,
    from `authority_prefixes`), each with how sure it names the school."""
    forms: dict[str, int] = {}
    for name in filter(None, (school.name, school.short_name)):
        forms.setdefault(phrase_key(name), OFFICIAL)
        for form, level in _short_forms(strip_authority(name, prefixes)):
            if forms.get(form, -1) < level:
                forms[form] = level
    for nickname in school.nicknames:
        key = phrase_key(nickname)
        if len(key) >= 2:
            forms[key] = OFFICIAL
    return forms


def aliases(school: SchoolRef) -> set[str]:
    """Every way an inspector might write the school (kept for older callers)."""
    return set(forms_of(school))


# --- where a mention may start and end ----------------------------------------------------------------------

# what may stand right before a name: the start, a separator, a digit or letter (a date), a function word, a weekday
_LEAD = re.compile(
    r"(?:[^\u4e00-\u9fff]|[的趟对在去到了访查察往至于和与及跟同是为从赴进入午上晚早号日天末过完看回向给把被让叫说找问]"
    r"|周[一二三四五六日天末]|星期[一二三四五六日天]|礼拜[一二三四五六日天])$"
)
# a school word that runs on into a longer word is no school: 小学化, 中学生, 幼儿园化, 二小时
_RUN_ON = re.compile(r"^(?:化|生|部|段|阶段|教育|教师|老师们)")


def _clean_start(text: str, start: int, gaps: frozenset[int] = frozenset()) -> bool:
    """Whether a name may start here: at the start, after a space (`gaps`), a separator, a function word, a date."""
    return start == 0 or start in gaps or bool(_LEAD.search(text[max(0, start - 2) : start]))


def _clean_end(text: str, form: str, end: int) -> bool:
    after = text[end:]
    if not after:
        return True
    if form.endswith(("小学", "中学", "幼儿园", "学校")) and _RUN_ON.match(after):
        return False
    if form.endswith("小") and after[0] in "时学孩朋":
        return False
    if form.endswith("中") and after[0] in "午心间学":
        return False
    if form.endswith("幼") and after[0] in "儿":
        return False
    return not (form.endswith("园") and after[0] in "长区内")


# words that name a school at the end of a phrase: to spot a school that is not among those asked about
_SCHOOLISH = re.compile(
    r"([\u4e00-\u9fff]{1,8}?(?:小学|中学|初中|高中|完小|学校|幼儿园|教学点|[一二三四五六七八九]小|[一二三四五六七八九]中|"
    r"[一二三四五六七八九]幼|中心校|中心园|镇小|九年制|职专|特校))(?!化|生)"
)
_LEADS = re.compile(
    r"^.*?(?:今天|昨天|前天|上午|下午|早上|刚才|刚刚|去了|去的|去|到了|到|在|看了|趟|对|了|的|周[一二三四五六日天]|\d+[号日])"
)


def _strip_lead(mention: str) -> str:
    while True:
        stripped = _LEADS.sub("", mention, count=1)
        if stripped == mention or len(stripped) < 2:
            return mention
        mention = stripped


def school_mentioned(text: str) -> str:
    """Words that look like a school's name (to say "that one is not yours"), or ''."""
    found = _SCHOOLISH.search(phrase_key(text))
    return _strip_lead(found.group(1)) if found else ""


# --- the resolver -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    school: int
    level: int

    @property
    def size(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class SchoolNames:
    """One authority's schools and every form of their names; `with_learned` adds an inspector's aliases."""

    schools: Mapping[int, SchoolRef]
    prefixes: tuple[str, ...]  # the authority's names, which may stand before any form (安远县, 安远, 县)
    index: Mapping[str, Mapping[int, int]]  # form -> {school id: level}
    by_school: Mapping[int, tuple[str, ...]]  # school id -> its forms (for the slip search)
    sounds: Mapping[tuple[str, ...], frozenset[int]]  # pinyin of forms of 3+ characters -> schools
    sizes: tuple[int, ...]  # the lengths of the forms, longest first
    learned: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def build(
        cls, schools: Sequence[SchoolRef], authority_names: Sequence[str] = (), learned: Mapping[str, int] | None = None
    ) -> SchoolNames:
        prefixes = (*authority_prefixes(authority_names), "县")
        index: dict[str, dict[int, int]] = {}
        by_school: dict[int, tuple[str, ...]] = {}
        for school in schools:
            forms = forms_of(school, prefixes)
            by_school[school.id] = tuple(f for f in forms if len(f) >= 4 and f not in _GENERIC)
            for form, level in forms.items():
                index.setdefault(form, {})[school.id] = level
        sounds: dict[tuple[str, ...], set[int]] = {}
        for form, ids in index.items():
            if len(form) >= 3:
                sounds.setdefault(tuple(map(_syllable, form)), set()).update(ids)
        base = cls(
            schools={s.id: s for s in schools},
            prefixes=prefixes,
            index=index,
            by_school=by_school,
            sounds={k: frozenset(v) for k, v in sounds.items()},
            sizes=tuple(sorted({len(f) for f in index}, reverse=True)),
        )
        return base.with_learned(learned or {})

    def with_learned(self, learned: Mapping[str, int]) -> SchoolNames:
        keys = {phrase_key(p): i for p, i in learned.items() if i in self.schools}
        keys = {k: i for k, i in keys.items() if len(k) >= 2}
        sizes = tuple(sorted(set(self.sizes) | {len(k) for k in keys}, reverse=True))
        return SchoolNames(self.schools, self.prefixes, self.index, self.by_school, self.sounds, sizes, keys)

    # -- finding --

    def _stands_alone(self, text: str, hit: _Hit, gaps: frozenset[int]) -> _Hit | None:
        """The hit, widened over the authority's name before it (安远一中), when it stands on its own."""
        if not _clean_end(text, text[hit.start : hit.end], hit.end):
            return None
        if _clean_start(text, hit.start, gaps):
            return hit
        for prefix in self.prefixes:
            start = hit.start - len(prefix)
            if start >= 0 and text.startswith(prefix, start) and _clean_start(text, start, gaps):
                return _Hit(start, hit.end, hit.school, hit.level)
        return None

    def _hits(self, text: str) -> list[_Hit]:
        hits = []
        for start in range(len(text)):
            for size in self.sizes:
                piece = text[start : start + size]
                if len(piece) < size:
                    continue
                learned = self.learned.get(piece)
                if learned is not None:
                    hits.append(_Hit(start, start + size, learned, LEARNED))
                for school, level in self.index.get(piece, {}).items():
                    hits.append(_Hit(start, start + size, school, level))
        return hits

    def find(self, text: str, among: Sequence[SchoolRef] | None = None) -> SchoolFinding:
        """The school `text` names among `among` (default: all); a question's worth of candidates when not sure."""
        folded, index = fold(text)
        gaps = frozenset(p for p in range(1, len(folded)) if text[index[p] - 1 : index[p]].isspace())
        allowed = set(self.schools) if among is None else {s.id for s in among}
        every = self._hits(folded)
        clean = [c for c in (self._stands_alone(folded, h, gaps) for h in every) if c is not None]
        mine = _prefer(_outermost([h for h in clean if h.school in allowed]))
        if mine:
            return self._decide(text, index, mine)
        outside = _ranked(_prefer(_outermost([h for h in clean if h.school not in allowed])))
        fuzzy = self._sounds_like(folded, allowed, gaps) or self._slips(folded, allowed, gaps)
        named_elsewhere = [h for h in clean if h.school in outside]
        if fuzzy and not any(h.start < fuzzy[2] and fuzzy[1] < h.end for h in named_elsewhere):
            # (a slip that is exactly another school's name is that school, not a slip)
            ids, start, end = fuzzy
            span = _span(index, start, end)
            return SchoolFinding(None, ids, text[span[0] : span[1]], SCHOOL_UNSURE, Kind.FUZZY, span, outside)
        # a known name run into by more of a name (城南实验小学 when only 实验小学 is known): ask; a name that runs
        # on into a word (二小时, 小学化) is no name at all
        unclean_mine = [h for h in every if h.school in allowed and _clean_end(folded, folded[h.start : h.end], h.end)]
        if unclean_mine:
            # "城南实验小学" when only 实验小学 is known: perhaps another school's name, so ask
            best = max(unclean_mine, key=lambda h: (h.size, h.level))
            start = best.start
            while start > 0 and not _clean_start(folded, start, gaps):
                start -= 1
            ids = _ranked(unclean_mine)
            span = _span(index, start, best.end)
            return SchoolFinding(None, ids, text[span[0] : span[1]], SCHOOL_UNSURE, Kind.FUZZY, span)
        mention = _SCHOOLISH.search(folded)
        if outside or mention:
            hit = max((h for h in clean if h.school in outside), key=lambda h: h.size, default=None)
            if hit is not None:
                span = _span(index, hit.start, hit.end)
            else:
                assert mention is not None
                said = _strip_lead(mention.group(1))
                start = mention.end(1) - len(said)
                span = _span(index, start, mention.end(1))
            return SchoolFinding(None, (), text[span[0] : span[1]], SCHOOL_UNKNOWN, Kind.NONE, span, outside)
        return SchoolFinding(None, (), "", SCHOOL_MISSING, Kind.NONE)

    def _decide(self, text: str, index: list[int], hits: list[_Hit]) -> SchoolFinding:
        ids = _ranked(hits)
        top = max(hits, key=lambda h: (h.level, h.size))
        span = _span(index, top.start, top.end)
        said = text[span[0] : span[1]]
        if len(ids) == 1:
            return SchoolFinding(ids[0], ids, said, None, Kind.EXACT, span)
        return SchoolFinding(None, ids, said, SCHOOL_AMBIGUOUS, Kind.AMBIGUOUS, span)

    def _sounds_like(
        self, text: str, allowed: set[int], gaps: frozenset[int]
    ) -> tuple[tuple[int, ...], int, int] | None:
        """A form typed by pinyin with the wrong character (城官二小, 河口真第一小学, 幼兒圆)."""
        sounds = _pinyin(text)
        sizes = sorted({len(k) for k in self.sounds}, reverse=True)
        for size in sizes:
            for start in range(len(text) - size + 1):
                ids = self.sounds.get(sounds[start : start + size])
                if not ids or not _clean_start(text, start, gaps):
                    continue
                fits = tuple(sorted(ids & allowed))
                if fits:
                    return fits, start, start + size
        return None

    def _slips(self, text: str, allowed: set[int], gaps: frozenset[int]) -> tuple[tuple[int, ...], int, int] | None:
        """A form with one character wrong, missing or extra (实验晓学, 城关三小 beside 城关二小)."""
        scored: dict[int, tuple[float, int, int]] = {}
        forms: dict[str, list[int]] = {}
        for school in allowed:
            for form in self.by_school.get(school, ()):
                forms.setdefault(form, []).append(school)
        for form, fits in forms.items():
            cutoff = 100 * (1 - 1.0 / len(form)) - 0.01
            found = fuzz.partial_ratio_alignment(form, text, score_cutoff=cutoff)
            if found is None:
                continue
            start, end = found.dest_start, found.dest_end
            piece = text[start:end]
            if _SEP in piece or Levenshtein.distance(piece, form) > 1 or not _clean_start(text, start, gaps):
                continue
            if not _clean_end(text, piece, end):
                continue
            for school in fits:
                if found.score > scored.get(school, (0.0, 0, 0))[0]:
                    scored[school] = (found.score, start, end)
        if not scored:
            return None
        ranked = sorted(scored, key=lambda i: -scored[i][0])[:3]
        _, start, end = scored[ranked[0]]
        return tuple(ranked), start, end


def _outermost(hits: list[_Hit]) -> list[_Hit]:
    """A name inside a longer name of another school does not count (实验小学 inside 第二实验小学)."""
    return [
        h
        for h in hits
        if not any(o.school != h.school and o.start <= h.start and h.end <= o.end and o.size > h.size for o in hits)
    ]


def _prefer(hits: list[_Hit]) -> list[_Hit]:
    """Where forms of two schools cover the same words, the surer form wins (欣山中学 the name, not a loose form)."""
    return [
        h
        for h in hits
        if not any(o.school != h.school and o.level > h.level and o.start < h.end and h.start < o.end for o in hits)
    ]


def _ranked(hits: Iterable[_Hit]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(h.school for h in sorted(hits, key=lambda h: (-h.level, -h.size, h.start))))


def _span(index: list[int], start: int, end: int) -> tuple[int, int]:
    return index[start], index[end - 1] + 1


# --- older entry points (the visit parser's) -------------------------------------------------------------------

_LIST_NUMBER = (
    re.compile(r"(?:^|[^0-9])(?:第)?(\d{1,2}|[一二三四五六七八九十]{1,2})(?:号学校|所学校|号校|所)"),
    re.compile(r"学校(?:序号)?(\d{1,2})(?![0-9月日号.])"),
    re.compile(r"^(\d{1,2})(?:号)?(?=[、,，:：\s]|(?:号)?[\u4e00-\u9fa5])(?![月日号点个天周年名人位])"),
)


def by_list_number(text: str, schools: Sequence[SchoolRef]) -> tuple[SchoolRef, str] | None:
    """A school named by its place in 我的学校 (`3号学校`): only meaningful when that list was just shown."""
    numbered = {s.number: s for s in schools if s.number}
    for pattern in _LIST_NUMBER:
        found = pattern.search(text)
        if found:
            value = to_int(found.group(1))
            if value is not None and value in numbered:
                return numbered[value], found.group(0).lstrip("第")
    return None


_by_list_number = by_list_number


def find_school(text: str, schools: Sequence[SchoolRef], authority_names: Sequence[str] = ()) -> SchoolFinding:
    """The school a message names, among `schools`; a list number as a last resort (the older behaviour)."""
    finding = SchoolNames.build(schools, authority_names).find(text)
    if finding.problem in (SCHOOL_MISSING, SCHOOL_UNKNOWN):
        numbered = by_list_number(normalise(text), schools)
        if numbered:
            return SchoolFinding(numbered[0].id, (numbered[0].id,), numbered[1])
    return finding
