"""The matcher over a row store that runs its own first stage (the PostgreSQL backend).

An in-process ``Matcher`` keeps every posting's vector and facts in each web worker: about
18 KB a posting, minutes to start at a million postings, and one copy per worker. Here a store
(a PostgreSQL database with pgvector: ``web.services.pgindex``) does the first stage: the reach
filter (the commute radius; anywhere with housing for a worker who relocates) and a shortlist of
at most ``keep`` candidates, and returns their ids, exact block cosines and lexical cosine, and
the small facts, never their vectors. This module then computes the exact signals of that
shortlist with the same code as ``Matcher`` (``signals.pair_signals`` and
``ranker.build_matches``), so a posting both backends shortlist gets the same score, signals and
reason from both; the backends can differ only in what the first stage leaves out (measured as
recall@20 by ``python -m bench.scale``).

The lexical cosine needs document frequencies over all postings: the store keeps them
(``Lexicon``: the number of rows and each term's document frequency, refreshed by the store),
and the rows' TF-IDF norms are computed against them. Terms are hashed to ``TERM_DIMS``
dimensions (the store's sparse vectors): two terms sharing a dimension share their counts,
which at a million postings' vocabulary touches well under 1% of terms.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import math
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import sklearn
from scipy import sparse

from matching import signals as sig
from matching.documents import posting_text, query_text
from matching.geo import haversine_km
from matching.lexical import analyse, pick_terms, script_shares
from matching.occupation_vectors import use_part
from matching.occupations import Occupation, OccupationIndex, default_occupation_index
from matching.ranker import DEFAULT_WEIGHTS, PROXIMITY_SCALE_KM, QUERY_CACHE, Embedder, Scored, build_matches
from matching.serving import TextCache, one_blas_thread
from matching.types import Match, PostingDoc, Query, Reach, WorkerDoc, WorkerMatch

TERM_DIMS = 1_000_000_000  # pgvector's sparsevec allows up to 10^9 dimensions
KEEP = 400  # candidates the store returns per query (recall@20 against the exact ranking: bench.scale)
# The store's row count and generation are read again after this many seconds (the document
# frequencies of the terms a query names are read with the query while it is new).
LEXICON_SECONDS = 2.0


def term_dim(term: str) -> int:
    """The term's dimension in the store's sparse vectors (0-based; stable across processes)."""
    return int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "big") % TERM_DIMS


def term_weights(text: str) -> dict[int, float]:
    """A text's sublinear term frequencies (1 + ln count) by dimension, as ``LexicalIndex`` weighs
    a posting's terms before the IDF."""
    out: dict[int, float] = {}
    for term, count in Counter(analyse(text)).items():
        dim = term_dim(term)
        out[dim] = out.get(dim, 0.0) + 1.0 + math.log(count)
    return out


def idf(n: int, df: float) -> float:
    """scikit-learn's smoothed IDF, as ``LexicalIndex`` computes it."""
    return math.log((1 + n) / (1 + df)) + 1.0


