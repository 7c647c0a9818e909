"""API v1 for seekers: auth, profile, matches, marks, saved, the listing near a place."""

import re
import secrets

import pytest
from sqlalchemy import func, select

from tests.web.test_seeker_pages import WELDER, log_in, make_user, make_worker
from web.auth import token_digest
from web.models import ApiToken, Posting, PostingMark, Worker

PROFILE = {"description": WELDER["description"], "place": "榕江县", "km": 20, "wage": 4000,
           "unavailable_months": [5, 9], "employment_types": ["full_time"],
           "certificates": ["welder", "高压电工证"],
           "languages": ["putonghua"], "availability": "农忙时要回家"}


@pytest.fixture
def seeker(db_session):
    user = make_user(db_session)
    token = secrets.token_urlsafe(32)
    db_session.add(ApiToken(user_id=user.id, token_hash=token_digest(token),
                            session_version=user.session_version))
    db_session.commit()
    return {"user_id": user.id, "headers": {"Authorization": f"Bearer {token}"}, "user": user}


@pytest.fixture
def with_profile(db_session, runtime, seeker):
    seeker["worker_id"] = make_worker(db_session, runtime, seeker["user"]).id
    return seeker


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/me/profile"), ("put", "/api/v1/me/profile"), ("get", "/api/v1/me/matches"),
    ("get", "/api/v1/me/saved"), ("put", "/api/v1/me/marks/1"), ("delete", "/api/v1/me/marks/1")])
def test_needs_a_token_or_a_session(client, method, path):
    response = getattr(client, method)(path, json={"kind": "saved"} if method == "put" else None)
    assert response.status_code == 401 and response.is_json
    bad = getattr(client, method)(path, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_profile_put_then_get(client, db_session, seeker):
    headers = seeker["headers"]
    assert client.get("/api/v1/me/profile", headers=headers).status_code == 409
    response = client.put("/api/v1/me/profile", json=PROFILE, headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["description"] == PROFILE["description"] and "榕江县" in body["home"]
    assert body["km"] == 20 and body["certificates"] == ["welder", "高压电工证"]
    assert body["unavailable_months"] == [5, 9]
    assert client.get("/api/v1/me/profile", headers=headers).get_json() == body
    worker = db_session.scalar(select(Worker).where(Worker.user_id == seeker["user_id"]))
    assert worker.wage_expectation == 4000 and worker.lat is not None


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"description": ""}, "description", "1到500个字"),
    ({"place": "火星基地"}, "place", "找不到地点"),
    ({"km": 25}, "km", "5、10、20、30、50或100公里"),
    ({"wage": -1}, "wage", "期望月薪"),
    ({"unavailable_months": [0]}, "unavailable_months", "1到12"),
    ({"employment_types": ["x"]}, "employment_types", "用工方式"),
    ({"certificates": ["证" * 31]}, "certificates", "30个字"),
])
def test_profile_put_validation_is_a_422_with_field_messages(client, db_session, seeker, change, field,
                                                              message):
    response = client.put("/api/v1/me/profile", json={**PROFILE, **change}, headers=seeker["headers"])
    assert response.status_code == 422
    detail = response.get_json()["detail"]["json"]
    assert message in str(detail[field])
    assert db_session.scalar(select(func.count(Worker.id)).where(Worker.user_id == seeker["user_id"])) == 0


def test_session_writes_need_the_csrf_header(client, db_session, seeker):
    log_in(client, seeker["user"])
    assert client.put("/api/v1/me/profile", json=PROFILE).status_code == 400
    page = client.get("/me/profile").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.put("/api/v1/me/profile", json=PROFILE, headers={"X-CSRFToken": token}).status_code == 200


