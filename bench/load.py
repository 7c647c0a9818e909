"""Load on the real server: gunicorn (as `make run` starts it) under 50 and 200 users, on loopback.

    python -m bench.load [--workers 1,2,4] [--users 50,200] [--seconds 20] [--max-requests 5000]
                         [--database-url URL] [--json]

For each worker count it starts gunicorn with `gunicorn.conf.py` on the embedded default (a
SQLite file with the demo data, built in a temporary folder; the model from `instance/models`,
built once by `make setup` or here), waits until the workers answer, measures the quiet
latency (one request at a time), then drives the search page and the matches API with N users
(threads, each sending its next request as soon as the last is answered) for at most
`--seconds` and `--max-requests`. Half the searches repeat the home page's ready-made ones,
half are texts nobody sent before (each must be embedded). It reports requests/s, p50/p95/p99,
the quick 503s of load shedding apart from real errors, the RSS of each worker, and p95 as a
multiple of the quiet p50 measured in the same run. The load generator shares the machine's
cores with the server: on a 2-core machine that is part of what is measured.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SUFFIXES = ("，能吃苦", "，想离家近一点", "，干过两年", "，身体好", "，会一点电脑", "，想找长期的",
            "，最好包吃")


@dataclass
class Result:
    """One scenario under one load."""

    workers: int
    users: int
    endpoint: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    shed_503: int
    errors: int
    quiet_p50_ms: float
    p95_over_quiet: float
    worker_rss_mb: list[float]


def prepare_database(folder: Path) -> tuple[str, list[dict[str, Any]]]:
    """A SQLite file with the demo data and its vectors, and the demo searches as query params."""
    from bench.sites import migrated_app
    from web.config import INSTANCE
    from web.extensions import db
    from web.services.demo import load_demo
    from web.services.workers import demo_searches

    url = f"sqlite:///{folder / 'load.sqlite3'}"
    app = migrated_app(url, JIUJIN_MODEL_PATH=INSTANCE / "models" / "use-m3-st")
    with app.app_context():
        load_demo(db.session, app.extensions["jiujin"])
        db.session.commit()
        searches = [s["params"] for s in demo_searches(db.session, limit=50)]
        db.session.remove()
        db.engine.dispose()
    return url, searches


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(database_url: str, workers: int,
                 warm: dict[str, Any]) -> tuple[subprocess.Popen[bytes], str]:
    """gunicorn with the project's config and ``workers`` workers; returns once ``warm`` is served."""
    from web.config import INSTANCE

    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "WEB_CONCURRENCY": str(workers),
           "JIUJIN_MODEL_PATH": str(INSTANCE / "models" / "use-m3-st"), "JIUJIN_LOAD_DEMO": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py",
                             "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null", "wsgi:app"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited while starting")
        try:
            with urllib.request.urlopen(f"{base}/search?{urllib.parse.urlencode(warm)}", timeout=60) as r:
                if r.status == 200:
                    return proc, base
        except urllib.error.HTTPError as err:
            if err.code < 500:
                proc.kill()
                raise RuntimeError(f"the warm-up search was refused: HTTP {err.code}") from None
            time.sleep(1)
        except OSError:
            time.sleep(1)
    proc.kill()
    raise RuntimeError("gunicorn did not answer within 10 minutes")


def worker_rss_mb(master: int) -> list[float]:
    """The resident memory of each child of the gunicorn master, in MB (Linux /proc)."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) != master:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(round(int(line.split()[1]) / 1024, 1))
        except (OSError, IndexError, ValueError):
            continue
    return sorted(sizes)


def make_urls(base: str, endpoint: str, searches: list[dict[str, Any]], count: int, seed: int) -> list[str]:
    """``count`` request URLs: half repeat the ready-made searches, half are texts not sent before."""
    rng = random.Random(seed)
    path = "/search" if endpoint == "search" else "/api/v1/matches"
    urls = []
    for i in range(count):
        params = dict(rng.choice(searches))
        if endpoint == "api":
            params = {"q": params["q"], "place": params["place"], "km": params["km"]}
        if i % 2:
            params["q"] = f"{params['q']}{rng.choice(SUFFIXES)}{i}"
        urls.append(f"{base}{path}?{urllib.parse.urlencode(params)}")
    return urls


def fetch(url: str) -> tuple[int, float]:
    """Status and seconds of one GET."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as err:
        err.read()
        status = err.code
    except OSError:
        status = 0
    return status, time.perf_counter() - started


