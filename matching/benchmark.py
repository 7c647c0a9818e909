"""Read a benchmark folder (``shared/benchmarks/README.md`` format) into matcher inputs."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from matching.types import PostingDoc, Query
from places import AmbiguousPlace, Gazetteer, PlaceNotFound, default_gazetteer


@dataclass(frozen=True)
class Benchmark:
    """Corpus, queries (by id) and graded relevance (> 0 only) of one benchmark."""

    name: str
    docs: list[PostingDoc]
    queries: dict[str, Query]
    qrels: dict[str, dict[str, int]]
    unresolved: list[str] = field(default_factory=list)

    def judged(self) -> list[str]:
        """Ids of the queries with at least one relevant document, in file order."""
        return [q for q in self.queries if self.qrels.get(q)]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """One JSON object per non-empty line."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """query-id → corpus-id → grade, keeping grades > 0 (a header line is skipped)."""
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            parts = line.rstrip("\n").split("\t")
            if (i == 0 and parts[0] == "query-id") or len(parts) < 3:
                continue
            if int(parts[2]) > 0:
                qrels[parts[0]][parts[1]] = int(parts[2])
    return dict(qrels)


def _coordinates(row: dict[str, Any], gazetteer: Gazetteer) -> tuple[float | None, float | None, bool]:
    """(lat, lon, unresolved): the row's own coordinates, else its place through the gazetteer."""
    if row.get("lat") is not None and row.get("lon") is not None:
        return float(row["lat"]), float(row["lon"]), False
    if not row.get("place"):
        return None, None, False
    try:
        place = gazetteer.resolve(str(row["place"]))
    except (PlaceNotFound, AmbiguousPlace):
        return None, None, True
    return place.lat, place.lon, False


def to_posting(row: dict[str, Any], gazetteer: Gazetteer) -> PostingDoc:
    """A corpus line as the matcher's posting."""
    lat, lon, _ = _coordinates(row, gazetteer)
    return PostingDoc(id=str(row["_id"]), title=row.get("title") or "", description=row.get("text") or "",
                      place_name=row.get("place"), lat=lat, lon=lon, wage_min=row.get("wage_min"),
                      wage_max=row.get("wage_max"), housing=bool(row.get("housing", False)),
                      employment_type=row.get("employment_type"),
                      # Optional employment terms (the rural set has them; the shared sets do not).
                      posted_at=_day(row.get("posted_at")), valid_through=_day(row.get("valid_through")),
                      season_months=tuple(row.get("season_months") or ()),
                      source_trust=row.get("source_trust"), sightings=int(row.get("sightings") or 1))


def to_query(row: dict[str, Any], gazetteer: Gazetteer) -> tuple[Query, bool]:
    """A query line as the matcher's query (and whether its place could not be resolved)."""
    lat, lon, unresolved = _coordinates(row, gazetteer)
    km = row.get("max_commute_km")
    return Query(text=row.get("text") or "", lat=lat, lon=lon, max_km=None if km is None else float(km),
                 will_relocate=bool(row.get("will_relocate", False)),
                 wage_expectation=row.get("wage_min"),
                 employment_types=tuple(row.get("employment_types") or ()),
                 unavailable_months=tuple(row.get("unavailable_months") or ()),
                 today=_day(row.get("today"))), unresolved


def _day(text: Any) -> date | None:
    """An ISO date field, or None."""
    return date.fromisoformat(str(text)) if text else None


def load_benchmark(folder: Path, qrels_file: str = "test.tsv",
                   gazetteer: Gazetteer | None = None) -> Benchmark:
    """Corpus, queries and qrels of a benchmark folder; places resolved with the gazetteer."""
    folder = Path(folder)
    corpus, rows = read_jsonl(folder / "corpus.jsonl"), read_jsonl(folder / "queries.jsonl")
    places = gazetteer or default_gazetteer()
    queries, unresolved = {}, []
    for row in rows:
        queries[str(row["_id"])], missing = to_query(row, places)
        if missing:
            unresolved.append(str(row["_id"]))
    return Benchmark(folder.name, [to_posting(r, places) for r in corpus], queries,
                     read_qrels(folder / "qrels" / qrels_file), unresolved)
