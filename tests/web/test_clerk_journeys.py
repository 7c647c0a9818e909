"""A county clerk's journeys (issue 15): landing in the workspace after login with one staff menu
on every workspace page, finding a worker by name/phone/village to record a placement, what a
check-in that says "left" or "unpaid" changes, the household-type breakdown, the slips' public
address and hotline, and the next steps on a registered worker's page.

Each request closes the session and detaches the world's objects: tests keep plain ids."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
from dateutil.relativedelta import relativedelta
from flask import url_for
from sqlalchemy import select

from tests.web.staff import PASSWORD, csrf_token, log_in, token_in
from web.config import Settings
from web.models import AuditEntry, CheckIn, HouseholdMark, Placement, User, Worker
from web.policy import POLICY
from web.services import county_report, followup, slips
from web.workspace import GROUPS, menu_for

LOGINS = {
    "bureau": "/bureau/",
    "bureau_other": "/bureau/",
    "collab": "/collab/",
    "admin": "/admin/",
    "seeker": "/",
}


def ids_of(world):
    return {k: u.id for k, u in world.users.items()}, {k: w.id for k, w in world.workers.items()}


def sign_in(client, session, user_id):
    log_in(client, session.get(User, user_id))


def post_login(client, phone, next_=None):
    path = "/login" + (f"?next={next_}" if next_ else "")
    token = token_in(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, "phone": phone, "password": PASSWORD})


# --- 1. landing and the one staff menu


@pytest.mark.parametrize("name", sorted(LOGINS))
def test_each_role_lands_on_its_workspace_after_login(client, staff_world, name):
    response = post_login(client, staff_world.users[name].phone)
    assert response.status_code == 302 and response.location == LOGINS[name]
    home = client.get(LOGINS[name])
    assert home.status_code == 200


def test_login_keeps_a_safe_next_and_drops_an_unsafe_one(client, staff_world):
    phone = staff_world.users["bureau"].phone
    assert post_login(client, phone, "/bureau/report").location == "/bureau/report"
    log_in(client, None)
    assert post_login(client, phone, "//evil.example/x").location == "/bureau/"


def test_staff_see_the_staff_menu_not_the_seekers(client, db_session, staff_world):
    users, _ = ids_of(staff_world)
    for name, home in (("bureau", "/bureau/"), ("collab", "/collab/"), ("admin", "/admin/")):
        sign_in(client, db_session, users[name])
        page = client.get("/").get_data(as_text=True)
        menu = page[page.index('class="menu"') : page.index("</nav>", page.index('class="menu"'))]
        assert f'href="{home}"' in menu and "工作台" in menu, name
        assert "我的匹配" not in menu and "我的申请" not in menu and "/me/profile" not in menu, name
    sign_in(client, db_session, users["seeker"])
    page = client.get("/").get_data(as_text=True)
    assert "我的匹配" in page and 'href="/bureau/"' not in page


def workspace_pages(app):
    """GET pages of the staff workspaces that take no object id (HTML only)."""
    found = []
    for rule in app.url_map.iter_rules():
        policy = getattr(app.view_functions[rule.endpoint], "_policy", None)
        if (
            policy is None
            or "GET" not in (rule.methods or ())
            or "<" in rule.rule
            or rule.rule.startswith("/api/")
            or re.search(r"\.(xlsx|csv)$|export", rule.rule)
        ):
            continue
        found.append((rule.rule, rule.endpoint, policy[0]))
    return sorted(found)


def nav_hrefs(page):
    nav = re.search(r'<nav class="staff-nav workspace".*?</nav>', page, re.S)
    assert nav, "no staff menu on the page"
    return [h.split("?")[0] for h in re.findall(r'href="([^"]+)"', nav.group(0))]


def test_every_workspace_page_has_the_full_menu_for_its_role(app, client, db_session, staff_world):
    users, _ = ids_of(staff_world)
    pages = workspace_pages(app)
    assert {"/bureau/", "/bureau/placements", "/bureau/report", "/collab/", "/admin/"} <= {
        p for p, _, _ in pages
    }
    roles = ("bureau", "collab", "admin")
    with app.test_request_context():  # URLs only: requests below must not share its app context
        want = {
            role: [
                url_for(link.endpoint) for _, links in menu_for({role}, app.view_functions) for link in links
            ]
            for role in roles
        }
    for role in roles:
        sign_in(client, db_session, users[role])
        for path, _, action in pages:
            if role not in POLICY[action].roles:
                continue
            response = client.get(path)
            assert response.status_code == 200, (role, path)
            assert nav_hrefs(response.get_data(as_text=True)) == want[role], (role, path)


def test_the_bureau_menu_names_every_workspace_the_issue_lists(app):
    labels = [str(link.label) for _, links in menu_for({"bureau"}, app.view_functions) for link in links]
    for word in ("工作台", "岗位", "导入", "劳动力", "就业记录", "待回访", "月度报表", "推荐单"):
        assert word in labels
    every = {link.endpoint for _, links in GROUPS for link in links}
    assert every <= set(app.view_functions)  # no entry points at a page that does not exist


def test_admin_home_answers_for_admins_only(client, db_session, staff_world):
    users, _ = ids_of(staff_world)
    sign_in(client, db_session, users["admin"])
    page = client.get("/admin/")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'href="/admin/users"' in text and 'href="/bureau/report"' in text
    sign_in(client, db_session, users["bureau"])
    assert client.get("/admin/").status_code == 403


# --- 2. finding the worker for a placement


def test_placement_worker_is_found_by_name_phone_or_village_in_the_county_only(
    client, db_session, staff_world
):
    users, workers = ids_of(staff_world)
    own = db_session.get(Worker, workers["own"])
    own.phone, own.village = "13800001234", "平寨村"
    db_session.commit()
    sign_in(client, db_session, users["bureau"])
    start = client.get("/bureau/placements/new").get_data(as_text=True)
    assert 'name="q"' in start and 'name="worker_id"' not in start  # no internal id to type in
    for q in ("工人own", "0001234", "平寨", "工人"):
        page = client.get("/bureau/placements/new", query_string={"q": q}).get_data(as_text=True)
        chosen = re.findall(r'href="/bureau/placements/new/(\d+)"[^>]*>选这个人', page)
        assert chosen == [str(workers["own"])], q  # never the other county's 工人other_county
    page = client.get("/bureau/placements/new?q=没有这个人").get_data(as_text=True)
    assert "没有找到" in page and "选这个人" not in page
    form = client.get(f"/bureau/placements/new/{workers['own']}").get_data(as_text=True)
    assert "工人own" in form and 'name="started_on"' in form


# --- 3. a check-in that says "left" or "unpaid"


def extra_worker(session, world, name, kind=None):
    own = world.places["own"]
    worker = Worker(description="会干活", home_place_id=own.id, lat=own.lat, lon=own.lon, name=name)
    session.add(worker)
    session.flush()
    if kind:
        session.add(HouseholdMark(worker_id=worker.id, kind=kind))
    session.commit()
    return worker.id


def placed(session, user_id, worker_id, started_on):
    placement = followup.record_placement(
        session,
        session.get(User, user_id),
        worker_id,
        {"employer": "县城食品厂", "title": "包装工", "started_on": started_on},
    )
    result = placement.id, {c.month_offset: c.id for c in placement.checkins}
    session.commit()
    return result


def answer(client, checkin_id, working, paid="unknown", note=""):
    token = csrf_token(client, "/bureau/placements")
    return client.post(
        f"/bureau/checkins/{checkin_id}",
        data={
            f"c{checkin_id}-csrf_token": token,
            f"c{checkin_id}-still_working": working,
            f"c{checkin_id}-paid_on_time": paid,
            f"c{checkin_id}-note": note,
        },
    )


def offsets(session, placement_id):
    session.expire_all()
    return sorted(session.scalars(select(CheckIn.month_offset).where(CheckIn.placement_id == placement_id)))


def test_left_at_three_months_cancels_the_six_month_checkin_and_puts_the_worker_back(
    client, db_session, staff_world
):
    users, _ = ids_of(staff_world)
    worker = extra_worker(db_session, staff_world, "离岗的人")
    placement, checkins = placed(db_session, users["bureau"], worker, date.today() - timedelta(days=100))
    sign_in(client, db_session, users["bureau"])
    assert answer(client, checkins[3], "no", note="回家带孩子").status_code == 302
    assert offsets(db_session, placement) == [1, 3]  # the 6-month one is no longer due
    due = client.get("/bureau/checkins").get_data(as_text=True)
    assert f'data-checkin="{checkins[6]}"' not in due
    outreach = client.get("/bureau/outreach").get_data(as_text=True)
    row = re.search(rf'<li class="flagged" data-worker="{worker}">(.*?)</li>', outreach, re.S)
    assert (
        row
        and "离岗的人" in row.group(1)
        and "3个月回访 · 已离岗" in row.group(1)
        and "回家带孩子" in row.group(1)
    )
    assert "之后的回访不再安排" in client.get(f"/bureau/placements/{placement}").get_data(as_text=True)
    # a correction ("still working after all") schedules the 6-month check-in again
    assert answer(client, checkins[3], "yes").status_code == 302
    assert offsets(db_session, placement) == [1, 3, 6]
    assert f'data-worker="{worker}"' not in client.get("/bureau/outreach").get_data(as_text=True)


def test_unpaid_wages_flags_the_worker_and_keeps_later_checkins(client, db_session, staff_world):
    users, _ = ids_of(staff_world)
    worker = extra_worker(db_session, staff_world, "欠薪的人")
    placement, checkins = placed(db_session, users["bureau"], worker, date.today() - timedelta(days=40))
    sign_in(client, db_session, users["bureau"])
    assert answer(client, checkins[1], "yes", paid="no").status_code == 302
    assert offsets(db_session, placement) == [1, 3, 6]
    outreach = client.get("/bureau/outreach").get_data(as_text=True)
    row = re.search(rf'<li class="flagged" data-worker="{worker}">(.*?)</li>', outreach, re.S)
    assert row and "1个月回访 · 工资拖欠" in row.group(1)
    first = re.search(r'<ol class="bureau-list">\s*<li[^>]*data-worker="(\d+)"', outreach).group(1)
    assert int(first) == worker  # flagged workers come first


def test_monthly_report_counts_left_and_unpaid_checkins_recorded_in_the_month(
    client, db_session, staff_world
):
    users, _ = ids_of(staff_world)
    left = extra_worker(db_session, staff_world, "离岗的人", kind="jiance")
    unpaid = extra_worker(db_session, staff_world, "欠薪的人")
    _, left_checkins = placed(db_session, users["bureau"], left, date.today() - timedelta(days=100))
    _, unpaid_checkins = placed(db_session, users["bureau"], unpaid, date.today() - timedelta(days=40))
    sign_in(client, db_session, users["bureau"])
    answer(client, left_checkins[3], "no")
    answer(client, unpaid_checkins[1], "yes", paid="no")
    month = county_report.china_date(datetime.now(UTC)).strftime("%Y-%m")
    log_in(client, None)
    data = client.get(
        f"/api/v1/bureau/report?month={month}",
        headers={"Authorization": f"Bearer {staff_world.tokens['bureau']}"},
    ).get_json()
    f = data["figures"]
    assert (f["left_job"]["value"], f["left_job"]["ids"]) == (1, [left_checkins[3]])
    assert (f["unpaid_wages"]["value"], f["unpaid_wages"]["ids"]) == (1, [unpaid_checkins[1]])
    assert f["left_job"]["by_household"]["jiance"]["value"] == 1
    last = (date.today() - relativedelta(months=1)).strftime("%Y-%m")
    before = client.get(
        f"/api/v1/bureau/report?month={last}",
        headers={"Authorization": f"Bearer {staff_world.tokens['bureau']}"},
    ).get_json()
    assert before["figures"]["left_job"]["value"] == 0


# --- 4. the household-type breakdown, and the mark in the workers list


@pytest.fixture
def households_month(db_session, staff_world):
    """Four placements in this month's county: one per household type and one unmarked."""
    users, _ = ids_of(staff_world)
    start = date.today().replace(day=1)
    made = {}
    for kind in ("tuopin", "jiance", "yidi", None):
        worker = extra_worker(db_session, staff_world, f"户{kind}", kind=kind)
        made[kind] = placed(db_session, users["bureau"], worker, start)[0]
    return start, made


