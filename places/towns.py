"""Places down to the township (乡镇/街道), on top of the county-level ``Gazetteer``.

The townships come from ``places/data/towns.csv.gz``, derived from Vonng/adcode (CC BY 4.0,
see ``places/data/TOWNS-LICENSE.md``) by ``scripts/make_towns.py``: 2016-era township codes,
each under the county code the gazetteer uses today, with the township's own centre where the
source has one. ``TownGazetteer.resolve_place`` returns a ``Resolution``: the most specific
place the text names, the coordinates to use, and their ``precision``, so that a distance
from a county centre can say so. The county-level ``Gazetteer`` is wrapped, never changed.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from places.gazetteer import (
    AmbiguousPlace,
    Gazetteer,
    Place,
    PlaceNotFound,
    _unique,
    default_gazetteer,
    normalise_text,
)
from places.town_names import is_latin, town_forms, town_stem

DATA_DIR = Path(__file__).with_name("data")
TOWNS_PATH = DATA_DIR / "towns.csv.gz"
PINYIN_PATH = DATA_DIR / "places_pinyin.csv.gz"
PRECISIONS = ("province", "city", "county", "town")
_ROAD = ("路", "街", "大道", "大街", "巷", "道", "桥", "站")


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a place text resolved to.

    ``place`` is the most specific place named (a township is a ``Place`` with level "town").
    ``lat``/``lon`` are the coordinates to measure from and ``precision`` says what they are
    the centre of: "town" only when the township's own centre is known; a township without
    one is placed at its county's centre with precision "county".
    """

    place: Place
    precision: str
    lat: float
    lon: float

    @property
    def code(self) -> str:
        """The place's administrative code (2016-era for townships)."""
        return self.place.code

    @property
    def full_name(self) -> str:
        """Province … county [township], as one string."""
        return self.place.full_name


