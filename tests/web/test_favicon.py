"""The site's icon: /favicon.ico answers (browsers ask for it on every page) and every page links
the SVG icon, which resolves."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"


def icon_href(html: str) -> str:
    match = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert match, "no icon linked"
    return match.group(1)


def test_favicon_ico_is_an_icon(client: Any) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO header
    assert "max-age" in response.headers["Cache-Control"]


def test_pages_link_an_icon_that_resolves(client: Any) -> None:
    for path in ("/", "/login", "/search?q=电焊&place=榕江县", "/no-such-page"):
        href = icon_href(client.get(path).get_data(as_text=True))
        icon = client.get(href)
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml", path
        assert icon.data.startswith(b"<svg")


def test_every_page_template_with_a_head_links_the_icon() -> None:
    heads = [p for p in TEMPLATES.rglob("*.html") if "<head>" in p.read_text(encoding="utf-8")]
    assert len(heads) >= 2  # base.html and the printable slips
    assert [p.name for p in heads if 'rel="icon"' not in p.read_text(encoding="utf-8")] == []
