"""Seekers' accounts through the real app: sign-up with a code, consent, log in/out, passwords,
my data (see, download, delete), CSRF and rate limits, and the API's tokens."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from tests.web.staff import token_in
from web.models import ApiToken, Application, OneTimeCode, Posting, PostingMark, PostingReport, User, Worker

_ips = itertools.count(1)
OK = "mima-2026-ok"
GOOD = {"password": OK, "confirm": OK}


@pytest.fixture
def web(client: Any) -> Any:
    """A client with its own address, so the per-address rate limits of other tests don't apply."""
    n = next(_ips)
    client.environ_base["REMOTE_ADDR"] = f"10.1.{n // 250}.{n % 250 + 1}"
    return client


def post_form(client: Any, url: str, data: dict[str, Any], page: str | None = None) -> Any:
    """GET the page for its CSRF token, then POST the form."""
    token = token_in(client.get(page or url).data)
    return client.post(url, data={**data, "csrf_token": token})


def last_code(app: Any, phone: str) -> str:
    message = app.extensions["jiujin_notify"].last_to(phone, "verify_code")
    assert message is not None, "no code was sent"
    return str(message.params["code"])


def sign_up(app: Any, client: Any, phone: str, password: str = "mima-2026-ok") -> Any:
    assert post_form(client, "/signup", {"phone": phone}).status_code == 302
    code = last_code(app, phone.replace(" ", ""))
    return post_form(client, "/signup/verify", {"code": code, "password": password,
                                               "confirm": password})


def consent(client: Any) -> Any:
    return post_form(client, "/consent", {"agree": "y"})


def test_sign_up_with_a_code_then_consent(app: Any, web: Any, db_session: Any) -> None:
    response = sign_up(app, web, "138 0013 8001")
    assert response.status_code == 302 and response.location.endswith("/consent")
    user = db_session.scalar(select(User).where(User.phone == "13800138001"))
    assert user.password_hash.startswith("$argon2id$") and user.phone_verified_at is not None
    assert user.consent_at is None and [r.role for r in user.roles] == ["seeker"]
    assert web.get("/me/data").status_code == 302  # nothing personal before consent
    page = web.get("/consent").get_data(as_text=True)
    assert "我们保存什么" in page and "删除" in page
    assert consent(web).status_code == 302
    user = db_session.scalar(select(User).where(User.phone == "13800138001"))
    assert user.consent_at is not None and user.consent_version
    assert "13800138001" in web.get("/me/data").get_data(as_text=True)


def test_a_search_rides_along_to_sign_up(web: Any) -> None:
    web.get("/signup?q=电焊&place=榕江县&km=20")
    with web.session_transaction() as s:
        assert s["pending_search"] == {"q": "电焊", "place": "榕江县", "km": "20"}


def test_wrong_codes_count_and_five_spend_the_code(app: Any, web: Any, db_session: Any) -> None:
    assert post_form(web, "/signup", {"phone": "13800138002"}).status_code == 302
    for _ in range(5):
        page = post_form(web, "/signup/verify", {"code": "000000x", "password": "mima-2026-ok",
                                                  "confirm": "mima-2026-ok"})
        assert page.status_code == 400
    assert "验证码" in page.get_data(as_text=True)
    code = db_session.scalar(select(OneTimeCode).where(OneTimeCode.phone == "13800138002"))
    assert code.attempts == 5
    right = last_code(app, "13800138002")
    page = post_form(web, "/signup/verify", {"code": right, **GOOD})
    assert page.status_code == 400 and "失效" in page.get_data(as_text=True)
    assert db_session.scalar(select(User).where(User.phone == "13800138002")) is None


@pytest.mark.parametrize(("data", "message"), [
    ({"phone": ""}, "请填写手机号"), ({"phone": "12345"}, "11位手机号"),
    ({"phone": "1380013800x"}, "11位手机号"),
])
def test_bad_phone_numbers_get_a_message(web: Any, db_session: Any, data: dict[str, str],
                                         message: str) -> None:
    page = post_form(web, "/signup", data)
    assert page.status_code == 400 and message in page.get_data(as_text=True)
    assert db_session.scalar(select(func.count(OneTimeCode.id))) == 0


