"""Import jobs: progress visible mid-run, and a run stopped at any point (after a committed
batch, or inside one before it commits) then resumed gives exactly the rows of one clean import."""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.web.staff import csrf_token, log_in  # staff_world: the fixture, from tests/web/conftest.py
from tests.web.test_imports import run_jobs
from tests.web.test_kill_mid_run import own_database  # noqa: F401 - a fixture
from web.models import ImportJob, ImportJobRow, Posting, Source
from web.services import import_jobs

HEADER = "编号,岗位名称,用人单位,工作地点,薪资待遇"
ROWS = [
    "J1,电焊工,任务测试厂甲,榕江县古州镇,5000元/月",
    "J2,普工,任务测试厂乙,榕江县,4000元/月",
    "J3,,任务测试厂丙,榕江县,4000元/月",
    "J1,电焊工,任务测试厂甲,榕江县古州镇,5000元/月",  # the same id again, in the next batch
    "J4,采茶工,任务测试茶厂,从江县,3000元/月",
    "J5,木工,任务测试厂丁,榕江县车江乡,4500元/月",
    "J6,司机,任务测试厂戊,榕江县,6000元/月",
]
DATA = "\n".join([HEADER, *ROWS]).encode()
EXPECTED = [(2, "new", ""), (3, "new", ""), (4, "rejected", "missing_title"), (5, "duplicate", ""),
            (6, "rejected", "place_outside_county"), (7, "new", ""), (8, "new", "")]


class Killed(BaseException):
    """Stands in for SIGKILL: nothing after it runs, not even an ``except Exception``."""


@pytest.fixture
def world(staff_world: Any) -> Any:
    for obj in staff_world.users.values():
        assert obj.id
    return staff_world


def _upload(client: Any) -> str:
    token = csrf_token(client, "/bureau/import")
    form = {"csrf_token": token, "file": (io.BytesIO(DATA), "jobs.csv")}
    response = client.post("/bureau/import", data=form, content_type="multipart/form-data")
    assert response.status_code == 303
    return response.location


def _report(db_session: Any) -> list[tuple[int | None, str, str]]:
    job = db_session.scalar(select(ImportJob).order_by(ImportJob.id.desc()).limit(1))
    rows = db_session.scalars(select(ImportJobRow).where(ImportJobRow.job_id == job.id)
                              .order_by(ImportJobRow.seq)).all()
    assert [r.seq for r in rows] == list(range(len(rows)))
    return [(r.row, r.outcome, r.reason) for r in rows]


def _stored(db_session: Any) -> list[str]:
    source = select(Source.id).where(Source.name == "bureau-522632").scalar_subquery()
    return sorted(db_session.scalars(select(Posting.external_id).where(Posting.source_id == source)))


def test_a_clean_run_and_the_same_file_again(client: Any, db_session: Any, world: Any,
                                             monkeypatch: Any) -> None:
    monkeypatch.setattr(import_jobs, "BATCH", 2)
    log_in(client, world.users["bureau"])
    page = _upload(client)
    queued = client.get(page + "/status.json").get_json()
    assert (queued["status"], queued["read"], queued["total"], queued["finished"]) == ("queued", 0, None, 0)
    assert '<meta http-equiv="refresh"' in client.get(page).get_data(as_text=True)
    assert _upload(client) == page  # the same file while it waits: the same job
    assert run_jobs(client) == 1
    assert _report(db_session) == EXPECTED
    assert _stored(db_session) == ["J1", "J2", "J5", "J6"]
    done = client.get(page + "/status.json").get_json()
    assert (done["status"], done["read"], done["total"]) == ("done", 7, 7)
    assert (done["stored"], done["rejected"], done["counts"]["duplicate"]) == (4, 2, 1)
    assert '<meta http-equiv="refresh"' not in client.get(page).get_data(as_text=True)
    job = db_session.scalar(select(ImportJob).order_by(ImportJob.id.desc()).limit(1))
    assert job.data is None and job.cursor == 7

    again = _upload(client)
    assert again != page and run_jobs(client) == 1
    assert [o for _, o, _ in _report(db_session)] == [
        "unchanged", "unchanged", "rejected", "duplicate", "rejected", "unchanged", "unchanged"]
    assert _stored(db_session) == ["J1", "J2", "J5", "J6"]


