"""Every page of the site in each language: no Chinese wording on English pages, no English
wording on Chinese pages, outside data (see tests/web/pages.py for what counts as data).

Every GET route must be rendered here or listed in SKIPPED with its reason; a new route that is
neither fails ``test_every_get_route_is_rendered_or_skipped``. A failure lists, per page, each text
that is not in the page's language, so the fix is a translation (or a data region marked with
``translate="no"``) in the template that renders it.
"""

from __future__ import annotations

from typing import Any

import pytest

from matching.occupations import load_classification
from tests.web.pages import Case, cjk_outside_data, glued_punctuation, latin_outside_data, now, stored_strings
from tests.web.staff import finished_export_job, finished_import_job, log_in
from web.models import Application, JobPush, PostingMark, User, Worker
from web.services.push_reach import sign_push

# Routes that render no HTML page for people, with the reason.
SKIPPED = {
    "static": "static files",
    "openapi.docs": "the API's Swagger UI (third-party page, English only)",
    "docs.api_docs": "the API's Swagger UI, served from static files (third-party page, English only)",
    "openapi.swagger_ui_oauth_redirect": "the Swagger UI's OAuth helper",
    "openapi.spec": "JSON (the API's OpenAPI document)",
    "health.healthz": "JSON for monitoring",
    "search.suggest_places": "JSON for the place box",
    "account.my_data_download": "JSON download (machine-readable; test_my_data covers it)",
    "bureau.template_csv": "CSV download",
    "bureau.template_xlsx": "XLSX download",
    "followup.report_xlsx": "XLSX download",
    "collab.export": "XLSX downloads",
    "search.favicon": "an image",
    "bureau.import_job_status": "JSON for the progress page",
    "bureau.import_job_report": "XLSX download",
    "bureau.import_export_file": "XLSX download",
    "followup.report_export_file": "XLSX download",
    "collab.export_job_file": "XLSX download",
}
SKIPPED_PREFIXES = {"api": "JSON API (test_api_language covers its wording)"}


