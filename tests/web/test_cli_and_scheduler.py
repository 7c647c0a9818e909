"""CLI commands and the single-instance scheduler."""

import json
import os
import subprocess
import sys
import time

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from web.config import ROOT
from web.scheduler import AlreadyRunning, build_scheduler, parse_schedule, single_instance

SOURCES = """
[[source]]
name = "demo-copy"
kind = "demo"
url = "https://demo.jiujin.local/export.json"
trust = "aggregator"
schedule = "interval:6h"
options = { today = "2026-11-28" }

[[source]]
name = "broken"
kind = "feed"
url = "http://127.0.0.1:9/jobs.xml"
allow_private_network = true
retries = 0
trust = "bureau"
"""
KEYS = {"fetched", "new", "updated", "unchanged", "duplicates", "expired", "rejected", "errors"}


def test_ingest_run_prints_one_json_object_per_source(app, db_session, tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(SOURCES, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["ingest", "run", "--sources", str(path)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.strip().splitlines()]
    assert [line["source"] for line in lines] == ["demo-copy", "broken"]
    assert all(set(line) >= KEYS for line in lines)
    copy, broken = lines
    assert copy["new"] == 0 and copy["duplicates"] >= 300  # same URLs as the demo source
    assert copy["rejected"] == {"missing_title": 3, "too_long": 1}
    assert broken["errors"] and broken["fetched"] == 0

    only = app.test_cli_runner().invoke(args=["ingest", "run", "--sources", str(path), "--only", "demo-copy"])
    rerun = json.loads(only.output.strip())
    assert rerun["new"] == 0 and rerun["duplicates"] == 1 and rerun["unchanged"] >= 300


def test_ingest_run_rejects_a_bad_sources_file(app, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[[source]]\nkind = 'demo'\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["ingest", "run", "--sources", str(path)])
    assert result.exit_code != 0 and "lacks name" in result.output
    path.write_text("[[source]]\nname = 'x'\nkind = 'demo'\nschedule = 'daily'\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["ingest", "run", "--sources", str(path)])
    assert result.exit_code != 0 and "interval:6h" in result.output


@pytest.mark.parametrize(("text", "named"), [
    ('[[sources]]\nname = "x"\nkind = "demo"\n',
     'unknown key "sources" at top level — did you mean [[source]]?'),
    ("# nothing here\n", "no [[source]] entries"),
    ('[[source]]\nname = "x"\nkind = "demo"\nshedule = "interval:6h"\n',
     'source #2 ("x"): unknown key "shedule" — did you mean "schedule"?'),
    ('[[source]]\nname = "x"\nkind = "api"\nurl = "http://127.0.0.1:9/"\n[source.mapping]\ntitel = "t"\n',
     'unknown key "titel" in [source.mapping] — did you mean "title"?'),
    ('[[source]]\nname = "x"\nkind = "no-such-kind"\n', 'unknown kind "no-such-kind"'),
])
def test_ingest_run_refuses_a_file_it_would_misread_and_runs_nothing(app, db_session, tmp_path, text, named):
    from sqlalchemy import func, select

    from web.models import IngestRun, Source

    def counts():
        return [db_session.scalar(select(func.count(model.id))) for model in (Source, IngestRun)]

    before = counts()
    path = tmp_path / "sources.toml"
    # A good source first: a refused file runs none of its sources, not even the good ones.
    path.write_text('[[source]]\nname = "good-one"\nkind = "demo"\n' + text if "[[source]]" in text else text,
                    encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["ingest", "run", "--sources", str(path)])
    assert result.exit_code != 0
    assert named in result.output and "nothing was run" in result.output
    assert not any(line.startswith("{") for line in result.output.splitlines())
    assert counts() == before


def test_schedules_parse_or_fail_clearly():
    assert isinstance(parse_schedule("interval:6h"), IntervalTrigger)
    assert isinstance(parse_schedule("cron:0 3 * * *"), CronTrigger)
    for bad in ("interval:0h", "every day", "interval:soon"):
        with pytest.raises(ValueError):
            parse_schedule(bad)


def test_scheduler_jobs_come_from_the_sources_table(app):
    scheduler = build_scheduler(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert {"expire-postings", "ingest:demo-bureau-export"} <= set(jobs)
    for job in jobs.values():
        assert job.coalesce and job.max_instances == 1 and job.misfire_grace_time >= 3600


def test_scheduler_follows_the_sources_table_without_a_restart(app, db_session):
    """Enable/disable, a new source and a changed schedule reach the running scheduler at its next
    sync (every SOURCES_SYNC_SECONDS), driven here by calling the sync itself."""
    from web.models import Source
    from web.scheduler import SOURCES_SYNC_SECONDS, sync_source_jobs
    from web.services.ingest import set_enabled, upsert_source

    scheduler = build_scheduler(app)
    sync = scheduler.get_job("sync-sources")
    assert sync is not None and sync.trigger.interval.total_seconds() == SOURCES_SYNC_SECONDS <= 60

    def source_jobs():
        return {j.id: str(j.trigger) for j in scheduler.get_jobs() if j.id.startswith("ingest:")}

    assert "ingest:demo-bureau-export" in source_jobs()
    set_enabled(db_session, "demo-bureau-export", False)
    upsert_source(db_session, {"name": "new-feed", "kind": "feed", "url": "https://x.example.cn/rss.xml",
                               "schedule": "interval:2h"})
    db_session.commit()
    assert sync_source_jobs(scheduler, app) == {"added": ["new-feed"], "removed": ["demo-bureau-export"],
                                                "rescheduled": []}
    assert set(source_jobs()) == {"ingest:new-feed"} and "2:00:00" in source_jobs()["ingest:new-feed"]
    assert sync_source_jobs(scheduler, app) == {"added": [], "removed": [], "rescheduled": []}

    db_session.get(Source, db_session.scalar(select(Source.id).where(Source.name == "new-feed"))).schedule = \
        "cron:0 3 * * *"
    set_enabled(db_session, "demo-bureau-export", True)
    db_session.commit()
    changes = sync_source_jobs(scheduler, app)
    assert changes == {"added": ["demo-bureau-export"], "removed": [], "rescheduled": ["new-feed"]}
    assert "cron" in source_jobs()["ingest:new-feed"] and "ingest:demo-bureau-export" in source_jobs()
    for job in scheduler.get_jobs():
        assert job.coalesce and job.max_instances == 1 and job.misfire_grace_time >= 3600


def test_a_source_disabled_between_syncs_is_not_run_when_its_job_fires(app, db_session):
    from sqlalchemy import func

    from web.models import IngestRun
    from web.services.ingest import set_enabled

    scheduler = build_scheduler(app)
    fire = scheduler.get_job("ingest:demo-bureau-export").func
    set_enabled(db_session, "demo-bureau-export", False)
    db_session.commit()
    before = db_session.scalar(select(func.count(IngestRun.id)))
    fire()
    assert db_session.scalar(select(func.count(IngestRun.id))) == before


def test_second_scheduler_lock_is_refused(app):
    with app.app_context(), single_instance(app), pytest.raises(AlreadyRunning), single_instance(app):
        pass
    with app.app_context(), single_instance(app):
        pass  # released after use


@pytest.mark.slow
def test_second_scheduler_process_exits_with_a_clear_message(app, database_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": database_url, "JIUJIN_SCHEDULER_LOCK": str(tmp_path / "lock"),
           "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler"]
    first = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    try:
        line = ""
        deadline = time.monotonic() + 60
        while "scheduler running" not in line and time.monotonic() < deadline:
            line = first.stdout.readline()
            if not line and first.poll() is not None:
                break
        assert "scheduler running" in line and "ingest:demo-bureau-export" in line
        second = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 3
        assert "another Jiujin scheduler is running" in second.stderr
    finally:
        first.terminate()
        first.wait(timeout=30)


def test_demo_load_if_empty_respects_the_switch_and_existing_data(app, db_session, monkeypatch):
    runner = app.test_cli_runner()
    assert "not loaded" in runner.invoke(args=["demo", "load", "--if-empty"]).output
    monkeypatch.setitem(app.config, "JIUJIN_LOAD_DEMO", False)
    assert "JIUJIN_LOAD_DEMO is off" in runner.invoke(args=["demo", "load", "--if-empty"]).output


def test_production_refuses_to_start_without_a_secret(monkeypatch):
    from web.config import Settings

    monkeypatch.setenv("JIUJIN_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        Settings.from_env()
    monkeypatch.setenv("SECRET_KEY", "s3cret" * 8)
    monkeypatch.setenv("JIUJIN_NOTIFY_CHANNEL", "sms")
    settings = Settings.from_env()
    assert settings.secret_key == "s3cret" * 8 and settings.load_demo is False


EXPORT_KEYS = {"id", "status", "title", "employer", "place_text", "place_code", "lat", "lon", "wage_min",
               "wage_max", "wage_text", "valid_through", "employment_type", "housing", "sources"}


def test_postings_export_prints_every_posting_with_its_sources(app, db_session):
    from sqlalchemy import func, select

    from web.models import Posting

    result = app.test_cli_runner().invoke(args=["postings", "export"])
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert len(rows) == db_session.scalar(select(func.count(Posting.id)))
    assert all(set(r) == EXPORT_KEYS for r in rows)
    assert {r["status"] for r in rows} == {"open", "expired"}
    rongjiang = next(r for r in rows if r["place_code"] == "522632000000")
    assert rongjiang["sources"][0]["source"] == "demo-bureau-export"
    assert rongjiang["sources"][0]["external_id"].startswith("DEMO-")
    unresolved = [r for r in rows if r["place_text"] == "火星基地"]
    assert unresolved and unresolved[0]["place_code"] is None and unresolved[0]["lat"] is None


def test_quarantine_export_gives_reasons_and_excerpts(app, db_session):
    result = app.test_cli_runner().invoke(args=["ingest", "quarantine"])
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert sorted(r["reason"] for r in rows) == ["missing_title"] * 3 + ["too_long"]
    assert all(r["raw_excerpt"] and r["source"] == "demo-bureau-export" for r in rows)


def test_sources_can_be_registered_listed_and_disabled_from_the_cli(app, db_session):
    runner = app.test_cli_runner()
    added = runner.invoke(args=["sources", "add", "county-feed", "--kind", "feed", "--url",
                                "https://bureau.example.cn/rss.xml", "--trust", "bureau",
                                "--schedule", "interval:2h", "--option", "retries=2"])
    assert added.exit_code == 0, added.output
    rows = {json.loads(line)["name"]: json.loads(line)
            for line in runner.invoke(args=["sources", "list"]).output.splitlines()}
    feed = rows["county-feed"]
    assert feed["trust"] == "bureau" and feed["schedule"] == "interval:2h"
    assert feed["options"] == {"retries": 2}
    assert feed["last_run"] is None and rows["demo-bureau-export"]["last_run"]["new"] >= 300
    assert runner.invoke(args=["sources", "disable", "county-feed"]).exit_code == 0
    assert "ingest:county-feed" not in {j.id for j in build_scheduler(app).get_jobs()}
    bad = runner.invoke(args=["sources", "add", "x", "--kind", "feed", "--schedule", "hourly"])
    assert bad.exit_code != 0 and "interval:6h" in bad.output
    misspelt = runner.invoke(args=["sources", "add", "x", "--kind", "feed", "--option", "retry=2"])
    assert misspelt.exit_code != 0
    assert 'unknown key "retry" in [source.options] — did you mean "retries"?' in misspelt.output
    assert runner.invoke(args=["sources", "disable", "nope"]).exit_code != 0


def test_a_failing_scheduled_run_is_rolled_back_and_recorded(app, db_session, monkeypatch):
    from sqlalchemy import func, select

    from web.models import IngestRun, Posting
    from web.scheduler import job
    from web.services import lifecycle

    def explode(session, runtime):
        session.add(Posting(source_id=1, external_id="half-written", title="x", content_hash="x"))
        session.flush()
        raise RuntimeError("disk full")

    before = db_session.scalar(select(func.count(IngestRun.id)))
    job(app, explode, lambda s, err: lifecycle.record_failed_run(s, "demo-bureau-export", err))()
    assert db_session.scalar(select(func.count()).where(Posting.external_id == "half-written")) == 0
    runs = db_session.scalars(select(IngestRun).order_by(IngestRun.id)).all()
    assert len(runs) == before + 1
    assert runs[-1].status == "failed" and runs[-1].errors == ["RuntimeError: disk full"]
