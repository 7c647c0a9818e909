"""The access-control matrix, generated from the policy: every guarded route × every role ×
an object in the user's own county / another county of the same pair / another region (and
the eastern side), checked against an expectation written here independently of the policy's
scope code. An action outside one's role answers 403, an object outside one's scope 404, and
both leave an entry in the audit log."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.web.staff import log_in
from web import create_app
from web.models import AuditEntry
from web.policy import POLICY

USERS = ("anonymous", "seeker", "bureau", "bureau_same", "bureau_other", "collab", "admin")
ROLE_OF = {"anonymous": None, "seeker": "seeker", "bureau": "bureau", "bureau_same": "bureau",
           "bureau_other": "bureau", "collab": "collab", "admin": "admin"}
# Where each kind of object lives for each location of the test world.
WEST = ("own", "other_county", "other_region")
EAST = ("east", "far_east")
SIDE = {"worker": "west", "placement": "west", "checkin": "west", "household": "west", "posting": "east"}
# Hand-written scope: which locations each user may reach, per rule scope and object side.
IN_COUNTY = {"bureau": {"own"}, "bureau_same": {"own"}, "bureau_other": {"other_county"}}
IN_PAIR = {"collab": {"west": {"own", "other_county"}, "east": {"east"}}}
# Postings do not move between sides: a bureau's vacancies are in its county (west side).
LOCATIONS = {"west": WEST, "east": WEST + EAST}
# URL arguments that are not object ids get a valid sample value.
SAMPLES = {"fmt": "csv"}


def guarded_routes() -> list[tuple[str, str, str, str | None, str | None]]:
    """(rule, method, action, object type, URL parameter) for every guarded view."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
    found = []
    for rule in app.url_map.iter_rules():
        policy = getattr(app.view_functions[rule.endpoint], "_policy", None)
        if policy is None:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.rule, method, *policy))
    return found


ROUTES = guarded_routes()


def expected(user: str, action: str, obj: str | None, location: str | None) -> str:
    """'login', 403, 404 or 'ok' from the policy's roles and the hand-written scope."""
    if user == "anonymous":
        return "login"
    rule = POLICY[action]
    if ROLE_OF[user] not in rule.roles:
        return "403"
    if user == "admin" or obj is None or rule.scope == "none":
        return "ok"
    if rule.scope == "county":
        return "ok" if location in IN_COUNTY.get(user, set()) else "404"
    return "ok" if location in IN_PAIR.get(user, {}).get(SIDE[obj], set()) else "404"


def url_for_rule(rule: str, param: str | None, obj_id: int | None, world: Any, location: str) -> str:
    """Fill the rule's arguments: the guarded object, and any other *_id with the same location's."""
    def fill(match: re.Match[str]) -> str:
        name = match.group(2)
        if name == param and obj_id is not None:
            return str(obj_id)
        kind = name.removesuffix("_id")
        table = getattr(world, kind + "s", None) if kind in (*SIDE, "report", "application") else None
        if table is not None:
            return str(table.get(location, next(iter(table.values()))).id)
        return SAMPLES.get(name, "1")
    return re.sub(r"<(?:([^:<>]+):)?([^<>]+)>", fill, rule)


def test_every_staff_action_is_in_the_policy() -> None:
    assert len(ROUTES) >= 10, "the staff workspaces should declare their actions"
    assert {action for _, _, action, _, _ in ROUTES} <= set(POLICY)


@pytest.mark.parametrize(("rule", "method", "action", "obj", "param"), ROUTES,
                         ids=[f"{m} {r}" for r, m, *_ in ROUTES])
