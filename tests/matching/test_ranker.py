"""Matcher unit tests with a small deterministic embedder; real-model tests at the end."""

import numpy as np
import pytest

from matching.geo import haversine_km
from matching.lexical import analyse
from matching.ranker import Matcher
from matching.types import Query
from tests.matching.helpers import CONGJIANG, RONGJIANG, CharEmbedder, doc, welding_postings


def ids(matches):
    return [m.posting.id for m in matches]


def test_radius_is_a_hard_filter(matcher):
    near = matcher.rank(Query("会电焊", *RONGJIANG, max_km=20))
    assert set(ids(near)) == {1, 2}
    wider = matcher.rank(Query("会电焊", *RONGJIANG, max_km=60))
    assert set(ids(wider)) == {1, 2, 3}


def test_relocation_admits_far_jobs_only_with_housing(matcher):
    matches = matcher.rank(Query("会电焊", *RONGJIANG, max_km=20, will_relocate=True))
    assert 4 in ids(matches) and 5 not in ids(matches)
    assert 6 not in ids(matches)  # no coordinates: distance unknown, never shown as near


def test_relevant_work_ranks_first_and_nearer_beats_farther(matcher):
    matches = matcher.rank(Query("会电焊，在工地干过", *RONGJIANG, max_km=60))
    assert ids(matches)[:2] == [1, 3]
    assert matches[0].score > matches[-1].score


def test_reason_states_distance_pay_housing_and_words(matcher):
    far = {m.posting.id: m for m in matcher.rank(Query("电焊", *RONGJIANG, max_km=20, will_relocate=True))}
    reason = far[4].reason
    assert f"离家{far[4].distance_km:.0f}公里" in reason
    assert "月薪8000–10000元" in reason and "包吃住" in reason and "电焊" in reason
    assert far[1].reason.startswith("就在附近")


def test_wage_below_expectation_is_said_and_scored_lower(matcher):
    matches = {m.posting.id: m for m in matcher.rank(Query("电焊", *RONGJIANG, max_km=60,
                                                              wage_expectation=6500))}
    assert "低于你的期望" in matches[1].reason
    assert "低于你的期望" not in matches[3].reason
    assert matches[3].signals["pay"] > matches[1].signals["pay"]


def test_no_location_means_no_distance_limit(matcher):
    matches = matcher.rank(Query("电焊"))
    assert set(ids(matches)) == {1, 2, 3, 4, 5, 6}
    assert all(m.distance_km is None for m in matches)


def test_empty_query_or_index_returns_nothing(matcher):
    assert matcher.rank(Query("   ", *RONGJIANG, max_km=50)) == []
    assert Matcher(CharEmbedder()).fit([]).rank(Query("电焊", *RONGJIANG, max_km=50)) == []


def test_vector_count_must_match_postings():
    with pytest.raises(ValueError):
        Matcher(CharEmbedder()).fit([doc(1, "焊工", RONGJIANG)], np.zeros((2, 64), np.float32))


def test_lexical_features_skip_digits_and_stray_latin_in_chinese():
    features = analyse("电焊工2026年VIP")
    assert "电焊" in features and "vip" in features
    assert not any(ch.isdigit() for f in features for ch in f)


def test_haversine_matches_known_distance():
    d = haversine_km(*RONGJIANG, np.array([CONGJIANG[0]]), np.array([CONGJIANG[1]]))[0]
    assert 40 < d < 46


@pytest.mark.slow
def test_real_model_ranks_welding_above_other_work(runtime):
    from matching.ranker import Matcher as RealMatcher

    postings = [
        doc(1, "保洁员", RONGJIANG, description="负责小区楼道清洁"),
        doc(2, "焊工", RONGJIANG, description="钢结构焊接，持证优先"),
        doc(3, "服装车工", RONGJIANG, description="熟练使用平车"),
        doc(4, "Welder", RONGJIANG, description="MIG welding of steel frames"),
    ]
    m = RealMatcher(runtime.embedder()).fit(postings)
    top = ids(m.rank(Query("会电焊，在工地干过三年", *RONGJIANG, max_km=20)))
    assert top[0] == 2
    assert top.index(4) < top.index(1) and top.index(4) < top.index(3)  # across languages


@pytest.mark.slow
def test_real_model_vectors_are_normalised_and_stable(runtime):
    emb = runtime.embedder()
    a = emb.encode(["电焊工", "welder"])
    b = emb.encode(["电焊工"])
    assert a.shape == (2, 896) and emb.blocks == [("use", 512), ("minilm", 384)]
    assert np.allclose(np.linalg.norm(a[:, :512], axis=1), 1, atol=1e-4)  # each block normalised
    assert np.allclose(np.linalg.norm(a[:, 512:], axis=1), 1, atol=1e-4)
    assert np.allclose(a[0], b[0], atol=1e-5)
    assert emb.model_id.startswith("use-m3+minilm-st@")


