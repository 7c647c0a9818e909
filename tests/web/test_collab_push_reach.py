"""Pushes to workers who will not relocate are warned about; the pushed message says how to answer."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from tests.web.staff import csrf_token, log_in
from web.models import JobPush, Worker


@pytest.fixture
def world(staff_world: Any) -> Any:
    """The shared staff world (tests/web/staff.py)."""
    return staff_world


def push(client: Any, world: Any, worker_id: int, confirm: bool = True) -> Any:
    token = csrf_token(client, "/collab/push")
    data = {
        "csrf_token": token,
        "posting_ids": [str(world.postings["east"].id)],
        "worker_ids": [str(worker_id)],
    }
    if confirm:
        data["confirm"] = "1"
    return client.post("/collab/push", data=data)


def test_push_page_marks_every_worker_who_will_not_relocate(client: Any, world: Any) -> None:
    log_in(client, world.users["collab"])
    page = client.get("/collab/push").get_data(as_text=True)
    labels = dict(re.findall(r'name="worker_ids" value="(\d+)"(.*?)</label>', page, re.S))
    assert "不愿外出（只找30公里内）" in labels[str(world.workers["other_county"].id)]
    assert (
        "不愿外出" not in labels[str(world.workers["own"].id)]
        and "愿意外出" in labels[str(world.workers["own"].id)]
    )


def test_a_relocating_worker_is_pushed_without_a_warning(client: Any, world: Any, db_session: Any) -> None:
    log_in(client, world.users["collab"])
    response = push(client, world, world.workers["own"].id, confirm=False)
    assert response.status_code == 302
    assert db_session.scalar(select(JobPush).where(JobPush.worker_id == world.workers["own"].id)) is not None


def test_the_message_links_to_a_reply_page_that_records_the_answer(
    client: Any, app: Any, world: Any, db_session: Any
) -> None:
    db_session.get(Worker, world.workers["other_county"].id).phone = "13900000031"
    db_session.commit()
    log_in(client, world.users["collab"])
    app.config["JIUJIN_PUBLIC_BASE_URL"] = "https://jiujin.example.cn"
    app.config["JIUJIN_BUREAU_PHONE"] = "0855-1234567"
    try:
        assert push(client, world, world.workers["other_county"].id).status_code == 302
    finally:
        app.config.pop("JIUJIN_PUBLIC_BASE_URL")
        app.config.pop("JIUJIN_BUREAU_PHONE")
    message = app.extensions["jiujin_notify"].last_to("13900000031", "job_push")
    assert "想去或不想去，请点https://jiujin.example.cn/r/" in message.text
    assert "也可以打电话0855-1234567" in message.text
    path = re.search(r"https://jiujin\.example\.cn(/r/\S+?)告诉我们", message.text).group(1)
    client.get("/logout")
    with client.session_transaction() as s:
        s.clear()
    page = client.get(path).get_data(as_text=True)
    assert "电焊工（天河区）" in page and "想去，请联系我" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answered = client.post(
        path, data={"csrf_token": token, "response": "not_interested"}, follow_redirects=True
    )
    assert "你的回复：不想去" in answered.get_data(as_text=True)
    row = db_session.scalar(select(JobPush).where(JobPush.worker_id == world.workers["other_county"].id))
    db_session.refresh(row)
    assert row.response == "not_interested" and row.responded_at is not None
    assert client.get(path[:-3] + "xyz").status_code == 404  # a forged link
    assert client.post(path, data={"csrf_token": token, "response": "applied"}).status_code == 400


def test_the_pushes_list_flags_pushes_beyond_reach(client: Any, world: Any) -> None:
    log_in(client, world.users["collab"])
    push(client, world, world.workers["other_county"].id)
    push(client, world, world.workers["own"].id)
    page = client.get("/collab/pushes").get_data(as_text=True)
    assert page.count("不愿外出，超出本人范围") == 1 and "天河区" in page
