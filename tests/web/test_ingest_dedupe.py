"""The same job is one posting across kinds and pages of real sources (a local HTTP server):
a bureau's JSON-LD page and its RSS feed, two pages of one source, a row repeated in a sheet;
every sighting is kept, and the same employer's other jobs stay apart."""

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.jobs_ingest.localserver import serving
from web.models import Posting, PostingSource, Source
from web.services import ingest

TODAY = date(2026, 11, 28)
EMPLOYER = "遵义鸭溪服装有限公司"


@pytest.fixture
def site():
    """A real HTTP server on 127.0.0.1 serving the routes a test adds."""
    with serving() as site:
        yield site


def job_page(title, street, pay, description):
    """A bureau detail page carrying one schema.org JobPosting (no identifier: the URL is its id)."""
    posting = {
        "@context": "https://schema.org", "@type": "JobPosting", "title": title, "description": description,
        "datePosted": "2026-11-18", "validThrough": "2026-12-31", "employmentType": "FULL_TIME",
        "hiringOrganization": {"@type": "Organization", "name": EMPLOYER},
        "jobLocation": {"@type": "Place", "address": {
            "@type": "PostalAddress", "addressRegion": "贵州省", "addressLocality": "遵义市播州区",
            "streetAddress": street}},
        "baseSalary": {"@type": "MonetaryAmount", "currency": "CNY", "value": {
            "@type": "QuantitativeValue", "minValue": pay[0], "maxValue": pay[1], "unitText": "MONTH"}},
    }
    block = json.dumps(posting, ensure_ascii=False)
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
            f'<script type="application/ld+json">{block}</script></head><body><h1>{title}</h1></body></html>')


def links_page(*hrefs):
    items = "".join(f'<li><a href="{href}">岗位</a></li>' for href in hrefs)
    return f'<!doctype html><html><head><meta charset="utf-8"></head><body><ul>{items}</ul></body></html>'


WORKER = job_page("普工", "鸭溪镇工业园区3号厂房", (3500, 4500),
                  "负责服装车间流水线辅助工作，包括剪线头、整烫、包装。要求18-50岁，能适应两班倒。包住宿。")
DRIVER = job_page("叉车工", "鸭溪镇工业园区3号厂房", (4500, 5500),
                  "持叉车证，负责成品仓库装卸、转运。包住宿。")

RSS = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>播州区人社局 最新岗位</title>
<item><title>{EMPLOYER}招聘普工10名</title><guid isPermaLink="false">rss-118</guid>
<pubDate>Wed, 18 Nov 2026 09:00:00 +0800</pubDate>
<description>用人单位：{EMPLOYER}；工作地点：贵州省遵义市播州区鸭溪镇工业园区；薪资待遇：3500-4500元/月；招聘人数：10人；岗位要求：18-50岁，能适应两班倒，包住宿。</description></item>
<item><title>{EMPLOYER}招聘叉车工2名</title><guid isPermaLink="false">rss-119</guid>
<description>用人单位：{EMPLOYER}；工作地点：贵州省遵义市播州区鸭溪镇工业园区；薪资待遇：4500-5500元/月；岗位要求：持叉车证。</description></item>
<item><title>{EMPLOYER}招聘质检员2名</title><guid isPermaLink="false">rss-120</guid>
<description>用人单位：{EMPLOYER}；工作地点：贵州省遵义市播州区鸭溪镇工业园区；薪资待遇：3500-4500元/月；岗位要求：负责成衣质量检验。</description></item>
</channel></rss>"""


def serve_bureau(site):
    """The bureau's site: a list page, a second list page, the 普工 job under two URLs, 叉车工."""
    site.add("/bz/index.html", links_page("job-118.html", "job-119.html", "list-2.html"))
    site.add("/bz/list-2.html", links_page("detail.html?id=118"))
    site.add("/bz/job-118.html", WORKER)
    site.add("/bz/detail.html", WORKER)  # the same job on a second page of the same source
    site.add("/bz/job-119.html", DRIVER)
    site.add("/bz/rss.xml", RSS, headers={"Content-Type": "application/rss+xml; charset=utf-8"})


def add_source(session, name, kind, url):
    return ingest.upsert_source(session, {"name": name, "kind": kind, "url": url, "trust": "bureau",
                                          "allow_private_network": True})


def sightings_by_source(session, posting):
    rows = session.execute(select(Source.name, func.count()).join(PostingSource.source)
                           .where(PostingSource.posting_id == posting.id).group_by(Source.name))
    return dict(rows.all())


