"""Register sources and store what ingestion returns: new, updated, unchanged, duplicate,
expired or quarantined — one transaction per source run, committed by the caller."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jobs_ingest.pipeline import run_source as run_pipeline
from jobs_ingest.records import BatchResult, PostingRecord, Rejection, SourceConfig
from places import Gazetteer
from web.models import Employer, IngestRun, Posting, PostingSource, QuarantinedRecord, Source, utcnow
from web.services.places import place_ids_by_code

DEFAULT_CLOSE_AFTER = 3
RECORD_FIELDS = ("title", "description", "place_text", "lat", "lon", "wage_min", "wage_max",
                 "wage_text", "housing", "meals", "employment_type", "headcount", "posted_at",
                 "valid_through", "url", "canonical_url", "content_hash")


def upsert_source(session: Session, spec: dict[str, Any]) -> Source:
    """Create or update a source from a spec (name, kind, url/path, trust, schedule, options)."""
    source = session.scalar(select(Source).where(Source.name == spec["name"]))
    if source is None:
        source = Source(name=spec["name"], kind=spec["kind"])
        session.add(source)
    source.kind = spec["kind"]
    source.location = spec.get("url") or spec.get("path") or ""
    source.trust = spec.get("trust", "aggregator")
    source.schedule = spec.get("schedule")
    source.options = dict(spec.get("options", {}))
    source.allow_private_network = bool(spec.get("allow_private_network", False))
    session.flush()
    return source


def source_config(source: Source) -> SourceConfig:
    """The plain config the ingestion library takes."""
    return SourceConfig(name=source.name, kind=source.kind, location=source.location,
                        trust=source.trust, options=dict(source.options or {}),
                        allow_private_network=source.allow_private_network)


def run_source(session: Session, source: Source, gazetteer: Gazetteer, today: date) -> IngestRun:
    """Fetch, normalise and store one source; returns the recorded run with its counts."""
    run = IngestRun(source_id=source.id, rejected={}, errors=[])
    session.add(run)
    session.flush()
    batch = run_pipeline(source_config(source), gazetteer, today)
    store_batch(session, source, run, batch)
    run.finished_at = utcnow()
    run.status = "failed" if batch.errors and not batch.fetched else "ok"
    session.flush()
    return run


def store_batch(session: Session, source: Source, run: IngestRun, batch: BatchResult) -> None:
    """Store records and rejections; fills the run's counts. Never commits."""
    places = place_ids_by_code(session)
    counts = {"new": 0, "updated": 0, "unchanged": 0, "duplicates": batch.duplicates, "expired": 0}
    for record in batch.records:
        outcome = _store_record(session, source, record, places)
        counts[outcome] += 1
        if record.expired and outcome != "unchanged":
            counts["expired"] += 1
    for rejection in batch.rejections:
        _quarantine(session, source, run, rejection)
    if batch.fetched and not batch.errors:  # only a complete listing says what disappeared
        listed = {r.external_id for r in batch.records} | {
            r.external_id for r in batch.rejections if r.external_id}
        track_disappeared(session, source, listed)
    run.fetched = batch.fetched
    run.new, run.updated, run.unchanged = counts["new"], counts["updated"], counts["unchanged"]
    run.duplicates, run.expired = counts["duplicates"], counts["expired"]
    run.rejected = batch.rejected_counts()
    run.errors = list(batch.errors)


def track_disappeared(session: Session, source: Source, listed: set[str]) -> int:
    """Count runs a sighting is missing; close a posting once all its sightings are gone for
    ``close_after_missed_runs`` (default 3) runs in a row; a listed sighting resets to 0."""
    limit = int((source.options or {}).get("close_after_missed_runs", DEFAULT_CLOSE_AFTER))
    closed = 0
    for sighting in session.scalars(select(PostingSource).where(PostingSource.source_id == source.id)):
        if sighting.external_id in listed:
            sighting.missed_runs = 0
            continue
        sighting.missed_runs += 1
        posting = sighting.posting
        gone = all(s.missed_runs >= limit for s in posting.sightings)
        if gone and posting.status == "open":
            posting.status = "closed"
            closed += 1
    return closed


def _store_record(session: Session, source: Source, record: PostingRecord,
                  places: dict[str, int]) -> str:
    sighting = session.scalar(select(PostingSource).where(
        PostingSource.source_id == source.id, PostingSource.external_id == record.external_id))
    now = utcnow()
    if sighting is not None:
        sighting.last_seen = now
        sighting.posting.last_seen = now
        if sighting.posting.status == "closed" and not record.expired:
            sighting.posting.status = "open"  # listed again after it had disappeared
        if sighting.content_hash == record.content_hash:
            return "unchanged"
        _apply(session, sighting.posting, record, places)
        sighting.content_hash = record.content_hash
        return "updated"
    same_url = record.canonical_url and session.scalar(
        select(Posting).where(Posting.canonical_url == record.canonical_url))
    if same_url:
        session.add(PostingSource(posting=same_url, source_id=source.id,
                                  external_id=record.external_id, url=record.url,
                                  content_hash=record.content_hash))
        return "duplicates"
    posting = Posting(source_id=source.id, external_id=record.external_id)
    _apply(session, posting, record, places)
    session.add(posting)
    session.add(PostingSource(posting=posting, source_id=source.id, external_id=record.external_id,
                              url=record.url, content_hash=record.content_hash))
    session.flush()
    return "new"


def _apply(session: Session, posting: Posting, record: PostingRecord, places: dict[str, int]) -> None:
    values = asdict(record)
    for name in RECORD_FIELDS:
        setattr(posting, name, values[name])
    posting.place_id = places.get(record.place_code) if record.place_code else None
    posting.employer = _employer(session, record.employer)
    posting.status = "expired" if record.expired else "open"


def _employer(session: Session, name: str | None) -> Employer | None:
    if not name:
        return None
    employer = session.scalar(select(Employer).where(Employer.name == name))
    if employer is None:
        employer = Employer(name=name)
        session.add(employer)
        session.flush()
    return employer


def _quarantine(session: Session, source: Source, run: IngestRun, rejection: Rejection) -> None:
    """Keep the rejected item once per (source, raw content); a rerun only bumps its counter."""
    row = session.scalar(select(QuarantinedRecord).where(
        QuarantinedRecord.source_id == source.id, QuarantinedRecord.raw_hash == rejection.raw_hash))
    if row is None:
        session.add(QuarantinedRecord(
            source_id=source.id, run_id=run.id, external_id=rejection.external_id,
            reason=rejection.reason, detail=rejection.detail, raw_excerpt=rejection.excerpt,
            raw_hash=rejection.raw_hash))
        return
    row.times_seen += 1
    row.last_seen = utcnow()
    row.run_id = run.id


def run_counts(run: IngestRun) -> dict[str, Any]:
    """The fixed per-source summary printed by ``flask ingest run``."""
    return {"source": run.source.name,
            "fetched": run.fetched, "new": run.new, "updated": run.updated,
            "unchanged": run.unchanged, "duplicates": run.duplicates, "expired": run.expired,
            "rejected": dict(run.rejected or {}), "errors": list(run.errors or [])}
