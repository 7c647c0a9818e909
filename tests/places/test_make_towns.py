"""The township data: the generator (``scripts/make_towns.py``) and the file it ships."""

import importlib.util
import math
from pathlib import Path

import pytest

from places import default_gazetteer
from places.towns import PINYIN_PATH, TOWNS_PATH, read_gzip_csv

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT.parent / "shared" / "data" / "cn-admin-vonng-adcode" / "adcode_country_to_town.filtered.csv"
needs_source = pytest.mark.skipif(not SOURCE.exists(), reason="../shared/data/cn-admin-vonng-adcode absent")


@pytest.fixture(scope="module")
def make_towns():
    """The generator script as a module (it needs pypinyin, a development dependency)."""
    pytest.importorskip("pypinyin")
    spec = importlib.util.spec_from_file_location("make_towns", ROOT / "scripts" / "make_towns.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def county(code, name, parent, virtual="f"):
    return {"level": "county", "code": code, "name": name, "parent": parent, "virtual": virtual}


def test_county_codes_map_by_code_then_city_grouping_then_name(make_towns):
    rows = [
        county("522632000000", "榕江县", "522600000000"),  # the same code today
        county("522699000000", "镇远县", "522600000000"),  # an old code: the name in the prefecture
        county("620201000000", "市辖区", "620200000000", virtual="t"),  # 嘉峪关's towns lie under the city
        county("529001000000", "凯里市", "529000000000"),  # a grouping parent: the name in the province
        county("130421000000", "邯郸县", "130400000000"),  # merged away in 2016
        county("522698000000", "不存在县", "522600000000"),
    ]
    mapping, how = make_towns.map_counties(rows, default_gazetteer())
    assert mapping == {
        "522632000000": "522632000000",
        "522699000000": "522625000000",
        "620201000000": "620200000000",
        "529001000000": "522601000000",
    }
    assert how == {"code": 1, "name within prefecture": 2, "city grouping -> city": 1, "unmapped": 2}


def test_township_rows_keep_mapped_real_townships_with_a_pinyin_key(make_towns):
    town = {"level": "town", "virtual": "f", "latitude": "26.223141", "longitude": "108.412559"}
    rows = [
        {**town, "code": "522632104000", "parent": "522632000000", "name": "乐里镇"},
        {**town, "code": "522632204000", "parent": "522632000000", "name": "三江水族乡", "latitude": ""},
        {**town, "code": "130421100000", "parent": "130421000000", "name": "某镇"},
        {**town, "code": "140303198000", "parent": "140303000000", "name": "县区直属镇", "virtual": "t"},
    ]
    out, counts = make_towns.town_rows(rows, {"522632000000": "522632000000", "140303000000": "140303000000"})
    assert out == [
        ["522632104000", "522632000000", "乐里镇", "26.223141", "108.412559", "leli"],
        ["522632204000", "522632000000", "三江水族乡", "", "108.412559", "sanjiang"],
    ]
    assert counts == {"kept": 2, "kept with coordinates": 1, "left out: county unmapped": 1,
                      "left out: virtual unit": 1}


def test_the_gzip_output_is_deterministic(make_towns):
    first = make_towns.gzip_csv(["a"], [["1"]])
    assert first == make_towns.gzip_csv(["a"], [["1"]])
    assert first[4:8] == b"\0\0\0\0"  # no timestamp in the header


@needs_source
def test_the_generator_reproduces_the_shipped_files(make_towns):
    towns_gz, pinyin_gz, report = make_towns.build(SOURCE)
    assert towns_gz == TOWNS_PATH.read_bytes()
    assert pinyin_gz == PINYIN_PATH.read_bytes()
    assert report["counties"]["unmapped"] == 6
    assert report["towns"]["left out: county unmapped"] == 79


@needs_source
def test_source_county_centres_share_the_gazetteer_datum(make_towns):
    # Both are Amap (GCJ-02) centres: the same counties lie at the same points.
    offsets = make_towns.centre_offsets(make_towns.read_source(SOURCE), default_gazetteer())
    assert offsets["counties compared"] > 2800
    assert offsets["median"] < 1.0


def test_the_shipped_townships_hang_under_known_counties():
    base = default_gazetteer()
    rows = read_gzip_csv(TOWNS_PATH)
    assert len(rows) > 42_000
    assert len({r["code"] for r in rows}) == len(rows)
    assert all(base.get(r["county"]) is not None and base.get(r["county"]).level in ("county", "city")
               for r in rows)
    placed = [(float(r["lat"]), float(r["lng"])) for r in rows if r["lat"]]
    assert len(placed) > 35_000
    assert all(3 < lat < 54 and 73 < lng < 136 for lat, lng in placed)
    assert all(r["pinyin"].isascii() and r["pinyin"].isalnum() for r in rows)


def test_township_centres_lie_near_their_county(towns):
    far = []
    for town in towns.towns.values():
        if towns.has_own_centre(town):
            seat = towns.get(town.parent_code)
            dy = town.lat - seat.lat
            dx = (town.lon - seat.lon) * math.cos(math.radians(town.lat))
            if math.hypot(dx, dy) * 111.2 > 400:
                far.append(town.full_name)
    # Only a handful of Xinjiang/Tibet/Inner Mongolia townships lie that far from the county seat.
    assert len(far) < 50, far[:10]