def postings_titled(session, title, employer=EMPLOYER):
    return session.scalars(select(Posting).where(Posting.title == title,
                                                 Posting.employer.has(name=employer))).all()


def test_page_and_feed_and_two_pages_are_one_posting_with_every_sighting(db_session, runtime, site):
    serve_bureau(site)
    pages = add_source(db_session, "bozhou-pages", "jsonld", site.url("/bz/index.html"))
    feed = add_source(db_session, "bozhou-rss", "feed", site.url("/bz/rss.xml"))
    first = ingest.run_source(db_session, pages, runtime.gazetteer, TODAY)
    assert (first.errors, first.new, first.duplicates) == ([], 2, 1)  # 普工 twice, 叉车工
    second = ingest.run_source(db_session, feed, runtime.gazetteer, TODAY)
    assert (second.errors, second.new, second.duplicates) == ([], 1, 2)  # only 质检员 is new

    [worker] = postings_titled(db_session, "普工")
    assert sightings_by_source(db_session, worker) == {"bozhou-pages": 2, "bozhou-rss": 1}
    assert worker.place_text == "贵州省 遵义市播州区 鸭溪镇工业园区3号厂房"  # the first bureau's fields
    [driver] = postings_titled(db_session, "叉车工")
    assert sightings_by_source(db_session, driver) == {"bozhou-pages": 1, "bozhou-rss": 1}
    assert driver.id != worker.id  # the same employer's other job stays apart
    inspector = db_session.scalar(select(PostingSource).where(PostingSource.external_id == "rss-120"))
    assert inspector.posting_id not in (worker.id, driver.id)

    again = [ingest.run_source(db_session, s, runtime.gazetteer, TODAY) for s in (pages, feed)]
    assert [(r.new, r.duplicates, r.unchanged) for r in again] == [(0, 0, 3), (0, 0, 3)]
    assert db_session.scalar(select(func.count()).select_from(Posting)
                             .where(Posting.employer.has(name=EMPLOYER))) == 3


def test_the_feed_first_then_the_pages_gives_the_same_postings(db_session, runtime, site):
    serve_bureau(site)
    feed = add_source(db_session, "bozhou-rss", "feed", site.url("/bz/rss.xml"))
    pages = add_source(db_session, "bozhou-pages", "jsonld", site.url("/bz/index.html"))
    assert ingest.run_source(db_session, feed, runtime.gazetteer, TODAY).new == 3
    run = ingest.run_source(db_session, pages, runtime.gazetteer, TODAY)
    assert (run.new, run.duplicates) == (0, 3)
    worker = db_session.scalar(select(PostingSource).where(PostingSource.external_id == "rss-118")).posting
    assert sightings_by_source(db_session, worker) == {"bozhou-pages": 2, "bozhou-rss": 1}


SHEET = """岗位名称,用人单位,工作地点,薪资待遇,岗位要求
缝纫工,湄潭县茶乡服饰有限公司,遵义市湄潭县湄江街道,3500-5000,熟练使用平车，计件
质检员,湄潭县茶乡服饰有限公司,遵义市湄潭县湄江街道,3000-3500,成衣检验
缝纫工,湄潭县茶乡服饰有限公司,遵义市湄潭县湄江街道,3500-5000,熟练使用平车，计件
缝纫工,湄潭县茶乡服饰有限公司,遵义市湄潭县湄江街道,6000-7000,熟练使用平车，计件，夜班
"""


def test_a_row_repeated_in_a_sheet_is_one_posting(db_session, runtime, site):
    site.add("/bz/jobs.csv", SHEET, headers={"Content-Type": "text/csv; charset=utf-8"})
    sheet = add_source(db_session, "meitan-sheet", "sheet", site.url("/bz/jobs.csv"))
    run = ingest.run_source(db_session, sheet, runtime.gazetteer, TODAY)
    assert (run.errors, run.new, run.duplicates) == ([], 3, 1)
    sewers = postings_titled(db_session, "缝纫工", "湄潭县茶乡服饰有限公司")
    # The repeat joins the first row; the same title at clearly different pay is another job.
    assert sorted((p.wage_min, len(p.sightings)) for p in sewers) == [(3500, 2), (6000, 1)]
    rerun = ingest.run_source(db_session, sheet, runtime.gazetteer, TODAY)
    assert (rerun.new, rerun.duplicates, rerun.unchanged) == (0, 0, 4)
