"""The incremental TF-IDF index equals scikit-learn's, before and after adds and removes."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from matching.lexical import LexicalIndex, analyse, script_shares

TEXTS = ["电焊工 钢结构焊接", "保洁员 酒店客房保洁", "电焊工 船厂焊接 welding", "welder wanted welding steel",
         "叉车司机 仓库装卸"]
QUERIES = ["会电焊", "welding job", "保洁", "仓库叉车 welding"]


def sklearn_scores(texts, query):
    vec = TfidfVectorizer(analyzer=analyse, sublinear_tf=True).fit(texts)
    return (vec.transform([query]) @ vec.transform(texts).T).toarray()[0]


@pytest.mark.parametrize("query", QUERIES)
def test_scores_equal_scikit_learn(query):
    index = LexicalIndex().fit(TEXTS)
    assert np.allclose(index.scores(index.encode(query), np.arange(len(TEXTS))), sklearn_scores(TEXTS, query))


@pytest.mark.parametrize("query", QUERIES)
def test_adds_and_removes_equal_a_fresh_fit(query):
    grown = LexicalIndex().fit(TEXTS[:2]).add(TEXTS[2:]).add(["临时工 日结"]).remove(np.array([5, 1]))
    live = [0, 2, 3, 4]
    fresh = sklearn_scores([TEXTS[i] for i in live], query)
    assert np.allclose(grown.scores(grown.encode(query), np.array(live)), fresh)


def test_matched_terms_skip_lone_characters():
    index = LexicalIndex().fit(TEXTS)
    assert index.matched_terms(index.encode("会电焊，钢结构"), 0) == ("钢结构", "电焊")


def test_script_shares():
    assert script_shares("电焊工") == (1.0, 0.0)
    assert script_shares("welding job") == (0.0, 1.0)
    cjk, latin = script_shares("电焊工 VIP")
    assert cjk == pytest.approx(0.75) and latin == pytest.approx(0.25)
    assert script_shares("123") == (0.0, 0.0)


def test_row_and_posting_list_paths_give_the_same_scores():
    import numpy as np

    from matching import lexical

    texts = [f"招聘{w}工{i}号，包吃住" for i, w in enumerate(["焊", "电", "木", "瓦", "钳"] * 40)]
    index = lexical.LexicalIndex().fit(texts)
    query = index.encode("会电焊的焊工")
    few = np.array([0, 1, 7, 100])
    by_rows = index.scores(query, few)  # 4 of 200 rows: the row path
    by_lists = index.scores(query, np.arange(200))[few]  # all rows: the posting-list path
    assert np.allclose(by_rows, by_lists) and by_rows[0] > 0


@pytest.mark.parametrize("cost", [1e-9, 1e9])
def test_searched_and_scattered_posting_lists_give_identical_scores(monkeypatch, cost):
    from matching import lexical

    texts = [f"招聘{w}工{i}号，包吃住 welding" + ("，船厂" if i % 50 == 0 else "")
             for i, w in enumerate(["焊", "电", "木", "瓦", "钳"] * 40)]
    index = lexical.LexicalIndex().fit(texts)
    query = index.encode("会电焊的焊工，船厂包吃住 welding")
    rows = np.array([0, 1, 7, 100, 150, 199])
    monkeypatch.setattr(lexical, "SCATTER_COST", cost)  # tiny: scatter; huge: by rows
    got = index.scores(query, rows)
    cols, weights = query.indices.tolist(), query.data.tolist()
    lengths = np.diff(index.postings_.indptr)[query.indices].tolist()
    assert max(lengths) > len(rows) > min(lengths)  # some lists searched, some matched in the rows
    expected = (index.postings_[rows][:, query.indices] @ query.data).ravel()
    assert np.array_equal(got, index._scattered_scores(cols, weights)[rows])
    assert np.array_equal(got, index._row_scores(cols, weights, lengths, rows))
    assert np.allclose(got, expected) and got[0] > 0
