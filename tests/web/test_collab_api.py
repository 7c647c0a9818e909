"""Collaboration office API: supply, funnel, pushes; 401, 403, 404, 422 (issue #6)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from tests.web.staff import log_in
from web.models import JobPush, Worker


@pytest.fixture
def world(staff_world: Any) -> Any:
    """The shared staff world (tests/web/conftest.py): plain copies of its rows, readable across requests."""
    return staff_world


def bearer(world: Any, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[who]}"}


def test_reads_need_a_collab_or_admin_role(client: Any, world: Any) -> None:
    for path in ("/api/v1/collab/supply", "/api/v1/collab/funnel", "/api/v1/collab/pushes"):
        assert client.get(path).status_code == 401, path
        for who in ("bureau", "seeker"):
            response = client.get(path, headers=bearer(world, who))
            assert response.status_code == 403 and response.is_json, (path, who)
        for who in ("collab", "admin"):
            assert client.get(path, headers=bearer(world, who)).status_code == 200, (path, who)


def test_supply_and_funnel_shapes(client: Any, world: Any) -> None:
    supply = client.get("/api/v1/collab/supply", headers=bearer(world, "collab")).get_json()
    assert set(supply) == {"groups", "minor", "pay", "counties", "totals"}
    assert supply["totals"]["workers"] >= 2 and supply["totals"]["postings"] >= 1
    funnel = client.get("/api/v1/collab/funnel", headers=bearer(world, "collab")).get_json()
    assert set(funnel["totals"]) == {"matched", "applied", "placed", "retained"}
    assert client.get("/api/v1/collab/supply?pair=abc", headers=bearer(world, "collab")).status_code == 422
    other = client.get(f"/api/v1/collab/supply?pair={world.pair.id + 1000}", headers=bearer(world, "admin"))
    assert other.status_code == 404 and other.is_json


def test_create_pushes_once(client: Any, app: Any, world: Any, db_session: Any) -> None:
    db_session.get(Worker, world.workers["own"].id).phone = "13900000021"
    db_session.commit()
    body = {
        "posting_ids": [world.postings["east"].id],
        "worker_ids": [world.workers["own"].id, world.workers["other_county"].id],
    }
    outbox = app.extensions["jiujin_notify"].outbox
    before = len(outbox)
    warned = client.post("/api/v1/collab/pushes", json=body, headers=bearer(world, "collab"))
    assert warned.status_code == 409 and len(outbox) == before  # 从江's worker will not relocate
    beyond = warned.get_json()["detail"]["beyond_reach"]
    assert [(w["worker_id"], w["radius_km"]) for w in beyond] == [(world.workers["other_county"].id, 30)]
    assert beyond[0]["km"] > 500
    body["confirm"] = True
    first = client.post("/api/v1/collab/pushes", json=body, headers=bearer(world, "collab"))
    assert first.status_code == 201
    assert first.get_json() == {"created": 2, "existing": 0, "sent": 1, "failed": 0, "no_phone": 1}
    assert outbox[-1].phone == "13900000021" and len(outbox) == before + 1
    again = client.post("/api/v1/collab/pushes", json=body, headers=bearer(world, "collab"))
    assert again.get_json() == {"created": 0, "existing": 2, "sent": 0, "failed": 0, "no_phone": 0}
    listed = client.get("/api/v1/collab/pushes", headers=bearer(world, "collab")).get_json()
    assert listed["total"] == 2 and {p["worker_id"] for p in listed["pushes"]} == set(body["worker_ids"])
    assert all(p["response"] == "" and p["title"] == "电焊工（天河区）" for p in listed["pushes"])
    assert {p["worker_id"]: p["beyond_reach"] for p in listed["pushes"]} == {
        world.workers["own"].id: False, world.workers["other_county"].id: True}
    assert all(p["place"] for p in listed["pushes"])


def test_create_pushes_errors(client: Any, world: Any, db_session: Any) -> None:
    collab = bearer(world, "collab")
    east, own = world.postings["east"].id, world.workers["own"].id
    assert (
        client.post("/api/v1/collab/pushes", json={"posting_ids": [east], "worker_ids": [own]}).status_code
        == 401
    )
    assert (
        client.post(
            "/api/v1/collab/pushes",
            json={"posting_ids": [east], "worker_ids": [own]},
            headers=bearer(world, "bureau"),
        ).status_code
        == 403
    )
    for bad in (
        {},
        {"posting_ids": [], "worker_ids": [own]},
        {"posting_ids": ["x"], "worker_ids": [own]},
        {"posting_ids": [east], "worker_ids": list(range(1, 502))},
        {"posting_ids": east, "worker_ids": own},
    ):
        response = client.post("/api/v1/collab/pushes", json=bad, headers=collab)
        assert response.status_code == 422, bad
    far = client.post(
        "/api/v1/collab/pushes",
        json={"posting_ids": [world.postings["far_east"].id], "worker_ids": [own]},
        headers=collab,
    )
    assert far.status_code == 404 and far.is_json
    west = client.post(
        "/api/v1/collab/pushes",
        json={"posting_ids": [east], "worker_ids": [own, world.workers["other_region"].id]},
        headers=collab,
    )
    assert west.status_code == 404
    missing = client.post(
        "/api/v1/collab/pushes", json={"posting_ids": [999999], "worker_ids": [own]}, headers=collab
    )
    assert missing.status_code == 404
    assert db_session.scalar(select(func.count(JobPush.id))) == 0


def test_cookie_writes_need_the_csrf_header(client: Any, world: Any, db_session: Any) -> None:
    log_in(client, world.users["collab"])
    body = {"posting_ids": [world.postings["east"].id], "worker_ids": [world.workers["own"].id]}
    assert client.post("/api/v1/collab/pushes", json=body).status_code == 400
    assert db_session.scalar(select(func.count(JobPush.id))) == 0
    assert client.get("/api/v1/collab/supply").status_code == 200
