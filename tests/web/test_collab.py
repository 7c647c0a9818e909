"""Collaboration office workspace: supply vs demand, funnel, pushes, key counties, exports (issue #6)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, func, select

from tests.web.staff import csrf_token, log_in
from web.models import (
    Application,
    AuditEntry,
    CheckIn,
    JobPush,
    KeyCounty,
    Notification,
    Placement,
    Posting,
    Source,
    Worker,
)
from web.services.xlsx import neutralise, workbook_bytes

PAGES = [
    "/collab/",
    "/collab/supply",
    "/collab/funnel",
    "/collab/push",
    "/collab/pushes",
    "/collab/supply-groups.xlsx",
]


@pytest.fixture
def world(staff_world: Any) -> Any:
    """The shared staff world (tests/web/conftest.py): plain copies of its rows, readable across requests."""
    return staff_world


def add_worker(session: Any, place: Any, description: str = "会电焊，干过三年", **fields: Any) -> Worker:
    worker = Worker(
        description=description,
        home_place_id=place.id,
        home_text=place.full_name,
        lat=place.lat,
        lon=place.lon,
        **fields,
    )
    session.add(worker)
    session.flush()
    return worker


def add_posting(session: Any, place: Any, title: str = "电焊工", **fields: Any) -> Posting:
    source = session.scalar(select(Source).order_by(Source.id).limit(1))
    n = session.scalar(select(func.count(Posting.id)))
    posting = Posting(
        source_id=source.id,
        external_id=f"collab-test-{n}",
        title=title,
        place_id=place.id,
        place_text=place.full_name,
        lat=place.lat,
        lon=place.lon,
        content_hash=f"collab-{n}",
        **{"status": "open", **fields},
    )
    session.add(posting)
    session.flush()
    return posting


def supply_json(client: Any, query: str = "") -> dict[str, Any]:
    response = client.get("/api/v1/collab/supply" + query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def row(rows: list[dict[str, Any]], code: str) -> dict[str, Any]:
    return next(
        (r for r in rows if r["code"] == code),
        {"workers": 0, "postings": 0, "relocate": 0, "available": 0, "housing": 0, "key_workers": 0},
    )


@pytest.mark.parametrize("who", ["bureau", "seeker"])
def test_only_collab_and_admin_reach_the_workspace(client: Any, world: Any, who: str) -> None:
    log_in(client, world.users[who])
    for path in PAGES:
        assert client.get(path).status_code == 403, path
    log_in(client, world.users["collab"])
    for path in PAGES:
        assert client.get(path).status_code == 200, path


def test_office_sees_its_pair_only(client: Any, world: Any) -> None:
    log_in(client, world.users["collab"])
    page = client.get("/collab/push").get_data(as_text=True)
    assert "工人own" in page and "工人other_county" in page
    assert "工人other_region" not in page and "工人far_east" not in page
    assert "电焊工（天河区）" in page and "电焊工（北仑区）" not in page and "电焊工（榕江县）" not in page
    counties = {r["code"] for r in supply_json(client)["counties"]}
    assert {"522632", "522633"} <= counties and "640422" not in counties and "330206" not in counties
    assert all(c.startswith("5226") for c in counties)
    workers = world.workers
    assert client.get(f"/collab/workers/{workers['own'].id}").status_code == 200
    assert client.get(f"/collab/workers/{workers['other_region'].id}").status_code == 404
    assert client.get(f"/collab/supply?pair={world.pair.id + 1000}").status_code == 404


def test_supply_counts_known_workers_and_postings(client: Any, world: Any, db_session: Any) -> None:
    log_in(client, world.users["collab"])
    before = supply_json(client)
    month = date.today().month
    cong, tianhe = world.places["other_county"], world.places["east"]
    add_worker(db_session, cong, will_relocate=True)
    add_worker(db_session, cong, will_relocate=True, unavailable_months=[month])
    add_worker(db_session, cong)
    add_worker(db_session, world.places["other_region"])  # out of the pair: not counted
    add_posting(db_session, tianhe, wage_min=5000, wage_max=6500, housing=True)
    add_posting(db_session, tianhe, wage_min=7000, wage_max=8000)
    add_posting(db_session, world.places["far_east"])  # out of the pair
    add_posting(db_session, tianhe, status="closed")  # not open
    db_session.commit()
    after = supply_json(client)
    for level, code in (("groups", "6"), ("minor", "6-18")):
        b, a = row(before[level], code), row(after[level], code)
        assert (
            a["workers"] - b["workers"],
            a["relocate"] - b["relocate"],
            a["available"] - b["available"],
        ) == (3, 2, 2), level
        assert (a["postings"] - b["postings"], a["housing"] - b["housing"]) == (2, 1), level
    assert row(after["groups"], "6")["name"] == "生产制造及有关人员"
    pay = {r["band"]: r["postings"] for r in after["pay"]}
    pay_before = {r["band"]: r["postings"] for r in before["pay"]}
    assert pay["5000-6999"] - pay_before["5000-6999"] == 1 and pay["7000-9999"] - pay_before["7000-9999"] == 1
    assert after["totals"]["workers"] - before["totals"]["workers"] == 3
    assert after["totals"]["postings"] - before["totals"]["postings"] == 2
    county = row(after["counties"], "522633")
    assert county["workers"] - row(before["counties"], "522633")["workers"] == 3
    page = client.get("/collab/supply").get_data(as_text=True)
    assert "生产制造及有关人员" in page and 'data-chart="chart-supply"' in page
    assert "vendor/chartjs/chart.umd.min.js" in page and "table-supply-groups" in page
    assert "chart.umd.min.js" not in client.get("/collab/push").get_data(as_text=True)


def test_key_county_filter_and_flag(client: Any, world: Any, db_session: Any) -> None:
    db_session.execute(delete(KeyCounty))  # the demo's list (榕江, 从江, 昭觉) is replaced by 从江 alone
    db_session.add(KeyCounty(place_id=world.places["other_county"].id))
    add_worker(db_session, world.places["other_county"], name="重点县工人")
    db_session.commit()
    log_in(client, world.users["collab"])
    everyone, key = supply_json(client), supply_json(client, "?key_only=1")
    assert {r["code"] for r in key["counties"]} == {"522633"}
    assert all(r["key"] for r in key["counties"])
    flags = {r["code"]: r["key"] for r in everyone["counties"]}
    assert flags["522633"] is True and flags["522632"] is False
    assert key["totals"]["workers"] == row(everyone["counties"], "522633")["workers"]
    assert key["totals"]["postings"] == everyone["totals"]["postings"]  # demand is not filtered
    assert row(everyone["groups"], "6")["key_workers"] >= 2
    page = client.get("/collab/supply?key_only=1").get_data(as_text=True)
    assert "重点帮扶县" in page and "522632" not in page
    push = client.get("/collab/push?key_only=1").get_data(as_text=True)
    assert "重点县工人" in push and "工人other_county" in push and "工人own" not in push


def funnel_fixture(session: Any, world: Any) -> dict[str, Any]:
    """3 applications, 2 placements, 1 still working at 3 months, 1 push without an application; noise."""
    own, cong, tianhe = world.places["own"], world.places["other_county"], world.places["east"]
    workers = [
        add_worker(session, own),
        add_worker(session, own),
        add_worker(session, cong),
        add_worker(session, cong),
    ]
    east = [add_posting(session, tianhe), add_posting(session, tianhe, title="包装工")]
    when = datetime(2026, 9, 10, tzinfo=UTC)
    apps = [
        Application(worker_id=workers[i].id, posting_id=east[i % 2].id, created_at=when) for i in range(3)
    ]
    session.add_all(apps)
    session.add(JobPush(posting_id=east[0].id, worker_id=workers[3].id, created_at=when))
    session.add(JobPush(posting_id=east[0].id, worker_id=workers[0].id, created_at=when))  # also applied
    # Noise: a worker outside the pair applying east, and a western worker applying outside the pair.
    session.add(
        Application(worker_id=world.workers["other_region"].id, posting_id=east[0].id, created_at=when)
    )
    session.add(
        Application(worker_id=workers[1].id, posting_id=world.postings["far_east"].id, created_at=when)
    )
    session.flush()
    placements = []
    for i, still in ((0, True), (2, False)):
        p = Placement(
            worker_id=workers[i].id,
            posting_id=apps[i].posting_id,
            application_id=apps[i].id,
            county_code=workers[i].home_place.code,
            started_on=date(2026, 10, 1),
            job_title="电焊工",
        )
        session.add(p)
        session.flush()
        session.add(CheckIn(placement_id=p.id, month_offset=3, due_on=date(2027, 1, 1), still_working=still))
        placements.append(p)
    session.add(
        Placement(
            worker_id=world.workers["other_region"].id,
            posting_id=east[0].id,
            county_code=world.places["other_region"].code,
            started_on=date(2026, 10, 1),
        )
    )
    session.commit()
    return {"workers": workers, "postings": east}


def test_funnel_counts(client: Any, world: Any, db_session: Any) -> None:
    log_in(client, world.users["collab"])
    before = client.get("/api/v1/collab/funnel").get_json()["totals"]
    funnel_fixture(db_session, world)
    data = client.get("/api/v1/collab/funnel").get_json()
    delta = {k: data["totals"][k] - before[k] for k in before}
    assert delta == {"matched": 4, "applied": 3, "placed": 2, "retained": 1}
    months = {r["month"]: r for r in data["months"]}
    assert months["2026-09"]["applied"] >= 3 and months["2026-10"]["placed"] >= 2
    counties = {r["code"]: r for r in data["counties"]}
    assert counties["522632"]["placed"] >= 1 and counties["522633"]["placed"] >= 1
    assert "640422" not in counties
    assert sum(r["placed"] for r in data["groups"]) == data["totals"]["placed"]
    page = client.get("/collab/funnel").get_data(as_text=True)
    t = data["totals"]
    assert f"匹配{t['matched']} → 申请{t['applied']} → 上岗{t['placed']} → 3个月仍在岗{t['retained']}" in page


def test_push_records_once_and_sends(client: Any, app: Any, world: Any, db_session: Any) -> None:
    own, cong = (
        db_session.get(Worker, world.workers["own"].id),
        db_session.get(Worker, world.workers["other_county"].id),
    )
    own.phone = "13900000011"
    cong.user_id = world.users["seeker"].id  # reached through the account's phone
    own_id, cong_id = own.id, cong.id
    db_session.commit()
    posting = world.postings["east"]
    log_in(client, world.users["collab"])
    token = csrf_token(client, "/collab/push")
    outbox = app.extensions["jiujin_notify"].outbox
    sent_before = len(outbox)
    data = {"csrf_token": token, "posting_ids": [str(posting.id)], "worker_ids": [str(own_id), str(cong_id)]}
    warned = client.post("/collab/push", data=data)  # 从江's worker will not relocate: warned, nothing sent
    page = warned.get_data(as_text=True)
    assert warned.status_code == 409 and "不愿外出，只找30公里内的工作；电焊工（天河区）在" in page
    assert 'name="confirm"' in page and f'value="{cong_id}" checked' in page
    assert len(outbox) == sent_before and db_session.scalar(select(func.count(JobPush.id))) == 0
    data["confirm"] = "1"
    response = client.post("/collab/push", data=data, follow_redirects=True)
    assert response.status_code == 200 and "新推送2条" in response.get_data(as_text=True)
    pushes = db_session.scalars(select(JobPush).where(JobPush.posting_id == posting.id)).all()
    assert {p.worker_id for p in pushes} == {own_id, cong_id}
    assert all(
        p.pushed_by_id == world.users["collab"].id and p.region_pair_id == world.pair.id for p in pushes
    )
    new = list(outbox)[sent_before:]
    assert {(m.phone, m.template) for m in new} == {("13900000011", "job_push"), ("19800000006", "job_push")}
    assert "电焊工（天河区）" in new[0].text
    note = db_session.scalar(
        select(Notification).where(
            Notification.user_id == world.users["seeker"].id, Notification.kind == "job_push"
        )
    )
    assert note.status == "sent" and note.payload["posting_id"] == posting.id
    again = client.post("/collab/push", data=data, follow_redirects=True)
    assert "新推送0条" in again.get_data(as_text=True)
    assert db_session.scalar(select(func.count(JobPush.id)).where(JobPush.posting_id == posting.id)) == 2
    assert len(outbox) == sent_before + 2


@pytest.mark.parametrize("bad", ["posting", "worker"])
def test_push_out_of_scope_is_404_and_stores_nothing(
    client: Any, world: Any, db_session: Any, bad: str
) -> None:
    log_in(client, world.users["collab"])
    token = csrf_token(client, "/collab/push")
    posting = world.postings["far_east" if bad == "posting" else "east"]
    workers = [world.workers["own"].id] + ([world.workers["other_region"].id] if bad == "worker" else [])
    response = client.post(
        "/collab/push", data={"csrf_token": token, "posting_ids": [posting.id], "worker_ids": workers}
    )
    assert response.status_code == 404
    assert db_session.scalar(select(func.count(JobPush.id))) == 0
    entry = db_session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert (entry.action, entry.outcome, entry.object_type) == ("collab.push", "not_found", bad)


def test_push_needs_a_choice(client: Any, world: Any, db_session: Any) -> None:
    log_in(client, world.users["collab"])
    token = csrf_token(client, "/collab/push")
    response = client.post(
        "/collab/push", data={"csrf_token": token, "worker_ids": [world.workers["own"].id]}
    )
    assert response.status_code == 400 and "请至少选一个岗位和一个人" in response.get_data(as_text=True)
    assert client.post("/collab/push", data={"csrf_token": token, "posting_ids": ["x"]}).status_code == 400
    assert (
        client.post("/collab/push", data={"posting_ids": [1], "worker_ids": [1]}).status_code == 400
    )  # CSRF


def test_responses_recorded_and_applied_automatically(client: Any, world: Any, db_session: Any) -> None:
    own, cong = world.workers["own"], world.workers["other_county"]
    posting = world.postings["east"]
    db_session.add_all(
        [JobPush(posting_id=posting.id, worker_id=own.id), JobPush(posting_id=posting.id, worker_id=cong.id)]
    )
    db_session.add(Application(worker_id=cong.id, posting_id=posting.id))
    db_session.commit()
    log_in(client, world.users["collab"])
    token = csrf_token(client, "/collab/pushes")
    ok = client.post(
        f"/collab/workers/{own.id}/pushes/{posting.id}/response",
        data={"csrf_token": token, "response": "interested"},
    )
    assert ok.status_code == 302
    push = db_session.scalar(select(JobPush).where(JobPush.worker_id == own.id))
    assert push.response == "interested" and push.responded_at is not None
    listed = {p["worker_id"]: p["response"] for p in client.get("/api/v1/collab/pushes").get_json()["pushes"]}
    assert listed[own.id] == "interested" and listed[cong.id] == "applied"
    page = client.get("/collab/pushes").get_data(as_text=True)
    assert "有意向" in page and "已申请" in page
    far = world.workers["other_region"]
    assert (
        client.post(
            f"/collab/workers/{far.id}/pushes/{posting.id}/response",
            data={"csrf_token": token, "response": "interested"},
        ).status_code
        == 404
    )
    no_push = client.post(
        f"/collab/workers/{own.id}/pushes/{world.postings['own'].id}/response",
        data={"csrf_token": token, "response": "interested"},
    )
    assert no_push.status_code == 404


def test_exports_hold_the_same_rows(client: Any, world: Any, db_session: Any) -> None:
    worker = add_worker(db_session, world.places["own"], name='=HYPERLINK("http://x")')
    db_session.add(JobPush(posting_id=world.postings["east"].id, worker_id=worker.id))
    db_session.commit()
    log_in(client, world.users["collab"])
    data = supply_json(client)
    response = client.get("/collab/supply-groups.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = table_rows(response.data)
    assert rows[0][:3] == ("大类", "职业大类", "西部劳动力")
    assert [(r[0] or "", r[2], r[6]) for r in rows[1:]] == [
        (g["code"], g["workers"], g["postings"]) for g in data["groups"]
    ]
    for name in (
        "supply-minor",
        "supply-pay",
        "supply-counties",
        "funnel-months",
        "funnel-counties",
        "funnel-groups",
    ):
        assert load_workbook(BytesIO(client.get(f"/collab/{name}.xlsx").data)).active.max_row >= 1, name
    assert (
        client.get("/collab/supply?format=xlsx&table=pay")
        .headers["Location"]
        .endswith("/collab/supply-pay.xlsx")
    )
    pushes = table_rows(client.get("/collab/pushes.xlsx").data)
    names = [r[1] for r in pushes[1:]]
    assert '\'=HYPERLINK("http://x")' in names
    assert client.get("/collab/nothing.xlsx").status_code == 404


def table_rows(data: bytes) -> list[tuple[Any, ...]]:
    """An export's table: the rows after the heading block and its empty row."""
    rows = list(load_workbook(BytesIO(data)).active.iter_rows(values_only=True))
    blank = next(i for i, r in enumerate(rows) if not any(r))
    return rows[blank + 1 :]


