"""Adding and removing postings gives the same rankings as building the index from scratch."""

import numpy as np
import pytest

from matching import geo
from matching.ranker import Matcher
from matching.types import PostingDoc, Query
from tests.matching.helpers import CONGJIANG, GUANGZHOU, RONGJIANG, CharEmbedder, doc, welding_postings

QUERIES = [Query("会电焊，在工地干过", *RONGJIANG, max_km=60, wage_expectation=5000),
           Query("电焊", *RONGJIANG, max_km=20, will_relocate=True), Query("保洁"), Query("焊接 船厂")]


def more_postings():
    return [doc(7, "焊工", RONGJIANG, description="焊接护栏", wage_min=4000, wage_max=5000),
            doc(8, "保洁员", GUANGZHOU, description="包住", housing=True),
            doc(9, "船厂电焊工", CONGJIANG, description="船厂焊接")]


def rankings(matcher):
    return [[(m.posting.id, m.score, m.reason) for m in matcher.rank(q, limit=20)] for q in QUERIES]


def test_adding_equals_a_full_rebuild():
    grown = Matcher(CharEmbedder()).fit(welding_postings()).add(more_postings())
    full = Matcher(CharEmbedder()).fit(welding_postings() + more_postings())
    assert rankings(grown) == rankings(full)


def test_removing_equals_a_full_rebuild():
    shrunk = Matcher(CharEmbedder()).fit(welding_postings() + more_postings()).remove([1, 4, 8, 99])
    kept = [p for p in welding_postings() + more_postings() if p.id not in {1, 4, 8}]
    assert rankings(shrunk) == rankings(Matcher(CharEmbedder()).fit(kept))
    assert shrunk.size == len(kept)


def test_adding_a_known_id_replaces_the_posting():
    m = Matcher(CharEmbedder()).fit(welding_postings())
    m.add([PostingDoc(id=2, title="电焊工", description="换成焊接", lat=RONGJIANG[0], lon=RONGJIANG[1])])
    titles = {x.posting.id: x.posting.title for x in m.rank(Query("电焊", *RONGJIANG, max_km=5))}
    assert titles[2] == "电焊工" and m.size == 6


def test_precomputed_vectors_are_used_as_given():
    postings = more_postings()
    vectors = CharEmbedder().encode([p.title for p in postings])
    m = Matcher(CharEmbedder()).fit(welding_postings()).add(postings, vectors)
    assert np.allclose(m.vectors_[-3:], vectors)
    with pytest.raises(ValueError):
        m.add(postings, vectors[:2])


def test_geo_index_search_is_the_same_before_and_after_folding_in(monkeypatch):
    monkeypatch.setattr(geo, "REBUILD_MIN", 3)
    rng = np.random.default_rng(1)
    lats, lons = rng.uniform(20, 30, 50), rng.uniform(100, 115, 50)
    grown = geo.GeoIndex(lats[:10], lons[:10])
    for start in range(10, 50, 5):
        grown.add(lats[start:start + 5], lons[start:start + 5])
    full = geo.GeoIndex(lats, lons)
    for lat, lon in zip(lats[:5], lons[:5], strict=True):
        assert grown.within(lat, lon, 300).tolist() == full.within(lat, lon, 300).tolist()


def test_reverse_matching_sees_postings_added_later():
    from matching.types import WorkerDoc

    m = Matcher(CharEmbedder()).fit(welding_postings())
    new = doc(7, "采茶工", RONGJIANG, description="茶园采茶")
    m.add([new])
    workers = [WorkerDoc(1, "会采茶", *RONGJIANG, max_commute_km=10), WorkerDoc(2, "会电焊", *RONGJIANG)]
    best = m.rank_workers(new, workers)[0]
    assert best.worker.id == 1 and "采茶" in best.reason