def read_gzip_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a gzipped UTF-8 CSV file with a header."""
    with gzip.open(path, "rb") as fh:
        return list(csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8", newline="")))


class TownGazetteer:
    """Townships under a county-level ``Gazetteer``, and a resolver down to them."""

    def __init__(self, base: Gazetteer, towns: Iterable[tuple[Place, bool]], pinyin: dict[str, str]):
        """``towns``: (township, has its own centre); ``pinyin``: code -> pinyin key of its name."""
        self.base = base
        self.towns: dict[str, Place] = {}
        self._own_centre: set[str] = set()
        self._forms: dict[str, list[Place]] = defaultdict(list)
        self._by_county: dict[str, list[Place]] = defaultdict(list)
        for town, own in towns:
            self.towns[town.code] = town
            if own:
                self._own_centre.add(town.code)
            for form in town_forms(town.name):
                self._forms[form].append(town)
            self._by_county[town.parent_code or ""].append(town)
        self._max_form = max((len(f) for f in self._forms), default=0)
        self.pinyin = pinyin
        self._by_pinyin: dict[str, list[Place]] = defaultdict(list)
        for code, key in pinyin.items():
            place = self.get(code)
            if place is not None and key:
                self._by_pinyin[key].append(place)

    @classmethod
    def from_files(cls, base: Gazetteer, towns_path: Path = TOWNS_PATH,
                   pinyin_path: Path = PINYIN_PATH) -> TownGazetteer:
        """Build from the package's township and pinyin files over ``base``.

        A township without its own centre carries its county's coordinates, so that every
        ``Place`` is whole; ``has_own_centre`` and ``Resolution.precision`` say which it is.
        """
        towns: list[tuple[Place, bool]] = []
        pinyin = {r["code"]: r["pinyin"] for r in read_gzip_csv(pinyin_path)}
        for row in read_gzip_csv(towns_path):
            parent = base.places[row["county"]]
            own = bool(row["lat"] and row["lng"])
            lat, lon = (float(row["lat"]), float(row["lng"])) if own else (parent.lat, parent.lon)
            towns.append((Place(row["code"], row["name"], "town", parent.code, lat, lon,
                                parent.full_name + row["name"]), own))
            pinyin[row["code"]] = row["pinyin"]
        return cls(base, towns, pinyin)

    def get(self, code: str) -> Place | None:
        """The township, county, city or province with this code, if known."""
        return self.towns.get(code) or self.base.get(code)

    def towns_in(self, code: str) -> list[Place]:
        """The townships directly under a county (or a city without counties), in code order."""
        return list(self._by_county.get(code, []))

    def places_by_pinyin(self, key: str) -> list[Place]:
        """The places (any level) whose name's pinyin key is ``key`` ("rongjiang")."""
        return list(self._by_pinyin.get(key, []))

    def has_own_centre(self, town: Place) -> bool:
        """Whether the township's coordinates are its own (not its county's)."""
        return town.code in self._own_centre

    def ancestors(self, place: Place) -> list[Place]:
        """County, city, province above a place (township or larger)."""
        return self.base.ancestors(place)

    def resolution(self, place: Place) -> Resolution:
        """The coordinates to use for a place and what they are the centre of."""
        if place.level != "town" or self.has_own_centre(place):
            return Resolution(place, place.level, place.lat, place.lon)
        county = self.base.places[place.parent_code or ""]
        return Resolution(place, county.level, county.lat, county.lon)

    def resolve_place(self, text: str, context: Place | str | None = None) -> Resolution:
        """Resolve "贵州省榕江县乐里镇", "古州镇", "榕江乐里" or "Leli Town, Rongjiang" down to the township.

        ``context`` (a place, its code or its text), e.g. the county a form is for, is where a
        township named alone is looked for first; otherwise the whole country. Raises
        ``PlaceNotFound`` when nothing matches and ``AmbiguousPlace`` (candidates with their
        full names) when the text names several places equally well.
        """
        clean = normalise_text(text)
        if not clean:
            raise PlaceNotFound("请填写地点（例如：榕江县）。")
        scope = self._context(context)
        if is_latin(clean):
            from places.latin import resolve_latin

            return self.resolution(resolve_latin(self, text, scope))
        return self.resolution(self._resolve_hanzi(text, clean, scope))

    def _context(self, context: Place | str | None) -> list[Place]:
        if context is None or isinstance(context, Place):
            return [context] if context else []
        known = self.get(context)
        if known is not None:
            return [known]
        try:
            return [self.resolve_place(context).place]
        except (PlaceNotFound, AmbiguousPlace):
            return []

    def within(self, place: Place, scope: list[Place]) -> bool:
        """Whether a place is one of, or lies inside one of, the scope's places."""
        codes = {p.code for p in scope}
        return place.code in codes or any(a.code in codes for a in self.ancestors(place))

    def admin_scope(self, text: str) -> list[Place]:
        """The county-level places a text names: one, the ambiguous candidates, or none."""
        try:
            return [self.base.resolve(text)]
        except AmbiguousPlace as err:
            return err.candidates
        except PlaceNotFound:
            return []

    def _resolve_hanzi(self, text: str, clean: str, context: list[Place]) -> Place:
        towns = self._named_towns(clean, context)
        if len(towns) > 1:
            raise AmbiguousPlace(text.strip(), sorted(towns, key=lambda p: p.code))
        if towns:
            return towns[0]
        after_county = self._towns_by_stem(clean)
        if len(after_county) == 1:
            return after_county[0]  # "榕江乐里", "榕江平江" (平江镇, not 平江县)
        home = next((p for p in context if p.level == "county"), None)
        at_home = self._towns_by_stem(clean, home) if home is not None else []
        try:
            place = self.base.resolve(text)  # the county-level answer, errors and all, as before
        except PlaceNotFound:
            if len(at_home) == 1:
                return at_home[0]  # "乐里" on a form for 榕江县
            raise
        if len(at_home) == 1 and home is not None:
            if self.within(place, [home]) or self.within(home, [place]):
                return at_home[0]
            raise AmbiguousPlace(text.strip(), [place, at_home[0]])  # "平江": 平江县, or 榕江县平江镇?
        return place

    def _named_towns(self, clean: str, context: list[Place]) -> list[Place]:
        """Townships written with their kind ("古州镇", "三江乡") that fit the rest of the text.

        A township must lie inside the places the rest of the text names; with none named,
        inside the context if any there fit, else anywhere in the country.
        """
        found: list[Place] = []
        covered: list[tuple[int, int]] = []
        for start, end, hits in self._town_mentions(clean):
            if any(s <= start and end <= e for s, e in covered):
                continue  # part of a longer township name already taken
            scope = self.admin_scope(clean[:start] + "#" + clean[end:])
            inside = [t for t in hits if self.within(t, scope or context)] if scope or context else hits
            if not inside and not scope:
                inside = hits  # not in the context: unique in the country will do
            if inside:
                found.extend(inside)
                covered.append((start, end))
        return _unique(found)

    def _town_mentions(self, clean: str) -> list[tuple[int, int, list[Place]]]:
        """Every (start, end, townships) where a township's name occurs, longest first."""
        out = []
        for start in range(len(clean)):
            for end in range(start + 2, min(len(clean), start + self._max_form) + 1):
                hits = self._forms.get(clean[start:end])
                if hits and not clean.startswith(_ROAD, end):  # "新镇路" is a road, not 新镇
                    out.append((start, end, hits))
        out.sort(key=lambda m: m[0] - m[1])
        return out

    def _towns_by_stem(self, clean: str, home: Place | None = None) -> list[Place]:
        """Townships written by their bare stem ("乐里" for 乐里镇) right after their county's name
        ("榕江乐里"), or, given ``home``, a township of that county at the start of the text."""
        places = [(end, county) for _, end, hits in self.base.mentions(clean)
                  for county in hits if county.level == "county"] if home is None else [(0, home)]
        found: list[tuple[int, Place]] = []
        for end, county in places:
            for town in self.towns_in(county.code):
                stem = town_stem(town.name)
                if stem and clean.startswith(stem, end) and not _names_a_road(clean, end + len(stem)):
                    found.append((len(stem), town))
        longest = max((n for n, _ in found), default=0)
        return _unique([t for n, t in found if n == longest])


def _names_a_road(clean: str, end: int) -> bool:
    """Whether the name ending at ``end`` is part of a road's ("乐里路", "古州镇路")."""
    if clean.startswith(("镇", "乡"), end):
        end += 1
    return clean.startswith(_ROAD, end)


@lru_cache(maxsize=1)
def default_town_gazetteer() -> TownGazetteer:
    """The township gazetteer over ``default_gazetteer()``, loaded once per process."""
    return TownGazetteer.from_files(default_gazetteer())
