"""The monthly county report: every figure exact on the page, in the JSON and in the workbook,
each traceable to its records; spreadsheet formulas neutralised."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import openpyxl
import pytest
from sqlalchemy import select

from tests.web.staff import log_in  # staff_world: a fixture, from tests/web/conftest.py
from web.models import Application, AuditEntry, HouseholdMark, Placement, Posting, Source, User, Worker
from web.services import county_report, followup

EVIL_NAME = '=HYPERLINK("http://evil.example/x","点我")'
EVIL_EMPLOYER = "@SUM(A1)"


def bearer(month, name):
    return {"Authorization": f"Bearer {month.tokens[name]}"}


def sign_in(client, session, month, name):
    log_in(client, session.get(User, month.users[name]))


class Month:
    """November 2026 in 榕江县, with known figures (see the module docstring of county_report)."""

    def __init__(self, session, world):
        self.session, self.world = session, world
        own = world.places["own"]
        bureau_source = session.get(Source, world.postings["own"].source_id)
        aggregator = Source(name="report-test-aggregator", kind="feed", trust="aggregator")
        session.add(aggregator)
        session.flush()
        self.x1 = world.postings["own"]
        self.x2 = self._posting(bureau_source, own, "x2")
        self.x3 = self._posting(aggregator, own, "x3")
        w = {
            name: self._worker(name, own, priority=name.startswith("P"))
            for name in ("P1", "P2", "P3", "P4", "P5", "Na", "Nb", "Nc", "Nd", "Ne")
        }
        w["Nf"] = self._worker(EVIL_NAME, own)
        m1 = self._hand(w["P1"], date(2026, 5, 1), {1: True, 3: True, 6: True})
        m2 = self._hand(w["Na"], date(2026, 5, 10), {3: True, 6: False})
        a1 = self._hand(w["P2"], date(2026, 8, 1), {1: True, 3: True})
        a2 = self._hand(w["Nb"], date(2026, 8, 15), {3: False})
        a3 = self._hand(w["Nc"], date(2026, 8, 20), {})  # 3-month check-in due 11-20, not recorded
        session.add(
            Placement(
                worker_id=w["P5"].id,
                employer_name="厂",
                job_title="普工",
                county_code=own.code,
                started_on=date(2026, 7, 1),
                ended_on=date(2026, 10, 31),
            )
        )
        n1 = self._apply(w["P3"], self.x1, date(2026, 11, 2))
        n2 = self._apply(w["P4"], self.x1, date(2026, 11, 3))
        n3 = self._apply(w["Nd"], self.x2, date(2026, 11, 4))
        n4 = self._apply(w["Ne"], self.x3, date(2026, 11, 5))
        n5 = self._hand(w["Nf"], date(2026, 11, 6), {}, employer=EVIL_EMPLOYER)
        far = self._worker("外县", world.places["other_county"], priority=True)
        self._hand(far, date(2026, 11, 7), {})
        session.commit()
        self.in_month = [n1.id, n2.id, n3.id, n4.id, n5.id]
        # the world's own worker is a priority household too, placed in June and not reported gone
        self.priority = {m1.id, a1.id, n1.id, n2.id, world.placements["own"].id}
        self.retention_3 = [c.id for p in (m1, m2, a1, a2, a3) for c in p.checkins if c.month_offset == 3]
        self.retention_6 = [c.id for p in (m1, m2) for c in p.checkins if c.month_offset == 6]
        self.filled = {self.x1.id: [n1.id, n2.id], self.x2.id: [n3.id]}
        self.evil_placement = n5.id
        self.x1_id, self.x2_id = self.x1.id, self.x2.id
        # requests close the session and detach the world: keep plain values
        self.users = {name: user.id for name, user in world.users.items()}
        self.tokens = dict(world.tokens)

    def _posting(self, source, place, key):
        posting = Posting(
            source_id=source.id,
            external_id=f"report-{key}",
            title=f"岗位{key}",
            place_id=place.id,
            place_text=place.full_name,
            lat=place.lat,
            lon=place.lon,
            content_hash=f"report-{key}",
        )
        self.session.add(posting)
        self.session.flush()
        return posting

    def _worker(self, name, place, priority=False):
        worker = Worker(description="会干活", home_place_id=place.id, lat=place.lat, lon=place.lon, name=name)
        self.session.add(worker)
        self.session.flush()
        if priority:
            self.session.add(HouseholdMark(worker_id=worker.id, kind="tuopin"))
        return worker

    def _hand(self, worker, started_on, answers, employer="县城食品厂"):
        placement = followup.record_placement(
            self.session,
            self.world.users["bureau"],
            worker.id,
            {"employer": employer, "title": "包装工", "started_on": started_on},
        )
        for checkin in placement.checkins:
            if checkin.month_offset in answers:
                checkin.done_at, checkin.still_working = datetime.now(UTC), answers[checkin.month_offset]
        self.session.flush()
        return placement

    def _apply(self, worker, posting, started_on):
        application = Application(worker_id=worker.id, posting_id=posting.id)
        self.session.add(application)
        self.session.flush()
        return followup.record_placement(
            self.session,
            self.world.users["bureau"],
            worker.id,
            {"application_id": application.id, "started_on": started_on},
        )


@pytest.fixture
def month(db_session, staff_world):
    return Month(db_session, staff_world)


def test_report_json_figures_are_exact_and_name_their_records(client, month):
    response = client.get("/api/v1/bureau/report?month=2026-11", headers=bearer(month, "bureau"))
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert (data["county"]["code"], data["month"]) == ("522632000000", "2026-11")
    f = data["figures"]
    assert (f["placements"]["value"], sorted(f["placements"]["ids"])) == (5, sorted(month.in_month))
    assert f["priority_employed"]["value"] == 5
    assert set(f["priority_employed"]["ids"]) == month.priority
    r3 = f["retention_3"]
    assert (r3["value"], r3["numerator"], r3["denominator"], r3["pending"]) == (75.0, 3, 4, 1)
    assert sorted(r3["ids"]) == sorted(month.retention_3)
    r6 = f["retention_6"]
    assert (r6["value"], r6["numerator"], r6["denominator"], r6["pending"]) == (50.0, 1, 2, 0)
    assert sorted(r6["ids"]) == sorted(month.retention_6)
    filled = f["vacancies_filled"]
    assert filled["value"] == 2
    assert {row["posting_id"]: row["placement_ids"] for row in filled["rows"]} == month.filled
    # the same for an admin naming the county; another county's staff may not see it
    admin = client.get(
        "/api/v1/bureau/report?month=2026-11&county=522632000000", headers=bearer(month, "admin")
    )
    assert admin.get_json()["figures"] == data["figures"]
    assert (
        client.get(
            "/api/v1/bureau/report?month=2026-11&county=522632000000", headers=bearer(month, "bureau_other")
        ).status_code
        == 404
    )
    assert (
        client.get("/api/v1/bureau/report?month=2026-13", headers=bearer(month, "bureau")).status_code == 422
    )
    assert (
        client.get("/api/v1/bureau/report?month=2026-11", headers=bearer(month, "admin")).status_code == 422
    )
    assert client.get("/api/v1/bureau/report", headers=bearer(month, "seeker")).status_code == 403
    assert client.get("/api/v1/bureau/report", headers=bearer(month, "collab")).status_code == 403


def test_report_page_shows_every_figure_and_links_its_records(client, db_session, month):
    sign_in(client, db_session, month, "bureau")
    response = client.get("/bureau/report?month=2026-11")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "print.css" in page

    def figure(key):
        return re.search(rf'data-figure="{key}">(.*?)</td>', page, re.S).group(1).strip()

    assert figure("placements") == "5"
    assert figure("priority_employed") == "5"
    assert figure("retention_3") == "75.0% (3/4)"
    assert figure("retention_6") == "50.0% (1/2)"
    assert figure("vacancies_filled") == "2"
    for key in county_report.LABELS:
        assert f'href="#rows-{key}"' in page and f'id="rows-{key}"' in page
    section = page[page.index('id="rows-placements"') : page.index('id="rows-priority_employed"')]
    assert sorted(int(i) for i in re.findall(r'href="/bureau/placements/(\d+)"', section)) == sorted(
        month.in_month
    )
    section = page[page.index('id="rows-vacancies_filled"') :]
    assert {month.x1_id, month.x2_id} == {int(i) for i in re.findall(r'href="/jobs/(\d+)"', section)}
    assert "外县" not in page
    viewed = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "bureau.report", AuditEntry.object_type == "household")
    ).all()
    assert viewed and set(viewed[-1].detail["worker_ids"]) == {
        db_session.get(Placement, pid).worker_id for pid in month.priority
    }
    assert client.get("/bureau/report?month=nov").status_code == 400
    assert client.get("/bureau/report?month=2026-11&county=522633000000").status_code == 404
    sign_in(client, db_session, month, "admin")
    chooser = client.get("/bureau/report?month=2026-11")
    assert chooser.status_code == 200 and 'name="county"' in chooser.get_data(as_text=True)
    admin_page = client.get("/bureau/report?month=2026-11&county=522632000000").get_data(as_text=True)
    assert re.search(r'data-figure="retention_3">\s*75.0% \(3/4\)', admin_page)


def test_report_workbook_has_a_sheet_per_figure_and_neutralised_formulas(client, db_session, month):
    sign_in(client, db_session, month, "bureau")
    response = client.get("/bureau/report.xlsx?month=2026-11")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["汇总", "按户类型", *county_report.SHEETS.values()]
    summary = {row[0]: row[1:] for row in book["汇总"].iter_rows(min_row=3, values_only=True)}
    labels = {key: str(label) for key, label in county_report.LABELS.items()}
    assert summary[labels["placements"]][0] == 5
    assert summary[labels["priority_employed"]][0] == 5
    assert summary[labels["retention_3"]] == (75.0, 3, 4, 1)
    assert summary[labels["retention_6"]] == (50.0, 1, 2, 0)
    assert summary[labels["vacancies_filled"]][0] == 2
    counts = {
        "placements": 5,
        "priority_employed": 5,
        "retention_3": 5,
        "retention_6": 2,
        "vacancies_filled": 2,
    }
    for key, n in counts.items():
        assert book[county_report.SHEETS[key]].max_row == n + 1, key
    sheet = book[county_report.SHEETS["placements"]]
    ids = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(ids) == sorted(month.in_month)
    evil = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == month.evil_placement)
    header = [str(county_report.COLUMNS[c]) for c in county_report.PLACEMENT_COLUMNS]
    worker_cell, employer_cell = evil[header.index("姓名")], evil[header.index("用工单位")]
    assert worker_cell.value == "'" + EVIL_NAME and worker_cell.data_type == "s"
    assert employer_cell.value == "'" + EVIL_EMPLOYER and employer_cell.data_type == "s"
    for sheet in book:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)


def test_safe_cell_and_month_parsing():
    assert county_report.safe_cell("=1+1") == "'=1+1" and county_report.safe_cell("-3") == "'-3"
    assert county_report.safe_cell("包装工") == "包装工" and county_report.safe_cell(5) == 5
    assert county_report.parse_month("2026-02", date(2026, 11, 28)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert county_report.parse_month("", date(2026, 11, 28)) == (date(2026, 11, 1), date(2026, 11, 30))
    for bad in ("2026-13", "26-11", "2026/11", "2026-11-01"):
        with pytest.raises(county_report.ReportError):
            county_report.parse_month(bad, date(2026, 11, 28))
