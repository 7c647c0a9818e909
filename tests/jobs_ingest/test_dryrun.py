"""Trying a source (the admin's "try it"): the normal fetch path, bounded, nothing kept."""

from __future__ import annotations

from typing import Any

from jobs_ingest import dryrun
from jobs_ingest.records import SourceConfig
from tests.jobs_ingest.localserver import TODAY, Site, local_source


def test_a_try_shows_parsed_postings_and_every_rejection(site: Site, gazetteer: Any) -> None:
    result = dryrun.try_source(local_source("sheet", site.url("/sheets/jobs-utf8.csv")), gazetteer, TODAY)
    assert (result.fetched, result.parsed, result.errors, result.stopped) == (5, 4, [], "")
    first = result.postings[0]
    assert (first.title, first.employer) == ("电焊工", "榕江县宏达钢构有限公司")
    assert (first.wage_min, first.wage_max) == (4500, 6000)
    assert first.place_code is not None and str(first.valid_through) == "2027-03-31"
    assert [r.reason for r in result.rejections] == ["missing_title"]


def test_a_try_shows_at_most_ten_postings_but_counts_them_all(site: Site, gazetteer: Any) -> None:
    rows = "岗位名称,用人单位,工作地点,薪资待遇\n" + "".join(
        f"普工{n},榕江县第{n}号测试厂,榕江县古州镇,4000元/月\n" for n in range(14))
    site.add("/many.csv", rows, headers={"Content-Type": "text/csv; charset=utf-8"})
    result = dryrun.try_source(local_source("sheet", site.url("/many.csv")), gazetteer, TODAY)
    assert result.parsed == 14 and len(result.postings) == dryrun.SHOWN == 10
    assert [p.title for p in result.postings] == [f"普工{n}" for n in range(10)]


def test_a_try_goes_through_the_ssrf_guard(site: Site, gazetteer: Any) -> None:
    config = SourceConfig(name="t", kind="feed", location=site.url("/feeds/rss.xml"))  # loopback not allowed
    result = dryrun.try_source(config, gazetteer, TODAY)
    assert result.fetched == 0 and result.errors and site.paths() == []


def test_a_try_stops_at_its_own_limits_without_calling_it_an_error(site: Site, gazetteer: Any,
                                                                   monkeypatch: Any) -> None:
    monkeypatch.setitem(dryrun.LIMITS, "max_pages", 2)
    crawl = dryrun.try_source(local_source("jsonld", site.url("/bureau/index.html")), gazetteer, TODAY)
    assert crawl.stopped == "pages" and crawl.errors == [] and crawl.fetched <= 2
    monkeypatch.setattr(dryrun, "MAX_ITEMS", 3)
    sheet = dryrun.try_source(local_source("sheet", site.url("/sheets/jobs-utf8.csv")), gazetteer, TODAY)
    assert (sheet.stopped, sheet.fetched) == ("items", 3)


def test_the_try_limits_are_never_looser_than_the_source_and_keep_no_cache() -> None:
    config = SourceConfig(name="t", kind="api", location="http://x/", options={"max_pages": 3, "retries": 5},
                          http_cache={"http://x/": {"etag": "1"}})
    tight = dryrun.bounded(config)
    assert tight.options["max_pages"] == 3 and tight.options["retries"] == dryrun.LIMITS["retries"]
    assert tight.options["total_timeout"] == dryrun.LIMITS["total_timeout"] and tight.http_cache is None
    assert config.options == {"max_pages": 3, "retries": 5}  # the source's own config is untouched
