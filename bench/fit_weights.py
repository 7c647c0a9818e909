"""Fit the matcher's signal weights: ``python -m bench.fit_weights [--per-set N]``.

A logistic regression over the features of ``matching.signals.FEATURES`` (L2, minimised with
scipy's L-BFGS-B so that the ``NON_NEGATIVE`` signals keep weights of at least 0), on data the
reported figures never use: the rural set's training workers (``qrels/train.tsv``) and the
"fit" half of each shared benchmark's queries (``matching.evaluate.split_of``), at most
``--per-set`` queries each. Per query, the postings used are every relevant one, the 50
non-relevant candidates with the most text evidence (summed text features, so that sampling does
not depend on the weights being fitted) and 50 drawn at random; the rural set's queries keep
every candidate within reach. A set whose queries are among the occupation index's labelled
titles is scored cross-fitted, as the evaluation does (``matching.evaluate.build_matchers``).

The regression is pairwise (RankNet-style): each pair of postings with different grades gives
x = f(better) − f(worse), label 1, and its mirror, label 0; a query's pairs weigh 1 in total in
proportion to the grade gap, and each set weighs the same in total, so that the small rural set
is not drowned by the large ones. A one-feature logistic regression on the resulting score then
sets scale and intercept, so that the site's score reads as the chance that a posting is
relevant (the order does not change). Prints the weights to paste into ``matching/signals.py``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from bench.evaluate import RURAL, find_sets
from matching.benchmark import load_benchmark
from matching.evaluate import (
    CACHE_DIR,
    DEFAULT_MODEL_PATH,
    CachedEmbedder,
    build_matchers,
    load_embedder,
    select_queries,
)
from matching.ranker import Matcher
from matching.signals import FEATURES

HARD, RANDOM = 50, 50
SEED = 7
# Signals whose direction the design fixes: more of them never makes a posting a worse match
# (a fit on few examples can still find a negative weight, e.g. housing where every relocating
# worker's far-away candidates are housed).
NON_NEGATIVE = ("occupation", "occupation_group", "proximity", "pay", "housing", "employment_type",
                "availability", "recency", "trust")


TEXT = ("dense", "dense_use_en", "dense_en", "lexical", "lexical_en", "occupation")


def query_pairs(matcher: Matcher, qrels: dict[str, int], scored_rows: np.ndarray, keep_all: bool,
                signals: dict[str, np.ndarray], rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Feature differences (better minus worse), their labels and weights, for one query.

    Each pair (a, b) with grade(a) > grade(b) becomes x = f(a) − f(b) with label 1 and its mirror
    f(b) − f(a) with label 0; the query's pairs weigh 1 in total, in proportion to the grade gap.
    """
    ids = np.array([str(matcher.postings_[r].id) for r in scored_rows], dtype=object)
    grades = np.array([qrels.get(i, 0) for i in ids], dtype=float)
    neg = np.flatnonzero(grades == 0)
    evidence = sum(signals[f] for f in TEXT)
    hard = neg if keep_all else neg[np.argsort(-evidence[neg], kind="stable")[:HARD]]
    rest = np.setdiff1d(neg, hard)
    easy = rng.choice(rest, size=min(RANDOM, len(rest)), replace=False) if len(rest) else rest
    picked = np.concatenate([np.flatnonzero(grades > 0), hard, easy]).astype(int)
    feats = np.column_stack([signals[f][picked] for f in FEATURES])
    g = grades[picked]
    better, worse = np.nonzero(g[:, None] > g[None, :])
    diff = feats[better] - feats[worse]
    gap = g[better] - g[worse]
    x = np.vstack([diff, -diff])
    y = np.concatenate([np.ones(len(diff), int), np.zeros(len(diff), int)])
    w = np.concatenate([gap, gap]) / (2 * gap.sum()) if len(gap) else np.zeros(0)
    return x, y, w, feats, (g > 0).astype(int)


