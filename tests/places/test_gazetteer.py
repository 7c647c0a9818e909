import pytest

from places import AmbiguousPlace, PlaceNotFound


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("贵州省黔东南州榕江县", "522632000000"),
        ("贵州省黔东南苗族侗族自治州榕江县古州镇", "522632000000"),
        ("榕江县古州镇", "522632000000"),
        ("榕江", "522632000000"),
        ("  榕江县  ", "522632000000"),
        ("广州市白云区", "440111000000"),
        ("宁夏固原市西吉县", "640422000000"),
        ("凉山州昭觉县", "513431000000"),
        ("北京朝阳", "110105000000"),
        ("黔东南州", "522600000000"),
        ("西安", "610100000000"),
        ("广东省广州市番禺区石楼镇", "440113000000"),  # 石楼镇 is a town, not 山西石楼县
        ("凉山州布拖县特木里镇", "513429000000"),  # not 木里县
    ],
)
def test_resolves_free_text_to_most_specific_place(gazetteer, text, code):
    assert gazetteer.resolve(text).code == code


def test_resolved_place_has_coordinates_and_full_name(gazetteer):
    place = gazetteer.resolve("榕江")
    assert place.level == "county"
    assert place.full_name == "贵州省黔东南苗族侗族自治州榕江县"
    assert 25 < place.lat < 27 and 108 < place.lon < 109


@pytest.mark.parametrize("text", ["火星基地", "Guangzhou", "", "   ", "12345"])
def test_unknown_place_is_a_clear_error(gazetteer, text):
    with pytest.raises(PlaceNotFound) as err:
        gazetteer.resolve(text)
    assert "地点" in str(err.value)


def test_ambiguous_place_names_the_candidates(gazetteer):
    with pytest.raises(AmbiguousPlace) as err:
        gazetteer.resolve("白云区")
    names = {p.full_name for p in err.value.candidates}
    assert names == {"贵州省贵阳市白云区", "广东省广州市白云区"}
    assert "贵州省贵阳市白云区" in str(err.value)


def test_every_county_resolves_by_its_full_name(gazetteer):
    failures = []
    for place in gazetteer.places.values():
        try:
            if gazetteer.resolve(place.full_name).code != place.code:
                failures.append(place.full_name)
        except ValueError:
            failures.append(place.full_name)
    # Full names are unique paths; every one must resolve to itself.
    assert failures == []
