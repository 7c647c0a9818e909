"""API v1: a seeker's applications and reports of suspicious postings."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from tests.web.test_job_actions import (
    _fresh_rate_limits,
    applications_of,
    make_user,
    open_posting,
    reports_of,
    save,
)
from web.auth import token_digest
from web.models import ApiToken, Application

__all__ = ["_fresh_rate_limits"]  # the autouse fixture applies here too


def bearer(db_session, user):
    """An API token for ``user``: the Authorization header that carries it."""
    token = secrets.token_urlsafe(24)
    save(db_session, ApiToken(user_id=user.id, token_hash=token_digest(token),
                              session_version=user.session_version))
    return {"Authorization": f"Bearer {token}"}


def test_applications_need_credentials(client, db_session):
    posting = open_posting(db_session).id
    for response in (client.get("/api/v1/me/applications"),
                     client.post(f"/api/v1/jobs/{posting}/applications"),
                     client.post("/api/v1/me/applications/1/withdraw"),
                     client.get("/api/v1/me/applications", headers={"Authorization": "Bearer nope"})):
        assert response.status_code == 401 and response.is_json
    assert applications_of(db_session, posting) == []


def test_apply_list_and_withdraw_with_a_bearer_token(client, db_session):
    posting = open_posting(db_session)
    user, worker = make_user(db_session)
    auth = bearer(db_session, user)
    posting_id, title, worker_id = posting.id, posting.title, worker.id
    assert client.get("/api/v1/me/applications", headers=auth).get_json() == {"applications": []}

    created = client.post(f"/api/v1/jobs/{posting_id}/applications", headers=auth)
    assert created.status_code == 201
    body = created.get_json()
    assert (body["posting_id"], body["posting_title"], body["status"], body["status_text"]) == (
        posting_id, title, "submitted", "已提交")

    again = client.post(f"/api/v1/jobs/{posting_id}/applications", headers=auth)
    assert again.status_code == 409
    assert again.get_json()["message"] == "you have already applied to this job"
    assert again.get_json()["detail"] == {"reason": "duplicate", "application_id": body["id"],
                                          "status": "submitted"}
    assert len(applications_of(db_session, posting_id)) == 1

    listed = client.get("/api/v1/me/applications", headers=auth).get_json()["applications"]
    assert [a["id"] for a in listed] == [body["id"]]

    withdrawn = client.post(f"/api/v1/me/applications/{body['id']}/withdraw", headers=auth)
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "withdrawn"
    assert client.post(f"/api/v1/me/applications/{body['id']}/withdraw", headers=auth).status_code == 409
    stored = db_session.scalar(select(Application.status).where(Application.worker_id == worker_id))
    assert stored == "withdrawn"


def test_unknown_closed_and_someone_elses(client, db_session):
    posting = open_posting(db_session)
    posting.status = "closed"
    save(db_session)
    user, _ = make_user(db_session)
    auth = bearer(db_session, user)
    posting_id = posting.id  # a request that rolls back expires what the test holds
    url = f"/api/v1/jobs/{posting_id}/applications"
    unknown = client.post("/api/v1/jobs/999999/applications", headers=auth)
    assert unknown.status_code == 404 and unknown.get_json()["message"] == "no such job"
    assert client.post(f"/api/v1/jobs/{2**31}/applications", headers=auth).status_code == 404
    assert client.post(f"/api/v1/me/applications/{2**63}/withdraw", headers=auth).status_code == 404
    closed = client.post(url, headers=auth)
    assert closed.status_code == 409 and closed.get_json()["detail"]["reason"] == "closed"
    assert applications_of(db_session, posting_id) == []

    _, owner = make_user(db_session)
    theirs = Application(worker_id=owner.id, posting_id=open_posting(db_session).id)
    save(db_session, theirs)
    theirs_id = theirs.id
    assert client.post(f"/api/v1/me/applications/{theirs_id}/withdraw", headers=auth).status_code == 404
    assert db_session.get(Application, theirs_id).status == "submitted"


def test_apply_without_a_profile_or_consent(client, db_session):
    posting = open_posting(db_session).id
    no_profile, _ = make_user(db_session, worker=False)
    response = client.post(f"/api/v1/jobs/{posting}/applications", headers=bearer(db_session, no_profile))
    assert response.status_code == 409 and response.get_json()["detail"]["reason"] == "no_profile"
    unconsented, _ = make_user(db_session, consent=False)
    response = client.post(f"/api/v1/jobs/{posting}/applications", headers=bearer(db_session, unconsented))
    assert response.status_code == 403
    assert applications_of(db_session, posting) == []


def test_a_session_cookie_needs_the_csrf_header(client, db_session):
    from tests.web.test_job_actions import csrf_token, sign_in

    posting = open_posting(db_session).id
    user, _ = make_user(db_session)
    sign_in(client, user)
    refused = client.post(f"/api/v1/jobs/{posting}/applications")
    assert refused.status_code == 400 and refused.is_json
    assert applications_of(db_session, posting) == []
    token = csrf_token(client, f"/jobs/{posting}")
    accepted = client.post(f"/api/v1/jobs/{posting}/applications", headers={"X-CSRFToken": token})
    assert accepted.status_code == 201


def test_anonymous_and_signed_in_reports(client, db_session):
    posting = open_posting(db_session)
    posting_id = posting.id  # a request that commits expires what the test holds
    url = f"/api/v1/jobs/{posting_id}/reports"
    anonymous = client.post(url, json={"reason": "fees", "detail": "收押金"})
    assert anonymous.status_code == 201
    assert anonymous.get_json()["created"] is True and anonymous.get_json()["reason"] == "fees"
    user, _ = make_user(db_session)
    auth = bearer(db_session, user)
    user_id = user.id
    first = client.post(url, json={"reason": "brushing"}, headers=auth)
    again = client.post(url, json={"reason": "brushing"}, headers=auth)
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["created"] is False and again.get_json()["id"] == first.get_json()["id"]
    stored = sorted((r.reason, r.user_id, r.detail) for r in reports_of(db_session, posting_id))
    assert stored == [("brushing", user_id, ""), ("fees", None, "收押金")]


def test_bad_reports_are_422_and_store_nothing(client, db_session):
    posting = open_posting(db_session).id
    url = f"/api/v1/jobs/{posting}/reports"
    bad_reason = client.post(url, json={"reason": "spam"})
    assert bad_reason.status_code == 422
    assert bad_reason.get_json()["detail"]["json"]["reason"] == ["请选择举报原因。"]
    too_long = client.post(url, json={"reason": "fees", "detail": "字" * 1001})
    assert too_long.status_code == 422 and "detail" in too_long.get_json()["detail"]["json"]
    assert client.post(url, data="not json", content_type="application/json").status_code in (400, 422)
    assert client.post("/api/v1/jobs/999999/reports", json={"reason": "fees"}).status_code == 404
    beyond = client.post(f"/api/v1/jobs/{2**31}/reports", json={"reason": "fees"})  # past INTEGER: no 500
    assert beyond.status_code == 404 and beyond.is_json
    assert reports_of(db_session, posting) == []


def test_the_openapi_document_lists_the_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    assert "get" in paths["/api/v1/me/applications"]
    assert "201" in paths["/api/v1/jobs/{posting_id}/applications"]["post"]["responses"]
    assert "post" in paths["/api/v1/me/applications/{application_id}/withdraw"]
    assert "requestBody" in paths["/api/v1/jobs/{posting_id}/reports"]["post"]
    schemas = spec["components"]["schemas"]
    assert {"ApplicationOut", "ApplicationsOut", "ReportIn", "ReportOut"} <= set(schemas)
    assert "status_text" in schemas["ApplicationOut"]["properties"]
