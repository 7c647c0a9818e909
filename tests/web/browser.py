"""Browser-test plumbing: the app served on a loopback port, and Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
PHONE = {"width": 390, "height": 844}
# `JIUJIN_SCREENSHOTS=docs/screenshots make test` refreshes the screenshots the docs link to.
SCREENSHOTS = os.environ.get("JIUJIN_SCREENSHOTS")

needs_chromium = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture(scope="module")
def base_url(app: Any) -> Iterator[str]:
    """The app on a free loopback port (threads, like gunicorn's)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A phone-sized page in a fresh Chinese context (modules that need another override it)."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    yield context.new_page()
    context.close()


def shot(page: Any, name: str) -> None:
    """Save a full-page screenshot under $JIUJIN_SCREENSHOTS (when set)."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def forget_person(app: Any, phone: str) -> None:
    """Delete a person a browser test created (the served app commits for real), so that later tests
    find the shared database as the demo data left it."""
    from sqlalchemy import select

    from web.extensions import db
    from web.models import User
    from web.services.mydata import delete_my_data

    with app.app_context():
        user = db.session.scalar(select(User).where(User.phone == phone))
        if user is not None:
            delete_my_data(db.session, user)
            db.session.commit()
        db.session.remove()
