"""Input the database cannot hold is a 4xx at one boundary (web.inputguard), never a 500: control
characters in every form and API write and every page's query string, ids out of range in every
id-taking query argument and JSON field, and JSON nested 100,000 deep."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.web.staff import csrf_token, log_in
from web.inputguard import MAX_ID, json_depth_exceeds, query_page, valid_id
from web.models import Posting, PostingReport

BAD_CHARS = {"nul": "\x00", "esc": "\x1b"}
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
REFUSED = "控制字符"


def _url(rule: Any) -> str:
    """A concrete URL for a rule: every path argument filled with 1 (or a word)."""
    return re.sub(r"<(?:([^:<>()]+)(?:\([^)]*\))?:)?([^<>]+)>",
                  lambda m: "1" if (m.group(1) or "").startswith("int") else "x", rule.rule)


def _rules(app: Any, methods: tuple[str, ...]) -> list[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule.startswith("/api/v1/docs"):
            continue
        for method in sorted((rule.methods or set()) & set(methods)):
            found.add((method, _url(rule)))
    return sorted(found)


def _write_endpoints() -> list[tuple[str, str]]:
    from web import create_app

    return _rules(create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}), WRITE_METHODS)


WRITES = _write_endpoints()


def test_every_write_endpoint_is_enumerated() -> None:
    """The parametrisation below covers the site's forms and the API's writes (33 + 15 at least)."""
    assert len([w for w in WRITES if not w[1].startswith("/api/")]) >= 33
    assert len([w for w in WRITES if w[1].startswith("/api/")]) >= 15
    assert ("POST", "/jobs/1/report") in WRITES and ("POST", "/api/v1/jobs/1/reports") in WRITES


@pytest.mark.parametrize("char", BAD_CHARS.values(), ids=BAD_CHARS.keys())
@pytest.mark.parametrize(("method", "url"), WRITES)
def test_control_characters_are_refused_by_every_write(client: Any, method: str, url: str, char: str) -> None:
    """With a valid CSRF token: a form field, a JSON string or a JSON key with NUL/ESC is a 400 that
    names the problem, from the first hook of all, before sign-in, CSRF, limits, the view and the
    database (so who is signed in does not matter)."""
    token = csrf_token(client, "/login")
    form = client.open(url, method=method, data={"csrf_token": token, "detail": f"要交押金{char}",
                                                 "reason": "fees", "title": f"焊工{char}"})
    body = client.open(url, method=method, json={"detail": f"a{char}b", "reason": "fees"},
                       headers={"X-CSRFToken": token})
    key = client.open(url, method=method, json={f"k{char}": 1}, headers={"X-CSRFToken": token})
    for response in (form, body, key):
        assert response.status_code == 400, (url, response.status_code)
        assert REFUSED in _said(response)


def test_pages_refuse_control_characters_in_the_query_string(client: Any, app: Any, staff_world: Any) -> None:
    """Every GET page: a NUL in a query argument (value or name) is a 400, never a 500."""
    log_in(client, staff_world.users["admin"])
    for _, url in _rules(app, ("GET",)):
        for query in ("q=%00", "place=%1b", "a%00b=1"):
            response = client.get(f"{url}?{query}")
            assert response.status_code == 400, (url, query, response.status_code)


def test_the_anonymous_report_forms_store_nothing_with_a_nul(client: Any, db_session: Any) -> None:
    """The two anonymous writes the probe found (500 on PostgreSQL): 400, and no report stored."""
    posting_id = db_session.scalar(select(Posting.id).where(Posting.status == "open").limit(1))
    before = db_session.scalar(select(func.count(PostingReport.id)))
    token = csrf_token(client, f"/jobs/{posting_id}")
    site = client.post(f"/jobs/{posting_id}/report", data={"csrf_token": token, "reason": "fees",
                                                            "detail": "押金\x00"})
    api = client.post(f"/api/v1/jobs/{posting_id}/reports", json={"reason": "fees", "detail": "押金\x00"},
                      headers={"X-CSRFToken": token})
    assert site.status_code == 400 and REFUSED in _said(site)
    assert api.status_code == 400 and REFUSED in _said(api)
    assert db_session.scalar(select(func.count(PostingReport.id))) == before
    fine = client.post(f"/jobs/{posting_id}/report", data={"csrf_token": token, "reason": "fees",
                                                            "detail": "押金\t两百\r\n元"})
    assert fine.status_code == 302  # tab and line breaks are text


def test_deep_json_is_refused_before_parsing(client: Any, db_session: Any) -> None:
    """100,000 nested arrays (RecursionError before) are a 400; so is a deep object in any API write."""
    deep = b"[" * 100_000 + b"]" * 100_000
    for url in ("/api/v1/auth/token", "/api/v1/jobs/1/reports", "/api/v1/me/profile"):
        response = client.post(url, data=deep, content_type="application/json")
        assert response.status_code == 400, url
        assert "嵌套" in response.get_json()["message"]
    nested = b'{"a":' * 100 + b"1" + b"}" * 100
    assert client.post("/api/v1/auth/token", data=nested, content_type="application/json").status_code == 400


def test_json_depth_scan_skips_strings() -> None:
    """Brackets inside strings do not count; escaped quotes do not end a string."""
    assert not json_depth_exceeds(b'{"a": "' + b"[" * 500 + b'"}')
    assert not json_depth_exceeds(b'["\\"' + b"[" * 500 + b'"]')
    assert json_depth_exceeds(b"[" * 65 + b"]" * 65)
    assert not json_depth_exceeds(b"[" * 64 + b"]" * 64)


def test_ids_are_checked_to_the_database_range() -> None:
    """1 … 2³¹−1 are ids; 0, negatives, 2³¹, signs, spaces inside and non-ASCII digits are not."""
    assert valid_id("1") == 1 and valid_id(MAX_ID) == MAX_ID and valid_id(" 42 ") == 42
    for bad in ("0", "-1", str(MAX_ID + 1), "99999999999999999999", "+1", "1 2", "١", "", None, "1e3"):
        assert valid_id(bad) is None, bad


def test_page_numbers_are_clamped(app: Any) -> None:
    """Paging never reaches the database with an offset it cannot hold."""
    for raw, page in (("", 1), ("0", 1), ("3", 3), ("99999999999", 1), ("20000", 10_000), ("-2", 1)):
        with app.test_request_context(f"/?page={raw}"):
            assert query_page() == page


BIG = str(2**31)


def test_big_ids_in_query_strings_are_not_found(client: Any, staff_world: Any) -> None:
    """Every id-taking query argument: 2³¹ is a 404 or a plain page, never a database error."""
    log_in(client, staff_world.users["admin"])
    for url in ("/collab/", "/collab/supply", "/collab/funnel", "/collab/push", "/collab/pushes"):
        assert client.get(f"{url}?pair={BIG}").status_code == 404, url
        assert client.get(f"{url}?pair=0").status_code == 404, url
    chooser = client.get(f"/bureau/placements/new?worker_id={BIG}")
    assert chooser.status_code == 200
    for url in ("/bureau/placements", "/collab/pushes"):
        assert client.get(f"{url}?page={BIG}").status_code == 200, url
    assert client.get(f"/jobs/near?page={BIG}").status_code == 400  # the form says the page is wrong
    for url in ("/api/v1/collab/supply", "/api/v1/collab/funnel", "/api/v1/collab/pushes"):
        response = client.get(f"{url}?pair={BIG}", headers=_bearer(staff_world, "admin"))
        assert response.status_code == 422, url
    for url in ("/api/v1/bureau/placements", "/api/v1/collab/pushes", "/api/v1/jobs/near"):
        response = client.get(f"{url}?page={BIG}", headers=_bearer(staff_world, "admin"))
        assert response.status_code == 422, url


def test_big_ids_in_json_and_forms_are_refused(client: Any, staff_world: Any) -> None:
    """posting_ids, worker_ids, pair, worker_id, application_id: 2³¹ is a 4xx with the field named."""
    admin = _bearer(staff_world, "admin")
    push = {"posting_ids": [2**31], "worker_ids": [staff_world.workers["own"].id]}
    response = client.post("/api/v1/collab/pushes", json=push, headers=admin)
    assert response.status_code == 422 and "posting_ids" in response.get_json()["detail"]["json"]
    push = {"posting_ids": [1], "worker_ids": [2**31], "pair": 2**31}
    detail = client.post("/api/v1/collab/pushes", json=push, headers=admin).get_json()["detail"]["json"]
    assert {"worker_ids", "pair"} <= set(detail)
    bureau = _bearer(staff_world, "bureau")
    worker_id = staff_world.workers["own"].id
    for body in ({"worker_id": 2**31, "started_on": "2026-11-01"},
                 {"worker_id": worker_id, "application_id": 2**31, "started_on": "2026-11-01"}):
        response = client.post("/api/v1/bureau/placements", json=body, headers=bureau)
        assert response.status_code == 422, body
    log_in(client, staff_world.users["collab"])
    token = csrf_token(client, "/collab/push")
    form = client.post("/collab/push", data={"csrf_token": token, "posting_ids": BIG, "worker_ids": "1"})
    assert form.status_code == 400
    log_in(client, staff_world.users["admin"])
    token = csrf_token(client, "/admin/users")
    user_id = staff_world.users["seeker"].id
    role = client.post(f"/admin/users/{user_id}/roles", data={"csrf_token": token, "role": "collab",
                                                              "pair": "99999999999"})
    assert role.status_code == 400 and "结对" in role.get_data(as_text=True)


def _said(response: Any) -> str:
    """The words of an answer: the JSON message under /api, else the page."""
    return response.get_json()["message"] if response.is_json else response.get_data(as_text=True)


def _bearer(world: Any, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[name]}"}
