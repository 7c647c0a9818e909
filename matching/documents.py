"""Turn postings and workers into the texts the models read."""

from __future__ import annotations

from matching.types import PostingDoc

DESCRIPTION_CHARS = 200


def posting_text(posting: PostingDoc) -> str:
    """Title first (it carries the occupation), then the start of the description."""
    parts = [posting.title, posting.employer or "", posting.description[:DESCRIPTION_CHARS]]
    return "\n".join(p for p in parts if p)


def query_text(text: str) -> str:
    """A worker's own words, whitespace-normalised."""
    return " ".join(text.split())
