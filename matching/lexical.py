"""Lexical signal: Chinese character n-grams and English words, TF-IDF fitted on the postings."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
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


class LexicalIndex:
    """TF-IDF over postings; cosine scores against a query and the words both share."""

    def __init__(self, sublinear_tf: bool = True):
        self.sublinear_tf = sublinear_tf

    def fit(self, texts: Sequence[str]) -> LexicalIndex:
        """Fit the vocabulary and IDF on the corpus; keep it row-wise and as an inverted index."""
        self.vectorizer_ = TfidfVectorizer(analyzer=analyse, sublinear_tf=self.sublinear_tf)
        if texts:
            self.matrix_ = self.vectorizer_.fit_transform(texts).tocsr()
            self.postings_ = self.matrix_.tocsc()  # column = feature -> the rows that have it
            self.names_ = self.vectorizer_.get_feature_names_out()
        else:
            self.matrix_ = self.postings_ = None
            self.names_ = np.array([], dtype=object)
        return self

    def encode(self, query: str) -> sparse.csr_matrix | None:
        """The query as a TF-IDF row (None before fitting on a non-empty corpus)."""
        return None if self.matrix_ is None else self.vectorizer_.transform([query])

    def scores(self, query: sparse.csr_matrix | None, rows: np.ndarray) -> np.ndarray:
        """Cosine similarity of the query with each of the given rows.

        Only the posting lists of the query's own features are read, so the cost follows
        how common the query's words are, not how many postings there are.
        """
        if query is None or self.postings_ is None or not len(rows) or not query.nnz:
            return np.zeros(len(rows))
        cols = query.indices
        touched = self.postings_[:, cols] @ query.data  # dense vector over all rows
        return np.asarray(touched).ravel()[rows]

    def matched_terms(self, query: sparse.csr_matrix | None, row: int, limit: int = 3) -> tuple[str, ...]:
        """The most telling words the query and a posting share, longest-first, no overlaps."""
        if query is None or self.matrix_ is None:
            return ()
        doc = self.matrix_[row]
        common, q_at, d_at = np.intersect1d(query.indices, doc.indices, return_indices=True)
        weights = query.data[q_at] * doc.data[d_at]
        ranked = sorted(zip(weights, self.names_[common], strict=True), key=lambda t: (-t[0], -len(t[1])))
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
