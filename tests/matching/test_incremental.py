"""Adding and removing postings gives the same rankings as building the index from scratch."""

from dataclasses import replace

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


def synthetic_postings(count, seed=3):
    """``count`` varied postings: trades, places (some unknown), pay, housing, types and dates."""
    from datetime import date, timedelta

    rng = np.random.default_rng(seed)
    trades = [("电焊工", "钢结构焊接"), ("保洁员", "酒店客房保洁"), ("采茶工", "茶园采茶，包吃"),
              ("仓库搬运工", "装卸货物"), ("Welder", "steel structure welding"), ("厨师", "中餐炒菜"),
              ("司机", "B2驾照，跑长途"), ("养蜂工", "照看蜂箱")]
    places = [RONGJIANG, CONGJIANG, GUANGZHOU, None]
    types = [None, "full_time", "part_time", "day_labour", "seasonal"]
    out = []
    for i in range(count):
        title, text = trades[int(rng.integers(len(trades)))]
        place = places[int(rng.integers(len(places)))]
        lat, lon = (None, None) if place is None else (place[0] + rng.normal(0, 0.2),
                                                       place[1] + rng.normal(0, 0.2))
        low = int(rng.integers(20, 80)) * 100
        out.append(PostingDoc(id=1000 + i, title=title, description=f"{text}，第{i % 17}批", lat=lat, lon=lon,
                              wage_min=low, wage_max=low + 1000 if i % 4 else None, housing=bool(i % 3 == 0),
                              employment_type=types[i % len(types)],
                              season_months=(3, 4, 5) if i % 11 == 0 else (),
                              posted_at=date(2026, 11, 1) + timedelta(days=i % 30),
                              source_trust="bureau" if i % 2 else None))
    return out


SYNTHETIC_QUERIES = [Query("会电焊，在工地干过", *RONGJIANG, max_km=60, wage_expectation=5000),
                     Query("电焊", *RONGJIANG, max_km=20, will_relocate=True,
                           employment_types=("full_time",)),
                     Query("保洁 包吃住"), Query("welding job", *GUANGZHOU, max_km=50),
                     Query("采茶", *CONGJIANG, max_km=30, unavailable_months=(4,), will_relocate=True)]


def full_rankings(matcher):
    """Every query's ranking (ids, rounded scores) and every candidate's exact score."""
    ranked = [[(m.posting.id, m.score) for m in matcher.rank(q, limit=400)] for q in SYNTHETIC_QUERIES]
    exact = []
    for q in SYNTHETIC_QUERIES:
        scored = matcher.score(q)
        exact.append(sorted(zip([matcher.postings_[r].id for r in scored.rows.tolist()],
                                scored.scores.tolist(), strict=True)))
    return ranked, exact


def test_fit_then_add_in_steps_ranks_exactly_like_fitting_everything():
    postings = synthetic_postings(300)
    full = Matcher(CharEmbedder()).fit(postings)
    grown = Matcher(CharEmbedder()).fit(postings[:120])
    for start in range(120, 300, 10):  # a refresh's worth at a time
        grown.add(postings[start : start + 10])
    expected = full_rankings(full)
    assert all(expected[0]) and full_rankings(grown) == expected


@pytest.mark.parametrize("compact_from", [4, 1024])  # removed housed rows compacted away, or skipped
def test_adds_and_removes_in_steps_rank_like_fitting_what_is_left(monkeypatch, compact_from):
    from matching import ranker

    monkeypatch.setattr(ranker, "HOUSED_COMPACT_MIN", compact_from)
    postings = synthetic_postings(300, seed=5)
    grown = Matcher(CharEmbedder()).fit(postings[:100])
    gone = set()
    for start in range(100, 300, 20):
        grown.add(postings[start : start + 20])
        drop = [p.id for p in postings[start - 100 : start - 100 + 20 : 3]]
        grown.remove(drop)
        gone.update(drop)
    kept = [p for p in postings if p.id not in gone]
    assert full_rankings(grown) == full_rankings(Matcher(CharEmbedder()).fit(kept))
    assert grown.size == len(kept)
    assert grown.live_housed().tolist() == [r for r in grown.housed_rows_.tolist() if grown.live_[r]]
    dead = len(grown.housed_rows_) - len(grown.live_housed())
    assert dead == grown._housed_dead
    assert dead <= max(compact_from, ranker.HOUSED_COMPACT_SHARE * len(grown.housed_rows_))
    assert dead > 4 or compact_from == 4  # without compaction, every removed housed row is still listed


def test_adding_a_few_postings_copies_none_of_the_indexed_rows():
    """The per-row arrays grow into spare room: the rows already indexed stay where they are."""
    m = Matcher(CharEmbedder()).fit(synthetic_postings(300))
    before = {name: getattr(m, name) for name in ("vectors_", "live_", "scripts_", "trust_")}
    lexical, geo = m.lexical_._data.view, m.geo_.lats
    m.add([replace(p, id=p.id + 10_000) for p in synthetic_postings(10, seed=9)])
    for name, old in before.items():
        assert np.shares_memory(old, getattr(m, name)), name
    assert np.shares_memory(lexical, m.lexical_._data.view) and np.shares_memory(geo, m.geo_.lats)
