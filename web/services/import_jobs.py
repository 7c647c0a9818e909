"""Bureau spreadsheet imports as background jobs: the upload request stores the file and a job
row; the runner (the scheduler's poll, or ``flask jobs run``) reads the file row by row and
stores it in batches, one transaction per batch.

Memory stays flat in the number of rows: the file is read in a streaming pass that only counts
(and refuses a bad file before anything is stored), then streamed again in batches of ``BATCH``
items; a batch reads only its own rows' sightings, and the ORM session is emptied after each
commit. Each batch commits its postings, its row results (natural key: job and the item's place
in the file) and the job's ``cursor`` together, so a run killed at any point resumes after the
last committed batch: the rows of one clean import, never a row twice. Uploading the same file
again while its job is waiting or running gives that job; once it is done, a new job whose rows
all come out "unchanged".

Functions that take a session and end in ``_job``/``run_*`` commit: they are the job boundary.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jobs_ingest.clock import china_today
from jobs_ingest.pipeline import item_id
from jobs_ingest.records import RawItem
from web.extensions import begin_write
from web.models import ImportJob, ImportJobRow, IngestRun, Source, utcnow
from web.policy import Scope
from web.services.embeddings import embed_in_batches
from web.services.imports import (
    OUTCOMES,
    ImportRefused,
    RowResult,
    bureau_source,
    check_upload,
    count_items,
    iter_items,
    reason_words,
    refusal_words,
    store_items,
)
from web.services.ingest import new_run

log = logging.getLogger(__name__)
BATCH = 500
EMBED_BATCH = 256
LIVE = ("queued", "running")
REPORT_ROWS_SHOWN = 1000


# --- the request side


def queue_import(session: Session, user: Any, scope: Scope, county: str, name: str, data: bytes) -> ImportJob:
    """Check the upload (size, type, zip bomb, encoding) and store it as a queued job; the same
    file uploaded again for the county while its job is waiting or running gives that job."""
    check_upload(name, data)
    digest = hashlib.sha256(data).hexdigest()
    waiting = session.scalar(select(ImportJob).where(
        ImportJob.county == county, ImportJob.file_hash == digest, ImportJob.status.in_(LIVE)).limit(1))
    if waiting is not None:
        return waiting
    job = ImportJob(county=county, scope={"admin": scope.admin, "counties": list(scope.counties)},
                    created_by_id=getattr(user, "id", None), file_name=Path(name).name[:200],
                    file_hash=digest,
                    data=data, status="queued", message="", cursor=0, counts={}, attempts=0)
    session.add(job)
    session.flush()
    return job


def visible_job(session: Session, scope: Scope, job_id: int) -> ImportJob | None:
    """The job if it belongs to the member's county (any job for an admin)."""
    job = session.get(ImportJob, job_id)
    if job is None or not (scope.admin or job.county in scope.counties):
        return None
    return job


def recent_jobs(session: Session, county: str, limit: int = 10) -> list[ImportJob]:
    """The county's latest imports, newest first."""
    return list(session.scalars(select(ImportJob).where(ImportJob.county == county)
                                .order_by(ImportJob.id.desc()).limit(limit)))


def job_status(job: ImportJob) -> dict[str, Any]:
    """Progress in numbers: rows read (of ``total``), stored, merged into a posting (duplicates),
    past their deadline (not put up), rejected; the refusal in words."""
    counts = {k: int((job.counts or {}).get(k, 0)) for k in OUTCOMES}
    return {"id": job.id, "file": job.file_name, "status": job.status, "total": job.total,
            "read": job.cursor,
            "stored": counts["new"] + counts["updated"] + counts["unchanged"],
            "merged": counts["duplicate"], "expired": counts["expired"],
            "rejected": counts["rejected"], "counts": counts,
            "message": refusal_words(job.message) if job.status == "refused" else None,
            "finished": job.status in ("done", "refused", "failed")}


