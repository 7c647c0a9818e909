"""Reverse matching: for a vacancy, the workers within reach, best first, with reasons."""

import pytest

from matching.ranker import Matcher
from matching.types import PostingDoc, WorkerDoc
from tests.matching.helpers import CONGJIANG, GUANGZHOU, RONGJIANG, CharEmbedder, welding_postings

WORKERS = [
    WorkerDoc(1, "会电焊，在工地干过三年", *RONGJIANG, max_commute_km=30, wage_expectation=5000),
    WorkerDoc(2, "想找个打扫卫生的活", *RONGJIANG, max_commute_km=30),
    WorkerDoc(3, "电焊氩弧焊都会", *CONGJIANG, max_commute_km=20),  # 43 km away, stays home
    WorkerDoc(4, "电焊工，出去打工也行", *GUANGZHOU, max_commute_km=10, will_relocate=True,
              wage_expectation=9000),
    WorkerDoc(5, "会焊接", None, None),  # no home given: no distance limit
]


@pytest.fixture
def vacancy():
    return welding_postings()[0]  # 电焊工 in Rongjiang, 4500-6000, no housing


def test_only_workers_within_reach_are_ranked(matcher, vacancy):
    ids = [m.worker.id for m in matcher.rank_workers(vacancy, WORKERS)]
    assert set(ids) == {1, 2, 5}  # 3 is beyond its radius; 4 relocates but the job has no housing


def test_relocating_workers_reach_jobs_with_housing(matcher):
    housed = welding_postings()[3]  # Guangzhou, housing
    ids = [m.worker.id for m in matcher.rank_workers(housed, WORKERS)]
    assert 4 in ids and 1 not in ids


def test_welders_rank_above_cleaners_with_reasons(matcher, vacancy):
    matches = matcher.rank_workers(vacancy, WORKERS)
    assert {m.worker.id for m in matches[:2]} == {1, 5} and matches[-1].worker.id == 2
    welder = next(m for m in matches if m.worker.id == 1)
    assert "同一类活：焊工" in welder.reason and "期望月薪5000元" in welder.reason
    assert welder.reason.startswith("家离这里")
    english = next(m for m in matcher.rank_workers(vacancy, WORKERS, lang="en") if m.worker.id == 1).reason
    assert "same kind of work: Welder" in english and "expects ¥5,000 a month" in english


def test_same_signals_as_the_forward_direction(matcher, vacancy):
    worker = WORKERS[0]
    forward = next(m for m in matcher.rank(worker.as_query()) if m.posting.id == vacancy.id)
    backward = matcher.rank_workers(vacancy, [worker])[0]
    for name in ("dense", "lexical", "occupation", "proximity", "pay", "housing"):
        assert backward.signals[name] == pytest.approx(forward.signals[name], abs=1e-5), name
    assert backward.score == pytest.approx(forward.score, abs=1e-4)


def test_a_vacancy_not_in_the_index_can_be_ranked_too():
    m = Matcher(CharEmbedder()).fit(welding_postings())
    new = PostingDoc(id="new", title="保洁员", lat=RONGJIANG[0], lon=RONGJIANG[1])
    assert m.rank_workers(new, WORKERS)[0].worker.id == 2


def test_pay_below_expectation_is_said(matcher, vacancy):
    rich = WorkerDoc(9, "电焊", *RONGJIANG, max_commute_km=30, wage_expectation=8000)
    assert "期望高于这里的工资" in matcher.rank_workers(vacancy, [rich])[0].reason
