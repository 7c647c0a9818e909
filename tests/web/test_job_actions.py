"""The job page (details, trust, how to apply), reporting a posting, moderation, and applying."""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime
from itertools import count

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from tests.web.staff import csrf_token
from web.models import (
    Application,
    Posting,
    PostingReport,
    PostingSource,
    RoleAssignment,
    Source,
    User,
    Worker,
)
from web.services.applications import ApplicationError, set_application_status

_phones = count(1)
_HASH = PasswordHasher().hash("correct horse battery")


def text(response):
    return response.get_data(as_text=True)


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app):
    """Rate limits are per process: start every test with none used."""
    from web.extensions import limiter

    with app.app_context():
        limiter.reset()


def save(db_session, *objects):
    """Commit (a savepoint here) and reload what the session holds: each request's teardown closes
    the session, so the next request sees only what was committed, and objects the test keeps
    stay readable once detached only if they were loaded after the commit."""
    db_session.add_all(objects)
    held = list(db_session.identity_map.values()) + [o for o in db_session.new]
    db_session.commit()
    for obj in held:
        db_session.refresh(obj)


def fresh(db_session, obj):
    """``obj`` as the database has it now (after requests changed it)."""
    return db_session.get(type(obj), obj.id, populate_existing=True)


def make_user(db_session, *, worker=True, admin=False, consent=True):
    """A user (with a worker profile unless told otherwise), saved."""
    user = User(phone=f"139000{next(_phones):05d}", password_hash=_HASH,
                consent_at=datetime.now(UTC) if consent else None)
    db_session.add(user)
    db_session.flush()
    if admin:
        db_session.add(RoleAssignment(user_id=user.id, role="admin"))
    profile = None
    if worker:
        profile = Worker(user_id=user.id, description="会电焊，在工地干过三年", lat=25.93, lon=108.52,
                         max_commute_km=30)
        db_session.add(profile)
    save(db_session, *[o for o in (user, profile) if o is not None])
    return user, profile


def sign_in(client, user):
    with client.session_transaction() as s:
        s["_user_id"] = user.get_id()
        s["_fresh"] = True
        s["_auth_at"] = s["_seen_at"] = time.time()  # a fresh sign-in (web.auth lifetimes)


def post_form(client, page_url, action, data=None, **kwargs):
    """POST a form the way a browser does: with the token from the page it is on."""
    return client.post(action, data={"csrf_token": csrf_token(client, page_url), **(data or {})}, **kwargs)


def open_posting(db_session, **where):
    query = select(Posting).where(Posting.status == "open").order_by(Posting.id)
    for key, value in where.items():
        query = query.where(getattr(Posting, key) == value)
    return db_session.scalar(query)


def reports_of(db_session, posting):
    """Rows for a posting or a posting id (a request that commits or rolls back expires what we hold)."""
    posting_id = posting if isinstance(posting, int) else posting.id
    return db_session.scalars(select(PostingReport).where(PostingReport.posting_id == posting_id)).all()


def applications_of(db_session, posting):
    """Rows for a posting or a posting id (a request that commits or rolls back expires what we hold)."""
    posting_id = posting if isinstance(posting, int) else posting.id
    return db_session.scalars(select(Application).where(Application.posting_id == posting_id)).all()


# --- The job page -------------------------------------------------------------------------------


