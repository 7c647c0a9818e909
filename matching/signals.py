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

score = sigmoid(INTERCEPT + Σ weight·feature). The weights are a pairwise logistic regression
fitted by ``python -m bench.fit_weights`` on the rural set's training workers and the "fit" half
of each shared benchmark (that module says how); the intercept and scale are calibrated so the
score reads as the chance the posting is relevant. Fitted, English word overlap adds nothing
once both dense models speak (its weight is slightly negative), and USE counts less between two
English texts than MiniLM does; between Chinese texts, character overlap and USE carry the most.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from matching.occupations import Occupation

FEATURES = ("dense", "dense_use_en", "dense_en", "lexical", "lexical_en", "occupation",
            "occupation_group", "proximity", "pay", "housing")
# Fitted by bench.fit_weights (logistic regression); see the module docstring.
DEFAULT_WEIGHTS = {"dense": 6.95, "dense_use_en": 2.061, "dense_en": 6.034, "lexical": 7.277,
                   "lexical_en": -0.194, "occupation": 1.661, "occupation_group": 4.811, "proximity": 0.732,
                   "pay": 1.369, "housing": 0.155}
INTERCEPT = -4.017
PROXIMITY_SCALE_KM = 30.0
UNKNOWN = 0.5
OCCUPATION_SHOWN = 0.09  # joint confidence from which a reason names the shared occupation


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


def words_count(signals: dict[str, float], weights: dict[str, float]) -> bool:
    """Whether shared words raised this pair's score (a reason only names what counted)."""
    return sum(weights.get(k, 0.0) * signals.get(k, 0.0) for k in ("lexical", "lexical_en")) > 0.01


def combine(signals: dict[str, np.ndarray], weights: dict[str, float], intercept: float) -> np.ndarray:
    """The score in (0, 1): sigmoid of the intercept plus the weighted features."""
    logit = np.full(len(next(iter(signals.values()))), intercept, dtype=float)
    for name, weight in weights.items():
        logit += weight * signals[name]
    return 1.0 / (1.0 + np.exp(-logit))


class OccupationTable:
    """The occupations of many texts as sparse rows, for fast pair signals with one other text."""

    def __init__(self) -> None:
        self.columns: dict[str, int] = {}
        self.rows_: list[tuple[Occupation, ...]] = []
        self._matrix: sparse.csc_matrix | None = None

    def add(self, found: Sequence[tuple[Occupation, ...]]) -> OccupationTable:
        """Append one row per text."""
        for occupations in found:
            for o in occupations:
                self.columns.setdefault(o.code, len(self.columns))
                self.columns.setdefault("group:" + o.group, len(self.columns))
        self.rows_.extend(found)
        self._matrix = None
        return self

    def matrix(self) -> sparse.csc_matrix:
        """Rows × (codes and groups): the best confidence per code and per group."""
        if self._matrix is None:
            distinct: dict[tuple[Occupation, ...], int] = {}
            which = np.array([distinct.setdefault(r, len(distinct)) for r in self.rows_], dtype=int)
            cells: dict[tuple[int, int], float] = {}
            for u, occupations in enumerate(distinct):
                for o in occupations:
                    for key in (o.code, "group:" + o.group):
                        cell = (u, self.columns[key])
                        cells[cell] = max(cells.get(cell, 0.0), o.confidence)
            keys = np.array(list(cells), dtype=int).reshape(-1, 2)
            shape = (len(distinct), max(len(self.columns), 1))
            table = sparse.csr_matrix((np.array(list(cells.values())), (keys[:, 0], keys[:, 1])),
                                      shape=shape)
            self._matrix = table[which].tocsc() if len(which) else sparse.csc_matrix((0, shape[1]))
        return self._matrix

    def signals(self, other: Sequence[Occupation], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``occupation`` and ``occupation_group`` of one text's occupations against ``rows``."""
        same, group = np.zeros(len(rows)), np.zeros(len(rows))
        matrix = self.matrix()
        for o in other:
            for key, out in ((o.code, same), ("group:" + o.group, group)):
                col = self.columns.get(key)
                if col is None:
                    continue
                lo, hi = matrix.indptr[col], matrix.indptr[col + 1]
                at = np.searchsorted(rows, matrix.indices[lo:hi])
                ok = at < len(rows)
                ok[ok] = rows[at[ok]] == matrix.indices[lo:hi][ok]
                np.maximum.at(out, at[ok], o.confidence * matrix.data[lo:hi][ok])
        return same, group


def shared_occupation(mine: Sequence[Occupation], theirs: Sequence[Occupation]) -> Occupation | None:
    """The occupation both name with the highest joint confidence (``mine``'s words as evidence)."""
    best: tuple[float, Occupation] | None = None
    for a in mine:
        for b in theirs:
            if a.code == b.code and (best is None or a.confidence * b.confidence > best[0]):
                best = (a.confidence * b.confidence, a)
    return None if best is None else best[1]
