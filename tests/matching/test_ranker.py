"""Matcher v0 unit tests with a small deterministic embedder; real-model tests at the end."""

import hashlib

import numpy as np
import pytest

from matching.geo import haversine_km
from matching.lexical import analyse
from matching.ranker import Matcher
from matching.types import PostingDoc, Query

RONGJIANG = (25.931893, 108.52188)
CONGJIANG = (25.7472, 108.9057)  # about 43 km away
GUANGZHOU = (23.1317, 113.2663)


class CharEmbedder:
    """Bag of hashed characters: similar wording, similar vector. Deterministic and fast."""

    model_id = "test-chars"

    def encode(self, texts):
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, text in enumerate(texts):
            for ch in text:
                out[i, int(hashlib.md5(ch.encode()).hexdigest(), 16) % 64] += 1
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


def doc(i, title, where, **kw):
    return PostingDoc(id=i, title=title, lat=where[0], lon=where[1], **kw)


@pytest.fixture
def matcher():
    postings = [
        doc(1, "电焊工", RONGJIANG, description="钢结构焊接，有工地经验优先", wage_min=4500, wage_max=6000),
        doc(2, "保洁员", RONGJIANG, description="酒店客房保洁", wage_min=2200, wage_max=2600),
        doc(3, "电焊工", CONGJIANG, description="焊接", wage_min=5000, wage_max=7000),
        doc(4, "电焊工", GUANGZHOU, description="船厂焊接", wage_min=8000, wage_max=10000,
            housing=True, meals=True),
        doc(5, "电焊工", GUANGZHOU, description="无宿舍", wage_min=9000, wage_max=11000),
        PostingDoc(id=6, title="电焊工", description="地点不明"),
    ]
    return Matcher(CharEmbedder()).fit(postings)


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
    assert a.shape == (2, 512)
    assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-4)
    assert np.allclose(a[0], b[0], atol=1e-5)
    assert emb.model_id.startswith("use-m3-st@")
