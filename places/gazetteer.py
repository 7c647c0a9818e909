"""China's administrative places down to county level, and a resolver for free-text names.

The rows come from the ``cpca`` distribution's ``resources/adcodes.csv`` (about 3,500 places
with 2020 codes and centre coordinates). ``cpca`` itself is never imported: it needs
``pkg_resources``, which current setuptools no longer ships.
"""

from __future__ import annotations

import csv
import importlib.metadata
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LEVELS = ("province", "city", "county")
_LEVEL_RANK = {name: rank for rank, name in enumerate(LEVELS)}

# Longest first so that "苗族侗族自治州" is stripped before "州".
_SUFFIXES = sorted(
    [
        "特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市", "自治州",
        "地区", "盟", "自治县", "自治旗", "县", "区", "旗", "林区", "特区",
    ],
    key=len,
    reverse=True,
)
_GROUPINGS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
_NOISE = re.compile(r"[\s,，、;；:：/\\|()（）\[\]【】<>《》\"'“”‘’·・.。-]+")


class PlaceNotFound(ValueError):
    """No known place matches the text."""


class AmbiguousPlace(ValueError):
    """Several known places match the text equally well."""

    def __init__(self, text: str, candidates: list[Place]):
        self.candidates = candidates
        names = "、".join(c.full_name for c in candidates[:5])
        super().__init__(f"“{text}”可能是：{names}。请写得更具体一些（加上省或市）。")


@dataclass(frozen=True, slots=True)
class Place:
    """One administrative place with its centre coordinates."""

    code: str
    name: str
    level: str
    parent_code: str | None
    lat: float
    lon: float
    full_name: str


def default_csv_path() -> Path:
    """Locate ``cpca/resources/adcodes.csv`` inside the installed ``cpca`` distribution."""
    dist = importlib.metadata.distribution("cpca")
    return Path(str(dist.locate_file("cpca/resources/adcodes.csv")))


def _level_of(code: str) -> str:
    if code[2:] == "0" * 10:
        return "province"
    if code[4:] == "0" * 8:
        return "city"
    return "county"


def _nations_pattern() -> re.Pattern[str]:
    """A regex for runs of ethnic-group names ("苗族侗族") before 自治州/自治县/自治旗."""
    path = default_csv_path().with_name("56_nations.csv")
    names = [n.strip().removesuffix("族") for n in path.read_text(encoding="utf-8").split()]
    names = sorted({n for n in names if n} | {"各"}, key=len, reverse=True)
    return re.compile("(?:" + "|".join(map(re.escape, names)) + ")族+(?:(?:" +
                      "|".join(map(re.escape, names)) + ")族)*(?=自治[州县旗])")


def _short_forms(name: str, ethnic: re.Pattern[str]) -> set[str]:
    """Names people write for a place: "黔东南苗族侗族自治州" -> {"黔东南州", "黔东南"}."""
    forms = {name}
    base = ethnic.sub("", name)
    if base != name:
        forms.add(base)
    for suffix in _SUFFIXES:
        if base.endswith(suffix) and len(base) - len(suffix) >= 2:
            stem = base[: -len(suffix)]
            forms.add(stem)
            if suffix in ("自治州",):
                forms.add(stem + "州")
            if suffix in ("自治县",):
                forms.add(stem + "县")
            break
    return forms


