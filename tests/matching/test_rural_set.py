"""The rural scenario benchmark the team wrote: its size, its format and its relevance rule."""

import json
from pathlib import Path

import numpy as np
import pytest

from bench.make_rural import grade
from matching.benchmark import load_benchmark, read_jsonl
from matching.geo import haversine_km

RURAL = Path(__file__).resolve().parents[2] / "bench" / "data" / "rural-scenarios-zh"


@pytest.fixture(scope="module")
def bench():
    return load_benchmark(RURAL)


def test_size_and_fields(bench):
    corpus = read_jsonl(RURAL / "corpus.jsonl")
    queries = read_jsonl(RURAL / "queries.jsonl")
    assert len(queries) >= 40 and len(corpus) >= 300
    assert all({"place", "wage_min", "wage_max", "housing", "employment_type"} <= set(p) for p in corpus)
    assert {p["employment_type"] for p in corpus} >= {"full_time", "part_time", "day_labour", "seasonal"}
    assert all({"place", "max_commute_km", "will_relocate"} <= set(q) for q in queries)
    assert any("lat" not in q for q in queries)  # some homes are names the gazetteer must resolve
    assert not bench.unresolved


def test_train_and_test_workers_are_disjoint():
    train = load_benchmark(RURAL, "train.tsv").qrels
    test = load_benchmark(RURAL, "test.tsv").qrels
    assert len(test) >= 30 and not set(train) & set(test)


def test_out_of_reach_is_never_relevant(bench):
    docs = {str(d.id): d for d in bench.docs}
    for qid, rel in bench.qrels.items():
        q = bench.queries[qid]
        for doc_id in rel:
            d = docs[doc_id]
            km = haversine_km(q.lat, q.lon, np.array([d.lat]), np.array([d.lon]))[0]
            assert km <= q.max_km + 1e-6 or (q.will_relocate and d.housing), (qid, doc_id)


def test_grade_rule():
    worker = {"fits": {"weld": 3}, "home": (25.93, 108.52), "max_commute_km": 30, "will_relocate": False,
              "wage_min": 6000}
    near = {"kind": "weld", "lat": 25.95, "lon": 108.52, "housing": False, "wage_max": 7000}
    far_housed = {**near, "lat": 23.13, "lon": 113.26, "housing": True}
    assert grade(worker, near) == 3
    assert grade(worker, far_housed) == 0  # perfect skill, out of reach, does not relocate
    assert grade({**worker, "will_relocate": True}, far_housed) == 3
    assert grade(worker, {**near, "wage_max": 4000}) == 2  # pay far below the expectation
    assert grade(worker, {**near, "kind": "cook"}) == 0


def test_the_files_are_what_the_builder_writes(tmp_path):
    from bench.make_rural import main

    main(["--out", str(tmp_path)])
    for name in ("corpus.jsonl", "queries.jsonl", "qrels/train.tsv", "qrels/test.tsv"):
        assert (tmp_path / name).read_text() == (RURAL / name).read_text(), name
    assert json.loads((tmp_path / "queries.jsonl").read_text().splitlines()[0])["_id"] == "w001"


def test_grade_rule_for_terms():
    worker = {"fits": {"tea": 3}, "home": (25.93, 108.52), "max_commute_km": 30, "will_relocate": False,
              "employment_types": ["seasonal"], "unavailable_months": [3, 4]}
    fresh = {"kind": "tea", "lat": 25.95, "lon": 108.52, "housing": False, "wage_max": 4000,
             "employment_type": "seasonal", "season_months": [6, 7], "posted_at": "2026-03-18",
             "source_trust": "official", "sightings": 1}
    assert grade(worker, fresh) == 3
    assert grade(worker, {**fresh, "employment_type": "full_time", "season_months": None}) == 2
    assert grade(worker, {**fresh, "season_months": [3, 4, 5]}) == 2  # mostly in the busy months
    assert grade(worker, {**fresh, "posted_at": "2025-12-01"}) == 2  # stale
    assert grade(worker, {**fresh, "posted_at": "2026-02-20", "source_trust": "aggregator"}) == 2
    seen_twice = {**fresh, "posted_at": "2026-02-20", "source_trust": "aggregator", "sightings": 2}
    assert grade(worker, seen_twice) == 3


def test_queries_and_postings_carry_the_terms():
    corpus = read_jsonl(RURAL / "corpus.jsonl")
    queries = read_jsonl(RURAL / "queries.jsonl")
    assert all({"posted_at", "source_trust", "sightings"} <= set(p) for p in corpus)
    assert {p["source_trust"] for p in corpus} == {"official", "employer", "aggregator"}
    assert all(q["today"] == "2026-03-20" for q in queries)
    assert sum("employment_types" in q for q in queries) >= 15
    assert sum("unavailable_months" in q for q in queries) >= 10
