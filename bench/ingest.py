"""Ingestion benchmark: postings per second end to end from a local API server.

    python -m bench.ingest [--postings 10000] [--page-size 500] [--database-url URL] [--keep]

Run 1 stores everything (fetch, parse, normalise, dedupe, store, embed with the default
model); run 2 goes over the unchanged source again. Both are timed in the same process
against the same server; the ratio run1/run2 is the speed-up of an unchanged rerun (target
≥ 20×), and run 2 must embed nothing. Runs 3 and 4 each extend the closing date of
``--changed`` postings (a change outside the embedded text): run 3 first forgets those
vectors' text hashes, so it re-encodes them as ``embed_pending`` did before vectors were
keyed by their text; run 4 keeps them and must encode nothing. In the same run the embedder
alone encodes stored postings' own texts (as ``embed_pending`` builds them, in its batch
size), with torch's default thread count and with one thread, alternately, so the first run's
postings/s can be read against the ceiling the model sets (texts/s).

``--database-url`` must name an empty database (a PostgreSQL one made for the benchmark, say):
the benchmark refuses one that has tables, migrates it, and empties it again at the end unless
``--keep``. Only the source's items are held in memory (the local server serves them); the
runs themselves read and write the database in batches, like a scheduled source run.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.local_api import MAPPING, LocalApi, demo_postings
from bench.sites import migrated_app
from jobs_ingest.clock import china_today

SOURCE = "bench-local-api"
NEW_DEADLINE = "2027-03-31"  # what runs 3 and 4 set a changed item's closing date to


def _require_empty(url: str) -> None:
    """Refuse a database that already has tables: the runs would not start from nothing, and
    emptying it afterwards would drop someone's data."""
    engine = sa.create_engine(url)
    try:
        tables = sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise SystemExit(f"bench.ingest: {url} is not empty ({len(tables)} tables); "
                         "give it an empty database")


def _empty(url: str) -> None:
    """Drop everything the benchmark made (it started from an empty database)."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
            else:
                meta = sa.MetaData()
                meta.reflect(conn)
                meta.drop_all(conn)
    finally:
        engine.dispose()


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
        encoded = _count_encoded(runtime.embedder())
        run = lifecycle.run_named_source(db.session, runtime, SOURCE, today)
        db.session.commit()
        seconds = time.perf_counter() - start
        embedded = db.session.scalar(select(func.count(PostingEmbedding.id))) - vectors_before
        assert run.finished_at is not None and run.started_at is not None
        stored = (run.finished_at - run.started_at).total_seconds()
        return {**run_counts(run), "seconds": round(seconds, 3), "embedded": embedded,
                "encoded": encoded(), "store_seconds": round(stored, 3),
                "vector_seconds": round(seconds - stored, 3)}


def _count_encoded(embedder: Any) -> Any:
    """Count the texts ``embedder`` encodes from now on; returns a function reading the count."""
    counter = {"texts": 0}
    inner = embedder.__class__.encode

    def encode(texts: list[str]) -> Any:
        counter["texts"] += len(texts)
        return inner(embedder, texts)

    embedder.encode = encode
    return lambda: counter["texts"]


def _change_deadlines(app: Any, items: list[dict[str, Any]], count: int, offset: int,
                      forget: bool) -> int:
    """Extend the closing date of ``count`` items that are stored as postings of their own
    (from the ``offset``-th on); with ``forget``, drop their vectors' text hashes first (the old
    keying: a content change re-encoded the text). How many items were changed."""
    from sqlalchemy import select, update

    from web.extensions import db
    from web.models import Posting, PostingEmbedding

    with app.app_context():
        owned = dict(db.session.execute(select(Posting.external_id, Posting.id)
                                        .where(Posting.status == "open").order_by(Posting.id)).all())
        chosen = [item for item in items if item["id"] in owned][offset : offset + count]
        for item in chosen:
            item["deadline"] = NEW_DEADLINE
        if forget:
            ids = [owned[item["id"]] for item in chosen]
            for at in range(0, len(ids), 500):
                db.session.execute(update(PostingEmbedding).values(text_hash=None)
                                   .where(PostingEmbedding.posting_id.in_(ids[at : at + 500])))
            db.session.commit()
    return len(chosen)


def _embedder_rate(app: Any, sample: int, rounds: int = 2) -> dict[str, Any]:
    """The embedder's own speed on up to ``sample`` stored postings' texts, texts per second:
    with torch's default intra-op threads and with one, alternately (a share of the texts each
    round, so both see the same texts and the same machine load); and the lowest cosine
    between the two settings' vectors for a text (they must agree)."""
    import numpy as np
    import torch
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
    default_threads = torch.get_num_threads()
    seconds = {default_threads: 0.0, 1: 0.0}
    vectors: dict[int, list[Any]] = {default_threads: [], 1: []}
    share = -(-len(texts) // rounds)
    try:
        for at in range(0, len(texts), share):
            for threads in seconds:
                torch.set_num_threads(threads)
                start = time.perf_counter()
                part = texts[at : at + share]
                vectors[threads].extend(embedder.encode(part[i : i + BATCH])
                                        for i in range(0, len(part), BATCH))
                seconds[threads] += time.perf_counter() - start
    finally:
        torch.set_num_threads(default_threads)
    a, b = (np.vstack(vectors[t]) if texts else np.zeros((0, 1)) for t in (default_threads, 1))
    cosines = np.sum(a * b, axis=1) / np.maximum(np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1), 1e-12)
    rate = {t: round(len(texts) / s, 1) if s else None for t, s in seconds.items()}
    return {"texts": len(texts), "threads": default_threads, "seconds": round(seconds[default_threads], 3),
            "texts_per_s": rate[default_threads], "one_thread_seconds": round(seconds[1], 3),
            "one_thread_texts_per_s": rate[1],
            "min_cosine": round(float(cosines.min()), 6) if len(cosines) else None}


