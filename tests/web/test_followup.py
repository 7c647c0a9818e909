"""Bureau follow-up: placements (from an application, by hand), their 1/3/6-month check-ins,
the due list, access by role and county, the village drop flag, the notice-board slips and the
daily reminder job.

Each request closes the session and detaches the world's objects: tests keep plain ids."""

from __future__ import annotations

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from tests.web.staff import csrf_token, log_in  # staff_world: a fixture, from tests/web/conftest.py
from web.models import Application, CheckIn, HouseholdMark, Notification, Placement, User, Worker
from web.scheduler import build_scheduler
from web.services import county_report, followup
from web.services.notify import LogSender

API = "/api/v1/bureau"


def plain(world):
    """The world's ids, titles, phones and tokens as plain values."""
    return SimpleNamespace(
        users={k: u.id for k, u in world.users.items()},
        phones={k: u.phone for k, u in world.users.items()},
        workers={k: x.id for k, x in world.workers.items()},
        postings={k: p.id for k, p in world.postings.items()},
        titles={k: p.title for k, p in world.postings.items()},
        places={k: p.id for k, p in world.places.items()},
        tokens=dict(world.tokens),
        placements={k: p.id for k, p in world.placements.items()},
        checkins={k: c.id for k, c in world.checkins.items()},
    )


def sign_in(client, session, ids, name):
    log_in(client, session.get(User, ids.users[name]))


def bearer(ids, name):
    return {"Authorization": f"Bearer {ids.tokens[name]}"}


def place_by_hand(session, ids, key, started_on, title="包装工", employer="县城食品厂"):
    """A placement made by the service; returns (placement id, [check-in ids by 1, 3, 6 months])."""
    placement = followup.record_placement(
        session,
        session.get(User, ids.users["bureau"]),
        ids.workers[key],
        {"employer": employer, "title": title, "started_on": started_on},
    )
    result = placement.id, [c.id for c in placement.checkins]
    session.commit()
    return result


def test_placement_from_an_application_on_the_page_creates_three_checkins(client, db_session, staff_world):
    ids = plain(staff_world)
    application = db_session.get(Application, staff_world.applications["own"].id)  # the world's own
    application.status = "interview"
    application_id = application.id
    db_session.commit()
    sign_in(client, db_session, ids, "bureau")
    path = f"/bureau/placements/new/{ids.workers['own']}"
    form = client.get(path).get_data(as_text=True)
    assert ids.titles["own"] in form and '<label for="started_on">' in form  # a choice; labelled inputs
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "application_id": application_id,
            "employer": "",
            "title": "",
            "started_on": "2026-01-31",
        },
    )
    assert response.status_code == 302
    placement = db_session.get(Placement, int(response.location.rsplit("/", 1)[1]))
    assert (placement.source, placement.application_id) == ("application", application_id)
    assert (placement.posting_id, placement.job_title) == (ids.postings["own"], ids.titles["own"])
    assert placement.county_code == "522632000000" and placement.recorded_by_id == ids.users["bureau"]
    assert [(c.month_offset, c.due_on) for c in placement.checkins] == [
        (1, date(2026, 2, 28)),
        (3, date(2026, 4, 30)),
        (6, date(2026, 7, 31)),
    ]
    assert db_session.get(Application, application_id).status == "hired"
    page = client.get(response.location).get_data(as_text=True)
    assert "2026-02-28" in page and "2026-07-31" in page
    again = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "application_id": application_id,
            "started_on": "2026-02-01",
        },
    )
    assert again.status_code == 400 and "这份申请已经记录过就业了" in again.get_data(as_text=True)
    count = select(func.count(Placement.id)).where(Placement.application_id == application_id)
    assert db_session.scalar(count) == 1


