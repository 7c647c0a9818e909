"""The feed kind: RSS 2.0 and Atom from the local server, GBK feeds, truncated and hostile XML."""

from __future__ import annotations

from typing import Any

from jobs_ingest.pipeline import run_source
from jobs_ingest.records import BatchResult, PostingRecord
from jobs_ingest.sources.feed import parse_feed
from tests.jobs_ingest.localserver import TODAY, Site, local_source


def run_feed(site: Site, gazetteer: Any, path: str) -> BatchResult:
    return run_source(local_source("feed", site.url(path), retries=0), gazetteer, TODAY)


def by_id(batch: BatchResult) -> dict[str, PostingRecord]:
    return {r.external_id: r for r in batch.records}


def test_rss_items_get_pay_place_and_dates_from_their_text(site: Site, gazetteer: Any) -> None:
    batch = run_feed(site, gazetteer, "/feeds/rss.xml")
    assert batch.errors == [] and batch.rejections == [] and batch.fetched == 3
    jobs = by_id(batch)
    welder = jobs["rss-1"]
    assert welder.employer == "榕江县宏达钢构有限公司" and welder.place_code.startswith("522632")
    assert (welder.wage_min, welder.wage_max) == (4500, 6000) and welder.headcount == 5
    assert welder.valid_through.isoformat() == "2027-03-31" and welder.posted_at.isoformat() == "2026-11-20"
    assert welder.housing and welder.employment_type == "full_time"
    assert welder.url == site.url("/feeds/jobs/1")
    porter = jobs[site.url("/feeds/jobs/2")]
    assert (porter.wage_min, porter.wage_max) == (4680, 4680) and porter.employment_type == "day_labour"
    assert porter.place_code is not None and porter.place_code.startswith("440114")  # 花都区
    assert porter.valid_through.isoformat() == "2027-01-15" and porter.headcount == 10
    assert not porter.housing  # 不包住
    assert porter.canonical_url == site.url("/feeds/jobs/2")  # utm_source dropped
    cook = jobs[site.url("/feeds/jobs/3")]
    assert (cook.wage_min, cook.wage_max) == (3500, 4500) and cook.place_code.startswith("621126")
    assert "两年以上中餐经验" in cook.description and "alert" not in cook.description
    assert cook.posted_at.isoformat() == "2026-11-23"


def test_atom_entries(site: Site, gazetteer: Any) -> None:
    batch = run_feed(site, gazetteer, "/feeds/atom.xml")
    jobs = by_id(batch)
    assembler = jobs["tag:beilun.example,2026:job-77"]
    assert assembler.title == "装配工(长白班)" and assembler.employer == "宁波北仑精工机械有限公司"
    assert (assembler.wage_min, assembler.wage_max) == (5000, 7000) and assembler.housing
    assert assembler.url == site.url("/feeds/beilun/77") and assembler.posted_at.isoformat() == "2026-11-24"
    assert assembler.updated_at is not None
    assert assembler.updated_at.isoformat() == "2026-11-26T02:00:00+00:00"
    driver = jobs["tag:beilun.example,2026:job-78"]
    assert (driver.wage_min, driver.wage_max) == (5200, 5200) and driver.headcount == 3
    assert driver.place_code is not None and driver.place_code.startswith("330206")


def test_a_truncated_feed_keeps_its_complete_items_and_reports_the_break(site: Site, gazetteer: Any) -> None:
    batch = run_feed(site, gazetteer, "/feeds/truncated.xml")
    assert sorted(by_id(batch)) == ["cut-1", "cut-2"]  # the half item is never yielded
    assert len(batch.errors) == 1 and batch.errors[0].startswith("malformed: the feed is not well-formed")
    assert "after 2 items" in batch.errors[0]


def test_a_gbk_feed(site: Site, gazetteer: Any) -> None:
    batch = run_feed(site, gazetteer, "/feeds/jobs.gbk.xml")
    (job,) = batch.records
    assert job.title == "从江县锦绣服饰招聘缝纫工" and (job.wage_min, job.wage_max) == (3500, 5000)
    assert job.place_code is not None and job.place_code.startswith("522633")


def test_entity_expansion_is_refused_not_followed(site: Site, gazetteer: Any) -> None:
    batch = run_feed(site, gazetteer, "/feeds/bomb.xml")
    assert batch.records == [] and batch.errors and batch.errors[0].startswith("malformed")


def test_a_missing_feed_is_an_error(site: Site, gazetteer: Any) -> None:
    batch = run_feed(site, gazetteer, "/feeds/none.xml")
    assert batch.records == [] and batch.errors[0].startswith("http_status")


def test_not_xml_at_all() -> None:
    items = parse_feed("<html><body>不是订阅源</body></html>", "http://x/")
    assert list(items) == []
