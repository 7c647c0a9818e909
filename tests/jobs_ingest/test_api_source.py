"""The api kind: a paginated JSON listing with a field mapping, on the local server."""

from __future__ import annotations

import json
from typing import Any

import pytest

from jobs_ingest.pipeline import run_source
from jobs_ingest.records import BatchResult, PostingRecord
from jobs_ingest.sources.api import dig
from tests.jobs_ingest.localserver import SITES, TODAY, Site, local_source

JSON = {"Content-Type": "application/json"}
DOC = {"a": {"b": 1, "list": [{"c": 2}, {"c": 3}]}}
MAPPING = {
    "items": "data.jobs", "next": "paging.next", "id": "jobId", "title": "name", "description": "desc",
    "place": "area.name", "pay": "salary", "updated": "updatedAt", "url": "detailUrl",
    "employer": "company.name", "valid_through": "deadline", "lat": "geo.lat", "lon": "geo.lon",
}


def run_api(site: Site, gazetteer: Any, path: str = "/api/page1.json", **options: Any) -> BatchResult:
    options.setdefault("mapping", MAPPING)
    return run_source(local_source("api", site.url(path), retries=0, **options), gazetteer, TODAY)


def by_id(batch: BatchResult) -> dict[str, PostingRecord]:
    return {r.external_id: r for r in batch.records}


def test_three_pages_are_followed_and_mapped(site: Site, gazetteer: Any) -> None:
    batch = run_api(site, gazetteer)
    assert batch.errors == []
    assert [p for p in site.paths() if p.startswith("/api/")] == [
        "/api/page1.json", "/api/page2.json", "/api/page3.json"]
    assert batch.fetched == 6 and sorted(by_id(batch)) == ["9001", "9002", "9003", "9005"]
    assert sorted(r.reason for r in batch.rejections) == ["malformed", "missing_title"]
    jobs = by_id(batch)
    sewing = jobs["9001"]
    assert sewing.employer == "从江县锦绣服饰有限公司" and sewing.place_code.startswith("522633")
    assert (sewing.wage_min, sewing.wage_max) == (3500, 5000) and sewing.url == site.url("/jobs/9001")
    assert sewing.valid_through.isoformat() == "2027-03-31"
    assert sewing.updated_at is not None and sewing.updated_at.isoformat() == "2026-11-20T02:00:00+00:00"
    tea = jobs["9002"]
    assert (tea.wage_min, tea.wage_max) == (3900, 4680)  # {"minValue": 150, "maxValue": 180, "unitText": DAY}
    assert (tea.lat, tea.lon) == (26.378, 108.0779) and tea.updated_at.timestamp() == 1795500000
    assert jobs["9003"].url == site.url("/jobs/9003") and jobs["9005"].wage_min == 3500


def test_a_newer_updated_time_changes_the_hash_not_the_id(site: Site, gazetteer: Any) -> None:
    first = by_id(run_api(site, gazetteer))["9001"]
    page = json.loads((SITES / "api/page1.json").read_text(encoding="utf-8"))
    page["data"]["jobs"][0]["updatedAt"] = "2026-11-27T10:00:00+08:00"
    site.add("/api/page1.json", json.dumps(page, ensure_ascii=False), headers=JSON)
    second = by_id(run_api(site, gazetteer))["9001"]
    assert second.external_id == first.external_id
    assert second.updated_at > first.updated_at and second.content_hash != first.content_hash
    again = by_id(run_api(site, gazetteer))["9001"]
    assert again.content_hash == second.content_hash  # unchanged source, unchanged hash


def test_the_link_header_is_a_fallback_for_next(site: Site, gazetteer: Any) -> None:
    site.add("/feed/1", json.dumps([{"id": "a", "title": "焊工"}]),
             headers={**JSON, "Link": '</feed/2>; rel="next"'})
    site.add("/feed/2", json.dumps([{"id": "b", "title": "电工"}]), headers=JSON)
    batch = run_api(site, gazetteer, "/feed/1", mapping={"items": ""})
    assert sorted(by_id(batch)) == ["a", "b"] and batch.errors == []


def test_a_next_link_back_to_a_read_page_ends_the_listing(site: Site, gazetteer: Any) -> None:
    site.add("/loop.json", json.dumps({"items": [{"id": "x", "title": "普工"}], "next": "/loop.json"}))
    batch = run_api(site, gazetteer, "/loop.json", mapping={})
    assert sorted(by_id(batch)) == ["x"] and batch.errors == []


def test_a_broken_page_keeps_earlier_items_and_reports(site: Site, gazetteer: Any) -> None:
    site.add("/api/page2.json", b'{"data": {"jobs": [', headers=JSON)
    batch = run_api(site, gazetteer)
    assert sorted(by_id(batch)) == ["9001", "9002"]
    assert batch.errors and batch.errors[0].startswith("malformed: page 2")


def test_the_page_limit_and_other_hosts(site: Site, gazetteer: Any) -> None:
    limited = run_api(site, gazetteer, max_pages=2)
    assert limited.errors and "max_pages=2" in limited.errors[0] and len(limited.records) == 3
    site.add("/away.json", json.dumps({"items": [], "next": "http://other.example.cn/page2"}))
    away = run_api(site, gazetteer, "/away.json", mapping={})
    assert away.errors and away.errors[0].startswith("bad_url")


def test_items_not_at_the_mapped_path_are_an_error(site: Site, gazetteer: Any) -> None:
    batch = run_api(site, gazetteer, mapping={"items": "data.nothing"})
    assert batch.records == [] and "'data.nothing' is not a list" in batch.errors[0]


@pytest.mark.parametrize(
    ("path", "expected"),
    [("a.b", 1), ("a.list.1.c", 3), ("a.list.-1.c", 3), ("a.missing", None), ("a.list.9", None), ("", DOC)],
)
def test_dotted_paths(path: str, expected: object) -> None:
    assert dig(DOC, path) == expected
