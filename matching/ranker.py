"""Matcher v0: a hard reach filter, then dense + lexical + distance + pay + housing signals.

The weights below are hand-set starting values (documented in docs/ARCHITECTURE.md);
fitting them on labelled data is the matcher issue's work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from matching.documents import posting_text, query_text
from matching.explain import explain
from matching.geo import GeoIndex
from matching.lexical import LexicalIndex
from matching.types import Match, PostingDoc, Query

DEFAULT_WEIGHTS = {"dense": 0.45, "lexical": 0.35, "proximity": 0.12, "pay": 0.05, "housing": 0.03}
PROXIMITY_SCALE_KM = 30.0


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised vectors and names its model."""

    model_id: str

    def encode(self, texts: list[str]) -> np.ndarray: ...


class Matcher:
    """Ranks open postings for a worker's query and explains each match."""

    def __init__(self, embedder: Embedder, weights: dict[str, float] | None = None,
                 proximity_scale_km: float = PROXIMITY_SCALE_KM):
        self.embedder = embedder
        self.weights = weights
        self.proximity_scale_km = proximity_scale_km

    def fit(self, postings: Sequence[PostingDoc], vectors: np.ndarray | None = None) -> Matcher:
        """Index the postings; ``vectors`` (one row each) skips re-embedding stored postings."""
        self.postings_ = list(postings)
        texts = [posting_text(p) for p in self.postings_]
        if vectors is None:
            vectors = self.embedder.encode(texts)
        if len(vectors) != len(self.postings_):
            raise ValueError(f"{len(vectors)} vectors for {len(self.postings_)} postings")
        self.vectors_ = np.asarray(vectors, dtype=np.float32)
        self.lexical_ = LexicalIndex().fit(texts)
        nan = float("nan")
        self.geo_ = GeoIndex(np.array([p.lat if p.lat is not None else nan for p in self.postings_]),
                             np.array([p.lon if p.lon is not None else nan for p in self.postings_]))
        self.housing_ = np.array([p.housing for p in self.postings_], dtype=bool)
        self.housed_rows_ = np.intersect1d(np.flatnonzero(self.housing_), self.geo_.rows_)
        self.wage_top_ = np.array([float(p.wage_max or p.wage_min or "nan") for p in self.postings_])
        self.weights_ = dict(DEFAULT_WEIGHTS if self.weights is None else self.weights)
        return self

    def candidates(self, query: Query) -> np.ndarray:
        """Rows within reach: inside the radius, or anywhere with housing if the worker relocates."""
        if query.lat is None or query.lon is None:
            return np.arange(len(self.postings_))
        near = self.geo_.within(query.lat, query.lon, query.max_km or 0.0)
        if not query.will_relocate:
            return near
        return np.union1d(near, self.housed_rows_)

    def rank(self, query: Query, limit: int = 20) -> list[Match]:
        """The best ``limit`` postings within reach, best first, each with its reason."""
        rows = self.candidates(query)
        if not len(rows) or not query.text.strip():
            return []
        text = query_text(query.text)
        lexical_query = self.lexical_.encode(text)
        signals = self._signals(query, text, lexical_query, rows)
        score = np.zeros(len(rows))
        for name, weight in self.weights_.items():
            score += weight * signals[name]
        top = min(limit, len(rows))
        best = np.argpartition(-score, top - 1)[:top]
        order = best[np.lexsort((rows[best], -score[best]))]  # score, then row, for stable ties
        return [self._match(query, lexical_query, rows[i], float(score[i]),
                            {k: float(v[i]) for k, v in signals.items()}) for i in order]

    def _signals(self, query: Query, text: str, lexical_query: Any,
                 rows: np.ndarray) -> dict[str, np.ndarray]:
        qvec = self.embedder.encode([text])[0]
        if len(rows) * 4 > len(self.postings_):
            dense = (self.vectors_ @ qvec)[rows]  # one pass beats gathering most rows
        else:
            dense = self.vectors_[rows] @ qvec
        if query.lat is None or query.lon is None:
            distance = np.full(len(rows), np.nan)
            proximity = np.full(len(rows), 0.5)
        else:
            distance = self.geo_.distances(query.lat, query.lon, rows)
            proximity = np.exp(-distance / self.proximity_scale_km)
        return {"dense": dense, "lexical": self.lexical_.scores(lexical_query, rows),
                "proximity": proximity, "pay": _pay_fit(self.wage_top_[rows], query.wage_expectation),
                "housing": self.housing_[rows] * (1.0 if query.will_relocate else 0.5),
                "distance_km": distance}

    def _match(self, query: Query, lexical_query: Any, row: int, score: float,
               signals: dict[str, float]) -> Match:
        posting = self.postings_[row]
        distance = signals.pop("distance_km")
        distance_km = None if np.isnan(distance) else round(distance, 1)
        terms = self.lexical_.matched_terms(lexical_query, row)
        short = bool(query.wage_expectation and posting.wage_max
                     and posting.wage_max < query.wage_expectation)
        return Match(posting=posting, score=round(score, 4), distance_km=distance_km,
                     reason=explain(posting, distance_km, terms, short),
                     matched_terms=terms, signals=signals)


def _pay_fit(top: np.ndarray, expectation: int | None) -> np.ndarray:
    """1 where the top of the pay range meets the expectation, less in proportion; 0.5 unknown."""
    if not expectation:
        return np.full(len(top), 0.5)
    return np.where(np.isnan(top), 0.5, np.minimum(1.0, top / expectation))