EXPORTS = ["supply-groups", "supply-minor", "supply-pay", "supply-counties", "funnel-months",
           "funnel-counties", "funnel-groups", "pushes"]


@pytest.mark.parametrize("name", EXPORTS)
def test_every_export_starts_with_title_pair_time_and_filters(client: Any, world: Any, name: str) -> None:
    log_in(client, world.users["collab"])
    data = client.get(f"/collab/{name}.xlsx?key_only=1").data
    heading = [r[0] for r in load_workbook(BytesIO(data)).active.iter_rows(values_only=True, max_row=4)]
    assert heading[0].split("：")[0] in ("供需对比", "转化漏斗", "推送和回复"), heading
    assert heading[1] == "结对：黔东南—广州"
    assert re.fullmatch(r"导出时间：\d{4}-\d\d-\d\d \d\d:\d\d（北京时间）", heading[2]), heading[2]
    assert heading[3] == "筛选：只看重点帮扶县"
    assert table_rows(data)[0][0]  # the column headers follow the empty row


def test_pushes_export_has_employer_place_and_contact(client: Any, world: Any, db_session: Any) -> None:
    worker = db_session.get(Worker, world.workers["own"].id)
    worker.phone = "13900000041"
    db_session.add(JobPush(posting_id=world.postings["east"].id, worker_id=worker.id))
    db_session.commit()
    log_in(client, world.users["collab"])
    rows = table_rows(client.get("/collab/pushes.xlsx").data)
    header = list(rows[0])
    assert {"用人单位", "岗位地点", "劳动力电话"} <= set(header)
    line = dict(zip(header, rows[1], strict=True))
    assert "天河区" in line["岗位地点"] and line["劳动力电话"] == "13900000041"