def test_weak_password_does_not_spend_the_code(app: Any, web: Any, db_session: Any) -> None:
    assert post_form(web, "/signup", {"phone": "13800138003"}).status_code == 302
    code = last_code(app, "13800138003")
    page = post_form(web, "/signup/verify", {"code": code, "password": "1111111", "confirm": "1111111"})
    assert page.status_code == 400 and "至少要8位" in page.get_data(as_text=True)
    page = post_form(web, "/signup/verify", {"code": code, "password": "aaaaaaaaaa", "confirm": "aaaaaaaaaa"})
    assert "太简单" in page.get_data(as_text=True)
    page = post_form(web, "/signup/verify", {"code": code, "password": OK, "confirm": "mima-2026-oo"})
    assert "不一样" in page.get_data(as_text=True)
    assert sign_up_with(web, code).status_code == 302


def sign_up_with(web: Any, code: str) -> Any:
    return post_form(web, "/signup/verify", {"code": code, **GOOD})


def test_a_registered_phone_is_told_by_message_not_on_the_page(app: Any, web: Any) -> None:
    sign_up(app, web, "13800138004")
    web.post("/logout", data={"csrf_token": token_in(web.get("/").data)})
    page = post_form(web, "/signup", {"phone": "13800138004"})
    assert page.status_code == 302 and page.location.endswith("/signup/verify")  # as for a new number
    assert app.extensions["jiujin_notify"].last_to("13800138004").template == "account_exists"


def test_forms_without_a_csrf_token_are_refused(web: Any, db_session: Any) -> None:
    assert web.post("/signup", data={"phone": "13800138005"}).status_code == 400
    assert web.post("/login", data={"phone": "13800138005", "password": "x"}).status_code == 400
    assert db_session.scalar(select(func.count(OneTimeCode.id))) == 0


def test_login_logout_and_old_cookies_stop_working(app: Any, web: Any) -> None:
    sign_up(app, web, "13800138006")
    consent(web)
    web.post("/logout", data={"csrf_token": token_in(web.get("/").data)})
    wrong = post_form(web, "/login", {"phone": "13800138006", "password": "wrong-password"})
    assert wrong.status_code == 400 and "手机号或密码不对" in wrong.get_data(as_text=True)
    unknown = post_form(web, "/login", {"phone": "13900000000", "password": "wrong-password"})
    assert "手机号或密码不对" in unknown.get_data(as_text=True)  # same words: no account probing
    ok = post_form(web, "/login?next=/me/data", {"phone": "13800138006", "password": "mima-2026-ok"})
    assert ok.status_code == 302 and ok.location.endswith("/me/data")
    with web.session_transaction() as s:
        stolen = dict(s)
    assert web.get("/me/data").status_code == 200
    web.post("/logout", data={"csrf_token": token_in(web.get("/").data)})
    with web.session_transaction() as s:  # someone replays the cookie from before the logout
        s.update(stolen)
    assert web.get("/me/data").status_code == 302


def test_next_never_leaves_the_site(app: Any, web: Any) -> None:
    sign_up(app, web, "13800138007")
    web.post("/logout", data={"csrf_token": token_in(web.get("/").data)})
    ok = post_form(web, "/login?next=//evil.example/x", {"phone": "13800138007", "password": "mima-2026-ok"},
                   page="/login")
    assert ok.status_code == 302 and "evil" not in ok.location


def test_password_change_signs_out_other_devices(app: Any, client: Any, web: Any) -> None:
    sign_up(app, web, "13800138008")
    consent(web)
    with web.session_transaction() as s:
        other_device = dict(s)
    page = post_form(web, "/me/password", {"old_password": "nope-nope-1", "password": "new-mima-2026",
                                            "confirm": "new-mima-2026"})
    assert page.status_code == 400 and "原密码不对" in page.get_data(as_text=True)
    page = post_form(web, "/me/password", {"old_password": "mima-2026-ok", "password": "new-mima-2026",
                                            "confirm": "new-mima-2026"})
    assert page.status_code == 302
    assert web.get("/me/data").status_code == 200  # this device stays in
    with web.session_transaction() as s:
        s.clear()
        s.update(other_device)
    assert web.get("/me/data").status_code == 302


