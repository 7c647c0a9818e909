"""Source kinds, registered by name. A source turns a SourceConfig into RawItems."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from jobs_ingest.records import RawItem, SourceConfig

Fetcher = Callable[[SourceConfig], Iterator[RawItem]]
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


def fetch_items(config: SourceConfig) -> Iterator[RawItem]:
    """Items from the source's kind; an unknown kind is a clear error."""
    try:
        fetch = _REGISTRY[config.kind]
    except KeyError:
        raise ValueError(f"unknown source kind {config.kind!r}; known: {', '.join(kinds())}") from None
    return fetch(config)


# Each kind registers itself on import.
from jobs_ingest.sources import api, demo, feed, html, jsonld, sheet  # noqa: E402,F401