def test_placement_by_hand_through_the_api(client, db_session, staff_world):
    ids = plain(staff_world)
    body = {
        "worker_id": ids.workers["own"],
        "employer": "县城食品厂",
        "title": "包装工",
        "started_on": "2026-08-31",
    }
    response = client.post(f"{API}/placements", json=body, headers=bearer(ids, "bureau"))
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert (data["source"], data["employer"], data["title"], data["county_code"]) == (
        "manual",
        "县城食品厂",
        "包装工",
        "522632000000",
    )
    assert [(c["month_offset"], c["due_on"]) for c in data["checkins"]] == [
        (1, "2026-09-30"),
        (3, "2026-11-30"),
        (6, "2027-02-28"),
    ]
    assert db_session.scalar(select(func.count(CheckIn.id)).where(CheckIn.placement_id == data["id"])) == 3
    got = client.get(f"{API}/placements/{data['id']}", headers=bearer(ids, "bureau_same")).get_json()
    assert got["id"] == data["id"] and len(got["checkins"]) == 3
    listed = client.get(f"{API}/placements", headers=bearer(ids, "bureau")).get_json()["placements"]
    assert {p["county_code"] for p in listed} == {"522632000000"} and data["id"] in {p["id"] for p in listed}
    for bad in ({**body, "employer": ""}, {**body, "started_on": "2026-13-01"}, {"worker_id": "x"}):
        assert client.post(f"{API}/placements", json=bad, headers=bearer(ids, "bureau")).status_code == 422
    other = {**body, "worker_id": ids.workers["other_county"]}
    assert client.post(f"{API}/placements", json=other, headers=bearer(ids, "bureau")).status_code == 404
    for role in ("seeker", "collab"):
        assert client.post(f"{API}/placements", json=body, headers=bearer(ids, role)).status_code == 403
    assert client.post(f"{API}/placements", json=other, headers=bearer(ids, "admin")).status_code == 201


def test_recording_checkins_on_the_page_and_the_api(client, db_session, staff_world):
    ids = plain(staff_world)
    placement_id, (first, third, _) = place_by_hand(db_session, ids, "own", date.today() - timedelta(days=40))
    sign_in(client, db_session, ids, "bureau")
    token = csrf_token(client, f"/bureau/placements/new/{ids.workers['own']}")
    page = client.get(f"/bureau/placements/{placement_id}").get_data(as_text=True)
    assert f'name="c{first}-still_working"' in page and f'name="c{third}-still_working"' not in page
    response = client.post(
        f"/bureau/checkins/{first}",
        data={
            f"c{first}-csrf_token": token,
            f"c{first}-still_working": "yes",
            f"c{first}-paid_on_time": "no",
            f"c{first}-note": "工资晚发了一周",
        },
    )
    assert response.status_code == 302 and response.location.endswith(f"/bureau/placements/{placement_id}")
    done = db_session.get(CheckIn, first)
    assert (done.still_working, done.paid_on_time, done.note) == (True, False, "工资晚发了一周")
    assert done.done_at is not None and done.recorded_by_id == ids.users["bureau"]
    log_in(client, None)  # the API with a bearer token (a session cookie would want a CSRF header)
    early = client.post(
        f"{API}/checkins/{third}", json={"still_working": True}, headers=bearer(ids, "bureau")
    )
    assert early.status_code == 422 and early.get_json()["detail"]["reason"] == "not_due"
    answer = client.post(
        f"{API}/checkins/{first}", json={"still_working": False}, headers=bearer(ids, "bureau")
    )
    assert answer.status_code == 200 and answer.get_json()["still_working"] is False
    # left the job: the later check-ins are no longer due (they are gone)
    gone = client.post(
        f"{API}/checkins/{third}", json={"still_working": True}, headers=bearer(ids, "bureau")
    )
    assert gone.status_code == 404
    assert (
        client.post(
            f"{API}/checkins/{first}", json={"still_working": "maybe"}, headers=bearer(ids, "bureau")
        ).status_code
        == 422
    )


def test_another_countys_placement_and_checkin_are_404_and_other_roles_403(client, db_session, staff_world):
    ids = plain(staff_world)
    other, (checkin, _, _) = place_by_hand(db_session, ids, "other_county", date.today() - timedelta(days=40))
    sign_in(client, db_session, ids, "bureau")
    token = csrf_token(client, f"/bureau/placements/new/{ids.workers['own']}")
    assert client.get(f"/bureau/placements/{other}").status_code == 404
    assert client.post(f"/bureau/checkins/{checkin}", data={"csrf_token": token}).status_code == 404
    assert client.get(f"/bureau/placements/new/{ids.workers['other_county']}").status_code == 404
    log_in(client, None)
    assert client.get(f"{API}/placements/{other}", headers=bearer(ids, "bureau")).status_code == 404
    assert (
        client.post(
            f"{API}/checkins/{checkin}", json={"still_working": True}, headers=bearer(ids, "bureau")
        ).status_code
        == 404
    )
    for role in ("seeker", "collab"):
        sign_in(client, db_session, ids, role)
        for path in (
            "/bureau/placements",
            "/bureau/checkins",
            "/bureau/report",
            "/bureau/slips",
            f"/bureau/placements/{other}",
        ):
            assert client.get(path).status_code == 403, (role, path)
        assert client.get(f"{API}/placements/{other}", headers=bearer(ids, role)).status_code == 403
    for name in ("bureau_other", "admin"):
        sign_in(client, db_session, ids, name)
        assert client.get(f"/bureau/placements/{other}").status_code == 200
    log_in(client, None)
    assert client.get("/bureau/checkins").status_code == 302
    assert client.get(f"{API}/placements").status_code == 401


