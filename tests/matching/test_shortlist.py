"""The first stage of ``Matcher.rank`` for large candidate sets: the sketch and the shortlist."""

import numpy as np
import pytest

from matching import signals as sig
from matching.ranker import Matcher
from matching.sketch import Sketch
from matching.types import PostingDoc, Query
from tests.matching.helpers import RONGJIANG, CharEmbedder, doc

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
