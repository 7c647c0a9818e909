"""The jsonld kind end to end: a bureau site, a factory's microdata page, sitemaps, hostile pages."""

from __future__ import annotations

import re
from typing import Any

from jobs_ingest.pipeline import process_items, run_source
from jobs_ingest.records import BatchResult, PostingRecord
from jobs_ingest.sources import jsonld
from tests.jobs_ingest.localserver import SITES, TODAY, Handler, Site, local_source

MB = 1024 * 1024


def by_title(batch: BatchResult) -> dict[str, PostingRecord]:
    return {r.title: r for r in batch.records}


def crawl(site: Site, gazetteer: Any, path: str, **options: Any) -> BatchResult:
    options.setdefault("retries", 0)  # failures are tested in test_fetch; no real sleeping here
    return run_source(local_source("jsonld", site.url(path), **options), gazetteer, TODAY)


def test_bureau_site_postings_are_found_and_normalised(site: Site, gazetteer: Any) -> None:
    batch = crawl(site, gazetteer, "/bureau/index.html", max_depth=1)
    assert batch.errors == [] and batch.rejections == []
    jobs = by_title(batch)
    assert set(jobs) == {"电焊工", "普工", "仓库管理员", "采茶工(季节工)", "茶叶包装工"}
    welder = jobs["电焊工"]
    assert welder.external_id == "RJ-2026-101" and welder.employer == "榕江县宏达钢构有限公司"
    assert (welder.wage_min, welder.wage_max) == (4500, 6000) and welder.headcount == 5
    assert (welder.lat, welder.lon) == (25.9317, 108.5214)  # the page's geo wins over the centroid
    assert welder.place_code is not None and welder.place_code.startswith("522632")  # 榕江县
    assert welder.valid_through.isoformat() == "2027-03-31" and not welder.expired
    assert welder.employment_type == "full_time" and welder.housing and welder.meals
    assert welder.description == "负责钢结构焊接,持焊工证优先。\n包吃住,月休4天。"


def test_graph_and_array_pages_give_several_postings(site: Site, gazetteer: Any) -> None:
    jobs = by_title(crawl(site, gazetteer, "/bureau/index.html", max_depth=1))
    worker, keeper = jobs["普工"], jobs["仓库管理员"]
    assert worker.employer == keeper.employer == "榕江县古州镇工业园管理委员会"  # "@id" resolved
    assert worker.url is None and worker.external_id.startswith(site.url("/bureau/job-102.html#"))
    assert keeper.external_id == "GZ-2" and (keeper.wage_min, keeper.wage_max) == (3500, 4200)
    picker, packer = jobs["采茶工(季节工)"], jobs["茶叶包装工"]  # Traditional became Simplified
    assert picker.employer == "雷山县银球茶业有限公司" and picker.employment_type == "day_labour"
    assert (picker.wage_min, picker.wage_max) == (3900, 3900)  # 150/DAY x 26
    assert (packer.wage_min, packer.wage_max) == (4160, 5200) and packer.employment_type == "part_time"
    assert packer.url == site.url("/bureau/tea/2") and picker.url == site.url("/bureau/tea/1")


def test_the_crawl_stays_on_host_within_depth_and_skips_downloads(site: Site, gazetteer: Any) -> None:
    crawl(site, gazetteer, "/bureau/index.html", max_depth=1)
    paths = site.paths()
    assert "/bureau/list-2.html" in paths and "/bureau/job-104.html" not in paths  # depth 2
    assert not any(p.startswith("/bureau/files/") for p in paths)
    assert paths.count("/bureau/job-101.html") == 1  # the repeated link is fetched once
    deeper = crawl(site, gazetteer, "/bureau/index.html", max_depth=2)
    expired = by_title(deeper)["搬运工"]
    assert expired.expired and (expired.wage_min, expired.wage_max) == (4160, 4160)


def test_the_page_limit_stops_the_crawl_and_says_so(site: Site, gazetteer: Any) -> None:
    batch = crawl(site, gazetteer, "/bureau/index.html", max_depth=2, max_pages=2)
    assert [r.external_id for r in batch.records] == ["RJ-2026-101"]
    assert batch.errors and "max_pages=2" in batch.errors[0]


def test_sitemap_job_urls_are_checked(site: Site, gazetteer: Any) -> None:
    batch = crawl(site, gazetteer, "/bureau/notice.html", max_depth=0, sitemap="sitemap-index.xml")
    assert [r.external_id for r in batch.records] == ["RJ-2026-101"]
    assert [(r.reason, r.external_id) for r in batch.rejections] == [
        ("not_a_jobposting", site.url("/bureau/job-105.html"))]
    assert batch.errors == []  # job-106 is gone (404): nothing to report
    assert "/bureau/job-106.html" in site.paths()


def test_sitemap_from_robots_txt(site: Site, gazetteer: Any) -> None:
    site.add("/robots.txt", f"User-agent: *\nAllow: /\nSitemap: {site.url('/bureau/sitemap.xml')}\n")
    batch = crawl(site, gazetteer, "/bureau/notice.html", max_depth=0, sitemap=True)
    assert [r.external_id for r in batch.records] == ["RJ-2026-101"]


