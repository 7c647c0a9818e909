"""The shipped matcher against single-signal baselines on every benchmark, in one run.

Run: ``python -m bench.evaluate [--sets a,b] [--max-queries N] [--out FILE]``. Sets: every folder
in ``../shared/benchmarks`` (skipped if absent) plus ``bench/data/rural-scenarios-zh``. Systems,
all over the same corpus texts and vectors:

- ``jiujin``: the site's ``Matcher`` (reach filter, fitted signal weights), via ``matching.evaluate``;
- ``tfidf``: character n-gram TF-IDF (scikit-learn ``char_wb`` 1-3, sublinear), cosine;
- ``use``: multilingual USE v3 cosine alone; ``minilm``: all-MiniLM-L6-v2 cosine alone.

Baselines rank the whole corpus by text alone (no reach filter). Public sets report their "test"
half of the queries (``matching.evaluate.split_of``; weights were fitted on the other half), the
rural set its held-out workers (qrels/test.tsv). q/s counts query embedding and scoring.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from matching.benchmark import Benchmark, load_benchmark
from matching.documents import posting_text, query_text
from matching.embedders import MINILM_DIM, USE_DIM, USEModule
from matching.evaluate import (
    CACHE_DIR,
    DEFAULT_MODEL_PATH,
    REPO_ROOT,
    CachedEmbedder,
    Evaluation,
    build_matchers,
    evaluate_matchers,
    load_embedder,
    select_queries,
)
from matching.metrics import mean_metrics, query_metrics
from matching.ranker import Matcher

SHARED = REPO_ROOT.parent / "shared" / "benchmarks"
RURAL = REPO_ROOT / "bench" / "data" / "rural-scenarios-zh"
RESULTS = REPO_ROOT / "bench" / "results" / "evaluate.md"
BASELINES = ("tfidf", "use", "minilm")
CHUNK = 256


def find_sets(names: Sequence[str] | None) -> list[Path]:
    """Benchmark folders: the shared ones that exist, then the rural set; filtered by name."""
    found = sorted(p for p in SHARED.iterdir() if (p / "corpus.jsonl").exists()) if SHARED.is_dir() else []
    found.append(RURAL)
    return [p for p in found if not names or p.name in names]


def rank_by_scores(bench: Benchmark, qids: Sequence[str], scores: np.ndarray, system: str,
                   seconds: float) -> Evaluation:
    """Metrics of a baseline from its query × corpus score matrix (ties broken by corpus order)."""
    ids = np.array([str(d.id) for d in bench.docs], dtype=object)
    per_query = []
    for qid, row in zip(qids, scores, strict=True):
        order = np.lexsort((np.arange(len(row)), -row))
        per_query.append(query_metrics(list(ids[order]), bench.qrels[qid]))
    return Evaluation(bench.name, system, mean_metrics(per_query), len(qids), len(qids) / seconds)


def score_chunks(encode: Callable[[list[str]], np.ndarray], docs: np.ndarray,
                 texts: list[str]) -> tuple[np.ndarray, float]:
    """Query × corpus cosine matrix, and the seconds spent encoding and scoring."""
    started = time.perf_counter()
    parts = [_dense(encode(texts[i : i + CHUNK]) @ docs.T) for i in range(0, len(texts), CHUNK)]
    out = np.vstack(parts) if parts else np.zeros((0, docs.shape[0]))
    return out, time.perf_counter() - started


def baselines(bench: Benchmark, qids: Sequence[str], matcher: Matcher, embedder: CachedEmbedder
              ) -> list[Evaluation]:
    """TF-IDF, USE alone and MiniLM alone, over the matcher's own corpus texts and vectors."""
    texts = [query_text(bench.queries[q].text) for q in qids]
    corpus = [posting_text(d) for d in bench.docs]
    module = embedder.embedder.sentence_transformer()[0]
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True).fit(corpus)
    rows = [matcher.row_of_[d.id] for d in bench.docs]  # the matcher stores rows by place
    vectors, norms = matcher.vectors_[rows], matcher.block_norms_[rows]
    use_docs = vectors[:, :USE_DIM] / norms[:, :1].clip(1e-9)
    mini_docs = vectors[:, USE_DIM:USE_DIM + MINILM_DIM] / norms[:, 1:2].clip(1e-9)
    systems: dict[str, tuple[Callable[[list[str]], np.ndarray], np.ndarray | object]] = {
        "tfidf": (vectorizer.transform, vectorizer.transform(corpus)),
        "use": (lambda t: _unit(USEModule.embed(module, t)), use_docs),
        "minilm": (module.embed_english, mini_docs),
    }
    out = []
    for name, (encode, docs) in systems.items():
        scores, seconds = score_chunks(encode, docs, texts)  # type: ignore[arg-type]
        out.append(rank_by_scores(bench, qids, scores, name, seconds))
    return out


