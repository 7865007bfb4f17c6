"""School names for the desks: one resolver per authority (cached), an inspector's own aliases on top.

    names = resolver_for(session, inspector_id)      # InspectorNames: .find(text) among the inspector's schools
    names.find(text) -> SchoolFinding                # see backend.domain.school_names
    authority_names_resolver(session, authority_id)  # SchoolNames over every school of the authority (parents)
    learn_alias(session, inspector_id, phrase, unit_id) -> str | None   # "已记住：…", once; None when nothing new
    forget_alias(session, inspector_id, phrase) -> str                  # "已忘记：…" or "没有记住过…"

The per-authority index is cached by the content it was built from (names, 简称, active), so an import or
an edit on the office web is seen by the next message in every process without any invalidation call.
"""

from __future__ import annotations

import re
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from threading import Lock

from sqlalchemy import and_, delete, select
from sqlalchemy.orm import Session

from backend.domain.school_names import (
    Kind,
    SchoolFinding,
    SchoolNames,
    SchoolRef,
    phrase_key,
    split_nicknames,
)
from backend.services.schools import SCHOOL_KINDS
from backend.store.models import Assignment, Authority, Inspector, SchoolAlias, Unit
from messages import t

CACHE_SIZE = 16  # authorities kept built in one process
_COUNTY = re.compile(r"^(?:.{2,7}?(?:省|自治区))?(?:.{2,8}?(?:市|自治州|地区|盟))?(.{1,8}?(?:县|区|市|旗))")


def authority_names(authority: Authority | None, school_names: Sequence[str]) -> tuple[str, ...]:
    """The authority's own names as they stand in front of its schools' names: from the authority's name and
    the county most of its schools' names begin with (安远县, and so 安远)."""
    names: list[str] = []
    for text in (authority.name, authority.office_name) if authority is not None else ():
        found = _COUNTY.match(text or "")
        if found:
            names += [found.group(0), found.group(1)]
    counties = Counter(m.group(0) for m in map(_COUNTY.match, school_names) if m)
    names += [c for c, n in counties.most_common(2) if n * 3 >= len(school_names)]
    for found in (m for m in map(_COUNTY.match, list(names)) if m):
        names.append(found.group(1))
    return tuple(dict.fromkeys(n for n in names if n))


_cache: OrderedDict[tuple[object, ...], SchoolNames] = OrderedDict()
_cache_lock = Lock()


def _refs(session: Session, authority_id: int) -> tuple[list[SchoolRef], Authority | None]:
    rows = session.execute(
        select(Unit.id, Unit.name, Unit.short_name, Unit.nicknames)
        .where(Unit.authority_id == authority_id, Unit.kind.in_(SCHOOL_KINDS), Unit.active.is_(True))
        .order_by(Unit.id)
    ).all()
    refs = [SchoolRef(i, name, short, 0, tuple(split_nicknames(nick))) for i, name, short, nick in rows]
    return refs, session.get(Authority, authority_id)


def authority_resolver(session: Session, authority_id: int) -> SchoolNames:
    """Every active school of the authority, built once per content (an import or an edit builds it anew)."""
    refs, authority = _refs(session, authority_id)
    names = authority_names(authority, [r.name for r in refs])
    key = (names, tuple((r.id, r.name, r.short_name, r.nicknames) for r in refs))
    with _cache_lock:
        built = _cache.get(key)
        if built is not None:
            _cache.move_to_end(key)
            return built
    built = SchoolNames.build(refs, names)
    with _cache_lock:
        _cache[key] = built
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return built


@dataclass(frozen=True)
class InspectorNames:
    """The authority's resolver with one inspector's aliases, and the inspector's schools (numbered as in
    我的学校) that a message of theirs means."""

    resolver: SchoolNames
    mine: tuple[SchoolRef, ...]

    def find(self, text: str) -> SchoolFinding:
        return self.resolver.find(text, self.mine)


def learned_aliases(session: Session, inspector_id: int) -> dict[str, int]:
    rows = session.execute(select(SchoolAlias.key, SchoolAlias.unit_id).where(SchoolAlias.inspector_id == inspector_id))
    return {key: unit_id for key, unit_id in rows}


def resolver_for(session: Session, inspector_id: int) -> InspectorNames:
    """The resolver an inspector's messages are read with: every school of their authority and their aliases."""
    inspector = session.get(Inspector, inspector_id)
    if inspector is None:
        return InspectorNames(SchoolNames.build([]), ())
    base = authority_resolver(session, inspector.authority_id)
    mine = session.execute(
        select(Unit.id)
        .join(Assignment, and_(Assignment.unit_id == Unit.id, Assignment.ends_on.is_(None)))
        .where(Assignment.inspector_id == inspector_id, Unit.active.is_(True))
        .order_by(Unit.code)
    ).scalars()
    refs = []
    for number, unit_id in enumerate(mine, start=1):
        ref = base.schools.get(unit_id)
        if ref is not None:
            refs.append(SchoolRef(ref.id, ref.name, ref.short_name, number, ref.nicknames))
    return InspectorNames(base.with_learned(learned_aliases(session, inspector_id)), tuple(refs))


def learn_alias(session: Session, inspector_id: int, phrase: str, unit_id: int) -> str | None:
    """Remember that `phrase` means the school for this inspector; the words to say so, once (None when the
    phrase already names that school without a question, or cannot be a name)."""
    phrase = phrase.strip("，,。.！!？? ")
    key = phrase_key(phrase)
    if not 2 <= len(key) <= 30 or key.isdigit():
        return None
    names = resolver_for(session, inspector_id)
    already = names.find(phrase)
    if already.kind is Kind.EXACT and already.school_id == unit_id:
        return None
    unit = session.get(Unit, unit_id)
    if unit is None:
        return None
    existing = session.scalar(
        select(SchoolAlias).where(SchoolAlias.inspector_id == inspector_id, SchoolAlias.key == key)
    )
    if existing is None:
        session.add(SchoolAlias(inspector_id=inspector_id, phrase=phrase, key=key, unit_id=unit_id))
    else:
        existing.phrase, existing.unit_id = phrase, unit_id
    session.flush()
    return t("school_names.learned", phrase=phrase, school=unit.name)


def forget_alias(session: Session, inspector_id: int, phrase: str) -> str:
    """`忘记 某某中心校`: the alias goes; the official names and the office's 简称 stay."""
    phrase = phrase.strip("，,。.！!？? ")
    key = phrase_key(phrase)
    alias = session.scalar(select(SchoolAlias).where(SchoolAlias.inspector_id == inspector_id, SchoolAlias.key == key))
    if alias is None:
        listed = aliases_text(session, inspector_id)
        return t("school_names.forget_unknown", phrase=phrase) + (("\n" + listed) if listed else "")
    unit = session.get(Unit, alias.unit_id)
    session.execute(delete(SchoolAlias).where(SchoolAlias.id == alias.id))
    return t("school_names.forgotten", phrase=alias.phrase, school=unit.name if unit else "")


def aliases_text(session: Session, inspector_id: int) -> str:
    """The aliases the inspector has taught, one a line (empty when none)."""
    rows = session.execute(
        select(SchoolAlias.phrase, Unit.name)
        .join(Unit, Unit.id == SchoolAlias.unit_id)
        .where(SchoolAlias.inspector_id == inspector_id)
        .order_by(SchoolAlias.created_at, SchoolAlias.id)
    ).all()
    if not rows:
        return ""
    return "\n".join([t("school_names.list_head"), *(t("school_names.list_row", phrase=p, school=n) for p, n in rows)])
