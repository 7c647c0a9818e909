"""Compressed responses and fingerprinted static files with a year's cache (issue 15)."""

from __future__ import annotations

import gzip
import re
from typing import Any

import brotli

from tests.web.staff import log_in
from web.static_files import LONG_CACHE

STATIC = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def static_urls(page: str) -> list[str]:
    return [u.replace("&amp;", "&") for u in STATIC.findall(page)]


def test_pages_are_gzipped_or_brotli_compressed_when_asked(client: Any) -> None:
    plain = client.get("/")
    assert "Content-Encoding" not in plain.headers and "就近" in plain.get_data(as_text=True)
    zipped = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert len(zipped.data) < len(plain.data) / 2
    assert "就近" in gzip.decompress(zipped.data).decode()
    br = client.get("/", headers={"Accept-Encoding": "br, gzip"})
    assert br.headers["Content-Encoding"] == "br" and "就近" in brotli.decompress(br.data).decode()
    api = client.get("/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert api.headers["Content-Encoding"] == "gzip"


def test_every_static_url_on_the_pages_is_fingerprinted_and_cached_for_a_year(
    client: Any, staff_world: Any
) -> None:
    pages = ["/", "/search?q=电焊", "/login"]
    seen = set()
    for path in pages:
        seen.update(static_urls(client.get(path).get_data(as_text=True)))
    log_in(client, staff_world.users["collab"])
    seen.update(static_urls(client.get("/collab/supply").get_data(as_text=True)))
    assert any("site.css" in u for u in seen) and any("chart.umd.min.js" in u for u in seen)
    for url in seen:
        assert re.search(r"\?v=[0-9a-f]{12}$", url), url
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == LONG_CACHE, url
        if url.split("?")[0].endswith((".css", ".js")):
            assert response.headers["Content-Encoding"] == "gzip", url
            assert gzip.decompress(response.get_data())[:20] == client.get(url.split("?")[0]).get_data()[:20]
        response.close()


def test_the_bare_path_and_a_stale_fingerprint_still_work_without_the_long_cache(client: Any) -> None:
    current = next(u for u in static_urls(client.get("/").get_data(as_text=True)) if "site.css" in u)
    fresh = client.get(current).get_data()
    for url in ("/static/site.css", "/static/site.css?v=000000000000"):
        response = client.get(url)
        assert response.status_code == 200 and response.get_data() == fresh
        assert "immutable" not in response.headers.get("Cache-Control", "")
        response.close()
    assert client.get("/static/no-such-file.css").status_code == 404


def test_a_changed_file_gets_a_new_fingerprint(app: Any, tmp_path: Any) -> None:
    from web.static_files import Fingerprints

    (tmp_path / "a.css").write_text("body{}")
    prints = Fingerprints(tmp_path)
    first = prints.of("a.css")
    (tmp_path / "a.css").write_text("body{color:red}")
    assert first and prints.of("a.css") not in (None, first)
    assert prints.of("../etc/passwd") is None and prints.of("missing.css") is None
