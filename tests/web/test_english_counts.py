"""English wording of counts and menus: "1 person", "2 people"; menus name their lists in the plural."""

from __future__ import annotations

from typing import Any

from tests.web.staff import log_in
from tests.web.test_page_language import site  # noqa: F401 - a fixture
from web.models import Posting


def test_job_page_counts_openings_in_the_singular_and_plural(client: Any, site: Any,  # noqa: F811
                                                              db_session: Any) -> None:
    for key, headcount, words in (("own", 1, "<dd>1 person</dd>"), ("east", 2, "<dd>2 people</dd>")):
        posting = db_session.get(Posting, site.postings[key].id)
        posting.headcount = headcount
        db_session.commit()
        html = client.get(f"/jobs/{posting.id}?lang=en").get_data(as_text=True)
        assert words in html, (headcount, html[html.find("Openings"):][:80])
    assert "<dd>2人</dd>" in client.get(f"/jobs/{posting.id}?lang=zh").get_data(as_text=True)


def test_menus_name_lists_in_the_plural(client: Any, site: Any) -> None:  # noqa: F811
    log_in(client, site.login["bureau"])
    html = client.get("/bureau/?lang=en").get_data(as_text=True)
    assert ">Jobs</a>" in html and ">Placement records</a>" in html
    log_in(client, site.login["admin"])
    html = client.get("/admin/?lang=en").get_data(as_text=True)
    assert ">Key assistance counties</a>" in html


def test_home_label_is_capitalised(client: Any, site: Any) -> None:  # noqa: F811
    log_in(client, site.login["seeker"])
    html = client.get("/me/matches?lang=en").get_data(as_text=True)
    assert "Home: " in html and "home: " not in html