def test_push_times_read_in_china_time_on_the_page_and_in_the_export(client: Any, world: Any,
                                                                     db_session: Any) -> None:
    worker = db_session.get(Worker, world.workers["own"].id)
    db_session.add(JobPush(posting_id=world.postings["east"].id, worker_id=worker.id,
                           created_at=datetime(2026, 12, 7, 18, 31)))  # stored in UTC
    db_session.commit()
    log_in(client, world.users["collab"])
    page = client.get("/collab/pushes").get_data(as_text=True)
    assert "2026-12-08 02:31" in page and "2026-12-07 18:31" not in page
    rows = table_rows(client.get("/collab/pushes.xlsx").data)
    assert "2026-12-08 02:31" in [r[0] for r in rows[1:]]


def test_xlsx_helper_neutralises_formulas() -> None:
    assert neutralise("=1+1") == "'=1+1" and neutralise("+86") == "'+86" and neutralise("-5") == "'-5"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)" and neutralise("电焊") == "电焊" and neutralise(5) == 5
    book = load_workbook(
        BytesIO(workbook_bytes([{"a": "=cmd|' /C calc'!A0", "b": 3}], [("a", "=A"), ("b", "B")]))
    )
    sheet = book.active
    assert [c.value for c in sheet[1]] == ["'=A", "B"] and sheet[1][0].font.bold
    assert [c.value for c in sheet[2]] == ["'=cmd|' /C calc'!A0", 3] and sheet[2][0].data_type == "s"


