"""Near-duplicate detection: measured on hand-labelled pairs, plus grouping and the index API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jobs_ingest.dedupe import (
    NearDuplicateIndex,
    canonical_url,
    group_near_duplicates,
    is_near_duplicate,
    trust_rank,
)
from jobs_ingest.pipeline import build_record
from jobs_ingest.records import PostingRecord, RawItem
from tests.jobs_ingest.localserver import TODAY

PAIRS = Path(__file__).parent / "data" / "near_duplicate_pairs.json"


def record(fields: dict[str, Any], key: str, gazetteer: Any) -> PostingRecord:
    return build_record(RawItem(fields={**fields, "external_id": key}, excerpt=""), gazetteer, TODAY)


def test_precision_and_recall_on_labelled_pairs(gazetteer: Any, capsys: pytest.CaptureFixture[str]) -> None:
    pairs = json.loads(PAIRS.read_text(encoding="utf-8"))["pairs"]
    assert len(pairs) >= 40 and 0.3 < sum(p["duplicate"] for p in pairs) / len(pairs) < 0.7
    tp = fp = fn = 0
    wrong = []
    for n, pair in enumerate(pairs):
        a, b = record(pair["a"], f"a{n}", gazetteer), record(pair["b"], f"b{n}", gazetteer)
        said = is_near_duplicate(a, b)
        if said != is_near_duplicate(b, a):
            wrong.append(f"asymmetric: {pair['why']}")
        tp += said and pair["duplicate"]
        fp += said and not pair["duplicate"]
        fn += (not said) and pair["duplicate"]
        if said != pair["duplicate"]:
            wrong.append(pair["why"])
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    with capsys.disabled():
        print(f"\nnear-duplicates on {len(pairs)} labelled pairs: precision {precision:.3f}, "
              f"recall {recall:.3f} (tp {tp}, fp {fp}, fn {fn}); wrong: {wrong or 'none'}")
    assert precision >= 0.9 and recall >= 0.9


def test_the_index_finds_copies_through_lsh(gazetteer: Any) -> None:
    pairs = json.loads(PAIRS.read_text(encoding="utf-8"))["pairs"]
    index = NearDuplicateIndex()
    for n, pair in enumerate(pairs):
        index.add(f"a{n}", record(pair["a"], f"a{n}", gazetteer))
    found = 0
    for n, pair in enumerate(pairs):
        matches = index.find(record(pair["b"], f"b{n}", gazetteer))
        if pair["duplicate"]:
            found += f"a{n}" in matches
        else:
            assert f"a{n}" not in matches
    assert found >= 0.9 * sum(p["duplicate"] for p in pairs)


def test_groups_do_not_chain_different_jobs_through_a_vague_copy(gazetteer: Any) -> None:
    text = "负责片区快件收派，自备电动车，多劳多得，每周休一天。"
    base = {"title": "快递员", "employer": "顺丰速运有限公司", "pay_text": "6000-9000元/月",
            "description": text}
    postings = [
        record({**base, "place_text": "广州市白云区"}, "1", gazetteer),
        record({**base, "place_text": "广州市"}, "2", gazetteer),  # an aggregator's vague copy
        record({**base, "place_text": "广州市番禺区"}, "3", gazetteer),
        record({**base, "place_text": "广州市白云区", "title": "【急招】快递员"}, "4", gazetteer),
    ]
    groups = group_near_duplicates(postings)
    assert all(not {0, 2} <= set(g) for g in groups)  # 白云区 and 番禺区 stay apart
    assert any({0, 3} <= set(g) for g in groups)


def test_canonical_urls_drop_tracking() -> None:
    assert canonical_url("HTTPS://Jobs.Example.cn/a/?utm_source=x&id=2&spm=1#top") == "https://jobs.example.cn/a?id=2"
    assert canonical_url("javascript:alert(1)") is None


def test_trust_order() -> None:
    assert sorted(["aggregator", "bureau", None, "employer"], key=trust_rank) == [
        "bureau", "employer", "aggregator", None]
