"""Security headers on every response (pages, API, errors, static files), HSTS only in production,
and templates with nothing inline that the CSP would block."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from web.config import ROOT
from web.security import content_security_policy, tile_origins

ROUTES = [
    ("GET", "/"),
    ("GET", "/login"),
    ("GET", "/search?q=会电焊&place=榕江县"),
    ("GET", "/jobs/near?place=榕江县&view=map"),
    ("GET", "/no-such-page"),  # 404 page
    ("POST", "/login"),  # 400: no CSRF token
    ("DELETE", "/"),  # 405
    ("GET", "/static/site.css"),
    ("GET", "/static/vendor/leaflet/leaflet.js"),
    ("GET", "/healthz"),
    ("GET", "/api/v1/matches?q=会电焊&place=榕江县"),
    ("GET", "/api/v1/matches"),  # 422
    ("GET", "/api/v1/me"),  # 401
    ("GET", "/api/v1/no-such"),  # JSON 404
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/api/v1/docs"),
]


def directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_response_carries_the_headers(client: Any, method: str, path: str) -> None:
    response = client.open(path, method=method)
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"] and policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"] == ["'self'"]
    assert not any("unsafe" in v for values in policy.values() for v in values)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # development
    data_images = "data:" in policy["img-src"]
    assert data_images == (path == "/api/v1/docs")  # Swagger UI's icons, on that page only


def test_images_come_from_self_and_exactly_the_tile_server(app: Any, client: Any,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "JIUJIN_MAP_TILES_URL", "https://tiles.example.cn:8443/t/{z}/{x}/{y}.png?k=1")
    images = directives(client.get("/").headers["Content-Security-Policy"])["img-src"]
    assert images == ["'self'", "https://tiles.example.cn:8443"]


def test_tile_origins() -> None:
    assert tile_origins("https://webrd01.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}") == [
        "https://webrd01.is.autonavi.com"]
    assert tile_origins("https://{s}.tile.example.org/{z}/{x}/{y}.png") == [
        "https://a.tile.example.org", "https://b.tile.example.org", "https://c.tile.example.org"]
    assert tile_origins("") == [] and tile_origins("javascript:alert(1)") == []
    assert "img-src 'self';" in content_security_policy("")


def test_hsts_only_in_production(app: Any, client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "Strict-Transport-Security" not in client.get("/").headers
    monkeypatch.setitem(app.config, "JIUJIN_ENV", "production")
    for path in ("/", "/api/v1/openapi.json", "/static/site.css", "/no-such-page"):
        assert client.get(path).headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_the_api_docs_come_from_the_site_not_a_cdn(client: Any) -> None:
    page = client.get("/api/v1/docs").get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in [s.split("?")[0] for s in sources]
    assert all(s.startswith("/") for s in sources), sources
    for path in sources:
        assert client.get(path).status_code == 200, path
    assert (ROOT / "web/static/vendor/swagger-ui/LICENSE").is_file()


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style", re.I), "<style> element"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


@pytest.mark.parametrize("template", sorted((ROOT / "web/templates").rglob("*.html")),
                         ids=lambda p: str(p.relative_to(ROOT / "web/templates")))
def test_no_template_has_anything_inline_the_policy_blocks(template: Path) -> None:
    text = template.read_text("utf-8")
    found = [what for pattern, what in INLINE if pattern.search(text)]
    assert not found, found
