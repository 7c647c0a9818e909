"""What seekers read, in plain words: their own data, job cards (each fact once, publishers by
their public names), what happens after applying, withdrawing with a confirmation, and the
English site's wording (months, "Posted", pay, built-in form messages, the API's language)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import pytest
from sqlalchemy import select

from tests.web.pages import page_wording
from tests.web.staff import csrf_token, log_in
from web.models import Application, Posting, PostingMark, Source, Worker
from web.services.mydata import WORKER_FIELDS

ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
PYTHON_REPR = re.compile(r"\[[^\]]*\]|\bNone\b|\bTrue\b|\bFalse\b|\{'")


def text(response: Any) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def seeker(staff_world: Any, db_session: Any) -> Any:
    """The staff world's seeker with a profile (busy in May and September), one application and a mark."""
    w = staff_world
    home = w.places["own"]
    worker = Worker(
        user_id=w.users["seeker"].id,
        description="会电焊，在工地干过三年",
        home_place_id=home.id,
        home_text="榕江县古州镇",
        lat=home.lat,
        lon=home.lon,
        max_commute_km=30,
        will_relocate=False,
        wage_expectation=4000,
        unavailable_months=[5, 9],
        employment_types=["full_time"],
        certificates=["welder"],
        languages=["putonghua"],
    )
    db_session.add(worker)
    db_session.flush()
    db_session.add_all(
        [
            Application(worker_id=worker.id, posting_id=w.postings["own"].id, status="withdrawn"),
            PostingMark(worker_id=worker.id, posting_id=w.postings["east"].id, kind="saved"),
        ]
    )
    db_session.commit()
    w.worker_id = worker.id
    return w


def _visible(html: str) -> str:
    return " ".join(" ".join(page_wording(html)).split())


# --- 1. /me/data in plain words; the download complete


@pytest.mark.parametrize(
    ("lang", "months", "words"),
    [
        (
            "zh",
            "5月、9月",
            ("会做什么", "能走多远", "30 公里以内", "全职", "焊工证", "普通话", "已撤回", "已收藏"),
        ),
        (
            "en",
            "May, September",
            (
                "What you can do",
                "How far can you travel",
                "within 30 km",
                "full time",
                "Welder certificate",
                "Mandarin",
                "Withdrawn",
                "Saved",
            ),
        ),
    ],
)
def test_my_data_page_in_plain_words(client: Any, seeker: Any, lang: str, months: str, words: tuple) -> None:
    log_in(client, seeker.users["seeker"])
    page = text(client.get(f"/me/data?lang={lang}"))
    visible = _visible(page)
    assert months in visible
    for word in words:
        assert word.lower() in visible.lower(), word
    for field in (*WORKER_FIELDS, "home_place", "withdrawn", "full_time", "putonghua", "unavailable"):
        assert not re.search(rf"\b{field}\b", visible), f"internal name {field!r} on the page"
    assert not PYTHON_REPR.search(visible), PYTHON_REPR.search(visible)
    assert not ISO_TIME.search(page), "an ISO timestamp on the page"


def test_my_data_download_stays_complete_and_machine_readable(client: Any, seeker: Any) -> None:
    log_in(client, seeker.users["seeker"])
    response = client.get("/me/data.json?lang=en")
    data = json.loads(response.get_data(as_text=True))
    assert set(WORKER_FIELDS) | {"home_place"} <= set(data["profile"])
    assert data["profile"]["unavailable_months"] == [5, 9]
    assert data["profile"]["employment_types"] == ["full_time"]
    assert data["applications"][0]["status"] == "withdrawn"
    assert ISO_TIME.match(data["account"]["created_at"])
    assert {
        "account",
        "profile",
        "applications",
        "marks",
        "household_marks",
        "reports",
        "notifications",
        "api_tokens",
        "one_time_codes",
    } <= set(data)


# --- 2. job cards: each fact once, the publisher by its public name


def _cards(page: str) -> list[str]:
    return re.findall(r'<li class="match".*?</li>', page, flags=re.S)


def _assert_each_fact_once(cards: list[str], pay_pattern: str, distance_pattern: str | None) -> None:
    assert cards
    for card in cards:
        words = _visible(card)
        assert len(re.findall(pay_pattern, words)) == 1, words
        if distance_pattern:
            assert len(re.findall(distance_pattern, words)) <= 1, words


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cards_show_distance_and_pay_once(client: Any, seeker: Any, lang: str) -> None:
    pay = r"月薪|工资面议" if lang == "zh" else r"a month|pay negotiable"
    distance = r"离家\d+公里|就在附近" if lang == "zh" else r"km from home|close to home"
    log_in(client, seeker.users["seeker"])
    matches = text(client.get(f"/me/matches?lang={lang}"))
    _assert_each_fact_once(_cards(matches), pay, distance)
    assert re.search(distance, matches)
    log_in(client, None)
    results = text(
        client.get("/search", query_string={"q": "会电焊", "place": "榕江县", "km": 30, "lang": lang})
    )
    _assert_each_fact_once(_cards(results), pay, distance)
    listing = text(client.get(f"/jobs/near?place=榕江县&lang={lang}"))
    _assert_each_fact_once(_cards(listing), pay, None)


