"""Build the rural scenario benchmark: ``python -m bench.make_rural [--out DIR]``.

Writes ``bench/data/rural-scenarios-zh/`` in the ``shared/benchmarks`` format from the
hand-written content in ``bench/rural_data.py``; deterministic (seeded), so a rebuild changes
nothing. Postings: every kind of work in western counties and eastern partner cities, with pay,
housing and employment type; for each worker one posting of their trade within reach and one
beyond it without housing, plus random others. Relevance 0-3 = the worker's skill fit, set to 0
when the posting is out of reach (beyond the radius, unless the worker relocates and the posting
houses workers) and lowered by one for each of: the pay tops out under 80% of the worker's
expectation; the worker asked for other employment types; the job's months are mostly months the
worker said they cannot work; the posting is stale (over 60 days old on the query's ``today``, or
over 14 days and listed only once, by an aggregator: such listings are often filled or
reposts). Postings also carry ``posted_at``, ``source_trust``, ``sightings`` and, when
seasonal, ``season_months``; queries a ``today`` and, for some workers, ``employment_types``
and ``unavailable_months``; each worker with such months gets two short seasonal jobs of their
trade within reach, one in those months and one outside them, appended after the other
postings. These extras are drawn with a second seeded generator, so the earlier postings and
fields are as they were before them.
Workers alternate between ``qrels/train.tsv`` (even rows, for fitting weights) and
``qrels/test.tsv`` (odd rows, the reported figures).
"""

from __future__ import annotations

import argparse
import json
import math
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from bench.rural_data import (
    COMPANY_WORDS,
    EAST,
    KINDS,
    MAX_AGE_DAYS,
    SEASONS,
    TRUST_SHARES,
    WANTS,
    WEST,
    WORKERS,
)
from matching import signals as sig
from matching.geo import haversine_km
from places import default_gazetteer

OUT = Path(__file__).resolve().parent / "data" / "rural-scenarios-zh"
SEED = 20261128
RANDOM_POSTINGS = 210
KM_PER_DEGREE = 111.32
TODAY = date(2026, 3, 20)  # the date every query is asked on
STALE_DAYS, DOUBTFUL_DAYS = 60, 14


def place_point(name: str) -> tuple[str, float, float]:
    """Full name and centre of a place (raises if the gazetteer cannot resolve it)."""
    place = default_gazetteer().resolve(name)
    return place.full_name, place.lat, place.lon


def offset(lat: float, lon: float, km: float, rng: np.random.Generator) -> tuple[float, float]:
    """A point ``km`` from (lat, lon) in a random direction."""
    theta = rng.random() * 2 * math.pi
    dlat = km * math.cos(theta) / KM_PER_DEGREE
    dlon = km * math.sin(theta) / (KM_PER_DEGREE * math.cos(math.radians(lat)))
    return round(lat + dlat, 5), round(lon + dlon, 5)


