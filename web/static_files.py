"""Static files and compression: content-fingerprinted static URLs with a year's cache, compressed responses.

``url_for('static', filename='site.css')`` gives ``/static/site.css?v=<12 hex of its SHA-256>``: a
changed file gets a new URL, so a fingerprinted response may be cached for a year
(``Cache-Control: public, max-age=31536000, immutable``). The bare path (an old page, a stylesheet's
relative ``url(images/...)``) and a stale fingerprint still work, sent ``no-cache`` as before.
Responses (pages, JSON, CSS, JS, SVG) are compressed by Flask-Compress: brotli or gzip, as the client
asks. Why not WhiteNoise: docs/ARCHITECTURE.md.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from flask_compress import Compress
from werkzeug.security import safe_join

FINGERPRINT_ARG = "v"
LONG_CACHE = "public, max-age=31536000, immutable"
COMPRESSION = {
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_ALGORITHM_STREAMING": ["br", "gzip"],  # static files are sent as streams
    "COMPRESS_MIN_SIZE": 500,
}


class Fingerprints:
    """Content hashes of the files under one folder, recomputed when a file's size or mtime changes."""

    def __init__(self, folder: str | os.PathLike[str]):
        self.folder = str(folder)
        self._known: dict[str, tuple[int, int, str]] = {}
        self._lock = threading.Lock()

    def of(self, filename: str) -> str | None:
        """The file's fingerprint (12 hex digits), or None when it is not a file under the folder."""
        path = safe_join(self.folder, filename)
        try:
            stat = os.stat(path) if path else None
        except OSError:
            return None
        if stat is None or not os.path.isfile(path):  # type: ignore[arg-type]
            return None
        known = self._known.get(filename)
        if known and known[:2] == (stat.st_mtime_ns, stat.st_size):
            return known[2]
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]  # type: ignore[arg-type]
        with self._lock:
            self._known[filename] = (stat.st_mtime_ns, stat.st_size, digest)
        return digest


def register(app: Flask) -> None:
    """Fingerprint ``url_for('static')``, cache fingerprinted files for a year, compress responses."""
    fingerprints = Fingerprints(app.static_folder or "")
    app.extensions["jiujin_fingerprints"] = fingerprints

    @app.url_defaults
    def add_fingerprint(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values and FINGERPRINT_ARG not in values:
            digest = fingerprints.of(values["filename"])
            if digest:
                values[FINGERPRINT_ARG] = digest

    for key, value in COMPRESSION.items():
        app.config.setdefault(key, value)
    Compress(app)

    @app.after_request  # registered after Compress, so it runs before it (Flask runs them in reverse)
    def cache_fingerprinted(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code in (200, 304):
            wanted = request.args.get(FINGERPRINT_ARG)
            filename = (request.view_args or {}).get("filename", "")
            if wanted and wanted == fingerprints.of(filename):
                response.headers["Cache-Control"] = LONG_CACHE
        return response
