"""Heavy per-process resources (gazetteer, embedding model, match index), built lazily."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy.exc import DBAPIError

from places import Gazetteer, default_gazetteer

log = logging.getLogger(__name__)


class Runtime:
    """Kept on ``app.extensions["jiujin"]``; nothing loads until first asked for.

    The match index is built by the first caller that needs it (or by ``warm``). After that, with
    ``JIUJIN_INDEX_REFRESH_SECONDS`` above 0, a request never refreshes it: a daemon thread of the
    serving process (``_refresh_loop``, started by the first ``matcher`` call in that process, so
    never in a gunicorn master that warms before it forks) wakes every that many seconds, reads
    the changed postings with a session of its own outside any lock, and applies them under the
    write lock, which costs what changed (``Matcher.add``/``remove``) plus the lexical IDF refresh
    that the probe query runs there (``LiveIndex.apply``). A failed refresh builds a new index in
    that thread and swaps it in; queries go on with the old one meanwhile. With 0, each request
    refreshes synchronously, as before: the tests (whose writes are in a transaction no other
    thread can see) rely on that, and ``refresh_now`` does it on demand.
    """

    def __init__(self, config: Any):
        self.model_path = Path(config["JIUJIN_MODEL_PATH"])
        self.refresh_seconds = int(config["JIUJIN_INDEX_REFRESH_SECONDS"])
        self.match_index = str(config.get("JIUJIN_MATCH_INDEX") or "auto")
        self._backend: str | None = None  # "in-process" or "postgres", decided on first use
        self._shortlist: Any = None  # matching.shortlist.ShortlistMatcher (postgres backend)
        self._embedder: Any = None
        self._live: Any = None  # index.LiveIndex: the matcher and the changes it reflects
        self._lock = threading.Lock()  # guards the fields above and the embedder
        self._refreshing = threading.Lock()  # one build or refresh at a time
        self._rw = ReadWriteLock()  # queries read the matcher; a refresh writes it
        self._warming: threading.Thread | None = None
        self._refresher: tuple[int, threading.Thread] | None = None  # (process id, thread)
        self._wake = threading.Event()  # cuts the refresher's wait short (``refresh_soon``)
        self._refreshed = threading.Condition()
        self.refreshes = 0  # background refresh rounds done (``wait_refreshed``)

    @property
    def gazetteer(self) -> Gazetteer:
        """The place gazetteer (loaded once per process)."""
        return default_gazetteer()

    def embedder(self) -> Any:
        """The sentence embedder, building the default model folder on first use if missing."""
        with self._lock:
            if self._embedder is None:
                from matching.embedders import SentenceEmbedder, ensure_default_model, is_ours

                # Build the default model if the folder is missing, rebuild it if it holds an
                # older default; a model an operator put there (no Jiujin info file) is left alone.
                if not (self.model_path / "modules.json").exists() or is_ours(self.model_path):
                    ensure_default_model(self.model_path)
                self._embedder = SentenceEmbedder(self.model_path)
            return self._embedder

    def matcher(self, session: Any) -> Any:
        """The match index over open postings: with the postgres backend, the database's index
        read through ``session``; in-process, this process's copy: built now if there is none, else
        as the background refresher last left it (with ``JIUJIN_INDEX_REFRESH_SECONDS`` = 0:
        brought up to date now)."""
        if self.backend(session) == "postgres":
            from matching.shortlist import ShortlistMatcher
            from web.services.pgindex import PgStore

            embedder = self.embedder()
            with self._lock:
                if self._shortlist is None:
                    self._shortlist = ShortlistMatcher(embedder, PgStore(session, embedder.model_id))
                shared = self._shortlist
            return shared.with_store(PgStore(session, embedder.model_id))
        live = self._current(session)
        if self.refresh_seconds > 0:
            self._start_refresher()
        return _Guarded(live.matcher, self._rw)

    def backend(self, session: Any) -> str:
        """"postgres" or "in-process" (``JIUJIN_MATCH_INDEX``; "auto" picks postgres where the
        database holds the pgvector match tables). Decided once per process."""
        if self._backend is None:
            from web.services import pgindex

            found = pgindex.enabled(session)
            if self.match_index == "postgres" and not found:
                raise RuntimeError("JIUJIN_MATCH_INDEX=postgres needs PostgreSQL with the pgvector extension "
                                   "and `flask db upgrade` (the match_rows table is missing)")
            self._backend = "postgres" if found and self.match_index != "in-process" else "in-process"
            log.info("match index backend: %s", self._backend)
        return self._backend

    def refresh_now(self, session: Any) -> None:
        """Build the index, or apply the changes since its last refresh, in the caller's thread."""
        with self._refreshing:
            with self._lock:
                live = self._live
            self._refresh(session, live)

    def refresh_soon(self) -> None:
        """Wake the background refresher now instead of at the end of its wait."""
        self._wake.set()

    def wait_refreshed(self, after: int, timeout: float) -> bool:
        """Wait until more than ``after`` background refresh rounds are done; whether in time."""
        with self._refreshed:
            return self._refreshed.wait_for(lambda: self.refreshes > after, timeout)

    def is_warm(self) -> bool:
        """Whether the model is loaded and the index built: a query waits for neither."""
        with self._lock:
            return self._embedder is not None and (self._live is not None or self._shortlist is not None)

    def indexed(self, session: Any = None) -> int:
        """How many postings the index holds (0 before it is built); costs no query in-process,
        one primary-key read with the postgres backend (its row count, ``match_meta``)."""
        if self._backend == "postgres" and session is not None:
            from web.services.pgindex import read_lexicon

            return read_lexicon(session).n
        with self._lock:
            live = self._live
        return live.matcher.size if live is not None else 0

    def start_warming(self, warm_up: Callable[[], None]) -> None:
        """Run ``warm_up`` in a background thread, unless one is already running."""
        with self._lock:
            if self._warming is not None and self._warming.is_alive():
                return
            self._warming = threading.Thread(target=_logged(warm_up), name="jiujin-warm", daemon=True)
            self._warming.start()

    def wait_warming(self, timeout: float | None = None) -> None:
        """Wait for a warm-up started by ``start_warming`` to end (tests: before the database
        connection it may be using is rolled back and closed)."""
        with self._lock:
            warming = self._warming
        if warming is not None:
            warming.join(timeout)

    def invalidate(self) -> None:
        """Forget the index so that the next query builds it again from the database; the
        background refresher, if any, stops (the next ``matcher`` call starts a new one)."""
        with self._lock:
            self._live = None
        self._wake.set()

    def refresher_alive(self) -> bool:
        """Whether this process has a background refresher running."""
        with self._lock:
            return self._refresher_running()

    def _refresher_running(self) -> bool:
        refresher = self._refresher  # the caller holds _lock
        return refresher is not None and refresher[0] == os.getpid() and refresher[1].is_alive()

    def _current(self, session: Any) -> Any:
        with self._lock:
            live = self._live
        if live is not None and self.refresh_seconds > 0:
            return live  # the background refresher keeps it up to date
        # One thread builds or refreshes; the others go on with the index as it is, unless there is none.
        if not self._refreshing.acquire(blocking=live is None):
            return live
        try:
            with self._lock:
                live = self._live
            if live is not None and self.refresh_seconds > 0:
                return live  # built by the thread this one waited for
            return self._refresh(session, live)
        finally:
            self._refreshing.release()

    def _refresh(self, session: Any, live: Any) -> Any:
        """Apply the changes since ``live``'s mark to it (or build one if None) and install it;
        the caller holds ``_refreshing``. The read runs outside the write lock, the apply inside."""
        from web.services import index

        embedder = self.embedder()
        started, expected = time.monotonic(), live
        if live is not None:
            try:
                changes = live.read(session, embedder.model_id)
                touches = bool(changes.docs or changes.removed)
                with self._rw.writing() if touches else contextlib.nullcontext():
                    live.apply(changes)
            except DBAPIError:
                raise  # the database is unreachable: keep the index; the next refresh tries again
            except Exception:
                log.exception("incremental index refresh failed; building the index again")
                live = None
        if live is None:
            live = index.LiveIndex.build(session, embedder)
            log.info("match index built in %.2fs", time.monotonic() - started)
        with self._lock:
            if self._live is expected:  # not dropped (``invalidate``) meanwhile: keep it
                self._live = live
        return live

    def _start_refresher(self) -> None:
        """Start this process's background refresher unless it runs (a thread does not survive a
        fork: a gunicorn worker starts its own on its first query; the master, which only warms,
        never does)."""
        if not has_app_context():
            return
        with self._lock:
            if self._refresher_running():
                return
            app = current_app._get_current_object()  # type: ignore[attr-defined]
            thread = threading.Thread(target=self._refresh_loop, args=(app,), name="jiujin-index-refresh",
                                      daemon=True)
            self._refresher = (os.getpid(), thread)
            self._wake.clear()
            thread.start()

    def _refresh_loop(self, app: Any) -> None:
        """Every ``refresh_seconds`` (or when woken), bring the index up to date with a session of
        its own; stop once the index is dropped (``invalidate``): a process that no longer needs
        it keeps none."""
        from web.extensions import db

        while True:
            self._wake.wait(self.refresh_seconds if self.refresh_seconds > 0 else None)
            self._wake.clear()
            with self._lock:
                live = self._live
            if live is None:
                return
            with app.app_context():
                try:
                    with self._refreshing:
                        with self._lock:
                            current = self._live
                        if current is live:  # not dropped or replaced meanwhile
                            self._refresh(db.session, live)
                except DBAPIError:
                    log.warning("index refresh: the database is unreachable; trying again later")
                except Exception:
                    log.exception("background index refresh failed")
                finally:
                    db.session.remove()
            with self._refreshed:
                self.refreshes += 1
                self._refreshed.notify_all()


