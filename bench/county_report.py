"""County report benchmark: the monthly report of a county with 10,000 placements.

    python -m bench.county_report [--placements 10000] [--month 2026-11] [--database-url URL]
                                  [--repeat 5] [--no-download]

Creates a temporary SQLite database (or uses ``--database-url``, which must be an empty
database: it is migrated and filled), adds workers (a third of them priority households, in
40 villages) and placements spread over the 12 months before the report month, each with its
1-, 3- and 6-month check-ins (the due ones answered), then times in the same run:

* **baseline** — a plain ``COUNT`` of the county's placements and of their check-ins (the rows
  the report reads), and
* **report** — ``build_report`` (every figure, its rows and the village drop flags), and the
  workbook built from it.

Each is the median of ``--repeat`` runs. Then, unless ``--no-download``, the download as a
bureau member clicks it (``GET /bureau/report.xlsx``, through the whole app):

* **click** — the new path: the default limit (``JIUJIN_EXPORT_INLINE_ROWS``, 2,000), the
  request counts, queues a job and redirects (seconds);
* **job** — the job runner writing and storing that job's file;
* **inline** — the old request path: the inline limit raised above the county's placements,
  the request writes the workbook and sends it.

The job and the inline request each run in a fresh process on the same database (seconds, the
process's peak RSS, and its growth over the warmed-up app's RSS), so neither's memory hides
in the other's. The output is one JSON object.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.sites import median_seconds, migrated_app
from jobs_ingest.clock import china_today

COUNTY = "522632000000"


def fill(session: Any, placements: int, month_start: date, seed: int = 7) -> None:
    """Workers, household marks, placements and check-ins for the county (core inserts: fast)."""
    from sqlalchemy import insert, select

    from web.models import CheckIn, HouseholdMark, Place, Placement, Worker
    from web.services.followup import add_months

    rng = random.Random(seed)
    place = session.scalar(select(Place).where(Place.code == COUNTY))
    n_workers = max(placements * 4 // 5, 1)
    session.execute(insert(Worker), [
        {"name": f"工人{i}", "description": "会干活", "home_place_id": place.id, "lat": place.lat,
         "lon": place.lon, "village": f"第{i % 40}村", "demo_key": f"bench-{i}"} for i in range(n_workers)])
    ids = list(session.scalars(select(Worker.id).where(Worker.demo_key.like("bench-%")).order_by(Worker.id)))
    session.execute(insert(HouseholdMark), [{"worker_id": w, "kind": "tuopin"} for w in ids[::3]])
    now = datetime.now(UTC)
    rows = []
    for i in range(placements):
        started = month_start + timedelta(days=27 - rng.randrange(0, 393))  # the year to the month's end
        rows.append({"worker_id": ids[i % len(ids)], "employer_name": f"厂{i % 300}", "job_title": "普工",
                     "county_code": COUNTY, "started_on": started, "source": "manual",
                     "ended_on": started + timedelta(days=200) if rng.random() < 0.1 else None})
    session.execute(insert(Placement), rows)
    placed = session.execute(select(Placement.id, Placement.started_on)
                             .where(Placement.county_code == COUNTY))
    checkins = []
    for pid, started in placed:
        for months in (1, 3, 6):
            due = add_months(started, months)
            done = due < month_start and rng.random() < 0.8
            checkins.append({"placement_id": pid, "month_offset": months, "due_on": due,
                             "done_at": now if done else None,
                             "still_working": (rng.random() < 0.75) if done else None})
    session.execute(insert(CheckIn), checkins)
    session.commit()


def measure(app: Any, month: str, repeat: int) -> dict[str, Any]:
    """Seconds for the baseline counts, the report and the workbook; the ratio."""
    from sqlalchemy import func, select

    from web.extensions import db
    from web.models import CheckIn, Placement
    from web.services import county_report

    with app.test_request_context():  # the workbook's labels are translated for a request
        session = db.session
        county = county_report.county_by_code(session, COUNTY)
        start, end = county_report.parse_month(month, china_today())

        def baseline() -> tuple[int, int]:
            where = Placement.county_code.like(COUNTY[:6] + "%")
            return (session.scalar(select(func.count(Placement.id)).where(where)),
                    session.scalar(select(func.count(CheckIn.id)).join(Placement).where(where)))

        counts = baseline()
        base = median_seconds(baseline, repeat)
        report = county_report.build_report(session, county, start, end)
        seconds = median_seconds(lambda: county_report.build_report(session, county, start, end), repeat)
        xlsx = median_seconds(lambda: county_report.write_report_xlsx(session, county, start, end,
                                                                      io.BytesIO()), max(1, repeat // 2))
        return {"placements": counts[0], "checkins": counts[1], "month": month,
                "figures": {k: f.value for k, f in report.figures.items()},
                "baseline_count_s": round(base, 4), "report_s": round(seconds, 4), "xlsx_s": round(xlsx, 4),
                "report_vs_baseline": round(seconds / base, 1) if base else None}


def measure_download(app: Any, url: str, month: str) -> dict[str, Any]:
    """The download through the app as a signed-in bureau member: the click that queues a job
    (here), then the job and the old inline request each in a fresh process of its own (so each
    peak RSS is that path's alone)."""
    client = _clerk_client(app)
    app.config["JIUJIN_EXPORT_INLINE_ROWS"] = 2000
    click, response = _timed(lambda: client.get(f"/bureau/report.xlsx?month={month}"))
    assert response.status_code == 303, response.status_code
    job = _child(url, "job", month)
    size = len(client.get(response.location + ".xlsx").data)
    inline = _child(url, "inline", month)
    return {"click_redirect_s": round(click, 3), "job_s": job["seconds"], "job_peak_rss_mb": job["peak_mb"],
            "job_rss_growth_mb": job["growth_mb"], "inline_request_s": inline["seconds"],
            "inline_peak_rss_mb": inline["peak_mb"], "inline_rss_growth_mb": inline["growth_mb"],
            "file_bytes": size, "inline_vs_click": round(inline["seconds"] / click, 1) if click else None}


def _child(url: str, what: str, month: str) -> dict[str, Any]:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "bench.county_report", "--child", what, "--database-url", url,
                          "--month", month], check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def run_child(url: str, what: str, month: str) -> None:
    """In a fresh process: run the queued job, or make the inline request; print seconds and RSS."""
    import resource
    from datetime import timedelta

    from web import create_app
    from web.extensions import db
    from web.services import export_jobs

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "JIUJIN_EXPORT_INLINE_ROWS": 10**9})
    client = _clerk_client(app)
    client.get("/bureau/")  # warm: templates, translations, the connection pool
    before = _rss()
    if what == "job":
        with app.app_context():
            seconds, ran = _timed(lambda: export_jobs.run_next_export(db.session, timedelta(hours=1)))
        assert ran
    else:
        seconds, response = _timed(lambda: client.get(f"/bureau/report.xlsx?month={month}"))
        assert response.status_code == 200
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": round(seconds, 3), "peak_mb": round(peak / 2**20, 1),
                      "growth_mb": round(max(0, peak - before) / 2**20, 1)}))


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _clerk_client(app: Any) -> Any:
    """A test client signed in as the county's bureau member (made on first use)."""
    from sqlalchemy import select

    from web.extensions import db
    from web.models import Place, RoleAssignment, User

    with app.app_context():
        user = db.session.scalar(select(User).where(User.phone == "19900000001"))
        if user is None:
            place = db.session.scalar(select(Place).where(Place.code == COUNTY))
            user = User(phone="19900000001", password_hash="x", display_name="bench",
                        consent_version="2026-11", consent_at=datetime.now(UTC))
            db.session.add(user)
            db.session.flush()
            db.session.add(RoleAssignment(user_id=user.id, role="bureau", county_id=place.id))
            db.session.commit()
        user_id = user.get_id()
    client = app.test_client()
    with client.session_transaction() as s:
        s["_user_id"], s["_fresh"] = user_id, True
        s["_auth_at"] = s["_seen_at"] = time.time()
    return client


def main(argv: list[str] | None = None) -> None:
    """Build the data, time the report, print one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--placements", type=int, default=10_000)
    parser.add_argument("--month", default="2026-11")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--no-download", action="store_true", help="time only the report, not the download")
    parser.add_argument("--child", choices=("job", "inline"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_child(args.database_url, args.child, args.month)
        return
    from web.services.county_report import parse_month

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        app = migrated_app(url)
        from web.extensions import db

        with app.app_context():
            started = time.perf_counter()
            fill(db.session, args.placements, parse_month(args.month, china_today())[0])
            filled = time.perf_counter() - started
        result = measure(app, args.month, args.repeat)
        if not args.no_download:
            result.update(measure_download(app, url, args.month))
        result["fill_s"] = round(filled, 2)
        result["database"] = url.split(":", 1)[0]
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
