"""Source kinds, registered by name. A source turns a SourceConfig into RawItems."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from jobs_ingest.records import RawItem, SourceConfig

if TYPE_CHECKING:
    from jobs_ingest.fetch import Fetcher as Http

# A kind's function: the config, and the run's HTTP fetcher (None: it makes its own).
Fetcher = Callable[[SourceConfig, "Http | None"], Iterator[RawItem]]
_REGISTRY: dict[str, Fetcher] = {}


def register(kind: str) -> Callable[[Fetcher], Fetcher]:
    """Decorator: make ``fetch`` the fetcher for sources of ``kind``."""

    def wrap(fetch: Fetcher) -> Fetcher:
        _REGISTRY[kind] = fetch
        return fetch

    return wrap


def kinds() -> list[str]:
    """Names of the registered source kinds."""
    return sorted(_REGISTRY)


def fetch_items(config: SourceConfig, http: Http | None = None) -> Iterator[RawItem]:
    """Items from the source's kind, fetched with ``http`` (whose cache state the caller keeps);
    an unknown kind is a clear error."""
    try:
        fetch = _REGISTRY[config.kind]
    except KeyError:
        raise ValueError(f"unknown source kind {config.kind!r}; known: {', '.join(kinds())}") from None
    return fetch(config, http)


# Each kind registers itself on import.
from jobs_ingest.sources import api, demo, feed, html, jsonld, sheet  # noqa: E402,F401