def test_matches_marks_and_saved(client, db_session, with_profile):
    headers = with_profile["headers"]
    body = client.get("/api/v1/me/matches", headers=headers).get_json()
    matches = body["matches"]
    assert len(matches) >= 3 and "焊" in matches[0]["title"] and "电焊" in matches[0]["reason"]
    for key in ("id", "title", "employer", "place", "distance_km", "wage", "housing", "score", "reason",
                "matched_terms", "new", "trust_label", "mark"):
        assert key in matches[0]
    assert any(m["trust_label"] and "人社局发布" in m["trust_label"] for m in matches)
    first, second = matches[0]["id"], matches[1]["id"]

    assert client.put(f"/api/v1/me/marks/{first}", json={"kind": "saved"}, headers=headers).get_json() == \
        {"posting_id": first, "kind": "saved"}
    dismissed = client.put(f"/api/v1/me/marks/{second}", json={"kind": "dismissed"}, headers=headers)
    assert dismissed.status_code == 200
    after = client.get("/api/v1/me/matches", headers=headers).get_json()["matches"]
    assert second not in [m["id"] for m in after]
    assert next(m for m in after if m["id"] == first)["mark"] == "saved"
    saved = client.get("/api/v1/me/saved", headers=headers).get_json()["saved"]
    assert [p["id"] for p in saved] == [first]
    assert client.delete(f"/api/v1/me/marks/{second}", headers=headers).status_code == 204
    back = client.get("/api/v1/me/matches", headers=headers).get_json()["matches"]
    assert second in [m["id"] for m in back]
    assert db_session.scalar(select(func.count(PostingMark.id))) == 1


def test_matches_filters_and_bad_filters(client, with_profile):
    headers = with_profile["headers"]
    housed = client.get("/api/v1/me/matches", query_string={"housing": "true"}, headers=headers).get_json()
    assert housed["matches"] and all(m["housing"] for m in housed["matches"])
    near = client.get("/api/v1/me/matches", query_string={"km": 5}, headers=headers).get_json()
    assert all(m["distance_km"] <= 5 for m in near["matches"])
    bad = client.get("/api/v1/me/matches", query_string={"min_wage": -1, "type": "x"}, headers=headers)
    assert bad.status_code == 422 and {"min_wage", "type"} <= set(bad.get_json()["detail"]["query"])


def test_marks_errors(client, db_session, with_profile, seeker):
    headers = with_profile["headers"]
    assert client.put("/api/v1/me/marks/999999", json={"kind": "saved"}, headers=headers).status_code == 404
    assert client.delete("/api/v1/me/marks/999999", headers=headers).status_code == 404
    posting = db_session.scalar(select(Posting.id).where(Posting.status == "open"))
    bad = client.put(f"/api/v1/me/marks/{posting}", json={"kind": "loved"}, headers=headers)
    assert bad.status_code == 422 and "kind" in bad.get_json()["detail"]["json"]
    assert client.put(f"/api/v1/me/marks/{posting}", json={}, headers=headers).status_code == 422


def test_marks_without_a_profile_are_a_409(client, db_session, seeker):
    posting = db_session.scalar(select(Posting.id).where(Posting.status == "open"))
    response = client.put(f"/api/v1/me/marks/{posting}", json={"kind": "saved"}, headers=seeker["headers"])
    assert response.status_code == 409
    assert client.get("/api/v1/me/matches", headers=seeker["headers"]).status_code == 409


def test_jobs_near_pages_newest_first_without_sign_in(client, db_session):
    body = client.get("/api/v1/jobs/near", query_string={"place": "榕江县"}).get_json()
    assert body["jobs"] and "榕江县" in body["place"] and body["page"] == 1
    dates = [j["posted_at"] for j in body["jobs"]]
    assert dates == sorted(dates, reverse=True)
    everything = client.get("/api/v1/jobs/near").get_json()
    open_count = db_session.scalar(select(func.count(Posting.id)).where(Posting.status == "open"))
    assert everything["total"] == open_count and len(everything["jobs"]) == 20
    assert everything["pages"] == -(-open_count // 20)
    second = client.get("/api/v1/jobs/near", query_string={"page": 2}).get_json()
    assert not {j["id"] for j in second["jobs"]} & {j["id"] for j in everything["jobs"]}
    bad = client.get("/api/v1/jobs/near", query_string={"place": "火星基地"})
    assert bad.status_code == 422 and "place" in bad.get_json()["detail"]["query"]
    assert client.get("/api/v1/jobs/near", query_string={"km": 0}).status_code == 422


def test_openapi_documents_the_seeker_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/me/profile", "/api/v1/me/matches", "/api/v1/me/saved",
                 "/api/v1/me/marks/{posting_id}", "/api/v1/jobs/near"):
        assert path in spec["paths"], path
    schemas = spec["components"]["schemas"]
    assert "trust_label" in schemas["SeekerMatchOut"]["properties"]
    assert "unavailable_months" in schemas["ProfileIn"]["properties"]
