"""The job runner's one pass: every waiting export, then one import at a time (exports are
short; a long import is not held up by them, nor they, between imports, by it), until nothing
waits; expired export files are dropped first. Run by the scheduler's poll and ``flask jobs
run`` under the runner lock (``web.scheduler.runner_lock``); each job commits its own steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from jobs_ingest.clock import china_today
from web.models import utcnow
from web.services import export_jobs, import_jobs


@dataclass
class Ran:
    """How many jobs of each kind one pass ran, and how many export files it dropped."""

    imports: int = 0
    exports: int = 0
    expired: int = 0


def run_background_jobs(session: Session, runtime: Any, keep: timedelta, occupations: Any = None,
                        today: date | None = None) -> Ran:
    """Run every waiting job to its end; the caller has committed and holds the runner lock."""
    ran = Ran(expired=export_jobs.expire_exports(session, utcnow()))
    while True:
        if export_jobs.run_next_export(session, keep, occupations):
            ran.exports += 1
            continue
        job_id = import_jobs.next_job(session)
        session.rollback()  # end the read: each job opens short transactions of its own
        if job_id is None:
            return ran
        import_jobs.run_job(session, runtime, job_id, today or china_today())
        ran.imports += 1
