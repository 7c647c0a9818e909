"""Metrics against hand-computed values, and against the shared reference scorer on a run file."""

import importlib.util
import math
from pathlib import Path

import pytest

from matching.metrics import average_precision, mean_metrics, ndcg, query_metrics, recall, reciprocal_rank

SCORER = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "score_run.py"


def test_average_precision_by_hand():
    # relevant a (rank 1) and c (rank 3); d is relevant but never retrieved
    assert average_precision(["a", "b", "c"], {"a": 1, "c": 2, "d": 1}) == pytest.approx((1 + 2 / 3) / 3)


def test_ndcg_uses_grades_as_gains():
    rel = {"a": 3, "b": 1}
    got = ndcg(["b", "x", "a"], rel)
    dcg = 1 / math.log2(2) + 3 / math.log2(4)
    ideal = 3 / math.log2(2) + 1 / math.log2(3)
    assert got == pytest.approx(dcg / ideal)
    assert ndcg(["a", "b"], rel) == pytest.approx(1.0)


def test_reciprocal_rank_counts_only_the_top_ten():
    ranked = [f"x{i}" for i in range(10)] + ["a"]
    assert reciprocal_rank(ranked, {"a": 1}) == 0.0
    assert reciprocal_rank(["x", "a"], {"a": 1}) == 0.5


def test_recall_at_k():
    ranked = ["a"] + [f"x{i}" for i in range(99)] + ["b"]
    assert recall(ranked, {"a": 1, "b": 1}, 10) == 0.5
    assert recall(ranked, {"a": 1, "b": 1}, 100) == 0.5
    assert recall(ranked, {"a": 1, "b": 1}, 101) == 1.0


def test_mean_over_queries():
    per = [query_metrics(["a"], {"a": 1}), query_metrics(["b", "a"], {"a": 1})]
    assert mean_metrics(per)["MRR@10"] == pytest.approx(0.75)


@pytest.mark.skipif(not SCORER.exists(), reason="shared/benchmarks/score_run.py is not here")
def test_metrics_match_the_reference_scorer(tmp_path):
    spec = importlib.util.spec_from_file_location("score_run", SCORER)
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)
    qrels = {"q1": {"d3": 2, "d7": 1}, "q2": {"d1": 1}, "q3": {"d9": 3, "d2": 1, "d5": 2}}
    runs = {"q1": ["d1", "d3", "d2", "d7"], "q2": [f"d{i}" for i in range(2, 14)] + ["d1"],
            "q3": ["d5", "d9", "d0", "d2"]}
    lines = [f"{q} Q0 {d} {r} {100 - r} t" for q, docs in runs.items() for r, d in enumerate(docs, 1)]
    (tmp_path / "run.txt").write_text("\n".join(lines) + "\n")
    expected = ref.score(qrels, ref.load_run(str(tmp_path / "run.txt")))
    ours = mean_metrics(query_metrics(runs[q], qrels[q]) for q in qrels)
    for name, value in ours.items():
        assert round(value, 4) == expected[name], name
