"""The home form in Debian's Chromium at a phone's size: a ready-made search chip keeps the place
typed so far, and Enter in a field still runs the search typed (not the first chip)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.web.browser import needs_chromium

pytestmark = needs_chromium


def test_a_chip_keeps_the_place_typed(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    page.get_by_label("家在哪里").fill("贵州省黔东南州榕江县古州镇")
    page.get_by_label("能走多远").select_option("30")
    page.get_by_role("button", name="开挖掘机").click()
    page.wait_for_url("**/search?**")
    lead = page.locator("p.lead").inner_text()
    assert "“开挖掘机”" in lead and "榕江县" in lead and "30 公里以内" in lead
    assert page.locator("li.match").count() > 0


def test_enter_in_the_place_field_runs_the_typed_search(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    page.get_by_label("说说你会做什么").fill("会电焊")
    page.get_by_label("家在哪里").fill("榕江县")
    page.get_by_label("家在哪里").press("Enter")
    page.wait_for_url("**/search?**")
    query = parse_qs(urlparse(page.url).query)
    assert query["q"] == ["会电焊"] and "example" not in query
    assert "“会电焊”" in page.locator("p.lead").inner_text()
