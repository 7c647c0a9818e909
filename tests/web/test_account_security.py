"""Accounts against an attacker: per-account login back-off, password rules, atomic code attempts,
no account enumeration, session and token lifetimes, the production session cookie (issue 16)."""

from __future__ import annotations

import difflib
import itertools
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tests.web.staff import PASSWORD, Row, log_in, token_in
from tests.web.test_production_config import gateway, production_app, production_env  # noqa: F401
from web.models import ApiToken, LoginThrottle, OneTimeCode, RoleAssignment, User
from web.services import accounts, throttle
from web.services.notify import mask
from web.services.passwords import common_passwords, password_problem

_ips = itertools.count(1)
_phones = itertools.count(1)
OK = "mima-2026-ok"


@dataclass
class Clock:
    """The app's clock, moved by the test (web.auth.utcnow reads it)."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(app: Any, monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Freeze the app's time at a known moment (real time for the rate limiter only)."""
    moment = Clock(datetime.now(UTC).replace(microsecond=0))
    monkeypatch.setitem(app.extensions, "jiujin_clock", moment)
    return moment


def new_address(client: Any) -> Any:
    """Give ``client`` an address of its own (the per-address limits of other tests don't apply)."""
    n = next(_ips)
    client.environ_base["REMOTE_ADDR"] = f"10.9.{n // 250}.{n % 250 + 1}"
    return client


@pytest.fixture
def web(client: Any) -> Any:
    return new_address(client)


def fresh_phone() -> str:
    return f"1370000{next(_phones):04d}"


def make_seeker(db_session: Any, phone: str, password: str = OK) -> Row:
    """A consented seeker, committed; a plain copy (readable after requests close the session)."""
    user = User(
        phone=phone,
        password_hash=accounts.hash_password(password),
        consent_at=datetime.now(UTC),
        consent_version="2026-11",
    )
    db_session.add(user)
    db_session.flush()
    db_session.add(RoleAssignment(user_id=user.id, role="seeker"))
    db_session.commit()
    return Row(id=user.id, phone=user.phone, session_version=user.session_version)


def post_form(client: Any, url: str, data: dict[str, Any], page: str | None = None) -> Any:
    token = token_in(client.get(page or url).data)
    return client.post(url, data={**data, "csrf_token": token})


def login(client: Any, phone: str, password: str) -> Any:
    return post_form(client, "/login", {"phone": phone, "password": password})


def errors(response: Any) -> list[str]:
    """The form's error messages on a page."""
    return re.findall(r'class="(?:field-)?error"[^>]*>([^<]+)<', response.get_data(as_text=True))


def text(response: Any) -> str:
    return response.get_data(as_text=True)


# --- per-account login back-off


def test_lock_grows_from_one_minute_to_an_hour() -> None:
    assert [throttle.lock_for(n) for n in range(5)] == [timedelta(0)] * 5
    assert [throttle.lock_for(n).total_seconds() / 60 for n in range(5, 12)] == [1, 2, 4, 8, 16, 32, 60]
    assert throttle.lock_for(500) == timedelta(hours=1)


def test_thirty_wrong_passwords_from_three_addresses_lock_the_account(
    app: Any, client: Any, db_session: Any, clock: Clock
) -> None:
    phone = fresh_phone()
    make_seeker(db_session, phone)
    statuses = []
    for address in range(3):
        new_address(client)
        for _ in range(10):  # under the per-address limit (10 a minute): only the account limit acts
            statuses.append(login(client, phone, f"wrong-{address}-mima").status_code)
    assert statuses == [400] * 5 + [429] * 25
    right = login(new_address(client), phone, OK)
    assert right.status_code == 429 and 59 <= int(right.headers["Retry-After"]) <= 60
    assert "输错太多次" in text(right) and "1分钟后再试" in text(right)
    clock.advance(seconds=59)
    assert login(client, phone, OK).status_code == 429  # the right password too, until the lock ends
    clock.advance(seconds=2)
    assert login(client, phone, OK).status_code == 302
    assert (
        db_session.scalar(
            select(LoginThrottle).where(
                LoginThrottle.key == throttle.throttle_key(app.config["SECRET_KEY"], phone)
            )
        )
        is None
    )  # reset


