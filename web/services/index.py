"""The in-process match index: built from the database once, then kept up to date from the
postings whose ``changed_at`` moved, without a rebuild."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session, joinedload, selectinload

from matching.documents import posting_text
from matching.ranker import Matcher
from matching.types import PostingDoc, Query
from web.models import Posting, PostingEmbedding

# changed_at is set when a change is made, not when its transaction commits: every refresh
# reads again the changes of this window before its high-water mark, so a transaction that
# commits up to SETTLE after it stamped a posting (an ingest run embedding a large batch) is
# still seen. What was already applied at the same changed_at is skipped, so nothing is added twice.
SETTLE = timedelta(minutes=10)
CHUNK = 500
# A query every posting is a candidate for: run once after each change under the write lock,
# so whatever the matcher recomputes lazily is recomputed there and never by concurrent queries.
PROBE = Query(text="工作")


# What the index reads with each posting: employer, place, the source's trust and the channels.
INDEX_LOADS = (joinedload(Posting.employer), joinedload(Posting.place), joinedload(Posting.source),
               selectinload(Posting.sightings))


def to_doc(posting: Posting) -> PostingDoc:
    """A stored posting as the matcher sees it."""
    state = sa_inspect(posting)
    return PostingDoc(
        id=posting.id, title=posting.title, description=posting.description,
        employer=posting.employer.name if posting.employer else None,
        place_name=posting.place.full_name if posting.place else posting.place_text,
        lat=posting.lat, lon=posting.lon, wage_min=posting.wage_min, wage_max=posting.wage_max,
        housing=posting.housing, meals=posting.meals, employment_type=posting.employment_type,
        posted_at=posting.posted_at, valid_through=posting.valid_through,
        # Trust and channels only where the caller loaded them (INDEX_LOADS); never a query per row.
        source_trust=posting.source.trust if "source" not in state.unloaded else None,
        sightings=len(posting.sightings) if "sightings" not in state.unloaded else 1,
    )


def build_matcher(session: Session, embedder: Any) -> Matcher:
    """A Matcher over every open posting, reusing stored vectors for the current model."""
    postings = session.scalars(
        select(Posting).where(Posting.status == "open").order_by(Posting.id)
        .options(*INDEX_LOADS)
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


def changed_since(session: Session, since: datetime | None) -> dict[int, datetime]:
    """changed_at of every posting changed at or after ``since`` (every posting if None)."""
    query = select(Posting.id, Posting.changed_at)
    if since is not None:
        query = query.where(Posting.changed_at >= since)
    return {pid: at for pid, at in session.execute(query)}


@dataclass
class Changes:
    """What a refresh read: postings to (re)index with their vectors, ids to drop, and the
    changed_at of every posting it looked at (waiting ones included)."""

    docs: list[PostingDoc] = field(default_factory=list)
    vectors: list[np.ndarray] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)
    seen: dict[int, datetime] = field(default_factory=dict)


def read_changes(session: Session, todo: dict[int, datetime], model_id: str) -> Changes:
    """Open postings with a vector for their current content are added; postings no longer
    open (or gone) are removed; open postings still without that vector wait for it."""
    changes = Changes(seen=dict(todo))
    ids = sorted(todo)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        postings = {p.id: p for p in session.scalars(
            select(Posting).where(Posting.id.in_(chunk))
            .options(*INDEX_LOADS))}
        stored = {pid: (digest, blob) for pid, digest, blob in session.execute(
            select(PostingEmbedding.posting_id, PostingEmbedding.content_hash, PostingEmbedding.vector)
            .where(PostingEmbedding.posting_id.in_(chunk), PostingEmbedding.model_id == model_id))}
        for pid in chunk:
            _sort_change(changes, pid, postings.get(pid), stored.get(pid))
    return changes


def _sort_change(changes: Changes, pid: int, posting: Posting | None,
                 stored: tuple[str, bytes] | None) -> None:
    if posting is None or posting.status != "open":
        changes.removed.append(pid)
    elif stored is None or stored[0] != posting.content_hash:
        # Ingestion embeds in the same transaction, and storing the vector moves changed_at
        # again, so the posting comes back then; embedding here would embed it once per process.
        changes.waiting.append(pid)
    else:
        changes.docs.append(to_doc(posting))
        changes.vectors.append(np.frombuffer(stored[1], dtype=np.float32))


class LiveIndex:
    """A Matcher and the high-water mark of the posting changes it reflects."""

    def __init__(self, matcher: Matcher, mark: datetime | None, applied: dict[int, datetime],
                 probe: np.ndarray):
        self.matcher = matcher
        self.mark = mark
        self.applied = applied  # changed_at already reflected, for postings inside the window
        self.probe = probe

    @classmethod
    def build(cls, session: Session, embedder: Any) -> LiveIndex:
        """A full build from the database (start-up, or after a failed refresh)."""
        mark = session.scalar(select(func.max(Posting.changed_at)))
        # Read before the postings: a change committed in between is read again by a refresh.
        applied = changed_since(session, mark - SETTLE) if mark is not None else {}
        matcher = build_matcher(session, embedder)
        probe = matcher.encode_queries([PROBE])[0]
        matcher.rank(PROBE, limit=1, vector=probe)
        return cls(matcher, mark, applied, probe)

    def read(self, session: Session, model_id: str) -> Changes:
        """The changes since the mark that this index does not reflect yet (reads only)."""
        since = self.mark - SETTLE if self.mark is not None else None
        todo = {pid: at for pid, at in changed_since(session, since).items()
                if self.applied.get(pid) != at}
        return read_changes(session, todo, model_id) if todo else Changes()

    def apply(self, changes: Changes) -> None:
        """Remove and add in the matcher and move the mark (the caller holds the write lock).

        Costs what changed (``Matcher.add``/``remove`` are amortised O(changes)), plus the probe
        query, which runs what the matcher recomputes lazily: the lexical IDF refresh, the one
        step proportional to the index (about 0.07 s at 100,000 postings, ``bench.index_build``).
        """
        if changes.removed:
            self.matcher.remove(changes.removed)
        if changes.docs:
            self.matcher.add(changes.docs, np.vstack(changes.vectors))
        if changes.removed or changes.docs:
            self.matcher.rank(PROBE, limit=1, vector=self.probe)
        self.applied.update(changes.seen)
        if changes.seen:
            latest = max(changes.seen.values())
            self.mark = latest if self.mark is None else max(self.mark, latest)
        if self.mark is not None:
            floor = self.mark - SETTLE
            self.applied = {pid: at for pid, at in self.applied.items() if at >= floor}