def test_report_breaks_every_figure_down_by_household_type_and_the_parts_add_up(
    db_session, staff_world, households_month
):
    start, _ = households_month
    county = county_report.county_by_code(db_session, "522632000000")
    report = county_report.build_report(db_session, county, start, start + relativedelta(months=1, days=-1))
    placements = report.figures["placements"]
    assert {k: v[0] for k, v in placements.by_household.items()} == {
        "tuopin": 1,
        "jiance": 1,
        "yidi": 1,
        "unmarked": 1,
    }
    for key, fig in report.figures.items():
        if fig.by_household is None:
            assert key == "vacancies_filled"
            continue
        parts = fig.by_household.values()
        if fig.denominator is None:
            assert sum(v for v, _, _ in parts) == fig.value, key
        else:
            assert (
                sum(n for _, n, _ in parts) == fig.numerator
                and sum(d for _, _, d in parts) == fig.denominator
            )
    assert {r["household"] for r in placements.rows} == {"tuopin", "jiance", "yidi", None}


def test_report_page_and_workbook_show_the_breakdown_and_audit_the_marks(
    client, db_session, staff_world, households_month
):
    start, made = households_month
    users, _ = ids_of(staff_world)
    sign_in(client, db_session, users["bureau"])
    month = start.strftime("%Y-%m")
    page = client.get(f"/bureau/report?month={month}").get_data(as_text=True)
    table = page[page.index('id="by-household"') :]
    row = re.search(r'<tr data-figure="placements">(.*?)</tr>', table, re.S).group(1)
    cells = dict(re.findall(r'data-kind="(\w+)">([^<]*)<', row))
    assert cells == {"tuopin": "1", "jiance": "1", "yidi": "1", "unmarked": "1", "total": "4"}
    assert "脱贫户" in table and "监测户" in table and "易地搬迁户" in table
    audited = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "bureau.report").order_by(AuditEntry.id.desc())
    ).first()
    marked = {db_session.get(Placement, made[k]).worker_id for k in ("tuopin", "jiance", "yidi")}
    assert marked <= set(audited.detail["worker_ids"])
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/bureau/report.xlsx?month={month}").data))
    rows = list(book["按户类型"].iter_rows(values_only=True))
    assert rows[0] == ("指标", "脱贫户", "监测户", "易地搬迁户", "无标记", "合计")
    by_label = {r[0]: r[1:] for r in rows[1:]}
    assert by_label[str(county_report.LABELS["placements"])] == (1, 1, 1, 1, 4)
    sheet = book[county_report.SHEETS["placements"]]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    kinds = {r[header.index("户类型")] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert {"脱贫户", "监测户", "易地搬迁户"} <= kinds


def test_workers_list_shows_the_mark_and_audits_the_view(client, db_session, staff_world):
    users, workers = ids_of(staff_world)
    yidi = extra_worker(db_session, staff_world, "搬迁户张", kind="yidi")
    plain = extra_worker(db_session, staff_world, "普通李")
    sign_in(client, db_session, users["bureau"])
    page = client.get("/bureau/workers").get_data(as_text=True)
    item = re.search(rf'/bureau/workers/{yidi}/edit".*?</li>', page, re.S).group(0)
    assert "易地搬迁户" in item
    plain_item = re.search(rf'/bureau/workers/{plain}/edit".*?</li>', page, re.S).group(0)
    assert "重点户" not in plain_item
    seen = set(
        db_session.scalars(
            select(AuditEntry.object_id).where(
                AuditEntry.action == "household.view", AuditEntry.detail["page"].as_string() == "workers"
            )
        )
    )
    assert {yidi, workers["own"]} <= seen and plain not in seen


# --- 5. slips: the public address and the bureau's hotline


def test_settings_read_the_public_base_url_and_refuse_a_bad_one(monkeypatch):
    monkeypatch.setenv("JIUJIN_PUBLIC_BASE_URL", "https://jiujin.example.cn/")
    monkeypatch.setenv("JIUJIN_BUREAU_PHONE", "0855-6621234")
    settings = Settings.from_env().flask_config()
    assert settings["JIUJIN_PUBLIC_BASE_URL"] == "https://jiujin.example.cn"
    assert settings["JIUJIN_BUREAU_PHONE"] == "0855-6621234"
    monkeypatch.setenv("JIUJIN_PUBLIC_BASE_URL", "jiujin.example.cn")
    with pytest.raises(RuntimeError, match="JIUJIN_PUBLIC_BASE_URL"):
        Settings.from_env()


@pytest.mark.parametrize("configured", [True, False])
def test_every_slip_uses_the_public_address_and_says_how_to_apply_offline(
    app, client, db_session, staff_world, monkeypatch, configured
):
    users, workers = ids_of(staff_world)
    db_session.get(Worker, workers["own"]).village = "平寨村"
    db_session.commit()
    if configured:
        monkeypatch.setitem(app.config, "JIUJIN_PUBLIC_BASE_URL", "https://jiujin.example.cn")
        monkeypatch.setitem(app.config, "JIUJIN_BUREAU_PHONE", "0855-6621234")
        monkeypatch.setitem(app.config, "JIUJIN_BUREAU_ADDRESS", "榕江县人社局一楼窗口")
    sign_in(client, db_session, users["bureau"])
    for path in ("/bureau/slips?village=平寨村", f"/bureau/workers/{workers['own']}/slips"):
        page = client.get(path).get_data(as_text=True)
        found = re.findall(r'<article class="slip">(.*?)</article>', page, re.S)
        assert found, path
        for slip in found:
            link = re.search(r'<p class="link"[^>]*>([^<]+)</p>', slip).group(1)
            if configured:
                assert re.fullmatch(r"https://jiujin\.example\.cn/jobs/\d+", link) and "localhost" not in slip
                assert "0855-6621234" in slip and "榕江县人社局一楼窗口" in slip
            else:
                assert link.startswith("http://localhost/jobs/") and "县人社局就业服务窗口" in slip
            assert str(slips.qr_svg(link)) in slip  # the QR code holds the printed address


# --- 6. next steps on a registered worker's page


def test_a_registered_workers_page_offers_find_jobs_print_slips_and_record_placement(
    client, db_session, staff_world
):
    users, workers = ids_of(staff_world)
    own = workers["own"]
    sign_in(client, db_session, users["bureau"])
    page = client.get(f"/bureau/workers/{own}/edit").get_data(as_text=True)
    steps = re.search(r'<p class="next-steps">(.*?)</p>', page, re.S).group(1)
    links = dict((label, href) for href, label in re.findall(r'href="([^"]+)">([^<]+)</a>', steps))
    assert links == {
        "为他找工作": f"/bureau/workers/{own}/jobs",
        "打印推荐单": f"/bureau/workers/{own}/slips",
        "记录就业": f"/bureau/placements/new/{own}",
    }
    jobs = client.get(links["为他找工作"]).get_data(as_text=True)
    assert "为工人own找工作" in jobs and staff_world.postings["own"].title in jobs
    slip_page = client.get(links["打印推荐单"]).get_data(as_text=True)
    assert '<article class="slip">' in slip_page and "工****" in slip_page
    assert staff_world.postings["own"].title in slip_page
    form = client.get(links["记录就业"]).get_data(as_text=True)
    assert "工人own" in form and 'name="started_on"' in form
    # recording from a job on the list: the worker's application to it is chosen for the clerk
    posting = staff_world.postings["own"].id
    assert f"/bureau/placements/new/{own}?posting_id={posting}" in jobs
    chosen = client.get(f"/bureau/placements/new/{own}?posting_id={posting}").get_data(as_text=True)
    assert re.search(rf'<option selected value="{staff_world.applications["own"].id}"', chosen) or re.search(
        rf'<option value="{staff_world.applications["own"].id}" selected', chosen
    )
    other = workers["other_county"]
    for path in (f"/bureau/workers/{other}/jobs", f"/bureau/workers/{other}/slips"):
        assert client.get(path).status_code == 404


def test_recording_from_a_job_without_an_application_prefills_it_and_keeps_the_posting(
    client, db_session, staff_world
):
    users, _ = ids_of(staff_world)
    worker = extra_worker(db_session, staff_world, "新来的")
    posting = staff_world.postings["own"].id
    sign_in(client, db_session, users["bureau"])
    path = f"/bureau/placements/new/{worker}?posting_id={posting}"
    form = client.get(path).get_data(as_text=True)
    assert (
        f'value="{staff_world.postings["own"].title}"' in form
        and f'name="posting_id" type="hidden" value="{posting}"' in form
    )
    response = client.post(
        path,
        data={
            "csrf_token": token_in(form),
            "application_id": "0",
            "employer": "测试厂",
            "title": staff_world.postings["own"].title,
            "started_on": date.today().isoformat(),
            "posting_id": str(posting),
        },
    )
    assert response.status_code == 302
    placement = db_session.get(Placement, int(response.location.rsplit("/", 1)[1]))
    assert placement.posting_id == posting and placement.worker_id == worker