def test_password_reset_with_a_code(app: Any, web: Any, db_session: Any) -> None:
    sign_up(app, web, "13800138009")
    web.post("/logout", data={"csrf_token": token_in(web.get("/").data)})
    assert post_form(web, "/password/reset", {"phone": "13800138009"}).status_code == 302
    code = app.extensions["jiujin_notify"].last_to("13800138009", "verify_code").params["code"]
    page = post_form(web, "/password/reset/verify", {"code": code, "password": "reset-mima-26",
                                                      "confirm": "reset-mima-26"})
    assert page.status_code == 302
    web.post("/logout", data={"csrf_token": token_in(web.get("/").data)})
    ok = post_form(web, "/login", {"phone": "13800138009", "password": "reset-mima-26"})
    assert ok.status_code == 302


def test_login_is_rate_limited(web: Any) -> None:
    statuses = [post_form(web, "/login", {"phone": f"1380013810{n % 10}", "password": "x"}, page="/login"
                          ).status_code for n in range(11)]  # a number each: the per-address limit acts
    assert statuses[:10] == [400] * 10 and statuses[10] == 429


def test_code_sending_is_rate_limited_per_phone(app: Any, client: Any, db_session: Any) -> None:
    for n in range(6):  # a new address each time: the per-phone limit still holds
        client.environ_base["REMOTE_ADDR"] = f"10.2.0.{n + 1}"
        page = post_form(client, "/password/reset", {"phone": "13800138011"})
    sign_up_phone = "13800138012"
    statuses = []
    for n in range(6):
        client.environ_base["REMOTE_ADDR"] = f"10.3.0.{n + 1}"
        statuses.append(post_form(client, "/signup", {"phone": sign_up_phone}).status_code)
    assert statuses == [302] * 5 + [400]
    assert "太频繁" in post_form(client, "/signup", {"phone": sign_up_phone}).get_data(as_text=True)
    assert page.status_code == 400  # an unknown phone is answered the same way (the limit too), no code
    assert "太频繁" in page.get_data(as_text=True)
    assert app.extensions["jiujin_notify"].last_to("13800138011") is None


def _seeker_with_data(app: Any, web: Any, db_session: Any, phone: str) -> User:
    sign_up(app, web, phone)
    consent(web)
    user = db_session.scalar(select(User).where(User.phone == phone))
    worker = Worker(user_id=user.id, description="会电焊", home_text="榕江县", lat=25.93, lon=108.52)
    db_session.add(worker)
    db_session.flush()
    first, second = db_session.scalars(select(Posting.id).order_by(Posting.id).limit(2)).all()
    db_session.add_all([Application(worker_id=worker.id, posting_id=first),
                        PostingMark(worker_id=worker.id, posting_id=second, kind="saved"),
                        PostingReport(posting_id=second, user_id=user.id, reason="fees", detail="要押金")])
    db_session.commit()
    return user


def test_my_data_shows_and_downloads_everything(app: Any, web: Any, db_session: Any) -> None:
    user = _seeker_with_data(app, web, db_session, "13800138013")
    page = web.get("/me/data").get_data(as_text=True)
    assert "会电焊" in page and "13800138013" in page and "永久删除" in page
    download = web.get("/me/data.json")
    assert "attachment" in download.headers["Content-Disposition"]
    data = download.get_json()
    assert data["account"]["phone"] == "13800138013" and data["profile"]["description"] == "会电焊"
    assert len(data["applications"]) == 1 and data["marks"][0]["kind"] == "saved"
    assert data["reports"][0]["detail"] == "要押金" and data["one_time_codes"]
    assert "password_hash" not in str(data) and user.password_hash not in str(data)