@pytest.mark.parametrize("stop_after", [1, 2, 3])
def test_killed_after_a_batch_shows_progress_then_resumes(client: Any, db_session: Any, world: Any,
                                                          monkeypatch: Any, stop_after: int) -> None:
    monkeypatch.setattr(import_jobs, "BATCH", 2)

    def stop(job_id: int, batches: int) -> None:
        if batches == stop_after:
            raise Killed

    monkeypatch.setattr(import_jobs, "_after_batch", stop)
    log_in(client, world.users["bureau"])
    page = _upload(client)
    with pytest.raises(Killed):
        run_jobs(client)
    mid = client.get(page + "/status.json").get_json()
    assert (mid["status"], mid["read"], mid["total"]) == ("running", 2 * stop_after, 7)
    assert mid["stored"] + mid["merged"] + mid["expired"] + mid["rejected"] == 2 * stop_after
    html = client.get(page).get_data(as_text=True)
    assert '<meta http-equiv="refresh"' in html and f'class="progress-read">{2 * stop_after} / 7<' in html
    assert len(_stored(db_session)) == sum(1 for _, o, _ in EXPECTED[: 2 * stop_after] if o == "new")

    monkeypatch.setattr(import_jobs, "_after_batch", lambda job_id, batches: None)
    assert run_jobs(client) == 1  # the runner finds the job left running and resumes it
    assert _report(db_session) == EXPECTED
    assert _stored(db_session) == ["J1", "J2", "J5", "J6"]
    job = db_session.scalar(select(ImportJob).order_by(ImportJob.id.desc()).limit(1))
    assert (job.status, job.attempts, job.cursor) == ("done", 2, 7)


def test_killed_inside_a_batch_before_it_commits(client: Any, db_session: Any, world: Any,
                                                 monkeypatch: Any) -> None:
    monkeypatch.setattr(import_jobs, "BATCH", 2)
    record, calls = import_jobs._record, []

    def record_then_die(*args: Any) -> None:
        calls.append(1)
        record(*args)
        if len(calls) == 2:
            raise Killed  # the second batch's postings and rows are written, not committed

    monkeypatch.setattr(import_jobs, "_record", record_then_die)
    log_in(client, world.users["bureau"])
    _upload(client)
    with pytest.raises(Killed):
        run_jobs(client)
    db_session.rollback()  # the process died: its open transaction is gone
    assert _stored(db_session) == ["J1", "J2"]
    assert db_session.scalar(select(func.count(ImportJobRow.id))) == 2
    monkeypatch.setattr(import_jobs, "_record", record)
    assert run_jobs(client) == 1
    assert _report(db_session) == EXPECTED
    assert _stored(db_session) == ["J1", "J2", "J5", "J6"]


@pytest.mark.slow
def test_sigkill_of_the_runner_then_rerun(own_database: str, model_path: Any) -> None:  # noqa: F811
    """A real ``flask jobs run`` killed with SIGKILL after its first batches; a second run
    resumes the job: every row once, every posting once."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from sqlalchemy import create_engine, text

    from bench.import_rows import as_csv, compact_rows
    from web import create_app
    from web.config import ROOT
    from web.extensions import db
    from web.policy import Scope

    rows = 3000
    app = create_app({"SQLALCHEMY_DATABASE_URI": own_database, "JIUJIN_MODEL_PATH": model_path})
    with app.app_context():
        job = import_jobs.queue_import(db.session, None, Scope(counties=("522632",)), "522632", "jobs.csv",
                                       as_csv(compact_rows(rows)))
        job_id = job.id
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    engine = create_engine(own_database)

    def state() -> tuple[str, int]:
        with engine.connect() as conn:
            found = conn.execute(text("SELECT status, cursor FROM import_jobs")).one()
        return found[0], found[1]

    env = {**os.environ, "DATABASE_URL": own_database, "JIUJIN_MODEL_PATH": str(model_path)}
    cmd = [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "run"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while state()[1] < 2 * import_jobs.BATCH and time.monotonic() < deadline:
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    status, cursor = state()
    assert status == "running" and 0 < cursor < rows, (status, cursor)

    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert state() == ("done", rows)
    with engine.connect() as conn:
        seqs = conn.execute(text("SELECT seq FROM import_job_rows WHERE job_id = :j"),
                            {"j": job_id}).scalars().all()
        ids = conn.execute(text("SELECT p.external_id FROM postings p JOIN sources s ON s.id = p.source_id "
                                "WHERE s.name = 'bureau-522632'")).scalars().all()
    engine.dispose()
    assert sorted(seqs) == list(range(rows))
    assert len(ids) == rows and len(set(ids)) == rows
