"""Fixtures for the ingestion tests: the local fixture-site server and a fetcher allowed onto it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jobs_ingest.fetch import Fetcher, FetchPolicy
from tests.jobs_ingest.localserver import Site, serving


@pytest.fixture(scope="session")
def server() -> Iterator[Site]:
    """One server for the session (routes are cleared per test by ``site``)."""
    with serving() as site:
        yield site


@pytest.fixture
def site(server: Site) -> Iterator[Site]:
    """The server with no extra routes and an empty request log."""
    server.routes.clear()
    server.hits.clear()
    yield server
    server.routes.clear()


@pytest.fixture
def sleeps() -> list[float]:
    """Where a fake sleep records the waits it was asked for."""
    return []


@pytest.fixture
def fetcher(sleeps: list[float]) -> Iterator[Fetcher]:
    """A fetcher allowed onto loopback (the test server), with a recorded fake sleep."""
    http = Fetcher(FetchPolicy(connect_timeout=2, read_timeout=2), allow_private_network=True,
                   sleep=sleeps.append)
    yield http
    http.close()
