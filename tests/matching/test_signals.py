"""Each signal of the matcher, and the English explanations."""

import numpy as np
import pytest

from matching import signals as sig
from matching.explain import explain, format_wage
from matching.occupations import Occupation
from matching.ranker import Matcher
from matching.types import PostingDoc, Query
from tests.matching.helpers import RONGJIANG, CharEmbedder, TwoBlockEmbedder, doc


def by_id(matches):
    return {m.posting.id: m for m in matches}


def test_same_occupation_scores_higher_and_is_named_in_the_reason():
    postings = [
        doc(1, "焊工", RONGJIANG, description="钢构厂"),
        doc(2, "保洁员", RONGJIANG, description="钢构厂"),
    ]
    matches = by_id(Matcher(CharEmbedder()).fit(postings).rank(Query("我会电焊", *RONGJIANG, max_km=10)))
    assert matches[1].signals["occupation"] > 0 and matches[2].signals["occupation"] == 0
    assert matches[1].score > matches[2].score
    assert matches[1].occupation.code == "6-18-02-04"
    assert "和你说的“电焊”是同一类活（焊工）" in matches[1].reason


def test_lexical_evidence_does_not_cross_scripts():
    postings = [doc(1, "VIP 电焊工", RONGJIANG), doc(2, "VIP lounge host", RONGJIANG)]
    matches = by_id(Matcher(CharEmbedder()).fit(postings).rank(Query("VIP service")))
    assert matches[2].signals["lexical_en"] > 0.3  # English with English: word evidence counts
    assert matches[1].signals["lexical_en"] + matches[1].signals["lexical"] < 0.1  # "vip" alone, across


def test_english_block_speaks_only_for_english_on_both_sides():
    postings = [doc(1, "Welder", RONGJIANG, description="welding steel"), doc(2, "电焊工", RONGJIANG)]
    m = Matcher(TwoBlockEmbedder()).fit(postings)
    english = by_id(m.rank(Query("welding steel")))
    chinese = by_id(m.rank(Query("电焊 welding")))
    assert english[1].signals["dense_en"] > 0.5
    assert english[2].signals["dense_en"] == 0
    assert chinese[1].signals["dense_en"] < english[1].signals["dense_en"]


def test_single_block_models_have_no_english_signal(matcher):
    assert all(m.signals["dense_en"] == 0 for m in matcher.rank(Query("电焊")))


def test_pay_and_proximity_signals():
    assert sig.pay_fit(np.array([6000, 3000, np.nan]), 6000).tolist() == [1.0, 0.5, 0.5]
    assert sig.pay_fit(np.array([3000.0]), None).tolist() == [0.5]
    assert sig.proximity(np.array([0.0, 30.0, np.nan])).tolist() == pytest.approx([1.0, np.exp(-1), 0.5])
    assert sig.housing_signal(np.array([True, False]), True).tolist() == [1.0, 0.0]


def test_score_is_the_sigmoid_of_the_weighted_features():
    signals = {"a": np.array([1.0, 0.0]), "b": np.array([0.5, 0.5])}
    out = sig.combine(signals, {"a": 2.0, "b": 1.0}, -1.0)
    assert out == pytest.approx(1 / (1 + np.exp(-np.array([1.5, -0.5]))))


def test_score_returns_every_candidate_in_the_same_order_as_rank(matcher):
    query = Query("会电焊", *RONGJIANG, max_km=60)
    scored = matcher.score(query)
    assert sorted(scored.rows.tolist()) == sorted(matcher.candidates(query).tolist())
    ranked = [m.posting.id for m in matcher.rank(query, limit=10)]
    assert [matcher.postings_[r].id for r in scored.rows[scored.order()]] == ranked


def test_rank_many_equals_rank_one_by_one(matcher):
    queries = [Query("会电焊", *RONGJIANG, max_km=60), Query("保洁", *RONGJIANG, max_km=20), Query("电焊")]
    many = matcher.rank_many(queries, limit=5)
    assert [[m.posting.id for m in ms] for ms in many] == [
        [m.posting.id for m in matcher.rank(q, 5)] for q in queries
    ]


def test_english_explanation_says_the_same_things():
    posting = PostingDoc(id=1, title="电焊工", wage_min=4500, wage_max=6000, housing=True)
    welder = Occupation("6-18-02-04", "焊工", 0.8, "电焊")
    en = explain(posting, 12.3, ("钢结构",), True, welder, lang="en")
    assert en == (
        "12 km from home · ¥4,500–6,000 a month · pay below what you asked for · housing provided"
        " · same kind of work as '电焊' (Welder) · matches your words '钢结构'"
    )
    zh = explain(posting, 12.3, ("钢结构",), True, welder)
    assert zh == ("离家12公里 · 月薪4500–6000元 · 工资低于你的期望 · 包住 · "
                  "和你说的“电焊”是同一类活（焊工） · 和你说的“钢结构”对得上")
    assert (
        format_wage(None, None, "en") == "pay negotiable"
        and format_wage(5000, None, "en") == "from ¥5,000 a month"
    )


def test_a_reason_names_only_an_occupation_the_worker_was_fairly_sure_of():
    posting_side = (Occupation("4-02-07-10", "网约配送员", 1.0, "网约配送员"),)
    faint = (Occupation("4-02-07-10", "网约配送员", 0.19, "工作"),)
    assert sig.shared_occupation(faint, posting_side) is None
    fair = (Occupation("4-02-07-10", "网约配送员", 0.2, "外卖"),)
    assert sig.shared_occupation(fair, posting_side) == fair[0]
    # The surer of two shared occupations is named, by joint confidence.
    both = (Occupation("6-18-02-04", "焊工", 0.5, "电焊"), fair[0])
    theirs = (*posting_side, Occupation("6-18-02-04", "焊工", 0.9, "焊工"))
    assert sig.shared_occupation(both, theirs) == both[0]


def test_rank_in_english(matcher):
    top = matcher.rank(Query("会电焊", *RONGJIANG, max_km=20), lang="en")[0]
    assert top.reason.startswith("close to home · ¥4,500–6,000 a month")