def run(postings: int, page_size: int, database_url: str | None, model_path: Path,
        changed: int | None = None, keep: bool = False) -> dict[str, Any]:
    """Register the local source, run it twice unchanged and twice with ``changed`` closing
    dates extended (runs 3 and 4, see the module docstring); return the runs and the rates."""
    from web.extensions import db
    from web.services.ingest import upsert_source

    changed = max(10, postings // 100) if changed is None else changed
    if database_url:
        _require_empty(database_url)
    items = demo_postings(postings)
    with tempfile.TemporaryDirectory() as tmp, LocalApi(items, page_size=page_size) as api:
        url = database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        app = migrated_app(url, JIUJIN_MODEL_PATH=model_path)
        try:
            with app.app_context():
                upsert_source(db.session, {"name": SOURCE, "kind": "api", "url": api.url,
                                           "trust": "bureau", "allow_private_network": True,
                                           "mapping": MAPPING, "max_pages": 1000})
                db.session.commit()
            first = _timed_run(app, china_today())
            second = _timed_run(app, china_today())
            forgot = _change_deadlines(app, items, changed, 0, forget=True)
            third = {**_timed_run(app, china_today()), "changed": forgot}
            kept = _change_deadlines(app, items, changed, changed, forget=False)
            fourth = {**_timed_run(app, china_today()), "changed": kept}
            embedder = _embedder_rate(app, min(postings, 1_000))
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            if database_url and not keep:
                _empty(database_url)
    return {"postings": postings, "first": first, "second": second, "third": third, "fourth": fourth,
            "embedder": embedder, "ratio": round(first["seconds"] / second["seconds"], 1)}


def main() -> None:
    """Parse arguments, run, print a table (and JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postings", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--model", type=Path, default=Path("instance/models/use-m3-st"))
    parser.add_argument("--changed", type=int, default=None,
                        help="postings whose closing date runs 3 and 4 each change "
                        "(default 1%%, at least 10)")
    parser.add_argument("--keep", action="store_true", help="leave the database filled (default: empty it)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.postings, args.page_size, args.database_url, args.model, args.changed, args.keep)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    print(f"# bench.ingest: {result['postings']} postings from a local API server "
          f"({args.page_size} a page), {args.database_url or 'SQLite'}")
    print("| run | seconds | store s | vectors s | postings/s | fetched | new | updated | unchanged "
          "| duplicates | new vectors | texts encoded |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    names = {"first": "1 first", "second": "2 unchanged", "third": "3 dates changed, text hashes dropped",
             "fourth": "4 dates changed"}
    for name, label in names.items():
        r = result[name]
        rate = r["fetched"] / r["seconds"] if r["seconds"] else float("inf")
        print(f"| {label} | {r['seconds']:.2f} | {r['store_seconds']:.2f} | {r['vector_seconds']:.2f} "
              f"| {rate:,.0f} | {r['fetched']} | {r['new']} | {r['updated']} | {r['unchanged']} "
              f"| {r['duplicates']} | {r['embedded']} | {r['encoded']} |")
    e = result["embedder"]
    first_rate = result["first"]["fetched"] / result["first"]["seconds"]
    print(f"\nthe embedder alone: {e['texts_per_s']:,} texts/s with {e['threads']} torch threads, "
          f"{e['one_thread_texts_per_s']:,} with one ({e['texts']} stored postings' texts each, "
          f"{e['seconds']:.2f} s and {e['one_thread_seconds']:.2f} s, alternating; lowest cosine between "
          f"the two {e['min_cosine']}); the first run stored {first_rate:,.0f} postings/s = "
          f"{first_rate / e['texts_per_s']:.2f} of the embedder's rate")
    third, fourth = result["third"], result["fourth"]
    print(f"\n{third['changed']} closing dates changed: {third['encoded']} texts encoded, "
          f"{third['vector_seconds']:.2f} s for vectors, when vectors were keyed by the whole content "
          f"(run 3); {fourth['encoded']} texts, {fourth['vector_seconds']:.2f} s keyed by their text (run 4, "
          f"{fourth['changed']} other postings)")
    print(f"\nunchanged rerun is {result['ratio']}x faster than the first run (target >= 20x)")


if __name__ == "__main__":
    main()