def normalise_text(text: str) -> str:
    """NFKC-fold and strip spaces and punctuation, keeping the characters of names."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text or ""))


class Gazetteer:
    """An in-memory index of places, resolving free text to the most specific place."""

    def __init__(self, places: Iterable[Place], ethnic: re.Pattern[str] | None = None):
        self.places: dict[str, Place] = {p.code: p for p in places}
        self._aliases: dict[str, list[Place]] = defaultdict(list)
        ethnic = ethnic or _nations_pattern()
        for place in self.places.values():
            for form in _short_forms(place.name, ethnic):
                self._aliases[form].append(place)
        self._max_alias = max(len(a) for a in self._aliases)

    @classmethod
    def from_csv(cls, path: Path | None = None) -> Gazetteer:
        """Build from a cpca-style CSV (adcode,name,longitude,latitude)."""
        with open(path or default_csv_path(), encoding="utf-8") as fh:
            # "市辖区"/"县" rows are statistical groupings, not places people name: skip them.
            rows = [(r["adcode"], r["name"], float(r["latitude"]), float(r["longitude"]))
                    for r in csv.DictReader(fh)
                    if r["latitude"] and r["longitude"] and r["name"] not in _GROUPINGS]
        codes = {code for code, *_ in rows}
        names = {code: name for code, name, *_ in rows}
        places = []
        for code, name, lat, lon in rows:
            level = _level_of(code)
            parent = _parent_code(code, level, codes)
            chain = [name]
            p = parent
            while p:
                chain.append(names[p])
                p = _parent_code(p, _level_of(p), codes)
            places.append(Place(code, name, level, parent, lat, lon, "".join(reversed(chain))))
        return cls(places)

    def get(self, code: str) -> Place | None:
        """The place with this administrative code, if known."""
        return self.places.get(code)

    def ancestors(self, place: Place) -> list[Place]:
        """Parent, grandparent, … of a place."""
        out = []
        code = place.parent_code
        while code:
            parent = self.places[code]
            out.append(parent)
            code = parent.parent_code
        return out

    def mentions(self, text: str) -> list[tuple[int, int, list[Place]]]:
        """Every (start, end, places) where an alias occurs, longest alias first at each start."""
        found = []
        i = 0
        while i < len(text):
            for length in range(min(self._max_alias, len(text) - i), 1, -1):
                hit = self._aliases.get(text[i : i + length])
                if hit and _names_a_town(text, i + length, hit):
                    continue  # "石楼镇" is a town, not 石楼县; keep looking
                if hit:
                    found.append((i, i + length, hit))
                    i += length - 1
                    break
            i += 1
        return found

    def suggest(self, text: str, limit: int = 8) -> list[Place]:
        """Places whose name starts with, or whose full name contains, ``text`` (type-ahead):
        provinces and cities first, then counties, each group in code order."""
        text = text.strip()
        if not text:
            return []
        rank = {"province": 0, "city": 1, "county": 2}
        hits = [p for p in self.places.values() if p.name.startswith(text) or text in p.full_name]
        hits.sort(key=lambda p: (not p.name.startswith(text), rank.get(p.level, 3), p.code))
        return hits[:limit]

    def resolve(self, text: str) -> Place:
        """Resolve "贵州省黔东南州榕江县古州镇", "榕江县古州镇" or "榕江" to the most specific place.

        Raises PlaceNotFound when nothing matches and AmbiguousPlace when the text names
        several equally specific places that the rest of the text cannot tell apart.
        """
        clean = normalise_text(text)
        if not clean:
            raise PlaceNotFound("请填写地点（例如：榕江县）。")
        mentions = self.mentions(clean)
        if not mentions:
            raise PlaceNotFound(f"找不到地点“{text.strip()[:40]}”。请写县、市或省的名字，例如：榕江县。")
        best: list[tuple[tuple[int, int, int], Place]] = []
        for index, (start, end, hits) in enumerate(mentions):
            # Only other parts of the text can vouch for a place's province or city.
            others = {p.code for j, (_, _, h) in enumerate(mentions) if j != index for p in h}
            for place, support in _plausible(clean[start:end], hits, others, self.ancestors):
                # Most specific level first, then agreement with the rest of the text,
                # then the place named last (addresses go from large to small).
                best.append(((_LEVEL_RANK[place.level], support, end), place))
        best.sort(key=lambda item: item[0], reverse=True)
        top = _unique([p for key, p in best if key == best[0][0]])
        if len(top) > 1:
            raise AmbiguousPlace(text.strip(), top)
        return top[0]


def _plausible(
    written: str, hits: list[Place], others: set[str], ancestors: Callable[[Place], list[Place]]
) -> list[tuple[Place, int]]:
    """Of the places one mention could mean, those the text supports best.

    Keep the places whose province/city the rest of the text names; among those prefer an
    exact name ("西安区") over a stem, and for a bare stem ("西安", "吉林") the larger place,
    which is what people usually mean.
    """
    scored = [(p, sum(1 for a in ancestors(p) if a.code in others)) for p in hits]
    top_support = max(s for _, s in scored)
    scored = [(p, s) for p, s in scored if s == top_support]
    exact = [(p, s) for p, s in scored if p.name == written]
    if exact:
        return exact
    coarsest = min(_LEVEL_RANK[p.level] for p, _ in scored)
    return [(p, s) for p, s in scored if _LEVEL_RANK[p.level] == coarsest]


_TOWN_SUFFIX = ("镇", "乡", "村", "街道", "社区", "路", "街")


def _names_a_town(text: str, end: int, hits: list[Place]) -> bool:
    """A bare stem followed by 镇/乡/街道… names a town or street, not the county it resembles."""
    written_full = any(text[:end].endswith(p.name) for p in hits)
    return not written_full and text.startswith(_TOWN_SUFFIX, end)


def _unique(places: list[Place]) -> list[Place]:
    seen: dict[str, Place] = {}
    for p in places:
        seen.setdefault(p.code, p)
    return list(seen.values())


def _parent_code(code: str, level: str, codes: set[str]) -> str | None:
    if level == "province":
        return None
    city = code[:4] + "0" * 8
    if level == "county" and city in codes:
        return city
    province = code[:2] + "0" * 10
    return province if province in codes else None


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The gazetteer built from the installed cpca data, loaded once per process."""
    return Gazetteer.from_csv()
