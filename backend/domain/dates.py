"""Dates and durations as inspectors write them: one parser for the day of a visit, a deadline and an extension.

Pure: today's date and the working calendar are passed in. Chinese numerals are read by `cn2an` (三, 十二, 两,
二十一); durations counted in days (`3天内`, `三个工作日`) are working days of `WorkingCalendar`, weeks and
months are calendar time (`一周内`, `两周`, `半个月`). The vocabulary below is parser vocabulary, not replies.
"""

from __future__ import annotations

import calendar as _calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from backend.domain.calendar import WorkingCalendar

# what a visit date may leave open
DATE_INVALID = "date_invalid"  # a date that does not exist (11月31日)
DATE_FUTURE = "date_future"  # a visit cannot lie ahead (明天, a later day)
DATE_CONFLICT = "date_conflict"  # two different days named
DATE_VAGUE = "date_vague"  # 前几天, 最近, 上周 without a day: which day is not said

NUM = r"[0-9零〇一二两三四五六七八九十百]{1,4}"
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
_BEFORE = r"(?:前|之前|以前|为止|止)"
_WITHIN = r"(?:内|之内|以内|里)"


def to_int(text: str) -> int | None:
    """Arabic or Chinese numerals (`3`, `三`, `十二`, `二十一`, `两`), else None."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    import cn2an  # imported on first use: it costs a few hundred ms, and most numbers are digits

    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return int(value) if float(value) == int(value) else None


@dataclass(frozen=True)
class Said:
    """A day found in a text, and the words that said it."""

    on: date
    said: str


# --- deadlines and extensions --------------------------------------------------------------------------------

# (kind, pattern): `bare` patterns count only where nothing else may be meant (an extension's `两周`, a command's
# last word); the others carry 内/前 and so are deadlines wherever they stand
_DEADLINES: tuple[tuple[str, bool, re.Pattern[str]], ...] = (
    ("ymd", False, re.compile(rf"(\d{{4}})[-/.年](\d{{1,2}})[-/.月](\d{{1,2}})[日号]?{_BEFORE}")),
    ("md", False, re.compile(rf"({NUM})月({NUM})(?:日|号)?{_BEFORE}")),
    ("md", False, re.compile(rf"(?<![\d.])(\d{{1,2}})[./](\d{{1,2}})(?![\d.]){_BEFORE}")),
    ("working_days", False, re.compile(rf"(?:限期)?({NUM})个?工作日{_WITHIN}?")),
    ("days", False, re.compile(rf"(?:限期)?({NUM})(?:天|日)(?:{_WITHIN}|时间)")),
    ("days", False, re.compile(rf"限期({NUM})(?:天|日)")),
    ("half_month", False, re.compile(rf"(?:限期)?半个?月{_WITHIN}?")),
    ("months", False, re.compile(rf"(?:限期)?({NUM})个月{_WITHIN}")),
    ("weeks", False, re.compile(rf"(?:限期)?({NUM})个?(?:周|星期|礼拜){_WITHIN}")),
    ("next_month_end", False, re.compile(rf"下个?月(?:底|末){_BEFORE}?")),
    ("month_end", False, re.compile(rf"(?:本|这个|当)?月(?:底|末){_BEFORE}|(?:本月|这个月)(?:底|末)")),
    ("this_week", False, re.compile(r"(?:本周|这周|本星期|这个?星期)(?:内|之内)")),
    ("weekday", False, re.compile(rf"(本|这|这个|下|下个)?(?:周|星期|礼拜)([一二三四五六日天]){_BEFORE}")),
    ("tomorrow", False, re.compile(rf"(?:明天|明日){_BEFORE}")),
    # bare: only where a duration or a date is all that is meant
    ("ymd", True, re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?")),
    ("md", True, re.compile(rf"({NUM})月({NUM})(?:日|号)?")),
    ("md", True, re.compile(r"(?<![\d.])(\d{1,2})[./-](\d{1,2})(?![\d.])")),
    ("days", True, re.compile(rf"({NUM})(?:天|日)")),
    ("months", True, re.compile(rf"({NUM})个月")),
    ("weeks", True, re.compile(rf"({NUM})个?(?:周|星期|礼拜)")),
    ("month_end", True, re.compile(r"(?:本|这个|当)?月(?:底|末)")),
    ("weekday", True, re.compile(r"(本|这|这个|下|下个)?(?:周|星期|礼拜)([一二三四五六日天])")),
)


def find_deadline(text: str, base: date, cal: WorkingCalendar, *, bare: bool = False) -> Said | None:
    """A deadline phrase (一周内, 3天内, 三个工作日, 月底前, 12月10日前, 下周五前) counted from `base`.

    With `bare`, a date or a duration without 前/内 counts too (`同意延期 57 两周`, `整改 … 12.10`).
    """
    for kind, needs_bare, pattern in _DEADLINES:
        if needs_bare and not bare:
            continue
        for found in pattern.finditer(text):
            on = _deadline_date(kind, found, base, cal)
            if on is not None:
                return Said(on, found.group(0))
    return None


def without_deadlines(text: str) -> str:
    """The text with its deadline phrases blanked out (so that 12月1日前 is not taken for the visit's day)."""
    for _kind, needs_bare, pattern in _DEADLINES:
        if not needs_bare:
            text = pattern.sub("　", text)
    return text


def _deadline_date(kind: str, found: re.Match[str], base: date, cal: WorkingCalendar) -> date | None:
    if kind in ("working_days", "days", "weeks", "months"):
        count = to_int(found.group(1))
        if not count or count > 366:
            return None
        if kind in ("working_days", "days"):  # deadlines count working days (DOMAIN: Time)
            return cal.add_working_days(base, count)
        if kind == "weeks":
            return base + timedelta(days=7 * count)
        return _add_months(base, count)
    if kind == "half_month":
        return base + timedelta(days=15)
    if kind == "month_end":
        return base.replace(day=_calendar.monthrange(base.year, base.month)[1])
    if kind == "next_month_end":
        first = _add_months(base.replace(day=1), 1)
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
    if kind in ("ymd", "md"):
        year = int(found.group(1)) if kind == "ymd" else base.year
        month, day_of = to_int(found.group(2 if kind == "ymd" else 1)), to_int(found.group(3 if kind == "ymd" else 2))
        if month is None or day_of is None:
            return None
        try:
            on = date(year, month, day_of)
        except ValueError:
            return None
        if on < base and kind == "md":  # 1月5日前 written in December: next year's
            on = on.replace(year=year + 1)
        return on
    if kind == "tomorrow":
        return base + timedelta(days=1)
    return None


def _add_months(day: date, count: int) -> date:
    month = day.month - 1 + count
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def new_deadline(text: str, *, today: date, current: date, cal: WorkingCalendar) -> date | None:
    """An extension as typed: a date (2026-12-10, 12月10日, 12.10) or a duration from the current deadline
    (两周, 半个月, 10天); None when it says neither or lies before today."""
    text = text.strip().removeprefix("延期").removeprefix("延长").removeprefix("到").removeprefix("至")
    duration = re.fullmatch(
        rf"({NUM}个?工作日|{NUM}(?:天|日)|{NUM}个?(?:周|星期|礼拜)|半个?月|{NUM}个月){_WITHIN}?", text
    )
    if duration:
        found = find_deadline(text, current, cal, bare=True)
    else:
        found = find_deadline(text, today, cal, bare=True)
        if found is not None and found.said.rstrip("前之以止为") != text.rstrip("前之以止为"):
            found = None
    if found is None or found.on < today:
        return None
    return found.on


# --- the day of a visit --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DateFinding:
    on: date | None
    said: str = ""
    problem: str | None = None


_RELATIVE = {"大前天": -3, "前天": -2, "前日": -2, "昨天": -1, "昨日": -1, "昨晚": -1, "今天": 0, "今日": 0, "今早": 0}
FUTURE = re.compile(r"明天|明日|明早|后天|下周[一二三四五六日天]?|下星期[一二三四五六日天]?|下个?月")
VAGUE = re.compile(
    r"前几天|前两天|前些天|前段时间|前阵子|这几天|近几天|近日|近期|最近|上周(?![一二三四五六日天末])|"
    r"上个?星期(?![一二三四五六日天])|上个?礼拜(?![一二三四五六日天])|上个月(?!\d|[一二三四五六七八九十])|"
    r"月初|那天|某天|有一天"
)
_DATES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ymd", re.compile(r"(\d{4})[年./-](\d{1,2})[月./-](\d{1,2})[日号]?")),
    ("md", re.compile(rf"({NUM})月({NUM})(?:日|号)?")),
    ("md", re.compile(r"(?<![\d.])(\d{1,2})[./](\d{1,2})(?![\d.])")),
    ("week", re.compile(r"(上上|上|本|这)?(?:个)?(?:周|星期|礼拜)([一二三四五六日天])")),
    ("ago", re.compile(rf"({NUM})天前")),
    ("day", re.compile(rf"(?<![月\d])({NUM})(?:号|日)(?![前内])")),
)


def find_visit_date(text: str, today: date) -> DateFinding:
    """The day of a visit; today when no day is named. A day ahead, two days, a vague one: a question."""
    days: list[tuple[date | None, str]] = []
    vague = VAGUE.search(text)
    future = FUTURE.search(text)
    rest = text
    for word, offset in _RELATIVE.items():
        if word in rest:
            days.append((today + timedelta(days=offset), word))
            rest = rest.replace(word, "　")
    for kind, pattern in _DATES:
        for found in pattern.finditer(rest):
            days.append((_date_of(kind, found, today), found.group(0)))
        rest = pattern.sub("　", rest)
    said = "、".join(s for _, s in days)
    if future:
        return DateFinding(None, future.group(0), DATE_FUTURE)
    if not days:
        if vague:
            return DateFinding(None, vague.group(0), DATE_VAGUE)
        return DateFinding(today, "")
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
                on = (today.replace(day=1) - timedelta(days=1)).replace(day=value)
            return on
    except ValueError:
        return None
    return None