def test_admin_picks_a_pair(client: Any, world: Any) -> None:
    log_in(client, world.users["admin"])
    everywhere = supply_json(client)
    pair = supply_json(client, f"?pair={world.pair.id}")
    assert "640422" in {r["code"] for r in everywhere["counties"]}
    assert all(r["code"].startswith("5226") for r in pair["counties"])
    assert "黔东南—广州" in client.get("/collab/supply").get_data(as_text=True)


# Every level-table holds rows of its own level only: a major group ("6"), a minor group ("6-18"),
# the minor table's "该大类下未细分" row of a major group ("6-00"), or the unrecognised row ("").
LEVEL_CODES = {"major": re.compile(r"\d"), "minor": re.compile(r"\d-\d\d")}
LEVEL_TABLES = [("supply", "groups", "major"), ("supply", "minor", "minor"), ("funnel", "groups", "major")]


def test_every_level_table_holds_its_level_only(client: Any, world: Any, db_session: Any) -> None:
    """"普工" is known only at major-group level (6-00-00-00): never a major row in the minor table."""
    cong, tianhe = world.places["other_county"], world.places["east"]
    general = add_worker(db_session, cong, description="普工", name="普工甲")
    add_worker(db_session, cong)  # 电焊: 6-18
    add_worker(db_session, cong, description="xyz")  # unrecognised
    add_worker(db_session, cong, description="I can drive a forklift", name="叉车乙")  # 6-30-05-01
    posting = add_posting(db_session, tianhe, title="普工")
    db_session.add(JobPush(posting_id=posting.id, worker_id=general.id))  # the funnel's "matched"
    general_id = general.id
    db_session.commit()
    log_in(client, world.users["collab"])
    data = {page: client.get(f"/api/v1/collab/{page}").get_json() for page in ("supply", "funnel")}
    for page, table, level in LEVEL_TABLES:
        rows = data[page][table]
        assert rows, (page, table)
        for r in rows:
            assert r["code"] == "" or LEVEL_CODES[level].fullmatch(r["code"]), (page, table, r)
    minor = {r["code"]: r for r in data["supply"]["minor"]}
    assert "6" not in minor and {"6-18", "6-00", ""} <= set(minor)
    assert minor["6-00"]["unsubdivided"] and minor["6-00"]["workers"] >= 1 and minor["6-00"]["postings"] >= 1
    assert not minor["6-18"]["unsubdivided"]
    assert list(minor)[-1] == ""  # unrecognised last, after the not-subdivided rows
    page = client.get("/collab/supply").get_data(as_text=True)
    minor_table = page[page.index('id="table-supply-minor"') :].split("</table>")[0]
    assert "生产制造及有关人员：该大类下未细分" in minor_table
    rows = table_rows(client.get("/collab/supply-minor.xlsx").data)
    assert ("6-00", "生产制造及有关人员：该大类下未细分") in [(r[0], r[1]) for r in rows[1:]]
    assert all(r[0] is None or LEVEL_CODES["minor"].fullmatch(r[0]) for r in rows[1:])
    push = client.get("/collab/push?group=6-00").get_data(as_text=True)
    assert "普工甲" in push and "生产制造及有关人员：该大类下未细分" in push
    forklift = client.get("/collab/push?group=6-30").get_data(as_text=True)
    assert "叉车乙" in forklift  # recognised, in its minor group (6-30), not 未识别工种
    card = client.get(f"/collab/workers/{general_id}").get_data(as_text=True)
    assert "生产制造及有关人员：该大类下未细分" in card
