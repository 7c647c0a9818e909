"""Build the in-process match index from the database."""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from matching.documents import posting_text
from matching.ranker import Matcher
from matching.types import PostingDoc
from web.models import Posting, PostingEmbedding


def postings_version(session: Session, model_id: str) -> tuple[Any, ...]:
    """A cheap fingerprint of the open postings and their vectors."""
    row = session.execute(
        select(func.count(Posting.id), func.max(Posting.updated_at)).where(Posting.status == "open")
    ).one()
    vectors = session.scalar(
        select(func.count(PostingEmbedding.id)).where(PostingEmbedding.model_id == model_id)
    )
    return (row[0], str(row[1]), vectors)


def to_doc(posting: Posting) -> PostingDoc:
    """A stored posting as the matcher sees it."""
    return PostingDoc(
        id=posting.id, title=posting.title, description=posting.description,
        employer=posting.employer.name if posting.employer else None,
        place_name=posting.place.full_name if posting.place else posting.place_text,
        lat=posting.lat, lon=posting.lon, wage_min=posting.wage_min, wage_max=posting.wage_max,
        housing=posting.housing, meals=posting.meals, employment_type=posting.employment_type,
    )


def build_matcher(session: Session, embedder: Any) -> Matcher:
    """A Matcher over every open posting, reusing stored vectors for the current model."""
    postings = session.scalars(
        select(Posting).where(Posting.status == "open").order_by(Posting.id)
        .options(joinedload(Posting.employer), joinedload(Posting.place))
    ).all()
    stored = {pid: (digest, blob) for pid, digest, blob in session.execute(
        select(PostingEmbedding.posting_id, PostingEmbedding.content_hash, PostingEmbedding.vector)
        .join(Posting, Posting.id == PostingEmbedding.posting_id)
        .where(Posting.status == "open", PostingEmbedding.model_id == embedder.model_id))}
    docs = [to_doc(p) for p in postings]
    rows: list[np.ndarray | None] = []
    for posting in postings:
        digest, blob = stored.get(posting.id, (None, b""))
        rows.append(np.frombuffer(blob, dtype=np.float32) if digest == posting.content_hash else None)
    missing = [i for i, r in enumerate(rows) if r is None]
    if missing:  # normally none: ingestion embeds right after storing
        for i, vec in zip(missing, embedder.encode([posting_text(docs[i]) for i in missing]), strict=True):
            rows[i] = vec
    return Matcher(embedder).fit(docs, np.vstack(rows) if docs else None)
