"""Seekers' pages: profile, matches with labels and filters, marks, listing, map, ranking page."""

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select, update

from tests.web.staff import csrf_token
from web.models import Posting, PostingMark, PostingSource, Source, User, Worker
from web.services.places import place_row

WELDER = {"description": "会电焊，在工地干过三年，想在县城附近干", "place": "贵州省黔东南州榕江县古州镇",
          "km": "20", "wage": "4000", "months": ["5", "9"], "types": ["full_time"],
          "certificates": ["welder", "driving_c1"], "certificates_other": "高压电工证",
          "languages": ["putonghua", "dialect"], "languages_other": "侗话",
          "availability": "农忙时要回家"}


def text(response):
    return response.get_data(as_text=True)


def make_user(session, phone="13800000001", consent=True):
    user = User(phone=phone, password_hash=PasswordHasher().hash("secret-pass-1"),
                consent_at=datetime.now(UTC) if consent else None,
                consent_version="2026-11" if consent else None)
    session.add(user)
    session.commit()  # a savepoint here: each request's teardown closes the session
    session.refresh(user)  # loaded, so its fields stay readable once the session is closed
    return user


def log_in(client, user):
    with client.session_transaction() as s:
        s["_user_id"] = user.get_id()
        s["_fresh"] = True
        s["_auth_at"] = s["_seen_at"] = time.time()  # a fresh sign-in (web.auth lifetimes)


def make_worker(session, runtime, user, **overrides):
    place = runtime.gazetteer.resolve("榕江县")
    fields = {"description": WELDER["description"], "home_text": "榕江县", "lat": place.lat, "lon": place.lon,
              "max_commute_km": 20, "will_relocate": False, "wage_expectation": 4000, **overrides}
    row = place_row(session, place)
    worker = Worker(user_id=user.id, home_place_id=row.id if row else None, **fields)
    session.add(worker)
    session.commit()
    session.refresh(worker)
    return worker


@pytest.fixture
def user(db_session):
    return make_user(db_session)


@pytest.fixture
def signed_in(client, user):
    log_in(client, user)
    return user


@pytest.fixture
def welder(db_session, runtime, signed_in):
    return make_worker(db_session, runtime, signed_in)


def card_ids(page):
    return [int(i) for i in re.findall(r'class="title" href="/jobs/(\d+)"', page)]


# --- profile


def test_profile_needs_sign_in_and_consent(client, db_session):
    response = client.get("/me/profile")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    log_in(client, make_user(db_session, "13800000002", consent=False))
    response = client.get("/me/profile")
    assert response.status_code == 302 and "consent" in response.headers["Location"]