def test_no_internal_source_name_on_any_seeker_page(client: Any, seeker: Any, db_session: Any) -> None:
    internal = [s.name for s in db_session.scalars(select(Source))]
    assert "demo-bureau-export" in internal
    own = seeker.postings["own"].id
    pages = [
        "/",
        "/search?q=会电焊&place=榕江县&km=30",
        "/jobs/near?place=榕江县",
        f"/jobs/{own}",
        "/me/matches",
        "/me/saved",
        "/me/applications",
        "/me/data",
        "/api/v1/me/matches",
        "/api/v1/me/saved",
    ]
    log_in(client, seeker.users["seeker"])
    for path in pages:
        for lang in ("zh", "en"):
            body = text(client.get(path + ("&" if "?" in path else "?") + f"lang={lang}"))
            shown = [name for name in internal if name in body]
            assert not shown, f"{path} ({lang}) shows the internal source name(s) {shown}"
    assert "县人社局（演示数据）" in text(client.get("/me/matches?lang=zh"))


def test_a_source_without_public_name_reads_as_its_kind(client: Any, seeker: Any, db_session: Any) -> None:
    source = db_session.scalar(select(Source).where(Source.name == "demo-bureau-export"))
    posting_id = db_session.scalar(
        select(Posting.id).where(Posting.source_id == source.id, Posting.url.is_not(None)))
    source.public_name, internal = None, source.name
    db_session.commit()
    page = text(client.get(f"/jobs/{posting_id}"))
    assert "县人社局" in page and internal not in page
    assert "County job bureau" in text(client.get(f"/jobs/{posting_id}?lang=en"))


def test_public_name_phone_and_reply_days_come_from_the_sources_file(db_session: Any, tmp_path: Path) -> None:
    from web.cli import _read_sources
    from web.services.ingest import upsert_source

    toml = tmp_path / "sources.toml"
    toml.write_text(
        '[[source]]\nname = "rj"\nkind = "sheet"\npath = "/srv/x.csv"\ntrust = "bureau"\n'
        'public_name = "榕江县人社局"\ncontact_phone = "0855-6622110"\nreply_days = 3\n',
        encoding="utf-8",
    )
    source = upsert_source(db_session, _read_sources(toml)[0])
    assert (source.public_name, source.contact_phone, source.reply_days) == (
        "榕江县人社局",
        "0855-6622110",
        3,
    )
    assert "public_name" not in source.options
    toml.write_text('[[source]]\nname = "rj"\nkind = "sheet"\nreply_days = "soon"\n', encoding="utf-8")
    with pytest.raises(click.UsageError, match="reply_days"):
        _read_sources(toml)


def test_admin_sets_what_seekers_see_of_a_source(client: Any, seeker: Any, db_session: Any) -> None:
    source_id = db_session.get(Posting, seeker.postings["own"].id).source_id
    log_in(client, seeker.users["admin"])
    token = csrf_token(client, "/admin/sources")
    bad = client.post(f"/admin/sources/{source_id}/public", data={"csrf_token": token, "reply_days": "abc"})
    assert bad.status_code == 400 and "不是有效的整数" in text(bad)
    done = client.post(
        f"/admin/sources/{source_id}/public",
        data={
            "csrf_token": token,
            "public_name": "榕江县人社局",
            "contact_phone": "0855-6622110",
            "reply_days": "3",
        },
    )
    assert done.status_code == 302
    source = db_session.get(Source, source_id, populate_existing=True)
    assert (source.public_name, source.contact_phone, source.reply_days) == (
        "榕江县人社局",
        "0855-6622110",
        3,
    )


# --- 3. after applying: what happens next; withdrawing asks first


def _apply(client: Any, seeker: Any, posting_id: int, lang: str = "zh") -> str:
    token = csrf_token(client, f"/jobs/{posting_id}")
    client.post(f"/jobs/{posting_id}/apply", data={"csrf_token": token})
    return text(client.get(f"/jobs/{posting_id}?lang={lang}"))


