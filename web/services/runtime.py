"""Heavy per-process resources (gazetteer, embedding model, match index), built lazily."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from places import Gazetteer, default_gazetteer

log = logging.getLogger(__name__)


class Runtime:
    """Kept on ``app.extensions["jiujin"]``; nothing loads until first asked for."""

    def __init__(self, config: Any):
        self.model_path = Path(config["JIUJIN_MODEL_PATH"])
        self.refresh_seconds = int(config["JIUJIN_INDEX_REFRESH_SECONDS"])
        self._embedder: Any = None
        self._matcher: Any = None
        self._version: Any = None
        self._checked = 0.0
        self._lock = threading.Lock()

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
        """The match index over open postings, rebuilt when the postings changed."""
        from web.services import index

        now = time.monotonic()
        with self._lock:
            fresh = self._matcher is not None and now - self._checked < self.refresh_seconds
            if fresh:
                return self._matcher
        embedder = self.embedder()
        version = index.postings_version(session, embedder.model_id)
        with self._lock:
            if self._matcher is None or version != self._version:
                self._matcher = index.build_matcher(session, embedder)
                self._version = version
            self._checked = now
            return self._matcher

    def invalidate(self) -> None:
        """Forget the index so the next query rebuilds it (after ingestion in this process)."""
        with self._lock:
            self._matcher = None
            self._version = None
