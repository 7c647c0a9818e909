"""Natural keys for de-duplication: canonical URLs and content hashes."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING = ("utm_", "spm", "from", "share", "fbclid", "gclid", "wxshare", "scene", "ref")


def canonical_url(url: str | None) -> str | None:
    """Lower-case scheme and host, drop the fragment and tracking parameters, sort the rest."""
    if not url or not url.strip():
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING)
    )
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, urlencode(query), ""))


def content_hash(values: dict[str, Any]) -> str:
    """A stable SHA-256 over the fields that make a posting what it is."""
    blob = json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()
