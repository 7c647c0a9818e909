"""Plain data the matcher takes and gives."""

from __future__ import annotations

from dataclasses import dataclass, field

from matching.occupations import Occupation


@dataclass(frozen=True, slots=True)
class PostingDoc:
    """What the matcher needs to know about one open posting."""

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


@dataclass(frozen=True, slots=True)
class Query:
    """A worker's words, home and reach; ``lat``/``lon`` None means no distance limit."""

    text: str
    lat: float | None = None
    lon: float | None = None
    max_km: float | None = None
    will_relocate: bool = False
    wage_expectation: int | None = None


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

    def as_query(self) -> Query:
        """The same worker as a search query."""
        return Query(self.description, self.lat, self.lon, self.max_commute_km, self.will_relocate,
                     self.wage_expectation)


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
