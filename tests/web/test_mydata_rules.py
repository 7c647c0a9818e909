"""The seeker's export and deletion rules (web/services/mydata.py): the household mark a bureau set
is shown to its person in plain words; deleting the account leaves no phone number in report
details and no mark kind in audit entries about the person."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.web.staff import log_in
from web.models import AuditEntry, HouseholdMark, PostingReport, User, Worker
from web.services.households import set_mark
from web.services.mydata import REDACTED, delete_my_data, export_my_data, redact_free_text


def _seeker_with_mark(db_session: Any, world: Any) -> tuple[User, Worker]:
    seeker = db_session.get(User, world.users["seeker"].id)
    worker = Worker(user_id=seeker.id, name="王小燕", description="会电焊",
                    home_place_id=world.places["own"].id)
    db_session.add(worker)
    db_session.flush()
    db_session.add(HouseholdMark(worker_id=worker.id, kind="jiance"))
    db_session.commit()
    return seeker, worker


def test_the_export_shows_the_household_mark_in_plain_words(client: Any, db_session: Any,
                                                            staff_world: Any) -> None:
    """PIPL Art. 45: the mark is information held about the person, so their export and page show it."""
    seeker, _ = _seeker_with_mark(db_session, staff_world)
    [mark] = export_my_data(db_session, seeker)["household_marks"]
    assert mark["kind"] == "jiance" and mark["kind_text"] == "监测户"
    assert "就业局" in mark["set_by"] and mark["created_at"]
    log_in(client, staff_world.users["seeker"])
    page = client.get("/me/data").get_data(as_text=True)
    assert "监测户" in page and "就业局" in page
    download = client.get("/me/data.json").get_json()
    assert download["household_marks"][0]["kind_text"] == "监测户"


def test_deletion_redacts_report_details_and_audit_marks(app: Any, db_session: Any, staff_world: Any) -> None:
    """The person's reports stay for moderators without their phone (any phone-like number) or name;
    another's report naming them loses the name and number; audit entries about them keep who looked
    and when, not the mark's kind."""
    seeker, worker = _seeker_with_mark(db_session, staff_world)
    posting_id = staff_world.postings["own"].id
    mine = PostingReport(posting_id=posting_id, user_id=seeker.id, reason="fees",
                         detail="要交300元押金，老板电话 0855-6621234，我是王小燕 19800000006")
    other = PostingReport(posting_id=posting_id, reason="other",
                          detail="王小燕（19800000006）也被骗了，厂电话13912345678")
    db_session.add_all([mine, other])
    db_session.commit()
    mine_id, other_id, worker_id = mine.id, other.id, worker.id
    bureau_id = staff_world.users["bureau"].id
    with app.test_request_context(f"/bureau/workers/{worker_id}/household", method="POST"):
        set_mark(db_session, db_session.get(User, bureau_id), worker_id, "tuopin")
        db_session.commit()  # the context's teardown removes the session
    db_session.add(AuditEntry(user_id=bureau_id, action="household.view", object_type="worker",
                              object_id=worker_id, outcome="ok",
                              detail={"path": "/bureau/workers", "method": "GET", "page": "list",
                                      "kind": "x"}))
    db_session.commit()
    seeker = db_session.get(User, staff_world.users["seeker"].id)
    delete_my_data(db_session, seeker)
    db_session.commit()

    kept = db_session.get(PostingReport, mine_id)
    assert kept.user_id is None and kept.reason == "fees"
    assert "6621234" not in kept.detail and "19800000006" not in kept.detail and "王小燕" not in kept.detail
    assert kept.detail.startswith("要交300元押金") and REDACTED in kept.detail
    theirs = db_session.get(PostingReport, other_id).detail
    assert "王小燕" not in theirs and "19800000006" not in theirs
    assert "13912345678" in theirs  # someone else's report keeps the numbers that are not the person's
    entries = db_session.scalars(select(AuditEntry).where(AuditEntry.object_type == "worker",
                                                          AuditEntry.object_id == worker_id)).all()
    assert {e.action for e in entries} >= {"household.set", "household.view"}
    for entry in entries:
        assert entry.user_id == bureau_id and entry.created_at is not None
        assert set(entry.detail) <= {"path", "method", "page"}
        assert "tuopin" not in str(entry.detail) and "jiance" not in str(entry.detail)


def test_redaction_catches_phone_shapes() -> None:
    """Mobile, landline, spaced and dashed numbers, +86; short figures (pay, ages) stay."""
    text = "电话 138 0013 8001、+86 13800138001、0855-6621234、QQ 123456789；月薪4500元，35岁"
    out = redact_free_text(text)
    assert "4500" in out and "35" in out
    for number in ("8001", "13800138001", "6621234", "123456789"):
        assert number not in out
