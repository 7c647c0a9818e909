"""Staff and seeker pages on a phone (390 × 844) in Debian's Chromium: nothing is wider than the screen.

A wide table scrolls inside its own ``.table-wrap``; the page itself never scrolls sideways.
Every page of the collaboration office and the main bureau, follow-up and admin pages are
loaded as the demo accounts, with the demo data (tables with rows in them)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from tests.web.browser import PHONE, needs_chromium, shot
from tests.web.test_staff_browser import log_in
from web.extensions import db
from web.models import Application, Notification, Place, Placement, Posting, PostingMark, Source, User, Worker
from web.services.accounts import hash_password
from web.services.demo import DEMO_PASSWORD
from web.services.mydata import delete_my_data

pytestmark = needs_chromium

# The elements that stick out past the right edge of the screen (none on a page that fits).
OVERFLOW = """() => {
  const width = window.innerWidth, out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && !el.closest('.table-wrap, .leaflet-container')) {
      const cls = typeof el.className === 'string' ? el.className.replaceAll(' ', '.') : '';
      out.push(`${el.tagName.toLowerCase()}#${el.id}.${cls} ${Math.round(box.right)}`);
    }
  }
  return out.slice(0, 8);
}"""

COLLAB = ["/collab/", "/collab/supply", "/collab/funnel", "/collab/push", "/collab/pushes",
          "/collab/workers/{worker}"]
BUREAU = ["/bureau/", "/bureau/vacancies", "/bureau/vacancies/new", "/bureau/vacancies/{posting}/edit",
          "/bureau/vacancies/{posting}/candidates", "/bureau/import", "/bureau/workers",
          "/bureau/workers/new", "/bureau/workers/{worker}/edit", "/bureau/workers/{worker}/household",
          "/bureau/outreach", "/bureau/no-match", "/bureau/placements", "/bureau/placements/new",
          "/bureau/placements/{placement}", "/bureau/checkins", "/bureau/report", "/bureau/slips"]
SEEKER = ["/me/data", "/me/profile", "/me/matches", "/me/saved", "/me/applications", "/jobs/{posting}",
          "/about/ranking"]
ADMIN = ["/admin/", "/admin/users", "/admin/sources", "/admin/pairs", "/admin/key-counties",
         "/admin/sources/new", "/admin/sources/{source}", "/admin/sources/{source}/edit"]


@pytest.fixture
def phone(browser: Any) -> Any:
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    yield context.new_page()
    context.close()


@pytest.fixture
def ids(app: Any) -> dict[str, int]:
    """A demo posting, worker and placement of the bureau's county (榕江县), and a western worker."""
    with app.app_context():
        own = Place.code.like("522632%")
        posting = db.session.scalar(select(Posting.id).join(Place, Place.id == Posting.place_id)
                                    .where(own).order_by(Posting.id))
        worker = db.session.scalar(select(Worker.id).join(Place, Place.id == Worker.home_place_id)
                                   .where(own).order_by(Worker.id))
        placement = db.session.scalar(select(Placement.id).order_by(Placement.id))
        source = db.session.scalar(select(Source.id).where(Source.name == "demo-bureau-export"))
    assert posting and worker, "the demo data has a posting and a worker in 榕江县"
    return {"posting": posting, "worker": worker, "placement": placement or 0, "source": source}


def assert_fits(page: Any, url: str) -> None:
    """The page is no wider than the screen, and every table scrolls inside its own ``.table-wrap``."""
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, (url, width, page.evaluate(OVERFLOW))
    assert page.locator("table").count() == page.locator(".table-wrap > table").count(), url


def visit_all(page: Any, base_url: str, paths: list[str], ids: dict[str, int], lang: str) -> None:
    page.goto(f"{base_url}{paths[0]}?lang={lang}")  # the language is kept for the visit
    for path in paths:
        if "{placement}" in path and not ids["placement"]:
            continue
        url = base_url + path.format(**ids)
        response = page.goto(url)
        assert response is not None and response.status == 200, (url, response and response.status)
        page.wait_for_load_state("networkidle")
        shot(page, f"phone-{lang}" + path.replace("/", "-").replace("{", "").replace("}", ""))
        assert_fits(page, url)


LANGS = pytest.mark.parametrize("lang", ["zh", "en"])


@LANGS
def test_collab_pages_fit_a_phone(phone: Any, base_url: str, ids: dict[str, int], lang: str) -> None:
    phone.route("**/appmaptile**", lambda route: route.abort())
    log_in(phone, base_url, "19900000002")
    visit_all(phone, base_url, COLLAB, ids, lang)


@LANGS
def test_bureau_and_followup_pages_fit_a_phone(app: Any, phone: Any, base_url: str, ids: dict[str, int],
                                               lang: str) -> None:
    log_in(phone, base_url, "19900000001")
    visit_all(phone, base_url, BUREAU, ids, lang)
    job = finished_import_job_with_rows(app)
    phone.goto(f"{base_url}/bureau/import/jobs/{job}")
    phone.wait_for_load_state()
    assert phone.locator(".table-wrap tr.outcome-new").count() == 1  # the outcome table, wrapped
    assert_fits(phone, "/bureau/import/jobs (outcome)")


