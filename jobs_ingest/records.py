"""Plain records that flow out of ingestion: postings, rejections, a batch result."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


class Rejected(Exception):  # noqa: N818 - scrapy's DropItem naming: a verdict, not an error
    """A raw item cannot become a posting; ``reason`` is a short machine-readable code."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class SourceConfig:
    """What ingestion needs to know about one registered source."""

    name: str
    kind: str
    location: str = ""
    trust: str = "aggregator"
    options: dict[str, Any] = field(default_factory=dict)
    allow_private_network: bool = False
    # Conditional-GET state (ETags, Last-Modified, bodies) from earlier runs. The fetcher
    # updates this dict in place, so the caller persists it after the run (see fetch.HttpCache).
    http_cache: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class RawItem:
    """One item as a source delivered it, mapped to standard field names (mostly text).

    Standard fields: external_id, title, employer, description, place_text, pay_text,
    benefits_text, type_text, headcount_text, posted_text, valid_through_text, url, and the
    optional lat, lon (schema.org geo), wage_struct (a schema.org baseSalary value) and
    updated_text (the source's own last-modified time). A source that could read the item
    but knows it cannot become a posting (a page over the size cap, broken JSON-LD) sets
    ``rejection`` to the reason; the pipeline quarantines it with ``detail``.
    """

    fields: dict[str, Any]
    excerpt: str
    rejection: str | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class PostingRecord:
    """One clean posting, ready to store. Wages are CNY per month."""

    external_id: str
    title: str
    description: str
    employer: str | None
    place_text: str
    place_code: str | None
    lat: float | None
    lon: float | None
    wage_min: int | None
    wage_max: int | None
    wage_text: str
    housing: bool
    meals: bool
    employment_type: str | None
    headcount: int | None
    posted_at: date | None
    valid_through: date | None
    url: str | None
    canonical_url: str | None
    expired: bool
    content_hash: str
    updated_at: datetime | None = None  # the source's own update time, when it gives one
    raw_hash: str = ""  # fingerprint of the item as the source delivered it (pipeline.fingerprint)


@dataclass(frozen=True, slots=True)
class Rejection:
    """A raw item that was quarantined, with the reason and an excerpt of what arrived."""

    reason: str
    detail: str
    excerpt: str
    external_id: str | None
    raw_hash: str


@dataclass
class BatchResult:
    """Everything one pass over a source produced: nothing fetched is missing from it."""

    records: list[PostingRecord] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    duplicates: int = 0
    fetched: int = 0
    errors: list[str] = field(default_factory=list)
    # External ids whose raw item is exactly what the caller said it already stored.
    unchanged: list[str] = field(default_factory=list)

    def rejected_counts(self) -> dict[str, int]:
        """Rejections counted by reason."""
        return dict(Counter(r.reason for r in self.rejections))
