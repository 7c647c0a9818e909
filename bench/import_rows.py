"""Bureau import benchmark: a CSV and an XLSX through the import job, with peak memory.

    python -m bench.import_rows [--rows 10000] [--database-url URL]
    python -m bench.import_rows --memory 10000 100000      # peak RSS, one fresh process per size

For each format, in the same process and on a fresh SQLite file (unless a URL is given): the
baseline is the plain parse (``imports.count_items``: the streaming sheet reader, no normalising,
no database); then the import as the job runner does it (queue, checking pass, batches of 500
rows, one transaction each) and a re-upload of the same file (everything unchanged). Embedding is
excluded (a zero-vector embedder stands in: the model's cost is bench/ingest.py's subject).
Prints seconds, rows/s, the ratio import/parse, and the process's peak RSS (``ru_maxrss``).

``--memory N...`` runs one child process per size (a CSV of short rows, so 100,000 fit the 5 MB
limit) and prints each one's peak RSS after the import, so the sizes do not share a high-water
mark: flat means the 100k-row import peaks near the 10k-row one.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl

from bench.sites import migrated_app
from jobs_ingest.clock import china_today

PLACES = ("榕江县古州镇", "榕江县", "贵州省黔东南州榕江县", "榕江县忠诚镇", "榕江县车江乡")
TITLES = ("电焊工", "普工", "采茶工", "保洁员", "厨师", "服务员", "搬运工", "钢筋工", "木工", "司机")
HEADER = ("岗位名称", "用人单位", "工作地点", "薪资待遇", "福利待遇", "招聘人数", "截止日期", "岗位要求")


class ZeroEmbedder:
    """Stands in for the model: the import's own cost is measured."""

    model_id = "bench-zero"

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.zeros((len(texts), 8), dtype=np.float32)


class BenchRuntime:
    """The parts of web.services.runtime.Runtime the import uses."""

    def __init__(self, gazetteer: Any):
        self.gazetteer = gazetteer

    def embedder(self) -> ZeroEmbedder:
        return ZeroEmbedder()


def make_rows(n: int, start: int = 0) -> list[tuple[Any, ...]]:
    """``n`` distinct vacancies in 榕江县."""
    return [(f"{TITLES[i % len(TITLES)]}{i}", f"榕江县测试企业{i % 700}", PLACES[i % len(PLACES)],
             f"{3000 + i % 40 * 100}-{5000 + i % 40 * 100}元/月", "包吃住" if i % 3 else "",
             str(1 + i % 20), "2099-12-31", "能吃苦耐劳，有经验优先") for i in range(start, start + n)]


def compact_rows(n: int) -> list[tuple[Any, ...]]:
    """``n`` distinct short vacancies (title, employer, place, pay): 100,000 of them fit the
    upload's 5 MB, as in the probe's 100,000-row upload."""
    return [(f"{TITLES[i % len(TITLES)]}{i}", f"厂{i % 700}", PLACES[i % len(PLACES)], "4000")
            for i in range(n)]


def as_csv(rows: list[tuple[Any, ...]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER[: len(rows[0])] if rows and len(rows[0]) < len(HEADER) else HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def as_xlsx(rows: list[tuple[Any, ...]]) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("岗位")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()



def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_import(app: Any, name: str, data: bytes) -> dict[str, int]:
    """Queue the file as the upload does, run it as the job runner does; the job's counts."""
    from web.extensions import db
    from web.models import ImportJob
    from web.policy import Scope
    from web.services import import_jobs

    runtime = BenchRuntime(app.extensions["jiujin"].gazetteer)
    scope = Scope(counties=("522632",))
    with app.app_context():
        job = import_jobs.queue_import(db.session, None, scope, "522632", name, data)
        job_id = job.id
        db.session.commit()
        import_jobs.run_queued_jobs(db.session, runtime, china_today())
        job = db.session.get(ImportJob, job_id)
        assert job is not None and job.status == "done", (job.status, job.message) if job else None
        counts = dict(job.counts)
        db.session.remove()
    return counts


def measure(app: Any, name: str, data: bytes) -> dict[str, Any]:
    """Parse alone, then import, then re-import the same file; seconds each."""
    from web.services import imports

    started = time.perf_counter()
    rows = imports.count_items(name, data)
    parse = time.perf_counter() - started
    timings = {}
    for run in ("import", "reimport"):
        started = time.perf_counter()
        counts = run_import(app, name, data)
        timings[run] = (time.perf_counter() - started, counts)
    (first, counts), (second, again) = timings["import"], timings["reimport"]
    return {"file": name, "bytes": len(data), "rows": rows, "parse_s": round(parse, 2),
            "import_s": round(first, 2), "import_rows_per_s": round(rows / first),
            "reimport_s": round(second, 2), "ratio_import_to_parse": round(first / parse, 1),
            "first": counts, "again": again, "peak_rss_mb": peak_rss_mb()}


def memory_child(rows: int) -> None:
    """One size in a fresh process: import a CSV of ``rows`` rows, print peak RSS before and after."""
    with tempfile.TemporaryDirectory() as tmp:
        app = migrated_app(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        data = as_csv(compact_rows(rows))
        before = peak_rss_mb()
        started = time.perf_counter()
        counts = run_import(app, "jobs.csv", data)
        took = round(time.perf_counter() - started, 1)
        print(json.dumps({"rows": rows, "bytes": len(data), "import_s": took,
                          "peak_rss_before_mb": before, "peak_rss_after_mb": peak_rss_mb(),
                          "new": counts.get("new")}, ensure_ascii=False), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--memory", type=int, nargs="*", default=None, help="sizes, one child process each")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        memory_child(args.child)
        return
    if args.memory:
        for rows in args.memory:
            subprocess.run([sys.executable, "-m", "bench.import_rows", "--child", str(rows)], check=True)
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        app = migrated_app(url)
        # Different rows for the XLSX, so its first import is not a re-upload of the CSV's.
        files = (("jobs.csv", as_csv(make_rows(args.rows))),
                 ("jobs.xlsx", as_xlsx(make_rows(args.rows, args.rows))))
        for name, data in files:
            print(json.dumps(measure(app, name, data), ensure_ascii=False))


if __name__ == "__main__":
    main()
