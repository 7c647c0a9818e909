"""A process's full index build at start-up against one incremental refresh, in the same run.

Run: ``python -m bench.index_build [--sizes demo,10000] [--changed 10] [--repeat 3] [--threads 1]``.
Each size is a fresh SQLite database migrated to head: "demo" is the demo source ingested
through the real pipeline, a number is that many synthetic open postings near real county
centres. Every posting has a stored vector; the embedder is a stand-in (hash-seeded unit
vectors of the real model's width, 512 + 384), so the build reads vectors as it would in
production and only the query probe is "embedded". The postings are dated an hour back (a
restart), so the refresh window holds only the changed ones. Printed: seconds for the full build
(``LiveIndex.build``: the database read, ``Matcher.fit``), for a refresh that finds nothing, and
for a refresh after ``--changed`` postings got a new title and vector (the read plus the apply);
the ratio is full / refresh. Also: how long a query that arrives while that refresh applies its
changes waits for the write lock (``query_wait_s``: the apply, run as ``Runtime`` runs it, while
a query thread waits on the same lock), and what ``Matcher.add`` of ``--changed`` more postings
costs on its own (``matcher_add_s``: new ids, so nothing is replaced).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import threading
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import insert, select, update
from threadpoolctl import threadpool_limits

from bench.match import JOBS, PERKS
from places import default_gazetteer

DIM = 512 + 384
TODAY = date(2026, 11, 28)


class StandInEmbedder:
    """Unit vectors seeded by the text's hash: the real model's width, none of its cost."""

    model_id = "bench-stand-in"

    def encode(self, texts: list[str]) -> np.ndarray:
        """One unit vector per text."""
        out = np.empty((len(texts), DIM), dtype=np.float32)
        for i, text in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            vec = np.random.default_rng(seed).standard_normal(DIM)
            out[i] = vec / np.linalg.norm(vec)
        return out


class StandInRuntime:
    """What ``load_demo`` asks of a runtime."""

    gazetteer = default_gazetteer()

    def embedder(self) -> StandInEmbedder:
        """The stand-in embedder."""
        return StandInEmbedder()


def make_app(folder: Path) -> Any:
    """An app on a fresh, migrated SQLite database."""
    from flask_migrate import upgrade

    from web import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
                      "JIUJIN_MODEL_PATH": folder / "model", "JIUJIN_SCHEDULER_LOCK": folder / "lock",
                      "JIUJIN_INDEX_REFRESH_SECONDS": 0, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
    return app


def fill_synthetic(session: Any, size: int, seed: int = 7) -> None:
    """``size`` open postings with stored vectors, near county centres."""
    from web.models import Posting, PostingEmbedding, Source
    from web.services.ingest import upsert_source

    source: Source = upsert_source(session, {"name": "bench", "kind": "demo"})
    rng = np.random.default_rng(seed)
    counties = [p for p in default_gazetteer().places.values() if p.level == "county"]
    embedder = StandInEmbedder()
    for start in range(0, size, 2000):
        rows = []
        for n in range(start, min(size, start + 2000)):
            title, text = JOBS[n % len(JOBS)]
            home = counties[int(rng.integers(len(counties)))]
            rows.append({"source_id": source.id, "external_id": f"B{n}", "title": title,
                         "description": f"{text}，{PERKS[n % len(PERKS)]}", "place_text": home.full_name,
                         "lat": home.lat + rng.normal(0, 0.05), "lon": home.lon + rng.normal(0, 0.05),
                         "wage_min": 3000 + 100 * (n % 40), "wage_max": 5000 + 100 * (n % 40),
                         "housing": bool(n % 3 == 0), "status": "open", "content_hash": f"h{n}"})
        ids = session.scalars(insert(Posting).returning(Posting.id), rows).all()
        vectors = embedder.encode([f"{r['title']} {r['description']}" for r in rows])
        session.execute(insert(PostingEmbedding), [
            {"posting_id": pid, "model_id": embedder.model_id, "content_hash": r["content_hash"],
             "dim": DIM, "vector": v.tobytes()} for pid, r, v in zip(ids, rows, vectors, strict=True)])


def age(session: Any) -> None:
    """Stored an hour ago, as at a restart: the refresh window holds only what changes next."""
    from web.models import Posting, utcnow

    session.execute(update(Posting).values(changed_at=utcnow() - timedelta(hours=1)))


def change_some(session: Any, count: int, round_: int) -> None:
    """New title, content hash and vector for ``count`` open postings, as ingestion would."""
    from web.models import Posting, PostingEmbedding, utcnow

    ids = session.scalars(select(Posting.id).where(Posting.status == "open").order_by(Posting.id)
                          .limit(count).offset(round_ * count)).all()
    embedder = StandInEmbedder()
    for pid, vec in zip(ids, embedder.encode([f"改过的岗位{round_}-{pid}" for pid in ids]), strict=True):
        digest = f"changed{round_}-{pid}"
        session.execute(update(Posting).where(Posting.id == pid).values(
            title=f"改过的岗位{round_}", content_hash=digest, changed_at=utcnow()))
        session.execute(update(PostingEmbedding).where(PostingEmbedding.posting_id == pid).values(
            content_hash=digest, vector=vec.tobytes()))


def measure(size: str, changed: int, repeat: int) -> dict[str, Any]:
    """Best-of-``repeat`` seconds: full build, empty refresh, refresh after ``changed`` changes."""
    from web.extensions import db
    from web.services import index
    from web.services.demo import load_demo
    from web.services.runtime import ReadWriteLock

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp))
        with app.app_context():
            if size == "demo":
                load_demo(db.session, StandInRuntime(), today=TODAY)
            else:
                fill_synthetic(db.session, int(size))
            age(db.session)
            db.session.commit()
            embedder = StandInEmbedder()
            full, empty, step, waits, adds = [], [], [], [], []
            for round_ in range(repeat):
                started = time.perf_counter()
                live = index.LiveIndex.build(db.session, embedder)
                full.append(time.perf_counter() - started)
                started = time.perf_counter()
                live.apply(live.read(db.session, embedder.model_id))
                empty.append(time.perf_counter() - started)
                change_some(db.session, changed, round_)
                db.session.commit()
                started = time.perf_counter()
                changes = live.read(db.session, embedder.model_id)
                wait = _apply_while_queried(live, changes, ReadWriteLock())
                step.append(time.perf_counter() - started)
                waits.append(wait)
                assert len(changes.docs) == changed, len(changes.docs)
                more = [replace(d, id=-(1 + round_ * changed + i)) for i, d in enumerate(changes.docs)]
                started = time.perf_counter()
                live.matcher.add(more, np.vstack(changes.vectors))
                adds.append(time.perf_counter() - started)
                live.matcher.remove([d.id for d in more])
            postings = live.matcher.size
            db.session.remove()
            db.engine.dispose()
    return {"size": size, "postings": postings, "full_build_s": round(min(full), 4),
            "refresh_nothing_s": round(min(empty), 4), f"refresh_{changed}_changed_s": round(min(step), 4),
            "ratio_full_vs_refresh": round(min(full) / min(step), 1), "query_wait_s": round(min(waits), 4),
            "matcher_add_s": round(min(adds), 5)}


def _apply_while_queried(live: Any, changes: Any, lock: Any) -> float:
    """Apply ``changes`` under the write lock while a query waits to read; seconds it waited."""
    from web.services import index

    held, waited = threading.Event(), []

    def query() -> None:
        held.wait()
        started = time.perf_counter()
        with lock.reading():
            waited.append(time.perf_counter() - started)
            live.matcher.rank(index.PROBE, limit=20, vector=live.probe)

    asker = threading.Thread(target=query)
    asker.start()
    with lock.writing():
        held.set()
        live.apply(changes)
    asker.join()
    return waited[0]


def main() -> None:
    """Parse arguments, measure each size, print one JSON line per size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="demo,10000", help="comma-separated: demo and/or counts")
    parser.add_argument("--changed", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (1: steady on a busy machine)")
    args = parser.parse_args()
    with threadpool_limits(limits=args.threads):
        for size in args.sizes.split(","):
            print(json.dumps(measure(size.strip(), args.changed, args.repeat), ensure_ascii=False))


if __name__ == "__main__":
    main()
