"""Matcher: a hard reach filter, then dense, lexical, occupation, distance, pay and housing signals.

The signals and their fitted weights are documented in ``matching.signals``. The index is
incremental: ``add`` and ``remove`` change it without re-reading the other postings, and cost
(amortised) what they add or remove, not what the index holds: every per-row array lives in a
growable buffer (``matching.growable``) and the attributes are views of its used part.

What stays proportional to the index, and when it runs:
- the lexical IDF refresh (``LexicalIndex.refresh``: new IDF weights, row norms and posting lists,
  one vectorised pass over the stored term counts), lazily before the first query after a change;
  every IDF weight depends on how many postings are live, so any change moves them all;
- the housed view (``first_stage.housed_view``), rebuilt at a relocating query once the housed
  rows added or removed since its build exceed a share of it;
- the geo grid (``GeoIndex``), rebuilt when the rows added since exceed a share of it, and the
  list of housed rows, compacted when the removed ones exceed a share of it (both amortised);
- a buffer that runs out of room is copied into one twice as large (amortised).

Very large candidate sets (a worker who relocates reaches every posting with housing) are first
shortlisted by a fused, approximate score (``matching.first_stage``), and only the best
``shortlist`` candidates get the exact signals; smaller sets (a commute radius) get the exact
signals directly. The query side (occupations, the lexical row) is cached by text, and BLAS runs
on one thread while a query is scored (``matching.serving``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

import numpy as np
import sklearn

from matching import first_stage
from matching import signals as sig
from matching.documents import posting_text, query_text
from matching.explain import explain_parts, join_parts
from matching.first_stage import HousedView, QuerySide
from matching.geo import GeoIndex, spatial_order
from matching.growable import Rows
from matching.lexical import LexicalIndex, script_shares
from matching.occupation_vectors import use_part
from matching.occupations import Occupation, OccupationIndex, default_occupation_index, predict_unique
from matching.serving import TextCache, one_blas_thread
from matching.sketch import FULL_PASS_SHARE, Sketch
from matching.types import Match, PostingDoc, Query, Reach, WorkerDoc, WorkerMatch

DEFAULT_WEIGHTS = sig.DEFAULT_WEIGHTS
PROXIMITY_SCALE_KM = sig.PROXIMITY_SCALE_KM
# Above FIRST_STAGE_FROM × this many candidates, ``rank`` shortlists this many of them by a first
# stage with approximate dense cosines and the cheap signals (``matching.first_stage``), and
# computes the exact signals for the shortlist only. Up to that, every candidate gets the exact
# signals: the first stage would read each of them too, and at 1,000,000 postings reading the exact
# vectors of 2,000 to about 7,000 candidates cost no more than the first stage plus the exact 2,000
# (measured).
SHORTLIST = 2000
FIRST_STAGE_FROM = 3
QUERY_CACHE = 1024  # query texts whose vector, occupations and lexical row are kept (least recently used go)
# ``housed_rows_`` keeps removed rows (queries skip them) until they exceed this share of it.
HOUSED_COMPACT_SHARE = 0.125
HOUSED_COMPACT_MIN = 1024
# The per-row arrays and their element types (two-dimensional ones: True).
ROW_ARRAYS = {"live_": (bool, False), "vectors_": (np.float32, True), "block_norms_": (np.float32, True),
              "arrival_": (np.int64, False), "scripts_": (float, True), "housing_": (bool, False),
              "housed_rows_": (np.int64, False), "wage_top_": (float, False), "type_code_": (np.int8, False),
              "job_months_": (np.int16, False), "posted_days_": (float, False), "trust_": (float, False)}


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised vectors and names its model."""

    model_id: str

    def encode(self, texts: list[str]) -> np.ndarray:
        """One vector per text (blocks, if the embedder has ``blocks``, each L2-normalised)."""
        ...


