"""What a browser shows a reader, in Debian's Chromium at a phone's size: WCAG AA text contrast over
the key pages, signed out and signed in as each kind of user, and a masked password field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.web.browser import PHONE, forget_person, needs_chromium
from web.extensions import db
from web.models import Posting
from web.services.demo import DEMO_PASSWORD

pytestmark = needs_chromium
CONTRAST = (Path(__file__).parent / "contrast.js").read_text(encoding="utf-8")
SEEKER_PHONE, SEEKER_PASSWORD = "13600000031", "duibi-mima-2026"
SEARCH = "/search?q=会电焊&place=榕江县&km=20"
PUBLIC = (
    "/",
    SEARCH,
    "/search?q=开挖掘机&place=火星基地",
    "{job}",
    "/jobs/near?place=榕江县",
    "/login",
    "/signup",
    "/password/reset",
    "/about/ranking",
)
SEEKER = (
    "/",
    SEARCH,
    "{job}",
    "/me/matches",
    "/me/profile",
    "/me/applications",
    "/me/saved",
    "/me/data",
    "/me/password",
)
BUREAU = (
    "/bureau/",
    "/bureau/vacancies",
    "/bureau/workers",
    "/bureau/workers/new",
    "/bureau/import",
    "/bureau/placements",
    "/bureau/checkins",
    "/bureau/report",
    "/bureau/outreach",
    "{job}",
)
COLLAB = ("/collab/", "/collab/supply", "/collab/funnel", "/collab/pushes", "/collab/push")
ADMIN = ("/admin/users", "/admin/pairs", "/admin/sources", "/moderation/reports")


@pytest.fixture
def page(browser: Any) -> Any:
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.route("**/appmaptile**", lambda route: route.abort())
    yield page
    context.close()


@pytest.fixture(scope="module")
def job_path(app: Any) -> str:
    with app.app_context():
        posting = db.session.scalar(
            select(Posting).where(Posting.status == "open", Posting.url.is_not(None)).order_by(Posting.id)
        )
        return f"/jobs/{posting.id}"


def log_in(page: Any, base_url: str, phone: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def sign_up_seeker(app: Any, page: Any, base_url: str) -> None:
    """A new seeker with consent, a profile and one application."""
    page.goto(base_url + "/signup")
    page.get_by_label("手机号").fill(SEEKER_PHONE)
    page.get_by_role("button", name="发送验证码").click()
    code = app.extensions["jiujin_notify"].last_to(SEEKER_PHONE, "verify_code").params["code"]
    page.get_by_label("短信验证码").fill(code)
    page.get_by_label("密码（至少8位）").fill(SEEKER_PASSWORD)
    page.get_by_label("再输一次密码").fill(SEEKER_PASSWORD)
    page.get_by_role("button", name="确定").click()
    page.get_by_label("我看过了，同意").check()
    page.get_by_role("button", name="同意并继续").click()
    page.wait_for_url("**/me/profile**")
    page.get_by_label("说说你会做什么").fill("会电焊，在工地干过三年")
    page.get_by_label("家在哪里").fill("贵州省黔东南州榕江县古州镇")
    page.get_by_role("button", name="保存").click()
    page.goto(base_url + "/me/matches")
    page.locator("a.title").first.click()
    page.get_by_role("button", name="在就近上申请").click()


def contrast_failures(page: Any, base_url: str, paths: tuple[str, ...], job: str) -> list[str]:
    """The elements whose text is below WCAG AA contrast on these pages (every <details> opened)."""
    failures = []
    for path in paths:
        page.goto(base_url + path.format(job=job))
        page.wait_for_load_state("networkidle")
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        failures += [
            f"{path} <{f['tag']} class={f['cls']!r}> {f['text']!r}: {f['fg']} on {f['bg']} = "
            f"{f['ratio']} < {f['need']}"
            for f in page.evaluate(CONTRAST)
        ]
    return failures


def test_text_contrast_signed_out(page: Any, base_url: str, job_path: str) -> None:
    assert contrast_failures(page, base_url, PUBLIC, job_path) == []
    page.goto(base_url + job_path)
    login = page.get_by_role("link", name="登录后申请")
    assert login.evaluate("a => getComputedStyle(a).color") != login.evaluate(
        "a => getComputedStyle(a).backgroundColor"
    )


def test_text_contrast_signed_in_seeker(app: Any, page: Any, base_url: str, job_path: str) -> None:
    try:
        sign_up_seeker(app, page, base_url)
        assert contrast_failures(page, base_url, SEEKER, job_path) == []
    finally:
        forget_person(app, SEEKER_PHONE)


@pytest.mark.parametrize(
    ("phone", "paths"),
    [("19900000001", BUREAU), ("19900000002", COLLAB), ("19900000009", ADMIN)],
    ids=["bureau", "collab", "admin"],
)
def test_text_contrast_staff(
    page: Any, base_url: str, job_path: str, phone: str, paths: tuple[str, ...]
) -> None:
    log_in(page, base_url, phone)
    assert contrast_failures(page, base_url, paths, job_path) == []


def test_login_password_is_masked_as_typed(page: Any, base_url: str) -> None:
    page.goto(base_url + "/login")
    password = page.get_by_label("密码")
    password.press_sequentially("mima-secret")
    assert password.evaluate("input => input.type") == "password"
    assert password.get_attribute("autocomplete") == "current-password"
    assert password.input_value() == "mima-secret"
    assert "mima-secret" not in page.locator("body").inner_text()
