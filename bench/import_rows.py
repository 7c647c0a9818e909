"""Bureau import benchmark: a 10,000-row CSV and XLSX through the workspace's import.

    python -m bench.import_rows [--rows 10000] [--database-url URL]

For each format, in the same process and on a fresh SQLite file (unless a URL is given): the
baseline is the plain parse (``imports.read_items``: the sheet reader, no normalising, no
database); then the full import (checks, parse, normalise, dedupe, store, one transaction) and
a re-upload of the same file (everything unchanged). Embedding is excluded (a zero-vector
embedder stands in: the model's cost is bench/ingest.py's subject). Prints seconds, rows/s and
the ratio import/parse.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl

from bench.sites import migrated_app

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


def as_csv(rows: list[tuple[Any, ...]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
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



def measure(app: Any, name: str, data: bytes, county: str) -> dict[str, Any]:
    """Parse alone, then import, then re-import the same file; seconds each."""
    from web.extensions import db, transaction
    from web.policy import Scope
    from web.services import imports

    runtime = BenchRuntime(app.extensions["jiujin"].gazetteer)
    scope = Scope(counties=("522632",))
    with app.test_request_context():
        started = time.perf_counter()
        rows = len(imports.read_items(name, data))
        parse = time.perf_counter() - started
        timings = {}
        for run in ("import", "reimport"):
            started = time.perf_counter()
            with transaction() as session:
                report = imports.import_sheet(session, runtime, scope, county, name, data, date.today())
            timings[run] = (time.perf_counter() - started, report.counts)
        db.session.remove()
    (first, counts), (second, again) = timings["import"], timings["reimport"]
    return {"file": name, "bytes": len(data), "rows": rows, "parse_s": round(parse, 2),
            "import_s": round(first, 2), "import_rows_per_s": round(rows / first),
            "reimport_s": round(second, 2), "ratio_import_to_parse": round(first / parse, 1),
            "first": counts, "again": again}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        app = migrated_app(url)
        # Different rows for the XLSX, so its first import is not a re-upload of the CSV's.
        files = (("jobs.csv", as_csv(make_rows(args.rows))),
                 ("jobs.xlsx", as_xlsx(make_rows(args.rows, args.rows))))
        for name, data in files:
            print(json.dumps(measure(app, name, data, "522632"), ensure_ascii=False))


if __name__ == "__main__":
    main()