@dataclass(frozen=True)
class Scored:
    """Every candidate of one query: rows, scores, signals, and what explains them."""

    query: Query
    rows: np.ndarray
    scores: np.ndarray
    signals: dict[str, np.ndarray]
    lexical_query: Any
    occupations: tuple[Occupation, ...]
    arrival: np.ndarray  # per row, when its posting arrived: breaks ties

    def order(self, limit: int | None = None) -> np.ndarray:
        """Positions of the best ``limit`` candidates (all if None): score, then arrival, for stable
        ties that do not depend on how the rows are stored."""
        top = len(self.rows) if limit is None else min(limit, len(self.rows))
        if top == 0:
            return np.empty(0, dtype=int)
        best = np.argpartition(-self.scores, top - 1)[:top] if top < len(self.rows) else np.arange(top)
        return best[np.lexsort((self.arrival[best], -self.scores[best]))]


class Matcher:
    """Ranks open postings for a worker's query and explains each match."""

    # Views of the used part of growable buffers (``ROW_ARRAYS``), one entry per row.
    live_: np.ndarray
    vectors_: np.ndarray
    block_norms_: np.ndarray
    arrival_: np.ndarray
    scripts_: np.ndarray
    housing_: np.ndarray
    housed_rows_: np.ndarray  # housed, located rows in order; removed ones until compacted
    wage_top_: np.ndarray
    type_code_: np.ndarray
    job_months_: np.ndarray
    posted_days_: np.ndarray
    trust_: np.ndarray

    def __init__(self, embedder: Embedder, weights: dict[str, float] | None = None,
                 intercept: float | None = None, proximity_scale_km: float = PROXIMITY_SCALE_KM,
                 occupations: OccupationIndex | None = None, shortlist: int | None = SHORTLIST):
        self.embedder = embedder
        self.shortlist = shortlist
        self.weights = weights
        self.intercept = intercept
        self.proximity_scale_km = proximity_scale_km
        self.occupations = occupations

    def fit(self, postings: Sequence[PostingDoc], vectors: np.ndarray | None = None) -> Matcher:
        """Index the postings; ``vectors`` (one row each) skips re-embedding stored postings.

        Rows are stored in grid-cell order (``geo.spatial_order``), so that the candidates of a
        commute radius sit in a few contiguous runs of memory: gathering their vectors and facts
        then streams instead of jumping across the whole index. Postings added later go to the end.
        """
        order = spatial_order(*_coordinates(postings))
        postings = [postings[i] for i in order]
        if vectors is not None and len(vectors) == len(order):  # a wrong count fails in ``add``
            vectors = np.asarray(vectors)[order]
        self.weights_ = dict(DEFAULT_WEIGHTS if self.weights is None else self.weights)
        self.intercept_ = sig.INTERCEPT if self.intercept is None else self.intercept
        self.occupation_index_ = self.occupations or default_occupation_index()
        blocks = getattr(self.embedder, "blocks", None) or []
        self.edges_ = list(np.cumsum([0] + [w for _, w in blocks])) if blocks else None
        self.postings_: list[PostingDoc] = []
        self.row_of_: dict[int | str, int] = {}
        self._store = {name: Rows(dtype, columns) for name, (dtype, columns) in ROW_ARRAYS.items()}
        for name, rows in self._store.items():
            setattr(self, name, rows.view)
        self._housed_dead = 0  # removed rows still listed in housed_rows_
        self.lexical_ = LexicalIndex().fit([])
        self.occupation_table_ = sig.OccupationTable()
        self.geo_ = GeoIndex(np.zeros(0), np.zeros(0))
        self.sketch_: Sketch | None = None
        self.housed_view_: HousedView | None = None
        self._vector_cache = TextCache(QUERY_CACHE)
        self._occupation_cache = TextCache(QUERY_CACHE)
        self._lexical_cache = TextCache(QUERY_CACHE)
        self.add(postings, vectors)
        self.arrival_[:] = order  # as if added in the order given
        self.lexical_.refresh()  # later adds and removes refresh lazily, at the next query
        if self.sketch_ is not None:
            first_stage.housed_view(self)
        return self

    def _extend(self, name: str, values: Any) -> None:
        """Append rows to a per-row array (amortised: the rows given) and re-read its view."""
        setattr(self, name, self._store[name].extend(values))

    def add(self, postings: Sequence[PostingDoc], vectors: np.ndarray | None = None) -> Matcher:
        """Index more postings (a known id replaces the old posting).

        Costs what is added (amortised), not what the index holds: see the module docstring for
        the parts that are recomputed over every row, and when.
        """
        postings = list(postings)
        known = [p.id for p in postings if p.id in self.row_of_]
        if known:
            self.remove(known)
        texts = [posting_text(p) for p in postings]
        if vectors is None:
            vectors = self.embedder.encode(texts) if texts else None
        if vectors is not None and len(vectors) != len(postings):
            raise ValueError(f"{len(vectors)} vectors for {len(postings)} postings")
        if vectors is not None and len(vectors):
            vectors = np.asarray(vectors, dtype=np.float32)
            self._extend("vectors_", vectors)
            self._extend("block_norms_", sig.block_norms(vectors, self.edges_ or [0, vectors.shape[1]]))
            self._grow_sketch(vectors)
        start = len(self.postings_)
        self.postings_.extend(postings)
        self.row_of_.update({p.id: start + i for i, p in enumerate(postings)})
        self._extend("live_", np.ones(len(postings), dtype=bool))
        self._extend("arrival_", start + np.arange(len(postings), dtype=np.int64))
        self.lexical_.add(texts)
        self.occupation_table_.add(predict_unique(self.occupation_index_, [p.title for p in postings]))
        lats, lons = _coordinates(postings)
        self.geo_.add(lats, lons)
        self._extend("scripts_", np.array([script_shares(t) for t in texts]).reshape(-1, 2))
        housing = np.array([p.housing for p in postings], dtype=bool)
        self._extend("housing_", housing)
        self._extend("wage_top_", [float(p.wage_max or p.wage_min or "nan") for p in postings])
        self._append_terms(postings)
        located = ~(np.isnan(lats) | np.isnan(lons))  # the rows the geo index holds
        self._extend("housed_rows_", start + np.flatnonzero(housing & located))
        return self

    def remove(self, ids: Sequence[int | str]) -> Matcher:
        """Drop postings by id (unknown ids are ignored); they never match again."""
        rows = np.array([self.row_of_.pop(i) for i in ids if i in self.row_of_], dtype=int)
        if len(rows):
            self.live_[rows] = False
            self.lexical_.remove(rows)
            self._forget_housed(rows)
            view = self.housed_view_
            if view is not None:
                at = np.minimum(np.searchsorted(view.facts.rows, rows), max(len(view.facts.rows) - 1, 0))
                at = at[view.facts.rows[at] == rows] if len(view.facts.rows) else at[:0]
                view.dead += int(view.alive[at].sum())
                view.alive[at] = False
        return self

    def _forget_housed(self, rows: np.ndarray) -> None:
        """Count removed rows in ``housed_rows_`` (queries skip them by ``live_``); compact the list
        once they exceed ``HOUSED_COMPACT_SHARE`` of it (amortised: the rows removed)."""
        self._housed_dead += int(np.count_nonzero(self.housing_[rows]
                                                  & self.geo_.located(rows)))
        listed = len(self.housed_rows_)
        if self._housed_dead > max(HOUSED_COMPACT_MIN, HOUSED_COMPACT_SHARE * listed):
            kept = self.housed_rows_[self.live_[self.housed_rows_]]
            self._store["housed_rows_"] = Rows(np.int64)
            self._extend("housed_rows_", kept)
            self._housed_dead = 0

    def _append_terms(self, postings: Sequence[PostingDoc]) -> None:
        """The per-row facts behind the employment type, availability, recency and trust signals."""
        self._extend("type_code_", [sig.type_code(p.employment_type) for p in postings])
        self._extend("job_months_", [sig.job_months(p.season_months, p.posted_at, p.valid_through,
                                                    p.employment_type) for p in postings])
        self._extend("posted_days_", [sig.day_number(p.posted_at) for p in postings])
        self._extend("trust_", [sig.trust(p.source_trust, p.sightings) for p in postings])

    def _grow_sketch(self, vectors: np.ndarray) -> None:
        """Keep the first-stage sketch in step with the vectors, once there are enough to need it."""
        if self.sketch_ is not None:
            self.sketch_.add(vectors)
        elif self.shortlist is not None and len(self.vectors_) > self.shortlist:
            self.sketch_ = Sketch(self.edges_ or [0, self.vectors_.shape[1]]).fit(self.vectors_)

    def live_housed(self) -> np.ndarray:
        """The live rows with housing and coordinates, sorted (``housed_rows_`` less removed rows)."""
        rows = self.housed_rows_
        return rows[self.live_[rows]] if self._housed_dead else rows

    @property
    def size(self) -> int:
        """How many postings are live."""
        return int(self.live_.sum())

    def candidates(self, query: Query) -> np.ndarray:
        """Rows within reach: inside the radius, or anywhere with housing if the worker relocates."""
        if query.lat is None or query.lon is None or query.max_km is None:
            return np.flatnonzero(self.live_)  # no home or no radius: no distance limit
        near = self._near(query)
        if not query.will_relocate:
            return near
        reach = np.zeros(len(self.live_), dtype=bool)  # a mask: cheaper than union1d's sort
        reach[self.housed_rows_] = True
        if self._housed_dead:
            reach &= self.live_
        reach[near] = True
        return np.flatnonzero(reach)

    def reach(self, query: Query) -> Reach:
        """The postings within the query's reach, counted (``types.Reach``)."""
        rows = self.candidates(query)
        first: dict[tuple[str, str], int] = {}
        for row in rows.tolist():
            for o in self.occupation_table_.rows_[row][:1]:
                first[(o.code, o.name)] = first.get((o.code, o.name), 0) + 1
        return Reach(count=len(rows), housed=int(self.housing_[rows].sum()), first_occupations=first)

    def _near(self, query: Query) -> np.ndarray:
        assert query.lat is not None and query.lon is not None
        near = self.geo_.within(query.lat, query.lon, query.max_km or 0.0)
        return near[self.live_[near]]

    def _split_candidates(self, query: Query) -> tuple[HousedView, np.ndarray] | None:
        """A relocating query's candidates as the housed view plus the other rows (sorted), or None
        where there is no view (no home or radius, or no sketch): ``candidates`` then says."""
        if (not query.will_relocate or query.lat is None or query.lon is None or query.max_km is None
                or self.sketch_ is None):
            return None
        view = first_stage.housed_view(self)
        near = self._near(query)
        tail = self.housed_rows_[np.searchsorted(self.housed_rows_, view.end):]  # housed, added since
        tail = tail[self.live_[tail]]
        others = near[~self.housing_[near]]
        if len(tail):
            others = np.union1d(others, tail)
        return view, others

    def use_part(self, vectors: np.ndarray) -> np.ndarray | None:
        """The USE block of query vectors, which the occupation index also reads (None when the
        model has no USE block: the index then reads characters only)."""
        return use_part(vectors, getattr(self.embedder, "blocks", None))

    def encode_queries(self, queries: Sequence[Query]) -> np.ndarray:
        """The query vectors, in one batch."""
        return self.embedder.encode([query_text(q.text) for q in queries])

    def score(self, query: Query, vector: np.ndarray | None = None) -> Scored:
        """Scores and signals of every candidate within reach (unordered)."""
        with one_blas_thread():
            return self._score(query, vector, None)

    def rank(self, query: Query, limit: int = 20, vector: np.ndarray | None = None,
             lang: str = "zh") -> list[Match]:
        """The best ``limit`` postings within reach, best first, each with its reason.

        Over ``FIRST_STAGE_FROM`` × ``shortlist`` candidates, only the best ``shortlist`` by a
        first-stage score (see ``_shortlist``) get exact signals; up to that, every one does.
        """
        keep = None if self.shortlist is None else max(self.shortlist, limit)
        with one_blas_thread():
            scored = self._score(query, vector, keep)
        return self._matches(scored, scored.order(limit), lang)

    def _score(self, query: Query, vector: np.ndarray | None, keep: int | None) -> Scored:
        text = query_text(query.text)
        split = self._split_candidates(query) if keep is not None else None
        if split is not None:
            view, others = split
            rows = None
            count = len(view.alive) - view.dead + len(others)
        else:
            rows = self.candidates(query)
            count = len(rows)
        if not count or not text or not len(self.vectors_):
            none = np.zeros(0, dtype=np.int64)
            return Scored(query, none, np.zeros(0), {}, None, (), none)
        side = self._query_side(text, vector)
        if keep is not None and count > FIRST_STAGE_FROM * keep and self.sketch_ is not None:
            rows = self._shortlist(query, side, rows, split, keep)
        elif rows is None:
            assert split is not None
            view, others = split
            housed = view.facts.rows if not view.dead else view.facts.rows[view.alive]
            rows = np.union1d(housed, others)
        signals = self._signals(query, side, rows)
        features = {k: v for k, v in signals.items() if k in self.weights_}
        return Scored(query, rows, sig.combine(features, self.weights_, self.intercept_), signals,
                      side.lexical, side.occupations, self.arrival_[rows])

    def _query_side(self, text: str, vector: np.ndarray | None) -> QuerySide:
        """The query's vector, lexical row and occupations, each cached by text.

        Embedding is most of a query's CPU time, and the same texts come again and again (the
        home page's ready-made searches, common phrasings, a profile's daily matches).
        """
        if vector is None:
            vector = self._vector_cache.get(text)
        if vector is None:
            vector = np.array(self.embedder.encode([text])[0])
            vector.setflags(write=False)  # shared by every later query with this text
            self._vector_cache.put(text, vector)
        occupations = self._occupation_cache.get(text)
        if occupations is None:
            with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):  # one text
                occupations = self.occupation_index_.predict([text], vectors=self.use_part(vector))[0]
            self._occupation_cache.put(text, occupations)
        self.lexical_.refresh()
        cached = self._lexical_cache.get(text)
        if cached is None or cached[0] != self.lexical_.generation_:  # the IDF changed since
            cached = (self.lexical_.generation_, self.lexical_.encode(text))
            self._lexical_cache.put(text, cached)
        return QuerySide(text, np.asarray(vector), cached[1], occupations, script_shares(text))

    def _shortlist(self, query: Query, side: QuerySide, rows: np.ndarray | None,
                   split: tuple[HousedView, np.ndarray] | None, keep: int) -> np.ndarray:
        """The ``keep`` best candidates by the first-stage score (sketched dense cosines).

        Every other signal is exact or nearly so, so a posting is missed only when the sketch
        underrates its cosines by more than the margin between it and the ``keep``-th candidate.
        """
        assert self.sketch_ is not None
        side.parts = self.sketch_.query_parts(side.vector)
        if split is not None:
            view, others = split
            housed = first_stage.scores(self, query, side, view.facts)
            if view.dead:
                housed[~view.alive] = -np.inf
            rest = first_stage.scores(self, query, side, first_stage.row_facts(self, others))
            rows, scores = np.concatenate([view.facts.rows, others]), np.concatenate([housed, rest])
        elif rows is None:
            raise ValueError("a shortlist needs the candidate rows or the housed split")
        elif len(rows) * FULL_PASS_SHARE > len(self.live_):  # one pass, no gathering
            scores = first_stage.scores(self, query, side, first_stage.all_facts(self))[rows]
        else:
            scores = first_stage.scores(self, query, side, first_stage.row_facts(self, rows))
        return np.sort(rows[np.argpartition(-scores, keep - 1)[:keep]])

    def rank_many(self, queries: Sequence[Query], limit: int = 20,
                  vectors: np.ndarray | None = None, lang: str = "zh") -> list[list[Match]]:
        """``rank`` for many queries, embedding them in one batch."""
        vectors = self.encode_queries(queries) if vectors is None else vectors
        return [self.rank(q, limit, v, lang) for q, v in zip(queries, vectors, strict=True)]

    def rank_workers(self, posting: PostingDoc, workers: Sequence[WorkerDoc], limit: int = 20,
                     vectors: np.ndarray | None = None, lang: str = "zh",
                     today: date | None = None) -> list[WorkerMatch]:
        """For a vacancy, the best ``limit`` workers within reach (see ``matching.reverse``)."""
        from matching.reverse import rank_workers

        return rank_workers(self, posting, workers, limit, vectors, lang, today)

    def _cosines(self, vector: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Rows × blocks exact cosines from the vectors."""
        edges = self.edges_ or [0, self.vectors_.shape[1]]
        if len(rows) * FULL_PASS_SHARE > len(self.vectors_):  # one pass beats gathering most rows
            return sig.block_cosines(self.vectors_, self.block_norms_, vector, edges)[rows]
        return sig.row_cosines(self.vectors_, self.block_norms_, vector, rows, edges)

    def _signals(self, query: Query, side: QuerySide, rows: np.ndarray) -> dict[str, np.ndarray]:
        """The exact features of the given rows (``matching.signals``), plus their distances."""
        cosines = self._cosines(side.vector, rows)
        lexical = self.lexical_.scores(side.lexical, rows)
        text_part = sig.text_signals(cosines, lexical, np.array(side.scripts), self.scripts_[rows])
        same, group = self.occupation_table_.signals(side.occupations, rows)
        if query.lat is None or query.lon is None:
            distance = np.full(len(rows), np.nan)
        else:
            distance = self.geo_.distances(query.lat, query.lon, rows)
        facts = sig.RowFacts(distance_km=distance, wage_top=self.wage_top_[rows], housing=self.housing_[rows],
                             type_code=self.type_code_[rows], job_months=self.job_months_[rows],
                             posted_days=self.posted_days_[rows], trust=self.trust_[rows])
        return sig.pair_signals(query, text_part, same, group, facts, self.proximity_scale_km)

    def _matches(self, scored: Scored, order: np.ndarray, lang: str) -> list[Match]:
        """The ``order`` positions of ``scored`` as matches, each with its reason."""
        rows = scored.rows[order].tolist()
        return build_matches(scored, order, lang, self.weights_, [self.postings_[r] for r in rows],
                             lambda j: self.lexical_.matched_terms(scored.lexical_query, rows[j]),
                             lambda j: self.occupation_table_.rows_[rows[j]])


def build_matches(scored: Scored, order: np.ndarray, lang: str, weights: dict[str, float],
                  postings: Sequence[PostingDoc], terms_of: Callable[[int], tuple[str, ...]],
                  occupations_of: Callable[[int], tuple[Occupation, ...]]) -> list[Match]:
    """The ``order`` positions of ``scored`` as matches (``postings`` in that order), each with
    its reason; the signals are read once per feature for all of them. ``terms_of(j)`` and
    ``occupations_of(j)`` give the shared words and the occupations of the ``j``-th one (asked
    only where the reason can use them). Both index backends build their matches here."""
    if not len(order):
        return []
    picked = {k: v[order].tolist() for k, v in scored.signals.items()}
    scores = scored.scores[order].tolist()
    query = scored.query
    out = []
    for j, posting in enumerate(postings):
        signals = {k: v[j] for k, v in picked.items()}
        distance = signals.pop("distance_km")
        distance_km = None if math.isnan(distance) else round(distance, 1)
        terms = terms_of(j) if sig.words_count(signals, weights) else ()
        occupation = (sig.shared_occupation(scored.occupations, occupations_of(j))
                      if signals["occupation"] >= sig.OCCUPATION_SHOWN else None)
        expected = query.wage_expectation
        short = bool(expected and posting.wage_max and posting.wage_max < expected)
        parts = explain_parts(posting, distance_km, terms, short, occupation, lang, signals, query.today)
        out.append(Match(posting=posting, score=round(scores[j], 4), distance_km=distance_km,
                         reason=join_parts(parts), matched_terms=terms, signals=signals,
                         occupation=occupation, reason_parts=parts))
    return out


def _coordinates(postings: Sequence[PostingDoc]) -> tuple[np.ndarray, np.ndarray]:
    nan = float("nan")
    return (np.array([p.lat if p.lat is not None else nan for p in postings], dtype=float),
            np.array([p.lon if p.lon is not None else nan for p in postings], dtype=float))
