"""Bureau JSON API: vacancies CRUD, import report, candidates; 401/403/404/422, never 5xx."""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import func, select

from web.models import AuditEntry, HouseholdMark, Posting, Worker

VACANCY = {"title": "采茶工", "employer": "榕江县茶叶合作社", "place": "榕江县古州镇", "wage_min": 3000,
           "wage_max": 4500, "housing": True, "meals": False, "employment_type": "seasonal", "headcount": 12,
           "deadline": "2099-03-31", "requirements": "能吃苦"}


@pytest.fixture
def world(staff_world: Any) -> Any:
    """The staff world with every object loaded (a request's teardown detaches them)."""
    for group in (staff_world.users, staff_world.workers, staff_world.postings, staff_world.places):
        for obj in group.values():
            assert obj.id
    return staff_world


def _auth(world: Any, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[name]}"}


def _postings(db_session: Any) -> int:
    return db_session.scalar(select(func.count(Posting.id)))


def test_vacancy_crud(client: Any, db_session: Any, world: Any) -> None:
    headers = _auth(world, "bureau")
    created = client.post("/api/v1/bureau/vacancies", json=VACANCY, headers=headers)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["editable"] and body["trust"] == "bureau" and body["source"] == "bureau-522632"
    assert (body["wage_min"], body["wage_max"], body["housing"], body["status"]) == (3000, 4500, True, "open")
    path = f"/api/v1/bureau/vacancies/{body['id']}"
    assert client.get(path, headers=headers).get_json()["title"] == "采茶工"
    listed = client.get("/api/v1/bureau/vacancies", headers=headers).get_json()["vacancies"]
    assert body["id"] in [v["id"] for v in listed]
    assert all(v["place_name"] is None or "榕江县" in v["place_name"] for v in listed)
    replaced = client.put(path, json={**VACANCY, "wage_max": 5000}, headers=headers)
    assert replaced.status_code == 200 and replaced.get_json()["wage_max"] == 5000
    closed = client.delete(path, headers=headers)
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    assert db_session.get(Posting, body["id"]).status == "closed"


@pytest.mark.parametrize(("change", "field"), [
    ({"title": ""}, "title"), ({"wage_min": 5000, "wage_max": 3000}, "wage_max"),
    ({"employment_type": "forever"}, "employment_type"), ({"deadline": "2001-01-01"}, "deadline"),
    ({"place": "从江县"}, "place"), ({"place": "火星基地"}, "place"), ({"headcount": "many"}, "headcount"),
])
def test_bad_vacancy_is_422_and_stores_nothing(client: Any, db_session: Any, world: Any,
                                               change: dict[str, Any], field: str) -> None:
    before = _postings(db_session)
    response = client.post("/api/v1/bureau/vacancies", json={**VACANCY, **change},
                           headers=_auth(world, "bureau"))
    assert response.status_code == 422
    assert field in response.get_json()["detail"]["json"]
    assert _postings(db_session) == before


def test_status_codes(client: Any, world: Any) -> None:
    other = world.postings["other_county"].id
    own = world.postings["own"].id
    assert client.get("/api/v1/bureau/vacancies").status_code == 401
    assert client.post("/api/v1/bureau/vacancies", json=VACANCY).status_code == 401
    for name in ("seeker", "collab"):
        assert client.get("/api/v1/bureau/vacancies", headers=_auth(world, name)).status_code == 403
        assert client.post("/api/v1/bureau/imports", headers=_auth(world, name)).status_code == 403
    bureau = _auth(world, "bureau")
    assert client.get(f"/api/v1/bureau/vacancies/{other}", headers=bureau).status_code == 404
    assert client.delete(f"/api/v1/bureau/vacancies/{other}", headers=bureau).status_code == 404
    assert client.get(f"/api/v1/bureau/vacancies/{other}/candidates", headers=bureau).status_code == 404
    assert client.get("/api/v1/bureau/vacancies/99999999", headers=bureau).status_code == 404
    assert client.put(f"/api/v1/bureau/vacancies/{own}", json=VACANCY, headers=bureau).status_code == 409
    assert client.put(f"/api/v1/bureau/vacancies/{own}", json={}, headers=bureau).status_code == 422
    assert client.get(f"/api/v1/bureau/vacancies/{other}", headers=_auth(world, "admin")).status_code == 200