def test_after_applying_the_page_says_who_calls_and_when(client: Any, seeker: Any, db_session: Any) -> None:
    posting = db_session.get(Posting, seeker.postings["other_county"].id)
    source = db_session.get(Source, posting.source_id)
    source.public_name, source.contact_phone, source.reply_days = "从江县人社局", "0855-6411234", 3
    posting_id = posting.id
    db_session.commit()
    log_in(client, seeker.users["seeker"])
    before = text(client.get(f"/jobs/{posting_id}"))
    assert "接下来会怎样" not in before
    page = _apply(client, seeker, posting_id)
    assert "从江县人社局会在3个工作日内打电话给你。" in page
    assert 'href="tel:0855-6411234"' in page
    english = text(client.get(f"/jobs/{posting_id}?lang=en"))
    assert "从江县人社局 will phone you within 3 working days." in english
    mine = text(client.get("/me/applications?lang=zh"))
    assert "从江县人社局会在3个工作日内打电话给你。" in mine and "0855-6411234" in mine


def test_without_configured_facts_nothing_is_promised(client: Any, seeker: Any, db_session: Any) -> None:
    posting = db_session.get(Posting, seeker.postings["other_county"].id)
    source = db_session.get(Source, posting.source_id)
    source.contact_phone, source.reply_days, source.trust = None, None, "aggregator"
    posting.url, posting_id = "https://jobs.example.cn/1", posting.id
    db_session.commit()
    log_in(client, seeker.users["seeker"])
    page = _apply(client, seeker, posting_id)
    assert "个工作日内" not in page and "tel:" not in page
    assert "就近不会把申请转给企业" in page
    assert "也可以按招聘原文的方式直接申请" in page and 'href="https://jobs.example.cn/1"' in page
    assert "进度有变化，会显示在“我的申请”里。" in page


def test_withdrawing_asks_for_confirmation_without_javascript(
    client: Any, seeker: Any, db_session: Any
) -> None:
    posting_id = seeker.postings["other_county"].id
    log_in(client, seeker.users["seeker"])
    _apply(client, seeker, posting_id)
    application = db_session.scalar(
        select(Application).where(
            Application.posting_id == posting_id, Application.worker_id == seeker.worker_id
        )
    )
    token = csrf_token(client, "/me/applications")
    asked = client.post(f"/me/applications/{application.id}/withdraw", data={"csrf_token": token})
    page = text(asked)
    assert asked.status_code == 200 and "确定要撤回" in page and 'name="confirm" value="1"' in page
    assert "<script" not in page.split("<main>")[1]
    assert db_session.get(Application, application.id, populate_existing=True).status == "submitted"
    done = client.post(
        f"/me/applications/{application.id}/withdraw", data={"csrf_token": token, "confirm": "1"}
    )
    assert done.status_code == 302
    assert db_session.get(Application, application.id, populate_existing=True).status == "withdrawn"


# --- 4. the English site's wording, form messages, the API's language


def test_english_job_page_profile_and_push_wording(client: Any, seeker: Any, db_session: Any) -> None:
    posting_id = seeker.postings["own"].id
    db_session.get(Posting, posting_id).posted_at = datetime(2026, 11, 20, tzinfo=UTC).date()
    db_session.commit()
    log_in(client, seeker.users["seeker"])
    job = _visible(text(client.get(f"/jobs/{posting_id}?lang=en")))
    assert "Posted" in job and not re.search(r"\bPost\b", job)
    assert "Posted by the county job bureau" in job and "employment bureau" not in job
    profile = _visible(text(client.get("/me/profile?lang=en")))
    assert "January" in profile and "December" in profile and "month 1" not in profile
    log_in(client, seeker.users["collab"])
    push = text(client.get("/collab/push?lang=en"))
    assert "a month" in push and "月薪" not in push and "工资面议" not in push


def test_built_in_form_messages_are_chinese_on_chinese_pages(client: Any) -> None:
    zh = text(client.get("/search", query_string={"q": "会电焊", "place": "榕江县", "km": "abc"}))
    assert "Not a valid integer" not in zh and "请填一个整数" in zh
    en = text(
        client.get("/search", query_string={"q": "会电焊", "place": "榕江县", "km": "abc", "lang": "en"})
    )
    assert "Enter a whole number" in en


def test_api_matches_follow_lang_and_accept_language(client: Any) -> None:
    query = {"q": "会电焊", "place": "榕江县", "km": 50}
    chinese = client.get("/api/v1/matches", query_string=query).get_json()["matches"]
    by_param = client.get("/api/v1/matches", query_string={**query, "lang": "en"}).get_json()["matches"]
    by_header = client.get(
        "/api/v1/matches", query_string=query, headers={"Accept-Language": "en-US,en;q=0.9"}
    ).get_json()["matches"]
    assert chinese and "月薪" in chinese[0]["wage"] + chinese[0]["reason"]
    for matches in (by_param, by_header):
        assert [m["id"] for m in matches] == [m["id"] for m in chinese]
        assert all("月薪" not in m["wage"] and "离家" not in m["reason"] for m in matches)
        assert any("a month" in m["wage"] for m in matches)
