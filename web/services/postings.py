"""Reading postings for pages."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from web.models import Posting, PostingSource


def get_posting(session: Session, posting_id: int) -> Posting | None:
    """One posting with its employer, place and sightings loaded."""
    return session.scalar(
        select(Posting).where(Posting.id == posting_id).options(
            joinedload(Posting.employer), joinedload(Posting.place),
            selectinload(Posting.sightings).joinedload(PostingSource.source))
    )


def count_open(session: Session) -> int:
    """How many postings are open."""
    return session.scalar(select(func.count(Posting.id)).where(Posting.status == "open")) or 0
