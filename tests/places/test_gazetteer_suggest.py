"""Type-ahead suggestions for the home field."""

from places import default_gazetteer


def test_suggest_offers_places_by_name_coarsest_first() -> None:
    gazetteer = default_gazetteer()
    assert [p.full_name for p in gazetteer.suggest("榕江")] == ["贵州省黔东南苗族侗族自治州榕江县"]
    names = [p.full_name for p in gazetteer.suggest("贵州")]
    assert names[0] == "贵州省" and all(n.startswith("贵州省") for n in names) and len(names) == 8
    assert [p.name for p in gazetteer.suggest("黔东南", limit=2)][0] == "黔东南苗族侗族自治州"
    assert gazetteer.suggest("  ") == [] and gazetteer.suggest("火星基地") == []
