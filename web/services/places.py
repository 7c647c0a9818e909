"""Places in the database (mirroring the gazetteer) and resolving what people type."""

from __future__ import annotations

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from places import Gazetteer
from places import Place as GazPlace
from web.models import Place


def sync_places(session: Session, gazetteer: Gazetteer) -> int:
    """Insert every gazetteer place missing from the table; returns how many were added."""
    have = set(session.scalars(select(Place.code)))
    todo = [p for p in gazetteer.places.values() if p.code not in have]
    if not todo:
        return 0
    for level in ("province", "city", "county"):  # parents before children
        ids = place_ids_by_code(session)
        rows = [
            {"code": p.code, "name": p.name, "full_name": p.full_name, "level": p.level,
             "parent_id": ids.get(p.parent_code) if p.parent_code else None,
             "lat": p.lat, "lon": p.lon, "coord_source": "cpca-2020"}
            for p in todo if p.level == level
        ]
        if rows:
            session.execute(insert(Place), rows)
    return len(todo)


def place_ids_by_code(session: Session) -> dict[str, int]:
    """Administrative code -> places.id."""
    return {code: id_ for code, id_ in session.execute(select(Place.code, Place.id))}


def count_places(session: Session) -> int:
    """How many places are stored."""
    return session.scalar(select(func.count(Place.id))) or 0


def place_row(session: Session, place: GazPlace) -> Place | None:
    """The stored row for a gazetteer place."""
    return session.scalar(select(Place).where(Place.code == place.code))
