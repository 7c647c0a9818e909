"""The scheduler: APScheduler 3.x in exactly one process, behind a single-instance lock.

Jobs have fixed ids, ``coalesce=True``, ``max_instances=1`` and an hour of misfire grace;
each job opens its own app context and commits once. A second scheduler exits with a
clear message: a file lock on SQLite, a PostgreSQL advisory lock otherwise.

Source jobs follow the sources table: every ``SOURCES_SYNC_SECONDS`` the scheduler reads it
again and adds, removes or reschedules ``ingest:<name>`` jobs (``sync_source_jobs``), so a
source added, edited, enabled or disabled (CLI or admin page) takes effect within a minute,
without a restart. A source job also checks, when it fires, that its source is still enabled.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from jobs_ingest.clock import china_today

log = logging.getLogger(__name__)
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
ADVISORY_KEY = 0x6A69756A696E  # "jiujin"
RUNNER_KEY = ADVISORY_KEY + 1
JOBS_POLL_SECONDS = 5
SOURCES_SYNC_SECONDS = 30
SOURCE_JOB = "ingest:"
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class AlreadyRunning(RuntimeError):
    """Another scheduler holds the lock."""


def parse_schedule(text: str) -> IntervalTrigger | CronTrigger:
    """"interval:6h" / "interval:30m" or "cron:0 3 * * *" (crontab fields) to a trigger."""
    kind, _, spec = text.partition(":")
    if kind == "interval":
        match = re.fullmatch(r"\s*(\d+)\s*([smhd])\s*", spec)
        if not match or int(match.group(1)) <= 0:
            raise ValueError(f"bad interval {spec!r}: use e.g. interval:6h or interval:30m")
        return IntervalTrigger(**{_UNITS[match.group(2)]: int(match.group(1))})
    if kind == "cron":
        return CronTrigger.from_crontab(spec.strip())
    raise ValueError(f"bad schedule {text!r}: use interval:6h or cron:0 3 * * *")


@contextmanager
def single_instance(app: Any) -> Iterator[None]:
    """Hold the scheduler lock for the life of the block, or raise AlreadyRunning."""
    with _exclusive(app, ADVISORY_KEY, app.config["JIUJIN_SCHEDULER_LOCK"], "scheduler"):
        yield


@contextmanager
def runner_lock(app: Any) -> Iterator[None]:
    """Hold the import-job runner's lock, or raise AlreadyRunning: one runner at a time (the
    scheduler's poll or ``flask jobs run``), so a job found ``running`` by the holder is one
    whose runner died, and it resumes."""
    path = Path(app.config["JIUJIN_SCHEDULER_LOCK"]).with_name("jobs-runner.lock")
    with _exclusive(app, RUNNER_KEY, path, "import job runner"):
        yield


@contextmanager
def _exclusive(app: Any, key: int, path: Path, what: str) -> Iterator[None]:
    """A lock across processes: a PostgreSQL advisory lock, or a lock file next to SQLite."""
    from web.extensions import db

    if db.engine.dialect.name == "postgresql":
        from sqlalchemy import text

        with db.engine.connect() as conn:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
            if not got:
                raise AlreadyRunning(f"another Jiujin {what} is running (PostgreSQL advisory lock held)")
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        return
    from filelock import FileLock, Timeout

    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise AlreadyRunning(f"another Jiujin {what} is running (lock file {path} held)") from None
    try:
        yield
    finally:
        lock.release()


def run_import_jobs(app: Any) -> int:
    """Run the waiting import and export jobs if no other runner is at it (the scheduler's poll);
    how many ran (web/services/background.py)."""
    from web.extensions import db
    from web.services.background import run_background_jobs

    with app.app_context():
        try:
            with runner_lock(app):
                ran = run_background_jobs(db.session, app.extensions["jiujin"],
                                          app.config["JIUJIN_EXPORT_KEEP"])
                return ran.imports + ran.exports
        except AlreadyRunning:
            return 0
        finally:
            db.session.remove()


def job(app: Any, body: Callable[[Any, Any], object],
        on_failure: Callable[[Any, str], object] | None = None) -> Callable[[], None]:
    """Wrap a job body: app context, one commit on success; on failure roll back, log, and
    let ``on_failure`` record what happened in a transaction of its own."""

    def run() -> None:
        from web.extensions import db

        with app.app_context():
            try:
                body(db.session, app.extensions["jiujin"])
                db.session.commit()
            except Exception as exc:
                db.session.rollback()
                log.exception("scheduled job failed")
                if on_failure is not None:
                    on_failure(db.session, f"{type(exc).__name__}: {exc}")
                    db.session.commit()

    return run


def build_scheduler(app: Any) -> BlockingScheduler:
    """A scheduler whose jobs come from the sources table, plus hourly expiry (and, with the
    postgres match index, its lexicon refresh), the daily digest and follow-ups, and the poll that
    runs queued import jobs."""
    from web.services import lifecycle

    scheduler = BlockingScheduler(job_defaults=JOB_DEFAULTS, timezone="Asia/Shanghai")
    scheduler.add_job(job(app, lambda s, _: lifecycle.expire_postings(s, china_today())),
                      IntervalTrigger(hours=1), id="expire-postings", replace_existing=True, **JOB_DEFAULTS)
    scheduler.add_job(job(app, _lexicon_job), IntervalTrigger(hours=1), id="match-lexicon",
                      replace_existing=True, **JOB_DEFAULTS)
    scheduler.add_job(job(app, _digest_job(app)), CronTrigger(hour=8, minute=0), id="daily-digest",
                      replace_existing=True, **JOB_DEFAULTS)
    scheduler.add_job(job(app, _followup_job(app)), CronTrigger(hour=7, minute=30), id="followup-due",
                      replace_existing=True, **JOB_DEFAULTS)
    # Bureau uploads and large downloads wait in the import_jobs / export_jobs tables; a poll every
    # few seconds runs them here, never in a web worker. Commits are the jobs' own (one per batch
    # or chunk), hence no job() wrapper.
    scheduler.add_job(run_import_jobs, IntervalTrigger(seconds=JOBS_POLL_SECONDS), args=[app],
                      id="import-jobs", replace_existing=True, **JOB_DEFAULTS)
    scheduler.add_job(sync_source_jobs, IntervalTrigger(seconds=SOURCES_SYNC_SECONDS), args=[scheduler, app],
                      id="sync-sources", replace_existing=True, **JOB_DEFAULTS)
    sync_source_jobs(scheduler, app)
    return scheduler


def sync_source_jobs(scheduler: BaseScheduler, app: Any) -> dict[str, list[str]]:
    """Make the ``ingest:<name>`` jobs match the enabled, scheduled sources in the table: add the
    new, remove the gone or disabled, reschedule the changed. What changed, by source name."""
    from web.extensions import db
    from web.services import lifecycle

    with app.app_context():
        try:
            wanted = dict(lifecycle.scheduled_sources(db.session))
        finally:
            db.session.remove()
    current = {job.id.removeprefix(SOURCE_JOB): job for job in scheduler.get_jobs()
               if job.id.startswith(SOURCE_JOB)}
    changes: dict[str, list[str]] = {"added": [], "removed": [], "rescheduled": []}
    for name in sorted(set(current) - set(wanted)):
        scheduler.remove_job(current[name].id)
        changes["removed"].append(name)
    for name, schedule in sorted(wanted.items()):
        job_ = current.get(name)
        if job_ is not None and job_.kwargs.get("schedule") == schedule:
            continue
        try:
            trigger = parse_schedule(schedule)
        except ValueError as exc:
            log.error("source %s: %s", name, exc)
            continue
        if job_ is not None:
            scheduler.remove_job(job_.id)
        scheduler.add_job(_source_runner(app, name), trigger, id=f"{SOURCE_JOB}{name}",
                          kwargs={"schedule": schedule}, replace_existing=True, **JOB_DEFAULTS)
        changes["rescheduled" if job_ is not None else "added"].append(name)
    if any(changes.values()):
        log.info("source jobs synced: %s", changes)
    return changes


def _source_runner(app: Any, name: str) -> Callable[..., None]:
    """The job of one source (``schedule`` is only kept on the job, to see when it changes)."""
    run = job(app, _source_job(name), _recorder(name))

    def fire(schedule: str = "") -> None:
        run()

    return fire


def _recorder(name: str) -> Callable[[Any, str], object]:
    from web.services import lifecycle

    return lambda session, error: lifecycle.record_failed_run(session, name, error)


def _lexicon_job(session: Any, runtime: Any) -> object:
    """Hourly, with the postgres match index: recount the document frequencies and every row's
    TF-IDF norm (rows written since carry norms from their own commit: web/services/pgindex.py)."""
    from web.services import pgindex

    return pgindex.refresh_lexicon(session) if pgindex.enabled(session) else 0


def _digest_job(app: Any) -> Callable[[Any, Any], object]:
    """08:00 Beijing time: each seeker's new matches, once a day (web/services/digest.py)."""
    from web.services import digest

    def run(session: Any, runtime: Any) -> int:
        today = china_today()  # the dedupe key is the day in China
        try:
            return digest.send_daily_digests(session, runtime, app.extensions["jiujin_notify"], today)
        finally:
            # The digest is the scheduler's only use of the match index: built for it, it is
            # dropped after it (its background refresher stops), not kept and refreshed for a day.
            runtime.invalidate()

    return run


def _source_job(name: str) -> Callable[[Any, Any], object]:
    """Run the source, unless it was disabled since the last sync (then do nothing)."""
    from web.services import lifecycle

    def run(session: Any, runtime: Any) -> object:
        if not lifecycle.source_enabled(session, name):
            log.info("source %s is disabled: not run", name)
            return None
        return lifecycle.run_named_source(session, runtime, name, china_today())

    return run


def _followup_job(app: Any) -> Callable[[Any, Any], object]:
    """07:30 Beijing time: each bureau staff member hears how many check-ins are due in their
    county, once a day (web/services/followup.py)."""

    from web.services import followup

    def run(session: Any, _runtime: Any) -> int:
        today = china_today()  # the dedupe key is the day in China
        return followup.notify_due_checkins(session, app.extensions["jiujin_notify"], today)

    return run
