"""Fixtures for the ingestion tests: the local fixture-site server and a fetcher allowed onto it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pytest

from jobs_ingest.fetch import Fetcher, FetchPolicy
from tests.jobs_ingest.localserver import Handler, Site


@pytest.fixture(scope="session")
def server() -> Iterator[Site]:
    """One server for the session (routes are cleared per test by ``site``)."""
    site = Site()
    handler = type("BoundHandler", (Handler,), {"site": site})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    site.origin = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield site
    httpd.shutdown()
    httpd.server_close()


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