def test_factory_microdata(site: Site, gazetteer: Any) -> None:
    batch = crawl(site, gazetteer, "/factory/careers.html", max_depth=0)
    jobs = by_title(batch)
    moulder, inspector = jobs["注塑工"], jobs["质检员"]
    assert moulder.employer == "宁波北仑精工机械有限公司" and moulder.url == site.url("/factory/jobs/zs-1")
    assert (moulder.wage_min, moulder.wage_max) == (5500, 7000) and moulder.housing
    assert moulder.place_code is not None and moulder.place_code.startswith("330206")  # 北仑区
    assert moulder.valid_through.isoformat() == "2027-01-31"
    assert (inspector.wage_min, inspector.wage_max) == (5000, 6500)
    assert inspector.wage_text == "5000-6500元/月"


def test_hostile_site(site: Site, gazetteer: Any) -> None:
    site.add("/robots.txt", "User-agent: *\nDisallow: /private/\n")
    site.add("/hostile/big.html", b"<html><body>" + b"x" * (5 * MB) + b"</body></html>")
    site.add("/loop/a", status=302, headers={"Location": "/loop/b"})
    site.add("/loop/b", status=302, headers={"Location": "/loop/a"})
    batch = crawl(site, gazetteer, "/hostile/index.html", max_depth=1)
    reasons = sorted(r.reason for r in batch.rejections)
    assert reasons == ["malformed", "too_large", "too_many_redirects"]
    assert batch.errors == []  # content problems are quarantined; gone.html is a 404
    assert "/private/secret.html" not in site.paths()  # disallowed links are never fetched
    assert batch.fetched == len(batch.records) + len(batch.rejections) + batch.duplicates
    jobs = {r.external_id: r for r in batch.records}
    assert set(jobs) == {"OK-2", "XSS-1", "GBK-1"}
    assert (jobs["OK-2"].wage_min, jobs["OK-2"].wage_max) == (7280, 7800)
    assert jobs["GBK-1"].title == "厨师(喆记川菜)" and jobs["GBK-1"].employer == "岷县洮河饭店"
    broken = next(r for r in batch.rejections if r.reason == "malformed")
    assert '"title": "焊工"' in broken.excerpt and "JSON-LD does not parse" in broken.detail


def test_xss_never_reaches_a_record(site: Site, gazetteer: Any) -> None:
    batch = crawl(site, gazetteer, "/hostile/xss.html", max_depth=0)
    (record,) = batch.records
    text = " ".join(str(v) for v in (record.title, record.description, record.employer, record.place_text,
                                     record.wage_text, record.url))
    assert not re.search(r"<[A-Za-z/!?]", text) and "javascript:" not in text
    assert "alert" not in text and "onerror" not in text and "cookie" not in text
    assert record.title == "叉车司机" and record.employer == "广州顺捷物流有限公司"
    assert record.url == site.url("/hostile/xss.html") and (record.wage_min, record.wage_max) == (5000, 6500)


def test_a_failing_start_page_is_an_error(site: Site, gazetteer: Any) -> None:
    batch = crawl(site, gazetteer, "/bureau/missing.html")
    assert batch.records == [] and batch.errors and batch.errors[0].startswith("http_status")


def test_a_start_page_disallowed_by_robots_is_an_error(site: Site, gazetteer: Any) -> None:
    site.add("/robots.txt", "User-agent: *\nDisallow: /bureau/\n")
    batch = crawl(site, gazetteer, "/bureau/index.html")
    assert batch.records == [] and batch.errors[0].startswith("blocked_by_robots")


def test_a_listed_page_disallowed_by_robots_is_quarantined(site: Site, gazetteer: Any) -> None:
    site.add("/robots.txt", "User-agent: *\nDisallow: /bureau/job-101.html\n")
    batch = crawl(site, gazetteer, "/bureau/notice.html", max_depth=0, sitemap="sitemap.xml")
    assert sorted(r.reason for r in batch.rejections) == ["blocked_by_robots", "not_a_jobposting"]


def test_a_transient_failure_keeps_the_rest_and_marks_the_run_incomplete(site: Site, gazetteer: Any) -> None:
    site.add("/bureau/job-102.html", b"busy", status=503)
    batch = crawl(site, gazetteer, "/bureau/index.html", max_depth=1)
    assert {"电焊工", "茶叶包装工"} <= set(by_title(batch))
    assert len(batch.errors) == 1 and batch.errors[0].startswith("incomplete")
    assert "job-102.html: http_status (HTTP 503" in batch.errors[0]


def test_the_source_takes_an_injected_fetcher(site: Site, gazetteer: Any, fetcher: Any) -> None:
    def once_busy(handler: Handler) -> None:
        once_busy.calls += 1  # type: ignore[attr-defined]
        if once_busy.calls == 1:  # type: ignore[attr-defined]
            handler.reply(429, b"", {"Retry-After": "1"})
        else:
            page = (SITES / "bureau/job-101.html").read_bytes()
            handler.reply(200, page, {"Content-Type": "text/html"})

    once_busy.calls = 0  # type: ignore[attr-defined]
    site.routes["/bureau/busy.html"] = once_busy
    config = local_source("jsonld", site.url("/bureau/busy.html"), max_depth=0)
    batch = process_items(jsonld.fetch(config, fetcher), gazetteer, TODAY)
    assert [r.external_id for r in batch.records] == ["RJ-2026-101"]

