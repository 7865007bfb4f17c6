"""School names as people say them, on three generated counties: every school reachable by its everyday forms,
slips and homophones asked (fuzzy), two that fit asked (ambiguous), school words inside other words no school."""

from __future__ import annotations

import pytest

from backend.domain.school_names import Kind, SchoolFinding, SchoolNames, SchoolRef, forms_of, phrase_key
from tests.data.counties import ANYUAN, BINCHUAN, COUNTIES, LONGHUI, County, School, county_of_size

RESOLVERS = {
    c.name: SchoolNames.build([SchoolRef(s.id, s.name, "", 0, s.nicknames) for s in c.schools], c.authority_names)
    for c in COUNTIES
}


def find(county: County, text: str, inspector: int | None = None) -> SchoolFinding:
    names = RESOLVERS[county.name]
    among = None if inspector is None else [names.schools[i] for i in county.inspectors[inspector].schools]
    return names.find(text, among)


def named(county: County, finding: SchoolFinding) -> list[str]:
    return [county.by_id[i].name for i in finding.candidates]


EVERYDAY = [
    (county, school, said) for county in COUNTIES for school in county.schools for said in (school.name, *school.said)
]


@pytest.mark.parametrize(("county", "school", "said"), EVERYDAY, ids=[f"{c.short}-{s}" for c, _, s in EVERYDAY])
def test_every_school_is_named_by_its_everyday_forms_among_its_inspectors_schools(
    county: County, school: School, said: str
) -> None:
    inspector = next(n for n, i in enumerate(county.inspectors) if school.id in i.schools)
    for text in (said, f"今天去{said}看了食堂", f"28号去的{said}", f"周一{said}检查校门", f"对{said}进行督导"):
        found = find(county, text, inspector)
        assert (found.kind, found.school_id) == (Kind.EXACT, school.id), (text, found)


def test_the_official_names_of_all_three_counties_resolve_across_the_whole_county() -> None:
    for county in COUNTIES:
        for school in county.schools:
            found = find(county, school.name)
            assert found.school_id == school.id, (school.name, found)


def test_the_authority_prefixes_are_dropped_in_any_of_their_forms() -> None:
    second = ANYUAN.school("江西省赣州市安远县城关第二小学").id
    for text in ("城关第二小学", "安远城关二小", "安远县城关二小", "赣州市安远县城关第二小学", "县城关二小"):
        assert find(ANYUAN, text, 0).school_id == second, text
    assert (
        find(BINCHUAN, "大理白族自治州宾川县第一中学").school_id
        == BINCHUAN.school("云南省大理白族自治州宾川县第一中学").id
    )
    assert "城关第二小学" in forms_of(SchoolRef(1, "江西省赣州市安远县城关第二小学"), ("安远县", "安远"))


@pytest.mark.parametrize(
    ("county", "inspector", "text", "meant"),
    [
        (ANYUAN, 0, "城官二小看了食堂", "江西省赣州市安远县城关第二小学"),  # 官 for 关: pinyin input
        (ANYUAN, 1, "天新中心校 食堂卫生", "安远县天心镇中心小学"),
        (ANYUAN, 0, "欣山出中听课", "安远县欣山初级中学"),
        (ANYUAN, 2, "孔田九年志学校", "安远县孔田镇九年一贯制学校"),
        (ANYUAN, 2, "博远幼儿园 晨检", "安远县博苑幼儿园"),
        (ANYUAN, 2, "小天便幼儿园", "安远县小天使幼儿园"),  # one character wrong
        (ANYUAN, 1, "天心镇中兴小学", "安远县天心镇中心小学"),
        (ANYUAN, 1, "天心中心幼儿圆", "安远县天心镇中心幼儿园"),
        (LONGHUI, 1, "滩投初中", "隆回县滩头镇初级中学"),
        (BINCHUAN, 1, "洲城中心校", "宾川县州城镇中心小学"),
    ],
)
def test_a_homophone_or_a_slip_is_a_fuzzy_finding_to_confirm_never_a_record(
    county: County, inspector: int, text: str, meant: str
) -> None:
    found = find(county, text, inspector)
    assert found.kind is Kind.FUZZY and found.school_id is None, found
    assert named(county, found)[0] == meant
    assert found.said and found.said in text


def test_two_schools_that_fit_are_ambiguous() -> None:
    both = find(ANYUAN, "今天去了城关一小和城关二小", 0)
    assert both.kind is Kind.AMBIGUOUS and both.school_id is None
    assert set(named(ANYUAN, both)) == {"江西省赣州市安远县城关第一小学", "江西省赣州市安远县城关第二小学"}
    one_of_two = find(LONGHUI, "今天去一小看了食堂", 2)  # 花门街道第一小学 and 高平镇第一小学
    assert one_of_two.kind is Kind.AMBIGUOUS and len(one_of_two.candidates) == 2 and one_of_two.said == "一小"


