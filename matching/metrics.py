"""Retrieval metrics exactly as ``shared/benchmarks/README.md`` defines them.

MAP over the full ranking (relevant = grade > 0), nDCG@10 with gain = grade and a log2 discount,
MRR@10, Recall@10 and Recall@100; averaged over the queries that have a relevant document.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

METRICS = ("MAP", "nDCG@10", "MRR@10", "Recall@10", "Recall@100")


def average_precision(ranked: Sequence[str], relevant: Mapping[str, int]) -> float:
    """Mean of the precision at each relevant document's rank, over all relevant documents."""
    hits, total = 0, 0.0
    for i, doc in enumerate(ranked, 1):
        if relevant.get(doc, 0) > 0:
            hits += 1
            total += hits / i
            if hits == len(relevant):
                break  # the rest of a long ranking adds nothing
    return total / len(relevant) if relevant else 0.0


def ndcg(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k with gain = grade and discount log2(rank + 1)."""
    dcg = sum(relevant.get(d, 0) / math.log2(i + 1) for i, d in enumerate(ranked[:k], 1))
    ideal = sum(g / math.log2(i + 1) for i, g in enumerate(sorted(relevant.values(), reverse=True)[:k], 1))
    return dcg / ideal if ideal else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    """1 / rank of the first relevant document in the top k, else 0."""
    return next((1.0 / i for i, d in enumerate(ranked[:k], 1) if relevant.get(d, 0) > 0), 0.0)


def recall(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    """Share of the relevant documents found in the top k."""
    return len(set(ranked[:k]) & set(relevant)) / len(relevant) if relevant else 0.0


def query_metrics(ranked: Sequence[str], relevant: Mapping[str, int]) -> dict[str, float]:
    """All five metrics for one query (``relevant`` holds only grades > 0)."""
    return {"MAP": average_precision(ranked, relevant), "nDCG@10": ndcg(ranked, relevant),
            "MRR@10": reciprocal_rank(ranked, relevant), "Recall@10": recall(ranked, relevant, 10),
            "Recall@100": recall(ranked, relevant, 100)}


def mean_metrics(per_query: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """The average of each metric over the queries (zeros when there are none)."""
    rows = list(per_query)
    return {m: (sum(r[m] for r in rows) / len(rows) if rows else 0.0) for m in METRICS}
