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
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jobs_ingest.records import RawItem
from web.extensions import begin_write
from web.models import ImportJob, ImportJobRow, IngestRun, PostingSource, Source, utcnow
from web.policy import Scope
from web.services.embeddings import embed_in_batches
from web.services.imports import (
    OUTCOMES,
    ImportRefused,
    RowResult,
    _normalise,
    bureau_source,
    check_upload,
    count_items,
    iter_items,
    put_rows,
    reason_words,
    refusal_words,
)
from web.services.ingest import _BatchStore
from web.services.places import place_ids_by_code

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
    """Progress in numbers: rows read (of ``total``), stored, rejected; the refusal in words."""
    counts = {k: int((job.counts or {}).get(k, 0)) for k in OUTCOMES}
    return {"id": job.id, "file": job.file_name, "status": job.status, "total": job.total,
            "read": job.cursor, "stored": sum(counts.values()) - counts["rejected"],
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


@dataclass
class _Context:
    """What every batch of one job needs."""

    job: ImportJob
    source: Source
    run: IngestRun
    scope: Scope
    gazetteer: Any
    today: date
    places: dict[str, int]


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
        run_job(session, runtime, job_id, today or date.today())
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
    cursor, places = _start(session, job_id)
    items = itertools.islice(iter_items(name, data), cursor, None)
    for number, batch in enumerate(_batches(items, BATCH), start=1):
        _store_batch(session, runtime, job_id, today, places, batch)
        _after_batch(job_id, number)
    _finish(session, job_id)


def _start(session: Session, job_id: int) -> tuple[int, dict[str, int]]:
    """Mark the job running (one more attempt) with its ingest run; commits. Its cursor, and
    the places' ids for every batch."""
    begin_write(session)
    job = session.get(ImportJob, job_id)
    assert job is not None
    source = bureau_source(session, job.county)
    run = session.get(IngestRun, job.run_id) if job.run_id else None
    if run is None:
        run = IngestRun(source_id=source.id, rejected={}, errors=[], fetched=0, new=0, updated=0,
                        unchanged=0, duplicates=0, expired=0)
        session.add(run)
        session.flush()
        job.run_id = run.id
    job.status, job.attempts, job.heartbeat_at = "running", job.attempts + 1, utcnow()
    cursor, places = job.cursor, place_ids_by_code(session)
    session.commit()
    return cursor, places


def _batches(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while batch := list(itertools.islice(items, size)):
        yield batch


def _store_batch(session: Session, runtime: Any, job_id: int, today: date, places: dict[str, int],
                 batch: list[tuple[int | None, RawItem]]) -> None:
    """One transaction: the batch's postings, quarantined rows, row results, counts and cursor;
    then its vectors, in transactions of their own."""
    begin_write(session)
    job = session.get(ImportJob, job_id)
    run = session.get(IngestRun, job.run_id) if job is not None and job.run_id else None
    source = session.get(Source, run.source_id) if run is not None else None
    assert job is not None and run is not None and source is not None
    scope = Scope(admin=bool(job.scope.get("admin")), counties=tuple(job.scope.get("counties") or ()))
    context = _Context(job, source, run, scope, runtime.gazetteer, today, places)
    rows = _normalise_batch(session, context, batch)
    _store_rows(session, context, rows)
    _record(session, context, rows)
    session.commit()
    session.expunge_all()  # the batch's objects go: memory does not grow with the rows
    _embed(session, runtime)


def _normalise_batch(session: Session, context: _Context,
                     batch: list[tuple[int | None, RawItem]]) -> list[RowResult]:
    """Each row through the pipeline's steps; repeats are looked up in this job's earlier rows."""
    ids = {str(item.fields.get("external_id") or "").strip() for _, item in batch} - {""}
    known = {ext: raw for ext, raw in session.execute(
        select(PostingSource.external_id, PostingSource.raw_hash)
        .where(PostingSource.source_id == context.source.id, PostingSource.raw_hash.is_not(None),
               PostingSource.external_id.in_(sorted(ids))))}
    seen = set(session.scalars(select(ImportJobRow.external_id).where(
        ImportJobRow.job_id == context.job.id, ImportJobRow.external_id.in_(sorted(ids)))))
    return [_normalise(number, item, context.gazetteer, context.today, known, seen, context.scope)
            for number, item in batch]


def _store_rows(session: Session, context: _Context, rows: list[RowResult]) -> None:
    """As ``imports.store_items``, for one batch: only its own sightings are read."""
    records = [r.record for r in rows if r.record]
    only = {r.external_id for r in rows if r.external_id}
    store = _BatchStore(session, context.source, records, context.today, only=only, places=context.places)
    put_rows(session, store, context.run, rows)
    session.flush()
    wanted = [r.external_id for r in rows if r.outcome != "rejected" and r.external_id]
    ids = dict(session.execute(select(PostingSource.external_id, PostingSource.posting_id).where(
        PostingSource.source_id == context.source.id, PostingSource.external_id.in_(wanted))).all())
    for row in rows:
        row.posting_id = ids.get(row.external_id)


def _record(session: Session, context: _Context, rows: list[RowResult]) -> None:
    """The batch's row results, the run's and the job's counts, and the cursor."""
    job, run = context.job, context.run
    start = job.cursor
    session.add_all([ImportJobRow(job_id=job.id, seq=start + i, row=r.row, title=r.title[:120],
                                  outcome=r.outcome, reason=r.reason, posting_id=r.posting_id,
                                  external_id="" if r.outcome == "rejected" else r.external_id)
                     for i, r in enumerate(rows)])
    found = Counter(r.outcome for r in rows)
    job.counts = {k: int((job.counts or {}).get(k, 0)) + found.get(k, 0) for k in OUTCOMES}
    job.cursor, job.heartbeat_at = start + len(rows), utcnow()
    run.fetched += len(rows)
    run.new, run.updated = run.new + found["new"], run.updated + found["updated"]
    run.unchanged, run.duplicates = run.unchanged + found["unchanged"], run.duplicates + found["duplicate"]
    run.expired += sum(1 for r in rows if r.record is not None and r.record.expired)
    rejected = Counter(dict(run.rejected or {}))
    rejected.update(r.reason for r in rows if r.outcome == "rejected")
    run.rejected = dict(rejected)


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
