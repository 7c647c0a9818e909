"""Reverse matching: for one vacancy, rank workers with the same signals, weights and reasons."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from matching import signals as sig
from matching.documents import posting_text, query_text
from matching.explain import explain_worker
from matching.geo import haversine_km
from matching.lexical import script_shares
from matching.occupations import Occupation
from matching.types import PostingDoc, WorkerDoc, WorkerMatch

if TYPE_CHECKING:
    from matching.ranker import Matcher


def reachable(posting: PostingDoc, workers: Sequence[WorkerDoc]) -> tuple[np.ndarray, np.ndarray]:
    """Which workers the vacancy is within reach of (the forward filter, seen from the job), and km."""
    lat = np.array([np.nan if w.lat is None else w.lat for w in workers], dtype=float)
    lon = np.array([np.nan if w.lon is None else w.lon for w in workers], dtype=float)
    if posting.lat is None or posting.lon is None:
        km = np.full(len(workers), np.nan)
    else:
        km = haversine_km(posting.lat, posting.lon, lat, lon)
    radius = np.array([np.inf if w.max_commute_km is None else w.max_commute_km for w in workers])
    relocate = np.array([w.will_relocate for w in workers], dtype=bool)
    homeless = np.isnan(lat) | np.isnan(lon) | ~np.isfinite(radius)  # no home or radius: no limit
    near = np.nan_to_num(km, nan=np.inf) <= radius
    return homeless | near | (relocate & posting.housing & ~np.isnan(km)), km


def _posting_side(matcher: Matcher, posting: PostingDoc) -> tuple[np.ndarray, Any, tuple[Occupation, ...]]:
    """The vacancy's vector, lexical row and occupations: from the index if it holds it."""
    row = matcher.row_of_.get(posting.id)
    text = posting_text(posting)
    if row is not None:
        matcher.lexical_.refresh()
        return matcher.vectors_[row], matcher.lexical_.matrix_[row], matcher.occupation_table_.rows_[row]
    vector = matcher.embedder.encode([text])[0]
    occupations = matcher.occupation_index_.predict([posting.title])[0]
    return vector, matcher.lexical_.encode(text), occupations


def terms_signals(posting: PostingDoc, workers: Sequence[WorkerDoc], today: date | None
                  ) -> dict[str, np.ndarray]:
    """Employment type, availability, recency and trust of one vacancy for each worker."""
    n = len(workers)
    code = np.full(n, sig.type_code(posting.employment_type))
    months = np.full(n, sig.job_months(posting.season_months, posting.posted_at, posting.valid_through,
                                       posting.employment_type))
    return {
        "employment_type": np.array([sig.employment_fit(code[:1], w.employment_types)[0] for w in workers]),
        "availability": np.array([sig.availability(months[:1], w.unavailable_months)[0] for w in workers]),
        "recency": sig.recency(np.full(n, sig.day_number(posting.posted_at)), today),
        "trust": np.full(n, sig.trust(posting.source_trust, posting.sightings)),
    }


def worker_signals(
    matcher: Matcher, posting: PostingDoc, workers: Sequence[WorkerDoc], vectors: np.ndarray, km: np.ndarray,
    today: date | None = None,
) -> tuple[dict[str, np.ndarray], list, list]:
    """The forward signals for each (vacancy, worker) pair, plus lexical rows and occupations."""
    vector, doc_row, posting_occ = _posting_side(matcher, posting)
    texts = [query_text(w.description) for w in workers]
    edges = matcher.edges_ or [0, len(vector)]
    cosines = sig.block_cosines(
        np.asarray(vectors, dtype=np.float32),
        sig.block_norms(np.asarray(vectors, dtype=np.float32), edges),
        vector,
        edges,
    )
    cosines = cosines * (sig.block_norms(vector[None, :], edges)[0] > 0)
    scripts = np.array([script_shares(t) for t in texts]).reshape(-1, 2)
    doc_scripts = np.array(script_shares(posting_text(posting)))
    rows = [matcher.lexical_.encode(t) for t in texts]
    lexical = np.array(
        [0.0 if r is None or doc_row is None else float((r @ doc_row.T).toarray()[0, 0]) for r in rows]
    )
    worker_occ = matcher.occupation_index_.predict(texts, vectors=matcher.use_part(vectors))
    table = sig.OccupationTable().add(worker_occ)
    same, group = table.signals(posting_occ, np.arange(len(workers)))
    expectation = np.array([w.wage_expectation or np.nan for w in workers], dtype=float)
    relocate = np.array([w.will_relocate for w in workers], dtype=bool)
    signals = {
        **sig.text_signals(cosines, lexical, scripts, doc_scripts),
        "occupation": same,
        "occupation_group": group,
        "proximity": sig.proximity(km, matcher.proximity_scale_km),
        "pay": sig.pay_fit(
            np.full(len(workers), float(posting.wage_max or posting.wage_min or "nan")), expectation
        ),
        "housing": sig.housing_signal(np.full(len(workers), posting.housing), relocate),
        **terms_signals(posting, workers, today),
    }
    return signals, rows, [(posting_occ, o) for o in worker_occ]


def rank_workers(
    matcher: Matcher,
    posting: PostingDoc,
    workers: Sequence[WorkerDoc],
    limit: int = 20,
    vectors: np.ndarray | None = None,
    lang: str = "zh",
    today: date | None = None,
) -> list[WorkerMatch]:
    """The best ``limit`` workers the vacancy is within reach of, best first, each with a reason.

    ``today`` dates the vacancy's age (recency), as a query's ``today`` does.
    """
    ok, km = reachable(posting, workers)
    keep = np.flatnonzero(ok & np.array([bool(query_text(w.description)) for w in workers], dtype=bool))
    if not len(keep):
        return []
    chosen = [workers[int(i)] for i in keep]
    if vectors is None:
        vectors = matcher.embedder.encode([query_text(w.description) for w in chosen])
    else:
        vectors = np.asarray(vectors)[keep]
    signals, rows, occupations = worker_signals(matcher, posting, chosen, vectors, km[keep], today)
    scores = sig.combine(signals, matcher.weights_, matcher.intercept_)
    order = np.lexsort((keep, -scores))[:limit]
    return [
        _worker_match(
            matcher,
            posting,
            chosen[i],
            float(scores[i]),
            float(km[keep][i]),
            {k: float(v[i]) for k, v in signals.items()},
            rows[i],
            occupations[i],
            lang,
        )
        for i in order
    ]


def _worker_match(
    matcher: Matcher,
    posting: PostingDoc,
    worker: WorkerDoc,
    score: float,
    km: float,
    signals: dict[str, float],
    lexical_row: object,
    occupations: tuple[tuple[Occupation, ...], tuple[Occupation, ...]],
    lang: str,
) -> WorkerMatch:
    distance = None if np.isnan(km) else round(km, 1)
    beyond = bool(
        distance is not None and worker.max_commute_km is not None and distance > worker.max_commute_km
    )
    row = matcher.row_of_.get(posting.id)
    counted = sig.words_count(signals, matcher.weights_)
    terms = matcher.lexical_.matched_terms(lexical_row, row) if row is not None and counted else ()
    posting_occ, worker_occ = occupations
    occupation = (
        sig.shared_occupation(worker_occ, posting_occ)
        if signals["occupation"] >= sig.OCCUPATION_SHOWN
        else None
    )
    reason = explain_worker(posting, worker.wage_expectation, distance, beyond, terms, occupation, lang)
    return WorkerMatch(
        worker=worker,
        score=round(score, 4),
        distance_km=distance,
        reason=reason,
        matched_terms=terms,
        signals=signals,
        occupation=occupation,
    )
