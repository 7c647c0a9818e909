"""County bureau workspace pages: vacancies through the pipeline, candidates, assisted
registration, priority households (audited, staff only), the no-match list."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from jobs_ingest.clock import china_today
from tests.web.staff import csrf_token, log_in  # staff_world: the fixture, from tests/web/conftest.py
from web.models import Application, AuditEntry, HouseholdMark, Posting, PostingEmbedding, User, Worker
from web.policy import Scope
from web.services.imports import bureau_source, read_items, store_items

VACANCY = {"title": "采茶工", "employer": "榕江县茶叶合作社", "place": "榕江县古州镇", "pay": "3000-4500",
           "housing": "y", "meals": "y", "employment_type": "seasonal", "headcount": "12",
           "deadline": "2099-03-31", "requirements": "能吃苦，<b>有采茶经验</b>优先"}


@pytest.fixture
def world(staff_world: Any) -> Any:
    """The staff world with every object loaded (a request's teardown detaches them)."""
    _load(staff_world)
    return staff_world


def _load(world: Any) -> None:
    for group in (world.users, world.workers, world.postings, world.places):
        for obj in group.values():
            assert obj.id


def _login(client: Any, world: Any, name: str) -> None:
    """Sign in, after loading the world again: a commit in the test expired it, and the
    request context's teardown detaches it."""
    _load(world)
    log_in(client, world.users[name])


def _post(client: Any, path: str, data: dict[str, Any], form_path: str | None = None) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client, form_path or path), **data})


def _count(db_session: Any, model: Any, *where: Any) -> int:
    return db_session.scalar(select(func.count(model.id)).where(*where))


def _new_vacancy(client: Any, db_session: Any, **changes: str) -> Posting:
    response = _post(client, "/bureau/vacancies/new", {**VACANCY, **changes})
    assert response.status_code == 302, response.get_data(as_text=True)
    return db_session.get(Posting, int(response.location.rstrip("/").split("/")[-2]))


# --- vacancies


def test_posted_vacancy_goes_through_the_pipeline(client: Any, db_session: Any, world: Any) -> None:
    _login(client, world, "bureau")
    posting = _new_vacancy(client, db_session)
    assert posting.source.name == "bureau-522632"
    assert (posting.source.trust, posting.source.kind) == ("bureau", "manual")
    assert (posting.wage_min, posting.wage_max, posting.housing, posting.meals) == (3000, 4500, True, True)
    assert (posting.employment_type, posting.headcount, posting.status) == ("seasonal", 12, "open")
    assert posting.place.code == "522632000000" and posting.lat is not None
    assert "<b>" not in posting.description and "有采茶经验" in posting.description
    assert len(posting.content_hash) == 64 and posting.sightings
    vector = db_session.scalar(select(PostingEmbedding).where(PostingEmbedding.posting_id == posting.id))
    assert vector is not None and vector.content_hash == posting.content_hash
    page = client.get(f"/jobs/{posting.id}").get_data(as_text=True)
    assert "人社局发布" in page


def test_the_same_vacancy_twice_is_one_posting(client: Any, db_session: Any, world: Any) -> None:
    _login(client, world, "bureau")
    first = _new_vacancy(client, db_session)
    second = _new_vacancy(client, db_session)
    assert first.id == second.id
    assert _count(db_session, Posting, Posting.title == "采茶工", Posting.source_id == first.source_id) == 1


@pytest.mark.parametrize(("pay", "wages"), [("6千", (6000, 6000)), ("4500-6000", (4500, 6000)),
                                             ("5000元以上", (5000, None)), ("面议", (None, None)),
                                             ("6k", (6000, 6000)), ("negotiable", (None, None))])
def test_the_form_reads_pay_as_the_upload_does(client: Any, db_session: Any, world: Any, pay: str,
                                               wages: tuple[int | None, int | None]) -> None:
    _login(client, world, "bureau")
    posting = _new_vacancy(client, db_session, pay=pay)
    assert (posting.wage_min, posting.wage_max) == wages and posting.wage_text == pay
    sheet = f"岗位名称,用人单位,工作地点,薪资待遇\n采茶工,另一家合作社,榕江县古州镇,{pay}\n".encode()
    # The same spelling in an upload's pay column gives the same figures (one parser).
    row = store_items(db_session, bureau_source(db_session, "522632"), read_items("jobs.csv", sheet),
                      client.application.extensions["jiujin"].gazetteer, china_today(),
                      Scope(admin=False, counties=("522632",)))[0]
    stored = db_session.get(Posting, row.posting_id)
    assert (stored.wage_min, stored.wage_max) == wages


