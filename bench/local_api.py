"""A local paginated JSON API of demo postings, for the ingestion benchmark and kill test.

Serves ``/jobs?page=N`` on 127.0.0.1 with ETags (304 on If-None-Match unless disabled) and,
optionally, a delay before a given page so a test can kill an ingestion mid-run.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from jobs_ingest.sources.demo_data import generate_demo_items

MAPPING = {
    "items": "items", "next": "next", "id": "id", "title": "title", "description": "description",
    "place": "area", "pay": "salary", "employer": "company", "benefits": "welfare", "type": "job_type",
    "headcount": "count", "posted": "publish_date", "valid_through": "deadline", "url": "url",
}


def demo_postings(count: int) -> list[dict[str, Any]]:
    """``count`` valid demo postings with unique ids and URLs (several seeds of the demo data)."""
    out: list[dict[str, Any]] = []
    seed = 0
    while len(out) < count:
        seed += 1
        for item in generate_demo_items(seed=seed):
            if "_demo_note" in item:
                continue
            item = dict(item, id=f"S{seed}-{item['id']}",
                        url=f"https://demo.jiujin.local/jobs/S{seed}-{item['id']}")
            out.append(item)
    return out[:count]


class LocalApi:
    """The server; use as a context manager. ``requests`` records every path asked for."""

    def __init__(self, postings: list[dict[str, Any]], page_size: int = 500, etag: bool = True,
                 slow_page: int | None = None, slow_seconds: float = 0.0):
        self.postings, self.page_size, self.etag = postings, page_size, etag
        self.slow_page, self.slow_seconds = slow_page, slow_seconds
        self.requests: list[str] = []
        self.not_modified = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The first page's URL."""
        return f"http://127.0.0.1:{self._server.server_port}/jobs?page=1"

    def page(self, number: int) -> bytes:
        """The JSON body of one page."""
        start = (number - 1) * self.page_size
        items = self.postings[start : start + self.page_size]
        more = start + self.page_size < len(self.postings)
        body = {"items": items, "next": f"/jobs?page={number + 1}" if more else None}
        return json.dumps(body, ensure_ascii=False).encode("utf-8")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep benchmark output clean
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                api.requests.append(self.path)
                parts = urlsplit(self.path)
                if parts.path == "/robots.txt":
                    self._reply(404, b"")
                    return
                number = int(parse_qs(parts.query).get("page", ["1"])[0])
                if number == api.slow_page:
                    time.sleep(api.slow_seconds)
                body = api.page(number)
                tag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if api.etag and self.headers.get("If-None-Match") == tag:
                    api.not_modified += 1
                    self._reply(304, b"", {"ETag": tag})
                    return
                self._reply(200, body, {"Content-Type": "application/json; charset=utf-8",
                                        **({"ETag": tag} if api.etag else {})})

            def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def __enter__(self) -> LocalApi:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
