"""Addresses that only take a form's POST: a GET (reload, bookmark, the language switch on a page
a POST rendered) goes back to the page that holds the form, and no page is an English 405 on the
Chinese site."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.staff import csrf_token, log_in
from tests.web.test_page_language import site  # noqa: F401 - a fixture
from web.models import Application, Worker


def post_only_rules(app: Any) -> list[Any]:
    """Every site (not API) route that answers POST but not GET."""
    return [
        r
        for r in app.url_map.iter_rules()
        if "POST" in (r.methods or ()) and "GET" not in (r.methods or ()) and not r.rule.startswith("/api/")
    ]


def _path(rule: Any) -> str:
    return re.sub(r"<[^>]+>", "1", rule.rule)


@pytest.mark.parametrize("role", [None, "seeker", "bureau", "collab", "admin"])
def test_a_get_on_a_post_only_route_redirects_or_is_translated(
    app: Any,
    client: Any,
    site: Any,  # noqa: F811
    role: str | None,
) -> None:
    rules = post_only_rules(app)
    assert len(rules) > 10
    log_in(client, site.login[role] if role else None)
    for rule in rules:
        response = client.get(_path(rule))
        html = response.get_data(as_text=True)
        assert response.status_code != 405, rule.rule
        assert "Method Not Allowed" not in html, rule.rule
        if 300 <= response.status_code < 400:
            target = response.headers["Location"].split("?")[0]
            assert client.get(target).status_code != 405, (rule.rule, target)


def test_get_goes_to_the_page_with_the_form(client: Any, site: Any) -> None:  # noqa: F811
    log_in(client, site.login["seeker"])
    assert client.get("/me/delete").headers["Location"] == "/me/data"
    assert client.get("/me/applications/5/withdraw?lang=en").headers["Location"] == "/me/applications?lang=en"
    posting = site.postings["own"].id
    assert client.get(f"/jobs/{posting}/apply").headers["Location"] == f"/jobs/{posting}"


def test_the_405_page_is_in_the_page_language(client: Any) -> None:
    response = client.put("/me/data")
    assert response.status_code == 405
    html = response.get_data(as_text=True)
    assert "这个地址只能通过页面上的按钮提交" in html and "Method Not Allowed" not in html
    html = client.put("/me/data?lang=en").get_data(as_text=True)
    assert "This address only takes a form" in html


def _switch(html: str) -> str:
    match = re.search(r'<nav class="lang"><a href="([^"]+)"', html)
    assert match
    return match.group(1).replace("&amp;", "&")


def test_the_language_switch_after_a_post_points_to_a_get_page(
    client: Any,
    site: Any,  # noqa: F811
    db_session: Any,
) -> None:
    log_in(client, site.login["seeker"])
    token = csrf_token(client, "/me/data")
    page = client.post("/me/delete", data={"csrf_token": token, "password": "wrong", "sure": "y"})
    assert page.status_code == 400
    assert _switch(page.get_data(as_text=True)) == "/me/data?lang=en"
    worker = db_session.query(Worker).filter_by(user_id=site.login["seeker"].id).one()
    application = db_session.query(Application).filter_by(worker_id=worker.id).one()
    page = client.post(f"/me/applications/{application.id}/withdraw", data={"csrf_token": token})
    assert page.status_code == 200
    switch = _switch(page.get_data(as_text=True))
    assert switch == "/me/applications?lang=en"
    assert client.get(switch).status_code == 200
