"""Large downloads as background jobs: below the inline limit the file comes at once as before;
above it a job, its progress page, then the same rows in the file; kept to the requester's
county or pair; a failure recorded and shown; a killed run taken over once its lease lapses,
one file per job; expired files dropped by the runner."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select, update

from tests.web.staff import log_in
from tests.web.test_county_report import Month, sign_in
from web.models import AuditEntry, ExportJob, JobPush, Worker, utcnow
from web.services import county_report, export_jobs, exports

KEEP = timedelta(hours=24)


class Killed(BaseException):
    """Stands in for SIGKILL: nothing after it runs, not even an ``except Exception``."""


def run_exports(client: Any, now: Any = utcnow) -> int:
    """Run the waiting export jobs in the test's session, as the runner does; how many ran."""
    from web.extensions import db

    ran = 0
    with client.application.app_context():
        while export_jobs.run_next_export(db.session, KEEP, now=now):
            ran += 1
    return ran


def sheets(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's values."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}


def latest_job(db_session: Any) -> ExportJob:
    db_session.expire_all()
    return db_session.scalar(select(ExportJob).order_by(ExportJob.id.desc()).limit(1))


@pytest.fixture
def month(db_session: Any, staff_world: Any) -> Month:
    """November 2026 in 榕江县 with known figures (tests/web/test_county_report.py)."""
    return Month(db_session, staff_world)


@pytest.fixture
def low_limit(app: Any, monkeypatch: Any) -> None:
    """Anything of more than 2 records goes to a job."""
    monkeypatch.setitem(app.config, "JIUJIN_EXPORT_INLINE_ROWS", 2)


def test_small_report_comes_at_once(client: Any, db_session: Any, month: Month) -> None:
    sign_in(client, db_session, month, "bureau")
    response = client.get("/bureau/report.xlsx?month=2026-11")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert db_session.scalar(select(func.count(ExportJob.id))) == 0


def test_large_report_is_a_job_with_the_same_rows(client: Any, db_session: Any, month: Month, app: Any,
                                                  monkeypatch: Any) -> None:
    sign_in(client, db_session, month, "bureau")
    at_once = client.get("/bureau/report.xlsx?month=2026-11").data
    inline_ids = db_session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "bureau.report")
                                    .order_by(AuditEntry.id.desc())).first()["worker_ids"]  # this download's
    monkeypatch.setitem(app.config, "JIUJIN_EXPORT_INLINE_ROWS", 2)
    monkeypatch.setattr(county_report, "CHUNK", 3)  # several chunks, each committing progress
    click = client.get("/bureau/report.xlsx?month=2026-11")
    assert click.status_code == 303 and re.search(r"/bureau/report/exports/\d+$", click.location)
    page = click.location
    assert client.get("/bureau/report.xlsx?month=2026-11").location == page  # the same job while it waits
    queued = client.get(page).get_data(as_text=True)
    assert '<meta http-equiv="refresh"' in queued and "排队中" in queued
    total = latest_job(db_session).total
    county = county_report.county_by_code(db_session, "522632000000")
    assert total == county_report.count_placed(db_session, county, date(2026, 11, 30)) > 2
    assert client.get(page + ".xlsx").location.endswith(page)  # no file yet: back to the page

    assert run_exports(client) == 1
    done = client.get(page).get_data(as_text=True)
    assert '<meta http-equiv="refresh"' not in done and "文件已经生成好了" in done
    assert f'class="progress-done">{total} / {total}<' in done
    before = db_session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "bureau.report"))
    download = client.get(page + ".xlsx")
    assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"
    assert sheets(download.data) == sheets(at_once)
    views = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "bureau.report")
                               .order_by(AuditEntry.id)).all()
    assert len(views) == before + 1 and views[-1].detail["export_id"] == latest_job(db_session).id
    assert set(views[-1].detail["worker_ids"]) == set(inline_ids) != set()
    assert client.get("/bureau/report.xlsx?month=2026-11").location != page  # done: a new export


def test_another_county_cannot_see_the_job(client: Any, db_session: Any, month: Month,
                                           low_limit: None) -> None:
    sign_in(client, db_session, month, "bureau")
    page = client.get("/bureau/report.xlsx?month=2026-11").location
    run_exports(client)
    for who, status in (("bureau_same", 200), ("admin", 200), ("bureau_other", 404), ("collab", 403)):
        sign_in(client, db_session, month, who)
        assert client.get(page).status_code == status, who
        assert client.get(page + ".xlsx").status_code == status, who
    sign_in(client, db_session, month, "bureau_same")
    assert client.get(page.replace("/bureau/report/", "/bureau/import/")).status_code == 404  # kind