def test_profile_saved_with_a_real_csrf_token_then_shown_again(client, db_session, signed_in):
    page = text(client.get("/me/profile"))
    for label in ("说说你会做什么", "家在哪里", "每天能走多远", "愿意外出，包住就行", "哪几个月不能干活",
                  "有哪些证", "会说哪些话"):
        assert label in page
    token = csrf_token(client, "/me/profile")
    response = client.post("/me/profile", data={**WELDER, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/me/matches")
    worker = db_session.scalar(select(Worker).where(Worker.user_id == signed_in.id))
    assert worker.description == WELDER["description"] and worker.max_commute_km == 20
    assert worker.home_place is not None and "榕江县" in worker.home_place.full_name
    assert 25 < worker.lat < 27 and 108 < worker.lon < 109
    assert worker.unavailable_months == [5, 9] and worker.employment_types == ["full_time"]
    assert worker.certificates == ["welder", "driving_c1", "高压电工证"]
    assert worker.languages == ["putonghua", "dialect", "侗话"]
    assert worker.wage_expectation == 4000 and worker.availability == "农忙时要回家"
    again = text(client.get("/me/profile"))
    assert 'value="welder" checked' in again and "高压电工证" in again and 'value="5" checked' in again
    assert "侗话" in again and WELDER["description"] in again


def test_profile_post_without_csrf_token_is_refused(client, db_session, signed_in):
    response = client.post("/me/profile", data=WELDER)
    assert response.status_code == 400
    assert db_session.scalar(select(Worker).where(Worker.user_id == signed_in.id)) is None


BAD = [
    ({"description": ""}, "说说你会做什么"),
    ({"description": "！！！123"}, "请用文字"),
    ({"description": "电焊" * 300}, "1到500个字"),
    ({"place": "火星基地"}, "找不到地点"),
    ({"place": "白云区"}, "更具体"),
    ({"place": ""}, "家在哪里"),
    ({"km": "25"}, "5、10、20、30、50或100公里"),
    ({"km": "abc"}, ""),
    ({"wage": "-1"}, "期望月薪"),
    ({"wage": "999999999"}, "期望月薪"),
    ({"months": ["13"]}, "1到12"),
    ({"types": ["slavery"]}, "用工方式"),
    ({"certificates_other": "证" * 40}, "30个字"),
    ({"availability": "农忙" * 150}, "200个字"),
]


@pytest.mark.parametrize(("change", "message"), BAD)
def test_bad_profile_input_shows_the_form_again_and_saves_nothing(client, db_session, signed_in, monkeypatch,
                                                                    app, change, message):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    response = client.post("/me/profile", data={**WELDER, **change})
    assert response.status_code == 400
    page = text(response)
    assert message in page and 'role="alert"' in page and "什么都还没有保存" in page
    assert "说说你会做什么" in page  # the form again, with what was typed
    assert db_session.scalar(select(Worker).where(Worker.user_id == signed_in.id)) is None


def test_bad_update_keeps_the_old_profile(client, db_session, welder, monkeypatch, app):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    worker_id = welder.id
    response = client.post("/me/profile", data={**WELDER, "description": "开挖掘机", "place": "火星基地"})
    assert response.status_code == 400
    assert db_session.get(Worker, worker_id).description == WELDER["description"]


def test_profile_prefilled_from_the_search_before_sign_up(client, signed_in):
    with client.session_transaction() as s:
        s["pending_search"] = {"q": "开过挖掘机，有B2驾照", "place": "榕江县", "km": "30", "relocate": "on",
                               "wage": "6000"}
    page = text(client.get("/me/profile"))
    assert "开过挖掘机，有B2驾照" in page and 'value="榕江县"' in page and 'value="6000"' in page
    assert re.search(r'<option value="30" selected>', page)
    assert re.search(r'name="relocate" value="on" checked', page)


# --- matches


def test_matches_without_a_profile_go_to_the_profile_page(client, signed_in):
    response = client.get("/me/matches")
    assert response.status_code == 302 and response.headers["Location"].endswith("/me/profile")
    assert "先填好你的资料" in text(client.get("/me/profile"))


def test_matches_are_ranked_with_reasons_pay_and_trust_labels(client, db_session, welder):
    page = text(client.get("/me/matches"))
    titles = re.findall(r'class="title" href="/jobs/\d+">([^<]+)</a>', page)
    reasons = re.findall(r'<p class="reason">([^<]+)</p>', page)
    assert len(titles) >= 3 and 0 < len(reasons) <= len(titles)  # a card whose reason is all facts shows none
    assert all("焊" in t for t in titles[:2]), titles
    assert "电焊" in reasons[0]
    assert "月薪" in page and "离家" in page and "人社局发布" in page and "来源：县人社局（演示数据）" in page
    assert "家在贵州省黔东南苗族侗族自治州榕江县" in page
    assert page.count('name="csrf_token"') >= 2 * len(titles)  # 收藏 and 不感兴趣 on every card
    assert "收藏" in page and "不感兴趣" in page and 'href="/about/ranking"' in page


def test_other_sightings_are_counted(client, db_session, welder):
    first = card_ids(text(client.get("/me/matches")))[0]
    other = Source(name="county-wechat", kind="feed", trust="aggregator")
    db_session.add(other)
    db_session.commit()
    for n in range(2):
        db_session.add(PostingSource(posting_id=first, source_id=other.id, external_id=f"x-{n}",
                                     content_hash="h"))
    db_session.commit()
    page = text(client.get("/me/matches"))
    assert "另见2个渠道" in page


def test_filters_apply_after_ranking(client, db_session, welder):
    everything = card_ids(text(client.get("/me/matches")))
    housed = card_ids(text(client.get("/me/matches", query_string={"housing": "on"})))
    assert housed and set(housed) < set(everything)
    assert [i for i in everything if i in housed] == housed  # same order
    rows = db_session.execute(select(Posting.id, Posting.housing, Posting.wage_min, Posting.wage_max,
                                     Posting.employment_type).where(Posting.id.in_(everything))).all()
    info = {r.id: r for r in rows}
    assert all(info[i].housing for i in housed)
    rich = card_ids(text(client.get("/me/matches", query_string={"min_wage": "6000"})))
    assert all((info[i].wage_max or info[i].wage_min or 0) >= 6000 for i in rich)
    assert len(rich) < len(everything)
    near = text(client.get("/me/matches", query_string={"km": "5"}))
    assert all(float(d) <= 5 for d in re.findall(r'class="distance">离家(\d+)公里', near))
    kinds = card_ids(text(client.get("/me/matches", query_string={"type": "full_time"})))
    assert all(info[i].employment_type == "full_time" for i in kinds)


def test_bad_filter_gets_a_message(client, welder):
    response = client.get("/me/matches", query_string={"min_wage": "-5", "type": "x"})
    assert response.status_code == 400
    page = text(response)
    assert "最低月薪要在0到200000元之间" in page and "不认识这种用工方式" in page


def test_save_dismiss_switch_and_undo(client, db_session, welder):
    worker_id = welder.id  # requests commit and close the session: keep plain values
    ids = card_ids(text(client.get("/me/matches")))
    token = csrf_token(client, "/me/matches")
    first, second = ids[0], ids[1]

    response = client.post(f"/me/marks/{first}",
                           data={"kind": "saved", "csrf_token": token, "next": "/me/matches"})
    assert response.status_code == 302
    marks = lambda: dict(db_session.execute(select(PostingMark.posting_id, PostingMark.kind)  # noqa: E731
                                            .where(PostingMark.worker_id == worker_id)).all())
    assert marks() == {first: "saved"}
    saved = text(client.get("/me/saved"))
    assert card_ids(saved) == [first] and "取消收藏" in saved
    page = text(client.get("/me/matches"))
    assert "已收藏" in page and "取消收藏" in page

    client.post(f"/me/marks/{second}", data={"kind": "dismissed", "csrf_token": token})
    assert marks() == {first: "saved", second: "dismissed"}
    page = text(client.get("/me/matches"))
    assert second not in card_ids(page) and first in card_ids(page)
    assert "撤销“不感兴趣”" in page  # the undo button, once

    client.post(f"/me/marks/{first}", data={"kind": "dismissed", "csrf_token": token})
    assert marks() == {first: "dismissed", second: "dismissed"}  # one mark per posting, switched
    assert card_ids(text(client.get("/me/saved"))) == []

    client.post(f"/me/marks/{second}", data={"kind": "remove", "csrf_token": token})
    assert marks() == {first: "dismissed"}
    assert second in card_ids(text(client.get("/me/matches")))
    count = select(func.count(PostingMark.id)).where(PostingMark.worker_id == worker_id)
    assert db_session.scalar(count) == 1


def test_marks_refuse_unknown_postings_bad_kinds_and_missing_tokens(client, db_session, welder, app):
    token = csrf_token(client, "/me/matches")
    assert client.post("/me/marks/999999", data={"kind": "saved", "csrf_token": token}).status_code == 404
    posting = db_session.scalar(select(Posting.id).where(Posting.status == "open"))
    assert client.post(f"/me/marks/{posting}", data={"kind": "loved", "csrf_token": token}).status_code == 400
    assert client.post(f"/me/marks/{posting}", data={"kind": "saved"}).status_code == 400
    response = client.post(f"/me/marks/{posting}", data={"kind": "saved", "csrf_token": token,
                                                         "next": "//evil.example/"})
    assert response.headers["Location"].endswith("/me/matches")
    assert db_session.scalar(select(func.count(PostingMark.id))) == 1


def test_new_badge_counts_jobs_first_seen_since_the_last_visit(client, db_session, welder, signed_in):
    now = datetime.now(UTC)
    ids = card_ids(text(client.get("/me/matches")))
    db_session.get(User, signed_in.id).last_seen_matches_at = now - timedelta(hours=1)
    db_session.execute(update(Posting).values(first_seen=now - timedelta(days=2)))
    db_session.execute(update(Posting).where(Posting.id.in_(ids[1:3]))
                       .values(first_seen=now - timedelta(minutes=5)))
    db_session.commit()
    page = text(client.get("/me/matches"))
    assert "新出了2个合适的岗位" in page
    assert page.count('<span class="badge new">新</span>') == 3  # the count line and two cards
    db_session.expire_all()
    seen = db_session.get(User, signed_in.id).last_seen_matches_at
    assert seen.replace(tzinfo=seen.tzinfo or UTC) > now - timedelta(minutes=1)
    again = text(client.get("/me/matches"))
    assert "新出了" not in again and 'class="badge new"' not in again


def test_new_matches_count_for_the_home_page(db_session, runtime, app, welder, signed_in):
    from web.services.seekers import new_matches_count

    now = datetime.now(UTC)
    user, worker = db_session.get(User, signed_in.id), db_session.get(Worker, welder.id)
    user.last_seen_matches_at = now - timedelta(hours=1)
    db_session.execute(update(Posting).values(first_seen=now - timedelta(days=2)))
    with app.test_request_context():
        assert new_matches_count(db_session, runtime, worker, user) == 0
        db_session.execute(update(Posting).values(first_seen=now))
        assert new_matches_count(db_session, runtime, worker, user) > 0
        assert new_matches_count(db_session, runtime, None, user) == 0


# --- map


def test_map_view_has_the_list_tiles_and_leaflet_only_there(client, welder, app, monkeypatch):
    listing = text(client.get("/me/matches"))
    assert "leaflet" not in listing and 'id="map"' not in listing
    page = text(client.get("/me/matches", query_string={"view": "map"}))
    assert re.search(r'<div id="map" class="map" hidden data-tiles="https://webrd01\.is\.autonavi\.com/'
                     r'appmaptile\?[^"]*x=\{x\}&amp;y=\{y\}&amp;z=\{z\}"', page)
    assert "/static/vendor/leaflet/leaflet.js" in page and "/static/map.js" in page
    assert card_ids(page) == card_ids(listing)  # the same results, as a list below the map
    located = re.findall(r'<li class="match" data-lat="[\d.]+" data-lon="[\d.]+">', page)
    assert len(located) == len(card_ids(page))
    monkeypatch.setitem(app.config, "JIUJIN_MAP_TILES_URL", "https://tiles.example/{z}/{x}/{y}.png")
    assert 'data-tiles="https://tiles.example/{z}/{x}/{y}.png"' in text(client.get("/me/matches?view=map"))


def test_vendored_leaflet_and_map_script_are_served(client):
    js = client.get("/static/vendor/leaflet/leaflet.js")
    assert js.status_code == 200 and b"Leaflet 1.9.4" in js.data
    assert client.get("/static/vendor/leaflet/leaflet.css").status_code == 200
    assert client.get("/static/vendor/leaflet/images/marker-icon.png").status_code == 200
    assert b"dataset.tiles" in client.get("/static/map.js").data


# --- the plain listing and the ranking page


def test_listing_is_newest_first_paginated_and_needs_no_sign_in(client, db_session):
    first = client.get("/jobs/near", query_string={"place": "榕江县"})
    assert first.status_code == 200
    page = text(first)
    ids = card_ids(page)
    assert 0 < len(ids) <= 20 and "没有任何个性化排序" in page and 'href="/about/ranking"' in page
    rows = {r.id: r for r in db_session.execute(select(Posting.id, Posting.posted_at, Posting.first_seen,
                                                       Posting.place_id, Posting.status)
                                                .where(Posting.id.in_(ids))).all()}
    dates = [rows[i].posted_at for i in ids]
    assert all(d is not None for d in dates) and dates == sorted(dates, reverse=True)
    assert all(rows[i].status == "open" for i in ids)
    total = int(re.search(r"：(\d+)个岗位", page).group(1))
    assert total >= len(ids) and "榕江县" in page


def test_listing_pages_through_everything(client, db_session):
    open_count = db_session.scalar(select(func.count(Posting.id)).where(Posting.status == "open"))
    first = text(client.get("/jobs/near"))
    assert f"全部地方：{open_count}个岗位" in first and 'rel="next"' in first and 'rel="prev"' not in first
    seen, page_no = [], 1
    while True:
        page = text(client.get("/jobs/near", query_string={"page": page_no}))
        ids = card_ids(page)
        assert len(ids) <= 20
        seen += ids
        if 'rel="next"' not in page:
            break
        page_no += 1
    assert len(seen) == len(set(seen)) == open_count
    empty = text(client.get("/jobs/near", query_string={"page": page_no + 1}))
    assert card_ids(empty) == [] and 'rel="prev"' in empty


def test_listing_radius_and_bad_input(client):
    county = card_ids(text(client.get("/jobs/near", query_string={"place": "榕江县"})))
    wider = text(client.get("/jobs/near", query_string={"place": "榕江县", "km": "100"}))
    assert int(re.search(r"：(\d+)个岗位", wider).group(1)) >= len(county)
    bad = client.get("/jobs/near", query_string={"place": "火星基地"})
    assert bad.status_code == 400 and "找不到地点" in text(bad)
    bad = client.get("/jobs/near", query_string={"place": "榕江县", "km": "9999"})
    assert bad.status_code == 400 and "1到500公里" in text(bad)
    bad = client.get("/jobs/near", query_string={"page": "0"})
    assert bad.status_code == 400 and "页码" in text(bad)


def test_listing_map_view(client):
    plain = text(client.get("/jobs/near", query_string={"place": "榕江县"}))
    assert "leaflet" not in plain and "在地图上看" in plain
    page = text(client.get("/jobs/near", query_string={"place": "榕江县", "view": "map"}))
    assert 'id="map"' in page and 'data-list="listing"' in page and "leaflet.js" in page
    assert card_ids(page) == card_ids(plain)


def test_results_page_stays_small(client):
    response = client.get("/search", query_string={"q": "电焊", "place": "榕江县", "km": "50"})
    assert "leaflet" not in text(response)
    assert len(response.data) + len(client.get("/static/site.css").data) < 150_000


def test_ranking_page_explains_the_signals_and_the_alternative(client):
    page = text(client.get("/about/ranking"))
    for words in ("离家远近", "工资", "住宿", "同一类工种", "个人信息保护法", "不会保存"):
        assert words in page
    assert 'href="/jobs/near"' in page
    english = text(client.get("/about/ranking?lang=en"))
    assert 'lang="en"' in english


def test_posting_text_is_escaped_on_listing_and_saved_pages(client, db_session, welder):
    payload = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    posting = db_session.scalar(select(Posting).where(Posting.status == "open", Posting.place_id.is_not(None))
                                .order_by(Posting.posted_at.desc().nulls_last(), Posting.first_seen.desc(),
                                          Posting.id.desc()))
    posting.title = "焊工" + payload
    db_session.commit()
    db_session.add(PostingMark(worker_id=welder.id, posting_id=posting.id, kind="saved"))
    db_session.commit()
    for page in (text(client.get("/jobs/near")), text(client.get("/me/saved"))):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<script>alert" not in page and "<img src=x" not in page
