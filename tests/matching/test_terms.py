"""Employment type, availability, recency and trust: their values, the filter, and the reasons."""

from datetime import date, timedelta

import numpy as np
import pytest

from matching import signals as sig
from matching.explain import explain
from matching.ranker import Matcher
from matching.types import PostingDoc, Query, WorkerDoc
from tests.matching.helpers import GUANGZHOU, RONGJIANG, CharEmbedder, doc

TODAY = date(2026, 3, 20)
WEIGHTS = {**sig.DEFAULT_WEIGHTS, "employment_type": 1.0, "availability": 1.0, "recency": 1.0, "trust": 1.0}


def codes(*types):
    return np.array([sig.type_code(t) for t in types])


def months(*postings):
    return np.array([sig.job_months(p.season_months, p.posted_at, p.valid_through, p.employment_type)
                     for p in postings])


def test_employment_type_fit():
    got = sig.employment_fit(codes("full_time", "day_labour", None, "odd"), ("full_time", "part_time"))
    assert got.tolist() == [1.0, 0.0, 0.5, 0.5]
    assert sig.employment_fit(codes("full_time", "seasonal"), ()).tolist() == [0.5, 0.5]  # any type


def test_availability_of_short_and_open_jobs():
    tea = PostingDoc(1, "采茶工", employment_type="seasonal", season_months=(3, 4, 5))
    open_job = PostingDoc(2, "普工", employment_type="full_time")
    short = PostingDoc(3, "搬运工", posted_at=date(2026, 4, 20), valid_through=date(2026, 5, 31))
    unknown = PostingDoc(4, "季节工", employment_type="seasonal")
    masks = months(tea, open_job, short, unknown)
    assert sig.availability(masks, (3, 4, 5)).tolist() == [0.0, 1.0, 0.0, 0.5]
    assert sig.availability(masks, (5, 6)).tolist() == [2 / 3, 1.0, 1 / 2, 0.5]
    assert sig.availability(masks, (4, 5, 9)) == pytest.approx([1 / 3, 1.0, 0.0, 0.5])
    assert sig.availability(masks, ()).tolist() == [0.5] * 4  # the worker named no months
    assert sig.availability(masks, (10,)).tolist() == [1.0, 1.0, 1.0, 0.5]


def test_job_months_wrap_the_new_year_and_long_jobs_have_no_period():
    winter = sig.job_months((), date(2025, 11, 1), date(2026, 2, 1), None)
    assert winter == sig.month_mask([11, 12, 1, 2])
    assert sig.job_months((), date(2025, 1, 1), date(2026, 6, 1), "seasonal") == sig.NO_PERIOD


def test_recency_decays_over_thirty_days():
    posted = np.array([sig.day_number(d) for d in (TODAY, TODAY - timedelta(days=30), None,
                                                    TODAY + timedelta(days=3))])
    assert sig.recency(posted, TODAY) == pytest.approx([1.0, np.exp(-1), 0.5, 1.0])
    assert sig.recency(posted, None).tolist() == [0.5] * 4


def test_trust_by_publisher_and_sightings():
    assert [sig.trust(t) for t in ("official", "bureau", "employer", "aggregator", None, "x")] == \
        pytest.approx([1.0, 1.0, 0.7, 0.4, 0.5, 0.5])
    assert sig.trust("aggregator", 2) == pytest.approx(0.5)
    assert sig.trust("aggregator", 9) == pytest.approx(0.6)  # at most two further sources count
    assert sig.trust("official", 3) == 1.0


def postings():
    base = {"description": "钢结构焊接", "wage_min": 5000, "wage_max": 6000}
    return [
        doc(1, "电焊工", RONGJIANG, employment_type="full_time", source_trust="official", sightings=3,
            posted_at=TODAY - timedelta(days=3), **base),
        doc(2, "电焊工", RONGJIANG, employment_type="day_labour", source_trust="aggregator",
            posted_at=TODAY - timedelta(days=80), **base),
        doc(3, "电焊工", RONGJIANG, employment_type="seasonal", season_months=(5, 6), **base),
        doc(4, "电焊工", GUANGZHOU, employment_type="full_time", source_trust="official",
            posted_at=TODAY, **base),
    ]