@pytest.mark.parametrize(("changes", "message"), [
    ({"title": ""}, "请填写岗位名称"),
    ({"pay": "工资很高"}, "看不懂这个工资写法"),
    ({"pay": "50"}, "看不懂这个工资写法"),
    ({"headcount": "0"}, "招聘人数要在1到10000之间"),
    ({"deadline": "2001-01-01"}, "截止日期已经过了"),
    ({"place": "从江县"}, "工作地点要在本县范围内"),
    ({"place": "火星基地"}, "找不到地点"),
])
def test_invalid_vacancy_is_refused_and_nothing_stored(client: Any, db_session: Any, world: Any,
                                                       changes: dict[str, str], message: str) -> None:
    _login(client, world, "bureau")
    before = _count(db_session, Posting)
    response = _post(client, "/bureau/vacancies/new", {**VACANCY, **changes})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(db_session, Posting) == before


def test_edit_and_close_own_vacancy(client: Any, db_session: Any, world: Any) -> None:
    _login(client, world, "bureau")
    posting = _new_vacancy(client, db_session)
    old_hash = posting.content_hash
    path = f"/bureau/vacancies/{posting.id}/edit"
    assert 'value="采茶工"' in client.get(path).get_data(as_text=True)
    response = _post(client, path, {**VACANCY, "pay": "3000-5200", "housing": ""})
    assert response.status_code == 302
    db_session.expire_all()
    posting = db_session.get(Posting, posting.id)
    assert (posting.wage_max, posting.housing) == (5200, False) and posting.content_hash != old_hash
    vector = db_session.scalar(select(PostingEmbedding).where(PostingEmbedding.posting_id == posting.id))
    assert vector.content_hash == posting.content_hash
    assert _post(client, f"/bureau/vacancies/{posting.id}/close", {}, path).status_code == 302
    db_session.expire_all()
    assert db_session.get(Posting, posting.id).status == "closed"


def test_another_sources_vacancy_can_only_be_closed(client: Any, db_session: Any, world: Any) -> None:
    _login(client, world, "bureau")
    path = f"/bureau/vacancies/{world.postings['own'].id}/edit"
    assert "只能下架" in client.get(path).get_data(as_text=True)
    assert _post(client, path, VACANCY).status_code == 409


def test_scope_and_roles(client: Any, world: Any) -> None:
    _login(client, world, "bureau")
    other = world.postings["other_county"].id
    assert client.get(f"/bureau/vacancies/{other}/edit").status_code == 404
    assert client.get(f"/bureau/vacancies/{other}/candidates").status_code == 404
    assert client.get(f"/bureau/workers/{world.workers['other_county'].id}/edit").status_code == 404
    for name in ("seeker", "collab"):
        log_in(client, world.users[name])
        for path in ("/bureau/", "/bureau/vacancies/new", "/bureau/workers", "/bureau/no-match"):
            assert client.get(path).status_code == 403, (name, path)


def test_lists_are_filtered_by_county(client: Any, world: Any) -> None:
    _login(client, world, "bureau")
    page = client.get("/bureau/vacancies").get_data(as_text=True)
    assert "电焊工（榕江县）" in page and "电焊工（从江县）" not in page
    workers = client.get("/bureau/workers").get_data(as_text=True)
    assert "工人own" in workers and "工人other_county" not in workers
    assert "工人own" in client.get("/bureau/workers?q=工人").get_data(as_text=True)
    assert "工人own" not in client.get("/bureau/workers?q=没有这个人").get_data(as_text=True)
    assert client.get("/bureau/").status_code == 200


# --- candidates


def _worker(db_session: Any, world: Any, name: str, **fields: Any) -> Worker:
    p = world.places["own"]
    values = {"name": name, "description": "会电焊，干过五年", "home_place_id": p.id,
              "home_text": p.full_name, "lat": p.lat, "lon": p.lon, "max_commute_km": 30, **fields}
    worker = Worker(**values)
    db_session.add(worker)
    db_session.commit()
    assert worker.id
    return worker


