"""Every HTML page of the site, as the role that uses it: no attribute or text renders as "None"
(``type="None"`` showed passwords as they were typed), and every password input is masked."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

from tests.web.staff import World, log_in, token_in
from web.models import Worker

PASSWORD_NAMES = {"password", "confirm", "old_password"}
PASSWORD_AUTOCOMPLETE = {"current-password", "new-password"}
# Routes that are not HTML pages of their own: data, files, the API, health.
NOT_PAGES = ("/api/", "/static/", "/docs/", "/healthz", "/places/suggest", "/favicon")
NOT_PAGE_ENDINGS = (".xlsx", ".csv", ".json", ".ico", ".svg")


class Inputs(HTMLParser):
    """Every start tag's attributes, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        if data.strip() in ("None", "none"):  # a missing value printed as text
            self.tags.append(("#text", {"text": data.strip()}))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Inputs()
    parser.feed(html)
    return parser.tags


def pages(w: World, worker_id: int, push_token: str = "token", import_job: int = 1,
          exports: dict[str, int] | None = None) -> dict[str, list[str]]:
    """Every HTML page, by the role that opens it."""
    from tests.web.staff import EXPORT_PAGES

    exports = exports or dict.fromkeys(EXPORT_PAGES.values(), 1)
    own = w.postings["own"].id
    own_source = w.postings["own"].source_id
    return {
        "anonymous": [
            "/",
            f"/r/{push_token}",
            "/search?q=电焊&place=榕江县",
            f"/jobs/{own}",
            "/jobs/near?place=榕江县",
            "/about/ranking",
            "/login",
            "/signup",
            "/signup/verify",
            "/password/reset",
            "/password/reset/verify",
        ],
        "fresh": ["/consent"],
        "seeker": [
            "/",
            f"/jobs/{own}",
            "/me/profile",
            "/me/matches",
            "/me/saved",
            "/me/applications",
            "/me/data",
            "/me/password",
        ],
        "bureau": [
            "/bureau/",
            "/bureau/vacancies",
            "/bureau/vacancies/new",
            f"/bureau/vacancies/{own}/edit",
            f"/bureau/vacancies/{own}/candidates",
            "/bureau/workers",
            "/bureau/workers/new",
            f"/bureau/workers/{w.workers['own'].id}/edit",
            f"/bureau/workers/{w.workers['own'].id}/household",
            f"/bureau/workers/{w.workers['own'].id}/jobs",
            f"/bureau/workers/{w.workers['own'].id}/slips",
            "/bureau/import",
            f"/bureau/import/jobs/{import_job}",
            *[f"{prefix}{n}" for prefix, n in exports.items() if prefix.startswith("/bureau/")],
            "/bureau/no-match",
            "/bureau/outreach",
            "/bureau/checkins",
            "/bureau/placements",
            f"/bureau/placements/{w.placements['own'].id}",
            "/bureau/placements/new",
            f"/bureau/placements/new/{w.workers['own'].id}",
            "/bureau/report",
            "/bureau/slips",
        ],
        "collab": [
            "/collab/",
            "/collab/funnel",
            "/collab/push",
            "/collab/pushes",
            "/collab/supply",
            f"/collab/workers/{w.workers['own'].id}",
            *[f"{prefix}{n}" for prefix, n in exports.items() if prefix.startswith("/collab/")],
        ],
        "admin": [
            "/admin/",
            "/admin/users",
            "/admin/pairs",
            "/admin/key-counties",
            "/admin/sources",
            "/admin/sources/new",
            f"/admin/sources/{own_source}",
            f"/admin/sources/{own_source}/edit",
            "/moderation/reports",
        ],
    }


@pytest.fixture
def seeker_worker(db_session: Any, staff_world: World) -> int:
    """The staff world's seeker, with a profile."""
    own = staff_world.places["own"]
    worker = Worker(
        user_id=staff_world.users["seeker"].id,
        description="会电焊，在工地干过三年",
        home_place_id=own.id,
        home_text=own.full_name,
        lat=own.lat,
        lon=own.lon,
        max_commute_km=20,
        will_relocate=False,
    )
    db_session.add(worker)
    db_session.commit()
    return worker.id


