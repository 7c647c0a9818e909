"""Demo data: the demo source ingested through the real pipeline, and demo workers."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jobs_ingest.clock import china_today
from jobs_ingest.sources.demo_data import DEMO_WORKERS
from places import AmbiguousPlace, PlaceNotFound
from web.models import IngestRun, Posting, Worker, utcnow
from web.services import embeddings, ingest, places

DEMO_SOURCE = {"name": "demo-bureau-export", "public_name": "县人社局（演示数据）", "kind": "demo",
               "trust": "bureau",
               "url": "https://demo.jiujin.local/export.json", "schedule": "interval:6h"}


def is_empty(session: Session) -> bool:
    """True when no posting has ever been stored."""
    return not session.scalar(select(func.count(Posting.id)))


def load_demo(session: Session, runtime: Any, today: date | None = None,
              options: dict[str, Any] | None = None) -> IngestRun:
    """Places, the demo source run once through the pipeline, vectors, demo workers."""
    places.sync_places(session, runtime.gazetteer)
    spec = dict(DEMO_SOURCE, options=dict(options or {}))
    if today is not None:
        spec["options"].setdefault("today", today.isoformat())
    source = ingest.upsert_source(session, spec)
    run = ingest.run_source(session, source, runtime.gazetteer, today or china_today())
    embeddings.embed_pending(session, runtime.embedder())
    upsert_demo_workers(session, runtime)
    upsert_demo_staff(session)
    return run


# East–west pairs of the demo's places (黔东南↔广州 is a real pairing; the others are illustrative).
DEMO_PAIRS = (("黔东南—广州", "522600000000", "440100000000"), ("固原—厦门", "640400000000", "350200000000"),
              ("凉山—宁波", "513400000000", "330200000000"))
DEMO_KEY_COUNTIES = ("522632000000", "522633000000", "513431000000")  # 榕江, 从江, 昭觉
DEMO_PASSWORD = "jiujin-demo-2026"  # demo data only (JIUJIN_LOAD_DEMO); README lists these accounts
DEMO_STAFF = (("19900000001", "榕江县就业局（演示）", "bureau", "522632000000"),
              ("19900000002", "黔东南—广州协作办（演示）", "collab", "黔东南—广州"),
              ("19900000009", "管理员（演示）", "admin", None))
DEMO_HOUSEHOLDS = {"demo-00": "tuopin", "demo-01": "jiance"}


def upsert_demo_staff(session: Session) -> None:
    """Demo region pairs, key counties, staff accounts and two priority households (idempotent)."""
    from web.models import HouseholdMark, KeyCounty, RegionPair, RoleAssignment, User
    from web.services.accounts import hash_password

    ids = places.place_ids_by_code(session)
    pairs = {}
    for name, west, east in DEMO_PAIRS:
        pair = session.scalar(select(RegionPair).where(RegionPair.name == name))
        if pair is None:
            pair = RegionPair(name=name, west_place_id=ids[west], east_place_id=ids[east])
            session.add(pair)
            session.flush()
        pairs[name] = pair
    for code in DEMO_KEY_COUNTIES:
        if session.scalar(select(KeyCounty).where(KeyCounty.place_id == ids[code])) is None:
            session.add(KeyCounty(place_id=ids[code]))
    for phone, name, role, scope in DEMO_STAFF:
        if session.scalar(select(User).where(User.phone == phone)) is not None:
            continue
        user = User(phone=phone, display_name=name, password_hash=hash_password(DEMO_PASSWORD),
                    consent_at=utcnow(), consent_version="staff")
        session.add(user)
        session.flush()
        session.add(RoleAssignment(user_id=user.id, role=role,
                                   county_id=ids.get(scope or "") if role == "bureau" else None,
                                   region_pair_id=pairs[scope].id if role == "collab" else None))
    for key, kind in DEMO_HOUSEHOLDS.items():
        worker_id = session.scalar(select(Worker.id).where(Worker.demo_key == key))
        marked = select(HouseholdMark.id).where(HouseholdMark.worker_id == worker_id)
        if worker_id and session.scalar(marked) is None:
            session.add(HouseholdMark(worker_id=worker_id, kind=kind))
    session.flush()


def upsert_demo_workers(session: Session, runtime: Any) -> int:
    """Create the demo workers (keyed by demo_key, so a rerun adds none)."""
    created = 0
    ids = places.place_ids_by_code(session)
    for index, spec in enumerate(DEMO_WORKERS):
        key = f"demo-{index:02d}"
        worker = session.scalar(select(Worker).where(Worker.demo_key == key))
        if worker is None:
            worker = Worker(demo_key=key, description="")
            session.add(worker)
            created += 1
        try:
            home = runtime.gazetteer.resolve(str(spec["home"]))
        except (PlaceNotFound, AmbiguousPlace):
            home = None
        worker.name = str(spec["name"])
        worker.description = str(spec["description"])
        worker.home_text = str(spec["home"])
        worker.home_place_id = ids.get(home.code) if home else None
        worker.lat, worker.lon = (home.lat, home.lon) if home else (None, None)
        worker.max_commute_km = int(spec["max_commute_km"])
        worker.will_relocate = bool(spec["will_relocate"])
        wage = spec.get("wage_expectation")
        worker.wage_expectation = int(wage) if wage else None
        worker.availability = str(spec.get("availability", ""))
    session.flush()
    return created
