"""Build ``places/data/towns.csv.gz`` and ``places/data/places_pinyin.csv.gz``.

    .venv/bin/python scripts/make_towns.py [--source ../shared/data/cn-admin-vonng-adcode/...csv]

Reads the Vonng/adcode township table (CC BY 4.0, see ``places/data/TOWNS-LICENSE.md``), maps
each township's 2016-era county to the county code the gazetteer uses today (cpca's
``adcodes.csv``): by code, then a city's "市辖区" grouping to the city itself, then by name
within the prefecture (within the province where the prefecture was itself a grouping).
Townships whose county cannot be mapped, and the source's virtual units ("县区直属镇"), are
left out. Pinyin keys are computed here with ``pypinyin`` so that the runtime does not need it.
The output is deterministic: rows in code order, gzip without a timestamp. Prints the counts.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import math
import re
import statistics
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pypinyin import lazy_pinyin  # noqa: E402

from places.gazetteer import Gazetteer, Place, _nations_pattern, default_gazetteer  # noqa: E402
from places.town_names import admin_stem, pinyin_key, split_town  # noqa: E402

SOURCE = ROOT.parent / "shared" / "data" / "cn-admin-vonng-adcode" / "adcode_country_to_town.filtered.csv"
DATA = ROOT / "places" / "data"
TOWNS_OUT = DATA / "towns.csv.gz"
PINYIN_OUT = DATA / "places_pinyin.csv.gz"


def read_source(path: Path) -> list[dict[str, str]]:
    """The source rows (province, city, county and town levels)."""
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def map_counties(rows: list[dict[str, str]], gaz: Gazetteer) -> tuple[dict[str, str], Counter[str]]:
    """Source county code -> today's gazetteer code, and how many were mapped each way."""
    ethnic = _nations_pattern()
    counties = [p for p in gaz.places.values() if p.level == "county"]
    mapping: dict[str, str] = {}
    how: Counter[str] = Counter()
    for row in rows:
        if row["level"] != "county":
            continue
        code, city = row["code"], row["parent"]
        known = gaz.get(code)
        if known is not None and known.level == "county":
            mapping[code], kind = code, "code"
        elif row["virtual"] == "t" and row["name"] == "市辖区" and gaz.get(city) is not None:
            mapping[code], kind = city, "city grouping -> city"
        else:
            found = _by_name(row, city, counties, gaz, ethnic)
            kind = "name within prefecture" if found else "unmapped"
            if found:
                mapping[code] = found
        how[kind] += 1
    return mapping, how


def _by_name(
    row: dict[str, str], city: str, counties: list[Place], gaz: Gazetteer, ethnic: re.Pattern[str]
) -> str | None:
    """The one county of today with the same name stem in the same prefecture (or province)."""
    stem = admin_stem(row["name"], ethnic)
    if gaz.get(city) is not None:
        inside = [p for p in counties if p.parent_code == city]
    else:  # "省直辖县级行政区划": the province is the nearest real parent
        inside = [p for p in counties if p.code[:2] == row["code"][:2]]
    hits = [p.code for p in inside if admin_stem(p.name, ethnic) == stem]
    return hits[0] if len(hits) == 1 else None


def town_rows(rows: list[dict[str, str]], mapping: dict[str, str]) -> tuple[list[list[str]], Counter[str]]:
    """The package's township rows, and counts of what was kept and left out."""
    out: list[list[str]] = []
    counts: Counter[str] = Counter()
    for row in rows:
        if row["level"] != "town":
            continue
        if row["virtual"] == "t":
            counts["left out: virtual unit"] += 1
            continue
        parent = mapping.get(row["parent"])
        if parent is None:
            counts["left out: county unmapped"] += 1
            continue
        stem, _ = split_town(row["name"])
        key = pinyin_key(lazy_pinyin(stem))
        out.append([row["code"], parent, row["name"], row["latitude"], row["longitude"], key])
        counts["kept"] += 1
        counts["kept with coordinates"] += bool(row["latitude"] and row["longitude"])
    out.sort()
    return out, counts


def admin_pinyin_rows(gaz: Gazetteer) -> list[list[str]]:
    """(code, pinyin key) for every county, city and province the gazetteer knows."""
    ethnic = _nations_pattern()
    return [[code, pinyin_key(lazy_pinyin(admin_stem(gaz.places[code].name, ethnic)))]
            for code in sorted(gaz.places)]


def gzip_csv(header: list[str], rows: list[list[str]]) -> bytes:
    """CSV rows gzipped with no timestamp or file name, so equal rows give equal bytes."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    raw = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as fh:
        fh.write(text.getvalue().encode("utf-8"))
    return raw.getvalue()


def build(source: Path) -> tuple[bytes, bytes, dict[str, object]]:
    """Both package files' bytes and the figures worth reporting."""
    rows = read_source(source)
    gaz = default_gazetteer()
    mapping, how = map_counties(rows, gaz)
    towns, counts = town_rows(rows, mapping)
    towns_gz = gzip_csv(["code", "county", "name", "lat", "lng", "pinyin"], towns)
    pinyin_gz = gzip_csv(["code", "pinyin"], admin_pinyin_rows(gaz))
    report: dict[str, object] = {"counties": dict(how), "towns": dict(counts),
                                 "county centre offset (m)": centre_offsets(rows, gaz)}
    return towns_gz, pinyin_gz, report


def centre_offsets(rows: list[dict[str, str]], gaz: Gazetteer) -> dict[str, float]:
    """How far the source's county centres lie from the gazetteer's for the same codes."""
    metres = []
    for row in rows:
        place = gaz.get(row["code"])
        if row["level"] == "county" and place is not None and row["latitude"]:
            lat, lon = float(row["latitude"]), float(row["longitude"])
            dy = (lat - place.lat) * 111_195.0
            dx = (lon - place.lon) * 111_195.0 * math.cos(math.radians(lat))
            metres.append(math.hypot(dx, dy))
    return {"counties compared": len(metres), "median": statistics.median(metres), "max": max(metres)}


def main(argv: list[str] | None = None) -> int:
    """Write the package files (or, with --check, say whether they are up to date)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--check", action="store_true", help="compare with the shipped files, write nothing")
    args = parser.parse_args(argv)
    towns_gz, pinyin_gz, report = build(args.source)
    for key, value in report.items():
        print(f"{key}: {value}")
    if args.check:
        same = TOWNS_OUT.read_bytes() == towns_gz and PINYIN_OUT.read_bytes() == pinyin_gz
        print("up to date" if same else "OUT OF DATE: rerun scripts/make_towns.py")
        return 0 if same else 1
    DATA.mkdir(exist_ok=True)
    TOWNS_OUT.write_bytes(towns_gz)
    PINYIN_OUT.write_bytes(pinyin_gz)
    print(f"wrote {TOWNS_OUT.relative_to(ROOT)} ({len(towns_gz):,} bytes), "
          f"{PINYIN_OUT.relative_to(ROOT)} ({len(pinyin_gz):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