def test_the_owner_lifts_a_lock_with_a_reset_code(app: Any, db_session: Any, web: Any, clock: Clock) -> None:
    """Someone else's guessing cannot keep the owner out: the reset code proves the phone is theirs."""
    phone = fresh_phone()
    make_seeker(db_session, phone)
    for _ in range(6):
        login(web, phone, "wrong-mima-1")
    assert login(web, phone, OK).status_code == 429
    assert post_form(web, "/password/reset", {"phone": phone}).status_code == 302
    code = app.extensions["jiujin_notify"].last_to(phone, "verify_code").params["code"]
    new = {"code": code, "password": "xin-mima-2026", "confirm": "xin-mima-2026"}
    assert post_form(web, "/password/reset/verify", new).status_code == 302
    web.post("/logout", data={"csrf_token": token_in(web.get("/").data)})
    assert login(new_address(web), phone, "xin-mima-2026").status_code == 302


def test_each_wrong_password_after_a_lock_doubles_it(db_session: Any, web: Any, clock: Clock) -> None:
    phone = fresh_phone()
    make_seeker(db_session, phone)
    for _ in range(5):
        assert login(web, phone, "wrong-mima-1").status_code == 400
    clock.advance(seconds=61)
    assert login(web, phone, "wrong-mima-1").status_code == 400  # looked at, wrong: now 2 minutes
    clock.advance(seconds=61)
    locked = login(web, phone, OK)
    assert locked.status_code == 429 and "1分钟后再试" in text(locked)  # 59 s left, said as a minute
    clock.advance(seconds=60)
    assert login(web, phone, OK).status_code == 302
    web.post("/logout", data={"csrf_token": token_in(web.get("/").data)})
    assert login(web, phone, "wrong-mima-1").status_code == 400  # counting starts again


def test_unknown_numbers_are_locked_the_same_way(db_session: Any, client: Any, clock: Clock) -> None:
    known, unknown = fresh_phone(), fresh_phone()
    make_seeker(db_session, known)
    answers = {}
    for phone in (known, unknown):
        new_address(client)
        answers[phone] = [
            (r.status_code, errors(r), r.status_code != 429 or int(r.headers["Retry-After"]) >= 59)
            for r in (login(client, phone, "wrong-mima-1") for _ in range(7))
        ]
    assert answers[known] == answers[unknown]
    assert [status for status, *_ in answers[known]] == [400] * 5 + [429] * 2
    assert "手机号或密码不对" in answers[known][0][1][0]


def test_the_api_token_endpoint_is_locked_too(db_session: Any, web: Any, clock: Clock) -> None:
    known, unknown = fresh_phone(), fresh_phone()
    make_seeker(db_session, known)
    answers = {}
    for phone in (known, unknown):
        new_address(web)
        answers[phone] = [
            (r.status_code, r.get_json(), r.status_code != 429 or int(r.headers["Retry-After"]) >= 59)
            for r in (
                web.post("/api/v1/auth/token", json={"phone": phone, "password": "nope-1234"})
                for _ in range(6)
            )
        ]
    assert answers[known] == answers[unknown]
    assert [a[0] for a in answers[known]] == [401] * 5 + [429]
    right = web.post("/api/v1/auth/token", json={"phone": known, "password": OK})
    assert right.status_code == 429 and 59 <= int(right.headers["Retry-After"]) <= 60
    assert "1分钟后再试" in right.get_json()["message"]
    clock.advance(minutes=1, seconds=1)
    assert web.post("/api/v1/auth/token", json={"phone": known, "password": OK}).status_code == 201


