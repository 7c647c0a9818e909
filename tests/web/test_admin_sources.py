"""Admin sources pages (issue #14): add, edit and try a source, see its runs; the changes reach the
scheduler at its next sync. "Try it" fetches from a real local HTTP server and stores nothing."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.jobs_ingest.localserver import Site, serving
from tests.web.staff import csrf_token, log_in
from web.models import AuditEntry, Employer, IngestRun, Posting, PostingSource, QuarantinedRecord, Source
from web.scheduler import build_scheduler, sync_source_jobs
from web.services import ingest

TABLES = (Source, Posting, PostingSource, QuarantinedRecord, IngestRun, Employer)


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    """The ingestion tests' fixture sites on a real loopback server."""
    with serving() as served:
        yield served


@pytest.fixture
def admin(client: Any, staff_world: Any) -> Any:
    log_in(client, staff_world.users["admin"])
    return client


def counts(session: Any) -> list[int]:
    return [session.scalar(select(func.count(model.id))) for model in TABLES]


def fresh(session: Any, source_id: int) -> Source:
    """The source as stored now (requests use sessions of their own)."""
    session.expire_all()
    return session.get(Source, source_id)


def sheet_source(session: Any, site: Site) -> int:
    """A bureau's CSV on the local server (loopback allowed, as only the CLI can set); its id."""
    source = ingest.upsert_source(session, {"name": "county-sheet", "kind": "sheet", "trust": "bureau",
                                            "url": site.url("/sheets/jobs-utf8.csv"),
                                            "allow_private_network": True, "schedule": "interval:6h"})
    session.commit()
    return source.id


FORM = {"name": "rongjiang-api", "kind": "api", "url": "https://jobs.example.gov.cn/api/list",
        "trust": "bureau", "schedule": "interval:6h", "public_name": "榕江县人社局", "html": "",
        "mapping": "items = data.list\ntitle = jobName\n# a comment\npay = salary",
        "options": "max_pages = 20"}


def test_add_a_source_checks_every_field_in_plain_words(admin: Any, db_session: Any) -> None:
    page = admin.get("/admin/sources/new").get_data(as_text=True)
    assert 'value="api"' in page and 'value="sheet"' in page and "试运行（不保存）" in page
    token = csrf_token(admin, "/admin/sources/new")
    before = counts(db_session)
    bad = dict(FORM, csrf_token=token, action="save", url="ftp://x", schedule="daily",
               mapping="titel = jobName", options="max_page = 20\nthis line has no equals sign")
    response = admin.post("/admin/sources/new", data=bad)
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "不认识的设置项“titel”。是不是想写“title”？" in text
    assert "不认识的设置项“max_page”。是不是想写“max_pages”？" in text
    assert "第2行不是“名称 = 值”的写法。" in text
    assert "interval:6h（每6小时）" in text and "请填写以 http:// 或 https:// 开头的网址。" in text
    assert counts(db_session) == before
    english = html.unescape(admin.post("/admin/sources/new?lang=en", data=bad).get_data(as_text=True))
    assert 'Unknown setting "titel". Did you mean "title"?' in english


def test_the_settings_box_cannot_open_the_private_network_or_a_local_file(admin: Any,
                                                                         db_session: Any) -> None:
    token = csrf_token(admin, "/admin/sources/new")
    before = counts(db_session)
    for line in ("allow_private_network = true", "path = \"/etc\"", "name = \"other\""):
        for action in ("save", "try"):
            response = admin.post("/admin/sources/new", data=dict(FORM, csrf_token=token, action=action,
                                                                  options=line))
            key = line.split(" ", 1)[0]
            assert response.status_code == 400, (line, action)
            assert f"“{key}”不能在这里设置。" in response.get_data(as_text=True)
    assert counts(db_session) == before


def test_a_saved_source_is_registered_audited_and_scheduled_within_a_sync(app: Any, admin: Any,
                                                                           db_session: Any) -> None:
    scheduler = build_scheduler(app)
    token = csrf_token(admin, "/admin/sources/new")
    response = admin.post("/admin/sources/new", data=dict(FORM, csrf_token=token, action="save"))
    assert response.status_code == 302
    source = db_session.scalar(select(Source).where(Source.name == "rongjiang-api"))
    assert response.location.endswith(f"/admin/sources/{source.id}")
    assert (source.kind, source.location, source.trust, source.schedule, source.public_name) == (
        "api", FORM["url"], "bureau", "interval:6h", "榕江县人社局")
    assert source.options == {"mapping": {"items": "data.list", "title": "jobName", "pay": "salary"},
                              "max_pages": 20}
    assert source.allow_private_network is False and source.enabled is True
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "admin.sources",
                                                       AuditEntry.object_id == source.id))
    assert entry.detail["op"] == "create"
    assert sync_source_jobs(scheduler, app)["added"] == ["rongjiang-api"]

    again = admin.post("/admin/sources/new", data=dict(FORM, csrf_token=token, action="save"))
    assert again.status_code == 400 and "这个名称已经有了" in again.get_data(as_text=True)


