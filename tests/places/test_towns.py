"""Places down to the township: ``TownGazetteer.resolve_place`` and its ``Resolution``."""

import math

import pytest

from places import AmbiguousPlace, PlaceNotFound, default_gazetteer, default_town_gazetteer
from places.town_names import split_town

RONGJIANG = "贵州省黔东南苗族侗族自治州榕江县"


def km(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(a_lat), math.radians(b_lat)
    dp, dl = p2 - p1, math.radians(b_lon - a_lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


@pytest.mark.parametrize(
    ("text", "full_name"),
    [
        ("贵州省榕江县乐里镇", RONGJIANG + "乐里镇"),
        ("榕江县乐里镇", RONGJIANG + "乐里镇"),
        ("贵州省黔东南苗族侗族自治州榕江县古州镇", RONGJIANG + "古州镇"),
        ("古州镇", RONGJIANG + "古州镇"),  # unique in the country
        ("栽麻镇", RONGJIANG + "栽麻镇"),
        ("榕江乐里", RONGJIANG + "乐里镇"),  # the bare stem right after its county
        ("榕江县乐里", RONGJIANG + "乐里镇"),
        ("榕江平江", RONGJIANG + "平江镇"),  # 平江镇 of 榕江, not 湖南平江县
        ("榕江县三江乡", RONGJIANG + "三江水族乡"),  # written without the ethnic group
        ("东华门街道", "北京市东城区东华门街道办事处"),
        ("大兴庄镇", "北京市平谷区大兴庄镇"),  # not 大兴区
        ("广东省广州市番禺区石楼镇", "广东省广州市番禺区石楼镇"),
        ("凉山州布拖县特木里镇", "四川省凉山彝族自治州布拖县特木里镇"),
    ],
)
def test_resolves_down_to_the_township(towns, text, full_name):
    found = towns.resolve_place(text)
    assert found.full_name == full_name
    assert found.place.level == "town"
    assert found.precision == "town"
    assert (found.lat, found.lon) == (found.place.lat, found.place.lon)


def test_a_township_is_placed_at_its_own_centre_not_the_county_seat(towns):
    town = towns.resolve_place("贵州省榕江县乐里镇")
    county = towns.resolve_place("贵州省榕江县")
    assert county.precision == "county" and county.place.level == "county"
    assert town.place.parent_code == county.code
    # The complaint: the county seat is over 30 km from 乐里镇.
    assert km(town.lat, town.lon, county.lat, county.lon) > 30
    assert 26.1 < town.lat < 26.3 and 108.3 < town.lon < 108.5


def test_a_township_name_shared_by_two_counties_asks_with_their_counties(towns):
    with pytest.raises(AmbiguousPlace) as err:
        towns.resolve_place("乐里镇")
    names = {p.full_name for p in err.value.candidates}
    assert names == {"广西壮族自治区百色市田林县乐里镇", RONGJIANG + "乐里镇"}
    parents = {towns.get(p.parent_code).name for p in err.value.candidates}
    assert parents == {"田林县", "榕江县"}
    assert "田林县乐里镇" in str(err.value) and "榕江县乐里镇" in str(err.value)


@pytest.mark.parametrize(
    ("text", "context", "full_name"),
    [
        ("乐里镇", "榕江县", RONGJIANG + "乐里镇"),
        ("乐里镇", "522632000000", RONGJIANG + "乐里镇"),
        ("乐里镇", "黔东南州", RONGJIANG + "乐里镇"),  # the prefecture is context enough
        ("乐里镇", "广西", "广西壮族自治区百色市田林县乐里镇"),
        ("乐里", "榕江县", RONGJIANG + "乐里镇"),  # the bare stem on a form for the county
        ("栽麻镇", "广西", RONGJIANG + "栽麻镇"),  # none in the context, one in the country
        ("Leli", "榕江县", RONGJIANG + "乐里镇"),
    ],
)
def test_context_picks_the_township(towns, text, context, full_name):
    assert towns.resolve_place(text, context=context).full_name == full_name


def test_context_may_be_a_place(towns):
    county = default_gazetteer().resolve("榕江县")
    assert towns.resolve_place("乐里镇", context=county).full_name == RONGJIANG + "乐里镇"


def test_a_bare_stem_that_is_also_a_county_asks(towns):
    with pytest.raises(AmbiguousPlace) as err:
        towns.resolve_place("平江", context="榕江县")
    assert {p.full_name for p in err.value.candidates} == {"湖南省岳阳市平江县", RONGJIANG + "平江镇"}
    assert towns.resolve_place("平江").full_name == "湖南省岳阳市平江县"  # without context, as before


def test_a_common_township_name_outside_the_context_stays_ambiguous(towns):
    with pytest.raises(AmbiguousPlace) as err:
        towns.resolve_place("城关镇", context="榕江县")
    assert len(err.value.candidates) > 100
    # 城关镇 and 城关回族镇 (an ethnic town written without its ethnic group)
    assert all(p.level == "town" and split_town(p.name) == ("城关", "镇") for p in err.value.candidates)


def test_a_township_not_in_the_named_county_falls_back_to_the_county(towns):
    # 榕江 has no 城关镇: another county's 城关镇 would be wrong; the county is what is known.
    found = towns.resolve_place("贵州省榕江县城关镇")
    assert found.full_name == RONGJIANG and found.precision == "county"
    found = towns.resolve_place("榕江县火星村")
    assert found.full_name == RONGJIANG and found.precision == "county"


@pytest.mark.parametrize("text", ["榕江县古州镇路12号", "榕江县乐里镇街", "榕江乐里路"])
def test_a_road_named_after_a_township_is_not_the_township(towns, text):
    found = towns.resolve_place(text)
    assert found.full_name == RONGJIANG and found.precision == "county"


def test_a_township_without_its_own_centre_is_placed_at_the_county_centre(towns):
    found = towns.resolve_place("北京市东城区交道口街道")
    county = towns.resolve_place("北京市东城区")
    assert found.place.name == "交道口街道办事处"
    assert not towns.has_own_centre(found.place)
    assert found.precision == "county"
    assert (found.lat, found.lon) == (county.lat, county.lon)
    # A note in brackets in the official name is not needed to name it (none of those has a centre).
    found = towns.resolve_place("盐城市亭湖区伍佑街道")
    assert found.full_name == "江苏省盐城市亭湖区伍佑街道（城南新区）"
    assert found.precision == "county" and found.place.level == "town"


@pytest.mark.parametrize(
    ("text", "precision"),
    [("榕江", "county"), ("黔东南州", "city"), ("贵州省", "province"), ("北京朝阳", "county")],
)
def test_larger_places_say_their_level(towns, text, precision):
    found = towns.resolve_place(text)
    assert found.precision == precision == found.place.level
    assert found.code == default_gazetteer().resolve(text).code


@pytest.mark.parametrize(
    ("text", "full_name", "precision"),
    [
        ("Rongjiang", RONGJIANG, "county"),
        ("Rongjiang County", RONGJIANG, "county"),
        ("rongjiang county, guizhou province", RONGJIANG, "county"),
        ("Róngjiāng Xiàn", RONGJIANG, "county"),
        ("Rongjiang Guizhou", RONGJIANG, "county"),
        ("Pengyang County", "宁夏回族自治区固原市彭阳县", "county"),
        ("Leli Town, Rongjiang", RONGJIANG + "乐里镇", "town"),
        ("Guzhou Town, Rongjiang County, Guizhou", RONGJIANG + "古州镇", "town"),
        ("Kaili City", "贵州省黔东南苗族侗族自治州凯里市", "county"),
        ("Qiandongnan Miao and Dong Autonomous Prefecture", "贵州省黔东南苗族侗族自治州", "city"),
        ("Xi'an", "陕西省西安市", "city"),
        ("Guangzhou", "广东省广州市", "city"),
    ],
)
def test_pinyin_and_english_resolve(towns, text, full_name, precision):
    found = towns.resolve_place(text)
    assert (found.full_name, found.precision) == (full_name, precision)


def test_an_unknown_english_township_says_only_the_county(towns):
    # No township of 榕江 reads "Lele" (乐里 is "Leli"): say the county, not a guess.
    found = towns.resolve_place("Lele Town, Rongjiang")
    assert found.full_name == RONGJIANG and found.precision == "county"


def test_english_homophones_ask(towns):
    with pytest.raises(AmbiguousPlace) as err:
        towns.resolve_place("Taizhou")
    assert {p.full_name for p in err.value.candidates} == {"江苏省泰州市", "浙江省台州市"}
    with pytest.raises(AmbiguousPlace) as err:
        towns.resolve_place("Guzhou Town")
    assert RONGJIANG + "古州镇" in {p.full_name for p in err.value.candidates}
    assert towns.resolve_place("Guzhou Town", context="榕江县").full_name == RONGJIANG + "古州镇"


@pytest.mark.parametrize("text", ["火星基地", "Mars Base", "", "   ", "12345", "Lele Town"])
def test_unknown_place_is_a_clear_error(towns, text):
    with pytest.raises(PlaceNotFound) as err:
        towns.resolve_place(text)
    assert "地点" in str(err.value)


def test_every_county_city_and_province_resolves_to_itself_by_full_name(towns):
    failures = [p.full_name for p in towns.base.places.values()
                if towns.resolve_place(p.full_name).code != p.code]
    assert failures == []


def test_townships_resolve_to_themselves_by_full_name(towns):
    # Every seventh township (all of them take seconds): full names are unique paths.
    sample = sorted(towns.towns)[::7]
    failures = [code for code in sample if towns.resolve_place(towns.towns[code].full_name).code != code]
    assert len(sample) > 6000 and failures == []


def test_the_county_level_answers_are_unchanged(towns):
    base = default_gazetteer()
    texts = ["贵州省黔东南州榕江县", "榕江县古州镇", "广州市白云区", "宁夏固原市西吉县", "北京朝阳", "西安"]
    for text in texts:
        found = towns.resolve_place(text).place
        assert found.code == base.resolve(text).code or found.parent_code == base.resolve(text).code
    with pytest.raises(AmbiguousPlace):
        towns.resolve_place("白云区")


def test_the_township_gazetteer_loads_once_per_process():
    assert default_town_gazetteer() is default_town_gazetteer()
    assert default_town_gazetteer().base is default_gazetteer()