def test_a_signed_in_password_check_is_counted_too(db_session: Any, web: Any, clock: Clock) -> None:
    """Someone holding an open session cannot guess the password through /me/password or /me/delete."""
    phone = fresh_phone()
    user = make_seeker(db_session, phone)
    log_in(web, user)
    for n in range(5):
        post_form(
            web,
            "/me/password",
            {"old_password": f"guess-{n}-mima", "password": "new-mima-2026x", "confirm": "new-mima-2026x"},
        )
    locked = post_form(web, "/me/delete", {"password": OK, "sure": "y"}, page="/me/data")
    assert locked.status_code == 429 and "输错太多次" in text(locked)
    assert db_session.get(User, user.id) is not None
    right = post_form(
        web, "/me/password", {"old_password": OK, "password": "new-mima-2026x", "confirm": "new-mima-2026x"}
    )
    assert right.status_code == 429


# --- password rules


@pytest.mark.parametrize(
    "password",
    [
        "12345678",
        "password",
        "PassWord",
        "woaini1314",
        "WoAiNi1314",
        "qq123456",
        "a1234567",
        "88888888",
        "iloveyou",
        "1qaz2wsx",
        "5201314520",
        "zhangwei123",
        "abc123456",
    ],
)
def test_common_passwords_are_refused(password: str) -> None:
    assert password_problem(password) is not None


def test_the_common_list_is_big_and_lower_case() -> None:
    words = common_passwords()
    assert len(words) > 10_000 and all(w == w.lower() and len(w) >= 8 for w in words)
    assert password_problem("mima-2026-ok", "13800138000") is None


@pytest.mark.parametrize("password", ["13800138000", "mima13800138000", "138-0013-8000!", "x13800138000y"])
def test_the_own_phone_number_is_refused(password: str) -> None:
    assert password_problem(password, "13800138000") == "密码不能包含手机号，请换一个。"
    assert password_problem(password, "13900139000") is None


def test_sign_up_reset_change_and_new_staff_all_apply_the_rules(
    app: Any, web: Any, db_session: Any, staff_world: Any
) -> None:
    phone = fresh_phone()
    assert post_form(web, "/signup", {"phone": phone}).status_code == 302
    page = post_form(
        web, "/signup/verify", {"code": "000000", "password": "woaini1314", "confirm": "woaini1314"}
    )
    assert page.status_code == 400 and "太常见" in text(page)
    page = post_form(
        web, "/signup/verify", {"code": "000000", "password": f"a{phone}", "confirm": f"a{phone}"}
    )
    assert "不能包含手机号" in text(page)
    code_row = db_session.scalar(select(OneTimeCode).where(OneTimeCode.phone == phone))
    assert code_row.attempts == 0  # refused before the code was tried
    user = make_seeker(db_session, fresh_phone())
    assert post_form(web, "/password/reset", {"phone": user.phone}).status_code == 302
    code = app.extensions["jiujin_notify"].last_to(user.phone, "verify_code").params["code"]
    page = post_form(
        web, "/password/reset/verify", {"code": code, "password": "Password1", "confirm": "Password1"}
    )
    assert page.status_code == 400 and "太常见" in text(page)
    log_in(web, user)
    page = post_form(
        web, "/me/password", {"old_password": OK, "password": user.phone + "ab", "confirm": user.phone + "ab"}
    )
    assert page.status_code == 400 and "不能包含手机号" in text(page)
    log_in(web, staff_world.users["admin"])
    page = post_form(
        web, "/admin/users", {"phone": "13600000001", "password": "qq123456", "display_name": "新同事"}
    )
    assert page.status_code == 400 and "太常见" in text(page)
    assert db_session.scalar(select(User).where(User.phone == "13600000001")) is None


def test_the_password_messages_are_in_english_too(web: Any) -> None:
    phone = fresh_phone()
    web.get("/?lang=en")
    assert post_form(web, "/signup", {"phone": phone}).status_code == 302
    page = text(
        post_form(web, "/signup/verify", {"code": "1", "password": "iloveyou", "confirm": "iloveyou"})
    )
    assert "too common" in page
    page = text(post_form(web, "/signup/verify", {"code": "1", "password": phone, "confirm": phone}))
    assert "phone number" in page