def test_edit_keeps_the_name_and_loopback_permission_and_reschedules(app: Any, admin: Any, db_session: Any,
                                                                      site: Site) -> None:
    source_id = sheet_source(db_session, site)
    scheduler = build_scheduler(app)
    form = admin.get(f"/admin/sources/{source_id}/edit").get_data(as_text=True)
    assert site.url("/sheets/jobs-utf8.csv") in form and "interval:6h" in form
    token = csrf_token(admin, f"/admin/sources/{source_id}/edit")
    data = {"csrf_token": token, "action": "save", "name": "renamed", "kind": "sheet",
            "url": site.url("/sheets/jobs-utf8.csv"), "trust": "employer", "schedule": "interval:2h",
            "public_name": "", "html": "", "mapping": "", "options": "close_after_missed_runs = 5"}
    assert admin.post(f"/admin/sources/{source_id}/edit", data=data).status_code == 302
    source = fresh(db_session, source_id)
    assert (source.name, source.trust, source.schedule) == ("county-sheet", "employer", "interval:2h")
    assert source.options == {"close_after_missed_runs": 5} and source.allow_private_network is True
    again = admin.get(f"/admin/sources/{source_id}/edit").get_data(as_text=True)
    assert "close_after_missed_runs = 5" in again
    assert sync_source_jobs(scheduler, app)["rescheduled"] == ["county-sheet"]


def test_an_edit_that_points_a_loopback_source_elsewhere_loses_the_permission(admin: Any, db_session: Any,
                                                                               site: Site) -> None:
    """The operator allowed one private address; a form moving the source to another host or
    kind (127.0.0.1:5432, a metadata address) neither tries nor saves it with the guard off."""
    source_id = sheet_source(db_session, site)
    token = csrf_token(admin, f"/admin/sources/{source_id}/edit")
    data = {"csrf_token": token, "name": "county-sheet", "kind": "sheet", "trust": "employer",
            "schedule": "interval:6h", "public_name": "", "html": "", "mapping": "", "options": ""}
    elsewhere = "http://127.0.0.1:5432/jobs.csv"
    tried = admin.post(f"/admin/sources/{source_id}/edit", data={**data, "action": "try", "url": elsewhere})
    page = tried.get_data(as_text=True)
    assert "private_address" in page and "Connection refused" not in page
    assert admin.post(f"/admin/sources/{source_id}/edit",
                      data={**data, "action": "save", "url": elsewhere}).status_code == 302
    assert fresh(db_session, source_id).allow_private_network is False
    # the same address again keeps it (tested above with the permission set by the operator)


def test_edit_takes_any_stored_name_and_refuses_a_bureaus_own_source(admin: Any, db_session: Any) -> None:
    odd = ingest.upsert_source(db_session, {"name": "县局 来源", "kind": "feed",
                                            "url": "https://x.example.cn/rss"})
    manual = ingest.upsert_source(db_session, {"name": "bureau-522632", "kind": "manual", "trust": "bureau"})
    db_session.commit()
    odd_id, manual_id = odd.id, manual.id
    token = csrf_token(admin, f"/admin/sources/{odd_id}/edit")
    data = {"csrf_token": token, "action": "save", "kind": "feed", "url": "https://x.example.cn/rss2",
            "trust": "aggregator", "schedule": "", "public_name": "", "html": "", "mapping": "",
            "options": ""}
    assert admin.post(f"/admin/sources/{odd_id}/edit", data=data).status_code == 302
    assert fresh(db_session, odd_id).location == "https://x.example.cn/rss2"
    assert admin.get(f"/admin/sources/{manual_id}/edit").status_code == 404
    page = admin.get(f"/admin/sources/{manual_id}").get_data(as_text=True)
    assert "试运行（不保存）" not in page and "修改设置" not in page


