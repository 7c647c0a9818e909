"""Shared test world for the staff workspaces: one region pair, counties in and out of scope,
a user for every role, and a worker, posting and placement in each place.

The places: 榕江县 (the bureau's own county, west side of the pair 黔东南州 ↔ 广州市), 从江县
(another county of the same pair), 西吉县 (another region); 天河区 (east side) and 宁波市北仑区
(outside the pair). Import ``staff_world`` as a fixture; log in with ``log_in(client, user)``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from web.auth import token_digest
from web.models import (
    ApiToken,
    Application,
    CheckIn,
    HouseholdMark,
    Place,
    Placement,
    Posting,
    PostingReport,
    RegionPair,
    RoleAssignment,
    Source,
    User,
    Worker,
)
from web.services.accounts import hash_password

PASSWORD = "staff-mima-2026"
CODES = {"own": "522632000000", "other_county": "522633000000", "other_region": "640422000000",
         "east": "440106000000", "far_east": "330206000000"}


@dataclass
class World:
    """Everything a staff test needs, by name."""

    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    places: dict[str, Place] = field(default_factory=dict)
    workers: dict[str, Worker] = field(default_factory=dict)
    postings: dict[str, Posting] = field(default_factory=dict)
    placements: dict[str, Placement] = field(default_factory=dict)
    checkins: dict[str, CheckIn] = field(default_factory=dict)
    households: dict[str, HouseholdMark] = field(default_factory=dict)
    reports: dict[str, PostingReport] = field(default_factory=dict)
    applications: dict[str, Application] = field(default_factory=dict)
    pair: RegionPair | None = None


def place(session: Any, code: str) -> Place:
    return session.scalar(select(Place).where(Place.code == code))


def make_user(session: Any, world: World, name: str, phone: str, role: str | None, **scope: Any) -> User:
    now = datetime.now(UTC)
    user = User(phone=phone, password_hash=hash_password(PASSWORD), consent_at=now, consent_version="2026-11",
                display_name=name)
    session.add(user)
    session.flush()
    if role:
        session.add(RoleAssignment(user_id=user.id, role=role, **scope))
    token = f"token-{name}-0123456789abcdef"
    session.add(ApiToken(user_id=user.id, token_hash=token_digest(token),
                         session_version=user.session_version))
    world.users[name], world.tokens[name] = user, token
    return user


def build_world(session: Any) -> World:
    """Create the world inside the test's rolled-back session."""
    w = World()
    w.places = {k: place(session, c) for k, c in CODES.items()}
    qdn, gz = place(session, "522600000000"), place(session, "440100000000")
    w.pair = session.scalar(select(RegionPair).where(RegionPair.west_place_id == qdn.id,
                                                     RegionPair.east_place_id == gz.id))
    if w.pair is None:
        w.pair = RegionPair(name="黔东南—广州", west_place_id=qdn.id, east_place_id=gz.id)
        session.add(w.pair)
        session.flush()
    make_user(session, w, "bureau", "19800000001", "bureau", county_id=w.places["own"].id)
    make_user(session, w, "bureau_same", "19800000002", "bureau", county_id=w.places["own"].id)
    make_user(session, w, "bureau_other", "19800000003", "bureau", county_id=w.places["other_county"].id)
    make_user(session, w, "collab", "19800000004", "collab", region_pair_id=w.pair.id)
    make_user(session, w, "admin", "19800000005", "admin")
    make_user(session, w, "seeker", "19800000006", "seeker")
    source = session.scalar(select(Source).order_by(Source.id).limit(1))
    for key in CODES:
        p = w.places[key]
        worker = Worker(description=f"会电焊（{p.name}）", home_place_id=p.id, home_text=p.full_name,
                        lat=p.lat, lon=p.lon, max_commute_km=30, will_relocate=key == "own",
                        name=f"工人{key}")
        posting = Posting(source_id=source.id, external_id=f"staff-test-{key}", title=f"电焊工（{p.name}）",
                          place_id=p.id, place_text=p.full_name, lat=p.lat, lon=p.lon, wage_min=5000,
                          wage_max=7000, housing=True, content_hash=f"staff-test-{key}", status="open")
        session.add_all([worker, posting])
        session.flush()
        w.workers[key], w.postings[key] = worker, posting
        placement = Placement(worker_id=worker.id, posting_id=posting.id, employer_name="测试厂",
                              job_title=posting.title, county_code=p.code, started_on=date(2026, 6, 1))
        session.add(placement)
        session.flush()
        w.placements[key] = placement
        w.checkins[key] = CheckIn(placement_id=placement.id, month_offset=1, due_on=date(2026, 7, 1))
        w.households[key] = HouseholdMark(worker_id=worker.id, kind="tuopin")
        w.reports[key] = PostingReport(posting_id=posting.id, reason="fees", detail="要交押金")
        w.applications[key] = Application(worker_id=worker.id, posting_id=posting.id)
        session.add_all([w.checkins[key], w.households[key], w.reports[key], w.applications[key]])
        session.flush()
    session.commit()
    return snapshot(w)