def test_job_page_shows_trust_sightings_dates_and_how_to_apply(client, db_session):
    posting = open_posting(db_session, housing=True)
    posting.url = "https://jobs.example.org/welder/1"
    posting.posted_at, posting.valid_through = date(2026, 11, 20), date(2026, 12, 31)
    other = Source(name="acme-direct", kind="demo", trust="employer")
    db_session.add(other)
    db_session.flush()
    db_session.add(PostingSource(posting_id=posting.id, source_id=other.id, external_id="A-1",
                                 url="https://acme.example.com/1", content_hash="x"))
    save(db_session, posting)
    page = text(client.get(f"/jobs/{posting.id}"))
    assert posting.title in page and "包住" in page
    assert "人社局发布" in page and "另见1个渠道" in page and "用人单位 · 企业直招" in page
    assert "acme-direct" not in page  # a source's internal name is never shown: no public name, its kind
    assert "2026年11月20日" in page and "2026年12月31日" in page
    assert "怎么申请" in page and 'href="https://jobs.example.org/welder/1"' in page
    assert "登录后申请" in page  # signed out: the way in, not a form that would lose the POST
    assert "正规招聘不收押金、培训费；不要刷单；不要私下转账。" in page
    assert 'name="reason" value="fees"' in page and 'for="report-detail"' in page


def test_job_page_of_an_employer_posting_and_a_distance(client, db_session):
    posting = open_posting(db_session)
    direct = Source(name="factory-direct", kind="demo", trust="employer")
    db_session.add(direct)
    db_session.flush()
    posting.source_id = direct.id
    save(db_session, posting)
    near = {"lat": posting.lat, "lon": posting.lon + 0.1}
    page = text(client.get(f"/jobs/{posting.id}", query_string=near))
    assert "企业直招" in page and "人社局发布</span>" not in page
    assert re.search(r"离家\d+公里", page)
    assert "另见" not in page
    bad = client.get(f"/jobs/{posting.id}", query_string={"lat": "abc", "lon": "1"})
    assert bad.status_code == 200 and not re.search(r"离家\d+公里", text(bad))


def test_signed_in_worker_sees_distance_from_home_and_an_apply_button(client, db_session):
    posting = open_posting(db_session)
    user, _ = make_user(db_session)
    sign_in(client, user)
    page = text(client.get(f"/jobs/{posting.id}"))
    assert re.search(r"离家\d+公里|就在附近", page)
    assert f'action="/jobs/{posting.id}/apply"' in page and "在就近上申请" in page


@pytest.mark.parametrize(("status", "words"), [("closed", "已经停止招聘"), ("expired", "已过期")])
def test_closed_and_expired_postings_say_so_and_offer_no_apply(client, db_session, status, words):
    posting = open_posting(db_session)
    posting.status = status
    posting.url = "https://jobs.example.org/closed"
    save(db_session, posting)
    user, _ = make_user(db_session)
    sign_in(client, user)
    page = text(client.get(f"/jobs/{posting.id}"))
    assert words in page and "不能再申请" in page
    assert f'action="/jobs/{posting.id}/apply"' not in page and "jobs.example.org/closed" not in page


def test_markup_in_a_posting_is_escaped(client, db_session):
    posting = open_posting(db_session)
    posting.title = '<script>alert("t")</script>焊工'
    posting.description = 'line one\n<img src=x onerror="alert(1)">'
    posting.url = "javascript:alert(1)"
    save(db_session, posting)
    page = text(client.get(f"/jobs/{posting.id}"))
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert" in page and "&lt;img src=x onerror=" in page
    assert 'href="javascript:' not in page


# --- Reporting a posting ------------------------------------------------------------------------


def test_anonymous_report_is_stored_with_its_reason(client, db_session):
    posting = open_posting(db_session)
    url = f"/jobs/{posting.id}"
    response = post_form(client, url, f"{url}/report", {"reason": "fees", "detail": "要交300元押金"},
                         follow_redirects=True)
    assert response.status_code == 200 and "举报已收到" in text(response)
    [report] = reports_of(db_session, posting)
    assert (report.reason, report.detail, report.user_id) == ("fees", "要交300元押金", None)
    assert report.status == "open"


