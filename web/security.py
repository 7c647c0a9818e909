"""Security headers on every response: a strict Content-Security-Policy, no framing, nosniff,
a referrer policy, and HSTS in production.

One after-request hook rather than Flask-Talisman: the policy depends on one setting (the map
tiles' origin), the cookie flags already live in web/config.py, and HTTPS redirects belong to the
proxy in front of gunicorn. docs/ARCHITECTURE.md ("Security headers") says more.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, request

# Swagger UI (/api/v1/docs) draws its icons as data: SVG images: that page alone allows data: images.
# Everything else there (its script, its stylesheet) comes from self like the rest of the site.
DOCS_PATH = "/api/v1/docs"
HSTS = "max-age=31536000; includeSubDomains"
# Leaflet's default subdomains, used when the tile URL has a {s} placeholder.
TILE_SUBDOMAINS = "abc"


def tile_origins(url: str) -> list[str]:
    """The origin(s) map tiles are loaded from: scheme://host[:port] of JIUJIN_MAP_TILES_URL."""
    if not url:
        return []
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return []
    hosts = [parts.netloc]
    if "{s}" in parts.netloc:
        hosts = [parts.netloc.replace("{s}", s) for s in TILE_SUBDOMAINS]
    return [f"{parts.scheme}://{host}" for host in hosts]


@functools.lru_cache(maxsize=8)
def content_security_policy(tiles_url: str, docs: bool = False) -> str:
    """The site's policy; ``docs`` gives the Swagger UI page its one extra allowance (data: images)."""
    images = ["'self'", *tile_origins(tiles_url), *(["data:"] if docs else [])]
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": images,
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def security_headers(config: Any, path: str) -> dict[str, str]:
    """The headers every response carries (HSTS only when JIUJIN_ENV=production)."""
    headers = {
        "Content-Security-Policy": content_security_policy(config.get("JIUJIN_MAP_TILES_URL", ""),
                                                           docs=path == DOCS_PATH),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }
    if config.get("JIUJIN_ENV") == "production":
        headers["Strict-Transport-Security"] = HSTS
    return headers


def register(app: Flask) -> None:
    """Add the headers to every response, errors and static files included."""

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in security_headers(app.config, request.path).items():
            response.headers.setdefault(name, value)
        return response
