"""Load shedding: with every thread busy, a request that waited too long is a quick 503, not a late page."""

from __future__ import annotations

import concurrent.futures
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from web.config import ROOT
from web.shedding import _waited, shed_late_requests


def _call(app, path: str, waited: float) -> tuple[str, dict[str, str], bytes]:
    seen: dict[str, object] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    _waited.seconds = waited
    body = b"".join(app({"PATH_INFO": path}, start_response))
    return str(seen["status"]), seen["headers"], body  # type: ignore[return-value]


def _ok(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def test_only_requests_that_waited_too_long_are_shed() -> None:
    app = shed_late_requests(_ok, limit=2.0)
    assert _call(app, "/search", 1.9)[0] == "200 OK"
    status, headers, body = _call(app, "/search", 2.1)
    assert status.startswith("503") and headers["Retry-After"] == "5" and "请过几秒再试" in body.decode()
    status, headers, body = _call(app, "/api/v1/matches", 2.1)
    assert status.startswith("503") and headers["Content-Type"] == "application/json" and b"retry" in body
    assert _call(app, "/healthz", 60)[0] == "200 OK"  # liveness never flaps
    assert _call(shed_late_requests(_ok, limit=0), "/search", 60)[0] == "200 OK"  # 0 turns it off


def test_the_wrapped_app_still_shows_its_attributes() -> None:
    from flask import Flask

    flask_app = Flask(__name__)
    assert shed_late_requests(flask_app, 1.0).app_context is not None  # gunicorn's post_worker_init uses it


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str | None, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            return response.status, None, time.monotonic() - started
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Retry-After"), time.monotonic() - started


@pytest.fixture
def one_thread_server(tmp_path):
    port = _free_port()
    config = tmp_path / "gunicorn.conf.py"
    config.write_text("")  # not the project's: no model to warm for this little app
    env = {**os.environ, "JIUJIN_MAX_QUEUE_SECONDS": "0.5"}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--worker-class", "web.shedding.ShedWorker",
                             "--config", str(config), "--workers", "1", "--threads", "1",
                             "--bind", f"127.0.0.1:{port}", "tests.web.slow_wsgi:app"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/warm", timeout=5).read()
            break
        except OSError:
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=30)


def test_a_real_gunicorn_sheds_the_queue_behind_a_busy_thread(one_thread_server: str) -> None:
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        results = list(pool.map(_get, [one_thread_server + f"/page{i}" for i in range(6)]))
    served = [r for r in results if r[0] == 200]
    shed = [r for r in results if r[0] == 503]
    assert served and shed and len(served) + len(shed) == 6
    assert all(retry == "5" for _, retry, _ in shed)
    # One thread, a second per page: served late, six would take six seconds; shedding ends it in ~2-3.
    assert max(elapsed for _, _, elapsed in results) < 4.5
