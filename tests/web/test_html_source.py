"""Plain-HTML bureau sites through the real CLI, pipeline and store (SQLite or PostgreSQL): the
local county sites of tests/jobs_ingest/sites/rsj and rsj-gbk, served over loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.jobs_ingest.localserver import Site, serving
from web.models import Posting, PostingSource, QuarantinedRecord, Source

SOURCES = """
[[source]]
name = "rongjiang-rsj"
kind = "html"
url = "{origin}/rsj/zpxx/index.html"
trust = "bureau"
allow_private_network = true
retries = 0

[source.html]
links = "ul.list li a"
next = "a.next"

[[source]]
name = "minxian-rsj"
kind = "html"
url = "{origin}/rsj-gbk/list.gbk.html"
trust = "bureau"
allow_private_network = true

[source.html]
links = "//table[@class='list']//a"
next = "//a[text()='下一页']"
"""


@pytest.fixture(scope="module")
def bureau_site() -> Iterator[Site]:
    """The fixture sites on a loopback server, with a robots.txt that keeps /rsj/zpxx/private/ out."""
    with serving() as site:
        site.add("/robots.txt", "User-agent: *\nDisallow: /rsj/zpxx/private/\n",
                 headers={"Content-Type": "text/plain"})
        yield site


def run_cli(app: Any, path: Any, name: str) -> dict[str, Any]:
    result = app.test_cli_runner().invoke(args=["ingest", "run", "--sources", str(path), "--only", name])
    assert result.exit_code == 0, result.output
    (line,) = result.output.strip().splitlines()
    return json.loads(line)


def postings_of(session: Any, name: str) -> dict[str, Posting]:
    rows = session.scalars(select(Posting).join(PostingSource, PostingSource.posting_id == Posting.id)
                           .join(Source, Source.id == PostingSource.source_id).where(Source.name == name))
    return {p.title: p for p in rows}


def test_a_bureau_html_site_is_stored_and_a_rerun_changes_nothing(app, db_session, tmp_path, bureau_site):
    path = tmp_path / "sources.toml"
    path.write_text(SOURCES.format(origin=bureau_site.origin), encoding="utf-8")
    first = run_cli(app, path, "rongjiang-rsj")
    assert first["errors"] == [] and first["new"] == 8 and first["fetched"] == 11
    assert first["rejected"] == {"missing_title": 1, "blocked_by_robots": 1, "http_status": 1}
    jobs = postings_of(db_session, "rongjiang-rsj")
    assert set(jobs) == {"电焊工", "普工", "厨师", "采茶工(季节工)", "包装工", "叉车司机", "钢筋工", "木工"}
    welder = jobs["电焊工"]
    assert welder.employer is not None and welder.employer.name == "榕江县宏达钢构有限公司"
    assert welder.place_text == "贵州省黔东南州榕江县古州镇" and welder.place is not None
    assert (welder.wage_min, welder.wage_max, welder.wage_text) == (4500, 6000, "4500-6000元/月")
    assert welder.url == bureau_site.url("/rsj/zpxx/202611/t20261120_101.html")
    picker = jobs["采茶工(季节工)"]
    assert picker.employer is not None and picker.employer.name == "雷山县银球茶业有限公司"
    assert (picker.wage_min, picker.wage_max) == (3900, 3900)

    source_id = db_session.scalar(select(Source.id).where(Source.name == "rongjiang-rsj"))
    quarantined = {q.reason: q for q in db_session.scalars(
        select(QuarantinedRecord).where(QuarantinedRecord.source_id == source_id))}
    assert set(quarantined) == {"missing_title", "blocked_by_robots", "http_status"}
    notice = quarantined["missing_title"]
    assert notice.external_id == bureau_site.url("/rsj/zpxx/202611/t20261116_105.html")
    assert "no 岗位名称" in notice.detail and "春风行动" in notice.raw_excerpt

    again = run_cli(app, path, "rongjiang-rsj")
    assert (again["new"], again["updated"], again["unchanged"], again["errors"]) == (0, 0, 8, [])
    assert again["rejected"] == first["rejected"]
    assert postings_of(db_session, "rongjiang-rsj").keys() == jobs.keys()
    count = db_session.scalar(select(func.count()).select_from(QuarantinedRecord)
                              .where(QuarantinedRecord.source_id == source_id))
    assert count == 3  # a rerun counts the same rejections again, it does not add rows


def test_a_gbk_bureau_site_is_stored(app, db_session, tmp_path, bureau_site):
    path = tmp_path / "sources.toml"
    path.write_text(SOURCES.format(origin=bureau_site.origin), encoding="utf-8")
    line = run_cli(app, path, "minxian-rsj")
    assert (line["new"], line["rejected"], line["errors"]) == (3, {}, [])
    jobs = postings_of(db_session, "minxian-rsj")
    cook = jobs["厨师(喆记川菜)"]
    assert cook.employer is not None and cook.employer.name == "岷县洮河饭店"
    assert cook.place_text == "甘肃省定西市岷县岷阳镇" and (cook.wage_min, cook.wage_max) == (6000, 8000)
    sorter = jobs["分拣工"]
    assert sorter.employer is not None and sorter.employer.name == "岷县陇原当归加工有限公司"
    assert sorter.wage_min == 3200 and sorter.place_text == "岷县梅川镇"
    assert run_cli(app, path, "minxian-rsj")["unchanged"] == 3
