"""Reading postings for pages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from matching.geo import haversine_km
from web.models import Application, Posting, PostingSource, Worker
from web.services.applications import find_application, is_open
from web.services.publishers import NextSteps, next_steps


@dataclass
class JobDetails:
    """What the job page shows beyond the posting itself."""

    posting: Posting
    distance_km: float | None
    other_channels: int  # other sources listing the same job
    application: Application | None
    open: bool
    next_steps: NextSteps  # what happens after applying (shown once applied)


def get_posting(session: Session, posting_id: int) -> Posting | None:
    """One posting with its employer, place and sightings loaded."""
    return session.scalar(
        select(Posting).where(Posting.id == posting_id).options(
            joinedload(Posting.employer), joinedload(Posting.place), joinedload(Posting.source),
            selectinload(Posting.sightings).joinedload(PostingSource.source))
    )


def describe_posting(session: Session, posting_id: int, worker: Worker | None = None,
                     origin: tuple[float, float] | None = None) -> JobDetails | None:
    """A posting for its page: distance from ``origin`` (else the worker's home), other channels,
    and the worker's application to it."""
    posting = get_posting(session, posting_id)
    if posting is None:
        return None
    if origin is None and worker is not None and worker.lat is not None and worker.lon is not None:
        origin = (worker.lat, worker.lon)
    application = find_application(session, worker.id, posting.id) if worker is not None else None
    return JobDetails(posting=posting, distance_km=distance_to(posting, origin),
                      other_channels=count_other_channels(posting), application=application,
                      open=is_open(posting), next_steps=next_steps(posting))


def distance_to(posting: Posting, origin: tuple[float, float] | None) -> float | None:
    """Great-circle km from ``origin`` to the posting, when both have coordinates."""
    if origin is None or posting.lat is None or posting.lon is None:
        return None
    return float(haversine_km(origin[0], origin[1], posting.lat, posting.lon))


def count_other_channels(posting: Posting) -> int:
    """How many sources besides the posting's own list the same job ("另见N个渠道")."""
    sources = {s.source_id for s in posting.sightings}
    if len(posting.sightings) <= 1:
        return 0
    return len(sources - {posting.source_id})
