"""Lexical signal: Chinese character n-grams and English words, TF-IDF fitted on the postings.

The index is incremental: postings can be added and removed without re-reading the others. It
keeps raw term frequencies (a CSR matrix in growable buffers, ``matching.growable``) and document
frequencies; ``add`` and ``remove`` cost the postings given (amortised), not the index. The IDF
weights and row norms are recomputed by ``refresh`` (one vectorised pass over the stored numbers,
no tokenising: proportional to the stored term counts), lazily before the next query, so its
scores equal those of an index fitted from scratch on the live postings (scikit-learn's smoothed
IDF, sublinear TF, L2 norm). That pass is the one part of a change that stays proportional to the
index: every IDF weight depends on how many postings are live, so any change moves them all.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from matching.growable import Rows

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[a-z]")
_WORD = re.compile(r"[a-z]{2,}")
# Words that say nothing about the work; digits are dropped entirely (see analyse()).
_STOP = {"招聘", "岗位", "工作", "要求", "有限", "公司", "优先", "以上", "左右", "and", "the", "for", "with"}


def analyse(text: str) -> list[str]:
    """Features of a text: CJK 2-3 character grams and lower-case English words.

    Single characters ("工", "员") are left out: shared by unrelated jobs, they made a
    sewing job match a welder's words. A one-character run still counts as itself. Digits
    and punctuation are never features: shared numbers would count as matching words.
    """
    folded = unicodedata.normalize("NFKC", text).lower()
    features: list[str] = []
    for run in _CJK_RUN.findall(folded):
        if len(run) == 1:
            features.append(run)
        for n in (2, 3):
            features.extend(run[i : i + n] for i in range(len(run) - n + 1))
    features.extend(_WORD.findall(folded))
    return [f for f in features if f not in _STOP]


def script_shares(text: str) -> tuple[float, float]:
    """Shares of Chinese characters and of Latin letters among a text's letters (0, 0 if none).

    An English word counts like one Chinese character, so "电焊 VIP" is mostly Chinese.
    """
    folded = unicodedata.normalize("NFKC", text).lower()
    cjk = len(_CJK.findall(folded))
    latin = len(_WORD.findall(folded)) + len(re.findall(r"(?<![a-z])[a-z](?![a-z])", folded))
    total = cjk + latin
    return (cjk / total, latin / total) if total else (0.0, 0.0)


# What ``scores``' ways cost per step, relative to reading one element of a posting list; it picks
# the cheapest way (measured at 1,000,000 postings): a binary-search step, adding a posting-list
# entry into a vector over all rows, and clearing and setting a mask over all rows (per row).
SEARCH_COST = 10.0
SCATTER_COST = 8.0
MASK_COST = 0.3


class LexicalIndex:
    """TF-IDF over postings; cosine scores against a query and the words both share."""

    def __init__(self, sublinear_tf: bool = True):
        self.sublinear_tf = sublinear_tf

    def fit(self, texts: Sequence[str]) -> LexicalIndex:
        """Start from nothing and index the texts (rows 0..n-1)."""
        self.vocabulary_: dict[str, int] = {}
        self.names_: list[str] = []  # the terms by column
        self._df, self._live = Rows(float), Rows(bool)
        self.df_, self.live_ = self._df.view, self._live.view
        self._indptr, self._indices, self._data = Rows(np.int64), Rows(np.int64), Rows(float)
        self._indptr.extend([0])
        self._dirty = True
        self.generation_ = 0  # counts changes: an encoded query is valid for one generation
        return self.add(texts)

    def add(self, texts: Sequence[str]) -> LexicalIndex:
        """Index more texts as the next rows (amortised: the texts given)."""
        indptr, indices, data = [], [], []
        at = int(self._indptr.view[-1])
        for text in texts:
            for term, count in Counter(analyse(text)).items():
                col = self.vocabulary_.setdefault(term, len(self.vocabulary_))
                if col == len(self.names_):
                    self.names_.append(term)
                indices.append(col)
                data.append(1.0 + math.log(count) if self.sublinear_tf else float(count))
            indptr.append(at + len(indices))
        self._indptr.extend(indptr)
        self._indices.extend(indices)
        self._data.extend(data)
        self.df_ = self._df.extend(np.zeros(len(self.vocabulary_) - len(self.df_)))
        cols = np.array(indices, dtype=np.int64)  # a term counts once per text (``Counter``)
        if len(cols) > len(self.df_):
            self.df_ += np.bincount(cols, minlength=len(self.df_))
        else:  # a few texts: touch their terms only
            np.add.at(self.df_, cols, 1.0)
        self.live_ = self._live.extend(np.ones(len(texts), dtype=bool))
        self._dirty = True
        self.generation_ += 1
        return self

    def remove(self, rows: np.ndarray) -> LexicalIndex:
        """Forget rows (their row numbers stay taken; they never score again); costs their terms."""
        rows = np.asarray(rows, dtype=int)
        rows = rows[self.live_[rows]]
        indptr, indices = self._indptr.view, self._indices.view
        cols = [indices[indptr[r] : indptr[r + 1]] for r in rows.tolist()]
        if cols:
            np.subtract.at(self.df_, np.concatenate(cols), 1.0)
        self.live_[rows] = False
        self._dirty = True
        self.generation_ += 1
        return self

    def refresh(self) -> None:
        """Recompute IDF, normalised rows and the inverted index after adds or removes.

        Proportional to the stored term counts of every row (the one such step of a change; see
        the module docstring): it runs at most once per change, before the query that follows it
        (the web index runs one right after applying its changes, under its write lock).
        """
        if not self._dirty:
            return
        n = int(self.live_.sum())
        self.idf_ = np.log((1 + n) / (1 + self.df_)) + 1.0
        # On the stored arrays directly (one vectorised pass each, no sparse-format conversions):
        # each entry times its term's IDF, each live row divided by its norm, dead rows left out.
        indptr, indices = self._indptr.view, self._indices.view
        rows = len(self.live_)
        row_of = np.repeat(np.arange(rows), np.diff(indptr))
        keep = self.live_[row_of]
        cols, row_of = indices[keep], row_of[keep]
        weighted = self._data.view[keep] * self.idf_[cols]
        norms = np.sqrt(np.bincount(row_of, weights=weighted * weighted, minlength=rows))
        weighted /= np.where(norms == 0, 1.0, norms)[row_of]
        kept_indptr = np.zeros(rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(row_of, minlength=rows), out=kept_indptr[1:])
        self.matrix_ = sparse.csr_matrix((weighted, cols, kept_indptr), shape=(rows, len(self.vocabulary_)))
        self.postings_ = self.matrix_.tocsc()  # column = feature -> the rows that have it
        self.postings_.sort_indices()  # rows ascending in each list (``scores`` searches them)
        self._dirty = False

    def encode(self, query: str) -> sparse.csr_matrix | None:
        """The query as a normalised TF-IDF row (None when the index is empty)."""
        self.refresh()
        if not self.live_.any():
            return None
        known = self.vocabulary_
        counts = Counter(t for t in analyse(query) if t in known and self.df_[known[t]] > 0)
        cols = np.array([self.vocabulary_[t] for t in counts], dtype=np.int64)
        tf = np.array([1.0 + np.log(c) if self.sublinear_tf else float(c) for c in counts.values()])
        weights = tf * self.idf_[cols] if len(cols) else tf
        norm = np.linalg.norm(weights)
        order = np.argsort(cols)
        return sparse.csr_matrix((weights[order] / (norm or 1.0), cols[order], [0, len(cols)]),
                                 shape=(1, len(self.vocabulary_)))

    def scores(self, query: sparse.csr_matrix | None, rows: np.ndarray) -> np.ndarray:
        """Cosine similarity of the query with each of the given rows (sorted row numbers).

        Only the query's own features are read, so the cost follows how common the query's
        words are and how many rows are asked for, not how many postings there are. For a few
        rows (a commute radius), a feature's posting list is matched to the rows by binary
        search when it is shorter than they are, else the rows' own entries are scanned for the
        feature; for many rows (a worker who relocates), the posting lists are scattered into a
        vector over all rows. Every way adds the features' shares feature by feature, in the
        same order, so they give the same numbers.
        """
        if query is None or not len(rows) or not query.nnz:
            return np.zeros(len(rows))
        self.refresh()
        rows = np.asarray(rows)
        indptr = self.postings_.indptr
        cols, weights = query.indices.tolist(), query.data.tolist()
        lengths = [int(indptr[c + 1] - indptr[c]) for c in cols]
        n, total = len(rows), self.matrix_.shape[0]
        search = SEARCH_COST * n.bit_length()
        short = sum(k for k in lengths if k <= n)  # lists searched in the rows
        long = sum(lengths) - short  # lists read against a mask of the rows, hits searched in them
        by_rows = search * short + (MASK_COST * total + long * (1 + search * n / total) if long else 0.0)
        if by_rows < SCATTER_COST * (short + long) + total + n:
            return self._row_scores(cols, weights, lengths, rows)
        return self._scattered_scores(cols, weights)[rows]

    def _row_scores(self, cols: list[int], weights: list[float], lengths: list[int],
                    rows: np.ndarray) -> np.ndarray:
        """Scores of sorted ``rows``: a posting list shorter than the rows is searched in them; a
        longer one is read against a mask of the rows, and its hits are then found in them."""
        out = np.zeros(len(rows))
        plist, data = self.postings_.indices, self.postings_.data
        rows = rows.astype(plist.dtype, copy=False)  # one dtype: searchsorted converts neither side
        mask = None
        for col, weight, length in zip(cols, weights, lengths, strict=True):
            lo = int(self.postings_.indptr[col])
            listed = plist[lo : lo + length]
            if length <= len(rows):
                at = np.minimum(np.searchsorted(rows, listed), len(rows) - 1)
                hit = np.flatnonzero(rows[at] == listed)
                at = at[hit]
            else:
                if mask is None:
                    mask = np.zeros(self.matrix_.shape[0], dtype=bool)
                    mask[rows] = True
                hit = np.flatnonzero(mask[listed])
                at = np.searchsorted(rows, listed[hit])
            out[at] += data[lo + hit] * weight
        return out

    def _scattered_scores(self, cols: list[int], weights: list[float]) -> np.ndarray:
        """Scores of every row (a posting list holds a row at most once, so ``+=`` is safe)."""
        out = np.zeros(self.matrix_.shape[0])
        indptr, indices, data = self.postings_.indptr, self.postings_.indices, self.postings_.data
        for col, weight in zip(cols, weights, strict=True):
            lo, hi = int(indptr[col]), int(indptr[col + 1])
            out[indices[lo:hi]] += data[lo:hi] * weight
        return out

    def matched_terms(self, query: sparse.csr_matrix | None, row: int, limit: int = 3) -> tuple[str, ...]:
        """The most telling words the query and a posting share, longest-first, no overlaps.

        The row's few features are read as Python values: a query explains about 20 rows, and
        numpy's per-call cost made this the slowest part of building the matches.
        """
        if query is None:
            return ()
        self.refresh()
        lo, hi = int(self.matrix_.indptr[row]), int(self.matrix_.indptr[row + 1])  # the row, without scipy
        if hi == lo or not query.nnz:
            return ()
        wanted = dict(zip(query.indices.tolist(), query.data.tolist(), strict=True))
        data = self.matrix_.data
        shared = [(wanted[col] * float(data[lo + j]), str(self.names_[col]))
                  for j, col in enumerate(self.matrix_.indices[lo:hi].tolist()) if col in wanted]
        return pick_terms(shared, limit)


def pick_terms(shared: list[tuple[float, str]], limit: int = 3) -> tuple[str, ...]:
    """The ``limit`` most telling of the (weight, term) pairs a query and a posting share: by
    weight, then longer first, never a lone Chinese character, never one inside another."""
    ranked = sorted(shared, key=lambda t: (-round(t[0], 9), -len(t[1]), t[1]))
    picked: list[str] = []
    for _, term in ranked:
        if _is_cjk(term) and len(term) < 2:
            continue  # a lone character ("工") explains nothing
        if any(term in p or p in term for p in picked):
            continue
        picked.append(term)
        if len(picked) == limit:
            break
    return tuple(picked)


def _is_cjk(term: str) -> bool:
    return bool(_CJK_RUN.fullmatch(term))