def open_as(client: Any, w: World, role: str, path: str) -> str:
    """GET ``path`` signed in as ``role`` (with the session a code step needs); the page's HTML."""
    log_in(client, w.users.get(role) if role not in ("anonymous", "fresh") else None)
    with client.session_transaction() as s:
        s["signup_phone"] = s["reset_phone"] = "13900000077"
    if role == "fresh":
        log_in(client, w.users["seeker"])
    response = client.get(path)
    assert response.status_code == 200, (role, path, response.status_code)
    return response.get_data(as_text=True)


def attribute_faults(html: str) -> list[str]:
    """Attributes or text rendered as "None", and password inputs that are not masked."""
    faults = []
    for tag, attrs in tags_of(html):
        faults += [f"<{tag} {k}={v!r}>" for k, v in attrs.items() if (v or "").strip() in ("None", "none")]
        secret = tag == "input" and (attrs.get("name") in PASSWORD_NAMES or attrs.get("type") == "password")
        masked = attrs.get("type") == "password" and attrs.get("autocomplete") in PASSWORD_AUTOCOMPLETE
        if secret and not masked:
            faults.append(f"unmasked or unlabelled password input {attrs}")
    return faults


@pytest.fixture
def push_token(app: Any, db_session: Any, staff_world: World) -> str:
    """The reply link's token of a job pushed to the staff world's worker."""
    from web.models import JobPush
    from web.services.push_reach import sign_push

    push = JobPush(posting_id=staff_world.postings["own"].id, worker_id=staff_world.workers["own"].id)
    db_session.add(push)
    db_session.commit()
    return sign_push(app.config["SECRET_KEY"], push.id)


@pytest.fixture
def import_job(db_session: Any, staff_world: World) -> int:
    """A finished import in the bureau's county."""
    from tests.web.staff import finished_import_job

    return finished_import_job(db_session, staff_world)


def test_every_page_renders_no_none_attribute_and_masks_passwords(
    app: Any, client: Any, db_session: Any, staff_world: World, seeker_worker: int, push_token: str,
    import_job: int,
) -> None:
    faults, password_pages = {}, set()
    from tests.web.staff import EXPORT_PAGES, finished_export_job

    exports = {prefix: finished_export_job(db_session, staff_world, kind)
               for kind, prefix in EXPORT_PAGES.items()}
    for role, paths in pages(staff_world, seeker_worker, push_token, import_job, exports).items():
        for path in paths:
            html = open_as(client, staff_world, role, path)
            if found := attribute_faults(html):
                faults[f"{role} {path}"] = found
            if 'type="password"' in html:
                password_pages.add(path.split("?")[0])
    assert faults == {}
    assert {
        "/login",
        "/signup/verify",
        "/password/reset/verify",
        "/me/password",
        "/me/data",
        "/admin/users",
    } <= password_pages


def test_every_html_page_is_checked(app: Any, staff_world: World) -> None:
    """A new page joins the list above, or this fails."""
    adapter = app.url_map.bind("localhost")
    paths = [path.split("?")[0] for paths in pages(staff_world, 0).values() for path in paths]
    checked = {adapter.match(path)[0] for path in paths}
    html_pages = {
        r.endpoint
        for r in app.url_map.iter_rules()
        if "GET" in r.methods and not r.rule.startswith(NOT_PAGES) and not r.rule.endswith(NOT_PAGE_ENDINGS)
    }
    assert html_pages - checked == set()


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/login", {"phone": "123", "password": ""}),
        ("/me/password", {"old_password": "", "password": "short", "confirm": "other"}),
    ],
)
def test_forms_with_errors_keep_passwords_masked(
    client: Any, staff_world: World, path: str, data: dict[str, str]
) -> None:
    log_in(client, staff_world.users["seeker"] if path.startswith("/me") else None)
    token = token_in(client.get(path).get_data(as_text=True))
    html = client.post(path, data={**data, "csrf_token": token}).get_data(as_text=True)
    assert 'aria-invalid="true"' in html
    assert attribute_faults(html) == []
