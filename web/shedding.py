"""Load shedding: a request that waited too long for a free thread gets a quick 503, not a slow page.

gunicorn's threaded worker accepts connections and hands them to its thread pool; when every
thread is busy they wait in the pool's queue, unbounded, and on two busy cores a search could
wait 46 s. ``ShedWorker`` notes when each connection is handed to the pool; when a thread picks
it up after more than ``JIUJIN_MAX_QUEUE_SECONDS`` (default 8), the request is answered at once
with 503 and ``Retry-After`` instead of being served late: the thread is free again in
microseconds, so the queue drains and the people who do get served are served promptly.
``/healthz`` is never shed (a liveness probe must not flap under load).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

DEFAULT_MAX_QUEUE_SECONDS = 8.0
RETRY_AFTER_SECONDS = 5
EXEMPT_PATHS = ("/healthz",)
_waited = threading.local()

PAGE = ("<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>就近：太忙了</title>"
        "<h1>现在人太多，请过几秒再试</h1><p>Too busy right now: please try again in a few seconds.</p>"
        "</html>").encode()

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def max_queue_seconds() -> float:
    """JIUJIN_MAX_QUEUE_SECONDS, or the default; 0 turns shedding off."""
    value = os.environ.get("JIUJIN_MAX_QUEUE_SECONDS", "")
    try:
        return float(value) if value else DEFAULT_MAX_QUEUE_SECONDS
    except ValueError:
        raise RuntimeError(f"JIUJIN_MAX_QUEUE_SECONDS must be a number, got {value!r}") from None


class shed_late_requests:  # noqa: N801 (used like a function; a class so the app's attributes show through)
    """Wrap ``app``: a request that waited over ``limit`` seconds for its thread is refused with 503.

    Attribute lookups fall through to the wrapped app, so gunicorn hooks can still reach
    ``worker.wsgi.app_context()``.
    """

    def __init__(self, app: WsgiApp, limit: float):
        self.app, self.limit = app, limit

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        waited = getattr(_waited, "seconds", 0.0)
        _waited.seconds = 0.0
        path = environ.get("PATH_INFO", "")
        if self.limit <= 0 or waited <= self.limit or path in EXEMPT_PATHS:
            return self.app(environ, start_response)
        if path.startswith("/api/"):
            body = json.dumps({"message": "busy: retry later", "retry_after": RETRY_AFTER_SECONDS}).encode()
            kind = "application/json"
        else:
            body, kind = PAGE, "text/html; charset=utf-8"
        start_response("503 Service Unavailable", [
            ("Content-Type", kind), ("Content-Length", str(len(body))),
            ("Retry-After", str(RETRY_AFTER_SECONDS)), ("Cache-Control", "no-store")])
        return [body]


class ShedWorker(ThreadWorker):
    """gunicorn's threaded worker, timing how long each connection waits for a thread."""

    def load_wsgi(self) -> None:
        """The app, wrapped so that requests that waited too long are shed."""
        super().load_wsgi()
        self.wsgi = shed_late_requests(self.wsgi, max_queue_seconds())

    def enqueue_req(self, conn: Any) -> None:
        """Stamp the connection with the moment it joins the thread pool's queue."""
        conn.jiujin_queued_at = time.monotonic()
        super().enqueue_req(conn)

    def handle(self, conn: Any) -> Any:
        """Note how long the connection waited for this thread (not how slowly its client writes)."""
        conn.jiujin_waited = time.monotonic() - getattr(conn, "jiujin_queued_at", time.monotonic())
        return super().handle(conn)

    def handle_request(self, req: Any, conn: Any) -> Any:
        """Tell the wrapped app (same thread) how long this request waited."""
        _waited.seconds = getattr(conn, "jiujin_waited", 0.0)
        return super().handle_request(req, conn)
