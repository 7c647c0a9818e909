"""Seekers' flows in Debian's Chromium at a phone's size (390×844), against the real app:
anonymous search → sign up → consent → profile → matches → apply → status; the language switch;
delete my data; and the weight of the results page's first load."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.web.browser import PHONE, needs_chromium, shot
from web.extensions import db
from web.models import Application, User, Worker

pytestmark = needs_chromium
PASSWORD = "liulan-mima-2026"
RESULTS_BUDGET = 150 * 1024  # bytes transferred on the first load of the results page


def search(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    page.get_by_label("说说你会做什么").fill("会电焊，在工地干过三年，想在县城附近干")
    page.get_by_label("家在哪里").fill("贵州省黔东南州榕江县古州镇")
    page.get_by_role("button", name="找工作").click()
    page.wait_for_url("**/search?**")


def sign_up(app: Any, page: Any, phone: str) -> None:
    page.get_by_label("手机号").fill(phone)
    page.get_by_role("button", name="发送验证码").click()
    code = app.extensions["jiujin_notify"].last_to(phone, "verify_code").params["code"]
    shot(page, "signup-code")
    page.get_by_label("短信验证码").fill(code)
    page.get_by_label("密码（至少8位）").fill(PASSWORD)
    page.get_by_label("再输一次密码").fill(PASSWORD)
    page.get_by_role("button", name="确定").click()
    page.wait_for_url("**/consent**")


def test_search_sign_up_consent_profile_matches_apply_status(app: Any, page: Any, base_url: str) -> None:
    search(page, base_url)
    page.get_by_role("link", name="注册，保存这次搜索，有新岗位告诉我").click()
    sign_up(app, page, "13600000001")
    shot(page, "consent")
    assert page.get_by_role("heading", name="我们保存什么，为什么保存").is_visible()
    page.get_by_label("我看过了，同意").check()
    page.get_by_role("button", name="同意并继续").click()
    page.wait_for_url("**/me/profile**")
    assert page.get_by_label("说说你会做什么").input_value().startswith("会电焊")  # the search rode along
    page.get_by_role("button", name="保存").click()
    page.goto(base_url + "/me/matches")
    shot(page, "matches")
    titles = page.locator("a.title").all_inner_texts()
    assert titles and "焊" in titles[0]
    page.locator("a.title").first.click()
    shot(page, "job")
    page.get_by_role("button", name="在就近上申请").click()
    assert page.get_by_text("已申请").first.is_visible()
    page.goto(base_url + "/me/applications")
    shot(page, "applications")
    assert page.get_by_text("已提交").first.is_visible()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.phone == "13600000001"))
        applied = db.session.scalars(select(Application).join(Worker).where(Worker.user_id == user.id)).all()
        assert len(applied) == 1 and applied[0].status == "submitted" and user.consent_at is not None


def test_language_switch_and_delete_my_data(app: Any, page: Any, base_url: str) -> None:
    page.goto(base_url + "/signup")
    sign_up(app, page, "13600000002")
    page.get_by_label("我看过了，同意").check()
    page.get_by_role("button", name="同意并继续").click()
    page.goto(base_url + "/me/data")
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    shot(page, "my-data-en")
    page.get_by_role("link", name="中文").click()
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    shot(page, "my-data")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_label("我明白：删除后无法恢复").check()
    page.get_by_role("button", name="永久删除").click()
    assert page.get_by_text("你的账号和所有资料已删除").is_visible()
    with app.app_context():
        assert db.session.scalar(select(User).where(User.phone == "13600000002")) is None


LIGHT_PAGES = ("/", "/search?q=会电焊&place=榕江县&km=30", "/jobs/near?place=榕江县", "/signup",
               "/about/ranking")


def first_load_bytes(browser: Any, url: str) -> tuple[int, list[str]]:
    """Bytes transferred (bodies and headers) by a first load in a fresh browser context."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.route("**/appmaptile**", lambda route: route.abort())  # map tiles are not counted
    sizes: dict[str, int] = {}
    page.on("response", lambda r: sizes.__setitem__(r.url, len(r.body()) + sum(
        len(k) + len(v) + 4 for k, v in r.headers.items())))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    context.close()
    return sum(sizes.values()), list(sizes)


def test_pages_first_load_is_light(browser: Any, base_url: str) -> None:
    for path in (*LIGHT_PAGES, "/jobs/near?place=榕江县&view=map"):
        total, urls = first_load_bytes(browser, base_url + path)
        print(f"first load {path}: {total} bytes in {len(urls)} responses")  # noqa: T201 - the measurement
        if path in LIGHT_PAGES:
            assert total < RESULTS_BUDGET, urls
            assert not any("leaflet" in url for url in urls)  # the map library loads only with the map


def test_map_view_puts_the_listed_jobs_on_a_map(page: Any, base_url: str) -> None:
    page.route("**/appmaptile**", lambda route: route.abort())  # no tiles here: the map still works
    page.goto(base_url + "/jobs/near?place=榕江县&km=50&view=map")
    page.wait_for_selector(".leaflet-marker-icon")
    listed = page.locator("[data-lat]").count()
    assert listed and page.locator(".leaflet-marker-icon").count() == listed
    shot(page, "map")
