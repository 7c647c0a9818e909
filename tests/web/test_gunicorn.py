"""The production server (gunicorn with gunicorn.conf.py) in front of the app: long searches."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from web.config import ROOT

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server_log(tmp_path_factory):
    """Where the server's output (its access log included) goes."""
    return tmp_path_factory.mktemp("gunicorn") / "out.log"


@pytest.fixture(scope="module")
def server(app, database_url, model_path, server_log):
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "JIUJIN_MODEL_PATH": str(model_path)}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py",
                             "--bind", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                            stdout=server_log.open("wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=5)
            break
        except OSError:
            time.sleep(0.5)
    yield base
    proc.terminate()
    proc.wait(timeout=30)


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


def test_a_full_length_chinese_description_is_served(server):
    words = ("会电焊，在工地干过三年，想在县城附近干。" * 30)[:500]
    status, page = _get(server + "/search?" + urllib.parse.urlencode({"q": words, "place": "榕江", "km": 30}))
    assert status == 200 and 'class="reason"' in page


def test_an_oversized_search_is_refused_with_a_4xx_not_a_crash(server):
    status, _ = _get(server + "/search?" + urllib.parse.urlencode({"q": "电焊" * 50_000, "place": "榕江"}))
    assert 400 <= status < 500
    assert _get(server + "/healthz")[0] == 200  # the server is still there


def test_the_access_log_keeps_paths_but_not_what_people_typed(server, server_log):
    query = {"q": "会开叉车", "place": "榕江县古州镇", "phone": "13800138099"}
    _get(server + "/search?" + urllib.parse.urlencode(query))
    deadline = time.monotonic() + 10
    while "GET /search " not in server_log.read_text("utf-8", "replace") and time.monotonic() < deadline:
        time.sleep(0.2)
    logged = server_log.read_text("utf-8", "replace")
    assert "GET /search HTTP/1.1\" 200" in logged
    for typed in [*query.values(), *(urllib.parse.quote(v) for v in query.values()), "?q="]:
        assert typed not in logged