def test_due_list_is_in_scope_and_oldest_first(client, db_session, staff_world):
    ids = plain(staff_world)
    today = date.today()
    older, (older_first, _, _) = place_by_hand(
        db_session, ids, "own", today - relativedelta(months=4), "焊工"
    )
    newer, _ = place_by_hand(db_session, ids, "own", today - relativedelta(months=1, days=3), "保洁")
    place_by_hand(db_session, ids, "own", today - timedelta(days=5), "还没到期")
    other, _ = place_by_hand(db_session, ids, "other_county", today - relativedelta(months=2), "外县岗位")
    followup.record_checkin(db_session, None, older_first, {"still_working": True}, today)
    db_session.commit()
    rows = followup.due_checkins(db_session, ("522632",), today)
    world_own = (ids.placements["own"], 1)  # the world's check-in, due 2026-07-01 and not done
    assert [(r.placement.id, r.checkin.month_offset) for r in rows] == [world_own, (older, 3), (newer, 1)]
    assert {r.placement.id for r in followup.due_checkins(db_session, None, today)} >= {older, newer, other}
    sign_in(client, db_session, ids, "bureau")
    page = client.get("/bureau/checkins").get_data(as_text=True)
    assert "焊工" in page and "保洁" in page and "外县岗位" not in page and "还没到期" not in page
    assert page.index("焊工") < page.index("保洁")
    sign_in(client, db_session, ids, "admin")
    assert "外县岗位" in client.get("/bureau/checkins").get_data(as_text=True)


def _village(session, ids, village, n, started_on, ended, ended_on, county="own"):
    """``n`` priority-household workers of a village, each placed; those numbered in ``ended`` left."""
    place = session.get(Worker, ids.workers[county]).home_place
    for i in range(n):
        worker = Worker(description="会种地", home_place_id=place.id, name=f"{village}{i}", village=village)
        session.add(worker)
        session.flush()
        session.add_all(
            [
                HouseholdMark(worker_id=worker.id, kind="tuopin"),
                Placement(
                    worker_id=worker.id,
                    employer_name="厂",
                    job_title="普工",
                    started_on=started_on,
                    county_code=place.code,
                    ended_on=ended_on if i in ended else None,
                ),
            ]
        )
    session.flush()


def test_drop_flag_fires_on_a_constructed_drop_only(client, db_session, staff_world):
    ids = plain(staff_world)
    today = date.today()
    start = today.replace(day=1)
    this_month, long_ago = start + timedelta(days=1), start - relativedelta(months=3)
    _village(db_session, ids, "下降村", 4, long_ago, {0, 1}, this_month)  # 100% → 50%
    _village(db_session, ids, "边界村", 10, long_ago, {0}, this_month)  # 100% → 90%: exactly 10 points
    _village(db_session, ids, "小村", 2, long_ago, {0, 1}, this_month)  # too few priority workers
    _village(db_session, ids, "稳定村", 5, long_ago, {0}, start - relativedelta(months=1))  # no change
    _village(db_session, ids, "外县村", 4, long_ago, {0, 1, 2}, this_month, county="other_county")
    db_session.commit()
    flagged = county_report.village_drops(db_session, ("522632",), today)
    assert {(d.village, d.rate_before, d.rate_now) for d in flagged} == {
        ("下降村", 100.0, 50.0),
        ("边界村", 100.0, 90.0),
    }
    assert {d.village for d in county_report.village_drops(db_session, None, today)} == {
        "下降村",
        "边界村",
        "外县村",
    }
    sign_in(client, db_session, ids, "bureau")
    page = client.get("/bureau/checkins").get_data(as_text=True)
    assert "下降村" in page and "边界村" in page
    assert "小村" not in page and "稳定村" not in page and "外县村" not in page


