"""``postings.changed_at`` moves in one place (web/changes.py): change each column of a posting,
by object and by bulk UPDATE; wherever what the matcher sees (``index.to_doc``, the open filter,
the vector's content hash) changes, changed_at must have moved — and a mere sighting must not
move it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from web.changes import MATCHER_FIELDS
from web.models import Employer, Place, Posting, PostingEmbedding, PostingSource, Source
from web.services.index import INDEX_LOADS, to_doc

LONG_AGO = datetime(2001, 1, 1, tzinfo=UTC)
BOOKKEEPING = {"id", "changed_at", "updated_at", "first_seen", "last_seen"}
COLUMNS = sorted(c.key for c in Posting.__table__.columns if c.key not in BOOKKEEPING)


def _posting(db_session: Any) -> Posting:
    found = select(Posting).where(Posting.status == "open", Posting.employer_id.is_not(None),
                                  Posting.place_id.is_not(None))
    posting = db_session.scalars(found.limit(1)).one()
    db_session.execute(update(Posting).where(Posting.id == posting.id).values(changed_at=LONG_AGO))
    db_session.expire_all()
    return _load(db_session, posting.id)


def _load(db_session: Any, posting_id: int) -> Posting:
    return db_session.scalars(select(Posting).where(Posting.id == posting_id).options(*INDEX_LOADS)
                              .execution_options(populate_existing=True)).one()


def _other_value(db_session: Any, posting: Posting, column: str) -> Any:
    value = getattr(posting, column)
    if column == "status":
        return "closed"
    if column == "source_id":  # another source, of another trust
        source = Source(name="changed-at-test", kind="manual", trust="employer", location="")
        db_session.add(source)
        db_session.flush()
        return source.id
    if column in ("employer_id", "place_id"):
        model = {"employer_id": Employer, "place_id": Place}[column]
        return db_session.scalar(select(model.id).where(model.id != value).limit(1))
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 7
    if isinstance(value, float):
        return value + 0.05
    if isinstance(value, date):
        return value + timedelta(days=3)
    if value is None:
        return {"wage_min": 1234, "wage_max": 5678, "headcount": 3, "lat": 26.0, "lon": 108.0,
                "posted_at": date(2026, 1, 2), "valid_through": date(2099, 1, 2)}.get(column, "x")
    return f"{value}改"[: 60] if column != "content_hash" else "f" * 64


def _moved(db_session: Any, posting_id: int) -> bool:
    stamp = db_session.scalar(select(Posting.changed_at).where(Posting.id == posting_id))
    return (stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp) > LONG_AGO


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("how", ["object", "bulk"])
def test_a_change_the_matcher_sees_moves_changed_at(db_session: Any, column: str, how: str) -> None:
    posting = _posting(db_session)
    before, new = to_doc(posting), _other_value(db_session, posting, column)
    if how == "object":
        setattr(posting, column, new)
        db_session.flush()
    else:
        db_session.execute(update(Posting).where(Posting.id == posting.id).values({column: new}))
    db_session.expire_all()
    posting = _load(db_session, posting.id)
    seen = to_doc(posting) != before or column in ("status", "content_hash")
    assert not seen or _moved(db_session, posting.id), f"{column} changed what the matcher sees"
    assert not seen or column in MATCHER_FIELDS, f"{column} is missing from web.changes.MATCHER_FIELDS"


def test_a_new_sighting_and_a_stored_vector_move_it_a_mere_sighting_does_not(db_session: Any) -> None:
    posting = _posting(db_session)
    db_session.execute(update(PostingSource).where(PostingSource.posting_id == posting.id)
                       .values(last_seen=datetime.now(UTC)))
    db_session.execute(update(Posting).where(Posting.id == posting.id).values(last_seen=datetime.now(UTC)))
    posting.last_seen = datetime.now(UTC)
    db_session.flush()
    assert not _moved(db_session, posting.id)
    other = Source(name="changed-at-other", kind="manual", trust="employer", location="")
    db_session.add(other)
    db_session.flush()
    db_session.add(PostingSource(posting=posting, source_id=other.id, external_id="seen-elsewhere",
                                 content_hash="0" * 64))
    db_session.flush()
    assert _moved(db_session, posting.id)
    posting = _posting(db_session)
    db_session.execute(update(PostingEmbedding).where(PostingEmbedding.posting_id == posting.id)
                       .values(content_hash="old").execution_options(synchronize_session=False))
    db_session.expire_all()
    vector = db_session.scalar(select(PostingEmbedding).where(PostingEmbedding.posting_id == posting.id))
    if vector is None:
        vector = PostingEmbedding(posting_id=posting.id, model_id="m", vector=b"\0" * 8, dim=2,
                                  content_hash="x")
        db_session.add(vector)
    vector.content_hash = posting.content_hash
    db_session.flush()
    assert _moved(db_session, posting.id)


def test_a_source_whose_trust_changes_moves_its_postings(db_session: Any) -> None:
    """The matcher reads a posting's trust from its source (index.to_doc): an admin changing a
    source's trust changes what it sees of every posting that source owns, and of no other."""
    posting = _posting(db_session)
    other = db_session.scalars(select(Posting).where(Posting.source_id != posting.source_id).limit(1)).first()
    if other is not None:
        db_session.execute(update(Posting).where(Posting.id == other.id).values(changed_at=LONG_AGO))
    source = db_session.get(Source, posting.source_id)
    source.trust = "aggregator" if source.trust != "aggregator" else "bureau"
    db_session.flush()
    assert _moved(db_session, posting.id)
    if other is not None:
        assert not _moved(db_session, other.id)
    source.schedule = "interval:7h"  # not something the matcher reads
    db_session.execute(update(Posting).where(Posting.id == posting.id).values(changed_at=LONG_AGO))
    db_session.flush()
    assert not _moved(db_session, posting.id)


def test_no_service_sets_changed_at_by_hand() -> None:
    """The rule lives in web/changes.py: a service writing changed_at itself would bypass it."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "web"
    writers = [str(p.relative_to(root)) for p in root.rglob("*.py") if p.name != "changes.py"
               and any(w in p.read_text() for w in ("changed_at=", ".changed_at = "))]
    assert writers == []
