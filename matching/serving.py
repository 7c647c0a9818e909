"""Thread-safe helpers for serving queries: a per-text cache and a process-wide BLAS thread limit.

A web worker may rank several queries at once on threads sharing one ``Matcher``. What the
matcher computes from a query text alone (its occupations, its lexical row) is kept in a
``TextCache``, guarded by a lock; and each query is scored inside ``one_blas_thread``, which
limits BLAS to one thread for the whole process while any query is being scored, and restores
the previous limit when the last one leaves.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from threadpoolctl import ThreadpoolController

_cache_lock = threading.Lock()


class TextCache:
    """What was computed from a query text, for the ``size`` texts used most recently (thread-safe)."""

    def __init__(self, size: int):
        self.size = size
        self.items: OrderedDict[str, Any] = OrderedDict()

    def get(self, text: str) -> Any:
        """The value kept for ``text``, or None."""
        with _cache_lock:
            value = self.items.get(text)
            if value is not None:
                self.items.move_to_end(text)
            return value

    def put(self, text: str, value: Any) -> None:
        """Keep ``value`` for ``text``, forgetting the least recently used text when full."""
        with _cache_lock:
            self.items[text] = value
            self.items.move_to_end(text)
            if len(self.items) > self.size:
                self.items.popitem(last=False)


_blas_lock = threading.Lock()
_blas_state: dict[str, Any] = {"users": 0, "limiter": None, "controller": None}


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the block with BLAS on one thread (process-wide; nested and concurrent uses share it).

    A query's matrix products are small or bound by memory, so a second BLAS thread gains little;
    but on a busy machine with two cores, each product waits for that thread to be scheduled:
    at 100,000 postings, a relocating query took 24 ms (p50) with two threads and 6 ms with one.
    The first user to enter sets the limit and the last to leave restores what it was.
    """
    with _blas_lock:
        if _blas_state["users"] == 0:
            if _blas_state["controller"] is None:
                _blas_state["controller"] = ThreadpoolController()
            _blas_state["limiter"] = _blas_state["controller"].limit(limits=1, user_api="blas")
        _blas_state["users"] += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_state["users"] -= 1
            if _blas_state["users"] == 0:
                _blas_state["limiter"].restore_original_limits()
                _blas_state["limiter"] = None