def test_signed_in_report_is_kept_once_per_reason(client, db_session):
    posting = open_posting(db_session)
    user, _ = make_user(db_session)
    sign_in(client, user)
    url = f"/jobs/{posting.id}"
    post_form(client, url, f"{url}/report", {"reason": "brushing"})
    again = post_form(client, url, f"{url}/report", {"reason": "brushing", "detail": "又来"},
                      follow_redirects=True)
    assert "你已经举报过这个问题" in text(again)
    post_form(client, url, f"{url}/report", {"reason": "off_platform"})
    stored = reports_of(db_session, posting)
    assert sorted((r.reason, r.user_id) for r in stored) == [("brushing", user.id), ("off_platform", user.id)]


@pytest.mark.parametrize(("data", "message"), [
    ({"reason": "spam"}, "请选择举报原因"),
    ({"detail": "没选原因"}, "请选择举报原因"),
    ({"reason": "fees", "detail": "字" * 1001}, "补充说明最多1000个字"),
])
def test_bad_report_gets_a_message_and_stores_nothing(client, db_session, data, message):
    posting = open_posting(db_session)
    url = f"/jobs/{posting.id}"
    response = post_form(client, url, f"{url}/report", data)
    assert response.status_code == 400
    page = text(response)
    assert message in page and posting.title in page
    assert '<details class="report" id="report" open>' in page  # the form stays open with its message
    assert reports_of(db_session, posting) == []


def test_report_without_the_csrf_token_is_refused(client, db_session):
    posting = open_posting(db_session)
    response = client.post(f"/jobs/{posting.id}/report", data={"reason": "fees"})
    assert response.status_code == 400
    assert reports_of(db_session, posting) == []


def test_reports_are_rate_limited(client, db_session):
    posting = open_posting(db_session)
    url = f"/jobs/{posting.id}"
    token = csrf_token(client, url)
    codes = [client.post(f"{url}/report", data={"csrf_token": token, "reason": "other"}).status_code
             for _ in range(6)]
    assert codes == [302] * 5 + [429]
    assert len(reports_of(db_session, posting)) == 5


def test_report_of_an_unknown_posting_is_404(client, db_session):
    posting = open_posting(db_session)
    token = csrf_token(client, f"/jobs/{posting.id}")
    assert client.post("/jobs/999999/report", data={"csrf_token": token, "reason": "fees"}).status_code == 404


# --- Moderation ---------------------------------------------------------------------------------


def test_queue_is_for_admins_only(client, db_session):
    anonymous = client.get("/moderation/reports")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    user, _ = make_user(db_session)
    sign_in(client, user)
    refused = client.get("/moderation/reports")
    assert refused.status_code == 403 and "只有管理员" not in text(refused)  # the policy says no, plainly
    assert "403" in text(refused)


def _reported(db_session, posting, *reasons):
    for reason in reasons:
        db_session.add(PostingReport(posting_id=posting.id, reason=reason, detail=f"<b>{reason}</b>"))
    save(db_session, posting)


def test_admin_sees_open_reports_grouped_by_posting(client, db_session):
    first, second = db_session.scalars(select(Posting).where(Posting.status == "open")
                                       .order_by(Posting.id).limit(2)).all()
    _reported(db_session, first, "fees")
    _reported(db_session, second, "fees", "fees", "brushing")
    db_session.add(PostingReport(posting_id=first.id, reason="misleading", status="dismissed"))
    save(db_session, first, second)
    admin, _ = make_user(db_session, worker=False, admin=True)
    sign_in(client, admin)
    page = text(client.get("/moderation/reports"))
    assert "2个岗位有待处理的举报" in page
    assert page.index(second.title) < page.index(first.title)  # the most reported first
    assert "3条举报" in page and "收押金、培训费等费用×2" in page and "让人刷单×1" in page
    assert "1条举报" in page and "内容不实" not in page  # the dismissed one is gone
    assert "&lt;b&gt;fees&lt;/b&gt;" in page