# --- atomic one-time-code attempts, on real concurrency


@pytest.fixture
def engine(app: Any) -> Any:
    from web.extensions import db

    with app.app_context():
        return db.engine


def _race(engine: Any, app: Any, phone: str, guesses: list[str]) -> list[accounts.AccountError | None]:
    """Check each guess at once in its own thread, connection and transaction."""
    secret, now = app.config["SECRET_KEY"], datetime.now(UTC)
    start = threading.Barrier(len(guesses))
    results: list[Any] = [None] * len(guesses)

    def guess(i: int) -> None:
        start.wait()
        with Session(engine) as session:
            results[i] = accounts.check_code(session, secret, phone, "signup", guesses[i], now)
            session.commit()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(len(guesses))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.fixture
def racing_code(app: Any, engine: Any) -> Any:
    """A committed sign-up code "246810" for a fresh phone; removed afterwards."""
    phone = fresh_phone()
    digest = accounts._code_digest(app.config["SECRET_KEY"], phone, "signup", "246810")
    with Session(engine) as session:
        session.add(
            OneTimeCode(
                phone=phone,
                purpose="signup",
                code_hash=digest,
                expires_at=datetime.now(UTC) + timedelta(minutes=10),
            )
        )
        session.commit()
    yield phone
    with Session(engine) as session:
        session.execute(delete(OneTimeCode).where(OneTimeCode.phone == phone))
        session.commit()