def test_cookie_writes_need_the_csrf_header(client: Any, world: Any) -> None:
    from tests.web.staff import log_in

    log_in(client, world.users["bureau"])
    assert client.post("/api/v1/bureau/vacancies", json=VACANCY).status_code == 400


def _import_job(client: Any, data: bytes, headers: dict[str, str]) -> dict[str, Any]:
    """Upload (202 with the job), run the queued job, then read the finished job."""
    from tests.web.test_imports import run_jobs

    response = client.post("/api/v1/bureau/imports", data={"file": (io.BytesIO(data), "jobs.csv")},
                           headers=headers, content_type="multipart/form-data")
    assert response.status_code == 202, response.get_json()
    queued = response.get_json()
    assert queued["status"] == "queued" and queued["finished"] is False and queued["read"] == 0
    assert response.headers["Location"].endswith(f"/api/v1/bureau/imports/{queued['id']}")
    assert run_jobs(client) == 1
    done = client.get(response.headers["Location"], headers=headers)
    assert done.status_code == 200
    return done.get_json()


def test_import_returns_the_row_report(client: Any, db_session: Any, world: Any) -> None:
    text = "岗位名称,用人单位,工作地点,工资\n电焊工,API测试厂,榕江县,5000\n,没名字,榕江县,4000\n"
    data = text.encode("gbk")
    headers = _auth(world, "bureau")
    body = _import_job(client, data, headers)
    assert body["status"] == "done" and body["finished"] and body["total"] == 2 and body["read"] == 2
    assert body["counts"]["new"] == 1 and body["counts"]["rejected"] == 1
    assert (body["stored"], body["rejected"]) == (1, 1)
    bad = [r for r in body["rows"] if r["outcome"] == "rejected"][0]
    assert (bad["row"], bad["reason"], bad["message"]) == (3, "missing_title", "缺少岗位名称")
    again = _import_job(client, data, headers)
    assert again["counts"]["new"] == 0 and again["counts"]["unchanged"] == 1
    other = client.get(f"/api/v1/bureau/imports/{again['id']}", headers=_auth(world, "collab"))
    assert other.status_code == 403
    html = client.post("/api/v1/bureau/imports", data={"file": (io.BytesIO(b"<html></html>"), "x.xlsx")},
                       headers=headers, content_type="multipart/form-data")
    assert html.status_code == 422 and "不是电子表格" in html.get_json()["message"]
    assert client.post("/api/v1/bureau/imports", headers=headers).status_code == 422
    assert client.get("/api/v1/bureau/imports/99999999", headers=headers).status_code == 404


def test_candidates_api(client: Any, db_session: Any, world: Any) -> None:
    p = world.places["own"]
    worker = Worker(name="没同意的人", description="会电焊，干过五年", home_place_id=p.id,
                    home_text=p.full_name, lat=p.lat, lon=p.lon, max_commute_km=30, phone="13900000111")
    db_session.add(worker)
    db_session.flush()
    db_session.add(HouseholdMark(worker_id=worker.id, kind="tuopin"))
    worker_id = worker.id
    db_session.commit()
    posting_id = world.postings["own"].id
    response = client.get(f"/api/v1/bureau/vacancies/{posting_id}/candidates", headers=_auth(world, "bureau"))
    assert response.status_code == 200
    found = {c["worker_id"]: c for c in response.get_json()["candidates"]}
    mine = found[worker_id]
    assert mine["household"] == "tuopin" and mine["reason"] and mine["score"] > 0
    assert mine["contact"] is None and mine["contact_authorized"] is False
    assert mine["rank_score"] == pytest.approx(mine["score"] + 0.05, abs=1e-3)
    assert "13900000111" not in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "household.view", AuditEntry.object_id == worker_id)) == 1
