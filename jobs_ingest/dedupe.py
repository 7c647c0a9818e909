"""What counts as the same posting: canonical URLs, content hashes, and near-duplicates.

Near-duplicates are the same job seen several times: a bureau's JSON-LD page and its RSS feed,
two pages of one source, a row repeated in a sheet, an aggregator's copy (different
punctuation, 元 or no 元, 4K or 4000, Traditional characters, "【急招】", its own boilerplate),
a re-post with small edits. ``NearDuplicateIndex`` finds candidates with MinHash/LSH
(datasketch) over character 3-gram shingles of the descriptions, plus exact blocks on the
title's and the employer's cores, then confirms each candidate with
``jobs_ingest.samejob.same_job`` (title, employer, township-level place, pay, text: see there).

Measured on tests/jobs_ingest/data/dedupe_dev.jsonl with ``python -m bench.dedupe`` and on
tests/jobs_ingest/data/near_duplicate_pairs.json (test_dedupe.py prints the figures).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from datasketch import MinHash, MinHashLSH

from jobs_ingest.samejob import Comparable, Match, Prepared, fold, judge, prepare, same_job, shingles

__all__ = ["Comparable", "Match", "NearDuplicateIndex", "canonical_url", "content_hash", "fold",
           "group_near_duplicates", "is_near_duplicate", "same_job", "shingles", "Sketch", "strip_tracking",
           "trust_rank"]

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


Sketch = tuple[Prepared, MinHash | None]
BLOCK_CAP = 100


class NearDuplicateIndex:
    """Postings indexed by key; ``find`` returns the keys of indexed near-duplicates of a posting."""

    def __init__(self, candidate_threshold: float = 0.3, num_perm: int = 128, seed: int = 1):
        self.num_perm = num_perm
        self._lsh = MinHashLSH(threshold=candidate_threshold, num_perm=num_perm)
        # Permutations are drawn once and shared: drawing them is the costly part of a MinHash.
        self._template = MinHash(num_perm=num_perm, seed=seed)
        self._seed = seed
        self._prepared: dict[Hashable, Prepared] = {}
        self._blocks: dict[tuple[str, str], list[Hashable]] = {}

    def sketch(self, posting: Comparable) -> Sketch:
        """What ``add`` and ``find`` need of a posting; compute it once when doing both."""
        prepared = prepare(posting)
        if not prepared.text:
            return prepared, None
        minhash = MinHash(num_perm=self.num_perm, seed=self._seed, permutations=self._template.permutations,
                          scheme=self._template.scheme)
        minhash.update_batch([s.encode("utf-8") for s in prepared.text])
        return prepared, minhash

    def add(self, key: Hashable, posting: Comparable | Sketch) -> None:
        """Index a posting (or its sketch) under ``key`` (unique; adding a key twice is an error)."""
        prepared, minhash = posting if isinstance(posting, tuple) else self.sketch(posting)
        self._prepared[key] = prepared
        if minhash is not None:
            self._lsh.insert(key, minhash)
        for block in _blocks(prepared):
            self._blocks.setdefault(block, []).append(key)

    def find(self, posting: Comparable | Sketch, one_source: Callable[[Hashable], bool] | None = None,
             limit: int | None = None) -> list[Hashable]:
        """Keys of indexed postings that are the same job as ``posting`` (or its sketch), at most
        ``limit``; ``one_source(key)`` says which the posting's own source listed (a stricter bar)."""
        prepared, minhash = posting if isinstance(posting, tuple) else self.sketch(posting)
        seen: set[Hashable] = set()
        found = []
        for key in self._candidates(prepared, minhash):
            strict = one_source is not None and one_source(key)
            if key not in seen and judge(prepared, self._prepared[key], strict).same:
                found.append(key)
                if len(found) == limit:
                    break
            seen.add(key)
        return found


    def _candidates(self, prepared: Prepared, minhash: MinHash | None) -> Iterator[Hashable]:
        """Block candidates first (the latest of each: a county's hundred 普工 postings need not
        all be judged), then LSH's, which are only computed if still needed."""
        for block in _blocks(prepared):
            yield from self._blocks.get(block, [])[-BLOCK_CAP:]
        if minhash is not None:
            yield from self._lsh.query(minhash)


def _blocks(prepared: Prepared) -> list[tuple[str, str]]:
    """Exact keys that make a candidate besides LSH: the title's core in the city (or place text),
    the employer's core (a feed's headline and a page's JSON-LD may share little text)."""
    where = (prepared.place or "")[:4] or prepared.place_text[:6]
    blocks = [("title", f"{prepared.title}@{where}")]
    return blocks + [("employer", prepared.employer)] if prepared.employer else blocks


def is_near_duplicate(a: Comparable, b: Comparable) -> bool:
    """Whether two postings are the same job (``same_job``'s verdict without the reason)."""
    return same_job(a, b).same


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
