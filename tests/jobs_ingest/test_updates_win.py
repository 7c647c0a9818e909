"""Updates win: the version of an item with the later ``updated`` time is the one a batch keeps,
whatever page it comes on — a paged JSON API on the real local server, in both orders."""

from __future__ import annotations

import json
from typing import Any

import pytest

from jobs_ingest.pipeline import run_source
from tests.jobs_ingest.localserver import TODAY, Site, local_source

JSON = {"Content-Type": "application/json"}
MAPPING = {"items": "jobs", "next": "next", "id": "id", "title": "title", "place": "area", "pay": "salary",
           "updated": "updatedAt", "employer": "company"}


def job(key: str, updated: str, salary: str, title: str = "电焊工") -> dict[str, str]:
    return {"id": key, "title": title, "area": "贵州省黔东南州榕江县古州镇", "salary": salary,
            "updatedAt": updated, "company": "榕江县测试钢构厂"}


OLD = job("77", "2026-11-20T10:00:00+08:00", "4000-5000元/月")
NEW = job("77", "2026-11-26T10:00:00+08:00", "6000-7000元/月")
OTHER = job("78", "2026-11-21T10:00:00+08:00", "3500元/月", title="普工")


def serve(site: Site, pages: list[list[dict[str, str]]]) -> str:
    for number, items in enumerate(pages, start=1):
        more = f"/upd/page{number + 1}.json" if number < len(pages) else None
        site.add(f"/upd/page{number}.json", json.dumps({"jobs": items, "next": more}, ensure_ascii=False),
                 headers=JSON)
    return site.url("/upd/page1.json")


@pytest.mark.parametrize("pages", [[[OLD, OTHER], [NEW]], [[NEW, OTHER], [OLD]], [[OTHER], [NEW], [OLD]]],
                         ids=["newer-on-a-later-page", "newer-first", "older-last"])
def test_the_newer_version_wins_whatever_page_it_is_on(site: Site, gazetteer: Any,
                                                        pages: list[list[dict[str, str]]]) -> None:
    batch = run_source(local_source("api", serve(site, pages), retries=0, mapping=MAPPING), gazetteer, TODAY)
    assert batch.errors == [] and batch.fetched == 3
    records = {r.external_id: r for r in batch.records}
    assert sorted(records) == ["77", "78"] and batch.duplicates == 1
    assert (records["77"].wage_min, records["77"].wage_max) == (6000, 7000)
    assert records["77"].updated_at is not None and records["77"].updated_at.day == 26


def test_without_update_times_the_first_version_stays(site: Site, gazetteer: Any) -> None:
    first, later = dict(OLD, updatedAt=None), dict(NEW, updatedAt=None)
    batch = run_source(local_source("api", serve(site, [[first], [later]]), retries=0, mapping=MAPPING),
                       gazetteer, TODAY)
    assert [(r.external_id, r.wage_min) for r in batch.records] == [("77", 4000)]
    assert [p.state for p in batch.items] == ["record", "repeat"]


def test_the_cache_state_comes_back_in_the_batch_and_the_config_is_not_touched(site: Site,
                                                                               gazetteer: Any) -> None:
    url = serve(site, [[OLD]])
    site.add("/upd/page1.json", json.dumps({"jobs": [OLD], "next": None}, ensure_ascii=False),
             headers={**JSON, "ETag": '"v1"'})
    config = local_source("api", url, retries=0, mapping=MAPPING)
    config = type(config)(**{**{f: getattr(config, f) for f in config.__slots__}, "http_cache": {}})
    batch = run_source(config, gazetteer, TODAY)
    assert config.http_cache == {}  # the frozen config is read, never changed
    assert batch.http_cache is not None and batch.http_cache[url]["etag"] == '"v1"'
