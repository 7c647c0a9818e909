"""Embed postings once per model and content: cache by (posting, model id, content hash)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, joinedload

from matching.documents import posting_text
from web.models import Posting, PostingEmbedding, utcnow
from web.services.index import to_doc

BATCH = 256


def embed_pending(session: Session, embedder: Any, limit: int | None = None) -> int:
    """Embed open postings with no vector for this model or a vector for older content (at
    most ``limit`` of them, for callers that embed in short transactions); how many."""
    stale = (
        select(Posting, PostingEmbedding)
        .outerjoin(PostingEmbedding, and_(PostingEmbedding.posting_id == Posting.id,
                                          PostingEmbedding.model_id == embedder.model_id))
        .where(Posting.status == "open")
        .where(or_(PostingEmbedding.id.is_(None),
                   PostingEmbedding.content_hash != Posting.content_hash))
        .options(joinedload(Posting.employer), joinedload(Posting.place))
        .order_by(Posting.id)
    )
    todo = session.execute(stale if limit is None else stale.limit(limit)).all()
    for start in range(0, len(todo), BATCH):
        chunk = todo[start : start + BATCH]
        vectors = embedder.encode([posting_text(to_doc(p)) for p, _ in chunk])
        for (posting, existing), vector in zip(chunk, vectors, strict=True):
            _store(session, posting, existing, embedder.model_id, vector)
    session.flush()
    return len(todo)


def embed_in_batches(session: Session, embedder: Any, size: int = BATCH) -> int:
    """``embed_pending`` in short transactions of ``size`` postings, each committed (a job
    boundary's helper: the write lock is never held for more than one batch's encoding)."""
    from web.extensions import begin_write

    total = 0
    while True:
        begin_write(session)
        done = embed_pending(session, embedder, limit=size)
        session.commit()
        total += done
        if done < size:
            return total


def _store(session: Session, posting: Posting, existing: PostingEmbedding | None, model_id: str,
           vector: np.ndarray) -> None:
    blob = np.asarray(vector, dtype=np.float32).tobytes()
    if existing is None:
        session.add(PostingEmbedding(posting_id=posting.id, model_id=model_id, vector=blob,
                                     dim=len(vector), content_hash=posting.content_hash))
        return
    existing.vector, existing.dim = blob, len(vector)
    existing.content_hash, existing.created_at = posting.content_hash, utcnow()
