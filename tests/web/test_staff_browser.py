"""Staff flows in Debian's Chromium, as the demo accounts: a bureau posts a vacancy, imports a
spreadsheet, reviews candidates, registers a walk-in worker and marks a priority household; a
collaboration office opens its dashboard."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from tests.web.browser import needs_chromium, shot
from web.extensions import db
from web.models import AuditEntry, HouseholdMark, Posting, Worker
from web.services.demo import DEMO_PASSWORD

pytestmark = needs_chromium
DESK = {"width": 1280, "height": 900}
SHEET = ("岗位名称,用人单位,工作地点,薪资待遇,招聘人数,截止日期,岗位要求\n"
         "钢筋工（浏览器导入）,榕江县建工集团,榕江县古州镇,月薪5000-7000元,5,2027-01-31,会绑扎钢筋\n"
         ",没有岗位名称的行,榕江县,面议,1,,\n").encode("gbk")


@pytest.fixture
def page(browser: Any) -> Any:
    context = browser.new_context(viewport=DESK, locale="zh-CN")
    yield context.new_page()
    context.close()


def log_in(page: Any, base_url: str, phone: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def count(model: Any, *where: Any) -> int:
    return db.session.scalar(select(func.count(model.id)).where(*where)) or 0


def test_bureau_posts_imports_reviews_registers_and_marks(app: Any, page: Any, base_url: str) -> None:
    log_in(page, base_url, "19900000001")
    page.goto(base_url + "/bureau/")
    shot(page, "bureau-home")
    page.goto(base_url + "/bureau/vacancies/new")
    page.get_by_label("岗位名称").fill("电焊工（浏览器发布）")
    page.get_by_label("用人单位").fill("榕江县钢构厂")
    page.get_by_label("工作地点（本县，写到乡镇更好）").fill("榕江县古州镇")
    page.get_by_label("月薪（元").fill("5千-7千")  # as a clerk writes it: the upload's parser reads it
    page.get_by_label("包住").check()
    page.get_by_role("button", name="发布").click()
    page.wait_for_load_state()
    assert not page.get_by_role("alert").all_inner_texts(), page.url
    with app.app_context():
        posting = db.session.scalar(select(Posting).where(Posting.title.contains("浏览器发布")))
        assert posting is not None and posting.source.trust == "bureau" and posting.housing
        assert (posting.wage_min, posting.wage_max) == (5000, 7000)
        posting_id = posting.id

    page.goto(f"{base_url}/bureau/vacancies/{posting_id}/candidates")
    shot(page, "bureau-candidates")
    assert "浏览器发布" in page.locator("h1").inner_text()
    assert page.get_by_text("重点户").first.is_visible()  # 杨师傅, a 脱贫户 welder in 榕江, is raised

    page.goto(base_url + "/bureau/import")
    page.get_by_label("选择文件（XLSX、XLS 或 CSV，最大 5 MB）").set_input_files(
        {"name": "岗位.csv", "mimeType": "text/csv", "buffer": SHEET})
    page.get_by_role("button", name="导入", exact=True).click()
    page.wait_for_load_state()
    assert "/bureau/import/jobs/" in page.url  # the upload is a job: its page refreshes itself
    assert page.locator('meta[http-equiv="refresh"]').count() == 1
    from web.scheduler import run_import_jobs

    assert run_import_jobs(app) == 1  # what the scheduler's poll does every few seconds
    page.reload()
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    shot(page, "bureau-import")
    assert page.locator("tr.outcome-new").count() == 1 and page.locator("tr.outcome-rejected").count() == 1

    page.goto(base_url + "/bureau/workers/new")
    page.get_by_label("姓名").fill("龙浏览")
    page.get_by_label("会做什么（用本人的话）").fill("会踩缝纫机，在服装厂干过")
    page.get_by_label("家在哪里（本县，写到乡镇）").fill("榕江县古州镇")
    page.get_by_label("村/组").fill("高文村")
    page.get_by_label("已向本人说明资料的用途，本人同意登记").check()
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    with app.app_context():
        worker = db.session.scalar(select(Worker).where(Worker.name == "龙浏览"))
        assert worker is not None and worker.consent_method in ("written", "verbal")
        assert worker.registered_by_id is not None
        worker_id = worker.id

    page.goto(f"{base_url}/bureau/workers/{worker_id}/household")
    page.get_by_label("重点户类别").select_option("jiance")
    page.get_by_role("button", name="保存标记").click()
    page.wait_for_load_state()
    shot(page, "bureau-household")
    with app.app_context():
        mark = select(HouseholdMark.kind).where(HouseholdMark.worker_id == worker_id)
        assert db.session.scalar(mark) == "jiance"
        about = AuditEntry.object_id == worker_id
        assert count(AuditEntry, about, AuditEntry.action == "household.set") == 1
        assert count(AuditEntry, about, AuditEntry.action == "household.view") >= 1


def test_collaboration_office_dashboard(page: Any, base_url: str) -> None:
    page.route("**/appmaptile**", lambda route: route.abort())  # no tiles here: the map still works
    log_in(page, base_url, "19900000002")
    page.goto(base_url + "/collab/supply")
    page.wait_for_load_state("networkidle")
    shot(page, "collab-supply")
    assert page.locator("table").count() >= 2
    assert page.locator("canvas").count() >= 1
    page.wait_for_selector(".leaflet-marker-icon")  # the western and eastern counties on a map
    assert page.locator(".leaflet-marker-icon").count() == page.locator("#supply-map-list li").count()
    page.goto(base_url + "/collab/funnel")
    shot(page, "collab-funnel")
    assert page.locator("table").count() >= 1
    page.goto(base_url + "/bureau/")  # an office is not a bureau
    assert "403" in page.content()