def test_candidates_ranked_with_reasons_priority_raised_contact_only_when_allowed(
        client: Any, db_session: Any, world: Any) -> None:
    marked = _worker(db_session, world, "重点户张三", phone="13900000001")
    db_session.add(HouseholdMark(worker_id=marked.id, kind="tuopin"))
    plain = _worker(db_session, world, "李四", phone="13900000002")  # newer: wins a tie without the mark
    consented = _worker(db_session, world, "王五", phone="13900000003", consent_method="verbal",
                        consent_recorded_at=datetime.now(UTC))
    applicant = _worker(db_session, world, "赵六", phone="13900000004")
    db_session.add(Application(worker_id=applicant.id, posting_id=world.postings["own"].id))
    db_session.commit()
    ids = (marked.id, plain.id, consented.id, applicant.id)
    _login(client, world, "bureau")
    page = client.get(f"/bureau/vacancies/{world.postings['own'].id}/candidates").get_data(as_text=True)
    assert "离家" in page or "公里" in page  # reasons from the matcher
    assert page.index("重点户张三") < page.index("李四")
    assert "重点户</span>" not in page.split("李四")[1].split("</li>")[0]
    assert "重点户 · 脱贫户" in page
    assert "13900000001" not in page and "13900000002" not in page
    assert "13900000003" in page and "13900000004" in page
    assert "未授权联系方式" in page
    assert "工人other_county" not in page
    viewed = db_session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "household.view", AuditEntry.object_id == ids[0]))
    assert viewed == 1


# --- assisted registration


WORKER = {"name": "陈大姐", "phone": "13800000009", "description": "会做饭，想在县城找活",
          "place": "榕江县古州镇", "village": "车江村", "km": "20", "wage": "3000", "months": ["5", "9"],
          "types": ["full_time"],
          "certificates": "健康证、厨师证", "consent_method": "verbal"}


def test_assisted_registration_needs_consent_and_records_the_clerk(client: Any, db_session: Any,
                                                                   world: Any) -> None:
    _login(client, world, "bureau")
    before = _count(db_session, Worker)
    refused = _post(client, "/bureau/workers/new", WORKER)
    assert refused.status_code == 400 and "要先取得本人同意" in refused.get_data(as_text=True)
    assert _count(db_session, Worker) == before
    outside = _post(client, "/bureau/workers/new", {**WORKER, "consent": "y", "place": "从江县"})
    assert outside.status_code == 400 and _count(db_session, Worker) == before
    saved = _post(client, "/bureau/workers/new", {**WORKER, "consent": "y"})
    assert saved.status_code == 302
    worker = db_session.scalar(select(Worker).where(Worker.name == "陈大姐"))
    assert worker.registered_by_id == world.users["bureau"].id
    assert worker.consent_method == "verbal" and worker.consent_recorded_at is not None
    assert worker.home_place.code == "522632000000" and worker.village == "车江村"
    assert worker.unavailable_months == [5, 9] and worker.employment_types == ["full_time"]
    assert worker.certificates == ["健康证", "厨师证"] and worker.phone == "13800000009"
    path = f"/bureau/workers/{worker.id}/edit"
    assert _post(client, path, {**WORKER, "km": "50"}).status_code == 302  # consent already on record
    db_session.expire_all()
    assert db_session.get(Worker, worker.id).max_commute_km == 50


# --- priority households


def _audits(db_session: Any, action: str, worker_id: int) -> int:
    return _count(db_session, AuditEntry, AuditEntry.action == action, AuditEntry.object_id == worker_id,
                  AuditEntry.object_type == "worker")