def _dense(matrix: object) -> np.ndarray:
    return matrix.toarray() if hasattr(matrix, "toarray") else np.asarray(matrix)


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True).clip(1e-9)


def evaluate_set(folder: Path, embedder: CachedEmbedder, max_queries: int | None) -> dict:
    """Every system on one benchmark's reported queries."""
    bench = load_benchmark(folder)
    split = "all" if folder == RURAL else "test"
    qids = select_queries(bench.judged(), split, max_queries)
    started = time.perf_counter()
    parts = build_matchers(bench, embedder, qids)
    fit_seconds = time.perf_counter() - started
    results = [evaluate_matchers(parts, bench)] + baselines(bench, qids, parts[0][0], embedder)
    return {"name": bench.name, "judged": len(bench.judged()), "evaluated": len(qids), "split": split,
            "corpus": len(bench.docs), "fit_seconds": fit_seconds, "results": results}


def table(sets: list[dict]) -> list[str]:
    """The Markdown table: one row per set and system, the shipped matcher first."""
    lines = ["| set | queries (of judged) | system | MRR@10 | nDCG@10 | Recall@100 | MAP | q/s |",
             "|---|---:|---|---:|---:|---:|---:|---:|"]
    for s in sets:
        for r in s["results"]:
            m = r.metrics
            lines.append(f"| {s['name']} | {s['evaluated']:,} ({s['judged']:,}) | {r.system} "
                         f"| {m['MRR@10']:.3f} | {m['nDCG@10']:.3f} | {m['Recall@100']:.3f} "
                         f"| {m['MAP']:.3f} | {r.qps:,.0f} |")
    return lines


def verdicts(sets: list[dict]) -> list[str]:
    """Per set: the best baseline by MRR@10 and whether the shipped matcher beats it."""
    lines = ["", "| set | best baseline (MRR@10) | jiujin MRR@10 | beats it |", "|---|---|---:|---|"]
    for s in sets:
        ours, *others = s["results"]
        best = max(others, key=lambda r: r.metrics["MRR@10"])
        won = ours.metrics["MRR@10"] > best.metrics["MRR@10"]
        lines.append(f"| {s['name']} | {best.system} {best.metrics['MRR@10']:.3f} "
                     f"| {ours.metrics['MRR@10']:.3f} | {'yes' if won else 'NO'} |")
    return lines


def main(argv: list[str] | None = None) -> None:
    """Run every set, print the report and write it to bench/results/evaluate.md."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", help="comma-separated folder names (default: all)")
    ap.add_argument("--max-queries", type=int, default=1000, help="per set, a deterministic sample")
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL_PATH)
    ap.add_argument("--no-cache", action="store_true", help="embed everything afresh (no vector cache)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    started = time.perf_counter()
    embedder = CachedEmbedder(load_embedder(args.model), None if args.no_cache else CACHE_DIR)
    names = args.sets.split(",") if args.sets else None
    sets = [evaluate_set(folder, embedder, args.max_queries) for folder in find_sets(names)]
    report = [f"# bench.evaluate: model {embedder.model_id}; at most {args.max_queries} queries per set "
              "(hash sample of the set's reported half); baselines rank by text alone", ""]
    report += table(sets) + verdicts(sets)
    report += ["", f"- command: `python -m bench.evaluate --max-queries {args.max_queries}"
               f"{' --sets ' + args.sets if args.sets else ''}`; total runtime "
               f"{time.perf_counter() - started:.0f} s (corpus embedding included)"]
    text = "\n".join(report)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
