"""Posting vectors: the model runs only on texts it has never seen, and what it stores equals a
fresh encoding of the posting's text (the guard on every shortcut in ``embed_pending``)."""

import numpy as np
from sqlalchemy import select

from matching.documents import posting_text
from web.models import Posting, PostingEmbedding
from web.services import embeddings
from web.services.index import to_doc


class CountingEmbedder:
    """The real embedder, counting the texts it is asked to encode."""

    def __init__(self, inner):
        self.inner, self.model_id, self.texts = inner, inner.model_id, []

    def encode(self, texts):
        self.texts.extend(texts)
        return self.inner.encode(texts)


def _open_postings(session, n):
    return session.scalars(select(Posting).where(Posting.status == "open")
                           .order_by(Posting.id).limit(n)).all()


def _vector(session, posting, model_id):
    return session.scalar(select(PostingEmbedding).where(PostingEmbedding.posting_id == posting.id,
                                                         PostingEmbedding.model_id == model_id))


def test_stored_vectors_equal_a_fresh_encoding(db_session, runtime):
    embedder = runtime.embedder()
    postings = _open_postings(db_session, 200)
    fresh = embedder.encode([posting_text(to_doc(p)) for p in postings])
    stored = np.vstack([np.frombuffer(_vector(db_session, p, embedder.model_id).vector, dtype=np.float32)
                        for p in postings])
    norms = np.linalg.norm(fresh, axis=1) * np.linalg.norm(stored, axis=1)
    cosines = np.sum(fresh * stored, axis=1) / norms
    assert len(cosines) == 200 and cosines.min() >= 0.9999


def test_a_change_outside_the_text_keeps_the_vector(db_session, runtime):
    spy = CountingEmbedder(runtime.embedder())
    posting = _open_postings(db_session, 1)[0]
    row = _vector(db_session, posting, spy.model_id)
    blob, made = row.vector, row.created_at
    posting.wage_max, posting.content_hash = (posting.wage_max or 0) + 500, "pay-changed"
    db_session.flush()
    assert embeddings.embed_pending(db_session, spy) == 1
    assert spy.texts == []
    assert (row.content_hash, row.vector, row.created_at) == ("pay-changed", blob, made)


def test_a_changed_text_is_encoded_once(db_session, runtime):
    spy = CountingEmbedder(runtime.embedder())
    posting = _open_postings(db_session, 1)[0]
    posting.title, posting.content_hash = posting.title + "（急招）", "title-changed"
    db_session.flush()
    assert embeddings.embed_pending(db_session, spy) == 1
    text = posting_text(to_doc(posting))
    assert spy.texts == [text]
    row = _vector(db_session, posting, spy.model_id)
    assert row.text_hash == embeddings.text_hash(text) and row.content_hash == "title-changed"
    assert embeddings.embed_pending(db_session, spy) == 0 and len(spy.texts) == 1


def test_a_text_another_posting_has_is_copied_not_encoded(db_session, runtime):
    spy = CountingEmbedder(runtime.embedder())
    first, second, third = _open_postings(db_session, 3)
    for copy in (second, third):  # two postings take the first one's text, in one batch
        copy.title, copy.description, copy.employer = first.title, first.description, first.employer
        copy.content_hash = f"copy-{copy.id}"
    db_session.flush()
    assert embeddings.embed_pending(db_session, spy) == 2
    assert spy.texts == []
    original = _vector(db_session, first, spy.model_id).vector
    assert _vector(db_session, second, spy.model_id).vector == original
    assert _vector(db_session, third, spy.model_id).vector == original