def test_try_shows_postings_and_rejections_and_stores_nothing(admin: Any, db_session: Any,
                                                               site: Site) -> None:
    source_id = sheet_source(db_session, site)
    before, cache = counts(db_session), fresh(db_session, source_id).http_cache
    token = csrf_token(admin, f"/admin/sources/{source_id}")
    response = admin.post(f"/admin/sources/{source_id}/try", data={"csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "读到 5 条：能上架 4 条，未通过 1 条" in page and "什么都没有保存" in page
    for shown in ("电焊工", "榕江县宏达钢构有限公司", "缝纫工", "月薪4500–6000元", "2027-03-31"):
        assert shown in page
    assert "缺少岗位名称" in page and "missing_title" in page
    assert counts(db_session) == before
    source = fresh(db_session, source_id)
    assert source.http_cache == cache
    assert admin.post(f"/admin/sources/{source_id}/try", data={}).status_code == 400  # no CSRF token


def test_try_from_the_form_stores_nothing_and_keeps_the_ssrf_guard(admin: Any, db_session: Any,
                                                                  site: Site) -> None:
    before = counts(db_session)
    token = csrf_token(admin, "/admin/sources/new")
    data = {"csrf_token": token, "action": "try", "name": "loopback-feed", "kind": "feed",
            "url": site.url("/feeds/rss.xml"), "trust": "aggregator", "schedule": "", "public_name": "",
            "html": "", "mapping": "", "options": ""}
    hits = len(site.hits)
    page = admin.post("/admin/sources/new", data=data).get_data(as_text=True)
    assert "试运行结果" in page and "读到 0 条" in page and "private_address" in page
    assert len(site.hits) == hits  # refused before any request left
    assert counts(db_session) == before

    # A source the operator allowed onto loopback tries its edited settings with that permission
    # while it stays the same kind at the same address, and without it once it does not.
    source_id = sheet_source(db_session, site)
    same = dict(data, kind="sheet", url=site.url("/sheets/jobs-utf8.csv"), name="county-sheet")
    page = admin.post(f"/admin/sources/{source_id}/edit", data=same).get_data(as_text=True)
    assert "试运行结果" in page and "private_address" not in page and "读到 0 条" not in page
    moved = dict(data, url=site.url("/feeds/rss.xml"), name="county-sheet")  # another kind
    page = admin.post(f"/admin/sources/{source_id}/edit", data=moved).get_data(as_text=True)
    assert "private_address" in page and "花都区物流园装卸工" not in page
    source = fresh(db_session, source_id)
    assert source.kind == "sheet" and source.allow_private_network is True
    assert counts(db_session) == [before[0] + 1, *before[1:]]


def test_detail_shows_last_runs_counts_errors_and_quarantine(admin: Any, db_session: Any, site: Site,
                                                             runtime: Any) -> None:
    source_id = sheet_source(db_session, site)
    assert "还没有运行过" in admin.get(f"/admin/sources/{source_id}").get_data(as_text=True)
    run = ingest.run_source(db_session, fresh(db_session, source_id), runtime.gazetteer, runtime_today())
    db_session.add(IngestRun(source_id=source_id, status="failed", rejected={},
                             errors=["fetch_failed: connection refused"], finished_at=run.finished_at))
    db_session.commit()
    page = admin.get(f"/admin/sources/{source_id}").get_data(as_text=True)
    assert 'id="runs"' in page and "fetch_failed: connection refused" in page
    assert f"<td>{run.fetched}</td><td>{run.new}</td>" in page and "失败" in page and "成功" in page
    assert 'id="quarantine-reasons"' in page and "缺少岗位名称" in page
    assert admin.get("/admin/sources/2147483646").status_code == 404


def test_the_switch_is_audited_and_reaches_the_scheduler(app: Any, admin: Any, db_session: Any,
                                                          site: Site) -> None:
    source_id = sheet_source(db_session, site)
    scheduler = build_scheduler(app)
    assert "ingest:county-sheet" in {j.id for j in scheduler.get_jobs()}
    token = csrf_token(admin, "/admin/sources")
    admin.post(f"/admin/sources/{source_id}/enabled", data={"csrf_token": token, "value": "off"})
    assert sync_source_jobs(scheduler, app)["removed"] == ["county-sheet"]
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "admin.sources",
                                                       AuditEntry.object_id == source_id))
    assert entry.detail["op"] == "disable"


@pytest.mark.parametrize("who", ["bureau", "collab", "seeker"])
def test_only_admins_reach_the_source_pages(client: Any, staff_world: Any, db_session: Any, who: str) -> None:
    log_in(client, staff_world.users[who])
    source = db_session.scalar(select(Source.id).where(Source.name == "demo-bureau-export"))
    for path in ("/admin/sources/new", f"/admin/sources/{source}", f"/admin/sources/{source}/edit"):
        assert client.get(path).status_code == 403, path


def runtime_today() -> Any:
    from tests.conftest import TODAY

    return TODAY


def test_an_english_try_page_shows_no_chinese_outside_what_the_source_sent(admin: Any, db_session: Any,
                                                                            site: Site) -> None:
    from tests.web.pages import cjk_outside_data, latin_outside_data

    source_id = sheet_source(db_session, site)
    token = csrf_token(admin, f"/admin/sources/{source_id}")
    english = admin.post(f"/admin/sources/{source_id}/try?lang=en", data={"csrf_token": token})
    assert "What the try found" in english.get_data(as_text=True)
    assert cjk_outside_data(english.get_data(as_text=True), []) == []
    chinese = admin.post(f"/admin/sources/{source_id}/try?lang=zh", data={"csrf_token": token})
    data = ["missing_title", "county-sheet", "sheet", "interval:6h", site.origin, "robots.txt"]
    assert latin_outside_data(chinese.get_data(as_text=True), data) == []
