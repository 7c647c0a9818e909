"""Storing ingestion results: nothing lost, nothing duplicated, reruns idempotent."""

from datetime import date

from sqlalchemy import func, select

from web.models import IngestRun, Posting, PostingEmbedding, PostingSource, QuarantinedRecord, Source, Worker
from web.services import embeddings, ingest
from web.services.demo import DEMO_SOURCE, load_demo

TODAY = date(2026, 11, 28)


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_demo_load_stored_every_outcome(db_session):
    run = db_session.scalar(select(IngestRun).order_by(IngestRun.id))
    assert run.fetched == run.new + run.duplicates + sum(run.rejected.values())
    assert run.new >= 300 and run.duplicates >= 1
    assert run.rejected == {"missing_title": 3, "too_long": 1}
    assert count(db_session, Posting) == run.new
    # One id listed twice never reaches the store; every other duplicate is a job the source
    # listed again under another id, nearly word for word: a second sighting of one posting.
    assert count(db_session, PostingSource) - count(db_session, Posting) == run.duplicates - 1 <= 10
    assert count(db_session, QuarantinedRecord) == 4
    reasons = set(db_session.scalars(select(QuarantinedRecord.reason)))
    assert reasons == {"missing_title", "too_long"}
    expired = db_session.scalar(select(func.count()).where(Posting.status == "expired"))
    assert 0 < expired <= run.expired  # an expired listing of a job still listed open is no expired posting
    assert count(db_session, Worker) == 12


def test_every_open_posting_has_a_current_vector(db_session, runtime):
    model_id = runtime.embedder().model_id
    open_ids = set(db_session.scalars(select(Posting.id).where(Posting.status == "open")))
    vectors = set(db_session.scalars(select(PostingEmbedding.posting_id)
                                     .where(PostingEmbedding.model_id == model_id)))
    assert open_ids and open_ids <= vectors


def test_rerun_creates_nothing_and_reembeds_nothing(db_session, runtime):
    before = {m: count(db_session, m) for m in (Posting, PostingSource, QuarantinedRecord, Worker)}
    run = load_demo(db_session, runtime, today=TODAY)
    assert (run.new, run.updated, run.duplicates) == (0, 0, 1)
    assert run.unchanged == before[PostingSource]
    assert {m: count(db_session, m) for m in before} == before
    assert embeddings.embed_pending(db_session, runtime.embedder()) == 0
    bumped = db_session.scalars(select(QuarantinedRecord.times_seen)).all()
    assert set(bumped) == {2}


def test_changed_content_is_an_update_and_is_reembedded(db_session, runtime):
    source = db_session.scalar(select(Source).where(Source.name == DEMO_SOURCE["name"]))
    posting = db_session.scalar(select(Posting).where(Posting.status == "open").order_by(Posting.id))
    sighting = db_session.scalar(select(PostingSource).where(PostingSource.posting_id == posting.id))
    vector = db_session.scalar(select(PostingEmbedding).where(PostingEmbedding.posting_id == posting.id))
    # As if an older text had been stored and embedded, and the source has changed it since.
    sighting.content_hash = posting.content_hash = vector.content_hash = sighting.raw_hash = "stale"
    db_session.flush()
    run = ingest.run_source(db_session, source, runtime.gazetteer, TODAY)
    assert run.updated == 1 and run.new == 0 and run.unchanged == run.fetched - 1 - 4 - 1
    assert embeddings.embed_pending(db_session, runtime.embedder()) == 1
    assert sighting.raw_hash != "stale"


def test_same_canonical_url_from_another_source_is_one_posting(db_session, runtime):
    other = ingest.upsert_source(db_session, {"name": "aggregator-copy", "kind": "demo",
                                              "trust": "aggregator", "options": {"today": "2026-11-28"}})
    before = count(db_session, Posting)
    run = ingest.run_source(db_session, other, runtime.gazetteer, TODAY)
    assert run.new == 0 and run.duplicates >= 300
    assert count(db_session, Posting) == before
    multi = db_session.scalar(select(func.count(func.distinct(PostingSource.posting_id)))
                              .where(PostingSource.source_id == other.id))
    assert multi == before  # every posting is sighted by the copy too
    mine = db_session.scalar(select(func.count()).where(PostingSource.source_id == other.id))
    assert mine == run.duplicates - 1  # the in-batch duplicate never reaches the database


def test_failing_source_records_an_error_and_stores_nothing(db_session, runtime):
    broken = ingest.upsert_source(db_session, {"name": "broken", "kind": "no-such-kind"})
    before = count(db_session, Posting)
    run = ingest.run_source(db_session, broken, runtime.gazetteer, TODAY)
    assert run.status == "failed" and "unknown source kind" in run.errors[0]
    assert count(db_session, Posting) == before


def test_postings_missing_for_n_runs_are_closed_and_reopen_when_listed(db_session, runtime):
    source = db_session.scalar(select(Source).where(Source.name == DEMO_SOURCE["name"]))
    source.options = {"today": "2026-11-28", "close_after_missed_runs": 2}
    mine = select(PostingSource).where(PostingSource.source_id == source.id)
    victim = db_session.scalar(mine.order_by(PostingSource.id))
    open_before = db_session.scalar(select(func.count()).where(Posting.status == "open"))
    # Pretend the source stopped listing the victim: its external id is not in the listing.
    assert ingest.track_disappeared(db_session, source, set()) == 0  # first miss
    victim.missed_runs = 1
    others = db_session.scalars(mine.where(PostingSource.id != victim.id)).all()
    closed = ingest.track_disappeared(db_session, source, {s.external_id for s in others})
    assert closed == 1 and victim.posting.status == "closed" and victim.missed_runs == 2
    assert db_session.scalar(select(func.count()).where(Posting.status == "open")) == open_before - 1
    run = ingest.run_source(db_session, source, runtime.gazetteer, TODAY)  # listed again
    assert run.new == 0 and victim.missed_runs == 0 and victim.posting.status == "open"


def test_kind_specific_keys_are_kept_as_options(db_session):
    source = ingest.upsert_source(db_session, {
        "name": "county-api", "kind": "api", "url": "http://127.0.0.1:9/jobs", "trust": "bureau",
        "mapping": {"items": "data.items", "id": "id"}, "options": {"page_limit": 5}})
    assert source.location == "http://127.0.0.1:9/jobs"
    assert source.options == {"page_limit": 5, "mapping": {"items": "data.items", "id": "id"}}
    config = ingest.source_config(source)
    assert config.options["mapping"]["items"] == "data.items" and config.trust == "bureau"