def set_pairs(folder: Path, embedder: CachedEmbedder, per_set: int, rng: np.random.Generator
              ) -> tuple[np.ndarray, ...]:
    """Training pairs of one benchmark's fitting queries (the set's weights sum to 1), and the
    sampled (posting features, relevant) rows for calibrating the score."""
    rural = folder == RURAL
    bench = load_benchmark(folder, "train.tsv" if rural else "test.tsv")
    qids = select_queries(bench.judged(), "all" if rural else "fit", per_set)
    xs, ys, ws, points, labels = [], [], [], [], []
    for matcher, part in build_matchers(bench, embedder, qids):  # cross-fitted, as evaluated
        vectors = matcher.encode_queries([bench.queries[q] for q in part])
        for qid, vector in zip(part, vectors, strict=True):
            scored = matcher.score(bench.queries[qid], vector)
            if not len(scored.rows):
                continue
            x, y, w, f, r = query_pairs(matcher, bench.qrels[qid], scored.rows, rural, scored.signals, rng)
            xs.append(x), ys.append(y), ws.append(w), points.append(f), labels.append(r)
    weights = np.concatenate(ws)
    pairs = (np.vstack(xs), np.concatenate(ys), weights / weights.sum())
    return (*pairs, np.vstack(points), np.concatenate(labels))


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, c: float = 1.0,
        only: list[str] | None = None) -> np.ndarray:
    """The pairwise logistic regression (L2, no intercept: only differences matter for the order),
    minimised by L-BFGS-B so that the ``NON_NEGATIVE`` weights stay at or above 0.

    With ``only``, just those features are fitted and the others are held at ``DEFAULT_WEIGHTS``:
    for new features that only some sets carry (elsewhere they are constant, so their pair
    differences are zero), so that the fitted weights keep their meaning and the others do not move.
    """
    from scipy.optimize import minimize

    from matching.signals import DEFAULT_WEIGHTS

    free = np.array([only is None or f in only for f in FEATURES])
    fixed = np.array([DEFAULT_WEIGHTS.get(f, 0.0) for f in FEATURES])
    offset = x[:, ~free] @ fixed[~free]
    sign = 2 * y - 1
    weights = w * len(w)

    def loss(beta: np.ndarray) -> tuple[float, np.ndarray]:
        margin = sign * (offset + x[:, free] @ beta)
        value = float(weights @ np.logaddexp(0, -margin)) + 0.5 / c * float(beta @ beta)
        grad = -(x[:, free].T @ (weights * sign / (1 + np.exp(margin)))) + beta / c
        return value, grad

    bounds = [(0.0, None) if f in NON_NEGATIVE else (None, None)
              for f, keep in zip(FEATURES, free, strict=True) if keep]
    beta = minimize(loss, np.zeros(int(free.sum())), jac=True, method="L-BFGS-B", bounds=bounds).x
    coef = fixed.copy()
    coef[free] = beta
    return coef


def calibrate(coef: np.ndarray, points: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, float]:
    """Scale and intercept so that sigmoid(score) reads as P(relevant); the order is unchanged."""
    logits = (points @ coef)[:, None]
    model = LogisticRegression(max_iter=1000, class_weight="balanced").fit(logits, labels)
    return coef * float(model.coef_[0, 0]), float(model.intercept_[0])


def main(argv: list[str] | None = None) -> None:
    """Collect pairs from every set, fit, and print the weights."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-set", type=int, default=300, help="fitting queries per set")
    ap.add_argument("--sets", help="comma-separated folder names (default: all)")
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL_PATH)
    ap.add_argument("--no-cache", action="store_true", help="embed everything afresh (no vector cache)")
    ap.add_argument("-C", type=float, default=1.0, help="inverse regularisation strength")
    ap.add_argument("--only", help="comma-separated features to fit, the others held at their weights")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(SEED)
    embedder = CachedEmbedder(load_embedder(args.model), None if args.no_cache else CACHE_DIR)
    parts = [set_pairs(f, embedder, args.per_set, rng)
             for f in find_sets(args.sets.split(",") if args.sets else None)]
    x, y, w, points, labels = (np.concatenate(p) for p in zip(*parts, strict=True))
    if args.only:
        from matching.signals import INTERCEPT, UNKNOWN

        only = args.only.split(",")
        coef = fit(x, y, w, args.C, only)
        # Where these facts are unknown (UNKNOWN everywhere), scores stay exactly as before.
        intercept = INTERCEPT - UNKNOWN * sum(c for f, c in zip(FEATURES, coef, strict=True) if f in only)
    else:
        coef, intercept = calibrate(fit(x, y, w, args.C), points, labels)
    weights = {f: round(float(c), 3) for f, c in zip(FEATURES, coef, strict=True)}
    print(f"# {len(y) // 2:,} ordered pairs from {len(parts)} sets; {len(labels):,} postings for calibration")
    print("DEFAULT_WEIGHTS =", json.dumps(weights))
    print("INTERCEPT =", round(intercept, 3))


if __name__ == "__main__":
    main()