def test_twenty_parallel_wrong_guesses_compare_at_most_five(
    app: Any, engine: Any, racing_code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared = []
    real = accounts.code_matches
    monkeypatch.setattr(accounts, "code_matches", lambda a, b: compared.append(1) or real(a, b))
    results = _race(engine, app, racing_code, [f"{n:06d}" for n in range(20)])
    assert len(compared) <= accounts.CODE_ATTEMPTS
    assert all(r is not None for r in results)
    assert sum("不对" in r.message for r in results) == len(compared)
    with Session(engine) as session:
        assert session.scalar(select(OneTimeCode.attempts).where(OneTimeCode.phone == racing_code)) == 5
    assert _race(engine, app, racing_code, ["246810"])[0].message == "验证码已失效，请重新获取。"


def test_parallel_right_guesses_use_the_code_once(app: Any, engine: Any, racing_code: str) -> None:
    results = _race(engine, app, racing_code, ["246810"] * 8)
    assert sum(r is None for r in results) == 1


# --- no account enumeration


def _same(response: Any, phone: str) -> tuple[int, str | None, str]:
    """What an observer sees, minus the CSRF token and the number they typed."""
    body = re.sub(r'name="csrf_token" (?:type="hidden" )?value="[^"]+"', "", text(response))
    body = re.sub(r"csrf_token[^\n]*", "", body).replace(phone, "PHONE").replace(mask(phone), "PHONE")
    return response.status_code, response.headers.get("Location"), body


def assert_alike(one: list[Any], other: list[Any]) -> None:
    """Equal answers, or a readable diff of the first that differs."""
    for a, b in zip(one, other, strict=True):
        if a != b:
            diff = difflib.unified_diff(str(a).splitlines(), str(b).splitlines(), lineterm="", n=1)
            pytest.fail("answers differ:\n" + "\n".join(diff))


def _probe(client: Any, phone: str, start: str, verify: str) -> list[Any]:
    """Step one, three wrong codes, then step one until the hourly limit answers."""
    seen = [_same(post_form(client, start, {"phone": phone}), phone)]
    seen += [
        _same(
            post_form(
                client, verify, {"code": "000000", "password": "zhe-shi-mima-9", "confirm": "zhe-shi-mima-9"}
            ),
            phone,
        )
        for _ in range(3)
    ]
    # From a new address each time (as a prober would), so only the per-number hourly limit acts.
    seen += [_same(post_form(new_address(client), start, {"phone": phone}), phone) for _ in range(5)]
    return seen


@pytest.mark.parametrize(
    ("start", "verify"), [("/signup", "/signup/verify"), ("/password/reset", "/password/reset/verify")]
)
def test_sign_up_and_reset_answer_alike_for_registered_and_unregistered(
    app: Any, client: Any, db_session: Any, start: str, verify: str
) -> None:
    registered, unregistered = fresh_phone(), fresh_phone()
    make_seeker(db_session, registered)
    answers = {}
    for phone in (registered, unregistered):
        client = new_address(app.test_client())  # a fresh browser each
        answers[phone] = _probe(client, phone, start, verify)
    assert_alike(answers[registered], answers[unregistered])
    statuses = [status for status, *_ in answers[registered]]
    assert statuses == [302, 400, 400, 400, 302, 302, 302, 302, 400]  # 5 an hour, for everyone
    assert "验证码不对" in answers[registered][1][2] and "太频繁" in answers[registered][-1][2]
    assert "已经注册" not in str(answers)


def test_a_registered_number_gets_a_reminder_not_a_sign_up_code(app: Any, web: Any, db_session: Any) -> None:
    phone = fresh_phone()
    make_seeker(db_session, phone)
    outbox = app.extensions["jiujin_notify"]
    assert post_form(web, "/signup", {"phone": phone}).status_code == 302
    message = outbox.last_to(phone)
    assert (
        message.template == "account_exists" and "忘记密码" in message.text and "code" not in message.params
    )
    stranger = fresh_phone()
    assert post_form(web, "/password/reset", {"phone": stranger}).status_code == 302
    assert outbox.last_to(stranger) is None  # nobody is messaged about an account they don't have


def test_probing_an_unregistered_number_spends_nothing_of_anyone(
    app: Any, client: Any, db_session: Any
) -> None:
    person = make_seeker(db_session, fresh_phone())
    new_address(client)
    assert post_form(client, "/password/reset", {"phone": person.phone}).status_code == 302
    code = app.extensions["jiujin_notify"].last_to(person.phone, "verify_code").params["code"]
    prober = app.test_client()
    new_address(prober)
    post_form(prober, "/password/reset", {"phone": fresh_phone()})
    for _ in range(6):
        post_form(
            prober,
            "/password/reset/verify",
            {"code": code, "password": "zhe-shi-mima-9", "confirm": "zhe-shi-mima-9"},
        )
    row = db_session.scalar(select(OneTimeCode).where(OneTimeCode.phone == person.phone))
    assert row.attempts == 0 and row.used_at is None
    done = post_form(
        client,
        "/password/reset/verify",
        {"code": code, "password": "zhe-shi-mima-9", "confirm": "zhe-shi-mima-9"},
    )
    assert done.status_code == 302


def test_login_and_token_answers_alike_for_registered_and_unregistered(db_session: Any, client: Any) -> None:
    registered, unregistered = fresh_phone(), fresh_phone()
    make_seeker(db_session, registered)
    answers = {}
    for phone in (registered, unregistered):
        new_address(client)
        page = login(client, phone, "wrong-mima-1")
        api = client.post("/api/v1/auth/token", json={"phone": phone, "password": "wrong-mima-1"})
        answers[phone] = (_same(page, phone), api.status_code, api.get_json())
    assert answers[registered] == answers[unregistered]


# --- session and token lifetimes


def test_a_seekers_session_ends_after_30_idle_days(db_session: Any, web: Any, clock: Clock) -> None:
    phone = fresh_phone()
    make_seeker(db_session, phone)
    assert login(web, phone, OK).status_code == 302
    clock.advance(days=29)
    assert web.get("/me/data").status_code == 200  # in use: the idle clock starts again
    clock.advance(days=29)
    assert web.get("/me/data").status_code == 200
    clock.advance(days=30, seconds=1)
    gone = web.get("/me/data")
    assert gone.status_code == 302 and "/login" in gone.location
    assert "登录已过期" in text(web.get("/login"))


def test_a_seekers_session_ends_after_90_days_however_busy(db_session: Any, web: Any, clock: Clock) -> None:
    phone = fresh_phone()
    make_seeker(db_session, phone)
    assert login(web, phone, OK).status_code == 302
    for _ in range(3):
        clock.advance(days=29, hours=23)
        assert web.get("/me/data").status_code == 200
    clock.advance(hours=4)
    assert web.get("/me/data").status_code == 302


def test_staff_sessions_end_after_2_idle_hours_and_12_in_all(
    staff_world: Any, web: Any, clock: Clock
) -> None:
    staff = staff_world.users["bureau"]
    assert login(web, staff.phone, PASSWORD).status_code == 302
    cookie = web.get_cookie("session")
    assert cookie is not None and cookie.expires is None  # gone when the browser closes
    clock.advance(hours=1, minutes=59)
    assert web.get("/bureau/").status_code == 200
    clock.advance(hours=2, minutes=1)
    assert web.get("/bureau/").status_code == 302
    assert login(web, staff.phone, PASSWORD).status_code == 302
    for _ in range(12):  # never idle for long, and past 12 hours in all
        clock.advance(hours=1, minutes=1)
        status = web.get("/bureau/").status_code
    assert status == 302


def test_api_tokens_end_when_idle_and_at_their_lifetime(db_session: Any, web: Any, clock: Clock) -> None:
    phone = fresh_phone()
    make_seeker(db_session, phone)
    token = web.post("/api/v1/auth/token", json={"phone": phone, "password": OK}).get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    for _ in range(3):
        clock.advance(days=29, hours=23)
        assert web.get("/api/v1/me/data", headers=auth).status_code == 200
    assert (
        db_session.scalar(
            select(ApiToken.last_used_at).where(
                ApiToken.user_id == select(User.id).where(User.phone == phone).scalar_subquery()
            )
        )
        is not None
    )
    clock.advance(hours=4)
    assert web.get("/api/v1/me/data", headers=auth).status_code == 401
    token = web.post("/api/v1/auth/token", json={"phone": phone, "password": OK}).get_json()["token"]
    clock.advance(days=30, seconds=1)
    assert web.get("/api/v1/me/data", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_staff_tokens_follow_staff_lifetimes(staff_world: Any, web: Any, clock: Clock) -> None:
    made = web.post(
        "/api/v1/auth/token", json={"phone": staff_world.users["bureau"].phone, "password": PASSWORD}
    )
    auth = {"Authorization": f"Bearer {made.get_json()['token']}"}
    assert web.get("/api/v1/me/data", headers=auth).status_code == 200
    clock.advance(hours=2, seconds=1)
    assert web.get("/api/v1/me/data", headers=auth).status_code == 401


def test_a_cookie_without_its_sign_in_time_is_not_accepted(db_session: Any, web: Any) -> None:
    user = make_seeker(db_session, fresh_phone())
    with web.session_transaction() as s:  # a cookie made before lifetimes existed, or forged without them
        s["_user_id"], s["_fresh"] = user.get_id(), True
    assert web.get("/me/data").status_code == 302


def test_production_session_cookie_is_host_prefixed(production_app: Any) -> None:  # noqa: F811
    from web.extensions import db

    phone = "13800138066"
    with production_app.app_context():
        make_seeker(db.session, phone)
    client = production_app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    response = post_form(client, "/login", {"phone": phone, "password": OK})
    assert response.status_code == 302
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("__Host-session="))
    attributes = [a.strip().lower() for a in cookie.split(";")[1:]]
    assert "secure" in attributes and "path=/" in attributes and "httponly" in attributes
    assert not any(a.startswith("domain") for a in attributes)
    assert client.get("/me/data").status_code == 200
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["CookieAuth"]["name"] == "__Host-session"