def warm(app: Any) -> None:
    """Load the model and build the match index now, outside any request (gunicorn's master
    calls this before it forks the workers; /healthz starts it in the background otherwise).
    A worker that inherited the index brings it up to date here. No refresher thread starts
    here: it would not survive the fork (the worker's first query starts its own)."""
    from web.extensions import db

    with app.app_context():
        try:
            runtime = app.extensions["jiujin"]
            if runtime.backend(db.session) == "postgres":
                from matching.types import Query

                # loads the model and the occupation index (a small radius: a cheap query at any size)
                probe = Query(text="工作", lat=25.93, lon=108.52, max_km=10)
                runtime.matcher(db.session).rank(probe, limit=1)
            else:
                runtime.refresh_now(db.session)
        finally:
            db.session.remove()


def _logged(work: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            work()
        except Exception:
            log.exception("warming the model and index failed; /healthz will try again")

    return run


class ReadWriteLock:
    """Many readers or one writer; a waiting writer holds new readers back."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._waiting = 0

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """Hold the read side for the block."""
        with self._cond:
            self._cond.wait_for(lambda: not self._writer and not self._waiting)
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the write side for the block."""
        with self._cond:
            self._waiting += 1
            self._cond.wait_for(lambda: not self._writer and not self._readers)
            self._waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


class _Guarded:
    """The matcher as queries see it: every method call holds the read side of the lock, so
    a refresh never adds or removes postings in the middle of a query."""

    def __init__(self, matcher: Any, lock: ReadWriteLock):
        self._matcher = matcher
        self._lock = lock

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._matcher, name)
        if not callable(value):
            return value

        @functools.wraps(value)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            with self._lock.reading():
                return value(*args, **kwargs)

        return guarded
