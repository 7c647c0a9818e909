"""Killing an ingestion mid-run (SIGKILL) loses nothing and a rerun duplicates nothing."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, text

from bench.local_api import MAPPING, LocalApi, demo_postings
from web.config import ROOT

pytestmark = pytest.mark.slow
SOURCE = "kill-test-api"


def _sources_file(tmp_path, url):
    mapping = ", ".join(f'{k} = "{v}"' for k, v in MAPPING.items())
    path = tmp_path / "sources.toml"
    path.write_text(f'[[source]]\nname = "{SOURCE}"\nkind = "api"\nurl = "{url}"\ntrust = "bureau"\n'
                    f"allow_private_network = true\nmapping = {{ {mapping} }}\n", encoding="utf-8")
    return path


def _counts(database_url):
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT p.external_id FROM postings p JOIN sources s ON s.id = p.source_id WHERE s.name = :n"),
            {"n": SOURCE}).scalars().all()
        runs = conn.execute(text(
            "SELECT r.status FROM ingest_runs r JOIN sources s ON s.id = r.source_id WHERE s.name = :n"),
            {"n": SOURCE}).scalars().all()
    engine.dispose()
    return rows, runs


@pytest.fixture
def own_database(database_url, tmp_path):
    """A database of this test's own (a schema on PostgreSQL), migrated by the real command."""
    if not database_url.startswith("postgresql"):
        url = f"sqlite:///{tmp_path / 'kill.sqlite3'}"
    else:
        engine = create_engine(database_url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS kill_test CASCADE"))
            conn.execute(text("CREATE SCHEMA kill_test"))
        engine.dispose()
        url = database_url + "?options=-csearch_path%3Dkill_test"
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=120)
    return url


def test_sigkill_mid_run_then_rerun(own_database, model_path, tmp_path):
    database_url = own_database
    items = demo_postings(60)
    env = {**os.environ, "DATABASE_URL": database_url, "JIUJIN_MODEL_PATH": str(model_path)}
    cmd = [sys.executable, "-m", "flask", "--app", "wsgi", "ingest", "run"]
    with LocalApi(items, page_size=20, slow_page=3, slow_seconds=60) as api:
        path = _sources_file(tmp_path, api.url)
        proc = subprocess.Popen([*cmd, "--sources", str(path)], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while not any("page=3" in r for r in api.requests) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert any("page=3" in r for r in api.requests), "the run never reached page 3"
        os.kill(proc.pid, signal.SIGKILL)  # pages 1-2 were fetched and parsed, nothing committed
        proc.wait(timeout=30)
    stored, runs = _counts(database_url)
    assert stored == [] and runs == []  # no half-written posting, no half-recorded run

    with LocalApi(items, page_size=20) as api:
        path = _sources_file(tmp_path, api.url)
        for expected_new in (60, 0):
            done = subprocess.run([*cmd, "--sources", str(path)], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr[-2000:]
            counts = json.loads(re.search(r'\{"source".*\}', done.stdout).group(0))
            assert counts["new"] == expected_new and counts["errors"] == []
    stored, runs = _counts(database_url)
    assert sorted(stored) == sorted(str(i["id"]) for i in items) and len(stored) == len(set(stored))
    assert runs == ["ok", "ok"]