@dataclass(frozen=True)
class Lexicon:
    """The store's document frequencies as of its last refresh: ``n`` rows, ``df`` per dimension
    (``lookup`` reads the given dimensions), and a ``generation`` that changes with them."""

    n: int
    lookup: Callable[[Sequence[int]], Mapping[int, int]]
    generation: int = 0
    memo: dict[int, int] = field(default_factory=dict)  # frequencies already read

    def df(self, dims: Iterable[int]) -> dict[int, int]:
        """The document frequencies of these dimensions (read once per lexicon)."""
        dims = set(dims)
        missing = sorted(dims - self.memo.keys())
        if missing:
            found = self.lookup(missing)
            self.memo.update({d: int(found.get(d, 0)) for d in missing})
        return {d: self.memo[d] for d in dims}

    def query(self, text: str) -> dict[int, float]:
        """The text's normalised TF-IDF weights over the known terms (document frequency above
        0), as ``LexicalIndex.encode`` weighs a query."""
        tf = term_weights(text)
        df = self.df(tf)
        weights = {d: w * idf(self.n, df[d]) for d, w in tf.items() if df.get(d, 0) > 0}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {d: w / norm for d, w in weights.items()}

    def encode(self, text: str) -> sparse.csr_matrix | None:
        """``query`` as a one-row sparse matrix (``matching.reverse`` multiplies two of them)."""
        weights = self.query(text) if self.n else None
        if weights is None:
            return None
        cols = np.array(sorted(weights), dtype=np.int64)
        data = np.array([weights[c] for c in cols.tolist()])
        return sparse.csr_matrix((data, cols, [0, len(cols)]), shape=(1, TERM_DIMS))

    def row_norm(self, tf: Mapping[int, float]) -> float:
        """The L2 norm of a row's TF-IDF weights (the store divides its dot products by it)."""
        df = self.df(tf)
        return math.sqrt(sum((w * idf(self.n, df.get(d, 0))) ** 2 for d, w in tf.items()))

    def matched_terms(self, weights: Mapping[int, float], text: str, norm: float, limit: int = 3,
                      query_terms: AbstractSet[str] = frozenset()) -> tuple[str, ...]:
        """The most telling words a query (its ``query`` weights) and a posting's text share,
        chosen as ``LexicalIndex.matched_terms`` chooses them; ``query_terms`` (the query's own
        terms, when known) spares hashing the posting's other terms."""
        if not weights or not norm:
            return ()
        counts = Counter(analyse(text))
        dims = {t: term_dim(t) for t in counts.keys() & (query_terms or counts.keys())}
        df = self.df({d for d in dims.values() if d in weights})
        shared = []
        for term, dim in dims.items():
            count = counts[term]
            if dim in weights:
                row = (1.0 + math.log(count)) * idf(self.n, df.get(dim, 0)) / norm
                shared.append((weights[dim] * row, term))
        return pick_terms(shared, limit)


@dataclass(frozen=True)
class FirstStage:
    """What the store needs to shortlist for one query: the query, its vector, its lexical
    weights (``Lexicon.query``), and the weights of the first stage's approximate score."""

    query: Query
    vector: np.ndarray
    lexical: dict[int, float]
    occupations: tuple[str, ...]  # codes the query names with confidence OCCUPATION_SAID or more
    occupation_weights: tuple[tuple[str, float], ...]  # every code the query names, with its confidence
    idf: dict[int, float]  # the IDF of each dimension in ``lexical``
    weights: dict[str, float]  # the matcher's fitted weights
    scripts: tuple[float, float]  # the query's Chinese and Latin shares
    keep: int
    query_limit: int  # how many matches the caller wants (every part of the shortlist holds as many)
    proximity_scale_km: float


@dataclass(frozen=True)
class Candidates:
    """The store's shortlist: one entry per candidate in every array, in any order."""

    ids: np.ndarray
    cosines: np.ndarray  # candidates × blocks (USE, then MiniLM)
    lexical: np.ndarray
    lexical_norm: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    scripts: np.ndarray  # candidates × (Chinese share, Latin share)
    occupations: list[tuple[Occupation, ...]]
    wage_top: np.ndarray
    housing: np.ndarray
    type_code: np.ndarray
    job_months: np.ndarray
    posted_days: np.ndarray
    trust: np.ndarray


class RowStore(Protocol):
    """Where the postings live (``web.services.pgindex.PgStore``)."""

    def lexicon(self) -> Lexicon:
        """The row count, generation and document frequencies as they stand."""
        ...

    def document_frequencies(self, dims: Sequence[int]) -> Mapping[int, int]:
        """The document frequency of each of these term dimensions (absent: 0)."""
        ...

    def shortlist(self, stage: FirstStage) -> Candidates:
        """At most ``stage.keep`` candidates within the query's reach, best by the first stage."""
        ...

    def docs(self, ids: Sequence[int]) -> list[PostingDoc]:
        """The postings with these ids, in that order."""
        ...

    def reach(self, query: Query) -> Reach:
        """How many postings are within the query's reach, how many house workers, and their
        first occupations."""
        ...

    def size(self) -> int:
        """How many postings are matchable."""
        ...


