"""Storing what real source kinds bring: conditional GET across runs, one posting per real job
across sources with the most trusted source's fields, updates by ``updated`` time."""

import json
from datetime import date

from sqlalchemy import select

from bench.local_api import MAPPING, LocalApi, demo_postings
from web.models import Posting, PostingSource, Source
from web.services import ingest

TODAY = date(2026, 11, 28)


def own_postings(count, tag):
    """Demo postings under employers of their own, so they are not copies of the demo source's."""
    items = demo_postings(count)
    for n, item in enumerate(items):
        item["company"] = f"{tag}第{n}号测试用人单位"
    return items


def api_source(session, name, url, trust="bureau"):
    return ingest.upsert_source(session, {"name": name, "kind": "api", "url": url, "trust": trust,
                                          "allow_private_network": True, "mapping": MAPPING})


def test_second_run_uses_conditional_get_and_changes_nothing(db_session, runtime):
    items = own_postings(30, "甲")
    with LocalApi(items, page_size=10) as api:
        source = api_source(db_session, "county-api", api.url)
        first = ingest.run_source(db_session, source, runtime.gazetteer, TODAY)
        assert (first.new, first.errors) == (30, [])
        assert source.http_cache  # validators kept with the source
        second = ingest.run_source(db_session, source, runtime.gazetteer, TODAY)
        assert (second.new, second.updated, second.unchanged) == (0, 0, 30)
        assert api.not_modified == 3  # every page answered 304 Not Modified


def test_newer_updated_time_is_an_update_not_a_new_posting(db_session, runtime):
    items = own_postings(5, "乙")
    for item in items:
        item["updatedAt"] = "2026-11-20T10:00:00+08:00"
    mapping = dict(MAPPING, updated="updatedAt")
    with LocalApi(items, page_size=10) as api:
        source = ingest.upsert_source(db_session, {"name": "upd-api", "kind": "api", "url": api.url,
                                                   "allow_private_network": True, "mapping": mapping})
        assert ingest.run_source(db_session, source, runtime.gazetteer, TODAY).new == 5
        items[0]["updatedAt"] = "2026-11-27T09:00:00+08:00"
        items[0]["salary"] = "6000-8000元/月"
        run = ingest.run_source(db_session, source, runtime.gazetteer, TODAY)
    assert (run.new, run.updated, run.unchanged) == (0, 1, 4)
    posting = db_session.scalar(select(Posting).where(Posting.external_id == str(items[0]["id"])))
    assert (posting.wage_min, posting.wage_max) == (6000, 8000)


def _copy(item, **changes):
    """An aggregator's copy: its own id and URL, punctuation and spacing changed."""
    copy = dict(item, id="AGG-" + str(item["id"]), url="https://jobs.aggregator.example/p/" + str(item["id"]))
    copy["description"] = str(item["description"]).replace("。", "，").replace("，", " , ", 1)
    copy["salary"] = str(item["salary"]).replace("元", "")
    copy.update(changes)
    return copy


def test_an_aggregator_copy_joins_the_bureau_posting(db_session, runtime):
    items = own_postings(8, "丙")
    with LocalApi(items, page_size=10) as bureau_api, \
            LocalApi([_copy(i) for i in items[:3]], page_size=10) as agg_api:
        bureau = api_source(db_session, "bureau-api", bureau_api.url, "bureau")
        agg = api_source(db_session, "aggregator-api", agg_api.url, "aggregator")
        assert ingest.run_source(db_session, bureau, runtime.gazetteer, TODAY).new == 8
        run = ingest.run_source(db_session, agg, runtime.gazetteer, TODAY)
    assert (run.new, run.duplicates) == (0, 3)
    posting = db_session.scalar(select(Posting).where(Posting.external_id == str(items[0]["id"])))
    names = {s.source.name for s in posting.sightings}
    assert names == {"bureau-api", "aggregator-api"} and posting.source.name == "bureau-api"


def test_a_bureau_listing_takes_over_an_aggregator_posting(db_session, runtime):
    items = own_postings(4, "丁")
    copies = [_copy(i, title=str(i["title"]) + "（转载）") for i in items]
    with LocalApi(copies, page_size=10) as agg_api, LocalApi(items, page_size=10) as bureau_api:
        agg = api_source(db_session, "aggregator-first", agg_api.url, "aggregator")
        bureau = api_source(db_session, "bureau-later", bureau_api.url, "bureau")
        assert ingest.run_source(db_session, agg, runtime.gazetteer, TODAY).new == 4
        run = ingest.run_source(db_session, bureau, runtime.gazetteer, TODAY)
    assert (run.new, run.duplicates) == (0, 4)
    sighting = db_session.scalar(select(PostingSource).join(Source).where(
        Source.name == "bureau-later", PostingSource.external_id == str(items[0]["id"])))
    posting = sighting.posting
    assert posting.source.name == "bureau-later" and posting.title == items[0]["title"]
    assert len(posting.sightings) == 2
    assert json.dumps(posting.title, ensure_ascii=False).count("转载") == 0