def job_rows(session: Session, job: ImportJob, limit: int | None = None) -> Iterator[RowResult]:
    """The job's row report in file order, streamed."""
    query = select(ImportJobRow).where(ImportJobRow.job_id == job.id).order_by(ImportJobRow.seq)
    if limit is not None:
        query = query.limit(limit)
    for row in session.scalars(query.execution_options(yield_per=1000)):
        yield RowResult(row=row.row, title=row.title, outcome=row.outcome, reason=row.reason,
                        posting_id=row.posting_id)


def report_table(session: Session, job: ImportJob, head: list[str]) -> Iterator[list[Any]]:
    """The row report as a table (row, title, outcome, reason) after ``head``, streamed."""
    from web.services.imports import OUTCOME_WORDS

    yield head
    for r in job_rows(session, job):
        yield [r.row, r.title, str(OUTCOME_WORDS[r.outcome]), reason_words(r.reason) if r.reason else ""]


# --- the runner side


def _after_batch(job_id: int, batches: int) -> None:
    """Called after each committed batch (tests replace it to stop a run half-way)."""


def next_job(session: Session) -> int | None:
    """The oldest job waiting or left running (the runner holds the runner lock, so a job
    marked running is one whose runner died: it resumes from its cursor)."""
    return session.scalar(select(ImportJob.id).where(ImportJob.status.in_(LIVE))
                          .order_by(ImportJob.id).limit(1))


def run_queued_jobs(session: Session, runtime: Any, today: date | None = None) -> int:
    """Run every waiting job to its end, oldest first; the number of jobs run. The caller has
    committed, and holds the runner lock (``web.scheduler.runner_lock``) or is a test."""
    done = 0
    while True:
        job_id = next_job(session)
        session.rollback()  # end the read: each job opens short transactions of its own
        if job_id is None:
            return done
        run_job(session, runtime, job_id, today or china_today())
        done += 1


def run_job(session: Session, runtime: Any, job_id: int, today: date) -> None:
    """Run (or resume) one job to its end, committing after each batch; a refused file stores
    nothing but the refusal; an unexpected error marks the job failed (what its committed
    batches stored stays: uploading the file again finds those rows unchanged)."""
    try:
        _run(session, runtime, job_id, today)
    except Exception as exc:
        session.rollback()
        log.exception("import job %s failed", job_id)
        _set(session, job_id, status="failed", message=type(exc).__name__, finished_at=utcnow())


def _set(session: Session, job_id: int, **values: Any) -> None:
    """Update the job's row in a short transaction of its own; commits."""
    begin_write(session)
    job = session.get(ImportJob, job_id)
    if job is not None:
        for key, value in values.items():
            setattr(job, key, value)
    session.commit()


def _run(session: Session, runtime: Any, job_id: int, today: date) -> None:
    job = session.get(ImportJob, job_id)
    if job is None or job.status not in LIVE or job.data is None:
        session.rollback()
        return
    name, data, checked = job.file_name, job.data, job.total is not None
    session.rollback()  # no transaction stays open while the file is read
    if not checked:
        try:
            total = count_items(name, data)
        except ImportRefused as exc:
            _set(session, job_id, status="refused", message=exc.code, data=None, finished_at=utcnow())
            return
        _set(session, job_id, total=total)
    cursor = _start(session, job_id)
    items = itertools.islice(iter_items(name, data), cursor, None)
    for number, batch in enumerate(_batches(items, BATCH), start=1):
        _store_batch(session, runtime, job_id, today, batch)
        _after_batch(job_id, number)
    _finish(session, job_id)


def _start(session: Session, job_id: int) -> int:
    """Mark the job running (one more attempt) with its ingest run; commits. Its cursor."""
    begin_write(session)
    job = session.get(ImportJob, job_id)
    assert job is not None
    source = bureau_source(session, job.county)
    run = session.get(IngestRun, job.run_id) if job.run_id else None
    if run is None:
        run = new_run(session, source)
        job.run_id = run.id
    job.status, job.attempts, job.heartbeat_at = "running", job.attempts + 1, utcnow()
    cursor = job.cursor
    session.commit()
    return cursor


