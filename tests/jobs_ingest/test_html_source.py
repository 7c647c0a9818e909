"""The html kind end to end on a local site written like county 人社局 sites: a <ul> list with
dates and 下一页, detail pages with label tables, <p> lines, <dl>, bold labels and a multi-job
table, a notice without a job, a robots-disallowed page, a dead link; and a GBK site whose list
is a <table>, configured with XPath."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from jobs_ingest.pipeline import run_source
from jobs_ingest.records import BatchResult, PostingRecord
from jobs_ingest.sources import html as html_kind
from jobs_ingest.sources.html import HtmlSettings, parse_detail
from tests.jobs_ingest.localserver import SITES, TODAY, Handler, Site, local_source

RSJ = {"links": "ul.list li a", "next": "a.next"}
GBK = {"links": "//table[@class='list']//a", "next": "//a[text()='下一页']"}
ROBOTS = "User-agent: *\nDisallow: /rsj/zpxx/private/\n"
DETAIL = Path(SITES / "rsj/zpxx/202611")


def crawl(site: Site, gazetteer: Any, path: str, html: dict[str, Any], **options: Any) -> BatchResult:
    options.setdefault("retries", 0)  # failures are tested in test_fetch; no real sleeping here
    return run_source(local_source("html", site.url(path), html=html, **options), gazetteer, TODAY)


def by_title(batch: BatchResult) -> dict[str, PostingRecord]:
    return {r.title: r for r in batch.records}


def test_bureau_list_pages_and_detail_layouts(site: Site, gazetteer: Any) -> None:
    site.add("/robots.txt", ROBOTS)
    batch = crawl(site, gazetteer, "/rsj/zpxx/index.html", RSJ)
    assert batch.errors == []  # page 2's 下一页 leads back to page 1: the end, not an error
    jobs = by_title(batch)
    assert set(jobs) == {"电焊工", "普工", "厨师", "采茶工(季节工)", "包装工", "叉车司机", "钢筋工", "木工"}
    welder = jobs["电焊工"]
    assert welder.external_id == site.url("/rsj/zpxx/202611/t20261120_101.html")
    assert welder.employer == "榕江县宏达钢构有限公司" and welder.headcount == 5
    assert (welder.wage_min, welder.wage_max) == (4500, 6000)
    assert welder.place_code is not None and welder.place_code.startswith("522632")  # 榕江县
    assert welder.posted_at is not None and welder.posted_at.isoformat() == "2026-11-20"
    assert welder.valid_through is not None and welder.valid_through.isoformat() == "2027-03-31"
    assert welder.description == "持焊工证,有两年以上钢结构焊接经验;包吃住,月休4天。"
    assert welder.housing and welder.meals
    worker = jobs["普工"]  # <p> lines, a padded 地　　点, a description over numbered lines
    assert worker.external_id == site.url("/rsj/zpxx/202611/t20261119_102.html")  # utm_source dropped
    assert worker.employer == "榕江县古州镇工业园管理委员会" and worker.place_text == "榕江县古州镇工业园区"
    assert (worker.wage_min, worker.wage_max) == (3500, 4200) and worker.headcount == 20
    assert worker.description == "1. 年龄18-50周岁,身体健康;\n2. 能适应两班倒。"
    cook = jobs["厨师"]  # <dl>
    assert (cook.employer, cook.wage_min, cook.place_text) == ("榕江县车江乡侗家农家乐", 5000, "榕江县车江乡")
    picker = jobs["采茶工(季节工)"]  # <strong> labels without colons, 【工作地点】
    assert picker.employer == "雷山县银球茶业有限公司" and (picker.wage_min, picker.wage_max) == (3900, 3900)
    assert picker.place_code is not None and picker.place_code.startswith("522634")  # 雷山县
    packer, driver = jobs["包装工"], jobs["叉车司机"]  # one page, a table of two jobs
    assert packer.employer == driver.employer == "榕江县丰泽食品有限公司"
    assert (driver.wage_min, driver.wage_max) == (5000, 5500) and packer.headcount == 10
    assert packer.external_id != driver.external_id and packer.url is driver.url is None
    assert packer.external_id.startswith(site.url("/rsj/zpxx/202611/t20261112_107.html#"))
    rebar, carpenter = jobs["钢筋工"], jobs["木工"]  # one page, "一、岗位名称：… 二、岗位名称：…"
    assert rebar.employer == carpenter.employer == "榕江县三江建筑劳务有限公司"
    assert (rebar.headcount, rebar.wage_min, carpenter.wage_min) == (6, 7280, 7800)
    assert carpenter.place_text == "榕江县栽麻镇" and rebar.place_text == ""  # said after 木工 only


def test_no_phone_number_and_no_footer_address_reaches_a_record(site: Site, gazetteer: Any) -> None:
    batch = crawl(site, gazetteer, "/rsj/zpxx/index.html", RSJ)
    for record in batch.records:
        text = " ".join(str(v) for v in (record.title, record.description, record.employer,
                                         record.place_text))
        assert "1380000" not in text and "0855-66" not in text and "环城北路" not in text


def test_every_detail_page_ends_as_a_record_or_a_reason(site: Site, gazetteer: Any) -> None:
    site.add("/robots.txt", ROBOTS)
    batch = crawl(site, gazetteer, "/rsj/zpxx/index.html", RSJ)
    reasons = {r.external_id: (r.reason, r.detail) for r in batch.rejections}
    notice = reasons[site.url("/rsj/zpxx/202611/t20261116_105.html")]
    assert notice[0] == "missing_title" and "no 岗位名称" in notice[1]
    assert reasons[site.url("/rsj/zpxx/private/t20261115_106.html")][0] == "blocked_by_robots"
    dead = reasons[site.url("/rsj/zpxx/202611/t20261111_108.html")]
    assert dead[0] == "http_status" and "404" in dead[1]
    assert len(reasons) == 3
    assert batch.fetched == len(batch.records) + len(batch.rejections) + batch.duplicates
    notice_excerpt = next(r.excerpt for r in batch.rejections if r.reason == "missing_title")
    assert "春风行动" in notice_excerpt  # the page's text is kept for the admin


def test_requests_stay_on_the_site_and_each_page_is_fetched_once(site: Site, gazetteer: Any) -> None:
    site.add("/robots.txt", ROBOTS)
    crawl(site, gazetteer, "/rsj/zpxx/index.html", RSJ)
    paths = [p.split("?")[0] for p in site.paths()]
    assert "/rsj/zpxx/private/t20261115_106.html" not in paths  # disallowed: never fetched
    assert paths.count("/rsj/zpxx/202611/t20261120_101.html") == 1  # linked three times
    assert paths.count("/rsj/zpxx/index.html") == 1 and paths.count("/rsj/zpxx/index_1.html") == 1
    assert not any("ad.html" in p or "javascript" in p for p in paths)
    assert paths.index("/rsj/zpxx/202611/t20261117_104.html") < paths.index("/rsj/zpxx/index_1.html")


def test_gbk_site_with_a_table_list_and_xpath(site: Site, gazetteer: Any) -> None:
    batch = crawl(site, gazetteer, "/rsj-gbk/list.gbk.html", GBK)
    assert batch.errors == [] and batch.rejections == []
    jobs = by_title(batch)
    assert set(jobs) == {"厨师(喆记川菜)", "分拣工", "搬运工"}
    cook = jobs["厨师(喆记川菜)"]
    assert cook.employer == "岷县洮河饭店" and (cook.wage_min, cook.wage_max) == (6000, 8000)
    assert cook.place_code is not None and cook.place_code.startswith("621126")  # 岷县
    assert cook.description == "负责川菜热菜制作,能独立掌勺。" and cook.headcount == 2
    porter = jobs["搬运工"]
    assert porter.employer == "岷县顺达物流" and (porter.wage_min, porter.wage_max) == (5200, 5200)
    assert porter.external_id == site.url("/rsj-gbk/job-203.gbk.html")


def test_the_page_limit_ends_the_run_with_an_error(site: Site, gazetteer: Any) -> None:
    batch = crawl(site, gazetteer, "/rsj/zpxx/index.html", {**RSJ, "max_pages": 1})
    assert "包装工" not in by_title(batch) and "电焊工" in by_title(batch)
    assert len(batch.errors) == 1 and "max_pages=1" in batch.errors[0] and "index_1.html" in batch.errors[0]
    assert "/rsj/zpxx/index_1.html" not in site.paths()


def test_max_items_stops_a_trial_run_early(site: Site, gazetteer: Any) -> None:
    batch = crawl(site, gazetteer, "/rsj/zpxx/index.html", RSJ, max_items=2)
    assert [r.title for r in batch.records] == ["电焊工", "普工"]
    assert batch.errors == ["incomplete: stopped after max_items=2 detail pages"]
    assert "/rsj/zpxx/202611/t20261118_103.html" not in site.paths()


def test_a_failing_list_page_is_a_run_error(site: Site, gazetteer: Any) -> None:
    batch = crawl(site, gazetteer, "/rsj/zpxx/missing.html", RSJ)
    assert batch.records == [] and batch.errors[0].startswith("http_status")
    site.add("/robots.txt", "User-agent: *\nDisallow: /rsj/\n")
    batch = crawl(site, gazetteer, "/rsj/zpxx/index.html", RSJ)
    assert batch.records == [] and batch.errors[0].startswith("blocked_by_robots")


def test_a_links_selector_that_matches_nothing_is_a_run_error(site: Site, gazetteer: Any) -> None:
    batch = crawl(site, gazetteer, "/rsj/zpxx/index.html", {"links": "table.list a"})
    assert batch.records == [] and len(batch.errors) == 1
    error = batch.errors[0]
    assert error.startswith("no_links: list page") and "'table.list a' matched nothing" in error


def test_a_later_list_page_failing_keeps_what_came_before(site: Site, gazetteer: Any) -> None:
    site.add("/rsj/zpxx/index_1.html", b"busy", status=503)
    batch = crawl(site, gazetteer, "/rsj/zpxx/index.html", RSJ)
    assert "电焊工" in by_title(batch) and "包装工" not in by_title(batch)
    assert len(batch.errors) == 1 and "list page" in batch.errors[0] and "503" in batch.errors[0]


def test_a_transient_detail_failure_marks_the_run_incomplete(site: Site, gazetteer: Any) -> None:
    site.add("/rsj/zpxx/202611/t20261118_103.html", b"busy", status=503)
    batch = crawl(site, gazetteer, "/rsj/zpxx/index.html", RSJ)
    assert "厨师" not in by_title(batch) and {"电焊工", "包装工"} <= set(by_title(batch))
    assert len(batch.errors) == 1 and batch.errors[0].startswith("incomplete")
    assert "t20261118_103.html: http_status" in batch.errors[0]


@pytest.mark.parametrize(("html", "words"), [
    (None, "[source.html] table"),
    ({"next": "a.next"}, "needs `links`"),
    ({"links": "a", "titel": "h1"}, "unknown keys in [source.html]: titel"),
    ({"links": "ul li a["}, "links = 'ul li a[' is not a valid selector"),
    ({"links": "a", "pay": "//td[@class='pay'"}, "pay = "),
    ({"links": "a", "max_pages": 0}, "max_pages must be a whole number"),
    ({"links": "a", "pages": "index_2.html"}, "pages must be an address with {n}"),
])
def test_a_bad_configuration_is_a_clear_run_error(site: Site, gazetteer: Any, html: Any, words: str) -> None:
    options: dict[str, Any] = {"retries": 0} if html is None else {"retries": 0, "html": html}
    batch = run_source(local_source("html", site.url("/rsj/zpxx/index.html"), **options), gazetteer, TODAY)
    assert batch.records == [] and len(batch.errors) == 1
    assert batch.errors[0].startswith("config: ") and words in batch.errors[0]
    assert site.paths() == []  # nothing fetched with a broken configuration


def test_links_resolve_against_base_href_and_stay_on_the_host(site: Site, gazetteer: Any) -> None:
    port = site.origin.rsplit(":", 1)[1]
    site.add("/list/base.html", f"""<html><head><base href="/rsj/zpxx/202611/"></head><body><ul class="list">
        <li><a href="t20261118_103.html">厨师</a></li>
        <li><a href="http://localhost:{port}/rsj/zpxx/202611/t20261119_102.html">普工（另一主机名）</a></li>
        </ul></body></html>""")
    batch = crawl(site, gazetteer, "/list/base.html", {"links": "ul.list a"})
    assert [r.title for r in batch.records] == ["厨师"]
    wider = crawl(site, gazetteer, "/list/base.html", {"links": "ul.list a", "same_host": False})
    assert [r.title for r in wider.records] == ["厨师", "普工"]


def test_field_selectors_win_over_labels() -> None:
    page = (DETAIL / "t20261120_101.html").read_text(encoding="utf-8")
    settings = HtmlSettings.from_options({"html": {
        "links": "a", "title": "h1::text", "employer": "//table[@class='job']//tr[2]/td",
        "description": "table.job tr:last-child td", "posted": "div.info"}})
    (item,) = parse_detail(page, "http://bureau.example/a/101.html?utm_medium=x", settings)
    fields = item.fields
    assert fields["title"] == "榕江县宏达钢构有限公司招聘电焊工"
    assert fields["employer"] == "榕江县宏达钢构有限公司"
    assert fields["description"] == "持焊工证,有两年以上钢结构焊接经验;包吃住,月休4天。"
    assert fields["pay_text"] == "4500-6000元/月"  # no selector: from the labels
    assert fields["posted_text"].startswith("2026-11-20")  # "发布时间：" stripped from the selected text
    assert fields["external_id"] == "http://bureau.example/a/101.html"


def test_xpath_field_selectors_may_return_strings() -> None:
    settings = HtmlSettings.from_options({"html": {"links": "a", "title": "(string(//h1))",
                                                   "employer": "//p[@class='co']/text()"}})
    (item,) = parse_detail("<h1> 电工 </h1><p class='co'>宏达</p>", "http://bureau.example/1.html", settings)
    assert (item.fields["title"], item.fields["employer"]) == ("电工", "宏达")


def test_a_title_selector_that_matches_nothing_is_a_clear_rejection() -> None:
    page = (DETAIL / "t20261120_101.html").read_text(encoding="utf-8")
    settings = HtmlSettings.from_options({"html": {"links": "a", "title": "h3.job-title"}})
    (item,) = parse_detail(page, "http://bureau.example/a/101.html", settings)
    assert item.rejection == "missing_title" and "h3.job-title" in item.detail
    content = HtmlSettings.from_options({"html": {"links": "a", "content": "div.no-such"}})
    (item,) = parse_detail(page, "http://bureau.example/a/101.html", content)
    assert item.rejection == "missing_title" and "div.no-such" in item.detail


def test_the_content_selector_narrows_the_page() -> None:
    page = ("<html><body><div class='main'><p>岗位：普工</p></div>"
            "<div class='x'><p>工资：9999元</p></div></body></html>")
    settings = HtmlSettings.from_options({"html": {"links": "a", "content": "div.main"}})
    (item,) = parse_detail(page, "http://bureau.example/1.html", settings)
    assert item.fields["title"] == "普工" and "pay_text" not in item.fields


def test_rows_of_a_multi_job_page_keep_their_ids_when_reordered() -> None:
    page = (DETAIL / "t20261112_107.html").read_text(encoding="utf-8")
    start, end = page.index("<tr><td>包装工"), page.index("</table>")
    first, second = page[start:end].strip().split("\n")
    swapped = page[:start] + second + "\n" + first + page[end:]
    settings = HtmlSettings(links="a")
    ids = {i.fields["title"]: i.fields["external_id"]
           for i in parse_detail(page, "http://b.example/7.html", settings)}
    again = {i.fields["title"]: i.fields["external_id"]
             for i in parse_detail(swapped, "http://b.example/7.html", settings)}
    assert ids == again and len(set(ids.values())) == 2


def test_hostile_detail_pages(site: Site, gazetteer: Any) -> None:
    site.add("/h/list.html", '<ul class="list"><li><a href="xss.html">1</a></li>'
                             '<li><a href="big.html">2</a></li><li><a href="bidi.html">3</a></li></ul>')
    site.add("/h/xss.html", """<html><body><table>
        <tr><td>岗位名称</td>
            <td><img src=x onerror=alert(1)>叉车司机<script>alert(document.cookie)</script></td></tr>
        <tr><td>用人单位</td>
            <td>&lt;script&gt;alert(1)&lt;/script&gt;广州顺捷物流有限公司</td></tr>
        <tr><td>岗位要求</td>
            <td><a href="javascript:alert(1)">持证</a><iframe src="//evil.example"></iframe></td></tr>
        </table></body></html>""")
    site.add("/h/big.html", "<html><body><p>岗位：x</p>".encode() + b"x" * (5 * 1024 * 1024))
    site.add("/h/bidi.html", "<p>岗位名称：高薪\u202egpj.exe</p><p>工资：4000元</p>")
    batch = crawl(site, gazetteer, "/h/list.html", {"links": "ul.list a"})
    assert batch.errors == [] and [r.reason for r in batch.rejections] == ["too_large"]
    jobs = {r.external_id.rsplit("/", 1)[1]: r for r in batch.records}
    xss, bidi = jobs["xss.html"], jobs["bidi.html"]
    text = " ".join(str(v) for v in (xss.title, xss.description, xss.employer))
    assert "<" not in text and "alert" not in text and "javascript" not in text and "evil" not in text
    assert (xss.title, xss.description) == ("叉车司机", "持证")
    assert "\u202e" not in bidi.title and bidi.wage_min == 4000


def test_the_readme_examples_are_valid_configurations() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in readme.split("```toml\n")[1:]]
    sources = [s for b in blocks for s in tomllib.loads(b).get("source", []) if s.get("kind") == "html"]
    assert [s["name"] for s in sources] == ["rongjiang-rsj", "minxian-rsj"]
    for source in sources:
        settings = HtmlSettings.from_options({"html": source["html"]})
        assert settings.links and settings.next


def test_a_rerun_with_the_http_cache_reads_unchanged_pages_from_it(site: Site, gazetteer: Any) -> None:
    pages = {"/c/list.html": '<ul class="list"><li><a href="1.html">1</a></li></ul>',
             "/c/1.html": "<p>岗位名称：电工</p><p>工资：5000元</p>"}

    def conditional(handler: Handler) -> None:
        path = handler.path
        if handler.headers.get("If-None-Match") == '"v1"':
            handler.reply(304, b"", {"ETag": '"v1"'})
            return
        handler.reply(200, pages[path].encode(), {"Content-Type": "text/html; charset=utf-8", "ETag": '"v1"'})

    for path in pages:
        site.routes[path] = conditional
    config = replace(local_source("html", site.url("/c/list.html"), html={"links": "ul.list a"}, retries=0),
                     http_cache={})
    first = run_source(config, gazetteer, TODAY)
    assert config.http_cache == {}  # the state comes back in the batch; the store keeps it
    second = run_source(replace(config, http_cache=first.http_cache), gazetteer, TODAY)
    assert [r.title for r in first.records] == [r.title for r in second.records] == ["电工"]
    assert second.records[0].wage_min == 5000 and second.errors == []
    statuses = [h.get("if-none-match") for p, h in site.hits if p.startswith("/c/")]
    assert statuses == [None, None, '"v1"', '"v1"']  # the second run asked, and got 304s


@pytest.mark.parametrize("links", ["ul.list li", "ul.list li a::attr(href)", "//ul[@class='list']/li/a/@href",
                                   "(//ul[@class='list']//a)"])
def test_links_may_select_items_attributes_or_xpath(site: Site, gazetteer: Any, links: str) -> None:
    site.add("/robots.txt", ROBOTS)
    batch = crawl(site, gazetteer, "/rsj/zpxx/index.html", {"links": links, "max_pages": 1})
    assert {"电焊工", "普工", "厨师", "采茶工(季节工)"} == set(by_title(batch))


def test_a_page_the_parser_cannot_read_is_quarantined_not_fatal(site: Site, gazetteer: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    real = html_kind.parse_detail

    def fragile(text: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if url.endswith("t20261118_103.html"):
            raise ValueError("lxml gave up")
        return real(text, url, *args, **kwargs)

    monkeypatch.setattr(html_kind, "parse_detail", fragile)
    batch = crawl(site, gazetteer, "/rsj/zpxx/index.html", {**RSJ, "max_pages": 1})
    (odd,) = [r for r in batch.rejections if r.reason == "malformed"]
    assert odd.external_id == site.url("/rsj/zpxx/202611/t20261118_103.html") and "lxml gave up" in odd.detail
    assert {"电焊工", "普工", "采茶工(季节工)"} <= set(by_title(batch))


def test_a_list_page_that_redirects_to_another_host_name_is_followed(site: Site, gazetteer: Any) -> None:
    port = site.origin.rsplit(":", 1)[1]
    site.add("/moved/list.html", status=301,
             headers={"Location": f"http://localhost:{port}/rsj/zpxx/index.html"})
    batch = crawl(site, gazetteer, "/moved/list.html", {**RSJ, "max_pages": 1})
    assert "电焊工" in by_title(batch)  # the links live on localhost now, where the list went


def test_links_that_all_lead_off_the_site_are_a_run_error(site: Site, gazetteer: Any) -> None:
    site.add("/off/list.html", '<ul class="list"><li><a href="http://jobs.example.com/1.html">x</a></li>'
                               '<li><a href="javascript:void(0)">y</a></li></ul>')
    batch = crawl(site, gazetteer, "/off/list.html", {"links": "ul.list a"})
    assert batch.records == [] and batch.errors[0].startswith("no_links")
    assert "none of the 2 links" in batch.errors[0]


def test_numbered_list_pages_for_a_pager_written_by_a_script(site: Site, gazetteer: Any) -> None:
    site.add("/robots.txt", ROBOTS)
    numbered = {"links": "ul.list li a", "pages": "index_{n}.html"}
    batch = crawl(site, gazetteer, "/rsj/zpxx/index.html", numbered)
    assert batch.errors == [] and {"电焊工", "包装工", "钢筋工"} <= set(by_title(batch))
    lists = [p for p in site.paths() if "/index" in p]
    assert lists == ["/rsj/zpxx/index.html", "/rsj/zpxx/index_1.html", "/rsj/zpxx/index_2.html"]  # 404: end
    site.add("/rsj/zpxx/index_1.html", b"busy", status=503)
    broken = crawl(site, gazetteer, "/rsj/zpxx/index.html", numbered)
    assert broken.errors and "503" in broken.errors[0]  # only a missing page ends the list