def test_matcher_signals_and_order_follow_the_terms():
    m = Matcher(CharEmbedder(), weights=WEIGHTS).fit(postings())
    query = Query("会电焊", *RONGJIANG, max_km=30, employment_types=("full_time",), unavailable_months=(5, 6),
                  today=TODAY)
    matches = {x.posting.id: x for x in m.rank(query)}
    assert set(matches) == {1, 2, 3}  # the hard filter stays hard: Guangzhou is out of reach
    one, two, three = matches[1].signals, matches[2].signals, matches[3].signals
    assert (one["employment_type"], two["employment_type"], three["employment_type"]) == (1.0, 0.0, 0.0)
    assert (one["availability"], two["availability"], three["availability"]) == (1.0, 1.0, 0.0)
    assert one["recency"] == pytest.approx(np.exp(-0.1)) and three["recency"] == 0.5
    assert (one["trust"], two["trust"], three["trust"]) == pytest.approx((1.0, 0.4, 0.5))
    assert [x.posting.id for x in m.rank(query)] == [1, 2, 3]


def test_reasons_name_the_terms_that_moved_the_score():
    m = Matcher(CharEmbedder(), weights=WEIGHTS).fit(postings())
    query = Query("会电焊", *RONGJIANG, max_km=30, employment_types=("full_time",), unavailable_months=(5, 6),
                  today=TODAY)
    zh = {x.posting.id: x.reason for x in m.rank(query)}
    en = {x.posting.id: x.reason for x in m.rank(query, lang="en")}
    assert "长期工" in zh[1] and "人社局发布，另见2个渠道" in zh[1] and "3天前发布" in zh[1]
    assert "full-time" in en[1] and "posted by the county job bureau; also on 2 other sites" in en[1]
    assert "posted 3 days ago" in en[1]
    assert "是零工，不是你要的类型" in zh[2] and "发布" not in zh[2]  # old, aggregator: nothing to praise
    assert "要在你没空的月份上工" in zh[3] and "runs in months you said you are busy" in en[3]
    assert all(len(r.split(" · ")) <= 6 for r in zh.values())


def test_reason_without_terms_is_unchanged():
    posting = PostingDoc(1, "电焊工", wage_min=4500, wage_max=6000, housing=True)
    assert explain(posting, 12.0, (), False) == "离家12公里 · 月薪4500–6000元 · 包住"


def test_worker_as_query_carries_the_terms():
    worker = WorkerDoc(1, "会电焊", *RONGJIANG, max_commute_km=30, employment_types=("part_time",),
                       unavailable_months=(9, 10))
    query = worker.as_query(TODAY)
    assert query.employment_types == ("part_time",) and query.unavailable_months == (9, 10)
    assert query.today == TODAY


def test_reverse_ranking_uses_the_same_terms():
    m = Matcher(CharEmbedder(), weights=WEIGHTS).fit(postings())
    vacancy = m.postings_[m.row_of_[postings()[0].id]]  # rows are stored by place, not as given
    workers = [WorkerDoc(1, "会电焊", *RONGJIANG, max_commute_km=30, employment_types=("full_time",)),
               WorkerDoc(2, "会电焊", *RONGJIANG, max_commute_km=30, employment_types=("day_labour",))]
    ranked = m.rank_workers(vacancy, workers, today=TODAY)
    assert [w.worker.id for w in ranked] == [1, 2]
    forward = next(x for x in m.rank(workers[0].as_query(TODAY)) if x.posting.id == vacancy.id)
    for key in ("employment_type", "availability", "recency", "trust"):
        assert ranked[0].signals[key] == pytest.approx(forward.signals[key])