def test_admin_dismisses_a_report(client, db_session):
    posting = open_posting(db_session)
    _reported(db_session, posting, "other")
    [report] = reports_of(db_session, posting)
    admin, _ = make_user(db_session, worker=False, admin=True)
    sign_in(client, admin)
    response = post_form(client, "/moderation/reports", f"/moderation/reports/{report.id}/dismiss",
                         follow_redirects=True)
    assert "已忽略这条举报" in text(response) and "没有待处理的举报" in text(response)
    assert fresh(db_session, report).status == "dismissed" and fresh(db_session, posting).status == "open"


def test_admin_closes_a_posting_which_can_no_longer_be_applied_to(client, db_session):
    posting = open_posting(db_session)
    _reported(db_session, posting, "fees", "brushing")
    before = posting.changed_at
    admin, _ = make_user(db_session, worker=False, admin=True)
    sign_in(client, admin)
    response = post_form(client, "/moderation/reports", f"/moderation/postings/{posting.id}/close",
                         follow_redirects=True)
    assert "岗位已下架" in text(response)
    closed = fresh(db_session, posting)
    assert closed.status == "closed" and closed.changed_at > before
    assert {r.status for r in reports_of(db_session, posting)} == {"resolved"}
    seeker, _ = make_user(db_session)
    sign_in(client, seeker)
    refused = post_form(client, f"/jobs/{posting.id}", f"/jobs/{posting.id}/apply", follow_redirects=True)
    assert "已经停止招聘" in text(refused)
    assert applications_of(db_session, posting) == []


def test_moderation_actions_need_an_admin(client, db_session):
    posting = open_posting(db_session)
    _reported(db_session, posting, "fees")
    user, _ = make_user(db_session)
    sign_in(client, user)
    token = csrf_token(client, f"/jobs/{posting.id}")
    response = client.post(f"/moderation/postings/{posting.id}/close", data={"csrf_token": token})
    assert response.status_code == 403
    assert fresh(db_session, posting).status == "open"


# --- Applying ----------------------------------------------------------------------------------


def test_apply_once_and_the_page_shows_the_status(client, db_session):
    posting = open_posting(db_session)
    user, worker = make_user(db_session)
    sign_in(client, user)
    url = f"/jobs/{posting.id}"
    first = post_form(client, url, f"{url}/apply", follow_redirects=True)
    assert "申请已提交" in text(first) and "已申请 · 状态：已提交" in text(first)
    second = post_form(client, url, f"{url}/apply", follow_redirects=True)
    assert "你已经申请过了" in text(second)
    [application] = applications_of(db_session, posting)
    assert (application.worker_id, application.status) == (worker.id, "submitted")


def test_apply_needs_sign_in_consent_and_a_profile(client, db_session):
    posting = open_posting(db_session)
    url = f"/jobs/{posting.id}"
    anonymous = post_form(client, url, f"{url}/apply")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    unconsented, _ = make_user(db_session, consent=False)
    sign_in(client, unconsented)
    assert "/consent" in post_form(client, url, f"{url}/apply").headers["Location"]
    no_profile, _ = make_user(db_session, worker=False)
    sign_in(client, no_profile)
    response = post_form(client, url, f"{url}/apply")
    assert response.status_code == 302 and response.headers["Location"].endswith("/me/profile")
    with client.session_transaction() as s:
        assert any("请先填写你的找工作资料" in m for _, m in s.get("_flashes", []))
    assert applications_of(db_session, posting) == []