@dataclass
class _Side:
    vector: np.ndarray
    occupations: tuple[Occupation, ...]
    lexical: dict[int, float]
    scripts: tuple[float, float]
    terms: frozenset[str] = frozenset()


class ShortlistMatcher:
    """``Matcher``'s ranking API over a ``RowStore``: ``rank``, ``rank_many``, ``rank_workers``,
    ``reach`` and ``size``, with the same weights, signals and reasons."""

    row_of_: dict[int | str, int] = {}  # holds no rows: ``matching.reverse`` embeds the vacancy itself

    def __init__(self, embedder: Embedder, store: RowStore, weights: dict[str, float] | None = None,
                 intercept: float | None = None, proximity_scale_km: float = PROXIMITY_SCALE_KM,
                 occupations: OccupationIndex | None = None, keep: int = KEEP):
        self.embedder = embedder
        self.store = store
        self.keep = keep
        self.weights_ = dict(DEFAULT_WEIGHTS if weights is None else weights)
        self.intercept_ = sig.INTERCEPT if intercept is None else intercept
        self.proximity_scale_km = proximity_scale_km
        self.occupation_index_ = occupations or default_occupation_index()
        blocks = getattr(embedder, "blocks", None) or []
        self.edges_ = list(np.cumsum([0] + [w for _, w in blocks])) if blocks else None
        self._vectors = TextCache(QUERY_CACHE)
        self._occupations = TextCache(QUERY_CACHE)
        self._lexical = TextCache(QUERY_CACHE)
        self._shared: dict[str, Any] = {}  # the lexicon read last and when (shared by ``with_store``)

    def with_store(self, store: RowStore) -> ShortlistMatcher:
        """This matcher over another store (the same store read through another session),
        sharing the query caches."""
        clone = copy.copy(self)
        clone.store = store
        return clone

    def lexicon(self) -> Lexicon:
        """The store's lexicon, read again after ``LEXICON_SECONDS``; its frequencies are read
        through this matcher's store (the session of the request at hand)."""
        now = time.monotonic()
        kept = self._shared.get("lexicon")
        if kept is None or now - kept[0] > LEXICON_SECONDS:
            kept = (now, self.store.lexicon())
            self._shared["lexicon"] = kept
        return dataclasses.replace(kept[1], lookup=self.store.document_frequencies)

    @property
    def lexical_(self) -> Lexicon:
        """The store's lexicon (``matching.reverse`` encodes workers' words with it)."""
        return self.lexicon()

    @property
    def size(self) -> int:
        """How many postings the store can match."""
        return self.store.size()

    def use_part(self, vectors: np.ndarray) -> np.ndarray | None:
        """The USE block of query vectors (see ``Matcher.use_part``)."""
        return use_part(vectors, getattr(self.embedder, "blocks", None))

    def encode_queries(self, queries: Sequence[Query]) -> np.ndarray:
        """The query vectors, in one batch."""
        return self.embedder.encode([query_text(q.text) for q in queries])

    def reach(self, query: Query) -> Reach:
        """The postings within the query's reach, counted (see ``Matcher.reach``)."""
        return self.store.reach(query)

    def rank(self, query: Query, limit: int = 20, vector: np.ndarray | None = None,
             lang: str = "zh") -> list[Match]:
        """The best ``limit`` postings within reach, best first, each with its reason."""
        text = query_text(query.text)
        if not text:
            return []
        lexicon = self.lexicon()
        side = self._side(text, vector, lexicon)
        w = self.weights_
        codes = tuple(o.code for o in side.occupations if o.confidence >= sig.OCCUPATION_SAID)
        df = lexicon.df(side.lexical)
        stage = FirstStage(query=query, vector=side.vector, lexical=side.lexical, occupations=codes,
                           occupation_weights=tuple((o.code, o.confidence) for o in side.occupations),
                           weights=w, scripts=side.scripts,
                           idf={d: idf(lexicon.n, df[d]) for d in side.lexical},
                           keep=max(self.keep, limit), query_limit=limit,
                           proximity_scale_km=self.proximity_scale_km)
        found = self.store.shortlist(stage)
        if not len(found.ids):
            return []
        with one_blas_thread():
            scored = self._scored(query, side, found)
        order = scored.order(limit)
        docs = self.store.docs(found.ids[order].tolist())
        norms = found.lexical_norm[order].tolist()
        return build_matches(scored, order, lang, self.weights_, docs,
                             lambda j: lexicon.matched_terms(side.lexical, posting_text(docs[j]), norms[j],
                                                             query_terms=side.terms),
                             lambda j: found.occupations[int(order[j])])

    def rank_many(self, queries: Sequence[Query], limit: int = 20, vectors: np.ndarray | None = None,
                  lang: str = "zh") -> list[list[Match]]:
        """``rank`` for many queries, embedding them in one batch."""
        vectors = self.encode_queries(queries) if vectors is None else vectors
        return [self.rank(q, limit, v, lang) for q, v in zip(queries, vectors, strict=True)]

    def rank_workers(self, posting: PostingDoc, workers: Sequence[WorkerDoc], limit: int = 20,
                     vectors: np.ndarray | None = None, lang: str = "zh",
                     today: Any = None) -> list[WorkerMatch]:
        """For a vacancy, the best ``limit`` workers within reach (see ``matching.reverse``)."""
        from matching.reverse import rank_workers

        return rank_workers(self, posting, workers, limit, vectors, lang, today)  # type: ignore[arg-type]

    def _side(self, text: str, vector: np.ndarray | None, lexicon: Lexicon) -> _Side:
        """The query's vector, occupations and lexical weights, each cached by text."""
        if vector is None:
            vector = self._vectors.get(text)
        if vector is None:
            vector = np.array(self.embedder.encode([text])[0])
            vector.setflags(write=False)
            self._vectors.put(text, vector)
        occupations = self._occupations.get(text)
        if occupations is None:
            with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
                occupations = self.occupation_index_.predict([text], vectors=self.use_part(vector))[0]
            self._occupations.put(text, occupations)
        cached = self._lexical.get(text)
        if cached is None or cached[0] != (lexicon.generation, lexicon.n):
            cached = ((lexicon.generation, lexicon.n), lexicon.query(text))
            self._lexical.put(text, cached)
        return _Side(np.asarray(vector), occupations, cached[1], script_shares(text),
                     frozenset(analyse(text)))

    def _scored(self, query: Query, side: _Side, found: Candidates) -> Scored:
        """The exact signals and scores of the shortlist (``Matcher._signals``' counterpart)."""
        n = len(found.ids)
        text_part = sig.text_signals(found.cosines, found.lexical, np.array(side.scripts), found.scripts)
        same, group = np.zeros(n), np.zeros(n)
        pairs: dict[int, tuple[float, float]] = {}  # per distinct occupations (the store shares them)
        for i, theirs in enumerate(found.occupations):
            pair = pairs.get(id(theirs))
            if pair is None:
                pair = pairs[id(theirs)] = sig.occupation_pair(side.occupations, theirs)
            same[i], group[i] = pair
        if query.lat is None or query.lon is None:
            distance = np.full(n, np.nan)
        else:
            distance = haversine_km(query.lat, query.lon, found.lat, found.lon)
        facts = sig.RowFacts(distance_km=distance, wage_top=found.wage_top, housing=found.housing,
                             type_code=found.type_code, job_months=found.job_months,
                             posted_days=found.posted_days, trust=found.trust)
        signals = sig.pair_signals(query, text_part, same, group, facts, self.proximity_scale_km)
        features = {k: v for k, v in signals.items() if k in self.weights_}
        return Scored(query, np.arange(n), sig.combine(features, self.weights_, self.intercept_), signals,
                      side.lexical, side.occupations, found.ids.astype(np.int64))
