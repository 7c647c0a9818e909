"""Embed postings once per model and text: cache by (posting, model id, content hash), and by
the hash of the embedded text itself.

A posting's content hash covers every field (pay, dates, the URL), but its vector depends only
on ``posting_text`` (title, employer, the start of the description). So a stale vector whose
text is unchanged only has its content hash moved, and a text some other posting already has a
vector for is copied, not encoded: the model (≈100–200 texts/s on one core, the cost of
ingestion) runs only on texts it has never seen.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, joinedload

from matching.documents import posting_text
from web.models import Posting, PostingEmbedding, utcnow
from web.services.index import to_doc

BATCH = 256
LOOKUP_CHUNK = 500  # text hashes per IN (...) when looking for vectors to reuse


def text_hash(text: str) -> str:
    """The key a vector is reused under: SHA-256 of the exact text the model was given."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def embed_pending(session: Session, embedder: Any, limit: int | None = None) -> int:
    """Give open postings with no vector for this model, or a vector for older content, a
    current one (at most ``limit`` of them, for callers that embed in short transactions); how
    many. Only texts with no stored vector are encoded, each once (see the module docstring)."""
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
    texts = [posting_text(to_doc(p)) for p, _ in todo]
    hashes = [text_hash(t) for t in texts]
    # The same text as the stored vector's: only the content hash moves (no vector is needed).
    needed = {h: t for (_, existing), h, t in zip(todo, hashes, texts, strict=True)
              if existing is None or existing.text_hash != h}
    known = _stored_vectors(session, embedder.model_id, set(needed))
    new = [h for h in needed if h not in known]
    for start in range(0, len(new), BATCH):
        chunk = new[start : start + BATCH]
        known.update(zip(chunk, embedder.encode([needed[h] for h in chunk]), strict=True))
    for (posting, existing), digest in zip(todo, hashes, strict=True):
        if existing is not None and existing.text_hash == digest:
            existing.content_hash = posting.content_hash  # the vector still holds
        else:
            _store(session, posting, existing, embedder.model_id, digest, known[digest])
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


def _stored_vectors(session: Session, model_id: str, hashes: set[str]) -> dict[str, Any]:
    """A stored vector (as bytes) for each of ``hashes`` that some posting already has."""
    found: dict[str, Any] = {}
    ordered = sorted(hashes)
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        chunk = ordered[start : start + LOOKUP_CHUNK]
        found.update({digest: blob for digest, blob in session.execute(
            select(PostingEmbedding.text_hash, PostingEmbedding.vector)
            .where(PostingEmbedding.model_id == model_id, PostingEmbedding.text_hash.in_(chunk)))})
    return found


def _store(session: Session, posting: Posting, existing: PostingEmbedding | None, model_id: str,
           digest: str, vector: Any) -> None:
    """A new or replaced vector: ``vector`` is a fresh row from the model or a stored blob."""
    blob = vector if isinstance(vector, bytes) else np.asarray(vector, dtype=np.float32).tobytes()
    dim = len(blob) // 4
    if existing is None:
        session.add(PostingEmbedding(posting_id=posting.id, model_id=model_id, vector=blob, dim=dim,
                                     content_hash=posting.content_hash, text_hash=digest))
        return
    existing.vector, existing.dim, existing.text_hash = blob, dim, digest
    existing.content_hash, existing.created_at = posting.content_hash, utcnow()
