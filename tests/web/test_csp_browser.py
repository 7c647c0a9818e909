"""The Content-Security-Policy in Debian's Chromium: every key page, signed out, as a seeker and as
each kind of staff, runs its scripts (map, charts, Swagger UI) with no CSP violation and no request
to anything but loopback (map tiles come from a stand-in tile server on another loopback port)."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.web.browser import forget_person, needs_chromium
from web.extensions import db
from web.models import Place, User, Worker
from web.services.accounts import hash_password
from web.services.demo import DEMO_PASSWORD

pytestmark = needs_chromium
DESK = {"width": 1280, "height": 900}
SEEKER_PHONE, SEEKER_PASSWORD = "13600000777", "csp-liulan-mima-2026"
# A 1×1 transparent PNG: every tile the stand-in server answers.
TILE = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8"
                        "AAAAASUVORK5CYII=")
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
# Collect violations from the page itself: Chromium fires this event for each blocked resource,
# inline script, handler or style attribute (the listener is added by Playwright, outside the CSP).
LISTEN = """window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile + ':' + e.lineNumber));"""


class Tiles(BaseHTTPRequestHandler):
    asked: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.asked.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(TILE)))
        self.end_headers()
        self.wfile.write(TILE)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def tiles(app: Any) -> Iterator[list[str]]:
    """A loopback tile server, set as JIUJIN_MAP_TILES_URL for this module; yields the paths asked."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    before = app.config["JIUJIN_MAP_TILES_URL"]
    app.config["JIUJIN_MAP_TILES_URL"] = f"http://127.0.0.1:{server.server_port}/{{z}}/{{x}}/{{y}}.png"
    yield Tiles.asked
    app.config["JIUJIN_MAP_TILES_URL"] = before
    server.shutdown()


@pytest.fixture(scope="module")
def seeker(app: Any) -> Iterator[None]:
    """A consented seeker with a profile in 榕江 (committed: the served app has its own sessions)."""
    with app.app_context():
        home = db.session.scalar(select(Place).where(Place.code == "522632000000"))
        user = User(phone=SEEKER_PHONE, password_hash=hash_password(SEEKER_PASSWORD), display_name="浏览器",
                    consent_at=datetime.now(UTC), consent_version="2026-11")
        db.session.add(user)
        db.session.flush()
        db.session.add(Worker(user_id=user.id, description="会电焊，在工地干过三年", home_place_id=home.id,
                              home_text=home.full_name, lat=home.lat, lon=home.lon, max_commute_km=50))
        db.session.commit()
        db.session.remove()
    yield
    forget_person(app, SEEKER_PHONE)


@pytest.fixture
def visit(browser: Any, base_url: str, tiles: list[str]) -> Iterator[Any]:
    """Open pages in a fresh context; each visit fails on a CSP violation or an outside request."""
    context = browser.new_context(viewport=DESK, locale="zh-CN")
    context.add_init_script(LISTEN)
    page = context.new_page()
    outside: list[str] = []
    console: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if urlsplit(r.url).hostname not in LOOPBACK
            and not r.url.startswith("data:") else None)
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)

    def go(path: str, ready: str | None = None) -> Any:
        response = page.goto(base_url + path)
        assert response is not None and "default-src 'self'" in response.headers["content-security-policy"]
        if ready:
            page.wait_for_selector(ready, state="visible", timeout=15_000)
        page.wait_for_load_state("networkidle")
        violations = page.evaluate("window.__csp")
        assert not violations and not console, (path, violations, console)
        assert not outside, (path, outside)
        return page

    go.page = page  # type: ignore[attr-defined]
    yield go
    context.close()


def log_in(go: Any, phone: str, password: str) -> None:
    page = go("/login")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, page.url


def test_signed_out_pages_keep_to_the_policy(visit: Any, tiles: list[str]) -> None:
    visit("/")
    page = visit("/search?q=会电焊，在工地干过三年&place=贵州省黔东南州榕江县古州镇", "li.match a.title")
    job = page.locator("li.match a.title").first.get_attribute("href")
    assert "焊" in visit(job, "h1").locator("h1").inner_text()
    visit("/jobs/near?place=榕江县&km=50&view=map", "#map .leaflet-marker-icon")
    assert tiles, "the map asked the configured tile server for no tile"
    visit("/about/ranking")
    visit("/login")
    visit("/signup")
    visit("/password/reset")
    visit("/no-such-page")


def test_the_api_docs_run_swagger_ui_from_the_site(visit: Any) -> None:
    page = visit("/api/v1/docs", ".swagger-ui .opblock")
    assert page.locator(".swagger-ui .opblock").count() > 20  # the whole document is drawn
    page.locator(".swagger-ui .opblock-summary").first.click()  # an operation opened: its schemas drawn
    page.wait_for_selector(".swagger-ui .opblock-body", state="visible")
    page.get_by_role("button", name="Try it out").first.click()
    page.wait_for_load_state("networkidle")
    assert not page.evaluate("window.__csp")


def test_seeker_pages_keep_to_the_policy(visit: Any, seeker: None) -> None:
    log_in(visit, SEEKER_PHONE, SEEKER_PASSWORD)
    visit("/me/profile")
    visit("/me/matches", "li.match")
    visit("/me/matches?view=map", "#map .leaflet-marker-icon")
    visit("/me/saved")
    visit("/me/applications")
    visit("/me/data")


@pytest.mark.parametrize(("phone", "pages"), [
    ("19900000001", ["/bureau/", "/bureau/vacancies", "/bureau/workers", "/bureau/import"]),
    ("19900000002", ["/collab/", "/collab/funnel", "/collab/supply"]),
    ("19900000009", ["/admin/users", "/admin/sources", "/admin/pairs"]),
])
def test_staff_pages_keep_to_the_policy(visit: Any, phone: str, pages: list[str]) -> None:
    log_in(visit, phone, DEMO_PASSWORD)
    for path in pages:
        page = visit(path, "canvas[data-chart]" if path in ("/collab/funnel", "/collab/supply") else None)
        if path == "/collab/supply":
            page.wait_for_selector("#map .leaflet-marker-icon", state="visible", timeout=15_000)