def quiet_p50(urls: list[str], n: int = 15) -> float:
    """Median latency, one request at a time."""
    return statistics.median(fetch(u)[1] for u in urls[:n])


def drive(urls: list[str], users: int, seconds: float) -> tuple[list[tuple[int, float]], float]:
    """``users`` threads taking URLs in turn until they run out or ``seconds`` pass."""
    results: list[tuple[int, float]] = []
    lock = threading.Lock()
    queue = iter(urls)
    stop = time.monotonic() + seconds

    def user() -> None:
        while time.monotonic() < stop:
            with lock:
                url = next(queue, None)
            if url is None:
                return
            outcome = fetch(url)
            with lock:
                results.append(outcome)

    started = time.monotonic()
    threads = [threading.Thread(target=user, daemon=True) for _ in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.monotonic() - started


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))] if ordered else 0.0


def summarise(workers: int, users: int, endpoint: str, results: list[tuple[int, float]], elapsed: float,
              quiet: float, rss: list[float]) -> Result:
    """The figures of one run."""
    served = [s for status, s in results if status == 200]
    p50, p95, p99 = (percentile(served, q) for q in (50, 95, 99))
    return Result(workers, users, endpoint, len(results), round(elapsed, 1), round(len(served) / elapsed, 1),
                  round(p50 * 1000), round(p95 * 1000), round(p99 * 1000),
                  sum(1 for status, _ in results if status == 503),
                  sum(1 for status, _ in results if status not in (200, 503)),
                  round(quiet * 1000, 1), round(p95 / quiet, 1) if quiet else 0.0, rss)


def county_searches(n: int = 200, seed: int = 7) -> list[dict[str, Any]]:
    """Searches at county seats across the country (for a database that ``bench.scale`` filled)."""
    from bench.match import WORKER_TEXTS
    from places import default_gazetteer

    rng = random.Random(seed)
    counties = sorted(p.full_name for p in default_gazetteer().places.values() if p.level == "county")
    return [{"q": rng.choice(WORKER_TEXTS), "place": rng.choice(counties), "km": "30"} for _ in range(n)]


def run(args: argparse.Namespace) -> list[Result]:
    """Every worker count × users × endpoint."""
    results = []
    with tempfile.TemporaryDirectory() as folder:
        if args.database_url:
            url, searches = args.database_url, county_searches()
        else:
            url, searches = prepare_database(Path(folder))
        for workers in args.workers:
            proc, base = start_server(url, workers, searches[0])
            try:
                for endpoint in ("search", "api"):
                    quiet = quiet_p50(make_urls(base, endpoint, searches, 15, seed=workers))
                    for users in args.users:
                        urls = make_urls(base, endpoint, searches, args.max_requests, seed=users)
                        outcomes, elapsed = drive(urls, users, args.seconds)
                        result = summarise(workers, users, endpoint, outcomes, elapsed, quiet,
                                           worker_rss_mb(proc.pid))
                        results.append(result)
                        if not args.json:
                            print(row(result), flush=True)
            finally:
                proc.terminate()
                proc.wait(timeout=60)
    return results


HEADER = ("workers users endpoint   requests  req/s  p50ms  p95ms  p99ms  shed503 errors  quiet_p50ms "
          "p95/quiet  worker_rss_mb")


def row(r: Result) -> str:
    """One table line."""
    return (f"{r.workers:>7} {r.users:>5} {r.endpoint:<9} {r.requests:>9} {r.rps:>6} {r.p50_ms:>6} "
            f"{r.p95_ms:>6} {r.p99_ms:>6} {r.shed_503:>8} {r.errors:>6} {r.quiet_p50_ms:>12} "
            f"{r.p95_over_quiet:>9}  {r.worker_rss_mb}")


def main(argv: list[str] | None = None) -> None:
    """Parse the options, run, print a table (or JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2, 4])
    parser.add_argument("--users", type=lambda s: [int(x) for x in s.split(",")], default=[50, 200])
    parser.add_argument("--seconds", type=float, default=20.0, help="at most this long per load")
    parser.add_argument("--max-requests", type=int, default=5000, help="at most this many requests per load")
    parser.add_argument("--database-url", default=None,
                        help="serve this database as it is (e.g. one `python -m bench.scale` filled) instead "
                             "of a fresh demo SQLite file; searches then go to county seats")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.json:
        print(HEADER, flush=True)
    results = run(args)
    if args.json:
        print(json.dumps({"results": [asdict(r) for r in results]}, ensure_ascii=False))


if __name__ == "__main__":
    main()
