"""A worker's search: resolve home, build the query, rank with the shared matcher."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from sqlalchemy.orm import Session

from jobs_ingest.clock import china_today
from matching.explain import format_wage
from matching.types import Match, Query
from places import AmbiguousPlace, PlaceNotFound


class SearchError(ValueError):
    """Input that cannot be searched; ``field`` names the form field to mark."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class SearchResult:
    """Ranked matches and the home they were measured from."""

    matches: list[Match]
    home: str | None


def match_worker(session: Session, runtime: Any, params: dict[str, Any]) -> SearchResult:
    """Rank open postings for validated search parameters (see schemas.MatchQuery)."""
    lat, lon, home = params.get("lat"), params.get("lon"), None
    place_text = (params.get("place") or "").strip()
    if place_text:
        try:
            place = runtime.gazetteer.resolve(place_text)
        except PlaceNotFound as exc:
            raise SearchError("place", _place_not_found(place_text)) from exc
        except AmbiguousPlace as exc:
            names = "、".join(c.full_name for c in exc.candidates[:5])
            raise SearchError("place", gettext(
                "“%(text)s”可能是：%(names)s。请写得更具体一些（加上省或市）。",
                text=place_text[:40], names=names)) from exc
        home = place.full_name
        if lat is None:
            lat, lon = place.lat, place.lon
    query = Query(text=params["q"], lat=lat, lon=lon, max_km=float(params["km"]),
                  will_relocate=bool(params.get("relocate")),
                  wage_expectation=params.get("wage"), today=china_today())
    matches = runtime.matcher(session).rank(query, limit=int(params.get("limit") or 20),
                                            lang=str(params.get("lang") or "zh"))
    return SearchResult(matches=matches, home=home)




def _place_not_found(text: str) -> str:
    return gettext("找不到地点“%(text)s”。请写县、市或省的名字，例如：榕江县。", text=text[:40])


def match_to_dict(match: Match, lang: str = "zh") -> dict[str, Any]:
    """The fixed JSON shape of one match (other tools rely on it); pay in words in ``lang``."""
    p = match.posting
    return {"id": p.id, "title": p.title, "employer": p.employer, "place": p.place_name,
            "distance_km": match.distance_km, "wage_min": p.wage_min, "wage_max": p.wage_max,
            "wage": format_wage(p.wage_min, p.wage_max, lang), "housing": p.housing, "meals": p.meals,
            "score": match.score, "reason": match.reason, "matched_terms": list(match.matched_terms)}