def test_policy_matrix(app: Any, client: Any, db_session: Any, staff_world: Any, monkeypatch: Any,
                       rule: str, method: str, action: str, obj: str | None, param: str | None) -> None:
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # the matrix is about the policy
    if "<int:job_id>" in rule:
        _import_job_matrix(client, db_session, staff_world, rule, method, action)
        return
    if "<int:export_id>" in rule:
        _export_job_matrix(client, db_session, staff_world, rule, method, action)
        return
    locations = LOCATIONS[SIDE[obj]] if obj else ("none",)
    wrong: list[str] = []
    for user in USERS:
        for location in locations:
            obj_id = getattr(staff_world, obj + "s")[location].id if obj else None
            url = url_for_rule(rule, param, obj_id, staff_world, location)
            want = expected(user, action, obj, location)
            got = _call(client, staff_world, user, method, url)
            if not _agrees(want, got, url):
                wrong.append(f"{user:13} {location:12} {method} {url}: expected {want}, got {got}")
            if want in ("403", "404"):
                outcome = "forbidden" if want == "403" else "not_found"
                logged = db_session.scalar(select(func.count(AuditEntry.id)).where(
                    AuditEntry.user_id == staff_world.users[user].id, AuditEntry.action == action,
                    AuditEntry.outcome == outcome))
                if not logged:
                    wrong.append(f"{user:13} {location:12} {method} {url}: {want} not in the audit log")
    assert not wrong, "\n".join(wrong)


def _import_job_matrix(client: Any, session: Any, world: Any, rule: str, method: str, action: str) -> None:
    """An import job's pages: the action is the bureau's, and the view itself keeps a job to its
    county (any county for an admin), so another county's job is a 404."""
    from tests.web.staff import finished_import_job

    wrong = []
    for location in WEST:
        url = rule.replace("<int:job_id>", str(finished_import_job(session, world, location)))
        for user in USERS:
            want = expected(user, action, None, None)
            if want == "ok" and user != "admin" and location not in IN_COUNTY.get(user, set()):
                want = "404"
            got = _call(client, world, user, method, url)
            if not _agrees(want, got, url):
                wrong.append(f"{user:13} {location:12} {method} {url}: expected {want}, got {got}")
    assert not wrong, "\n".join(wrong)


def _export_job_matrix(client: Any, session: Any, world: Any, rule: str, method: str, action: str) -> None:
    """A large download's job pages: the action is the workspace's, and the view keeps the job to
    its county (bureau) or pair (office), any for an admin; another's job is a 404."""
    from tests.web.staff import EXPORT_PAGES, finished_export_job

    kind = next(k for k, prefix in EXPORT_PAGES.items() if rule.startswith(prefix))
    wrong = []
    for location in (("own", "other") if kind == "collab_table" else WEST):
        url = rule.replace("<int:export_id>", str(finished_export_job(session, world, kind, location)))
        for user in USERS:
            want = expected(user, action, None, None)
            reach = {"collab": {"own"}} if kind == "collab_table" else IN_COUNTY
            if want == "ok" and user != "admin" and location not in reach.get(user, set()):
                want = "404"
            got = _call(client, world, user, method, url)
            if not _agrees(want, got, url):
                wrong.append(f"{user:13} {location:12} {method} {url}: expected {want}, got {got}")
    assert not wrong, "\n".join(wrong)


def _call(client: Any, world: Any, user: str, method: str, url: str) -> Any:
    api = url.startswith("/api/")
    log_in(client, None if (api or user == "anonymous") else world.users[user])
    headers = {"Authorization": f"Bearer {world.tokens[user]}"} if api and user != "anonymous" else {}
    kwargs: dict[str, Any] = {"headers": headers}
    if method != "GET":
        kwargs["json" if api else "data"] = {}
    return client.open(url, method=method, **kwargs)


def _agrees(want: str, response: Any, url: str) -> bool:
    status = response.status_code
    if status >= 500:
        return False
    if want == "login":
        return status == 401 if url.startswith("/api/") else status == 302 and "/login" in response.location
    if want in ("403", "404"):
        return str(status) == want
    return status not in (401, 403, 404) and not (status == 302 and "/login" in (response.location or ""))