def test_apply_to_a_closed_or_unknown_posting_is_refused(client, db_session):
    posting = open_posting(db_session)
    posting.status = "closed"
    save(db_session, posting)
    user, _ = make_user(db_session)
    sign_in(client, user)
    token = csrf_token(client, f"/jobs/{posting.id}")
    refused = client.post(f"/jobs/{posting.id}/apply", data={"csrf_token": token}, follow_redirects=True)
    assert "已经停止招聘，不能申请了" in text(refused)
    assert applications_of(db_session, posting) == []
    assert client.post("/jobs/999999/apply", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/jobs/{2**31}/apply", data={"csrf_token": token}).status_code == 404
    assert client.get(f"/jobs/{2**31}").status_code == 404  # past INTEGER: routing says 404, not the database


def test_apply_without_the_csrf_token_is_refused(client, db_session):
    posting = open_posting(db_session)
    user, _ = make_user(db_session)
    sign_in(client, user)
    assert client.post(f"/jobs/{posting.id}/apply").status_code == 400
    assert applications_of(db_session, posting) == []


def test_my_applications_in_plain_words_newest_first_and_withdraw(client, db_session):
    older, newer = db_session.scalars(select(Posting).where(Posting.status == "open")
                                      .order_by(Posting.id).limit(2)).all()
    user, worker = make_user(db_session)
    db_session.add_all([
        Application(worker_id=worker.id, posting_id=older.id, created_at=datetime(2026, 11, 1, tzinfo=UTC)),
        Application(worker_id=worker.id, posting_id=newer.id, created_at=datetime(2026, 11, 20, tzinfo=UTC)),
    ])
    db_session.flush()
    interview = applications_of(db_session, older)[0]
    set_application_status(db_session, interview, "interview")
    save(db_session, older, newer, interview)
    sign_in(client, user)
    page = text(client.get("/me/applications"))
    assert page.index(newer.title) < page.index(older.title)
    assert "状态：已提交" in page and "状态：约面试" in page and "2026年11月20日申请" in page
    assert f'href="/jobs/{older.id}"' in page
    asked = post_form(client, "/me/applications", f"/me/applications/{interview.id}/withdraw")
    assert asked.status_code == 200 and "确定撤回" in text(asked) and older.title in text(asked)
    assert fresh(db_session, interview).status == "interview"  # nothing changes before the confirmation
    response = post_form(client, "/me/applications", f"/me/applications/{interview.id}/withdraw",
                         {"confirm": "1"}, follow_redirects=True)
    assert "申请已撤回" in text(response) and "状态：已撤回" in text(response)
    assert fresh(db_session, interview).status == "withdrawn"
    job = text(client.get(f"/jobs/{older.id}"))  # withdrawn: may apply again, without a duplicate row
    assert "已申请" not in job and "在就近上申请" in job
    post_form(client, f"/jobs/{older.id}", f"/jobs/{older.id}/apply")
    assert [a.status for a in applications_of(db_session, older)] == ["submitted"]


def test_statuses_in_plain_words(client, db_session):
    posting = open_posting(db_session)
    user, worker = make_user(db_session)
    application = Application(worker_id=worker.id, posting_id=posting.id)
    db_session.add(application)
    save(db_session, application)
    sign_in(client, user)
    for status, words in [("viewed", "对方已查看"), ("hired", "已录用"), ("rejected", "未录用")]:
        application = fresh(db_session, application)
        set_application_status(db_session, application, status)
        save(db_session, application)
        page = text(client.get("/me/applications"))
        assert f"状态：{words}" in page
        assert ("撤回这份申请" in page) == (status != "rejected")
    assert "已申请 · 状态：未录用" in text(client.get(f"/jobs/{posting.id}"))
    with pytest.raises(ApplicationError):
        set_application_status(db_session, application, "lost")


def test_nobody_withdraws_someone_elses_application(client, db_session):
    posting = open_posting(db_session)
    _, owner = make_user(db_session)
    application = Application(worker_id=owner.id, posting_id=posting.id)
    db_session.add(application)
    other, _ = make_user(db_session)
    save(db_session, application)
    sign_in(client, other)
    response = post_form(client, "/me/applications", f"/me/applications/{application.id}/withdraw")
    assert response.status_code == 404
    assert fresh(db_session, application).status == "submitted"


def test_my_applications_without_a_profile(client, db_session):
    user, _ = make_user(db_session, worker=False)
    sign_in(client, user)
    page = text(client.get("/me/applications"))
    assert "还没有填写找工作资料" in page
    assert db_session.scalar(select(func.count()).select_from(Application)
                             .join(Worker).where(Worker.user_id == user.id)) == 0
