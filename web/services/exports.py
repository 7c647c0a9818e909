"""Exports of postings and quarantined records as plain dicts (fixed formats: tools rely on them)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from web.models import Posting, PostingSource, QuarantinedRecord


def export_postings(session: Session) -> Iterator[dict[str, Any]]:
    """Every posting, oldest first, with all the sources it was seen at."""
    query = (
        select(Posting).order_by(Posting.id)
        .options(joinedload(Posting.employer), joinedload(Posting.place),
                 selectinload(Posting.sightings).joinedload(PostingSource.source))
        .execution_options(yield_per=500)
    )
    for p in session.scalars(query):
        yield {
            "id": p.id, "status": p.status, "title": p.title,
            "employer": p.employer.name if p.employer else None,
            "place_text": p.place_text, "place_code": p.place.code if p.place else None,
            "lat": p.lat, "lon": p.lon, "wage_min": p.wage_min, "wage_max": p.wage_max,
            "wage_text": p.wage_text,
            "valid_through": p.valid_through.isoformat() if p.valid_through else None,
            "employment_type": p.employment_type, "housing": p.housing,
            "sources": [{"source": s.source.name, "url": s.url, "external_id": s.external_id}
                        for s in sorted(p.sightings, key=lambda s: s.id)],
        }


def export_quarantine(session: Session) -> Iterator[dict[str, Any]]:
    """Every quarantined record with its reason and raw excerpt."""
    query = (select(QuarantinedRecord).order_by(QuarantinedRecord.id)
             .options(joinedload(QuarantinedRecord.source)))
    for q in session.scalars(query):
        yield {
            "id": q.id, "source": q.source.name, "external_id": q.external_id, "reason": q.reason,
            "detail": q.detail, "raw_excerpt": q.raw_excerpt, "times_seen": q.times_seen,
            "first_seen": q.first_seen.isoformat(), "last_seen": q.last_seen.isoformat(),
        }
