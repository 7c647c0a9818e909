"""On SQLite an ingest run fetches with no transaction open: while it waits on a slow source,
the site's writes go through at once (before, the run's open write transaction made them fail
with "database is locked")."""

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from bench.local_api import LocalApi, demo_postings
from tests.web.test_kill_mid_run import _counts, _sources_file, own_database  # noqa: F401 - a fixture
from web.config import ROOT

pytestmark = pytest.mark.slow


def test_web_writes_go_through_while_an_ingest_run_fetches(own_database, model_path, tmp_path):  # noqa: F811
    if not own_database.startswith("sqlite"):
        pytest.skip("PostgreSQL writers never wait on a reader")
    from web import create_app
    from web.extensions import db, transaction
    from web.models import Employer

    env = {**os.environ, "DATABASE_URL": own_database, "JIUJIN_MODEL_PATH": str(model_path)}
    cmd = [sys.executable, "-m", "flask", "--app", "wsgi", "ingest", "run"]
    with LocalApi(demo_postings(60), page_size=20, slow_page=3, slow_seconds=60) as api:
        proc = subprocess.Popen([*cmd, "--sources", str(_sources_file(tmp_path, api.url))], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 90
            while not any("page=3" in r for r in api.requests) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert any("page=3" in r for r in api.requests), "the run never reached page 3"
            app = create_app({"SQLALCHEMY_DATABASE_URI": own_database, "JIUJIN_MODEL_PATH": model_path})
            with app.app_context():
                started = time.monotonic()
                with transaction() as s:  # what every web write does
                    s.add(Employer(name="写入测试单位"))
                took = time.monotonic() - started
                assert db.session.scalar(select(Employer.id).where(Employer.name == "写入测试单位"))
                db.session.remove()
                db.engine.dispose()
            assert took < 2, f"the write waited {took:.1f} s for the ingest run"
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    stored, runs = _counts(own_database)
    assert stored == [] and runs == []  # killed while fetching: nothing half-written
