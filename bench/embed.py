"""Embedding throughput of the default model, block by block, against TF-IDF in the same run.

Run: ``python -m bench.embed [--texts 2000] [--batch 64]``. The texts are synthetic postings in
the site's own shape (``matching.documents.posting_text``: title, then description), built from
``bench.match``'s Chinese job list, with an English share (``--english``) for MiniLM's block.
Systems: the default model as the site runs it (``SentenceEmbedder``: USE + MiniLM, one module),
USE alone, MiniLM alone, and the character TF-IDF transform (the lexical signal) as the baseline.
Each is warmed up on one batch, then timed over every text; one query (one text, as a worker's
search embeds it) is timed separately, median of 50.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.match import JOBS, PERKS, WORKER_TEXTS
from matching.documents import posting_text
from matching.evaluate import DEFAULT_MODEL_PATH, load_embedder
from matching.lexical import LexicalIndex
from matching.types import PostingDoc

ENGLISH = [("Welder", "MIG welding of steel frames on site"),
           ("Forklift driver", "licensed, warehouse loading"),
           ("Cook", "Sichuan and Hunan dishes in a busy restaurant"),
           ("Cleaner", "office cleaning, day shift")]


def texts(n: int, english: float) -> list[str]:
    """``n`` distinct posting texts, ``english`` of them in English."""
    rng = np.random.default_rng(7)
    out = []
    for i in range(n):
        if rng.random() < english:
            title, body = ENGLISH[i % len(ENGLISH)]
        else:
            title, body = JOBS[i % len(JOBS)]
        perk = PERKS[int(rng.integers(len(PERKS)))]
        out.append(posting_text(PostingDoc(id=i, title=title, description=f"{body}，{perk}，编号{i}")))
    return out


def throughput(encode: Callable[[list[str]], object], corpus: list[str], batch: int) -> tuple[float, float]:
    """(texts per second over the corpus in batches, median ms for one query text)."""
    encode(corpus[:batch])
    started = time.perf_counter()
    for i in range(0, len(corpus), batch):
        encode(corpus[i : i + batch])
    rate = len(corpus) / (time.perf_counter() - started)
    singles = []
    for text in WORKER_TEXTS * 3:
        t = time.perf_counter()
        encode([text])
        singles.append((time.perf_counter() - t) * 1000)
    return rate, float(np.median(singles[:50]))


def main(argv: list[str] | None = None) -> None:
    """Time every system and print the table, with ratios against TF-IDF."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--texts", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--english", type=float, default=0.2, help="share of English texts")
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL_PATH)
    args = ap.parse_args(argv)
    corpus = texts(args.texts, args.english)
    embedder = load_embedder(args.model)
    module = embedder.sentence_transformer()[0]
    lexical = LexicalIndex().fit(corpus)
    lexical.refresh()
    systems: dict[str, Callable[[list[str]], object]] = {
        f"default ({embedder.model_id})": embedder.encode,
        "USE alone": module.embed,
        "MiniLM alone": module.embed_english,
        "TF-IDF transform (baseline)": lambda t: [lexical.encode(x) for x in t],
    }
    results = {name: throughput(fn, corpus, args.batch) for name, fn in systems.items()}
    base = results["TF-IDF transform (baseline)"][0]
    print(f"# bench.embed: {len(corpus):,} texts ({args.english:.0%} English), batches of {args.batch}")
    print("| system | texts/s | one query, ms (median) | throughput / TF-IDF |")
    print("|---|---:|---:|---:|")
    for name, (rate, one) in results.items():
        print(f"| {name} | {rate:,.0f} | {one:.2f} | {rate / base:.3f} |")


if __name__ == "__main__":
    main()
