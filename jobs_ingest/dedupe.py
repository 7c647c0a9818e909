"""What counts as the same posting: canonical URLs, content hashes, and near-duplicates.

Near-duplicates are the same job seen at several sources: an aggregator copying a bureau,
with different punctuation, spacing, 元 or no 元, 4K or 4000, Traditional characters, a
"【急招】" prefix or a line of its own boilerplate. ``NearDuplicateIndex`` finds candidates with
MinHash/LSH (datasketch) over character 3-gram shingles of the normalised title and
description, then confirms each candidate inside its employer/place block with exact checks:

- place: the same place or one inside the other (榕江县 within 黔东南州); unknown passes;
- employer: one name inside the other once 有限公司 etc. and leading place names are dropped,
  or sharing half their character pairs; unknown passes;
- pay: the monthly ranges overlap (±10%); unknown passes;
- title: one inside the other, or sharing 60% of character pairs (电焊工 ~ 焊工, not 电工);
- text: shingle Jaccard >= ``threshold`` or overlap >= ``overlap`` (a truncated copy);
- townships: if both texts name townships (…乡, …镇), they share one. Bureaus post the same
  public-welfare job (护林员, 保洁员) once per township with otherwise identical text.

Measured on tests/jobs_ingest/data/near_duplicate_pairs.json (test_dedupe.py prints the figures).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from datasketch import MinHash, MinHashLSH

from jobs_ingest.text import to_simplified

_TRACKING = ("utm_", "spm", "from", "share", "fbclid", "gclid", "wxshare", "scene", "ref")


def canonical_url(url: str | None) -> str | None:
    """Lower-case scheme and host, drop the fragment and tracking parameters, sort the rest."""
    if not url or not url.strip():
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING)
    )
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, urlencode(query), ""))


def strip_tracking(url: str) -> str:
    """The URL without its fragment and tracking parameters, otherwise as written (for fetching)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith(_TRACKING)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def content_hash(values: dict[str, Any]) -> str:
    """A stable SHA-256 over the fields that make a posting what it is."""
    blob = json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


TRUST_ORDER = ("bureau", "employer", "aggregator")


def trust_rank(trust: str | None) -> int:
    """Lower is more trusted: bureau 0, employer 1, aggregator (or anything unknown) 2.

    When one job is seen at several sources, the posting keeps the fields of the source with
    the lowest rank (the web layer applies this when it merges near-duplicates).
    """
    return TRUST_ORDER.index(trust) if trust in TRUST_ORDER else len(TRUST_ORDER) - 1


class Comparable(Protocol):
    """What near-duplicate detection reads from a posting (PostingRecord has all of it)."""

    title: str
    description: str
    employer: str | None
    place_code: str | None
    place_text: str
    wage_min: int | None
    wage_max: int | None


_NOISE = re.compile(r"[\W_]+")
_TITLE_NOISE = re.compile(r"【[^】]*】|\[[^\]]*\]|急招|急聘|诚聘|高薪|直招|招聘|聘请|长期招|大量招")
_COMPANY = re.compile(r"(?:股份有限公司|有限责任公司|有限公司|集团|公司|分公司)$")
_LEADING_PLACE = re.compile(r"^(?:[\u4e00-\u9fff]{1,7}?(?:省|自治区|自治州|市|州|县|区))+")
# Two characters and 乡/镇, not the pronouns 本镇, 该乡, 各乡镇, 全镇, 每个乡.
_TOWNSHIP = re.compile(r"[\u4e00-\u9fff][^本该各全每个乡镇\W\d][乡镇](?!镇)")
_THOUSANDS = re.compile(r"(\d+(?:\.\d+)?)[k千]")


def fold(text: str | None) -> str:
    """Text reduced to what matters for matching: NFKC, Simplified, lower case, no 元/spaces/punctuation."""
    folded = to_simplified(unicodedata.normalize("NFKC", text or "")).lower()
    folded = _THOUSANDS.sub(lambda m: str(int(float(m.group(1)) * 1000)), folded)
    return _NOISE.sub("", folded.replace("元", ""))


