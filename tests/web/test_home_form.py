"""The home search form without JavaScript: a ready-made search chip keeps what was typed; and one
list of distances (COMMUTE_KM) on every form that asks how far a worker can travel, 30 km included."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import select

from tests.web.staff import World, csrf_token, log_in
from web.models import Worker
from web.schemas import COMMUTE_KM


class Form(HTMLParser):
    """The submit buttons of the page's search form and the options of each <select>, by name."""

    def __init__(self) -> None:
        super().__init__()
        self.buttons: list[dict[str, str | None]] = []
        self.selects: dict[str, list[str]] = {}
        self._select: str | None = None
        self._in_search = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self._in_search = "search" in (a.get("class") or "").split()
        elif tag == "button" and self._in_search and a.get("type") == "submit":
            self.buttons.append(a)
        elif tag == "select":
            self._select = a.get("name") or ""
            self.selects[self._select] = []
        elif tag == "option" and self._select is not None:
            self.selects[self._select].append(a.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._in_search = False


def parse(html: str) -> Form:
    form = Form()
    form.feed(html)
    return form


def text(response: Any) -> str:
    return response.get_data(as_text=True)


# --- chips


def test_chips_are_submit_buttons_of_the_search_form(client: Any) -> None:
    page = text(client.get("/"))
    form = parse(page)
    chips = [b for b in form.buttons if b.get("name") == "example"]
    assert [c["value"] for c in chips][:3] == ["电焊", "开挖掘机", "进厂"]
    assert form.buttons[0].get("name") is None  # Enter in a field submits the search, not the first chip
    chips_html = re.search(r'<p class="chips">(.*?)</p>', page, re.S).group(1)
    assert "<a " not in chips_html  # a link would drop the place typed so far


def test_a_chip_searches_from_the_place_already_typed(client: Any) -> None:
    page = text(
        client.get(
            "/search",
            query_string={"q": "", "place": "榕江县", "km": "30", "wage": "4000", "example": "电焊"},
        )
    )
    assert "“电焊”" in page and "家在贵州省黔东南苗族侗族自治州榕江县" in page and "30 公里以内" in page
    assert 'id="place" name="place" value="榕江县"' in page  # the form to change the search keeps it


def test_a_chip_replaces_the_words_typed_but_not_the_rest(client: Any) -> None:
    chip = text(client.get("/search", query_string={"q": "会开车", "place": "榕江县", "example": "厨师"}))
    assert "“厨师”" in chip and "“会开车”" not in chip and "家在" in chip
    typed = text(client.get("/search", query_string={"q": "会开车", "place": "榕江县"}))
    assert "“会开车”" in typed


# --- one list of distances


@pytest.fixture
def seeker(client: Any, db_session: Any, staff_world: World) -> World:
    log_in(client, staff_world.users["seeker"])
    return staff_world


def options(html: str, name: str = "km") -> list[str]:
    return [v for v in parse(html).selects[name] if v]  # "" is "no limit" / "this county"


def test_every_distance_choice_is_the_one_list(client: Any, seeker: World, db_session: Any) -> None:
    wanted = [str(k) for k in COMMUTE_KM]
    assert "30" in wanted
    assert options(text(client.get("/"))) == wanted
    assert options(text(client.get("/search", query_string={"q": "电焊", "place": "榕江县"}))) == wanted
    assert options(text(client.get("/me/profile"))) == wanted
    assert options(text(client.get("/jobs/near", query_string={"place": "榕江县"}))) == wanted
    save_profile(client, "20")
    assert options(text(client.get("/me/matches"))) == wanted
    log_in(client, seeker.users["bureau"])
    assert options(text(client.get("/bureau/workers/new"))) == wanted
    assert options(text(client.get(f"/bureau/workers/{seeker.workers['own'].id}/edit"))) == wanted


def save_profile(client: Any, km: str) -> Any:
    return client.post(
        "/me/profile",
        data={
            "csrf_token": csrf_token(client, "/me/profile"),
            "km": km,
            "description": "会电焊，在工地干过三年",
            "place": "榕江县",
        },
    )


def test_thirty_km_is_accepted_everywhere(client: Any, seeker: World, db_session: Any) -> None:
    search = text(client.get("/search", query_string={"q": "电焊", "place": "榕江县", "km": "30"}))
    assert "30 公里以内" in search and 'class="error"' not in search
    assert save_profile(client, "30").status_code == 302
    worker = db_session.scalar(select(Worker).where(Worker.user_id == seeker.users["seeker"].id))
    assert worker.max_commute_km == 30
    assert '<option value="30" selected>' in text(client.get("/me/profile"))
    matches = text(client.get("/me/matches", query_string={"km": "30"}))
    assert re.search(r'<option value="30"\s*selected', matches) and 'role="alert"' not in matches
    listing = text(client.get("/jobs/near", query_string={"place": "榕江县", "km": "30"}))
    assert 'role="alert"' not in listing
    log_in(client, None)  # the API by token, as an app would
    headers = {"Authorization": f"Bearer {seeker.tokens['seeker']}"}
    put = client.put(
        "/api/v1/me/profile", headers=headers, json={"description": "会电焊", "place": "榕江县", "km": 30}
    )
    assert put.status_code == 200 and put.get_json()["km"] == 30


def test_the_bureau_registers_thirty_km_and_shows_an_old_value_as_the_next_choice(
    client: Any, seeker: World, db_session: Any
) -> None:
    log_in(client, seeker.users["bureau"])
    worker_id = seeker.workers["own"].id
    path = f"/bureau/workers/{worker_id}/edit"
    db_session.get(Worker, worker_id).max_commute_km = 25  # stored before the list was one
    db_session.commit()
    assert re.search(r'<option selected value="30">|<option value="30" selected', text(client.get(path)))
    form = {
        "name": "工人own",
        "description": "会电焊",
        "place": "榕江县古州镇",
        "km": "30",
        "consent": "y",
        "consent_method": "verbal",
        "csrf_token": csrf_token(client, path),
    }
    assert client.post(path, data=form).status_code == 302
    db_session.expire_all()
    assert db_session.get(Worker, worker_id).max_commute_km == 30
    form["km"] = "25"
    refused = client.post(path, data=form)
    assert refused.status_code == 400 and db_session.get(Worker, worker_id).max_commute_km == 30
