"""Lexical signal: Chinese character n-grams and English words, TF-IDF fitted on the postings.

The index is incremental: postings can be added and removed without re-reading the others. It
keeps raw term frequencies and document frequencies, and recomputes the IDF weights and row norms
(one pass over the stored numbers, no tokenising) lazily before the next query, so its scores
equal those of an index fitted from scratch on the live postings (scikit-learn's smoothed IDF,
sublinear TF, L2 norm).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy import sparse

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


# Below 1 candidate in this many postings, scoring the candidates' rows beats the posting lists.
ROWS_PER_COLUMN_PASS = 50


class LexicalIndex:
    """TF-IDF over postings; cosine scores against a query and the words both share."""

    def __init__(self, sublinear_tf: bool = True):
        self.sublinear_tf = sublinear_tf

    def fit(self, texts: Sequence[str]) -> LexicalIndex:
        """Start from nothing and index the texts (rows 0..n-1)."""
        self.vocabulary_: dict[str, int] = {}
        self.df_ = np.zeros(0)
        self.live_ = np.zeros(0, dtype=bool)
        self._blocks: list[sparse.csr_matrix] = []
        self._dirty = True
        return self.add(texts)

    def add(self, texts: Sequence[str]) -> LexicalIndex:
        """Index more texts as the next rows."""
        indptr, indices, data = [0], [], []
        for text in texts:
            for term, count in Counter(analyse(text)).items():
                indices.append(self.vocabulary_.setdefault(term, len(self.vocabulary_)))
                data.append(1.0 + math.log(count) if self.sublinear_tf else float(count))
            indptr.append(len(indices))
        width = len(self.vocabulary_)
        block = sparse.csr_matrix((np.array(data), np.array(indices, dtype=np.int64), indptr),
                                  shape=(len(texts), width))
        self._blocks.append(block)
        self.df_ = np.concatenate([self.df_, np.zeros(width - len(self.df_))])
        self.df_ += np.bincount(block.indices, minlength=width)
        self.live_ = np.concatenate([self.live_, np.ones(len(texts), dtype=bool)])
        self._dirty = True
        return self

    def remove(self, rows: np.ndarray) -> LexicalIndex:
        """Forget rows (their row numbers stay taken; they never score again)."""
        rows = np.asarray(rows, dtype=int)
        rows = rows[self.live_[rows]]
        tf = self._tf()
        self.df_ -= np.bincount(tf[rows].indices, minlength=len(self.df_))
        self.live_[rows] = False
        self._dirty = True
        return self

    def _tf(self) -> sparse.csr_matrix:
        width = len(self.vocabulary_)
        if len(self._blocks) != 1 or self._blocks[0].shape[1] != width:
            resized = [sparse.csr_matrix((b.data, b.indices, b.indptr), shape=(b.shape[0], width))
                       for b in self._blocks]
            self._blocks = [sparse.vstack(resized, format="csr") if resized
                            else sparse.csr_matrix((0, width))]
        return self._blocks[0]

    def refresh(self) -> None:
        """Recompute IDF, normalised rows and the inverted index after adds or removes."""
        if not self._dirty:
            return
        tf = self._tf()
        n = int(self.live_.sum())
        self.idf_ = np.log((1 + n) / (1 + self.df_)) + 1.0
        weighted = tf.multiply(self.idf_[None, :]).tocsr() if tf.shape[1] else tf
        weighted.data[~np.repeat(self.live_, np.diff(weighted.indptr))] = 0.0
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        self.matrix_ = sparse.diags(1.0 / np.where(norms == 0, 1.0, norms)) @ weighted
        self.matrix_ = sparse.csr_matrix(self.matrix_)
        self.postings_ = self.matrix_.tocsc()  # column = feature -> the rows that have it
        self.names_ = np.array(sorted(self.vocabulary_, key=self.vocabulary_.__getitem__), dtype=object)
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
        """Cosine similarity of the query with each of the given rows.

        Only the posting lists of the query's own features are read, so the cost follows
        how common the query's words are, not how many postings there are.
        """
        if query is None or not len(rows) or not query.nnz:
            return np.zeros(len(rows))
        self.refresh()
        if len(rows) * ROWS_PER_COLUMN_PASS < self.matrix_.shape[0]:
            # Few candidates (a commute radius): read just their rows, whatever the corpus size.
            return np.asarray((self.matrix_[rows] @ query.T).toarray()).ravel()
        touched = self.postings_[:, query.indices] @ query.data  # dense vector over all rows
        return np.asarray(touched).ravel()[rows]

    def matched_terms(self, query: sparse.csr_matrix | None, row: int, limit: int = 3) -> tuple[str, ...]:
        """The most telling words the query and a posting share, longest-first, no overlaps."""
        if query is None:
            return ()
        self.refresh()
        lo, hi = self.matrix_.indptr[row], self.matrix_.indptr[row + 1]  # the row, without scipy's indexing
        doc = self.matrix_.indices[lo:hi]
        if not len(doc) or not query.nnz:
            return ()
        at = np.minimum(np.searchsorted(query.indices, doc), query.nnz - 1)  # query.indices is sorted
        hit = query.indices[at] == doc
        common = doc[hit]
        weights = query.data[at[hit]] * self.matrix_.data[lo:hi][hit]
        ranked = sorted(zip(weights, self.names_[common], strict=True),
                        key=lambda t: (-round(float(t[0]), 9), -len(t[1]), t[1]))
        picked: list[str] = []
        for _, term in ranked:
            if _is_cjk(term) and len(term) < 2:
                continue  # a lone character ("工") explains nothing
            if any(term in p or p in term for p in picked):
                continue
            picked.append(str(term))
            if len(picked) == limit:
                break
        return tuple(picked)


def _is_cjk(term: str) -> bool:
    return bool(_CJK_RUN.fullmatch(term))