def shingles(text: str, k: int = 3) -> set[str]:
    """Character k-grams of folded text (the text itself if shorter)."""
    folded = fold(text)
    if len(folded) <= k:
        return {folded} if folded else set()
    return {folded[i : i + k] for i in range(len(folded) - k + 1)}


def _pairs(text: str) -> set[str]:
    return shingles(text, 2)


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _employer_core(name: str | None) -> str:
    """The distinctive part of a firm's name: "镇雄县建工集团有限公司" -> "建工"."""
    folded = previous = fold(name)
    while True:  # suffixes stack: 集团有限公司
        folded, previous = _COMPANY.sub("", folded), folded
        if folded == previous:
            break
    core = _LEADING_PLACE.sub("", folded)
    return core if len(core) >= 2 else folded


def _place_prefix(code: str | None) -> str | None:
    """The significant part of an adcode: 52 (province), 5226 (city) or 522632 (county)."""
    if not code:
        return None
    for length in (2, 4):
        if set(code[length:]) <= {"0"}:
            return code[:length]
    return code[:6]


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A posting reduced to what the checks compare, computed once."""

    title: str
    title_pairs: frozenset[str]
    employer: str
    place: str | None
    place_text: str
    wage: tuple[int, int] | None
    text: frozenset[str]
    towns: frozenset[str]


def _prepare(posting: Comparable) -> _Prepared:
    title = fold(_TITLE_NOISE.sub("", unicodedata.normalize("NFKC", posting.title or "")))
    low, high = posting.wage_min, posting.wage_max
    wage = (low or high, high or low) if (low or high) else None
    return _Prepared(
        title=title, title_pairs=frozenset(_pairs(title)), employer=_employer_core(posting.employer),
        place=_place_prefix(posting.place_code), place_text=fold(posting.place_text),
        wage=wage,  # type: ignore[arg-type]  # both ends are set when either is
        text=frozenset(shingles(f"{posting.title}\n{posting.description}")),
        towns=frozenset(_TOWNSHIP.findall(fold(f"{posting.place_text} {posting.description}"))),
    )


def _contains_either(a: str, b: str) -> bool:
    return bool(a) and bool(b) and (a in b or b in a)


def _same_block(a: _Prepared, b: _Prepared) -> bool:
    """Employer and place agree (or one is unknown): the block a duplicate must share."""
    if a.place and b.place:
        if not (a.place.startswith(b.place) or b.place.startswith(a.place)):
            return False
    elif not (a.place or b.place) and a.place_text and b.place_text:
        return _contains_either(a.place_text, b.place_text) and _employers_agree(a, b)
    return _employers_agree(a, b)


def _employers_agree(a: _Prepared, b: _Prepared) -> bool:
    if a.employer and b.employer and not _contains_either(a.employer, b.employer):
        return _jaccard(set(_pairs(a.employer)), set(_pairs(b.employer))) >= 0.5
    return True


def _wages_agree(a: _Prepared, b: _Prepared, slack: float = 0.1) -> bool:
    if a.wage is None or b.wage is None:
        return True
    return a.wage[0] <= b.wage[1] * (1 + slack) and b.wage[0] <= a.wage[1] * (1 + slack)


def _titles_agree(a: _Prepared, b: _Prepared) -> bool:
    return _contains_either(a.title, b.title) or _jaccard(set(a.title_pairs), set(b.title_pairs)) >= 0.6


class NearDuplicateIndex:
    """Postings indexed by key; ``find`` returns the keys of indexed near-duplicates of a posting."""

    def __init__(self, threshold: float = 0.5, overlap: float = 0.8, candidate_threshold: float = 0.3,
                 num_perm: int = 128, seed: int = 1):
        self.threshold = threshold
        self.overlap = overlap
        self.num_perm = num_perm
        self._lsh = MinHashLSH(threshold=candidate_threshold, num_perm=num_perm)
        # Permutations are drawn once and shared: drawing them is the costly part of a MinHash.
        self._template = MinHash(num_perm=num_perm, seed=seed)
        self._seed = seed
        self._prepared: dict[Hashable, _Prepared] = {}
        self._by_title: dict[tuple[str, str], list[Hashable]] = {}

    def sketch(self, posting: Comparable) -> tuple[_Prepared, MinHash | None]:
        """What ``add`` and ``find`` need of a posting; compute it once when doing both."""
        prepared = _prepare(posting)
        if not prepared.text:
            return prepared, None
        minhash = MinHash(num_perm=self.num_perm, seed=self._seed, permutations=self._template.permutations,
                          scheme=self._template.scheme)
        minhash.update_batch([s.encode("utf-8") for s in prepared.text])
        return prepared, minhash

    def add(self, key: Hashable, posting: Comparable | tuple[_Prepared, MinHash | None]) -> None:
        """Index a posting (or its sketch) under ``key`` (unique; adding a key twice is an error)."""
        prepared, minhash = posting if isinstance(posting, tuple) else self.sketch(posting)
        self._prepared[key] = prepared
        if minhash is not None:
            self._lsh.insert(key, minhash)
        self._by_title.setdefault((prepared.title, prepared.employer), []).append(key)

    def find(self, posting: Comparable | tuple[_Prepared, MinHash | None]) -> list[Hashable]:
        """Keys of indexed postings that are the same job as ``posting`` (or its sketch)."""
        prepared, minhash = posting if isinstance(posting, tuple) else self.sketch(posting)
        candidates = list(self._by_title.get((prepared.title, prepared.employer), []))
        if minhash is not None:
            candidates += self._lsh.query(minhash)
        seen: set[Hashable] = set()
        found = []
        for key in candidates:
            if key not in seen and self._matches(prepared, self._prepared[key]):
                found.append(key)
            seen.add(key)
        return found

    def _matches(self, a: _Prepared, b: _Prepared) -> bool:
        return _confirm(a, b, self.threshold, self.overlap)


def _confirm(a: _Prepared, b: _Prepared, threshold: float, overlap: float) -> bool:
    """The exact checks on one candidate pair (see the module docstring)."""
    if not (_same_block(a, b) and _wages_agree(a, b) and _titles_agree(a, b)):
        return False
    if not a.text or not b.text or (a.towns and b.towns and not a.towns & b.towns):
        return False
    shared = len(a.text & b.text)
    smaller = min(len(a.text), len(b.text))
    return shared / len(a.text | b.text) >= threshold or (shared / smaller >= overlap and smaller >= 8)


def is_near_duplicate(a: Comparable, b: Comparable, threshold: float = 0.5, overlap: float = 0.8) -> bool:
    """Whether two postings are the same job (the index's confirmation, without LSH)."""
    return _confirm(_prepare(a), _prepare(b), threshold, overlap)


def group_near_duplicates(postings: Sequence[Comparable], **options: Any) -> list[list[int]]:
    """Groups (two or more indexes into ``postings``) of the same job seen several times.

    A posting joins a group only if it matches every member, so a vague copy ("广州市") cannot
    chain two different jobs (白云区, 番禺区) into one group.
    """
    index = NearDuplicateIndex(**options)
    groups: list[list[int]] = []
    group_of: dict[int, int] = {}
    for i, posting in enumerate(postings):
        sketch = index.sketch(posting)
        matches = set(index.find(sketch))
        for g in _groups_of(matches, group_of):
            if all(m in matches for m in groups[g]):
                groups[g].append(i)
                group_of[i] = g
                break
        else:
            partner = min((m for m in matches if isinstance(m, int) and m not in group_of), default=None)
            if partner is not None:
                group_of[i] = group_of[partner] = len(groups)
                groups.append([partner, i])
        index.add(i, sketch)
    return [g for g in groups if len(g) > 1]


def _groups_of(keys: Iterable[Hashable], group_of: dict[int, int]) -> list[int]:
    return sorted({group_of[k] for k in keys if isinstance(k, int) and k in group_of})