@pytest.mark.slow
def test_real_model_english_block_is_the_english_one(runtime):
    emb = runtime.embedder()
    v = emb.encode(["welder", "welding of steel frames", "电焊工"])
    english = v[:, 512:]
    assert english[0] @ english[1] > english[0] @ english[2]  # MiniLM knows English, not Chinese
    use = v[:, :512]
    assert use[2] @ use[0] > 0.5  # USE crosses languages


@pytest.mark.slow
def test_default_model_is_rebuilt_when_stale(tmp_path):
    from matching.embedders import MODEL_INFO_FILE, default_model_id, ensure_default_model, model_id_for

    folder = ensure_default_model(tmp_path / "m")
    assert model_id_for(folder) == default_model_id()
    (folder / MODEL_INFO_FILE).write_text('{"model_id": "use-m3-st@0.2.1"}')
    assert model_id_for(ensure_default_model(folder)) == default_model_id()


def test_cached_query_side_follows_adds_and_removes(matcher):
    query = Query("会电焊，在工地干过", *RONGJIANG, max_km=60)
    matcher.rank(query)  # caches the query's lexical row
    new = doc(7, "电焊工", CONGJIANG, description="工地焊接")
    matcher.add([new]).remove([2])
    fresh = Matcher(CharEmbedder()).fit([p for p in welding_postings() if p.id != 2] + [new])
    assert [(m.posting.id, m.score, m.reason) for m in matcher.rank(query)] == \
        [(m.posting.id, m.score, m.reason) for m in fresh.rank(query)]


def test_ranking_leaves_the_blas_thread_limit_as_it_was(matcher):
    from threadpoolctl import threadpool_info, threadpool_limits

    from matching.serving import one_blas_thread

    def blas_threads():
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    with threadpool_limits(limits=2, user_api="blas"):
        before = blas_threads()
        with one_blas_thread():
            assert all(n == 1 for n in blas_threads())
            matcher.rank(Query("会电焊"))  # nested: the outer use keeps the limit
            assert all(n == 1 for n in blas_threads())
        assert blas_threads() == before


def test_rows_are_stored_by_place_and_exact_cosines_read_them_in_runs():
    from matching import signals
    from matching.types import PostingDoc

    rng = np.random.default_rng(3)
    n = 3000
    lats, lons = 25 + rng.random(n) * 0.6, 108 + rng.random(n) * 0.6
    docs = [PostingDoc(i, "普工", lat=float(a), lon=float(b))
            for i, (a, b) in enumerate(zip(lats, lons, strict=True))]
    vectors = rng.standard_normal((n, 64)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    m = Matcher(CharEmbedder(), shortlist=None).fit(docs, vectors)
    assert [p.id for p in m.postings_] != list(range(n))  # stored by grid cell, not as given
    assert all(np.array_equal(m.vectors_[m.row_of_[i]], vectors[i]) for i in (0, 17, n - 1))
    rows = m.geo_.within(25.3, 108.3, 12)
    runs = signals.row_runs(rows)
    assert runs and sum(b - a for a, b in runs) > len(rows) // 2  # neighbours sit in runs
    query = vectors[5]
    gathered = signals.block_cosines(m.vectors_[rows], m.block_norms_[rows], query, [0, 64])
    np.testing.assert_allclose(m._cosines(query, rows), gathered, rtol=1e-5, atol=1e-6)
    scattered = np.sort(rng.choice(n, 200, replace=False))  # no runs: gathered as before
    np.testing.assert_allclose(
        m._cosines(query, scattered),
        signals.block_cosines(m.vectors_[scattered], m.block_norms_[scattered], query, [0, 64]),
        rtol=1e-5, atol=1e-6)


def test_a_repeated_query_text_is_embedded_once():
    class Counting(CharEmbedder):
        calls = 0

        def encode(self, texts):
            Counting.calls += len(texts)
            return super().encode(texts)

    matcher = Matcher(Counting()).fit(welding_postings())
    calls_after_fit = Counting.calls
    first = matcher.rank(Query("会电焊", *RONGJIANG, max_km=60))
    again = matcher.rank(Query("会电焊", *RONGJIANG, max_km=20))  # same words, another reach
    other = matcher.rank(Query("会砌砖", *RONGJIANG, max_km=60))
    assert Counting.calls - calls_after_fit == 2  # one per distinct text
    assert set(ids(again)) <= set(ids(first)) and other