def make_posting(
    pid: str,
    kind: str,
    place: str,
    rng: np.random.Generator,
    housing: bool | None = None,
    km: float | None = None,
) -> dict[str, Any]:
    """One posting of a kind of work at a place (``km`` from its centre, random if None)."""
    titles, phrases, (low, high), _, types = KINDS[kind]
    full, lat, lon = place_point(place)
    east = place in EAST
    if housing is None:
        housing = bool(rng.random() < (0.7 if east else 0.3))
    lat, lon = offset(lat, lon, float(rng.uniform(0, 15)) if km is None else km, rng)
    wage_min = int(rng.integers(low // 100, (low + high) // 200 + 1)) * 100
    wage_max = wage_min + int(rng.integers(5, 30)) * 100
    title = str(rng.choice(titles))
    picked = rng.choice(len(phrases), size=min(2, len(phrases)), replace=False)
    employer = default_gazetteer().resolve(place).name + str(rng.choice(COMPANY_WORDS)) + "有限公司"
    perks = ("包吃住" if rng.random() < 0.5 else "提供宿舍") if housing else "不提供住宿"
    text = (
        f"{employer}招{title}。{'，'.join(phrases[i] for i in picked)}。{perks}。"
        f"月薪{wage_min}-{wage_max}元。工作地点：{full}"
    )
    return {
        "_id": pid,
        "title": title,
        "text": text,
        "place": full,
        "lat": lat,
        "lon": lon,
        "wage_min": wage_min,
        "wage_max": wage_max,
        "housing": housing,
        "employment_type": str(rng.choice(types)),
        "kind": kind,
    }


def place_for(kind: str, rng: np.random.Generator) -> str:
    """A random place where this kind of work is found."""
    where = KINDS[kind][3]
    pool = WEST if where == "west" else EAST if where == "east" else (WEST if rng.random() < 0.5 else EAST)
    return str(rng.choice(pool))


def far_place(home: tuple[float, float], radius: float, rng: np.random.Generator) -> str:
    """A place well beyond the radius."""
    options = [
        p
        for p in WEST + EAST
        if haversine_km(*home, np.array([place_point(p)[1]]), np.array([place_point(p)[2]]))[0] > radius + 40
    ]
    return str(rng.choice(options))


def make_workers(rng: np.random.Generator) -> list[dict[str, Any]]:
    """The queries: own words, home (place only on even rows, coordinates on odd), reach, pay."""
    workers = []
    for i, (text, home, radius, relocate, wage, fits) in enumerate(WORKERS):
        full, lat, lon = place_point(home)
        row: dict[str, Any] = {
            "_id": f"w{i + 1:03d}",
            "text": text,
            "place": home,
            "max_commute_km": radius,
            "will_relocate": relocate,
            "fits": fits,
        }
        if i % 2:
            row.update(place=full, lat=round(lat, 5), lon=round(lon, 5))
        if wage:
            row["wage_min"] = wage
        types, busy = WANTS.get(i, ((), ()))
        row["today"] = TODAY.isoformat()
        if types:
            row["employment_types"] = list(types)
        if busy:
            row["unavailable_months"] = list(busy)
        row["home"] = (lat, lon)
        workers.append(row)
    return workers


def make_postings(workers: list[dict[str, Any]], rng: np.random.Generator) -> list[dict[str, Any]]:
    """Anchors within reach, distractors beyond it, then random postings of every kind."""
    postings = []
    for w in workers:
        trade = max(w["fits"], key=w["fits"].get)
        home = default_gazetteer().resolve(w["place"]).full_name
        near = make_posting(
            f"p{len(postings) + 1:04d}", trade, home, rng, km=rng.uniform(0, 0.6) * w["max_commute_km"]
        )
        postings.append(near)
        far = far_place(w["home"], w["max_commute_km"], rng)
        postings.append(make_posting(f"p{len(postings) + 1:04d}", trade, far, rng, housing=False))
    kinds = sorted(KINDS)
    for _ in range(RANDOM_POSTINGS):
        kind = str(rng.choice(kinds))
        postings.append(make_posting(f"p{len(postings) + 1:04d}", kind, place_for(kind, rng), rng))
    return postings


def add_terms(postings: list[dict[str, Any]], rng: np.random.Generator) -> None:
    """Posting date, publisher, sightings and season of each posting (its own generator)."""
    trusts = list(TRUST_SHARES)
    for p in postings:
        p["posted_at"] = (TODAY - timedelta(days=int(rng.integers(0, MAX_AGE_DAYS)))).isoformat()
        p["source_trust"] = str(rng.choice(trusts, p=list(TRUST_SHARES.values())))
        p["sightings"] = 1 + int(rng.random() < 0.25) + int(rng.random() < 0.1)
        if p["employment_type"] == "seasonal" and p["kind"] in SEASONS and "season_months" not in p:
            p["season_months"] = list(SEASONS[p["kind"]])


def add_short_jobs(workers: list[dict[str, Any]], postings: list[dict[str, Any]],
                   rng: np.random.Generator) -> None:
    """For each worker with busy months, two short jobs of their trade within reach: one in those
    months and one outside them (so availability decides between two otherwise alike postings)."""
    for w in workers:
        busy = w.get("unavailable_months")
        if not busy:
            continue
        trade = max(w["fits"], key=w["fits"].get)
        home = default_gazetteer().resolve(w["place"]).full_name
        free = [m for m in range(1, 13) if m not in busy]
        start = int(rng.integers(0, len(free) - 1))
        for months in (list(busy), free[start : start + 2]):
            p = make_posting(f"p{len(postings) + 1:04d}", trade, home, rng,
                             km=float(rng.uniform(0, 0.6)) * w["max_commute_km"])
            p["text"] += f"。短期用工，{months[0]}-{months[-1]}月"
            p.update(employment_type="seasonal", season_months=months)
            postings.append(p)


def penalties(worker: dict[str, Any], posting: dict[str, Any]) -> int:
    """How many grades the posting loses for this worker beyond skill and reach (see the docstring)."""
    lost = 0
    wage = worker.get("wage_min")
    if wage and posting["wage_max"] < 0.8 * wage:
        lost += 1
    wanted = worker.get("employment_types") or ()
    if wanted and posting.get("employment_type") not in wanted:
        lost += 1
    months = sig.job_months(posting.get("season_months") or (), None, None, posting.get("employment_type"))
    if sig.availability(np.array([months]), worker.get("unavailable_months") or ())[0] < 0.5:
        lost += 1
    if posting.get("posted_at"):
        age = (TODAY - date.fromisoformat(posting["posted_at"])).days
        doubtful = posting.get("source_trust") == "aggregator" and posting.get("sightings", 1) == 1
        if age > STALE_DAYS or (doubtful and age > DOUBTFUL_DAYS):
            lost += 1
    return lost


def grade(worker: dict[str, Any], posting: dict[str, Any]) -> int:
    """Skill fit, 0 when out of reach, one less for each penalty (pay, type, months, staleness)."""
    skill = worker["fits"].get(posting["kind"], 0)
    if not skill:
        return 0
    km = haversine_km(*worker["home"], np.array([posting["lat"]]), np.array([posting["lon"]]))[0]
    reachable = km <= worker["max_commute_km"] or (worker["will_relocate"] and posting["housing"])
    if not reachable:
        return 0
    return max(0, skill - penalties(worker, posting))


def write(out: Path, workers: list[dict[str, Any]], postings: list[dict[str, Any]]) -> None:
    """corpus.jsonl, queries.jsonl, qrels/train.tsv and qrels/test.tsv."""
    (out / "qrels").mkdir(parents=True, exist_ok=True)
    with open(out / "corpus.jsonl", "w", encoding="utf-8") as fh:
        for p in postings:
            fh.write(json.dumps({k: v for k, v in p.items() if k != "kind"}, ensure_ascii=False) + "\n")
    with open(out / "queries.jsonl", "w", encoding="utf-8") as fh:
        for w in workers:
            fh.write(
                json.dumps({k: v for k, v in w.items() if k not in ("fits", "home")}, ensure_ascii=False)
                + "\n"
            )
    for split, parity in (("train", 0), ("test", 1)):
        lines = ["query-id\tcorpus-id\tscore"]
        for i, w in enumerate(workers):
            if i % 2 == parity:
                lines += [f"{w['_id']}\t{p['_id']}\t{g}" for p in postings if (g := grade(w, p)) > 0]
        (out / "qrels" / f"{split}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """Build the set and print its size."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(SEED)
    workers = make_workers(rng)
    postings = make_postings(workers, rng)
    extra = np.random.default_rng(SEED + 1)
    add_short_jobs(workers, postings, extra)
    add_terms(postings, extra)
    write(args.out, workers, postings)
    print(f"{len(workers)} workers, {len(postings)} postings -> {args.out}")


if __name__ == "__main__":
    main()
