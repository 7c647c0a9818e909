"""The first stage of ``Matcher.rank`` for large candidate sets: the sketch and the shortlist."""

from datetime import date

import numpy as np
import pytest

from matching import first_stage, ranker
from matching import signals as sig
from matching.documents import query_text
from matching.ranker import Matcher
from matching.sketch import Sketch
from matching.types import PostingDoc, Query
from tests.matching.helpers import GUANGZHOU, RONGJIANG, CharEmbedder, doc

TITLES = ["电焊工", "保洁员", "厨师", "货车司机", "采茶工", "普工", "保安", "钢筋工", "服务员", "月嫂"]


def corpus(n=60):
    return [doc(i, TITLES[i % len(TITLES)], (RONGJIANG[0] + i * 0.01, RONGJIANG[1]),
                description=f"第{i}号岗位，{TITLES[(i * 3) % len(TITLES)]}经验优先", wage_min=3000 + 50 * i,
                housing=i % 3 == 0)
            for i in range(n)]


def test_sketch_is_exact_when_the_vectors_span_few_dimensions():
    rng = np.random.default_rng(0)
    vectors = (rng.standard_normal((200, 10)) @ rng.standard_normal((10, 64))).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    sketch = Sketch([0, 64]).fit(vectors)
    query = vectors[7] + 0.5 * vectors[3]
    rows = np.arange(0, 200, 3)
    norms = sig.block_norms(vectors, [0, 64])
    exact = sig.block_cosines(vectors[rows], norms[rows], query, [0, 64])
    assert sketch.cosines(query, norms, rows) == pytest.approx(exact, abs=1e-5)


def test_at_most_shortlist_candidates_the_full_path_runs_unchanged():
    small = Matcher(CharEmbedder(), shortlist=100).fit(corpus())
    off = Matcher(CharEmbedder(), shortlist=None).fit(corpus())
    assert small.sketch_ is None  # never needed: 60 postings
    for q in (Query("会电焊"), Query("想做保洁", *RONGJIANG, max_km=20)):
        assert [(m.posting.id, m.score, m.reason) for m in small.rank(q)] == \
            [(m.posting.id, m.score, m.reason) for m in off.rank(q)]


def test_shortlisted_matches_carry_their_exact_scores():
    m = Matcher(CharEmbedder(), shortlist=15).fit(corpus())
    assert m.sketch_ is not None and len(m.sketch_.codes_) == 60
    query = Query("会电焊，想找包住的活")
    full = m.score(query)
    exact = {m.postings_[r].id: round(float(s), 4) for r, s in zip(full.rows, full.scores, strict=True)}
    ranked = m.rank(query, limit=10)
    assert len(ranked) == 10 and all(x.score == exact[x.posting.id] for x in ranked)
    best = [m.postings_[r].id for r in full.rows[full.order(3)]]
    assert [x.posting.id for x in ranked[:3]] == best  # the clear leaders survive the first stage


def test_the_sketch_grows_with_the_index():
    m = Matcher(CharEmbedder(), shortlist=15).fit(corpus(20))
    m.add([PostingDoc(100 + i, "电焊工", description="焊接") for i in range(5)])
    assert len(m.sketch_.codes_) == len(m.vectors_) == 25
    assert m.rank(Query("电焊"), limit=3)[0].posting.title == "电焊工"


def low_rank_matcher(n=90, shortlist=15):
    """Postings whose vectors span 8 dimensions, so that the sketch's cosines are exact."""
    rng = np.random.default_rng(3)
    vectors = (rng.standard_normal((n, 8)) @ rng.standard_normal((8, 64))).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    types = [None, *sig.EMPLOYMENT_TYPES]
    where = [(RONGJIANG[0] + (i % 30) * 0.05, RONGJIANG[1] + (i % 7) * 0.3) for i in range(n)]
    postings = [doc(i, TITLES[i % len(TITLES)], where[i],
                    description=f"{TITLES[(i * 3) % 10]}经验优先 welding" if i % 4 == 0 else "包吃住",
                    wage_max=None if i % 5 == 0 else 3000 + 60 * i, housing=i % 3 == 0,
                    employment_type=types[i % len(types)], season_months=(3, 4, 5) if i % 6 == 1 else (),
                    posted_at=date(2024, 1 + i % 12, 1) if i % 8 else None, source_trust="employer")
                for i in range(n)]
    return Matcher(CharEmbedder(), shortlist=shortlist).fit(postings, vectors), vectors[::7]


FIRST_STAGE_QUERIES = [
    Query("会电焊，想找包住的活"), Query("保洁 cleaning", *RONGJIANG, max_km=40),
    Query("厨师", *RONGJIANG, max_km=30, will_relocate=True, wage_expectation=5000,
          employment_types=("full_time", "seasonal"), unavailable_months=(4, 5), today=date(2024, 9, 1)),
    Query("welding job", *RONGJIANG, max_km=5, will_relocate=True, wage_expectation=0)]


@pytest.mark.parametrize("query", FIRST_STAGE_QUERIES)
def test_first_stage_equals_the_exact_score_when_the_sketch_is_exact(query):
    m, vectors = low_rank_matcher()
    vector = vectors[2] + 0.3 * vectors[5]
    side = m._query_side(query_text(query.text), vector)
    side.parts = m.sketch_.query_parts(vector)
    rows = m.candidates(query)
    signals = m._signals(query, side, rows)
    exact = sig.logits({k: v for k, v in signals.items() if k in m.weights_}, m.weights_, m.intercept_)
    for facts in (first_stage.row_facts(m, rows), first_stage.all_facts(m)):
        first = first_stage.scores(m, query, side, facts)
        first = first if len(first) == len(rows) else first[rows]
        assert first == pytest.approx(exact, abs=2e-3)  # chord distances and float32


def test_relocating_candidates_split_into_the_housed_view_and_the_rest(monkeypatch):
    monkeypatch.setattr(first_stage, "VIEW_REBUILD_MIN", 2)
    m, _ = low_rank_matcher()
    query = Query("厨师", *RONGJIANG, max_km=30, will_relocate=True)

    def split_rows():
        view, others = m._split_candidates(query)
        return sorted(view.facts.rows[view.alive].tolist() + others.tolist())

    assert split_rows() == m.candidates(query).tolist()
    m.remove([0, 3, 4])  # housed and not: masked in the view
    assert m.housed_view_.dead == 2 and split_rows() == m.candidates(query).tolist()
    m.add([doc(200 + i, "厨师", GUANGZHOU, housing=True) for i in range(2)])  # read beside the view
    assert split_rows() == m.candidates(query).tolist()
    m.remove(list(range(6, 30, 3)))  # enough to rebuild the view
    assert split_rows() == m.candidates(query).tolist() and m.housed_view_.dead == 0


def test_relocating_shortlist_keeps_the_exact_scores_and_the_leaders():
    m, vectors = low_rank_matcher(shortlist=8)
    full = Matcher(CharEmbedder(), shortlist=None).fit(m.postings_, m.vectors_)
    query = Query("厨师，包吃住", *RONGJIANG, max_km=20, will_relocate=True, wage_expectation=4000)
    vector = vectors[1]
    assert ranker.FIRST_STAGE_FROM * 8 < len(m.candidates(query)) < len(m.postings_)  # the first stage runs
    ranked = m.rank(query, limit=5, vector=vector)
    exact = full.rank(query, limit=5, vector=vector)
    assert [(x.posting.id, x.score, x.reason) for x in ranked] == \
        [(x.posting.id, x.score, x.reason) for x in exact]