def finished_import_job_with_rows(app: Any) -> int:
    """A finished import in 榕江县 whose report has one new row (no posting is stored: nothing
    here may change what later tests find in the shared database)."""
    from tests.web.staff import finished_import_job
    from web.models import ImportJobRow

    with app.app_context():
        world = type("World", (), {})()
        world.places = {"own": db.session.scalar(select(Place).where(Place.code == "522632000000"))}
        job = finished_import_job(db.session, world)
        db.session.add(ImportJobRow(job_id=job, seq=0, row=2, outcome="new", title="手机导入"))
        db.session.commit()
        db.session.remove()
    return job


# Every outcome of a row report, with the longest words each can carry (the formula reason,
# a long title made of one unbreakable formula-like string).
REPORT_ROWS = [("new", "", "电焊工"), ("duplicate", "", "电焊工"), ("expired", "", "装卸工（春节前截止）"),
               ("rejected", "formula", '=HYPERLINK("http://evil.example/a/very/long/path","点我")'),
               ("rejected", "place_unknown", "普工"), ("updated", "", "采茶工"), ("unchanged", "", "司机")]


@LANGS
def test_import_report_with_every_outcome_fits_a_phone(app: Any, phone: Any, base_url: str,
                                                       lang: str) -> None:
    from tests.web.staff import finished_import_job
    from web.models import ImportJob, ImportJobRow

    with app.app_context():
        world = type("World", (), {})()
        world.places = {"own": db.session.scalar(select(Place).where(Place.code == "522632000000"))}
        job = finished_import_job(db.session, world)
        db.session.add_all([ImportJobRow(job_id=job, seq=n, row=n + 2, outcome=outcome, reason=reason,
                                         title=title)
                            for n, (outcome, reason, title) in enumerate(REPORT_ROWS)])
        found = db.session.get(ImportJob, job)
        found.counts = {"new": 1, "updated": 1, "unchanged": 1, "duplicate": 1, "expired": 1, "rejected": 2}
        found.total = found.cursor = len(REPORT_ROWS)
        db.session.commit()
        db.session.remove()
    log_in(phone, base_url, "19900000001")
    phone.goto(f"{base_url}/bureau/import/jobs/{job}?lang={lang}")
    phone.wait_for_load_state()
    assert phone.locator(".table-wrap tr").count() == len(REPORT_ROWS) + 1  # the report, wrapped
    assert phone.locator(".table-wrap tr.outcome-expired").count() == 1
    shot(phone, f"phone-{lang}-import-report-every-outcome")
    assert_fits(phone, "/bureau/import/jobs (every outcome)")


@LANGS
def test_admin_pages_fit_a_phone(phone: Any, base_url: str, ids: dict[str, int], lang: str) -> None:
    log_in(phone, base_url, "19900000009")
    visit_all(phone, base_url, ADMIN, ids, lang)
    phone.goto(f"{base_url}/admin/sources/{ids['source']}")
    phone.get_by_role("button", name="试运行（不保存）" if lang == "zh" else "Try it (saves nothing)").click()
    phone.wait_for_load_state()
    assert phone.locator(".table-wrap #try-postings tbody tr").count() == 10  # the try's tables, wrapped
    shot(phone, f"phone-{lang}-admin-sources-try")
    assert_fits(phone, "/admin/sources/<id>/try")


SEEKER_PHONE = "13600000390"


@pytest.fixture
def seeker(app: Any, ids: dict[str, int]) -> Any:
    """A signed-in seeker with a long description, a saved job, an application and a notification."""
    with app.app_context():
        now = datetime.now(UTC)
        user = User(phone=SEEKER_PHONE, password_hash=hash_password(DEMO_PASSWORD), consent_at=now,
                    consent_version="2026-11", display_name="")
        db.session.add(user)
        db.session.flush()
        home = db.session.scalar(select(Place).where(Place.code.like("522632%")).order_by(Place.id))
        worker = Worker(user_id=user.id, name="", description="会电焊，在工地干过三年" * 8,
                        home_place_id=home.id, home_text=home.full_name, lat=home.lat, lon=home.lon,
                        max_commute_km=30, wage_expectation=4000, employment_types=["full_time"],
                        certificates=["welder"])
        db.session.add(worker)
        db.session.flush()
        db.session.add_all([PostingMark(worker_id=worker.id, posting_id=ids["posting"], kind="saved"),
                            Application(worker_id=worker.id, posting_id=ids["posting"]),
                            Notification(user_id=user.id, kind="new_matches", dedupe_key="phone-test",
                                         channel="sms")])
        db.session.commit()
    yield user
    with app.app_context():
        delete_my_data(db.session, db.session.scalar(select(User).where(User.phone == SEEKER_PHONE)))
        db.session.commit()


@LANGS
def test_seeker_pages_fit_a_phone(phone: Any, base_url: str, ids: dict[str, int], seeker: Any,
                                  lang: str) -> None:
    phone.route("**/appmaptile**", lambda route: route.abort())
    log_in(phone, base_url, SEEKER_PHONE)
    visit_all(phone, base_url, SEEKER, ids, lang)
