"""The school-name store on both databases: a county's resolver built from the master data (and rebuilt when it
changes), the import's 学校简称 column, the office's edit, and the aliases an inspector teaches and forgets."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from backend.domain.school_names import Kind
from backend.services import school_names
from backend.services.importing import ImportKind, import_file
from backend.services.schools import set_nicknames
from backend.store.db import Database
from backend.store.models import AuditEvent, SchoolAlias, Unit
from messages import t
from tests.county_store import store_county
from tests.data.counties import ANYUAN
from tests.integration.test_import import SCHOOL_HEADER, write_xlsx

WANG = ANYUAN.inspectors[0]  # 城关一小, 城关二小, 一中, 实验幼, 欣山初中
ZHAO = ANYUAN.inspectors[1]  # the four schools of 天心镇 and its kindergarten


def test_an_inspectors_resolver_knows_the_county_and_their_own_schools(database: Database) -> None:
    with database.sessions() as session:
        stored = store_county(session, ANYUAN)
        names = school_names.resolver_for(session, stored.inspectors[WANG.number])
        assert [r.id for r in names.mine] == sorted(
            (stored.units[i] for i in WANG.schools), key=lambda u: session.get(Unit, u).code
        )
        assert [r.number for r in names.mine] == list(range(1, len(WANG.schools) + 1))
        second = stored.units[ANYUAN.school("江西省赣州市安远县城关第二小学").id]
        found = names.find("今天在城关二小看了食堂")
        assert (found.kind, found.school_id, found.said) == (Kind.EXACT, second, "城关二小")
        # another inspector's school is named as outside, not taken
        theirs = names.find("去了天心中心校")
        assert theirs.kind is Kind.NONE and theirs.outside == (stored.units[ANYUAN.school("安远县天心镇中心小学").id],)
        # the authority's own names come from the authority and its schools, and are dropped in their short form too
        assert "安远县" in school_names.authority_names(None, [u.name for u in session.scalars(select(Unit))])
        assert {"安远县", "安远"} <= set(names.resolver.prefixes)


def test_the_resolver_is_cached_per_content_and_rebuilt_when_a_name_changes(database: Database) -> None:
    with database.sessions() as session:
        stored = store_county(session, ANYUAN, with_nicknames=False)
        session.commit()
        authority_id = session.get(Unit, stored.units[ANYUAN.schools[0].id]).authority_id
        first = school_names.authority_resolver(session, authority_id)
        assert school_names.authority_resolver(session, authority_id) is first
        third = ANYUAN.school("安远县欣山初级中学")
        assert first.find("三中").school_id is None
        assert set_nicknames(session, third.code, "安远三中、三中", actor="office:test")
        rebuilt = school_names.authority_resolver(session, authority_id)
        assert rebuilt is not first and rebuilt.find("三中").school_id == stored.units[third.id]
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "unit.nicknames")).one()
        assert event.detail == {"before": "", "after": "安远三中、三中"} and event.actor == "office:test"
        assert not set_nicknames(session, third.code, "安远三中，三中", actor="office:test")  # the same, as typed


def test_an_alias_is_learnt_once_said_back_used_next_time_and_forgotten(database: Database) -> None:
    with database.sessions() as session:
        stored = store_county(session, ANYUAN)
        wang = stored.inspectors[WANG.number]
        first = stored.units[ANYUAN.school("江西省赣州市安远县城关第一小学").id]
        assert school_names.resolver_for(session, wang).find("老城关小学听课").school_id is None
        said = school_names.learn_alias(session, wang, "老城关小学", first)
        assert said == t("school_names.learned", phrase="老城关小学", school="江西省赣州市安远县城关第一小学")
        found = school_names.resolver_for(session, wang).find("今天去老城关小学听课")
        assert (found.kind, found.school_id) == (Kind.EXACT, first)
        # said once: a phrase that already names the school is not learnt again
        assert school_names.learn_alias(session, wang, "老城关小学", first) is None
        assert school_names.learn_alias(session, wang, "城关一小", first) is None  # its everyday name already
        assert school_names.learn_alias(session, wang, "3", first) is None  # a number is no name
        # the alias is this inspector's only
        zhao = stored.inspectors[ZHAO.number]
        assert school_names.resolver_for(session, zhao).find("老城关小学").kind is not Kind.EXACT
        listed = school_names.aliases_text(session, wang)
        assert "老城关小学 = 江西省赣州市安远县城关第一小学" in listed
        assert school_names.forget_alias(session, wang, "老城關小學") == t(
            "school_names.forgotten", phrase="老城关小学", school="江西省赣州市安远县城关第一小学"
        )
        assert school_names.resolver_for(session, wang).find("老城关小学").school_id is None
        assert school_names.forget_alias(session, wang, "老城关小学").startswith(
            t("school_names.forget_unknown", phrase="老城关小学")
        )
        session.commit()
        assert session.scalars(select(SchoolAlias)).all() == []


def test_teaching_a_phrase_again_points_it_at_the_new_school(database: Database) -> None:
    with database.sessions() as session:
        stored = store_county(session, ANYUAN)
        wang = stored.inspectors[WANG.number]
        first = stored.units[ANYUAN.school("江西省赣州市安远县城关第一小学").id]
        second = stored.units[ANYUAN.school("江西省赣州市安远县城关第二小学").id]
        assert school_names.learn_alias(session, wang, "城关小学", first)
        assert school_names.learn_alias(session, wang, "城关小学", second)
        rows = session.scalars(select(SchoolAlias)).all()
        assert [(r.phrase, r.unit_id) for r in rows] == [("城关小学", second)]


def test_the_import_reads_the_optional_nicknames_column(database: Database, tmp_path: Path) -> None:
    header = [*SCHOOL_HEADER, "学校简称"]
    rows = [
        ["3607260001", "江西省赣州市安远县城关第二小学", "小学", "公办", "", "", "", "", "", "", "", "城关二小、二小"],
        ["3607260002", "安远县欣山初级中学", "初中", "公办", "", "", "", "", "", "", "", " 安远三中，三中 "],
        ["3607260003", "安远县博苑幼儿园", "幼儿园", "民办", "", "", "", "", "", "", "", ""],
    ]
    path = write_xlsx(tmp_path / "schools.xlsx", header, rows)
    with database.sessions() as session:
        report = import_file(session, ImportKind.SCHOOLS, path, media_dir=tmp_path / "media", actor="test")
        assert report.ok and report.created == 3, report.summary()
        stored = dict(session.execute(select(Unit.code, Unit.nicknames)).all())
        assert stored == {"3607260001": "城关二小、二小", "3607260002": "安远三中、三中", "3607260003": ""}
        authority_id = session.scalars(select(Unit.authority_id)).first()
        assert authority_id is not None
        names = school_names.authority_resolver(session, authority_id)
        third = session.scalars(select(Unit.id).where(Unit.code == "3607260002")).one()
        assert names.find("今天去三中听课").school_id == third
    # a file without the column leaves the office's nicknames as they are
    path = write_xlsx(tmp_path / "again.xlsx", SCHOOL_HEADER, [r[:-1] for r in rows])
    with database.sessions() as session:
        report = import_file(session, ImportKind.SCHOOLS, path, media_dir=tmp_path / "media", actor="test")
        assert report.ok and report.unchanged == 3, report.summary()
        assert session.scalars(select(Unit.nicknames).where(Unit.code == "3607260002")).one() == "安远三中、三中"
