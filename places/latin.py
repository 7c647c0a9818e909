"""Place text in pinyin or English ("Rongjiang County", "Lele Town, Rongjiang") for the English site.

Each comma-separated part is matched by its pinyin key against the keys the generator
computed for every county, city, province and township; the parts' levels and the places
they name together pick one place, as the Chinese resolver does with the parts of a text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from places.gazetteer import _LEVEL_RANK, AmbiguousPlace, Place, PlaceNotFound, _unique
from places.town_names import LatinPart, latin_parts

if TYPE_CHECKING:
    from places.towns import TownGazetteer

_Matched = list[tuple[LatinPart, list[Place]]]


def resolve_latin(towns: TownGazetteer, text: str, context: list[Place]) -> Place:
    """The place that Latin-letter text names (see the module docstring); errors as the Chinese path."""
    matched = _match_parts(towns, latin_parts(text))
    admin = [(part, hits) for part, hits in matched if hits and hits[0].level != "town"]
    named_towns = [t for part, hits in matched if hits and hits[0].level == "town" for t in hits]
    if not admin and not named_towns:
        written = text.strip()[:40]
        raise PlaceNotFound(f"找不到地点“{written}”。请写县、市或省的名字，例如：Rongjiang County。")
    scope = _best_admin(towns, admin, context)
    inside = [t for t in named_towns if towns.within(t, scope or context)] if scope or context else []
    if not inside and not scope:
        inside = named_towns  # not in the context: unique in the country will do
    choice = _unique(inside) or scope
    if len(choice) > 1:
        raise AmbiguousPlace(text.strip(), sorted(choice, key=lambda p: p.code))
    return choice[0]


def _match_parts(towns: TownGazetteer, parts: list[LatinPart]) -> _Matched:
    """Each part with the places its key names; a part of several words that names nothing
    as a whole ("Rongjiang Guizhou") is tried word by word."""
    out: _Matched = []
    for part in parts:
        hits = _candidates(towns, part)
        if hits or len(part.words) < 2:
            out.append((part, hits))
            continue
        for word in part.words:
            single = LatinPart(word, None, (word,))
            out.append((single, _candidates(towns, single)))
    return out


def _candidates(towns: TownGazetteer, part: LatinPart) -> list[Place]:
    """The places a part can name: those of its level word's level; without one, the largest
    places of that name ("Rongjiang" is the county, not a township of the same sound)."""
    hits = towns.places_by_pinyin(part.key)
    if part.level == "city":  # "Kaili City" is a county-level city
        return [p for p in hits if p.level == "city" or (p.level == "county" and p.name.endswith("市"))]
    if part.level is not None:
        return [p for p in hits if p.level == part.level]
    admin = [p for p in hits if p.level != "town"]
    if not admin:
        return hits
    coarsest = min(_LEVEL_RANK[p.level] for p in admin)
    return [p for p in admin if _LEVEL_RANK[p.level] == coarsest]


def _best_admin(towns: TownGazetteer, admin: _Matched, context: list[Place]) -> list[Place]:
    """Of the county-level places the parts name, the most specific that the other parts
    (and the context) agree with best; several when they cannot be told apart."""
    scored: list[tuple[tuple[int, int], Place]] = []
    for index, (_, hits) in enumerate(admin):
        others = {p.code for j, (_, h) in enumerate(admin) if j != index for p in h}
        others |= {p.code for p in context}
        for place in hits:
            support = sum(1 for a in towns.ancestors(place) if a.code in others)
            scored.append(((support, _LEVEL_RANK[place.level]), place))
    if not scored:
        return []
    top = max(key for key, _ in scored)
    return _unique([p for key, p in scored if key == top])
