"""The string rules for township names and Latin place text (``places.town_names``)."""

import pytest

from places.town_names import (
    LatinPart,
    is_latin,
    latin_parts,
    plain_name,
    split_town,
    town_forms,
    town_stem,
)


@pytest.mark.parametrize(
    ("name", "stem", "kind"),
    [
        ("古州镇", "古州", "镇"),
        ("崇义乡", "崇义", "乡"),
        ("三江水族乡", "三江", "民族乡"),
        ("塔石瑶族水族乡", "塔石", "民族乡"),
        ("于家务回族乡", "于家务", "民族乡"),
        ("东华门街道办事处", "东华门", "街道办事处"),
        ("伍佑街道（城南新区）", "伍佑", "街道"),
        ("国营南田农场", "国营南田农场", ""),
        ("坝镇", "坝镇", ""),  # a one-character stem is no name
    ],
)
def test_split_town(name, stem, kind):
    assert split_town(name) == (stem, kind)


def test_town_forms_are_what_people_write():
    assert town_forms("三江水族乡") == {"三江水族乡", "三江乡"}
    assert town_forms("东华门街道办事处") == {"东华门街道办事处", "东华门街道"}
    assert town_forms("古州镇") == {"古州镇"}
    assert town_forms("伍佑街道（城南新区）") == {"伍佑街道城南新区", "伍佑街道"}


def test_only_townships_proper_have_a_bare_stem():
    assert town_stem("乐里镇") == "乐里"
    assert town_stem("三江水族乡") == "三江"
    assert town_stem("国营南田农场") is None
    assert town_stem("坝镇") is None


def test_plain_name_folds_width_and_drops_notes():
    assert plain_name("八五一０农场") == "八五一0农场"
    assert plain_name("中国（上海）自由贸易试验区（保税片区）") == "中国自由贸易试验区"


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Rongjiang", [LatinPart("rongjiang", None, ("rongjiang",))]),
        ("Lele Town, Rongjiang County", [LatinPart("lele", "town", ("lele",)),
                                         LatinPart("rongjiang", "county", ("rongjiang",))]),
        ("Rong Jiang", [LatinPart("rongjiang", None, ("rong", "jiang"))]),
        ("Xi'an City", [LatinPart("xian", "city", ("xian",))]),
        ("Lǜchūn County", [LatinPart("luchun", "county", ("luchun",))]),
        ("Lvchun", [LatinPart("luchun", None, ("luchun",))]),
        ("Guizhou Province", [LatinPart("guizhou", "province", ("guizhou",))]),
        ("Qiandongnan Miao and Dong Autonomous Prefecture",
         [LatinPart("qiandongnan", "city", ("qiandongnan", "miao", "dong"))]),
        ("County, Town", []),
    ],
)
def test_latin_parts(text, parts):
    assert latin_parts(text) == parts


def test_is_latin():
    assert is_latin("Rongjiang County")
    assert is_latin("Róngjiāng")
    assert not is_latin("榕江 Rongjiang")
    assert not is_latin("12345")
