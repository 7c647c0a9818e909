"""Posting lifecycle jobs: expiry and scheduled source runs."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from jobs_ingest.pipeline import run_source as run_pipeline
from web.extensions import begin_write
from web.models import IngestRun, Posting, Source, utcnow
from web.services import embeddings, ingest


def expire_postings(session: Session, today: date) -> int:
    """Mark open postings whose valid-through date has passed as expired."""
    result = session.execute(
        update(Posting).where(Posting.status == "open", Posting.valid_through < today)
        .values(status="expired")  # changed_at moves with it (web.changes)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def run_named_source(session: Session, runtime: Any, name: str, today: date) -> IngestRun:
    """Run one registered source and embed what it brought (the scheduler's and ``flask ingest
    run``'s job body, a job boundary: it commits).

    Fetching holds no transaction: the source's config and known hashes are read, that read
    is ended, the pipeline fetches and parses everything, and only then are the postings
    written, in one short writing transaction (``BEGIN IMMEDIATE`` on SQLite), and their
    vectors in short ones after it. A slow source never blocks the site's writes, and a run
    killed while fetching leaves nothing behind."""
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        raise LookupError(f"no source named {name!r}")
    config, known = ingest.plan_run(session, source)
    source_id, started = source.id, utcnow()
    session.commit()  # ends the read: nothing is pending at a job boundary
    batch = run_pipeline(config, runtime.gazetteer, today, known)
    begin_write(session)
    source = session.get(Source, source_id)
    assert source is not None
    run = ingest.store_run(session, source, batch, today, started)
    session.commit()
    embeddings.embed_in_batches(session, runtime.embedder())
    return run


def record_failed_run(session: Session, name: str, error: str) -> IngestRun | None:
    """After a rolled-back run, keep a failed run row so that every run is on record."""
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        return None
    run = IngestRun(source_id=source.id, status="failed", finished_at=utcnow(), rejected={},
                    errors=[error])
    session.add(run)
    session.flush()
    return run


def scheduled_sources(session: Session) -> list[tuple[str, str]]:
    """(name, schedule) of every enabled source that has a schedule."""
    rows = session.execute(
        select(Source.name, Source.schedule).where(Source.enabled.is_(True), Source.schedule.is_not(None))
        .order_by(Source.name)
    )
    return [(name, schedule) for name, schedule in rows if schedule]


def source_enabled(session: Session, name: str) -> bool:
    """Whether a source of that name exists and is enabled (a scheduled job checks it as it fires)."""
    return bool(session.scalar(select(Source.enabled).where(Source.name == name)))
