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
        """Fit the vocabulary and IDF on the corpus and keep its matrix."""
        self.vectorizer_ = TfidfVectorizer(analyzer=analyse, sublinear_tf=self.sublinear_tf)
        self.matrix_ = self.vectorizer_.fit_transform(texts).tocsr() if texts else None
        self.vocabulary_ = self.vectorizer_.vocabulary_ if texts else {}
        return self

    def scores(self, query: str, rows: np.ndarray) -> np.ndarray:
        """Cosine similarity of the query with each of the given rows."""
        if self.matrix_ is None or not len(rows):
            return np.zeros(len(rows))
        q = self.vectorizer_.transform([query])
        return np.asarray((self.matrix_[rows] @ q.T).todense()).ravel()

    def matched_terms(self, query: str, row: int, limit: int = 3) -> tuple[str, ...]:
        """The most telling words the query and a posting share, longest-first, no overlaps."""
        if self.matrix_ is None:
            return ()
        q = self.vectorizer_.transform([query])
        shared = q.multiply(self.matrix_[row])
        if not isinstance(shared, sparse.coo_matrix):
            shared = sparse.coo_matrix(shared)
        names = self.vectorizer_.get_feature_names_out()
        ranked = sorted(((shared.data[i], names[shared.col[i]]) for i in range(shared.nnz)),
                        key=lambda t: (-t[0], -len(t[1])))
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
