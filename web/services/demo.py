"""Demo data: the demo source ingested through the real pipeline, and demo workers."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jobs_ingest.sources.demo_data import DEMO_WORKERS
from places import AmbiguousPlace, PlaceNotFound
from web.models import IngestRun, Posting, Worker
from web.services import embeddings, ingest, places

DEMO_SOURCE = {"name": "demo-bureau-export", "kind": "demo", "trust": "bureau",
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
    run = ingest.run_source(session, source, runtime.gazetteer, today or date.today())
    embeddings.embed_pending(session, runtime.embedder())
    upsert_demo_workers(session, runtime)
    return run


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
