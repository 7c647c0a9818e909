"""The key pages in a real browser: Debian's Chromium driven by Playwright, at a phone's size."""

import pytest

from tests.web.browser import PHONE, needs_chromium, shot

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def page(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    yield context.new_page()
    context.close()


def test_search_to_results_to_job_page(page, base_url):
    page.goto(base_url + "/")
    shot(page, "home")
    assert page.get_by_label("说说你会做什么").is_visible()
    page.get_by_label("说说你会做什么").fill("会电焊，在工地干过三年，想在县城附近干")
    page.get_by_label("家在哪里").fill("贵州省黔东南州榕江县古州镇")
    page.get_by_label("能走多远").select_option("20")
    page.get_by_role("button", name="找工作").click()
    page.wait_for_url("**/search?**")
    titles = page.locator("li.match a.title").all_inner_texts()
    reasons = page.locator("li.match .reason").all_inner_texts()
    assert titles and "焊" in titles[0]
    pays = page.locator("li.match .pay").all_inner_texts()  # pay once, beside the reason, not in it
    assert "电焊" in reasons[0] and "月薪" not in reasons[0] and ("月薪" in pays[0] or "面议" in pays[0])
    shot(page, "results")

    page.locator("li.match a.title").first.click()
    assert "焊" in page.locator("h1").inner_text()
    assert page.get_by_text("人社局发布").first.is_visible()


def test_unknown_place_shows_a_message_in_the_form(page, base_url):
    page.goto(base_url + "/")
    page.get_by_label("说说你会做什么").fill("开挖掘机")
    page.get_by_label("家在哪里").fill("火星基地")
    page.get_by_role("button", name="找工作").click()
    alert = page.get_by_role("alert")
    assert "找不到地点" in alert.inner_text()
    assert page.get_by_label("家在哪里").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("说说你会做什么").input_value() == "开挖掘机"  # nothing typed is lost


def test_layout_fits_a_phone(page, base_url):
    page.goto(base_url + "/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    button = page.get_by_role("button", name="找工作").bounding_box()
    assert button["height"] >= 44


def test_use_my_location_searches_from_the_browser_position(browser, base_url):
    context = browser.new_context(viewport=PHONE, permissions=["geolocation"],
                                  geolocation={"latitude": 23.13, "longitude": 113.26})  # Guangzhou
    page = context.new_page()
    page.goto(base_url + "/")
    page.get_by_label("说说你会做什么").fill("会电焊")
    page.get_by_role("button", name="使用我的位置").click()
    # Locator waits, not wait_for_function: the site's CSP forbids the eval that the latter needs.
    page.wait_for_selector("input[name=lat]:not([value=''])", state="attached")
    page.get_by_role("button", name="找工作").click()
    page.wait_for_url("**/search?**")
    places = page.locator("li.match .meta").all_inner_texts()
    assert places and all("广州" in p for p in places)
    context.close()


def test_home_field_offers_places_as_you_type(page, base_url):
    page.goto(base_url + "/")
    page.get_by_label("家在哪里").type("榕江")
    page.locator("#place-options option").first.wait_for(state="attached")
    first = page.locator("#place-options option").first
    assert first.get_attribute("value") == "贵州省黔东南苗族侗族自治州榕江县"