def _batches(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while batch := list(itertools.islice(items, size)):
        yield batch


def _store_batch(session: Session, runtime: Any, job_id: int, today: date,
                 batch: list[tuple[int | None, RawItem]]) -> None:
    """One transaction: the batch's postings, quarantined rows, row results, counts and cursor;
    then its vectors, in transactions of their own."""
    begin_write(session)
    job = session.get(ImportJob, job_id)
    run = session.get(IngestRun, job.run_id) if job is not None and job.run_id else None
    source = session.get(Source, run.source_id) if run is not None else None
    assert job is not None and run is not None and source is not None
    scope = Scope(admin=bool(job.scope.get("admin")), counties=tuple(job.scope.get("counties") or ()))
    earlier = _earlier_rows(session, job, batch)
    fresh = [(number, item) for number, item in batch if item_id(item) not in earlier]
    stored = iter(store_items(session, source, fresh, runtime.gazetteer, today, scope, run=run))
    rows = [_repeat(number, item, earlier[item_id(item)]) if item_id(item) in earlier else next(stored)
            for number, item in batch]
    repeats = len(batch) - len(fresh)  # never reached ingest_items: counted with the run here
    run.fetched, run.duplicates = run.fetched + repeats, run.duplicates + repeats
    _record(session, job, rows)
    session.commit()
    session.expunge_all()  # the batch's objects go: memory does not grow with the rows
    _embed(session, runtime)


def _earlier_rows(session: Session, job: ImportJob, batch: list[tuple[int | None, RawItem]]
                  ) -> dict[str, int | None]:
    """Ids of this batch that earlier batches of the job already had, with their postings."""
    ids = sorted({item_id(item) for _, item in batch} - {""})
    return {ext: pid for ext, pid in session.execute(
        select(ImportJobRow.external_id, ImportJobRow.posting_id)
        .where(ImportJobRow.job_id == job.id, ImportJobRow.external_id.in_(ids)))}


def _repeat(number: int | None, item: RawItem, posting_id: int | None) -> RowResult:
    """A row whose id an earlier batch of the same file had: a duplicate of that row's posting,
    or, when that row was not put up, not imported either ("和上面的某一行重复")."""
    title = str(item.fields.get("title") or "")[:120]
    if posting_id is None:
        return RowResult(row=number, title=title, outcome="rejected", reason="repeated_row",
                         external_id=item_id(item))
    return RowResult(row=number, title=title, outcome="duplicate", posting_id=posting_id,
                     external_id=item_id(item))


def _record(session: Session, job: ImportJob, rows: list[RowResult]) -> None:
    """The batch's row results, the job's counts, and the cursor."""
    start = job.cursor
    session.add_all([ImportJobRow(job_id=job.id, seq=start + i, row=r.row, title=r.title[:120],
                                  outcome=r.outcome, reason=r.reason, posting_id=r.posting_id,
                                  external_id="" if r.outcome == "rejected" else r.external_id)
                     for i, r in enumerate(rows)])
    found = Counter(r.outcome for r in rows)
    job.counts = {k: int((job.counts or {}).get(k, 0)) + found.get(k, 0) for k in OUTCOMES}
    job.cursor, job.heartbeat_at = start + len(rows), utcnow()


def _embed(session: Session, runtime: Any) -> None:
    """Vectors for what the batch added, ``EMBED_BATCH`` postings per short transaction."""
    embed_in_batches(session, runtime.embedder(), EMBED_BATCH)
    session.expunge_all()


def _finish(session: Session, job_id: int) -> None:
    begin_write(session)
    job = session.get(ImportJob, job_id)
    assert job is not None
    run = session.get(IngestRun, job.run_id) if job.run_id else None
    if run is not None:
        run.finished_at, run.status = utcnow(), "ok"
    job.status, job.data, job.finished_at = "done", None, utcnow()
    session.commit()
