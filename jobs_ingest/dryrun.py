"""Try a source without storing anything: the normal fetch path (SSRF guard, robots.txt, size and
time limits) and the pipeline's normalisation, bounded so that an admin's page answers in time.

The admin's "try it" button runs this: the first postings as they would be stored, and every
rejection with its reason. No conditional-GET state is read or written (a fresh fetch), and
nothing here knows a database.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from jobs_ingest.pipeline import process_items
from jobs_ingest.records import PostingRecord, RawItem, Rejection, SourceConfig
from jobs_ingest.sources import fetch_items
from places import Gazetteer

SHOWN = 10  # postings shown
MAX_ITEMS = 200  # items read at most
MAX_SECONDS = 45.0  # stop asking the source for items after this (each request has its own deadline)
# Tighter fetch limits than a scheduled run's: a page waits for this, not a background job.
# With these, a try that never yields an item still ends within about 10 × 8 s.
LIMITS: dict[str, float | int] = {"max_pages": 10, "retries": 0, "total_timeout": 8.0, "max_wait": 2.0}


@dataclass
class DryRun:
    """What one try of a source found: the first postings, every rejection, and why it stopped."""

    postings: list[PostingRecord] = field(default_factory=list)
    parsed: int = 0  # postings parsed in all (only the first SHOWN are kept)
    rejections: list[Rejection] = field(default_factory=list)
    duplicates: int = 0
    fetched: int = 0
    errors: list[str] = field(default_factory=list)
    stopped: str = ""  # "items", "pages" or "time" when the try stopped before the source's end


def bounded(config: SourceConfig) -> SourceConfig:
    """The config with the try's limits (never looser than the source's own) and no HTTP cache."""
    options: dict[str, Any] = dict(config.options)
    for key, limit in LIMITS.items():
        given = options.get(key)
        if isinstance(given, int | float) and not isinstance(given, bool):
            options[key] = min(given, limit)
        else:
            options[key] = limit
    return replace(config, options=options, http_cache=None)


def _capped(config: SourceConfig) -> bool:
    """Whether the try reads fewer pages than the source itself would."""
    own = config.options.get("max_pages")
    return not isinstance(own, int | float) or own > LIMITS["max_pages"]


def try_source(config: SourceConfig, gazetteer: Gazetteer, today: date,
               clock: Callable[[], float] = time.monotonic) -> DryRun:
    """Fetch and normalise up to MAX_ITEMS items of ``config`` within MAX_SECONDS; store nothing."""
    result = DryRun()
    items: list[RawItem] = []
    deadline = clock() + MAX_SECONDS
    stream: Iterator[RawItem] = iter(())
    try:
        stream = fetch_items(bounded(config))
        for item in stream:
            items.append(item)
            if len(items) >= MAX_ITEMS:
                result.stopped = "items"
                break
            if clock() > deadline:
                result.stopped = "time"
                break
    except Exception as exc:  # a failing source is reported, as in a real run
        reason = getattr(exc, "reason", None)  # FetchError/SourceError/Rejected carry a code
        detail = getattr(exc, "detail", "") or str(exc)
        if reason == "incomplete" and _capped(config):
            result.stopped = "pages"  # the try's own page limit, not the source's: no error
        else:
            result.errors.append(f"{reason}: {detail}" if isinstance(reason, str) and reason
                                 else f"{type(exc).__name__}: {exc}")
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()  # ends the source's generator, which closes its fetcher
    batch = process_items(items, gazetteer, today)
    result.postings = batch.records[:SHOWN]
    result.parsed = len(batch.records)
    result.rejections = batch.rejections
    result.duplicates = batch.duplicates
    result.fetched = batch.fetched
    result.errors = [*batch.errors, *result.errors]
    return result
