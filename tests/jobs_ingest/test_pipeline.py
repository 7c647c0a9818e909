from datetime import date

from jobs_ingest.pipeline import process_items, run_source
from jobs_ingest.records import SourceConfig
from jobs_ingest.sources import fetch_items
from jobs_ingest.sources.demo import to_raw_item
from jobs_ingest.sources.demo_data import generate_demo_items

TODAY = date(2026, 11, 28)
DEMO = SourceConfig(name="demo", kind="demo", options={"today": TODAY.isoformat()})


def test_every_demo_item_is_accounted_for(gazetteer):
    batch = run_source(DEMO, gazetteer, TODAY)
    assert batch.fetched == len(generate_demo_items(today=TODAY))
    assert batch.fetched == len(batch.records) + batch.duplicates + len(batch.rejections)
    assert len(batch.records) >= 300
    assert batch.duplicates == 1
    assert batch.rejected_counts() == {"missing_title": 3, "too_long": 1}
    assert batch.errors == []


def test_rejections_keep_reason_and_raw_excerpt(gazetteer):
    batch = run_source(DEMO, gazetteer, TODAY)
    long_title = next(r for r in batch.rejections if r.reason == "too_long")
    assert "急急急" in long_title.excerpt
    assert "limit" in long_title.detail


def test_records_are_normalised(gazetteer):
    records = {r.external_id: r for r in run_source(DEMO, gazetteer, TODAY).records}
    located = [r for r in records.values() if r.place_code]
    assert len(located) >= len(records) - 2  # only the unknown/no-place items lack a place
    unknown = [r for r in records.values() if r.place_text == "火星基地"]
    assert unknown and unknown[0].place_code is None and unknown[0].lat is None
    xss = [r for r in records.values() if "alert" in r.description or "<script" in r.description]
    assert xss == []
    assert any(r.expired for r in records.values())
    assert all(r.valid_through < TODAY for r in records.values() if r.expired)
    assert all(r.canonical_url is None or "utm_" not in r.canonical_url for r in records.values())
    assert sum(1 for r in records.values() if r.wage_min or r.wage_max) > 250


def test_same_input_gives_same_hashes(gazetteer):
    first = run_source(DEMO, gazetteer, TODAY).records
    second = run_source(DEMO, gazetteer, TODAY).records
    assert [r.content_hash for r in first] == [r.content_hash for r in second]


def test_unknown_source_kind_is_reported_not_raised(gazetteer):
    batch = run_source(SourceConfig(name="x", kind="nope"), gazetteer, TODAY)
    assert batch.records == [] and "unknown source kind" in batch.errors[0]


def test_item_without_id_or_url_is_quarantined(gazetteer):
    item = to_raw_item({"title": "焊工", "area": "榕江"})
    batch = process_items([item], gazetteer, TODAY)
    assert [r.reason for r in batch.rejections] == ["malformed"]


def test_demo_source_is_registered():
    assert sum(1 for _ in fetch_items(DEMO)) > 300


def test_items_delivered_exactly_as_stored_skip_normalising(gazetteer):
    from jobs_ingest.pipeline import fingerprint

    items = list(fetch_items(DEMO))
    first = process_items(items, gazetteer, TODAY)
    known = {r.external_id: r.raw_hash for r in first.records}
    assert all(len(h) == 64 for h in known.values())
    changed = to_raw_item({**generate_demo_items(today=TODAY)[0], "salary": "9000-9999元/月"})
    again = process_items([changed, *items[1:]], gazetteer, TODAY, known)
    assert [r.external_id for r in again.records] == [changed.fields["external_id"]]
    assert again.records[0].wage_min == 9000
    assert len(again.unchanged) == len(known) - 1
    assert again.rejected_counts() == first.rejected_counts()  # rejects are always redone
    assert fingerprint(items[0]) != fingerprint(changed)
