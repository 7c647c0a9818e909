"""Fit the matcher's signal weights: ``python -m bench.fit_weights [--per-set N]``.

A listwise softmax fit over the features of ``matching.signals.FEATURES`` (L2, minimised with
scipy's L-BFGS-B so that the ``NON_NEGATIVE`` signals keep weights of at least 0), on data the
reported figures never use: the rural set's training workers (``qrels/train.tsv``) and the
"fit" half of each shared benchmark's queries (``matching.evaluate.split_of``), at most
``--per-set`` queries each. Per query, the postings used are every relevant one, the 50
non-relevant candidates with the most text evidence (summed text features, so that sampling does
not depend on the weights being fitted) and 50 drawn at random; the rural set's queries keep
every candidate within reach. A set whose queries are among the occupation index's labelled
titles is scored cross-fitted, as the evaluation does (``matching.evaluate.build_matchers``).

Each relevant posting opens a list: itself and every sampled posting of a lower grade; the loss is
minus the log of its softmax share of the list (ListNet/"softmax cross-entropy" with one winner),
weighted by its gain 2^grade − 1, each query's lists weighing 1 in total and each set the same in
total, so that the small rural set is not drowned by the large ones. This is what the reported
figures reward (the relevant posting above every worse one, at the top): on the shared sets it
gave a higher MRR@10 than the earlier pairwise fit, which spent its weight on ordering pairs deep
in the list. A one-feature logistic regression on the resulting score then sets scale and
intercept, so that the site's score reads as the chance that a posting is relevant (the order
does not change). Prints the weights to paste into ``matching/signals.py``.
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


def query_lists(matcher: Matcher, qrels: dict[str, int], scored_rows: np.ndarray, keep_all: bool,
                signals: dict[str, np.ndarray], rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """The softmax lists of one query: stacked feature rows, each list's first row, its weight.

    Each relevant posting a (grade g > 0) opens a list: a itself, then every sampled posting of a
    lower grade. Its weight is the gain 2^g − 1, the query's lists weighing 1 in total. Also
    returned: the sampled rows' features and whether each is relevant (for ``calibrate``).
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
    lists = [np.concatenate([[i], np.flatnonzero(g < g[i])]) for i in np.flatnonzero(g > 0)]
    lists = [rows for rows in lists if len(rows) > 1]
    gain = np.array([2.0 ** g[rows[0]] - 1 for rows in lists])
    rows = np.concatenate(lists) if lists else np.zeros(0, int)
    sizes = np.array([len(r) for r in lists], dtype=int)
    return feats[rows], sizes, gain / gain.sum() if len(gain) else gain, feats, (g > 0).astype(int)


def set_lists(folder: Path, embedder: CachedEmbedder, per_set: int, rng: np.random.Generator
              ) -> tuple[np.ndarray, ...]:
    """The softmax lists of one benchmark's fitting queries (the set's weights sum to 1), and the
    sampled (posting features, relevant) rows for calibrating the score."""
    rural = folder == RURAL
    bench = load_benchmark(folder, "train.tsv" if rural else "test.tsv")
    qids = select_queries(bench.judged(), "all" if rural else "fit", per_set)
    xs, sizes, ws, points, labels = [], [], [], [], []
    for matcher, part in build_matchers(bench, embedder, qids):  # cross-fitted, as evaluated
        vectors = matcher.encode_queries([bench.queries[q] for q in part])
        for qid, vector in zip(part, vectors, strict=True):
            scored = matcher.score(bench.queries[qid], vector)
            if not len(scored.rows):
                continue
            x, n, w, f, r = query_lists(matcher, bench.qrels[qid], scored.rows, rural, scored.signals, rng)
            xs.append(x), sizes.append(n), ws.append(w), points.append(f), labels.append(r)
    weights = np.concatenate(ws)
    return (np.vstack(xs), np.concatenate(sizes), weights / weights.sum(), np.vstack(points),
            np.concatenate(labels))


def fit(x: np.ndarray, sizes: np.ndarray, w: np.ndarray, c: float = 10.0,
        only: list[str] | None = None) -> np.ndarray:
    """The listwise fit: minimise Σ w · (−log softmax of each list's first row) + ‖β‖² / (200·c)
    by L-BFGS-B, so that the ``NON_NEGATIVE`` weights stay at or above 0. No intercept: it
    cancels in a softmax.

    With ``only``, just those features are fitted and the others are held at ``DEFAULT_WEIGHTS``:
    for new features that only some sets carry (elsewhere they are constant, so they cancel in
    every list), so that the fitted weights keep their meaning and the others do not move.
    """
    from scipy.optimize import minimize

    from matching.signals import DEFAULT_WEIGHTS

    free = np.array([only is None or f in only for f in FEATURES])
    fixed = np.array([DEFAULT_WEIGHTS.get(f, 0.0) for f in FEATURES])
    offset = x[:, ~free] @ fixed[~free]
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    owner = np.repeat(np.arange(len(sizes)), sizes)
    xf, first = x[:, free], x[starts][:, free]
    ridge = 1 / (100 * c)

    def loss(beta: np.ndarray) -> tuple[float, np.ndarray]:
        s = offset + xf @ beta
        top = np.maximum.reduceat(s, starts)
        e = np.exp(s - top[owner])
        z = np.add.reduceat(e, starts)
        value = float(w @ (top + np.log(z) - s[starts])) + 0.5 * ridge * float(beta @ beta)
        grad = xf.T @ (w[owner] * e / z[owner]) - first.T @ w + ridge * beta
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
    """Collect the lists of every set, fit, and print the weights."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-set", type=int, default=300, help="fitting queries per set")
    ap.add_argument("--sets", help="comma-separated folder names (default: all)")
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL_PATH)
    ap.add_argument("--no-cache", action="store_true", help="embed everything afresh (no vector cache)")
    ap.add_argument("-C", type=float, default=10.0, help="inverse regularisation strength")
    ap.add_argument("--only", help="comma-separated features to fit, the others held at their weights")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(SEED)
    embedder = CachedEmbedder(load_embedder(args.model), None if args.no_cache else CACHE_DIR)
    parts = [set_lists(f, embedder, args.per_set, rng)
             for f in find_sets(args.sets.split(",") if args.sets else None)]
    x, sizes, w, points, labels = (np.concatenate(p) for p in zip(*parts, strict=True))
    if args.only:
        from matching.signals import INTERCEPT, UNKNOWN

        only = args.only.split(",")
        coef = fit(x, sizes, w, args.C, only)
        # Where these facts are unknown (UNKNOWN everywhere), scores stay exactly as before.
        intercept = INTERCEPT - UNKNOWN * sum(c for f, c in zip(FEATURES, coef, strict=True) if f in only)
    else:
        coef, intercept = calibrate(fit(x, sizes, w, args.C), points, labels)
    weights = {f: round(float(c), 3) for f, c in zip(FEATURES, coef, strict=True)}
    print(f"# {len(sizes):,} lists ({len(x):,} rows) from {len(parts)} sets; "
          f"{len(labels):,} postings for calibration")
    print("DEFAULT_WEIGHTS =", json.dumps(weights))
    print("INTERCEPT =", round(intercept, 3))


if __name__ == "__main__":
    main()
