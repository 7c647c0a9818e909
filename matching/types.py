"""Plain data the matcher takes and gives."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from matching.occupations import Occupation


@dataclass(frozen=True, slots=True)
class PostingDoc:
    """What the matcher needs to know about one open posting.

    ``employment_type`` is one of full_time, part_time, day_labour, seasonal (or None);
    ``season_months`` the months (1-12) a seasonal or short job runs, if known; ``source_trust``
    who published it: "official" (a job bureau, 人社局; "bureau" is read the same), "employer",
    "aggregator"; ``sightings`` how many sources list it.
    """

    id: int | str
    title: str
    description: str = ""
    employer: str | None = None
    place_name: str | None = None
    lat: float | None = None
    lon: float | None = None
    wage_min: int | None = None
    wage_max: int | None = None
    housing: bool = False
    meals: bool = False
    employment_type: str | None = None
    posted_at: date | None = None
    valid_through: date | None = None
    season_months: tuple[int, ...] = ()
    source_trust: str | None = None
    sightings: int = 1


@dataclass(frozen=True, slots=True)
class Query:
    """A worker's words, home and reach; ``lat``/``lon`` None means no distance limit.

    ``employment_types``: the kinds of work wanted (empty: any); ``unavailable_months``: months
    (1-12) the worker cannot work, e.g. 农忙; ``today``: the date that posting ages are counted
    from (None: recency is neutral).
    """

    text: str
    lat: float | None = None
    lon: float | None = None
    max_km: float | None = None
    will_relocate: bool = False
    wage_expectation: int | None = None
    employment_types: tuple[str, ...] = ()
    unavailable_months: tuple[int, ...] = ()
    today: date | None = None


@dataclass(frozen=True, slots=True)
class WorkerDoc:
    """A worker as a vacancy sees them: own words, home, reach and pay expectation."""

    id: int | str
    description: str
    lat: float | None = None
    lon: float | None = None
    max_commute_km: float | None = None
    will_relocate: bool = False
    wage_expectation: int | None = None
    place_name: str | None = None
    employment_types: tuple[str, ...] = ()
    unavailable_months: tuple[int, ...] = ()

    def as_query(self, today: date | None = None) -> Query:
        """The same worker as a search query (``today`` dates the postings' ages)."""
        return Query(self.description, self.lat, self.lon, self.max_commute_km, self.will_relocate,
                     self.wage_expectation, tuple(self.employment_types), tuple(self.unavailable_months),
                     today)


@dataclass(frozen=True, slots=True)
class Match:
    """One ranked posting with the score, its parts and a plain-words reason."""

    posting: PostingDoc
    score: float
    distance_km: float | None
    reason: str
    matched_terms: tuple[str, ...] = ()
    signals: dict[str, float] = field(default_factory=dict)
    occupation: Occupation | None = None
    # The reason as (kind, words) parts (matching.explain.SHOWN kinds), for pages that show some
    # of them as facts of their own.
    reason_parts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class WorkerMatch:
    """One ranked worker for a vacancy, with the score, its parts and a plain-words reason."""

    worker: WorkerDoc
    score: float
    distance_km: float | None
    reason: str
    matched_terms: tuple[str, ...] = ()
    signals: dict[str, float] = field(default_factory=dict)
    occupation: Occupation | None = None


@dataclass(frozen=True, slots=True)
class Reach:
    """The open postings within a query's reach, counted: how many, how many house workers, and
    how many name each occupation first ((code, name) -> postings). A bureau reads it to help a
    worker who has no match (``web.services.bureau.no_match``)."""

    count: int
    housed: int
    first_occupations: dict[tuple[str, str], int]
