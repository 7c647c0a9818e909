"""Who published a job reads the same on every card and list: "来源：X · 人社局发布", each label
once, with separators; the demo source's public name reads in English on English pages."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.staff import log_in
from tests.web.test_page_language import site  # noqa: F401 - a fixture

PAGES = ["/search?q=会电焊&place=榕江县&km=50", "/jobs/near?place=榕江县", "/me/matches"]


def _source_lines(html: str) -> list[str]:
    lines = re.findall(r'<p class="source">(.*?)</p>', html, re.S)
    return [re.sub(r"\s+", " ", line).strip() for line in lines]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_list_says_who_published_in_one_wording(client: Any, site: Any, lang: str) -> None:  # noqa: F811
    log_in(client, site.login["seeker"])
    bureau = "人社局发布" if lang == "zh" else "Posted by the county job bureau"
    seen = 0
    for path in PAGES:
        html = client.get(f"{path}{'&' if '?' in path else '?'}lang={lang}").get_data(as_text=True)
        for line in _source_lines(html):
            seen += 1
            assert "<span" not in line, (path, line)  # plain parts joined by " · "
            assert html.count(bureau) >= line.count(bureau) and line.count(bureau) <= 1, (path, line)
            if bureau in line and line != bureau:
                assert " · " + bureau in line, (path, line)
            if lang == "en":
                assert "（" not in line and "县人社局" not in line, (path, line)
        reasons = re.findall(r'<p class="reason">(.*?)</p>', html, re.S)
        assert not any(bureau in r for r in reasons), path  # said once, on the source line
    assert seen


def test_the_demo_source_reads_in_english(client: Any) -> None:
    html = client.get("/jobs/near?place=榕江县&lang=en").get_data(as_text=True)
    assert "County job bureau (demo data) · Posted by the county job bureau" in html
