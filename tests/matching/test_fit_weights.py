"""The listwise weight fit of ``bench.fit_weights`` on lists whose answer is known."""

from types import SimpleNamespace

import numpy as np
import pytest

from bench.fit_weights import fit, query_lists
from matching.signals import DEFAULT_WEIGHTS, FEATURES

F = len(FEATURES)


def synthetic_lists(rng, n_lists=300, size=20, push=None):
    """Lists whose first row beats the others along the features in ``push`` (signed)."""
    x = rng.random((n_lists * size, F))
    for name, sign in (push or {}).items():
        x[::size, FEATURES.index(name)] += 0.5 * sign
    sizes = np.full(n_lists, size)
    return x, sizes, np.full(n_lists, 1 / n_lists)


def test_the_feature_that_picks_the_winner_gets_the_weight():
    rng = np.random.default_rng(0)
    x, sizes, w = synthetic_lists(rng, push={"dense": 1, "pay": 1})
    coef = dict(zip(FEATURES, fit(x, sizes, w), strict=True))
    assert coef["dense"] > 2 and coef["pay"] > 2
    assert all(abs(coef[f]) < 0.3 * coef["dense"] for f in FEATURES if f not in ("dense", "pay"))
    # Fresh lists: the fitted score puts the winner first far more often than chance (1 in 20).
    test, sizes, _ = synthetic_lists(np.random.default_rng(1), n_lists=200, push={"dense": 1, "pay": 1})
    scores = (test @ np.array([coef[f] for f in FEATURES])).reshape(len(sizes), -1)
    assert np.mean(scores.argmax(axis=1) == 0) > 0.5


def test_design_directions_stay_non_negative_and_the_others_may_go_below():
    rng = np.random.default_rng(2)
    x, sizes, w = synthetic_lists(rng, push={"housing": -1, "lexical_en": -1})
    coef = dict(zip(FEATURES, fit(x, sizes, w), strict=True))
    assert coef["housing"] == 0.0  # held at its bound
    assert coef["lexical_en"] < -1


def test_only_fits_the_named_features_and_keeps_the_rest():
    rng = np.random.default_rng(3)
    x, sizes, w = synthetic_lists(rng, push={"trust": 1})
    coef = dict(zip(FEATURES, fit(x, sizes, w, only=["trust"]), strict=True))
    assert coef["trust"] > 1
    assert all(coef[f] == DEFAULT_WEIGHTS[f] for f in FEATURES if f != "trust")


def test_each_relevant_posting_opens_a_list_against_every_worse_one():
    grades = {"a": 2, "b": 1}
    matcher = SimpleNamespace(postings_=[SimpleNamespace(id=i) for i in ("x", "a", "y", "b")])
    signals = {f: np.arange(4, dtype=float) + 10 * k for k, f in enumerate(FEATURES)}
    rows, sizes, weights, feats, relevant = query_lists(
        matcher, grades, np.arange(4), True, signals, np.random.default_rng(0))
    # Sampled order: relevant first (a, b), then the others (x, y).
    assert relevant.tolist() == [1, 1, 0, 0]
    assert sizes.tolist() == [4, 3]  # a against b, x, y; b against x, y
    assert weights == pytest.approx([0.75, 0.25])  # gains 2² − 1 and 2¹ − 1
    dense = rows[:, FEATURES.index("dense")]
    assert dense.tolist() == [1, 3, 0, 2, 3, 0, 2]
    assert feats.shape == (4, F)