def test_large_pushes_export_is_a_job_with_the_same_rows(client: Any, db_session: Any, staff_world: Any,
                                                         app: Any, monkeypatch: Any) -> None:
    for i in range(4):
        worker = Worker(name=f"=推送{i}", description="会电焊", home_place_id=staff_world.places["own"].id,
                        lat=staff_world.places["own"].lat, lon=staff_world.places["own"].lon)
        db_session.add(worker)
        db_session.flush()
        db_session.add(JobPush(posting_id=staff_world.postings["east"].id, worker_id=worker.id))
    db_session.commit()
    log_in(client, staff_world.users["collab"])
    at_once = sheets(client.get("/collab/pushes.xlsx").data)["pushes"]
    monkeypatch.setitem(app.config, "JIUJIN_EXPORT_INLINE_ROWS", 2)
    click = client.get("/collab/pushes.xlsx")
    assert click.status_code == 303 and "/collab/exports/" in click.location
    assert client.get("/collab/supply-groups.xlsx").status_code == 200  # aggregates: always at once
    assert run_exports(client) == 1
    rows = sheets(client.get(click.location + ".xlsx").data)["pushes"]
    assert rows[0] == at_once[0] and rows[3:] == at_once[3:]  # the export time may differ by a minute
    assert len(rows) - 5 == len(at_once) - 5 >= 4 and "'=推送3" in [r[1] for r in rows]
    log_in(client, staff_world.users["bureau"])
    assert client.get(click.location).status_code == 403


def test_failure_is_recorded_and_shown(client: Any, db_session: Any, month: Month, low_limit: None,
                                       monkeypatch: Any) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(county_report, "write_report_xlsx", broken)
    sign_in(client, db_session, month, "bureau")
    page = client.get("/bureau/report.xlsx?month=2026-11").location
    assert run_exports(client) == 1
    job = latest_job(db_session)
    assert (job.status, job.message, job.live_key) == ("failed", "error:RuntimeError", None)
    html = client.get(page).get_data(as_text=True)
    assert "生成文件时出错（RuntimeError）" in html and '<meta http-equiv="refresh"' not in html
    assert 'href="/bureau/report.xlsx?month=2026-11">' in html  # export again
    assert client.get(page + ".xlsx").location.endswith(page)
    english = client.get(page + "?lang=en").get_data(as_text=True)
    assert "RuntimeError" in english and "生成" not in english


def test_a_killed_run_is_taken_over_once_its_lease_lapses(client: Any, db_session: Any, month: Month,
                                                          low_limit: None, monkeypatch: Any) -> None:
    monkeypatch.setattr(county_report, "CHUNK", 3)

    def die(job_id: int, done: int) -> None:
        raise Killed

    monkeypatch.setattr(export_jobs, "_after_chunk", die)
    sign_in(client, db_session, month, "bureau")
    page = client.get("/bureau/report.xlsx?month=2026-11").location
    with pytest.raises(Killed):
        run_exports(client)
    db_session.rollback()  # the process died
    job = latest_job(db_session)
    assert (job.status, job.done, job.attempts) == ("running", 3, 1)
    assert "正在生成文件" in client.get(page).get_data(as_text=True)
    assert run_exports(client) == 0  # its lease has not lapsed: nobody takes it yet
    db_session.execute(update(ExportJob).where(ExportJob.id == job.id).values(  # its runner is gone
        heartbeat_at=utcnow() - export_jobs.LEASE - timedelta(seconds=1)))
    db_session.commit()
    assert "上次生成中断了" in client.get(page).get_data(as_text=True)
    monkeypatch.setattr(export_jobs, "_after_chunk", lambda job_id, done: None)
    assert run_exports(client) == 1
    job = latest_job(db_session)
    assert (job.status, job.attempts, job.done) == ("done", 2, job.total)
    assert db_session.scalar(select(func.count(ExportJob.id))) == 1  # one job, one file
    assert client.get(page + ".xlsx").status_code == 200


def test_a_job_killed_every_time_fails_cleanly(client: Any, db_session: Any, month: Month, low_limit: None,
                                               monkeypatch: Any) -> None:
    monkeypatch.setattr(county_report, "CHUNK", 3)
    monkeypatch.setattr(export_jobs, "_after_chunk", lambda job_id, done: (_ for _ in ()).throw(Killed()))
    sign_in(client, db_session, month, "bureau")
    page = client.get("/bureau/report.xlsx?month=2026-11").location
    moment = utcnow()
    for _ in range(export_jobs.MAX_ATTEMPTS):
        moment += export_jobs.LEASE + timedelta(seconds=1)
        with pytest.raises(Killed):
            run_exports(client, now=lambda m=moment: m)
        db_session.rollback()
    moment += export_jobs.LEASE + timedelta(seconds=1)
    assert run_exports(client, now=lambda: moment) == 0
    job = latest_job(db_session)
    assert (job.status, job.message, job.attempts) == ("failed", "interrupted", export_jobs.MAX_ATTEMPTS)
    assert "连续中断了3次" in client.get(page).get_data(as_text=True)


