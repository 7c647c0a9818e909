"""What the source kinds share: the source-level error, quarantine items, a fetcher per run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from jobs_ingest.fetch import Fetcher
from jobs_ingest.records import RawItem, SourceConfig

EXCERPT_LIMIT = 4000


class SourceError(Exception):
    """A source could not list all its items; items it yielded before this still count.

    ``run_source`` reports it in ``errors``, which also tells the web layer that the listing
    was incomplete, so nothing is closed for having disappeared from it.
    """

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def excerpt(value: Any) -> str:
    """A bounded text excerpt of what arrived, for the quarantine."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text[:EXCERPT_LIMIT]


def rejected_item(reason: str, detail: str, raw: Any, external_id: str | None = None) -> RawItem:
    """An item the pipeline will quarantine with ``reason`` (the raw excerpt kept for admins)."""
    fields = {"external_id": external_id} if external_id else {}
    return RawItem(fields=fields, excerpt=excerpt(raw), rejection=reason, detail=detail[:500])


@contextmanager
def fetcher_for(config: SourceConfig, given: Fetcher | None) -> Iterator[Fetcher]:
    """The fetcher a test passed in, or a new one for this run, closed afterwards."""
    if given is not None:
        yield given
        return
    fetcher = Fetcher.for_source(config)
    try:
        yield fetcher
    finally:
        fetcher.close()


def text_of(value: Any) -> str:
    """A mapped value as text: lists joined with 、, None as empty."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(text_of(v) for v in value if v is not None)
    return str(value).strip()
