"""Ingestion benchmark: postings per second end to end from a local API server.

    python -m bench.ingest [--postings 10000] [--page-size 500] [--database-url URL]

Run 1 stores everything (fetch, parse, normalise, dedupe, store, embed with the default
model); run 2 goes over the unchanged source again. Both are timed in the same process
against the same server; the ratio run1/run2 is the speed-up of an unchanged rerun (target
≥ 20×), and run 2 must embed nothing. In the same run the embedder alone encodes the stored
postings' own texts (as `embed_pending` builds them, in its batch size), so the first run's
postings/s can be read against the ceiling the model sets (texts/s).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.local_api import MAPPING, LocalApi, demo_postings
from bench.sites import migrated_app
from jobs_ingest.clock import china_today

SOURCE = "bench-local-api"


def _timed_run(app: Any, today: date) -> dict[str, Any]:
    """One run of the source, committed, with its counts and wall time."""
    from sqlalchemy import func, select

    from web.extensions import db
    from web.models import PostingEmbedding
    from web.services import lifecycle
    from web.services.ingest import run_counts

    with app.app_context():
        runtime = app.extensions["jiujin"]
        runtime.embedder()  # the model loads once, outside the timing
        vectors_before = db.session.scalar(select(func.count(PostingEmbedding.id)))
        start = time.perf_counter()
        run = lifecycle.run_named_source(db.session, runtime, SOURCE, today)
        db.session.commit()
        seconds = time.perf_counter() - start
        embedded = db.session.scalar(select(func.count(PostingEmbedding.id))) - vectors_before
        return {**run_counts(run), "seconds": round(seconds, 3), "embedded": embedded}


def _embedder_rate(app: Any, sample: int) -> dict[str, Any]:
    """The embedder's own speed on up to ``sample`` stored postings' texts: texts per second."""
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload

    from matching.documents import posting_text
    from web.extensions import db
    from web.models import Posting
    from web.services.embeddings import BATCH
    from web.services.index import to_doc

    with app.app_context():
        embedder = app.extensions["jiujin"].embedder()
        rows = db.session.scalars(select(Posting).options(joinedload(Posting.employer),
                                                          joinedload(Posting.place))
                                  .order_by(Posting.id).limit(sample)).all()
        texts = [posting_text(to_doc(p)) for p in rows]
        start = time.perf_counter()
        for at in range(0, len(texts), BATCH):
            embedder.encode(texts[at : at + BATCH])
        seconds = time.perf_counter() - start
    return {"texts": len(texts), "seconds": round(seconds, 3),
            "texts_per_s": round(len(texts) / seconds, 1) if seconds else None}


def run(postings: int, page_size: int, database_url: str | None, model_path: Path) -> dict[str, Any]:
    """Register the local source, run it twice, return both runs and their ratio."""
    from web.extensions import db
    from web.services.ingest import upsert_source

    items = demo_postings(postings)
    with tempfile.TemporaryDirectory() as tmp, LocalApi(items, page_size=page_size) as api:
        url = database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        app = migrated_app(url, JIUJIN_MODEL_PATH=model_path)
        with app.app_context():
            upsert_source(db.session, {"name": SOURCE, "kind": "api", "url": api.url,
                                              "trust": "bureau", "allow_private_network": True,
                                              "mapping": MAPPING, "max_pages": 1000})
            db.session.commit()
        first = _timed_run(app, china_today())
        second = _timed_run(app, china_today())
        embedder = _embedder_rate(app, min(postings, 2_000))
        with app.app_context():
            db.engine.dispose()
    return {"postings": postings, "first": first, "second": second, "embedder": embedder,
            "ratio": round(first["seconds"] / second["seconds"], 1)}


def main() -> None:
    """Parse arguments, run, print a table (and JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postings", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--model", type=Path, default=Path("instance/models/use-m3-st"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.postings, args.page_size, args.database_url, args.model)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    print(f"# bench.ingest: {result['postings']} postings from a local API server "
          f"({args.page_size} a page), {args.database_url or 'SQLite'}")
    print("| run | seconds | postings/s | fetched | new | updated | unchanged | duplicates | embedded |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in ("first", "second"):
        r = result[name]
        rate = r["fetched"] / r["seconds"] if r["seconds"] else float("inf")
        print(f"| {name} | {r['seconds']:.2f} | {rate:,.0f} | {r['fetched']} | {r['new']} | {r['updated']} "
              f"| {r['unchanged']} | {r['duplicates']} | {r['embedded']} |")
    e = result["embedder"]
    first_rate = result["first"]["fetched"] / result["first"]["seconds"]
    print(f"\nthe embedder alone: {e['texts_per_s']:,} texts/s ({e['texts']} stored postings' texts, "
          f"{e['seconds']:.2f} s); the first run stored {first_rate:,.0f} postings/s = "
          f"{first_rate / e['texts_per_s']:.2f} of the embedder's rate")
    print(f"\nunchanged rerun is {result['ratio']}x faster than the first run (target >= 20x)")


if __name__ == "__main__":
    main()