CASES = [
    Case("search.index", None, lambda w: "/"),
    Case("search.results", None, lambda w: "/search?q=会电焊&place=榕江县&km=30&relocate=on"),
    Case("search.results", None, lambda w: "/search?q=会电焊&place=榕江县&km=abc", status=400),
    Case("search.results", None, lambda w: "/search?q=xyz&place=火星基地", status=400),
    Case("seeker.ranking", None, lambda w: "/about/ranking"),
    Case("seeker.listing", None, lambda w: "/jobs/near?place=榕江县"),
    Case("jobs.show", None, lambda w: f"/jobs/{w.postings['own'].id}"),
    Case("jobs.show", "seeker", lambda w: f"/jobs/{w.postings['own'].id}"),
    Case("jobs.show", "seeker", lambda w: f"/jobs/{w.extra['applied_posting']}"),
    Case("account.login", None, lambda w: "/login"),
    Case("account.signup", None, lambda w: "/signup"),
    Case("account.signup_verify", None, lambda w: "/signup/verify", session={"signup_phone": "13800138009"}),
    Case("account.reset", None, lambda w: "/password/reset"),
    Case(
        "account.reset_verify",
        None,
        lambda w: "/password/reset/verify",
        session={"reset_phone": "19800000006"},
    ),
    Case("account.consent", "newcomer", lambda w: "/consent"),
    Case("account.password", "seeker", lambda w: "/me/password"),
    Case("account.my_data", "seeker", lambda w: "/me/data"),
    Case("seeker.profile", "seeker", lambda w: "/me/profile"),
    Case("seeker.profile", "newcomer_consented", lambda w: "/me/profile"),
    Case("seeker.matches", "seeker", lambda w: "/me/matches"),
    Case("seeker.matches", "seeker", lambda w: "/me/matches?view=map"),
    Case("seeker.saved", "seeker", lambda w: "/me/saved"),
    Case("applications.mine", "seeker", lambda w: "/me/applications"),
    Case("moderation.queue", "admin", lambda w: "/moderation/reports"),
    Case("admin.index", "admin", lambda w: "/admin/"),
    Case("admin.users", "admin", lambda w: "/admin/users"),
    Case("admin.sources", "admin", lambda w: "/admin/sources"),
    Case("admin_sources.new", "admin", lambda w: "/admin/sources/new"),
    Case("admin_sources.detail", "admin", lambda w: f"/admin/sources/{w.postings['own'].source_id}"),
    Case("admin_sources.edit", "admin", lambda w: f"/admin/sources/{w.postings['own'].source_id}/edit"),
    Case("admin.pairs", "admin", lambda w: "/admin/pairs"),
    Case("admin.key_counties", "admin", lambda w: "/admin/key-counties"),
    Case("bureau.home", "bureau", lambda w: "/bureau/"),
    Case("bureau.vacancies", "bureau", lambda w: "/bureau/vacancies"),
    Case("bureau.new_vacancy", "bureau", lambda w: "/bureau/vacancies/new"),
    Case("bureau.edit_vacancy", "bureau", lambda w: f"/bureau/vacancies/{w.postings['own'].id}/edit"),
    Case("bureau.candidates", "bureau", lambda w: f"/bureau/vacancies/{w.postings['own'].id}/candidates"),
    Case("bureau.import_sheet", "bureau", lambda w: "/bureau/import"),
    Case("bureau.import_job", "bureau", lambda w: f"/bureau/import/jobs/{w.extra['import_job']}"),
    Case("bureau.import_export", "bureau", lambda w: f"/bureau/import/exports/{w.extra['import_export']}"),
    Case("followup.report_export", "bureau", lambda w: f"/bureau/report/exports/{w.extra['report_export']}"),
    Case("followup.report_export", "bureau", lambda w: f"/bureau/report/exports/{w.extra['failed_export']}"),
    Case("collab.export_job", "collab", lambda w: f"/collab/exports/{w.extra['collab_export']}"),
    Case("bureau.workers", "bureau", lambda w: "/bureau/workers"),
    Case("bureau.new_worker", "bureau", lambda w: "/bureau/workers/new"),
    Case("bureau.edit_worker", "bureau", lambda w: f"/bureau/workers/{w.workers['own'].id}/edit"),
    Case("bureau.household", "bureau", lambda w: f"/bureau/workers/{w.workers['own'].id}/household"),
    Case("bureau.worker_jobs", "bureau", lambda w: f"/bureau/workers/{w.workers['own'].id}/jobs"),
    Case("followup.worker_slips", "bureau", lambda w: f"/bureau/workers/{w.workers['own'].id}/slips"),
    Case("bureau.no_match", "bureau", lambda w: "/bureau/no-match"),
    Case("bureau.outreach", "bureau", lambda w: "/bureau/outreach"),
    Case("followup.placements", "bureau", lambda w: "/bureau/placements"),
    Case("followup.placement", "bureau", lambda w: f"/bureau/placements/{w.placements['own'].id}"),
    Case("followup.choose_worker", "bureau", lambda w: "/bureau/placements/new"),
    Case("followup.new_placement", "bureau", lambda w: f"/bureau/placements/new/{w.workers['own'].id}"),
    Case("followup.checkins", "bureau", lambda w: "/bureau/checkins"),
    Case("followup.report", "bureau", lambda w: "/bureau/report"),
    Case("followup.slips_page", "bureau", lambda w: "/bureau/slips"),
    Case("collab.home", "collab", lambda w: "/collab/"),
    Case("collab.supply", "collab", lambda w: "/collab/supply"),
    Case("collab.funnel", "collab", lambda w: "/collab/funnel"),
    Case("collab.push", "collab", lambda w: "/collab/push"),
    Case("collab.pushes", "collab", lambda w: "/collab/pushes"),
    Case("collab.worker", "collab", lambda w: f"/collab/workers/{w.workers['own'].id}"),
    Case("push_reply.reply", None, lambda w: f"/r/{w.extra['push_token']}"),
    Case("errors.not_found", None, lambda w: "/no-such-page", status=404),
    Case("errors.not_found", "seeker", lambda w: "/jobs/2147483646", status=404),
]


