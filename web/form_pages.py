"""Where each POST-only address's form lives: a browser that GETs such an address (a reload, a
bookmark, the language switch on a page a POST rendered) is sent to that page, never to a 405."""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for
from werkzeug.exceptions import HTTPException

HOME = "search.index"
# POST-only endpoint -> the GET page that holds its form (its URL arguments are passed on by name).
FORM_PAGES = {
    "account.delete": "account.my_data",
    "account.logout": HOME,
    "admin.assign_role": "admin.users",
    "admin.remove_role": "admin.users",
    "admin.remove_key_county": "admin.key_counties",
    "admin.set_source_enabled": "admin.sources",
    "admin.set_source_public": "admin.sources",
    "applications.withdraw": "applications.mine",
    "bureau.close_vacancy": "bureau.vacancies",
    "bureau.set_household": "bureau.household",
    "collab.set_response": "collab.worker",
    "followup.record_checkin": "followup.checkins",
    "jobs.apply": "jobs.show",
    "jobs.report": "jobs.show",
    "moderation.close_posting": "moderation.queue",
    "moderation.dismiss": "moderation.queue",
    "seeker.mark": "jobs.show",
}


def _accepts_get(endpoint: str) -> bool:
    return any("GET" in (rule.methods or ()) for rule in current_app.url_map.iter_rules(endpoint))


def form_page_url(endpoint: str | None, view_args: dict[str, Any] | None, **query: Any) -> str:
    """A GET page for this endpoint: itself if it answers GET, else the page holding its form, else home."""
    view_args = view_args or {}
    if endpoint and endpoint in current_app.view_functions and _accepts_get(endpoint):
        return url_for(endpoint, **view_args, **query)
    target = FORM_PAGES.get(endpoint or "", HOME)
    wanted = {arg for rule in current_app.url_map.iter_rules(target) for arg in rule.arguments}
    return url_for(target, **{k: v for k, v in view_args.items() if k in wanted}, **query)


def language_url(code: str) -> str:
    """This page in another language; after a POST, the GET page the form came from."""
    if request.method in ("GET", "HEAD") and request.endpoint:
        return url_for(request.endpoint, **dict(request.view_args or {}, **dict(request.args, lang=code)))
    return form_page_url(request.endpoint, request.view_args, lang=code)


def form_page_for_get() -> str | None:
    """For a GET that hit a POST-only address, the page holding its form (None if it is not one)."""
    if request.method not in ("GET", "HEAD"):
        return None
    try:
        endpoint, args = current_app.url_map.bind_to_environ(request.environ).match(method="POST")
    except HTTPException:
        return None
    lang = request.args.get("lang")
    return form_page_url(endpoint, args, **({"lang": lang} if lang else {}))