def test_expired_files_are_dropped_by_the_runner(client: Any, db_session: Any, month: Month,
                                                 low_limit: None) -> None:
    sign_in(client, db_session, month, "bureau")
    page = client.get("/bureau/report.xlsx?month=2026-11").location
    run_exports(client)
    assert export_jobs.expire_exports(db_session, utcnow()) == 0
    assert client.get(page + ".xlsx").status_code == 200
    assert export_jobs.expire_exports(db_session, utcnow() + KEEP + timedelta(minutes=1)) == 1
    job = latest_job(db_session)
    assert job.status == "expired"
    assert db_session.scalar(select(ExportJob.data).where(ExportJob.id == job.id)) is None
    assert "文件已过期" in client.get(page).get_data(as_text=True)
    assert client.get(page + ".xlsx").location.endswith(page)
    export_jobs.expire_exports(db_session, utcnow() + KEEP + export_jobs.KEEP_ROWS + timedelta(days=1))
    assert db_session.get(ExportJob, job.id) is None and client.get(page).status_code == 404


def test_large_import_report_is_a_job_with_the_same_rows(client: Any, db_session: Any, staff_world: Any,
                                                         app: Any, monkeypatch: Any) -> None:
    from tests.web.test_import_jobs import _upload
    from tests.web.test_imports import run_jobs

    log_in(client, staff_world.users["bureau"])
    job_page = _upload(client)
    run_jobs(client)
    at_once = sheets(client.get(job_page + "/report.xlsx").data)
    monkeypatch.setitem(app.config, "JIUJIN_EXPORT_INLINE_ROWS", 2)
    click = client.get(job_page + "/report.xlsx")
    assert click.status_code == 303 and "/bureau/import/exports/" in click.location
    assert run_exports(client) == 1
    assert sheets(client.get(click.location + ".xlsx").data) == at_once
    assert len(next(iter(at_once.values()))) == 8  # the header and the file's seven rows
    log_in(client, staff_world.users["bureau_other"])
    assert client.get(click.location).status_code == 404


def test_collab_table_parameters_round_trip() -> None:
    from web.services.collab import Area

    area = Area(("5226",), ("4401",), 3, True)
    assert exports._area(exports.area_params(area, [3])) == area
    assert exports._area(exports.area_params(Area(None, None), None)) == Area(None, None)


def test_the_same_request_gives_one_key() -> None:
    one = export_jobs.live_key("county_report", {"a": 1, "b": 2}, 7)
    assert one == export_jobs.live_key("county_report", {"b": 2, "a": 1}, 7)
    assert one != export_jobs.live_key("county_report", {"a": 1, "b": 2}, 8)


def test_the_scheduler_poll_runs_export_jobs(client: Any, db_session: Any, month: Month, low_limit: None,
                                             app: Any) -> None:
    from web.scheduler import run_import_jobs

    sign_in(client, db_session, month, "bureau")
    page = client.get("/bureau/report.xlsx?month=2026-11").location
    assert run_import_jobs(app) == 1  # what the scheduler's poll does every few seconds
    assert latest_job(db_session).status == "done"
    assert client.get(page + ".xlsx").status_code == 200


def test_a_runner_whose_job_was_taken_over_writes_nothing(client: Any, db_session: Any, month: Month,
                                                          low_limit: None) -> None:
    sign_in(client, db_session, month, "bureau")
    client.get("/bureau/report.xlsx?month=2026-11")
    with client.application.app_context():
        from web.extensions import db

        slow = export_jobs.claim_export(db.session, utcnow())  # this runner then stalls
        later = utcnow() + export_jobs.LEASE + timedelta(seconds=1)
        taker = export_jobs.claim_export(db.session, later)
        assert slow is not None and taker == (slow[0], 2)
        export_jobs.run_export(db.session, taker, KEEP)
        first = db.session.scalar(select(ExportJob.finished_at).where(ExportJob.id == slow[0]))
        export_jobs.run_export(db.session, slow, KEEP)  # wakes up: Superseded at its first write
    job = latest_job(db_session)
    assert (job.status, job.attempts, job.finished_at) == ("done", 2, first)
