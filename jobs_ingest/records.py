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
    # Conditional-GET state (ETags, Last-Modified, bodies) from earlier runs, read only: a run
    # works on a copy and returns the new state in BatchResult.http_cache (see fetch.HttpCache).
    http_cache: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class RawItem:
    """One item as a source delivered it, mapped to standard field names (mostly text).

    Standard fields: external_id, title, employer, description, place_text, pay_text,
    benefits_text, type_text, headcount_text, posted_text, valid_through_text, url, and the
    optional lat, lon (schema.org geo), wage_struct (a schema.org baseSalary value) and
    updated_text (the source's own last-modified time). Typed fields pass through as they are,
    never as text to parse again: wage_min and wage_max (CNY a month, numbers), housing and
    meals (booleans), employment_type (a code), headcount (an integer), posted_at and
    valid_through (dates). A source that could read the item
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


@dataclass(frozen=True, slots=True)
class Prepared:
    """One item after the pipeline's steps, in the order it came.

    ``state``: ``record`` (normalised, to store), ``unchanged`` (arrived exactly as the caller
    said it stored it), ``repeat`` (its id came again in the batch and the other version counts)
    or ``rejected`` (``rejection`` says why). ``key`` is the caller's (a spreadsheet row number).
    """

    state: str
    external_id: str
    title: str
    key: Any = None
    record: PostingRecord | None = None
    rejection: Rejection | None = None
    updated_at: datetime | None = None
    excerpt: str = ""


@dataclass
class BatchResult:
    """Everything one pass over a source produced: nothing fetched is missing from it."""

    items: list[Prepared] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # The conditional-GET state after the run (None: the source keeps none), to store with it.
    http_cache: dict[str, Any] | None = None

    @property
    def fetched(self) -> int:
        """Items the source delivered."""
        return len(self.items)

    @property
    def records(self) -> list[PostingRecord]:
        """The normalised records to store."""
        return [p.record for p in self.items if p.record is not None]

    @property
    def rejections(self) -> list[Rejection]:
        """The items to quarantine."""
        return [p.rejection for p in self.items if p.rejection is not None]

    @property
    def unchanged(self) -> list[str]:
        """External ids whose raw item is exactly what the caller said it already stored."""
        return [p.external_id for p in self.items if p.state == "unchanged"]

    @property
    def duplicates(self) -> int:
        """Items whose id came again in the batch (the other version counts)."""
        return sum(1 for p in self.items if p.state == "repeat")

    def rejected_counts(self) -> dict[str, int]:
        """Rejections counted by reason."""
        return dict(Counter(r.reason for r in self.rejections))