def test_household_marks_are_audited(client: Any, db_session: Any, world: Any) -> None:
    worker = world.workers["own"]
    _login(client, world, "bureau")
    path = f"/bureau/workers/{worker.id}/edit"
    client.get(path)
    assert _audits(db_session, "household.view", worker.id) == 1
    assert _post(client, f"/bureau/workers/{worker.id}/household", {"kind": "jiance", "action": "set"},
                 path).status_code == 302
    mark = db_session.scalar(select(HouseholdMark).where(HouseholdMark.worker_id == worker.id))
    assert mark.kind == "jiance" and mark.marked_by_id == world.users["bureau"].id
    assert _audits(db_session, "household.set", worker.id) == 1
    assert "监测户" in client.get(f"/bureau/workers/{worker.id}/household").get_data(as_text=True)
    cleared = _post(client, f"/bureau/workers/{worker.id}/household", {"action": "clear"}, path)
    assert cleared.status_code == 302
    assert _count(db_session, HouseholdMark, HouseholdMark.worker_id == worker.id) == 0
    assert _audits(db_session, "household.clear", worker.id) == 1
    assert _audits(db_session, "household.view", worker.id) >= 3
    _login(client, world, "bureau_other")
    assert client.get(f"/bureau/workers/{worker.id}/household").status_code == 404
    _login(client, world, "seeker")
    assert client.post(f"/bureau/workers/{worker.id}/household", data={"kind": "tuopin"}).status_code in (
        400, 403)


def test_marks_never_reach_seeker_pages_or_api(client: Any, db_session: Any, world: Any) -> None:
    seeker = world.users["seeker"]
    p = world.places["own"]
    worker = Worker(user_id=seeker.id, name="求职者", description="会电焊", home_place_id=p.id,
                    home_text="榕江县", lat=p.lat, lon=p.lon, max_commute_km=30)
    db_session.add(worker)
    db_session.flush()
    db_session.add(HouseholdMark(worker_id=worker.id, kind="tuopin"))
    db_session.commit()
    _login(client, world, "seeker")
    pages = [client.get(path).get_data(as_text=True) for path in (
        "/me/profile", "/me/matches", f"/jobs/{world.postings['own'].id}")]
    api = client.get("/api/v1/me/profile", headers={"Authorization": f"Bearer {world.tokens['seeker']}"})
    assert api.status_code == 200
    for text in [*pages, api.get_data(as_text=True)]:
        for word in ("重点户", "脱贫户", "tuopin", "household"):
            assert word not in text
    assert client.get("/bureau/outreach").status_code == 403


def test_outreach_lists_priority_households_first(client: Any, db_session: Any, world: Any) -> None:
    plain = _worker(db_session, world, "没人联系的甲")
    marked = _worker(db_session, world, "没人联系的乙")
    placed = world.workers["own"]  # has a placement
    db_session.add(HouseholdMark(worker_id=marked.id, kind="yidi"))
    marked_id, plain_id = marked.id, plain.id
    db_session.commit()
    _login(client, world, "bureau")
    page = client.get("/bureau/outreach").get_data(as_text=True)
    assert page.index("没人联系的乙") < page.index("没人联系的甲")
    assert "易地搬迁户" in page and placed.name not in page
    assert _audits(db_session, "household.view", marked_id) == 1
    assert _audits(db_session, "household.view", plain_id) == 0


# --- no feasible match


def test_no_match_lists_a_worker_no_job_reaches_with_a_next_step(client: Any, db_session: Any,
                                                                 world: Any) -> None:
    _login(client, world, "bureau")
    _new_vacancy(client, db_session, title="电焊工", requirements="焊接钢结构")  # housed, embedded, indexed
    p = world.places["own"]
    _worker(db_session, world, "山里的孙七", lat=p.lat + 0.3, lon=p.lon + 0.3, max_commute_km=1)
    near = _worker(db_session, world, "县城的周八")
    page = client.get("/bureau/no-match").get_data(as_text=True)
    assert "山里的孙七" in page and near.name not in page
    entry = page.split("山里的孙七")[1].split("</ul>")[0]
    assert "包住的岗位" in entry


def test_my_data_exports_and_deletes_the_household_mark(db_session: Any, world: Any) -> None:
    from web.services.mydata import delete_my_data, export_my_data

    seeker = db_session.get(User, world.users["seeker"].id)
    worker = Worker(user_id=seeker.id, name="求职者", description="会电焊")
    db_session.add(worker)
    db_session.flush()
    db_session.add(HouseholdMark(worker_id=worker.id, kind="jiance"))
    db_session.flush()
    worker_id = worker.id
    assert [m["kind"] for m in export_my_data(db_session, seeker)["household_marks"]] == ["jiance"]
    delete_my_data(db_session, seeker)
    db_session.flush()
    assert _count(db_session, HouseholdMark, HouseholdMark.worker_id == worker_id) == 0