def test_slips_have_qr_codes_and_job_links_but_no_phones_or_household_marks(client, db_session, staff_world):
    ids = plain(staff_world)
    own = db_session.get(Worker, ids.workers["own"])
    own.name, own.village, own.phone = "王小明", "平寨村", "13912345678"
    neighbour = Worker(
        description="会开挖掘机，干过工地",
        home_place_id=own.home_place_id,
        lat=own.lat,
        lon=own.lon,
        max_commute_km=50,
        will_relocate=True,
        name="张大山",
        village="平寨村",
        phone="13787654321",
    )
    far = db_session.get(Worker, ids.workers["other_county"])
    far.name, far.village = "李四", "平寨村"
    db_session.add(neighbour)
    db_session.flush()
    db_session.add_all(
        [HouseholdMark(worker_id=neighbour.id, kind="jiance")]  # the world's workers are marked already
    )
    db_session.commit()
    sign_in(client, db_session, ids, "bureau")
    assert "平寨村" in client.get("/bureau/slips").get_data(as_text=True)
    response = client.get("/bureau/slips?village=平寨村")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    slips = re.findall(r'<article class="slip">(.*?)</article>', page, re.S)
    assert 1 <= len(slips) <= 6  # the top 3 of each of the village's two workers in scope
    for slip in slips:
        assert "<svg" in slip and re.search(r"http://localhost/jobs/\d+", slip)
    assert "王**" in page or "张**" in page
    for secret in (
        "13912345678",
        "13787654321",
        "王小明",
        "张大山",
        "李*",
        "脱贫",
        "监测",
        "tuopin",
        "jiance",
        "重点",
    ):
        assert secret not in page, secret
    assert 'class="menu"' not in page and "print.css" in page  # no navigation on the printed sheet


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_slip_prints_pay_and_distance_once(client, db_session, staff_world, lang):
    ids = plain(staff_world)
    own = db_session.get(Worker, ids.workers["own"])
    own.village = "平寨村"
    db_session.commit()
    sign_in(client, db_session, ids, "bureau")
    page = client.get(f"/bureau/slips?village=平寨村&lang={lang}").get_data(as_text=True)
    slips = re.findall(r'<article class="slip">(.*?)</article>', page, re.S)
    assert slips
    for slip in slips:
        pay = re.search(r'<p class="pay">(.*?)</p>', slip, re.S).group(1)
        reason = re.search(r'<p class="reason">(.*?)</p>', slip, re.S).group(1)
        for fact in pay.split(" · "):
            assert fact.strip() and fact.strip() not in reason, (fact, reason)


def test_reminder_job_counts_due_checkins_per_county_and_dedupes_per_day(app, db_session, staff_world):
    ids = plain(staff_world)
    today = date(2026, 11, 28)
    place_by_hand(db_session, ids, "own", date(2026, 9, 1))  # 1-month check-in due 10-01
    place_by_hand(db_session, ids, "own", date(2026, 10, 20))  # due 11-20
    place_by_hand(db_session, ids, "other_county", date(2026, 10, 1))  # due 11-01
    # with the world's own check-ins (due 2026-07-01): 3 in 榕江县, 2 in 从江县
    sender = LogSender()
    with app.app_context():
        sent = followup.notify_due_checkins(db_session, sender, today)
        db_session.commit()
        assert followup.notify_due_checkins(db_session, sender, today) == 0  # a rerun the same day
    assert sent == len(sender.outbox) >= 3  # the demo data's bureau user of 榕江县 hears too
    by_phone = {m.phone: m.params["count"] for m in sender.outbox}
    assert {
        name: by_phone.get(ids.phones[name]) for name in ("bureau", "bureau_same", "bureau_other", "admin")
    } == {"bureau": 3, "bureau_same": 3, "bureau_other": 2, "admin": None}
    assert all(m.template == "checkins_due" and "就业回访已到期" in m.text for m in sender.outbox)
    world = [ids.users[name] for name in ("bureau", "bureau_same", "bureau_other")]
    keys = db_session.execute(
        select(Notification.kind, Notification.dedupe_key).where(
            Notification.kind == "checkins_due", Notification.user_id.in_(world)
        )
    ).all()
    assert set(keys) == {("checkins_due", "2026-11-28")} and len(keys) == 3
    assert "followup-due" in {job.id for job in build_scheduler(app).get_jobs()}