class Row(SimpleNamespace):
    """A plain copy of a row's columns: readable after the test's session closes (each request's
    teardown closes it, which detaches the ORM objects)."""

    def get_id(self) -> str:
        """The Flask-Login key of a user row."""
        return f"{self.id}:{self.session_version}"


def snapshot(world: World) -> World:
    """The world with every ORM object replaced by its plain copy."""
    def copy(obj: Any) -> Row:
        return Row(**{a.key: getattr(obj, a.key) for a in sa_inspect(obj).mapper.column_attrs})

    for name in ("users", "places", "workers", "postings", "placements", "checkins", "households", "reports",
                 "applications"):
        setattr(world, name, {k: copy(v) for k, v in getattr(world, name).items()})
    world.pair = copy(world.pair)
    return world


@pytest.fixture
def staff_world(db_session: Any) -> World:
    """The staff test world, rolled back after the test."""
    return build_world(db_session)


def log_in(client: Any, user: User | None) -> None:
    """Sign ``user`` in on ``client`` (None signs out)."""
    with client.session_transaction() as s:
        s.clear()
        if user is not None:
            s["_user_id"] = user.get_id()
            s["_fresh"] = True
            s["_auth_at"] = s["_seen_at"] = time.time()  # a fresh sign-in (web.auth lifetimes)


def token_in(page: str | bytes) -> str:
    """The CSRF token of the first form on a page (the tests' one way of reading it)."""
    text = page.decode() if isinstance(page, bytes) else page
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', text)
    assert match, "no CSRF token on the page"
    return match.group(1)


def csrf_token(client: Any, path: str) -> str:
    """The CSRF token from a form on ``path``."""
    return token_in(client.get(path).get_data(as_text=True))


def finished_import_job(session: Any, w: Any, location: str = "own") -> int:
    """A finished spreadsheet import in the county at ``location`` (its page shows the counts)."""
    from web.models import ImportJob
    from web.policy import code_prefix

    county = code_prefix(w.places[location])
    job = ImportJob(county=county, scope={"admin": False, "counties": [county]}, file_name="岗位.xlsx",
                    file_hash="0" * 64, data=None, status="done", message="", total=0, cursor=0,
                    counts={}, attempts=1)
    session.add(job)
    session.commit()
    return int(job.id)


EXPORT_PAGES = {"county_report": "/bureau/report/exports/", "import_report": "/bureau/import/exports/",
                "collab_table": "/collab/exports/"}


def finished_export_job(session: Any, w: Any, kind: str = "county_report", location: str = "own",
                        status: str = "done") -> int:
    """A finished large download of ``kind`` about the place at ``location`` (a county; for a
    collaboration table, "own" is the world's pair and anything else a pair nobody here holds)."""
    from web.models import ExportJob, utcnow
    from web.policy import code_prefix

    if kind == "collab_table":
        params: dict[str, Any] = {"table": "pushes", "pairs": [w.pair.id if location == "own" else 10**6],
                                  "west": [], "east": [], "pair": None, "key_only": False}
    elif kind == "import_report":
        params = {"job_id": 0, "county": code_prefix(w.places[location]), "file": "岗位.xlsx"}
    else:
        params = {"county": w.places[location].code, "county_name": w.places[location].full_name,
                  "month": "2026-11"}
    job = ExportJob(kind=kind, params={**params, "back": "/bureau/"}, status=status, message="", total=3,
                    done=3, attempts=1, result={"rows": 3, "marked_worker_ids": []}, file_name="x.xlsx",
                    file_size=4, data=b"PK\x03\x04" if status == "done" else None,
                    finished_at=utcnow(), expires_at=utcnow() + timedelta(hours=1))
    session.add(job)
    session.commit()
    return int(job.id)
