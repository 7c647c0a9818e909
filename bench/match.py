"""Latency of one worker query through ``Matcher.rank`` against a numpy brute-force baseline.

Run: ``python -m bench.match [--sizes 10000,100000] [--queries 200] [--seed 7] [--json FILE]``.
The corpus is synthetic: postings sit at real county centroids (plus jitter), texts come from a
small list of Chinese job titles, and vectors are random unit vectors (embedding 100k texts with
the real model would take too long), so only the timings are meaningful, not the rankings.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections.abc import Callable

import numpy as np
from threadpoolctl import threadpool_limits

from matching.geo import haversine_km
from matching.ranker import FIRST_STAGE_FROM, SHORTLIST, Matcher
from matching.types import PostingDoc, Query
from places import default_gazetteer

DIM = 512
BUSY_COUNTIES = 300
BUSY_SHARE = 0.6
JITTER_KM = 10.0
RADIUS_KM = 30.0
TOP_K = 20
WARMUP = 5
THREADS = 2

JOBS = [
    ("电焊工", "工地焊接钢结构，会氩弧焊优先"), ("钢筋工", "建筑工地绑扎钢筋，按方计件"),
    ("木工", "建筑模板支模拆模，有经验者优先"), ("瓦工", "砌砖抹灰贴瓷砖，手艺好待遇高"),
    ("水电工", "住宅水电安装维修，持电工证"), ("普工", "电子厂流水线操作，长白班"),
    ("装配工", "汽车配件装配，两班倒"), ("包装工", "食品厂包装打包，坐班不累"),
    ("质检员", "产品外观检验，细心认真"), ("仓库管理员", "出入库登记盘点，会用电脑"),
    ("搬运工", "物流园装卸货物，日结工资"), ("快递分拣员", "分拣中心夜班分拣包裹"),
    ("外卖骑手", "自备电动车，多劳多得"), ("货车司机", "持B2驾照，跑省内干线"),
    ("叉车司机", "持叉车证，仓库装卸"), ("厨师", "饭店炒锅，会做川菜湘菜"),
    ("服务员", "餐厅点菜传菜，包吃住"), ("保洁员", "写字楼日常保洁，做六休一"),
    ("保安", "小区门岗巡逻，退伍军人优先"), ("月嫂", "照顾产妇新生儿，有证优先"),
    ("育婴师", "照看婴幼儿，住家"), ("养老护理员", "养老院照护老人，有爱心"),
    ("缝纫工", "服装厂平车缝纫，计件工资"), ("采茶工", "茶园采摘鲜叶，按斤计价"),
    ("果园工人", "果园修枝施肥摘果，季节工"), ("养殖工", "养猪场喂料清粪，包住"),
    ("油漆工", "家装刷漆喷漆，手艺好"), ("空调安装工", "空调上门安装，会高空作业"),
    ("汽修工", "汽车维修保养，有经验"), ("理货员", "超市上货理货，早晚班"),
]
PERKS = ["包吃包住", "五险一金", "长期稳定", "月结工资", "日结", "有宿舍", "节假日有补贴", "可带学徒"]
WORKER_TEXTS = [
    "会电焊，在工地干过三年", "想找个厂里的活，能上夜班", "开过五年货车，有B2驾照",
    "会做饭，在饭店炒过菜", "想找包吃住的工作", "带过孩子，想做月嫂", "会开叉车，有证",
    "以前在电子厂流水线", "能吃苦，搬运装卸都行", "会木工，支过模板", "会砌砖贴瓷砖",
    "想在家附近找点零工", "照顾过老人，有耐心", "在服装厂踩过缝纫机", "会修车，干过汽修",
    "送过外卖，有电动车", "当过保安，退伍军人", "会水电安装", "在茶园采过茶", "养过猪，懂养殖",
]


class BenchEmbedder:
    """A stand-in embedder: a deterministic random unit vector per text. It declares the default
    model's leading USE block, so that the query side pays what the site's does (the occupation
    index reads a worker's text by meaning too; random vectors cost the same as real ones)."""

    model_id = "bench-random"
    blocks = [("use", DIM)]

    def encode(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised 512-d float32 vector per text, seeded by a hash of the text."""
        out = np.empty((len(texts), DIM), dtype=np.float32)
        for i, text in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")
            v = np.random.default_rng(seed).standard_normal(DIM)
            out[i] = v / np.linalg.norm(v)
        return out


def county_points() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Centroid latitudes, longitudes and names of every county-level place."""
    counties = [p for p in default_gazetteer().places.values() if p.level == "county"]
    lats = np.array([p.lat for p in counties])
    lons = np.array([p.lon for p in counties])
    return lats, lons, [p.name for p in counties]


def pick_counties(rng: np.random.Generator, busy: np.ndarray, total: int, n: int) -> np.ndarray:
    """County indices, ~60% drawn from the busy counties and the rest from all."""
    from_busy = rng.random(n) < BUSY_SHARE
    return np.where(from_busy, rng.choice(busy, n), rng.integers(0, total, n))


def jitter(rng: np.random.Generator, lats: np.ndarray, lons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Move each point up to JITTER_KM in a random direction."""
    km = JITTER_KM * np.sqrt(rng.random(len(lats)))
    theta = rng.random(len(lats)) * 2 * np.pi
    dlat = km * np.cos(theta) / 111.32
    dlon = km * np.sin(theta) / (111.32 * np.cos(np.radians(lats)))
    return lats + dlat, lons + dlon


def make_corpus(rng: np.random.Generator, n: int, geo: tuple, busy: np.ndarray
                ) -> tuple[list[PostingDoc], np.ndarray]:
    """N synthetic postings with coordinates, texts, wages, housing and random unit vectors."""
    clats, clons, names = geo
    where = pick_counties(rng, busy, len(clats), n)
    lats, lons = jitter(rng, clats[where], clons[where])
    jobs = rng.integers(0, len(JOBS), n)
    perks = rng.integers(0, len(PERKS), (n, 2))
    wage_min = rng.integers(30, 80, n) * 100
    wage_max = wage_min + rng.integers(5, 30, n) * 100
    housing = rng.random(n) < 0.3
    docs = [PostingDoc(id=i, title=JOBS[j][0], description=f"{JOBS[j][1]}，{PERKS[a]}，{PERKS[b]}",
                       employer=f"{names[c]}{JOBS[j][0][:2]}服务有限公司", place_name=names[c],
                       lat=float(la), lon=float(lo), wage_min=int(w0), wage_max=int(w1),
                       housing=bool(h))
            for i, (j, (a, b), c, la, lo, w0, w1, h)
            in enumerate(zip(jobs, perks, where, lats, lons, wage_min, wage_max, housing, strict=True))]
    vectors = rng.standard_normal((n, DIM), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return docs, vectors


def make_queries(rng: np.random.Generator, n: int, geo: tuple, busy: np.ndarray,
                 relocate: bool) -> list[Query]:
    """Worker queries at county centroids (busy-biased), 30 km radius."""
    clats, clons, _ = geo
    where = pick_counties(rng, busy, len(clats), n)
    texts = rng.integers(0, len(WORKER_TEXTS), n)
    wages = rng.integers(30, 80, n) * 100
    return [Query(text=WORKER_TEXTS[t], lat=float(clats[c]), lon=float(clons[c]), max_km=RADIUS_KM,
                  will_relocate=relocate, wage_expectation=int(w))
            for c, t, w in zip(where, texts, wages, strict=True)]


class BruteForce:
    """Score every posting: 0.6 dense + 0.4 proximity, masked by reach, top 20 by argpartition."""

    def __init__(self, embedder: BenchEmbedder, docs: list[PostingDoc], vectors: np.ndarray):
        self.embedder = embedder
        self.vectors = vectors
        self.lats = np.array([d.lat for d in docs])
        self.lons = np.array([d.lon for d in docs])
        self.housing = np.array([d.housing for d in docs], dtype=bool)

    def rank(self, query: Query, limit: int = TOP_K) -> np.ndarray:
        """Row numbers of the best ``limit`` postings within reach, best first."""
        qvec = self.embedder.encode([" ".join(query.text.split())])[0]
        dense = self.vectors @ qvec
        dist = haversine_km(query.lat, query.lon, self.lats, self.lons)
        mask = dist <= query.max_km
        if query.will_relocate:
            mask |= self.housing
        score = np.where(mask, 0.6 * dense + 0.4 * np.exp(-dist / RADIUS_KM), -np.inf)
        k = min(limit, int(mask.sum()))
        if k == 0:
            return np.empty(0, dtype=int)
        top = np.argpartition(-score, k - 1)[:k]
        return top[np.argsort(-score[top])]


def time_queries(rank: Callable[[Query], object], queries: list[Query]) -> dict[str, float]:
    """p50/p95 latency in ms of ``rank`` over the queries, after WARMUP untimed calls."""
    for q in queries[:WARMUP]:
        rank(q)
    times = []
    for q in queries[WARMUP:]:
        start = time.perf_counter()
        rank(q)
        times.append((time.perf_counter() - start) * 1000.0)
    return {"p50_ms": float(np.percentile(times, 50)), "p95_ms": float(np.percentile(times, 95))}


def index_bytes(matcher: Matcher) -> int:
    """Bytes of the matcher's main arrays: vectors and their first-stage sketch, TF-IDF CSR, geo
    coordinates and grid, the per-row facts (housing, pay, type, months, dates, trust), and the
    housed view (``matching.first_stage.HousedView``: the first stage's contiguous copy of the facts
    of the rows with housing)."""
    m = matcher.lexical_.matrix_
    sketch = matcher.sketch_.nbytes if matcher.sketch_ is not None else 0
    view = matcher.housed_view_.facts.nbytes if matcher.housed_view_ is not None else 0
    facts = (matcher.housing_, matcher.wage_top_, matcher.type_code_, matcher.job_months_,
             matcher.posted_days_, matcher.trust_, matcher.occupation_table_.which_)
    return int(matcher.vectors_.nbytes + sketch + m.data.nbytes + m.indices.nbytes + m.indptr.nbytes
               + matcher.geo_.nbytes + view + sum(a.nbytes for a in facts))


def bench_size(n: int, n_queries: int, seed: int, geo: tuple) -> dict:
    """Build one corpus of N postings, fit the matcher, and time both scenarios."""
    rng = np.random.default_rng(seed)
    busy = rng.choice(len(geo[0]), BUSY_COUNTIES, replace=False)
    docs, vectors = make_corpus(rng, n, geo, busy)
    embedder = BenchEmbedder()
    start = time.perf_counter()
    matcher = Matcher(embedder).fit(docs, vectors)
    fit_s = time.perf_counter() - start
    brute = BruteForce(embedder, docs, vectors)
    rows = []
    for scenario, relocate in (("30 km", False), ("nationwide", True)):
        queries = make_queries(rng, n_queries + WARMUP, geo, busy, relocate)
        mean_candidates = float(np.mean([len(matcher.candidates(q)) for q in queries]))
        ours = time_queries(matcher.rank, queries)
        base = time_queries(brute.rank, queries)
        rows.append({"postings": n, "scenario": scenario, "matcher": ours, "brute": base,
                     "ratio_p95": base["p95_ms"] / ours["p95_ms"], "mean_candidates": mean_candidates})
    return {"postings": n, "fit_s": fit_s, "bytes_per_posting": index_bytes(matcher) / n, "rows": rows}


def print_report(results: list[dict]) -> None:
    """Print the Markdown table, then fit time and memory per posting for each size."""
    print("| postings | scenario | matcher p50 ms | matcher p95 ms | brute p50 ms | brute p95 ms "
          "| brute/matcher (p95) |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for res in results:
        for r in res["rows"]:
            m, b = r["matcher"], r["brute"]
            print(f"| {r['postings']:,} | {r['scenario']} | {m['p50_ms']:.2f} | {m['p95_ms']:.2f} "
                  f"| {b['p50_ms']:.2f} | {b['p95_ms']:.2f} | {r['ratio_p95']:.2f} |")
    print()
    for res in results:
        cands = ", ".join(f"{r['scenario']} {r['mean_candidates']:,.0f}" for r in res["rows"])
        print(f"- {res['postings']:,} postings: fit {res['fit_s']:.2f} s; "
              f"{res['bytes_per_posting']:,.0f} bytes/posting; mean candidates: {cands}")
    print("- bytes/posting counts vectors_ + sketch_ (first-stage float32 projection) + TF-IDF CSR (data, "
          "indices, indptr) + geo lats/lons/rows_ + grid arrays + per-row facts (housing_, wage_top_, "
          "type_code_, job_months_, posted_days_, trust_, occupation rows) + housed view (first-stage copy "
          "of the housed rows' facts); not PostingDoc objects, the TF-IDF vocabulary or Python overhead.")


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run every size under a 2-thread BLAS limit, print and optionally save."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000", help="comma-separated posting counts")
    ap.add_argument("--queries", type=int, default=200, help="timed queries per scenario")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    print(f"# bench.match: seed {args.seed}, {args.queries} timed queries/scenario after {WARMUP} "
          f"warm-up, top {TOP_K}, radius {RADIUS_KM:.0f} km, BLAS threads limited to {THREADS}")
    print("# Synthetic corpus: real county centroids + jitter; vectors are RANDOM unit 512-d float32 "
          "(embedding 100k texts is too slow), query embedder 'bench-random'.")
    print(f"# matcher = Matcher.rank (filter, sketch shortlist of {SHORTLIST:,} above "
          f"{FIRST_STAGE_FROM * SHORTLIST:,} candidates, all signals, explanations); brute = numpy over all "
          "postings (0.6 dense + 0.4 proximity, mask radius | housing when nationwide).\n")
    geo = county_points()
    started = time.perf_counter()
    with threadpool_limits(limits=THREADS):
        results = [bench_size(n, args.queries, args.seed, geo) for n in sizes]
    print_report(results)
    print(f"- total runtime {time.perf_counter() - started:.1f} s")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"seed": args.seed, "queries": args.queries, "threads": THREADS, "results": results},
                      fh, indent=2)


if __name__ == "__main__":
    main()
