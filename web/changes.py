"""``postings.changed_at`` moves here, and only here: whenever what the match index sees of a
posting changes (web/services/index.py follows it in every process).

Two SQLAlchemy session events cover every way the application writes a posting:

- ``before_flush``: a new posting; a posting whose matcher-visible fields (``MATCHER_FIELDS``)
  changed; a sighting added or removed (the trust signal counts channels); a vector stored or
  replaced (a posting enters the index once its vector is there); a source's trust changed
  (every posting it owns: the matcher reads trust from the posting's source).
- ``do_orm_execute``: an ORM ``update(Posting)`` that sets a matcher-visible column (expiry,
  closing, reopening in bulk) gets ``changed_at`` added, unless it sets it itself.

Where the database holds the PostgreSQL match index (``web.services.pgindex``), a third event,
``before_commit``, rewrites the index rows of every posting whose ``changed_at`` moved in the
transaction, so the index changes in the same commit as the posting.

What no event sees is raw SQL, which the application does not write to postings (migrations do,
and the index's full build at start-up covers them). ``tests/web/test_changed_at.py`` changes
every column the matcher reads, one at a time, by object and in bulk, and fails if one moves
what the matcher sees without moving ``changed_at``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session

from web.models import Posting, PostingEmbedding, PostingSource, Source, utcnow

_TOUCHED, _STAMPS = "jiujin_postings_touched", "jiujin_changed_at_stamps"

# Posting attributes the matcher reads (index.to_doc, the open-status filter, the vector's
# content hash); relationships by name and by foreign key.
MATCHER_FIELDS = frozenset({
    "title", "description", "employer", "employer_id", "place", "place_id", "place_text", "lat", "lon",
    "wage_min", "wage_max", "housing", "meals", "employment_type", "posted_at", "valid_through",
    "status", "source", "source_id", "content_hash",
})


def _changed(posting: Posting) -> bool:
    state = inspect(posting)
    if state.attrs.changed_at.history.added:
        return False  # set by hand (a test or a benchmark placing it in time)
    return any(state.attrs[name].history.has_changes() for name in MATCHER_FIELDS)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, context: Any, instances: Any) -> None:
    now = utcnow()
    touched: list[Posting] = []
    # Each read of session.new / .deleted builds a fresh set of every pending object: read once,
    # or a flush of n new objects costs n² (most of a 30,000-posting source run's store phase).
    new, deleted = session.new, session.deleted
    for obj in list(new) + list(session.dirty) + list(deleted):
        if isinstance(obj, Posting):
            if obj not in deleted and (obj in new or _changed(obj)):
                touched.append(obj)
        elif _moves_its_posting(obj, new, deleted):
            touched.extend(_posting_of(session, obj, deleted))
    for posting in touched:
        if not inspect(posting).attrs.changed_at.history.added:
            posting.changed_at = now
    pending = session.info.setdefault(_TOUCHED, set())
    pending.update(touched)
    pending.update(o for o in deleted if isinstance(o, Posting))
    for source in [o for o in session.dirty if isinstance(o, Source) and o.id is not None]:
        if inspect(source).attrs.trust.history.has_changes():  # the matcher reads it per posting
            postings = Posting.__table__
            session.connection().execute(
                postings.update().where(postings.c.source_id == source.id).values(changed_at=now))
            session.info.setdefault(_STAMPS, set()).add(now)


def _moves_its_posting(obj: object, new: Any, deleted: Any) -> bool:
    """A sighting added or removed, a vector stored or replaced."""
    if isinstance(obj, PostingSource):
        return obj in new or obj in deleted
    return isinstance(obj, PostingEmbedding) and (obj in new or _vector_changed(obj))


def _vector_changed(embedding: PostingEmbedding) -> bool:
    state = inspect(embedding)
    return any(state.attrs[name].history.has_changes() for name in ("vector", "content_hash", "model_id"))


def _posting_of(session: Session, obj: Any, deleted: Any) -> list[Posting]:
    posting = obj.__dict__.get("posting")  # set on the object, or already loaded
    if posting is None and obj.posting_id is not None:
        posting = session.get(Posting, obj.posting_id)
    return [posting] if posting is not None and posting not in deleted else []


@event.listens_for(Session, "do_orm_execute")
def _bulk_update(state: ORMExecuteState) -> None:
    if not state.is_update or state.bind_mapper is None or state.bind_mapper.class_ is not Posting:
        return
    statement: Any = state.statement
    # ``_values`` is how SQLAlchemy 2 keeps an UPDATE's SET clause (no public accessor; the
    # bulk test in test_changed_at.py fails if that ever changes).
    names = {getattr(key, "key", key) for key in (getattr(statement, "_values", None) or {})}
    if names & MATCHER_FIELDS and "changed_at" not in names:
        now = utcnow()
        state.statement = statement.values(changed_at=now)
        state.session.info.setdefault(_STAMPS, set()).add(now)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    """Rewrite the PostgreSQL match index rows of the postings changed in this transaction
    (bulk updates are found by the ``changed_at`` they stamped)."""
    if session.new or session.dirty or session.deleted:
        session.flush()  # commit flushes after this event: the postings it changes are touched now
    if not session.info.get(_TOUCHED) and not session.info.get(_STAMPS):
        return
    touched, stamps = session.info.pop(_TOUCHED, set()), session.info.pop(_STAMPS, set())
    from web.services import pgindex

    if not pgindex.enabled(session):
        return
    ids = {p.id for p in touched if p.id is not None}
    if stamps:
        ids.update(session.scalars(select(Posting.id).where(Posting.changed_at.in_(sorted(stamps)))))
    pgindex.sync(session, ids)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_TOUCHED, None)
    session.info.pop(_STAMPS, None)
