"""A real local HTTP server (127.0.0.1 only) serving the fixture sites under sites/.

Files are served as written, except that ``{{origin}}`` becomes the server's origin and files
named ``*.gbk.*`` are sent encoded as GB18030 (kept readable as UTF-8 in the repository).
Tests add dynamic routes (hostile behaviour: 429s, redirect loops, huge pages) per test.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from jobs_ingest.records import SourceConfig

SITES = Path(__file__).parent / "sites"
TODAY = date(2026, 11, 28)
TYPES = {".html": "text/html", ".xml": "application/xml", ".json": "application/json",
         ".csv": "text/csv", ".txt": "text/plain"}

Route = Callable[["Handler"], None]


@dataclass
class Site:
    """The running server: its origin, the routes a test added, and the requests it saw."""

    origin: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    hits: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        return f"{self.origin}{path}"

    def paths(self) -> list[str]:
        """The paths requested so far, in order."""
        return [path for path, _ in self.hits]

    def add(self, path: str, body: bytes | str = b"", status: int = 200,
            headers: dict[str, str] | None = None) -> None:
        """Serve a fixed response at ``path``."""
        data = body.encode("utf-8") if isinstance(body, str) else body

        def route(handler: Handler) -> None:
            handler.reply(status, data, headers or {"Content-Type": "text/html; charset=utf-8"})

        self.routes[path] = route


class Handler(BaseHTTPRequestHandler):
    """Routes first, then files under sites/; 404 otherwise."""

    site: Site
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Stay quiet: pytest shows what matters."""

    def reply(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        """Send a complete response with a Content-Length unless the route set its own framing."""
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (size cap, timeout): expected

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        """Serve a route or a fixture file."""
        self.site.hits.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path in self.site.routes:
            self.site.routes[path](self)
            return
        file = (SITES / path.lstrip("/")).resolve()
        if file.is_dir():
            file = file / "index.html"
        if SITES.resolve() not in file.parents or not file.is_file():
            self.reply(404, b"not found", {"Content-Type": "text/plain"})
            return
        text = file.read_text(encoding="utf-8").replace("{{origin}}", self.site.origin)
        gbk = ".gbk." in file.name
        body = text.encode("gb18030" if gbk else "utf-8")
        kind = TYPES.get(file.suffix, "application/octet-stream")
        self.reply(200, body, {"Content-Type": kind if gbk else f"{kind}; charset=utf-8"})


@contextmanager
def serving() -> Iterator[Site]:
    """A ``Site`` served on 127.0.0.1 (a free port) until the block ends."""
    site = Site()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), type("BoundHandler", (Handler,), {"site": site}))
    httpd.daemon_threads = True
    site.origin = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield site
    finally:
        httpd.shutdown()
        httpd.server_close()


def local_source(kind: str, location: str, **options: Any) -> SourceConfig:
    """A source config for the local server (loopback allowed, as the issue says tests do)."""
    return SourceConfig(name=f"test-{kind}", kind=kind, location=location, options=options,
                        allow_private_network=True)