def test_my_data_names_saved_jobs_by_title_and_dates_times_with_their_offset(app: Any, web: Any,
                                                                            db_session: Any) -> None:
    _seeker_with_data(app, web, db_session, "13800138015")
    second = db_session.scalars(select(Posting).order_by(Posting.id).limit(2)).all()[1]
    for lang in ("zh", "en"):
        page = web.get(f"/me/data?lang={lang}").get_data(as_text=True)
        link = f'<a href="/jobs/{second.id}">'
        assert link + str(escape(second.title)) + "</a>" in page
        assert f"岗位{second.id}" not in page and f"Job {second.id}" not in page
    data = web.get("/me/data.json").get_json()
    assert data["marks"][0]["title"] == second.title
    stamps = [data["account"]["created_at"], data["marks"][0]["created_at"],
              data["applications"][0]["created_at"], data["one_time_codes"][0]["created_at"],
              data["profile"]["created_at"]]
    for stamp in stamps:
        assert datetime.fromisoformat(stamp).utcoffset() is not None, stamp


def test_delete_my_data_removes_everything(app: Any, web: Any, db_session: Any) -> None:
    user = _seeker_with_data(app, web, db_session, "13800138014")
    uid = user.id
    wrong = post_form(web, "/me/delete", {"password": "not-mine-1", "sure": "y"}, page="/me/data")
    assert wrong.status_code == 400 and db_session.get(User, uid) is not None
    unticked = post_form(web, "/me/delete", {"password": "mima-2026-ok"}, page="/me/data")
    assert unticked.status_code == 400 and db_session.get(User, uid) is not None
    gone = post_form(web, "/me/delete", {"password": "mima-2026-ok", "sure": "y"}, page="/me/data")
    assert gone.status_code == 302
    db_session.expire_all()
    assert db_session.get(User, uid) is None
    assert db_session.scalar(select(func.count(Worker.id)).where(Worker.user_id == uid)) == 0
    assert db_session.scalar(select(func.count(Application.id)).join(Worker, isouter=True)
                             .where(Worker.id.is_(None))) == 0
    codes = select(func.count(OneTimeCode.id)).where(OneTimeCode.phone == "13800138014")
    assert db_session.scalar(codes) == 0
    report = db_session.scalar(select(PostingReport).where(PostingReport.detail == "要押金"))
    assert report is not None and report.user_id is None  # kept for moderators, no longer theirs
    assert web.get("/me/data").status_code == 302
    assert post_form(web, "/login", {"phone": "13800138014", "password": "mima-2026-ok"}).status_code == 400


def test_api_tokens_consent_and_revocation(app: Any, web: Any, db_session: Any) -> None:
    sign_up(app, web, "13800138015")
    bad = web.post("/api/v1/auth/token", json={"phone": "13800138015", "password": "wrong-one"})
    assert bad.status_code == 401
    made = web.post("/api/v1/auth/token", json={"phone": "13800138015", "password": "mima-2026-ok"})
    assert made.status_code == 201
    token = made.get_json()["token"]
    anon = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    assert anon.get("/api/v1/me/data").status_code == 401
    assert anon.get("/api/v1/me/data", headers=auth).status_code == 200
    assert anon.post("/api/v1/me/consent", json={"agree": False}, headers=auth).status_code == 422
    given = anon.post("/api/v1/me/consent", json={"agree": True}, headers=auth)
    assert given.status_code == 200 and given.get_json()["consent_at"]
    stored = db_session.scalars(select(ApiToken.token_hash)).all()
    assert stored and all(token not in h for h in stored)
    assert anon.post("/api/v1/auth/logout", headers=auth).status_code == 204
    assert anon.get("/api/v1/me/data", headers=auth).status_code == 401


def test_api_session_writes_need_the_csrf_header(app: Any, web: Any) -> None:
    sign_up(app, web, "13800138016")
    assert web.post("/api/v1/me/consent", json={"agree": True}).status_code == 400
    token = token_in(web.get("/consent").data)
    given = web.post("/api/v1/me/consent", json={"agree": True}, headers={"X-CSRFToken": token})
    assert given.status_code == 200


def test_api_delete_me(app: Any, web: Any, db_session: Any) -> None:
    sign_up(app, web, "13800138017")
    made = web.post("/api/v1/auth/token", json={"phone": "13800138017", "password": OK})
    token = made.get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    anon = app.test_client()
    assert anon.delete("/api/v1/me", json={"password": "nope-nope"}, headers=auth).status_code == 403
    assert anon.delete("/api/v1/me", json={"password": "mima-2026-ok"}, headers=auth).status_code == 204
    assert db_session.scalar(select(User).where(User.phone == "13800138017")) is None