@pytest.fixture
def site(app: Any, staff_world: Any, db_session: Any, runtime: Any) -> Any:
    """The staff world plus a seeker with a profile, an application and a saved job, and a newcomer."""
    w = staff_world
    seeker = db_session.get(User, w.users["seeker"].id)
    home = w.places["own"]
    worker = Worker(
        user_id=seeker.id,
        name="",
        description="会电焊，在工地干过三年",
        home_place_id=home.id,
        home_text=home.full_name,
        lat=home.lat,
        lon=home.lon,
        max_commute_km=30,
        wage_expectation=4000,
        unavailable_months=[5, 9],
        employment_types=["full_time"],
        certificates=["welder"],
        languages=["putonghua"],
    )
    db_session.add(worker)
    db_session.flush()
    other = w.postings["other_county"].id
    db_session.add_all(
        [
            Application(worker_id=worker.id, posting_id=other),
            PostingMark(worker_id=worker.id, posting_id=w.postings["east"].id, kind="saved"),
        ]
    )
    newcomer = User(phone="13800138010", password_hash="x", display_name="")
    consented = User(
        phone="13800138011", password_hash="x", display_name="", consent_at=now(), consent_version="2026-11"
    )
    db_session.add_all([newcomer, consented])
    db_session.commit()
    push = JobPush(posting_id=w.postings["own"].id, worker_id=w.workers["own"].id)
    db_session.add(push)
    db_session.commit()
    secret = app.config["SECRET_KEY"]
    job = finished_import_job(db_session, w)
    w.extra = {"applied_posting": other, "push_token": sign_push(secret, push.id), "import_job": job,
               "import_export": finished_export_job(db_session, w, "import_report"),
               "report_export": finished_export_job(db_session, w, "county_report"),
               "failed_export": finished_export_job(db_session, w, "county_report", status="failed"),
               "collab_export": finished_export_job(db_session, w, "collab_table")}
    w.login = {
        "seeker": seeker,
        "newcomer": newcomer,
        "newcomer_consented": consented,
        **{k: db_session.get(User, v.id) for k, v in w.users.items() if k != "seeker"},
    }
    w.login = {k: _plain_user(u) for k, u in w.login.items()}
    w.data = stored_strings(db_session) + _occupation_names()
    return w


def _plain_user(user: User) -> Any:
    from tests.web.staff import Row

    return Row(id=user.id, session_version=user.session_version)


def _occupation_names() -> list[str]:
    """The classification's names that reasons and staff tables quote (data, in Chinese only)."""
    names = {e.name for e in load_classification(labelled=False)}
    return sorted(names, key=len, reverse=True)


def _get(client: Any, site: Any, case: Case, lang: str) -> str:
    log_in(client, site.login[case.role] if case.role else None)
    if case.session:
        with client.session_transaction() as s:
            s.update(case.session)
    path = case.path(site)
    response = client.get(path + ("&" if "?" in path else "?") + f"lang={lang}")
    assert response.status_code == case.status, f"{path} as {case.role}: {response.status_code}"
    return response.get_data(as_text=True)


def _report(found: dict[str, list[str]], what: str) -> str:
    lines = [f"{what} on {len(found)} page(s):"]
    for page, texts in found.items():
        lines.append(f"  {page}")
        lines.extend(f"      {t}" for t in dict.fromkeys(texts))
    return "\n".join(lines)


def test_every_get_route_is_rendered_or_skipped(app: Any) -> None:
    rendered = {c.endpoint for c in CASES}
    missing = sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ())
        and rule.endpoint not in rendered
        and rule.endpoint not in SKIPPED
        and rule.endpoint.split("_")[0].split(".")[0] not in SKIPPED_PREFIXES
    )
    assert missing == [], "render these GET routes in CASES, or list them in SKIPPED with a reason"


def _typed(case: Case, site: Any) -> list[str]:
    """What the visitor typed into the URL (data on the page that echoes it)."""
    from urllib.parse import parse_qsl, urlsplit

    return [v for _, v in parse_qsl(urlsplit(case.path(site)).query) if len(v) > 1]


def _longest_first(values: list[str]) -> list[str]:
    return sorted(set(values), key=len, reverse=True)


def test_english_pages_show_no_chinese_outside_data(client: Any, site: Any) -> None:
    found = {}
    for case in CASES:
        html = _get(client, site, case, "en")
        texts = cjk_outside_data(html, _longest_first(_typed(case, site) + site.data))
        texts += [f"no space after punctuation: {g}" for g in glued_punctuation(html)]
        if texts:
            found[f"{case.path(site)} ({case.role or 'signed out'})"] = texts
    assert not found, _report(found, "Chinese outside data")


def test_chinese_pages_show_no_english_outside_data(client: Any, site: Any) -> None:
    found = {}
    for case in CASES:
        html = _get(client, site, case, "zh")
        texts = latin_outside_data(html, _longest_first(_typed(case, site) + site.data))
        if texts:
            found[f"{case.path(site)} ({case.role or 'signed out'})"] = texts
    assert not found, _report(found, "English outside data")


def test_the_checker_finds_what_it_should() -> None:
    html = (
        '<p>Pay: 3000 yuan</p><p translate="no">电焊工</p><a lang="zh">中文</a>'
        '<p>Posted（today）</p><input type="submit" value="提交"><img alt="地图">'
    )
    assert cjk_outside_data(html, []) == ["Posted（today）", "提交", "地图"]
    assert cjk_outside_data("<p>Near 榕江县</p>", ["榕江县"]) == []
    assert latin_outside_data("<p>工资 3000 元 · 5 km · QR</p><p>Not a valid integer.</p>", []) == [
        "Not valid integer in: Not a valid integer."
    ]