def test_a_loose_form_names_a_school_only_where_it_is_unique_among_the_inspectors_schools() -> None:
    assert find(ANYUAN, "天心中学", 1).school_id == ANYUAN.school("安远县天心初级中学").id  # 中学 for 初级中学
    assert find(ANYUAN, "天心小学", 1).school_id == ANYUAN.school("安远县天心镇中心小学").id  # 小学 for 中心小学
    assert find(ANYUAN, "二小", 0).school_id == ANYUAN.school("江西省赣州市安远县城关第二小学").id
    assert find(ANYUAN, "长河", 1).kind is Kind.NONE  # a village's name alone names neither 长河 school


@pytest.mark.parametrize(
    "text",
    ["幼儿园小学化倾向严重", "中学生近视率偏高", "防止幼儿园化管理", "开会开了二小时", "这里的小学生很多"],
)
def test_a_school_word_inside_another_word_is_not_a_school(text: str) -> None:
    for inspector in range(len(ANYUAN.inspectors)):
        found = find(ANYUAN, text, inspector)
        assert found.kind is Kind.NONE and found.school_id is None, (inspector, found)


def test_a_school_named_beside_a_school_word_in_another_word_is_still_found() -> None:
    found = find(ANYUAN, "天心镇中心幼儿园存在小学化倾向", 1)
    assert found.school_id == ANYUAN.school("安远县天心镇中心幼儿园").id and found.said == "天心镇中心幼儿园"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("天心鎮中心小學", "安远县天心镇中心小学"),
        ("實驗幼兒園", "安远县实验幼儿园"),
        ("孔田九年製學校", "安远县孔田镇九年一贯制学校"),
        ("長河教學點", "安远县天心镇中心小学长河教学点"),
        ("城关 ２小👍", "江西省赣州市安远县城关第二小学"),
        ("城关2小，食堂", "江西省赣州市安远县城关第二小学"),
        ("【欣山初中】听课", "安远县欣山初级中学"),
    ],
)
def test_traditional_full_width_spaces_emoji_and_punctuation_are_folded(text: str, name: str) -> None:
    school = ANYUAN.school(name)
    inspector = next(n for n, i in enumerate(ANYUAN.inspectors) if school.id in i.schools)
    assert find(ANYUAN, text, inspector).school_id == school.id


def test_the_mention_is_cut_out_cleanly_as_typed() -> None:
    for text, said in [
        ("28号去的實驗幼兒園，晨检规范", "實驗幼兒園"),
        ("昨天趟天心中学听了两节课", "天心中学"),
        ("周一城关二小检查食堂", "城关二小"),
        ("今天对长河村小进行了督导", "长河村小"),
        ("上午去安远一中看了食堂", "安远一中"),
    ]:
        found = next(find(ANYUAN, text, n) for n in range(len(ANYUAN.inspectors)) if find(ANYUAN, text, n).school_id)
        assert found.said == said and found.span is not None
        assert text[found.span[0] : found.span[1]] == said


def test_the_offices_nicknames_and_an_inspectors_aliases_name_schools() -> None:
    third = ANYUAN.school("安远县欣山初级中学").id
    assert find(ANYUAN, "三中听课", 0).school_id == third  # the office's 简称
    names = RESOLVERS[ANYUAN.name].with_learned({"老城关小学": ANYUAN.school("江西省赣州市安远县城关第一小学").id})
    mine = [names.schools[i] for i in ANYUAN.inspectors[0].schools]
    found = names.find("今天在老城关小学看了大课间", mine)
    assert found.kind is Kind.EXACT and found.said == "老城关小学"
    assert RESOLVERS[ANYUAN.name].find("今天在老城关小学看了大课间", mine).school_id is None  # learnt, not built in
    assert phrase_key("老城關 小學！") == "老城关小学"


def test_another_inspectors_school_is_named_as_outside() -> None:
    found = find(ANYUAN, "今天去天心中心校看了食堂", 0)
    assert found.kind is Kind.NONE and found.outside == (ANYUAN.school("安远县天心镇中心小学").id,)
    slip_or_name = find(ANYUAN, "城关一小", 1)  # another's school exactly: not a slip of one of mine
    assert slip_or_name.kind is Kind.NONE and slip_or_name.outside


def test_no_school_named_is_none() -> None:
    found = find(ANYUAN, "今天看了食堂，挺好的", 0)
    assert (found.kind, found.said, found.candidates) == (Kind.NONE, "", ())


def test_a_large_county_builds_and_answers() -> None:
    big = county_of_size(300)
    names = SchoolNames.build([SchoolRef(s.id, s.name) for s in big.schools], big.authority_names)
    assert len(names.schools) == 300
    assert names.find("今天在城关二小看了食堂").school_id == big.school("江西省赣州市安远县城关第二小学").id


def test_a_space_before_a_name_is_a_boundary_and_a_space_inside_it_is_not() -> None:
    second = ANYUAN.school("江西省赣州市安远县城关第二小学").id
    for text in ("整改 城关二小 晨检记录不全 12月1日前", "城关 二小 食堂", "今天 城关二小 看了"):
        found = find(ANYUAN, text, 0)
        assert (found.kind, found.school_id) == (Kind.EXACT, second), (text, found)
    assert find(ANYUAN, "整改城关二小晨检记录不全", 0).kind is Kind.FUZZY  # glued to a word: asked, not taken
