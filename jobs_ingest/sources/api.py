"""The ``api`` kind: paginated JSON listings, mapped by dotted paths in ``options["mapping"]``.

Mapping keys (values are dotted paths into the response or an item; list indexes allowed,
"" means the value itself): ``items`` (the list of postings on a page), ``next`` (the next
page's URL, absolute or relative; a ``Link: rel="next"`` header is used when it is absent),
and per item ``id``, ``title``, ``description``, ``place``, ``pay``, ``updated``, ``url``,
``employer``, ``posted``, ``valid_through``, ``benefits``, ``type``, ``headcount``, ``lat``,
``lon``. Unmapped keys default to the same name. ``updated`` is passed on as ``updated_text``
and hashed, so a newer time for a known id is an update. Other options: ``max_pages``
(default 100), ``same_host`` (default true: a next link to another host is an error).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

from requests.utils import parse_header_links

from jobs_ingest.fetch import Fetcher, Response
from jobs_ingest.records import RawItem, Rejected, SourceConfig
from jobs_ingest.sources import register
from jobs_ingest.sources.common import SourceError, excerpt, fetcher_for, rejected_item, text_of

ITEM_FIELDS = {
    "id": "external_id", "title": "title", "description": "description", "place": "place_text",
    "pay": "pay_text", "updated": "updated_text", "url": "url", "employer": "employer",
    "posted": "posted_text", "valid_through": "valid_through_text", "benefits": "benefits_text",
    "type": "type_text", "headcount": "headcount_text", "lat": "lat", "lon": "lon",
}
_MISSING = object()


def dig(data: Any, path: str) -> Any:
    """The value at a dotted path ("data.list", "links.0.href"); None if any step is missing."""
    value = data
    for step in (s for s in str(path).split(".") if s):
        if isinstance(value, Mapping):
            value = value.get(step, _MISSING)
        elif isinstance(value, list) and step.lstrip("-").isdigit() and -len(value) <= int(step) < len(value):
            value = value[int(step)]
        else:
            return None
        if value is _MISSING:
            return None
    return value


@register("api")
def fetch(config: SourceConfig, fetcher: Fetcher | None = None) -> Iterator[RawItem]:
    """Follow the listing's pages from ``config.location`` and yield every item."""
    mapping = {key: key for key in (*ITEM_FIELDS, "items", "next")}
    mapping.update({k: str(v) for k, v in dict(config.options.get("mapping") or {}).items()})
    max_pages = int(config.options.get("max_pages", 100))
    same_host = bool(config.options.get("same_host", True))
    host = urlsplit(config.location).netloc.lower()
    url: str | None = config.location
    seen: set[str] = set()
    with fetcher_for(config, fetcher) as http:
        while url and url not in seen:  # a next link back to a page already read ends the listing
            if len(seen) >= max_pages:
                raise SourceError("incomplete", f"stopped at max_pages={max_pages}; {url} not read")
            if same_host and urlsplit(url).netloc.lower() != host:
                raise SourceError("bad_url", f"the next link leaves {host}: {url}")
            seen.add(url)
            response, data = _page(http, url, len(seen))
            items = dig(data, mapping["items"])
            if not isinstance(items, list):
                raise SourceError("malformed", f"page {len(seen)}: {mapping['items']!r} is not a list")
            for raw in items:
                yield _item(raw, mapping, response.url)
            url = _next_url(data, response, mapping["next"])


def _page(http: Fetcher, url: str, number: int) -> tuple[Response, Any]:
    try:
        response = http.get(url)
        return response, response.json()
    except Rejected as exc:
        raise SourceError(exc.reason, f"page {number} ({url}): {exc.detail}") from None
    except ValueError as exc:
        raise SourceError("malformed", f"page {number} ({url}) is not JSON: {exc}") from None


def _next_url(data: Any, response: Response, path: str) -> str | None:
    value = dig(data, path) if path else None
    if isinstance(value, Mapping):
        value = value.get("href") or value.get("url")
    if not value and response.headers.get("link"):
        nexts = [link["url"] for link in parse_header_links(response.headers["link"])
                 if "next" in link.get("rel", "").split()]
        value = nexts[0] if nexts else None
    return urljoin(response.url, str(value).strip()) if value else None


def _item(raw: Any, mapping: dict[str, str], page_url: str) -> RawItem:
    if not isinstance(raw, Mapping):
        return rejected_item("malformed", "a listing item is not a JSON object", raw)
    fields: dict[str, Any] = {}
    for key, field in ITEM_FIELDS.items():
        value = dig(raw, mapping[key])
        if field == "pay_text" and isinstance(value, Mapping | int | float) and not isinstance(value, bool):
            fields["wage_struct"] = value  # {"minValue": …, "unitText": …} or a bare number
        elif field in ("lat", "lon", "updated_text"):
            fields[field] = value
        else:
            fields[field] = text_of(value)
    if fields.get("url"):
        fields["url"] = urljoin(page_url, fields["url"])
    return RawItem(fields=fields, excerpt=excerpt(raw))
