"""Collaboration dashboard benchmark: supply vs demand and the funnel over 10,000 workers and postings.

    python -m bench.collab_dashboard [--workers 10000] [--postings 10000] [--database-url URL]

Builds a temporary SQLite database (or uses --database-url, which it fills), with one region
pair (黔东南 ↔ 广州 + 佛山), western workers in the pair's counties (and a tenth elsewhere),
eastern postings (and a tenth elsewhere), applications, pushes, placements and 3-month check-ins.
Then, in the same run, it times:

* baseline – plain COUNT queries with the same scope filters (workers west, open postings east,
  applications, placements): what the database alone needs;
* supply (cold) – the first supply computation: every distinct worker text and posting title is
  predicted with the occupation index (then cached per process);
* supply, funnel (warm) – the same again with the cache filled, as on every later page view;
* page – GET /collab/supply and /collab/funnel through the app as the office (warm).

It prints seconds and the ratio to the baseline for each.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.sites import median_seconds, migrated_app
from jobs_ingest.clock import china_today

SKILLS = (
    "会电焊",
    "开过叉车",
    "做过普工",
    "会开挖掘机",
    "在工地绑钢筋",
    "砌砖",
    "贴瓷砖",
    "做过厨工",
    "当过保安",
    "送过外卖",
    "开货车",
    "采茶",
    "养猪",
    "做过保洁",
    "在服装厂踩缝纫机",
    "做过包装",
    "当过护工",
    "带过孩子",
    "做过质检",
    "修车",
    "装空调",
    "分拣快递",
    "做过电工",
    "做过木工",
    "当过服务员",
)
EXTRAS = (
    "身体好能吃苦",
    "想去广东",
    "希望包吃住",
    "只做长期",
    "可以上夜班",
    "有健康证",
    "想学技术",
    "能加班",
    "带老乡一起",
    "不怕累",
    "年纪四十多",
    "会说普通话",
    "初中毕业",
    "在浙江干过",
    "希望离家近",
)
TITLES = (
    "电焊工",
    "叉车司机",
    "普工",
    "挖掘机司机",
    "钢筋工",
    "瓦工",
    "装修工",
    "厨工",
    "保安",
    "外卖骑手",
    "货车司机",
    "采茶工",
    "养殖工",
    "保洁员",
    "缝纫工",
    "包装工",
    "护工",
    "育婴员",
    "质检员",
    "汽修工",
    "空调安装工",
    "分拣员",
    "电工",
    "木工",
    "服务员",
)
EMPLOYERS = ("电子厂", "制衣厂", "物流园", "建筑公司", "酒店", "家政公司", "汽配厂", "食品厂")


def _children(session: Any, prefix: str) -> list[Any]:
    from sqlalchemy import select

    from web.models import Place

    return list(session.scalars(select(Place).where(Place.level == "county", Place.code.like(prefix + "%"))))


def build(app: Any, n_workers: int, n_postings: int, seed: int = 7) -> dict[str, Any]:
    """Fill the database; returns the office user's id and the row counts."""
    from sqlalchemy import insert, select

    from web.extensions import db
    from web.models import (
        Application,
        CheckIn,
        JobPush,
        Place,
        Placement,
        Posting,
        RegionPair,
        RegionPairPlace,
        RoleAssignment,
        Source,
        User,
        Worker,
    )

    rng = random.Random(seed)
    with app.app_context():
        s = db.session
        code = {
            c: s.scalar(select(Place.id).where(Place.code == c))
            for c in ("522600000000", "440100000000", "440600000000")
        }
        pair = RegionPair(
            name="黔东南—广州", west_place_id=code["522600000000"], east_place_id=code["440100000000"]
        )
        s.add(pair)
        s.flush()
        s.add(RegionPairPlace(region_pair_id=pair.id, place_id=code["440600000000"], side="east"))
        user = User(phone="19900009999", display_name="bench office")
        s.add(user)
        s.flush()
        s.add(RoleAssignment(user_id=user.id, role="collab", region_pair_id=pair.id))
        source = Source(name="bench-collab", kind="demo", trust="bureau")
        s.add(source)
        s.flush()
        west, east = _children(s, "5226"), _children(s, "4401") + _children(s, "4406")
        elsewhere = _children(s, "6404") + _children(s, "3302")
        now = datetime.now(UTC)
        workers = []
        for i in range(n_workers):
            home = rng.choice(west if i % 10 else elsewhere)
            workers.append(
                {
                    "name": f"工人{i}",
                    "home_place_id": home.id,
                    "home_text": home.full_name,
                    "lat": home.lat,
                    "lon": home.lon,
                    "will_relocate": rng.random() < 0.6,
                    "unavailable_months": rng.sample(range(1, 13), rng.randint(0, 3)),
                    "description": f"{rng.choice(SKILLS)}{rng.randint(1, 20)}年，{rng.choice(EXTRAS)}，"
                    f"{rng.choice(EXTRAS)}",
                }
            )
        s.execute(insert(Worker), workers)
        postings = []
        for i in range(n_postings):
            place = rng.choice(east if i % 10 else elsewhere)
            low = rng.choice((2800, 3500, 4500, 5500, 6500, 8000, 11000))
            postings.append(
                {
                    "source_id": source.id,
                    "external_id": f"b{i}",
                    "title": f"{rng.choice(TITLES)}（{rng.choice(EMPLOYERS)}）",
                    "place_id": place.id,
                    "place_text": place.full_name,
                    "lat": place.lat,
                    "lon": place.lon,
                    "wage_min": low,
                    "wage_max": low + rng.choice((0, 1000, 2000)),
                    "housing": rng.random() < 0.5,
                    "status": "open" if rng.random() < 0.9 else "closed",
                    "content_hash": f"h{i}",
                }
            )
        s.execute(insert(Posting), postings)
        worker_ids = list(s.scalars(select(Worker.id)))
        posting_ids = list(s.scalars(select(Posting.id)))
        pairs = {(rng.choice(worker_ids), rng.choice(posting_ids)) for _ in range(n_workers // 2)}
        apps = [
            {"worker_id": w, "posting_id": p, "created_at": now - timedelta(days=rng.randint(0, 360))}
            for w, p in pairs
        ]
        s.execute(insert(Application), apps)
        pushed = {(rng.choice(worker_ids), rng.choice(posting_ids)) for _ in range(n_workers // 2)}
        s.execute(
            insert(JobPush),
            [
                {
                    "worker_id": w,
                    "posting_id": p,
                    "region_pair_id": pair.id,
                    "created_at": now - timedelta(days=rng.randint(0, 360)),
                }
                for w, p in pushed
            ],
        )
        homes = dict(
            s.execute(select(Worker.id, Place.code).join(Place, Place.id == Worker.home_place_id)).all()
        )
        placed = rng.sample(sorted(pairs), len(pairs) // 3)
        s.execute(
            insert(Placement),
            [
                {
                    "worker_id": w,
                    "posting_id": p,
                    "county_code": homes[w],
                    "started_on": date(2026, rng.randint(1, 10), 1),
                }
                for w, p in placed
            ],
        )
        checkins = [
            {
                "placement_id": pid,
                "month_offset": 3,
                "due_on": date(2026, 12, 1),
                "still_working": rng.random() < 0.7,
            }
            for pid in s.scalars(select(Placement.id))
        ]
        s.execute(insert(CheckIn), checkins)
        s.commit()
        return {
            "user_id": user.id,
            "workers": n_workers,
            "postings": n_postings,
            "applications": len(apps),
            "pushes": len(pushed),
            "placements": len(placed),
        }


def measure(app: Any, user_id: int) -> dict[str, float]:
    """Seconds for the baseline, supply cold/warm, funnel warm and the two pages."""
    from sqlalchemy import func, select

    from web.extensions import db
    from web.models import Application, Place, Placement, Posting, User, Worker
    from web.policy import place_filter, user_scope
    from web.services import collab

    out: dict[str, float] = {}
    with app.app_context():
        s = db.session
        area = collab.area_for(s, user_scope(s, s.get(User, user_id)))

        def baseline() -> None:
            s.scalar(
                select(func.count(Worker.id))
                .join(Place, Place.id == Worker.home_place_id)
                .where(place_filter(Place.code, area.west))
            )
            s.scalar(
                select(func.count(Posting.id))
                .join(Place, Place.id == Posting.place_id)
                .where(Posting.status == "open", place_filter(Place.code, area.east))
            )
            s.scalar(select(func.count(Application.id)))
            s.scalar(select(func.count(Placement.id)).where(place_filter(Placement.county_code, area.west)))

        cache = collab.OccupationCache()
        collab.default_occupation_index()  # the index is fitted once per process, outside the timing
        out["baseline"] = median_seconds(baseline)
        out["supply_cold"] = median_seconds(lambda: collab.supply(s, area, china_today(), cache), repeat=1)
        out["supply_warm"] = median_seconds(lambda: collab.supply(s, area, china_today(), cache))
        out["funnel_warm"] = median_seconds(lambda: collab.funnel(s, area, cache))
    app.extensions["jiujin_occupations"] = cache
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = f"{user_id}:1"
    for page in ("supply", "funnel"):
        out[f"page_{page}"] = median_seconds(lambda page=page: _get(client, f"/collab/{page}"))
    return out


def _get(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)


def main(argv: list[str] | None = None) -> None:
    """Build, measure, print seconds and ratios to the baseline."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=10_000)
    parser.add_argument("--postings", type=int, default=10_000)
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'collab-bench.sqlite3'}"
        app = migrated_app(url, TESTING=True)
        start = time.perf_counter()
        counts = build(app, args.workers, args.postings)
        print(
            f"built in {time.perf_counter() - start:.1f}s: "
            + ", ".join(f"{k} {v}" for k, v in counts.items() if k != "user_id")
        )
        figures = measure(app, counts["user_id"])
        with app.app_context():
            from web.extensions import db

            db.engine.dispose()
    base = figures["baseline"]
    for name, seconds in figures.items():
        print(f"{name:12} {seconds:8.3f}s  {seconds / base:8.1f}× baseline")


if __name__ == "__main__":
    main()
